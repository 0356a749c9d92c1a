"""The access-log line, the middleware around a tiny app, /metrics of an app made in-process."""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import UTC, datetime

import httpx
import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.types import Receive, Scope, Send

from resmeta.api.app import create_app
from resmeta.api.observability import MAX_PATH, ObservabilityMiddleware, access_line
from resmeta.api.settings import Settings


def _scope(path: str = "/v2/organizations/05dxps055", **extra: object) -> Scope:
    return {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": [(b"host", b"example.org")],
        "client": ("203.0.113.7", 50123),
        **extra,
    }


def _record(line: bytes) -> dict:
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    return orjson.loads(line)


def test_access_line_holds_the_request_and_its_answer() -> None:
    scope = _scope(query_string=b"query=caltech&page=2")
    record = _record(access_line(scope, 200, 0.0012345, 878, 1_790_000_000.25))
    assert record == {
        "ts": "2026-09-21T14:13:20.250+00:00",
        "method": "GET",
        "path": "/v2/organizations/05dxps055",
        "query": "query=caltech&page=2",
        "status": 200,
        "ms": 1.23,
        "client": "203.0.113.7",
        "bytes": 878,
    }
    assert datetime.fromisoformat(record["ts"]).tzinfo == UTC


def test_access_line_names_the_client_by_its_client_id_header() -> None:
    scope = _scope(headers=[(b"host", b"x"), (b"client-id", b"ABCD-1234")])
    assert _record(access_line(scope, 429, 0.0001, 0, 0.0))["client"] == "ABCD-1234"


def test_access_line_believes_x_forwarded_for_only_from_a_trusted_proxy() -> None:
    headers = [(b"x-forwarded-for", b"198.51.100.23, 10.1.2.3")]
    proxy = (ipaddress.ip_network("10.0.0.0/8"),)
    from_proxy = _scope(headers=headers, client=("10.9.9.9", 443))
    assert _record(access_line(from_proxy, 200, 0.0, 0, 0.0, proxy))["client"] == "198.51.100.23"
    assert _record(access_line(from_proxy, 200, 0.0, 0, 0.0))["client"] == "10.9.9.9"
    direct = _scope(headers=headers)  # from 203.0.113.7, which is no proxy of ours
    assert _record(access_line(direct, 200, 0.0, 0, 0.0, proxy))["client"] == "203.0.113.7"


def test_access_line_stays_one_short_line_whatever_the_request() -> None:
    scope = _scope(path="/x\n" + "y" * 10_000, headers=[(b"client-id", b'"\n' * 5000)])
    line = access_line(scope, 404, 0.5, 42, 0.0)
    assert len(line) < 4096  # PIPE_BUF: one write of it is atomic on a pipe
    record = _record(line)
    assert record["path"] == ("/x\n" + "y" * 10_000)[:MAX_PATH]
    assert record["ms"] == 500.0


async def _hello(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b"hello ", "more_body": True})
    await send({"type": "http.response.body", "body": b"world"})


async def _broken(scope: Scope, receive: Receive, send: Send) -> None:
    raise RuntimeError("boom")


def _call(app: ObservabilityMiddleware, scope: Scope) -> None:
    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        pass

    asyncio.run(app(scope, receive, send))


def test_middleware_writes_one_line_per_request_in_one_write() -> None:
    writes: list[bytes] = []
    app = ObservabilityMiddleware(_hello, access_log=True, write=writes.append)
    _call(app, _scope())
    _call(app, _scope(path="/heartbeat"))
    assert [_record(w)["path"] for w in writes] == ["/v2/organizations/05dxps055", "/heartbeat"]
    assert _record(writes[0])["status"] == 201
    assert _record(writes[0])["bytes"] == len(b"hello world")


def test_middleware_logs_a_failed_request_as_500_and_lets_the_error_through() -> None:
    writes: list[bytes] = []
    app = ObservabilityMiddleware(_broken, access_log=True, write=writes.append)
    with pytest.raises(RuntimeError):
        _call(app, _scope())
    assert _record(writes[0])["status"] == 500


def test_middleware_writes_nothing_when_the_access_log_is_off() -> None:
    writes: list[bytes] = []
    _call(ObservabilityMiddleware(_hello, write=writes.append), _scope())
    assert writes == []


def _counts(text: str) -> dict[tuple[str, str, str], float]:
    return {
        (s.labels["method"], s.labels["endpoint"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "resmeta_http_requests_total"
    }


async def _requests(app: object) -> str:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for _ in range(3):
            assert (await client.get("/heartbeat")).status_code == 503  # no index
        assert (await client.get("/no/such/path/123")).status_code == 404
        preflight = await client.options(
            "/v2/organizations/05dxps055",
            headers={
                "Origin": "https://example.org",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "Client-Id",
            },
        )
        assert preflight.status_code == 200
        response = await client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        return response.text


def test_metrics_of_an_app_made_in_process_use_the_normal_registry() -> None:
    text = asyncio.run(_requests(create_app(None)))
    counts = _counts(text)
    assert counts[("GET", "/heartbeat", "503")] == 3
    assert counts[("GET", "unmatched", "404")] == 1
    # A preflight is answered by CORS before routing, and still gets its route's template.
    assert counts[("OPTIONS", "/v2/organizations/{ror_id}", "200")] == 1
    assert "/no/such/path" not in text and "05dxps055" not in text
    assert 'resmeta_http_request_duration_seconds_bucket{endpoint="/heartbeat"' in text


async def _limited(app: object) -> tuple[list[int], str]:
    statuses = []
    for address in ("198.51.100.9", "198.51.100.9", "198.51.100.10"):
        transport = httpx.ASGITransport(app=app, client=(address, 1234))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            path = "/metrics" if address.endswith("10") else "/v2/organizations/not-an-id"
            response = await client.get(path)
            statuses.append(response.status_code)
    return statuses, response.text


def test_answers_of_the_rate_limiter_are_logged_and_counted_under_their_route(
    capfd: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(rate_limit=True, anonymous_limit=1, access_log=True)
    statuses, text = asyncio.run(_limited(create_app(None, settings)))
    assert statuses == [404, 429, 200]
    lines = [orjson.loads(line) for line in capfd.readouterr().err.splitlines()]
    assert [(line["status"], line["client"]) for line in lines] == [
        (404, "198.51.100.9"),
        (429, "198.51.100.9"),
        (200, "198.51.100.10"),
    ]
    counts = _counts(text)
    assert counts[("GET", "/v2/organizations/{ror_id}", "404")] == 1
    assert counts[("GET", "/v2/organizations/{ror_id}", "429")] == 1
