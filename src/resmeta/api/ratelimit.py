"""Rate limits per client ID or per client IP address, as ROR announced them.

A request with a registered `Client-Id` header gets `client_limit` requests per window,
counted per client ID; any other request gets `anonymous_limit`, counted per IP address.
Windows are fixed and aligned on multiples of their length since the Unix epoch, so every
worker and host agrees on when one ends (their clocks must be synchronised).

Counts live in Redis when `redis_url` is set (a Lua script: INCR, and EXPIRE on the first
hit, atomically; the hits of concurrent requests share one round trip), so the limits hold
across all workers and hosts. Without Redis each worker process counts on its own, so N
workers allow up to N times the limit.

When Redis cannot be reached the limiter fails open to per-worker counting: requests are
still limited, but by each worker's own counters, and no request fails because of Redis. One
warning is logged when Redis becomes unreachable and one when it answers again; in between,
Redis is retried every few seconds, not on each request.

`create_app` installs the middleware only when rate limiting is on: it costs nothing when off.

Why not the `limits` library (DESIGN.md's choice): measured with `bench/rate_limit.py`, it
made the Redis-limited service 36-46 % slower (one round trip per request, no batching; 65 µs
of client CPU per hit against 24 µs here), its windows start at each key's first hit (no
aligned reset for all workers), its memory storage scans every key on each hit (745 µs with
10,000 clients), and it has no fail-open. What it would replace is the two counters below.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from resmeta.api.settings import REDIS_URL_ENV, Network, Settings, SettingsError
from resmeta.services.clients import ClientRegistry, RegistryError, is_well_formed

logger = logging.getLogger("resmeta.ratelimit")

# Liveness checks and metric scrapes come every few seconds from the operator's own tools.
EXEMPT_PATHS = frozenset({"/heartbeat", "/v2/heartbeat", "/v1/heartbeat", "/metrics"})
REDIS_TIMEOUT = 0.5  # seconds to connect to Redis or to get an answer
REDIS_RETRY_SECONDS = 5.0  # after a failure, count in memory this long before trying again
KEY_PREFIX = "resmeta:ratelimit"
MAX_KEYS = 100_000  # callers counted apart per window by a worker without Redis
OVERFLOW_KEY = "overflow"
IPV6_PREFIX = 64  # an IPv6 client is counted per /64 network: one host often holds all of it
_REDIS_SCHEMES = ("redis", "rediss", "unix")

# KEYS[1]: the counter of one identity in one window; ARGV[1]: seconds until it may go.
_INCREMENT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


# --- windows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """The fixed window [index * seconds, (index + 1) * seconds) of Unix time."""

    seconds: int
    index: int

    @property
    def reset(self) -> int:
        """When the window ends, in Unix seconds."""
        return (self.index + 1) * self.seconds

    def seconds_left(self, now: float) -> int:
        """Whole seconds until the window ends (at least 1: what Retry-After says)."""
        return max(1, math.ceil(self.reset - now))


def current_window(now: float, seconds: int) -> Window:
    return Window(seconds, int(now // seconds))


# --- counters -----------------------------------------------------------------------------


class Counter(Protocol):
    async def hit(self, key: str, window: Window) -> int:
        """Count one request of `key` in `window` and return the count so far."""
        ...


class MemoryCounter:
    """Counts in this process only: with several workers each counts the requests it serves.

    Only the current window is kept: the counts are dropped when the next one starts. Past
    `MAX_KEYS` callers in one window, new ones share one count, so that a flood of addresses
    cannot grow a worker's memory without bound.
    """

    def __init__(self) -> None:
        self._window: Window | None = None
        self._counts: dict[str, int] = {}

    def count(self, key: str, window: Window) -> int:
        if window != self._window:
            self._window, self._counts = window, {}
        if key not in self._counts and len(self._counts) >= MAX_KEYS:
            key = OVERFLOW_KEY
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count

    async def hit(self, key: str, window: Window) -> int:
        return self.count(key, window)


class RedisCounter:
    """Counts in Redis, shared by every worker and host that uses the same Redis.

    The hits of concurrent requests are sent together: one pipeline of scripts (each one
    atomic) on one connection, at most one pipeline in flight per worker; the hits that arrive
    meanwhile go in the next one. This costs a worker a third of what one call per request
    costs, and never needs more than one connection.

    Fails open: while Redis cannot be reached, `fallback` (per-worker) counts instead.
    """

    def __init__(self, url: str, fallback: MemoryCounter | None = None) -> None:
        check_redis_url(url)
        self.url = url
        self.fallback = fallback or MemoryCounter()
        self.down = False
        self._client = None  # made on first use, inside the worker's event loop
        self._pending: list[tuple[str, int, asyncio.Future[int]]] = []
        self._sender: asyncio.Task[None] | None = None
        self._retry_at = 0.0

    def _connect(self):  # -> redis.asyncio.Redis
        import redis.asyncio
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        return redis.asyncio.Redis.from_url(
            self.url,
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT,
            retry=Retry(NoBackoff(), 0),  # fail fast: the fallback answers instead
        )

    async def hit(self, key: str, window: Window) -> int:
        if self._retry_at and time.monotonic() < self._retry_at:
            return self.fallback.count(key, window)
        # Expire a little after the window ends: hosts' clocks may differ slightly.
        ttl = window.seconds_left(time.time()) + 5
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((f"{KEY_PREFIX}:{window.seconds}:{window.index}:{key}", ttl, future))
        if self._sender is None:  # starts on the next turn of the loop: this turn's hits join
            self._sender = asyncio.create_task(self._send())
        try:
            count = await future
        except Exception as exc:  # no request may fail because of Redis
            self._retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            if not self.down:
                self.down = True
                logger.warning(
                    "rate limits: Redis at %s cannot be reached (%s: %s); each worker process "
                    "counts on its own until it answers again (fail-open)",
                    redact(self.url),
                    type(exc).__name__,
                    exc,
                )
            return self.fallback.count(key, window)
        if self.down:
            self.down = False
            self._retry_at = 0.0
            logger.warning("rate limits: Redis at %s answers again", redact(self.url))
        return count

    async def _send(self) -> None:
        """Send the pending hits, one pipeline at a time, until none is left."""
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    if self._client is None:
                        self._client = self._connect()
                    if len(batch) == 1:  # a pipeline of one costs more than a call
                        results = [await self._client.eval(_INCREMENT, 1, *batch[0][:2])]
                    else:
                        pipeline = self._client.pipeline(transaction=False)
                        for redis_key, ttl, _future in batch:
                            pipeline.eval(_INCREMENT, 1, redis_key, ttl)
                        results = await pipeline.execute(raise_on_error=False)
                except Exception as exc:
                    results = [exc] * len(batch)
                for (_key, _ttl, future), result in zip(batch, results, strict=True):
                    if future.done():  # the request was cancelled meanwhile
                        continue
                    if isinstance(result, Exception):
                        future.set_exception(result)
                    else:
                        future.set_result(int(result))
        finally:
            self._sender = None


def check_redis_url(url: str) -> None:
    """Raise SettingsError unless `url` is a Redis URL redis-py accepts (no connection made)."""
    scheme = urlsplit(url).scheme
    if scheme not in _REDIS_SCHEMES:
        raise SettingsError(
            f"{REDIS_URL_ENV}={redact(url)!r} must start with redis://, rediss:// or unix://"
        )
    import redis

    try:
        redis.Redis.from_url(url)
    except (ValueError, TypeError) as exc:
        raise SettingsError(f"{REDIS_URL_ENV}={redact(url)!r} is not a Redis URL: {exc}") from None


def redis_problem(url: str, timeout: float = 2.0) -> str | None:
    """Why Redis at `url` does not answer a PING, or None when it does."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # any failure is reported, none raised
        return f"{type(exc).__name__}: {exc}"
    return None


def redact(url: str) -> str:
    """`url` without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


def make_counter(settings: Settings) -> Counter:
    return RedisCounter(settings.redis_url) if settings.redis_url else MemoryCounter()


def check_settings(settings: Settings) -> None:
    """Raise SettingsError for a rate-limit setting that cannot work."""
    if settings.redis_url:
        check_redis_url(settings.redis_url)


# --- who is asking ------------------------------------------------------------------------

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(text: str) -> Address | None:
    """An IP address as X-Forwarded-For holds it (also `v4:port`, `[v6]:port`), or None."""
    text = text.strip().strip('"')
    if text.startswith("["):  # [v6] or [v6]:port
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted(address: Address, trusted: tuple[Network, ...]) -> bool:
    return any(address in network for network in trusted)


def client_headers(scope: Scope) -> tuple[str | None, str | None]:
    """The `Client-Id` header and the X-Forwarded-For headers (joined) of a request."""
    client_id = forwarded = None
    for name, value in scope["headers"]:
        if name == b"client-id":
            client_id = value.decode("latin-1")
        elif name == b"x-forwarded-for":
            text = value.decode("latin-1")
            forwarded = text if forwarded is None else f"{forwarded},{text}"
    return client_id, forwarded


def counted_address(address: str | None) -> str:
    """What an anonymous caller is counted as: its IPv4 address, or its IPv6 /64 network."""
    parsed = parse_address(address) if address else None
    if parsed is None:
        return address or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]
) -> str | None:
    """The address a request is counted against.

    The direct peer, unless it is a trusted proxy: then X-Forwarded-For is read from the right
    and the first address that is not itself a trusted proxy is the client. When every address
    is trusted, the left-most is; an entry that is not an address stops the walk (what lies to
    its left cannot be believed), and the last address believed so far is the client.
    """
    if not peer or not trusted or not forwarded_for:
        return peer
    peer_address = parse_address(peer)
    if peer_address is None or not is_trusted(peer_address, trusted):
        return peer
    client = peer_address
    for item in reversed(forwarded_for.split(",")):
        address = parse_address(item)
        if address is None:
            break
        client = address
        if not is_trusted(address, trusted):
            break
    return str(client)


class ClientIdCache:
    """Whether a Client-Id is registered, remembered per worker for a short while.

    Registered IDs are remembered `valid_seconds`, unknown ones `invalid_seconds` (short, so
    a new registration counts as such within seconds in every worker). Malformed IDs never
    reach the database. At most `size` IDs are kept.
    """

    def __init__(
        self,
        registry: ClientRegistry | None,
        valid_seconds: float = 60.0,
        invalid_seconds: float = 5.0,
        size: int = 10_000,
    ) -> None:
        self.registry = registry
        self.valid_seconds = valid_seconds
        self.invalid_seconds = invalid_seconds
        self.size = size
        self._entries: dict[str, tuple[bool, float]] = {}
        self._failing = False

    def is_valid(self, client_id: str) -> bool:
        if self.registry is None or not is_well_formed(client_id):
            return False
        now = time.monotonic()
        entry = self._entries.get(client_id)
        if entry is not None and entry[1] > now:
            return entry[0]
        try:
            valid = self.registry.is_valid(client_id)
            self._failing = False
        except RegistryError as exc:
            if not self._failing:
                self._failing = True
                logger.warning("rate limits: %s; Client-Id headers count as absent", exc)
            valid = False
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[client_id] = (
            valid,
            now + (self.valid_seconds if valid else self.invalid_seconds),
        )
        return valid


# --- the middleware -----------------------------------------------------------------------


class RateLimitMiddleware:
    """Counts every HTTP request but the heartbeat; answers 429 once a limit is reached.

    Every counted response carries X-RateLimit-Limit, X-RateLimit-Remaining and
    X-RateLimit-Reset (Unix seconds); a 429 also Retry-After (seconds).
    """

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        clients: ClientRegistry | None = None,
        counter: Counter | None = None,
    ) -> None:
        self.app = app
        self.client_limit = settings.client_limit
        self.anonymous_limit = settings.anonymous_limit
        self.window_seconds = settings.window_seconds
        self.trusted = settings.trusted_proxies
        self.counter = counter or make_counter(settings)
        self.clients = ClientIdCache(clients)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        client_id, forwarded = client_headers(scope)
        client_id = client_id.strip() if client_id else None
        now = time.time()
        window = current_window(now, self.window_seconds)
        if client_id and self.clients.is_valid(client_id.upper()):
            key, limit = f"client:{client_id.upper()}", self.client_limit
        else:
            peer = scope.get("client")
            address = client_address(peer[0] if peer else None, forwarded, self.trusted)
            key, limit = f"ip:{counted_address(address)}", self.anonymous_limit
        count = await self.counter.hit(key, window)
        headers = [
            (b"x-ratelimit-limit", b"%d" % limit),
            (b"x-ratelimit-remaining", b"%d" % max(0, limit - count)),
            (b"x-ratelimit-reset", b"%d" % window.reset),
        ]
        if count > limit:
            message = self.limit_message(key, limit, window, now, client_id)
            await _too_many_requests(send, message, window.seconds_left(now), headers)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def limit_message(
        self, key: str, limit: int, window: Window, now: float, client_id: str | None
    ) -> str:
        left = window.seconds_left(now)
        at = datetime.fromtimestamp(window.reset, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        resets = f"the limit resets in {left} seconds, at {at}"
        per_window = f"{limit} requests per {self.window_seconds} seconds"
        if key.startswith("client:"):
            return f"Too many requests: client ID {key[7:]} may make {per_window}; {resets}."
        why = (
            f"the Client-Id header {client_id!r} is not a registered client ID, so"
            if client_id
            else "without a Client-Id header,"
        )
        return (
            f"Too many requests: {why} one IP address may make {per_window}; {resets}. "
            f"A registered client ID (POST /v2/register) may make {self.client_limit} "
            f"requests per {self.window_seconds} seconds."
        )


async def _too_many_requests(
    send: Send, message: str, retry_after: int, headers: list[tuple[bytes, bytes]]
) -> None:
    body = orjson.dumps({"errors": [message]})
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
                (b"retry-after", b"%d" % retry_after),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
