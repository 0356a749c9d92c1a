"""Client IDs and rate limits, black-box over HTTP against real `resmeta serve` processes.

The limited server runs 2 workers counting in a real redis-server. Each test speaks from its
own loopback address (127.0.0.N: Linux routes all of 127/8 to the loopback), so each has its
own anonymous budget; requests open a new connection each, so both workers serve them.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import redis as redis_client

from resmeta.api.ratelimit import KEY_PREFIX, RedisCounter, current_window
from tests.conftest import RESMETA, Server
from tests.redis_server import RedisServer, running_redis

pytestmark = pytest.mark.integration

CLIENT_LIMIT = 7
ANONYMOUS_LIMIT = 5
WINDOW = 86_400  # aligned on multiples of a day: the tests never straddle a reset (see below)
RECORD = "/v2/organizations/05dxps055"
# The trusted proxy; 127.0.0.1 is not one (uvicorn would believe its X-Forwarded-For).
PROXY = "127.0.0.254"
_sources = (f"127.0.0.{n}" for n in itertools.count(2))


def new_source() -> str:
    return next(_sources)


def wait_clear_of_window_end(margin: float = 120) -> None:
    """Sleep past the next window boundary when it is less than `margin` seconds away."""
    left = WINDOW - time.time() % WINDOW
    if left < margin:
        time.sleep(left + 1)


def client(server: Server, source: str) -> httpx.Client:
    """A client speaking from `source`, opening a new connection for each request."""
    transport = httpx.HTTPTransport(
        local_address=source, limits=httpx.Limits(max_keepalive_connections=0)
    )
    return httpx.Client(base_url=server.url, transport=transport, timeout=30)


def fire(
    server: Server, source: str, count: int, headers: dict[str, str] | None = None
) -> list[httpx.Response]:
    """`count` concurrent GETs of one record from `source`."""
    with client(server, source) as http, ThreadPoolExecutor(8) as pool:
        return list(pool.map(lambda _: http.get(RECORD, headers=headers), range(count)))


def statuses(responses: list[httpx.Response]) -> list[int]:
    return sorted(r.status_code for r in responses)


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    yield from running_redis()


@pytest.fixture(scope="module")
def limited(subset_dump: Path, subset_data_dir: Path, redis: RedisServer) -> Iterator[Server]:
    wait_clear_of_window_end()
    server = Server(
        *("--dump", str(subset_dump), "--data-dir", str(subset_data_dir), "--workers", "2"),
        *("--rate-limit", "--client-limit", str(CLIENT_LIMIT)),
        *("--anonymous-limit", str(ANONYMOUS_LIMIT), "--rate-window", str(WINDOW)),
        *("--redis-url", redis.url, "--trusted-proxy", PROXY),
    ).wait_ready()
    yield server
    server.stop()


def register(server: Server, name: str = "Test client") -> str:
    with client(server, new_source()) as http:
        response = http.post("/v2/register", json={"name": name, "email": "test@example.org"})
    assert response.status_code == 201, response.text
    return response.json()["client_id"]


# --- the limits ---------------------------------------------------------------------------------


def test_redis_counts_concurrent_hits_of_two_workers_exactly(redis):
    window = current_window(time.time(), WINDOW)

    async def hits() -> list[int]:
        workers = [RedisCounter(redis.url), RedisCounter(redis.url)]
        return await asyncio.gather(
            *(workers[i % 2].hit("ip:192.0.2.1", window) for i in range(300))
        )

    assert sorted(asyncio.run(hits())) == list(range(1, 301))
    key = f"{KEY_PREFIX}:{WINDOW}:{window.index}:ip:192.0.2.1"
    ttl = redis_client.Redis.from_url(redis.url).ttl(key)
    assert 0 < ttl <= window.seconds_left(time.time()) + 5  # gone once the window ends


def test_exactly_the_anonymous_limit_succeeds_across_workers(limited):
    responses = fire(limited, new_source(), 20)
    assert statuses(responses) == [200] * ANONYMOUS_LIMIT + [429] * (20 - ANONYMOUS_LIMIT)
    remaining = sorted(int(r.headers["x-ratelimit-remaining"]) for r in responses)
    assert remaining[-ANONYMOUS_LIMIT:] == [0, 1, 2, 3, 4]


def test_limited_responses_carry_the_headers(limited):
    with client(limited, new_source()) as http:
        responses = [http.get(RECORD) for _ in range(ANONYMOUS_LIMIT + 1)]
    now = time.time()
    assert [r.status_code for r in responses] == [200] * ANONYMOUS_LIMIT + [429]
    for done, response in enumerate(responses[:-1], 1):
        assert response.headers["x-ratelimit-limit"] == str(ANONYMOUS_LIMIT)
        assert response.headers["x-ratelimit-remaining"] == str(ANONYMOUS_LIMIT - done)
    rejected = responses[-1]
    reset = int(rejected.headers["x-ratelimit-reset"])
    assert reset % WINDOW == 0 and now < reset <= now + WINDOW
    assert rejected.headers["x-ratelimit-limit"] == str(ANONYMOUS_LIMIT)
    assert rejected.headers["x-ratelimit-remaining"] == "0"
    assert abs(int(rejected.headers["retry-after"]) - (reset - now)) <= 2
    assert rejected.headers["content-type"] == "application/json"
    (message,) = rejected.json()["errors"]
    assert f"{ANONYMOUS_LIMIT} requests per {WINDOW} seconds" in message
    assert "resets in" in message and "POST /v2/register" in message


def test_a_registered_client_id_gets_the_client_limit(limited):
    client_id = register(limited)
    responses = fire(limited, new_source(), 20, {"Client-Id": client_id})
    assert statuses(responses) == [200] * CLIENT_LIMIT + [429] * (20 - CLIENT_LIMIT)
    rejected = next(r for r in responses if r.status_code == 429)
    assert rejected.headers["x-ratelimit-limit"] == str(CLIENT_LIMIT)
    (message,) = rejected.json()["errors"]
    assert client_id in message and f"{CLIENT_LIMIT} requests per {WINDOW} seconds" in message


@pytest.mark.parametrize("client_id", ["0123456789ABCDEFGHIJKLMNOPQRSTUV", "not-a-client-id"])
def test_an_unknown_client_id_gets_the_anonymous_limit_per_ip(limited, client_id):
    source = new_source()
    with_id = fire(limited, source, 3, {"Client-Id": client_id})
    without = fire(limited, source, 4)  # the same address: the same budget
    assert statuses(with_id + without) == [200] * ANONYMOUS_LIMIT + [429] * 2
    assert with_id[0].headers["x-ratelimit-limit"] == str(ANONYMOUS_LIMIT)
    rejected = next(r for r in with_id + without if r.status_code == 429)
    assert "Too many requests" in rejected.json()["errors"][0]
    with client(limited, source) as http:
        response = http.get(RECORD, headers={"Client-Id": client_id})
    assert "is not a registered client ID" in response.json()["errors"][0]


def test_clients_do_not_share_a_budget(limited):
    first, second = register(limited, "first"), register(limited, "second")
    source = new_source()
    assert statuses(fire(limited, source, CLIENT_LIMIT + 1, {"Client-Id": first})) == [
        200
    ] * CLIENT_LIMIT + [429]
    with client(limited, source) as http:
        other = http.get(RECORD, headers={"Client-Id": second})
        anonymous = http.get(RECORD)
    assert other.status_code == 200
    assert other.headers["x-ratelimit-remaining"] == str(CLIENT_LIMIT - 1)
    assert anonymous.status_code == 200
    assert anonymous.headers["x-ratelimit-remaining"] == str(ANONYMOUS_LIMIT - 1)


def test_the_heartbeat_and_metrics_are_not_limited(limited):
    source = new_source()
    assert 429 in statuses(fire(limited, source, ANONYMOUS_LIMIT + 1))
    with client(limited, source) as http:
        for path in ("/heartbeat", "/v2/heartbeat", "/v1/heartbeat", "/metrics"):
            response = http.get(path)
            assert response.status_code == 200
            assert "x-ratelimit-limit" not in response.headers


# --- X-Forwarded-For ----------------------------------------------------------------------------


def test_forwarded_for_is_honoured_from_a_trusted_proxy(limited):
    def get(forwarded: str) -> httpx.Response:
        with client(limited, PROXY) as http:
            return http.get(RECORD, headers={"X-Forwarded-For": forwarded})

    first = [get("203.0.113.1") for _ in range(ANONYMOUS_LIMIT + 1)]
    assert [r.status_code for r in first] == [200] * ANONYMOUS_LIMIT + [429]
    other = get("203.0.113.2")  # another client behind the same proxy
    assert other.status_code == 200
    assert other.headers["x-ratelimit-remaining"] == str(ANONYMOUS_LIMIT - 1)
    # What a client writes itself, left of the right-most address, is not believed.
    spoofed = [get(f"198.51.100.{i}, 203.0.113.3") for i in range(ANONYMOUS_LIMIT + 1)]
    assert [r.status_code for r in spoofed] == [200] * ANONYMOUS_LIMIT + [429]


@pytest.mark.parametrize("source", ["127.0.0.1", "another"])
def test_forwarded_for_is_ignored_from_other_peers(limited, source):
    with client(limited, new_source() if source == "another" else source) as http:
        responses = [
            http.get(RECORD, headers={"X-Forwarded-For": f"203.0.113.{100 + i}"})
            for i in range(ANONYMOUS_LIMIT + 1)
        ]
    assert [r.status_code for r in responses] == [200] * ANONYMOUS_LIMIT + [429]


# --- registration -------------------------------------------------------------------------------


def test_registration_and_validation(api):
    response = api.post(
        "/v2/register",
        json={"name": "Ada", "email": "ada@example.org", "institution": "U", "use_case": "x"},
    )
    assert response.status_code == 201
    client_id = response.json()["client_id"]
    assert len(client_id) == 32 and client_id.isalnum()
    for path in (
        f"/validate-client-id/{client_id}/",
        f"/validate-client-id/{client_id}",
        f"/v2/validate-client-id/{client_id}/",
        f"/v2/validate-client-id/{client_id}",
        f"/v2/validate-client-id/{client_id.lower()}",
    ):
        response = api.get(path)  # new connections: either worker answers at once
        assert response.status_code == 200, path
        assert response.json() == {"valid": True}, path
    assert api.get("/validate-client-id/0123456789ABCDEFGHIJKLMNOPQRSTUV/").json() == {
        "valid": False
    }
    assert api.get("/v2/validate-client-id/nonsense").json() == {"valid": False}


@pytest.mark.parametrize(
    "body, expected",
    [
        (b'{"email": "a@example.org"}', ["'name' is required"]),
        (b'{"name": "A", "email": "a@nowhere"}', ["'email' 'a@nowhere' is not an email address"]),
        (b'{"name": "A", "email": "a@example.org", "admin": true}', ["unknown field 'admin'"]),
        (b'{"name": "", "email": ""}', ["'name' must not be empty", "'email' must not be empty"]),
        (b'{"name": "%s", "email": "a@example.org"}' % (b"x" * 201), ["at most 200"]),
        (b"[1, 2]", ["must be a JSON object"]),
        (b"name=A&email=a@example.org", ["the body is not JSON"]),
        (b"", ["the body is not JSON"]),
    ],
)
def test_bad_registrations_are_400_with_sentences(api, body, expected):
    response = api.post("/v2/register", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == len(expected), errors
    for error, part in zip(errors, expected, strict=True):
        assert part in error


def test_a_body_too_long_is_413_whether_declared_or_streamed(api):
    declared = api.post("/v2/register", content=b"{" + b" " * 20_000 + b"}")
    assert declared.status_code == 413

    def chunks():  # no Content-Length: the server must stop reading at the limit
        for _ in range(2_000):
            yield b" " * 1_000

    streamed = api.post("/v2/register", content=chunks())
    assert streamed.status_code == 413
    assert streamed.json()["errors"] == ["the body is longer than 16,384 bytes"]


def test_a_registration_survives_a_restart(subset_dump, subset_data_dir, tmp_path):
    args = ("--dump", str(subset_dump), "--data-dir", str(subset_data_dir))
    env = {"RESMETA_CLIENTS_DB": str(tmp_path / "clients.sqlite3")}
    first = Server(*args, env=env).wait_ready()
    try:
        client_id = register(first)
    finally:
        first.stop()
    second = Server(*args, "--workers", "2", env=env).wait_ready()
    try:
        for _ in range(4):
            response = httpx.get(f"{second.url}/validate-client-id/{client_id}")
            assert response.json() == {"valid": True}
    finally:
        second.stop()


# --- off by default, fail-open, bad settings --------------------------------------------------


def test_rate_limiting_is_off_by_default(server):
    with client(server, new_source()) as http, ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: http.get(RECORD), range(120)))
    assert statuses(responses) == [200] * 120
    assert not any(k.startswith("x-ratelimit") for r in responses for k in r.headers)


def test_redis_going_away_fails_open_with_one_warning(subset_dump, subset_data_dir):
    wait_clear_of_window_end()
    redis = RedisServer()
    server = Server(
        *("--dump", str(subset_dump), "--data-dir", str(subset_data_dir)),
        *("--rate-limit", "--anonymous-limit", "3", "--rate-window", str(WINDOW)),
        *("--redis-url", redis.url),
    ).wait_ready()
    try:
        source = new_source()
        with client(server, source) as http:
            assert http.get(RECORD).headers["x-ratelimit-remaining"] == "2"
            redis.stop()
            after = [http.get(RECORD) for _ in range(5)]
        # No 500: the worker counts on its own (from zero) while Redis is away.
        assert [r.status_code for r in after] == [200, 200, 200, 429, 429]
        assert after[0].headers["x-ratelimit-remaining"] == "2"
        log = server.output_tail(200)
        assert log.count("cannot be reached") == 1, log
        assert "fail-open" in log and "Traceback" not in log
    finally:
        server.stop()
        redis.stop()


@pytest.mark.parametrize(
    "args, env, named",
    [
        (["--rate-limit", "--redis-url", "http://localhost:6379"], {}, "RESMETA_REDIS_URL"),
        (["--trusted-proxy", "proxy.example.org"], {}, "--trusted-proxy"),
        ([], {"RESMETA_RATE_LIMIT_WINDOW": "5m"}, "RESMETA_RATE_LIMIT_WINDOW"),
        ([], {"RESMETA_RATE_LIMIT": "sometimes"}, "RESMETA_RATE_LIMIT"),
        (["--client-limit", "0"], {}, "--client-limit"),
        (["--threshold", "1.5"], {}, "--threshold"),
        (["--threshold", "nan"], {}, "--threshold"),
        ([], {"RESMETA_AFFILIATION_THRESHOLD": "high"}, "RESMETA_AFFILIATION_THRESHOLD"),
    ],
)
def test_a_bad_setting_stops_serve_with_one_line(subset_data_dir, args, env, named):
    result = subprocess.run(
        [RESMETA, "serve", "--data-dir", str(subset_data_dir), "--port", "1", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]  # click prints its usage above
    assert named in last and last.startswith(("error:", "Error:")), result.stderr
    if not named.startswith(("--client", "--threshold")):
        assert result.stderr.strip() == last  # one line
