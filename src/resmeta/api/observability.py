"""What operators watch: CORS, a JSON access log, Prometheus metrics at /metrics.

One pure ASGI middleware, outermost, times every HTTP request and, per request, counts it in
the metrics and writes its access-log line. With several worker processes, `resmeta serve`
points PROMETHEUS_MULTIPROC_DIR at a fresh folder before the workers import prometheus_client;
each worker then keeps its numbers in files there, and /metrics adds up all of them. The files
of a worker that died stay: what it counted stays in the totals, as counters must (prometheus
client's mark_process_dead only removes live gauges, of which there are none here).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from functools import lru_cache

import orjson
from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, values
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resmeta.api.ratelimit import client_address, client_headers
from resmeta.api.settings import Network, Settings

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own variable
UNMATCHED = "unmatched"  # the endpoint label of every path no route knows
LABELS = ("method", "endpoint", "status")
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
RATE_LIMIT_HEADERS = [
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
]
METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})
# Cuts that keep a log line under PIPE_BUF (4096 bytes), which a pipe writes in one piece.
MAX_PATH, MAX_QUERY, MAX_CLIENT = 1000, 2000, 200

logger = logging.getLogger("resmeta")
Write = Callable[[bytes], object]


def write_stderr(data: bytes) -> None:
    """Write to file descriptor 2 in one system call (a short write goes on with the rest)."""
    while data:
        data = data[os.write(2, data) :]


class HttpMetrics:
    """Requests counted and timed by method, route template and status."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "resmeta_http_requests",
            "HTTP requests answered.",
            LABELS,
            registry=self.registry,
        )
        self.latency = Histogram(
            "resmeta_http_request_duration_seconds",
            "Time from a request's arrival to the end of its response.",
            LABELS,
            buckets=BUCKETS,
            registry=self.registry,
        )
        self._children: dict[tuple[str, str, int], tuple[Counter, Histogram]] = {}
        self.exposed = self.registry
        folder = os.environ.get(MULTIPROC_DIR_ENV)
        if folder:
            if values.ValueClass is values.MutexValue:
                logger.warning(
                    "%s was set after prometheus_client was imported: /metrics shows only "
                    "this process's numbers",
                    MULTIPROC_DIR_ENV,
                )
            else:
                self.exposed = CollectorRegistry()
                MultiProcessCollector(self.exposed, path=folder)

    def observe(self, method: str, endpoint: str, status: int, seconds: float) -> None:
        key = (method, endpoint, status)
        children = self._children.get(key)
        if children is None:  # label values are bounded, so this dict is too
            labels = (method, endpoint, str(status))
            children = self.requests.labels(*labels), self.latency.labels(*labels)
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.exposed)


class ObservabilityMiddleware:
    """Times each HTTP request; counts it in `metrics`; writes its access-log line."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: HttpMetrics | None = None,
        access_log: bool = False,
        trusted_proxies: tuple[Network, ...] = (),
        write: Write = write_stderr,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.access_log = access_log
        self.trusted_proxies = trusted_proxies
        self.write = write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wall = time.time()
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before answering
        size = 0

        async def send_and_note(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            seconds = time.perf_counter() - started
            if self.metrics is not None:
                method = scope["method"] if scope["method"] in METHODS else "OTHER"
                self.metrics.observe(method, endpoint_of(scope), status, seconds)
            if self.access_log:
                self.write(access_line(scope, status, seconds, size, wall, self.trusted_proxies))


def access_line(
    scope: Scope,
    status: int,
    seconds: float,
    size: int,
    wall: float,
    trusted_proxies: tuple[Network, ...] = (),
) -> bytes:
    """One JSON object and a newline: what a request was, who sent it, what it got. The
    client is the Client-Id header if sent, else the address (found as the rate limits do)."""
    client, forwarded = client_headers(scope)
    if client is None:
        peer = scope.get("client")
        client = client_address(peer[0] if peer else None, forwarded, trusted_proxies)
    query = scope.get("query_string", b"").decode("latin-1")
    record = {
        "ts": f"{_utc_second(int(wall))}.{int(wall % 1 * 1000):03d}+00:00",
        "method": scope["method"][:16],
        "path": scope["path"][:MAX_PATH],
        "query": query[:MAX_QUERY],
        "status": status,
        "ms": round(seconds * 1000, 2),
        "client": client[:MAX_CLIENT] if client is not None else None,
        "bytes": size,
    }
    return orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE)


@lru_cache(maxsize=4)
def _utc_second(second: int) -> str:
    """ISO 8601 to the second, made once a second rather than once a request."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))


def endpoint_of(scope: Scope) -> str:
    """The template of the route that answers (`/v2/organizations/{ror_id}`), never the raw
    path. A request answered before routing (CORS preflight, rate limit) is matched here."""
    route = scope.get("route")
    if route is None:
        app = scope.get("app")
        route = _match(scope, _leaf_routes(app.router.routes)) if app is not None else None
    template = getattr(route, "path_format", None)
    return template if isinstance(template, str) else UNMATCHED


def _leaf_routes(routes: list[BaseRoute]) -> list[BaseRoute]:
    """The routes, with those of included routers in their place (FastAPI keeps an included
    router as one entry holding `original_router`). Routers are included without a prefix."""
    leaves: list[BaseRoute] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        leaves.extend(_leaf_routes(included.routes) if included is not None else [route])
    return leaves


def _match(scope: Scope, routes: list[BaseRoute]) -> BaseRoute | None:
    """As Starlette routes: the first full match, else the first partial (wrong method)."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return route
        if match is Match.PARTIAL and partial is None:
            partial = route
    return partial


class AnyOriginCORS(CORSMiddleware):
    """Starlette's CORS for every origin, without credentials. Every answer says
    `Access-Control-Allow-Origin: *`, the same for any origin or none (so no `Vary: Origin`,
    and a cache may keep one copy): cheaper than Starlette's headers rewrite per response."""

    def __init__(
        self, app: ASGIApp, methods: list[str], headers: list[str], exposed: list[str]
    ) -> None:
        super().__init__(
            app,
            allow_origins=["*"],
            allow_methods=methods,
            allow_headers=headers,
            expose_headers=exposed,
        )
        self.raw_headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in self.simple_headers.items()
        ]

    async def simple_response(
        self, scope: Scope, receive: Receive, send: Send, request_headers: object
    ) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *self.raw_headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_observability(app: FastAPI, settings: Settings) -> None:
    """CORS for every origin, then (outermost) the access log and metrics; GET /metrics."""
    app.add_middleware(
        AnyOriginCORS,
        methods=["GET", "HEAD", "OPTIONS"],
        headers=["Client-Id"],
        exposed=RATE_LIMIT_HEADERS,  # for scripts in a browser to see their limits
    )
    metrics = HttpMetrics()
    app.add_middleware(
        ObservabilityMiddleware,
        metrics=metrics,
        access_log=settings.access_log,
        trusted_proxies=settings.trusted_proxies,
    )

    @app.get("/metrics", tags=["service"], summary="Prometheus metrics (text format)")
    def prometheus_metrics() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_PLAIN_0_0_4)
