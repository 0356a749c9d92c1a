"""Rate limits without a server: settings, X-Forwarded-For, windows, counters, client IDs."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import time
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from resmeta.api import ratelimit
from resmeta.api.app import create_app
from resmeta.api.ratelimit import (
    ClientIdCache,
    MemoryCounter,
    RateLimitMiddleware,
    RedisCounter,
    Window,
    check_redis_url,
    client_address,
    counted_address,
    current_window,
    parse_address,
    redact,
)
from resmeta.api.settings import Settings, SettingsError
from resmeta.services.clients import (
    ClientRegistry,
    Registration,
    RegistrationError,
    is_well_formed,
    new_client_id,
    parse_registration,
)
from tests.conftest import free_port

# --- settings -------------------------------------------------------------------------------


def test_settings_defaults_are_rors_and_off():
    settings = Settings.from_env({})
    assert settings.rate_limit is False
    assert (settings.client_limit, settings.anonymous_limit, settings.window_seconds) == (
        2000,
        50,
        300,
    )
    assert settings.redis_url is None
    assert settings.trusted_proxies == ()
    assert settings.clients_db is None


def test_settings_from_env():
    settings = Settings.from_env(
        {
            "RESMETA_RATE_LIMIT": "on",
            "RESMETA_RATE_LIMIT_CLIENT": "7",
            "RESMETA_RATE_LIMIT_ANONYMOUS": "3",
            "RESMETA_RATE_LIMIT_WINDOW": "60",
            "RESMETA_REDIS_URL": "redis://localhost:6379/2",
            "RESMETA_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1,::1",
            "RESMETA_CLIENTS_DB": "/tmp/clients.sqlite3",
        }
    )
    assert settings.rate_limit is True
    assert (settings.client_limit, settings.anonymous_limit, settings.window_seconds) == (7, 3, 60)
    assert settings.redis_url == "redis://localhost:6379/2"
    assert settings.trusted_proxies == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("::1/128"),
    )
    assert settings.clients_db == Path("/tmp/clients.sqlite3")


@pytest.mark.parametrize(
    "name, value",
    [
        ("RESMETA_RATE_LIMIT", "maybe"),
        ("RESMETA_RATE_LIMIT_CLIENT", "0"),
        ("RESMETA_RATE_LIMIT_ANONYMOUS", "-5"),
        ("RESMETA_RATE_LIMIT_WINDOW", "5m"),
        ("RESMETA_TRUSTED_PROXIES", "10.0.0.0/8,proxy.example.org"),
        ("RESMETA_AFFILIATION_THRESHOLD", "1.5"),
        ("RESMETA_AFFILIATION_THRESHOLD", "high"),
        ("RESMETA_AFFILIATION_THRESHOLD", "nan"),
    ],
)
def test_bad_settings_name_the_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value})


def test_the_affiliation_threshold_is_the_models_unless_set():
    def threshold(value: str) -> float | None:
        return Settings.from_env({"RESMETA_AFFILIATION_THRESHOLD": value}).affiliation_threshold

    assert Settings.from_env({}).affiliation_threshold is None
    assert threshold("") is None
    assert threshold(" 0.8 ") == 0.8
    assert threshold("1") == 1.0


@pytest.mark.parametrize("url", ["http://localhost:6379", "localhost:6379", "redis://host:port/0"])
def test_bad_redis_url_names_the_variable(url):
    with pytest.raises(SettingsError, match="RESMETA_REDIS_URL"):
        check_redis_url(url)


@pytest.mark.parametrize("url", ["redis://localhost", "rediss://:pw@h:6380/1", "unix:///tmp/r.s"])
def test_good_redis_urls(url):
    check_redis_url(url)


def test_redact_hides_the_password():
    assert redact("redis://user:secret@host:6379/0") == "redis://user:***@host:6379/0"
    assert redact("redis://:secret@host") == "redis://:***@host"
    assert redact("redis://host:6379") == "redis://host:6379"


def test_the_middleware_is_not_installed_when_off():
    def installed(settings: Settings) -> bool:
        app = create_app(None, settings)
        return any(m.cls is RateLimitMiddleware for m in app.user_middleware)

    assert not installed(Settings())
    assert installed(Settings(rate_limit=True))


# --- X-Forwarded-For --------------------------------------------------------------------------

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1"))


@pytest.mark.parametrize(
    "peer, forwarded, expected",
    [
        # an untrusted peer's header is ignored
        ("203.0.113.5", "198.51.100.1", "203.0.113.5"),
        # a trusted proxy: the right-most address
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # what the client wrote itself (left) is not believed
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1"),
        # a chain of trusted proxies is walked through
        ("127.0.0.1", "1.2.3.4, 198.51.100.1, 10.1.1.1, 10.2.2.2", "198.51.100.1"),
        # every hop trusted: the left-most
        ("10.0.0.2", "10.9.9.9, 10.1.1.1", "10.9.9.9"),
        # garbage stops the walk: the last address believed
        ("10.0.0.2", "1.2.3.4, unknown, 10.1.1.1", "10.1.1.1"),
        ("10.0.0.2", "garbage", "10.0.0.2"),
        # ports and brackets
        ("10.0.0.2", "198.51.100.1:4711", "198.51.100.1"),
        ("10.0.0.2", "[2001:db8::1]:4711", "2001:db8::1"),
        ("10.0.0.2", "2001:db8::1", "2001:db8::1"),
        # no header
        ("10.0.0.2", None, "10.0.0.2"),
        ("10.0.0.2", "", "10.0.0.2"),
        # an IPv4-mapped IPv6 peer is the IPv4 address
        ("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1"),
        (None, "198.51.100.1", None),
    ],
)
def test_client_address(peer, forwarded, expected):
    assert client_address(peer, forwarded, PROXIES) == expected


def test_no_trusted_proxies_means_the_peer():
    assert client_address("127.0.0.1", "198.51.100.1", ()) == "127.0.0.1"


def test_parse_address():
    assert str(parse_address(' "198.51.100.1" ')) == "198.51.100.1"
    assert parse_address("[2001:db8::1") is None
    assert parse_address("") is None


# --- windows ------------------------------------------------------------------------------------


def test_windows_are_aligned_on_multiples_of_their_length():
    window = current_window(1_000_000_123.4, 300)
    assert window == Window(300, 3_333_333)
    assert window.reset == 1_000_000_200
    assert window.seconds_left(1_000_000_123.4) == 77  # 76.6, rounded up
    assert window.seconds_left(1_000_000_199.9) == 1
    assert window.seconds_left(1_000_000_200) == 1  # never 0: Retry-After 0 means now
    assert current_window(1_000_000_200, 300).index == window.index + 1
    assert current_window(1_000_000_199.999, 300).index == window.index


def test_window_of_one_second():
    assert current_window(10.5, 1) == Window(1, 10)
    assert current_window(10.5, 1).reset == 11


# --- counters -----------------------------------------------------------------------------------


def test_memory_counter_counts_per_key_and_window():
    counter = MemoryCounter()
    first, second = Window(60, 1), Window(60, 2)
    assert [counter.count("a", first) for _ in range(3)] == [1, 2, 3]
    assert counter.count("b", first) == 1
    assert counter.count("a", second) == 1  # a new window starts from zero
    assert counter.count("b", second) == 1
    assert asyncio.run(counter.hit("a", second)) == 2


def test_memory_counter_keeps_only_the_current_window():
    counter = MemoryCounter()
    for index in range(100):
        counter.count(f"key{index}", Window(1, index))
    assert len(counter._counts) == 1


def test_memory_counter_past_its_key_cap_counts_new_callers_together(monkeypatch):
    monkeypatch.setattr(ratelimit, "MAX_KEYS", 3)
    counter = MemoryCounter()
    window = Window(60, 1)
    assert [counter.count(key, window) for key in ("a", "b", "c")] == [1, 1, 1]
    assert [counter.count(key, window) for key in ("d", "e", "a")] == [1, 2, 2]
    assert len(counter._counts) == 4  # a, b, c and the shared overflow count


@pytest.mark.parametrize(
    ("address", "counted"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        (None, "unknown"),
        ("not-an-address", "not-an-address"),
    ],
)
def test_anonymous_callers_are_counted_per_ipv4_address_or_ipv6_64(address, counted):
    assert counted_address(address) == counted


def test_redis_counter_fails_open_to_memory_with_one_warning(caplog):
    counter = RedisCounter(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    window = current_window(time.time(), 3600)

    async def hits() -> list[int]:
        return [await counter.hit("ip:1.2.3.4", window) for _ in range(5)]

    with caplog.at_level(logging.WARNING, logger="resmeta.ratelimit"):
        started = time.monotonic()
        assert asyncio.run(hits()) == [1, 2, 3, 4, 5]
        assert time.monotonic() - started < 2  # Redis is not retried on every request
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "cannot be reached" in warnings[0] and "fail-open" in warnings[0]
    assert counter.down


# --- client IDs ---------------------------------------------------------------------------------


def test_client_ids_are_32_characters():
    ids = {new_client_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 32 and is_well_formed(i) for i in ids)
    assert not is_well_formed("abc")
    assert not is_well_formed("A" * 31 + "!")


def test_registry_survives_reopening(tmp_path):
    path = tmp_path / "sub" / "clients.sqlite3"
    registry = ClientRegistry(path)
    client_id = registry.register(Registration("Ada", "ada@example.org"))
    assert registry.is_valid(client_id)
    assert registry.is_valid(client_id.lower())  # letter case does not matter
    assert not registry.is_valid(new_client_id())
    assert not registry.is_valid("nonsense")
    registry.close()
    again = ClientRegistry(path)  # as another process, or after a restart
    assert again.is_valid(client_id)
    assert again.count() == 1


def test_registries_on_one_file_see_each_others_registrations(tmp_path):
    one, two = ClientRegistry(tmp_path / "c.db"), ClientRegistry(tmp_path / "c.db")
    first = one.register(Registration("A", "a@example.org", "Inst", "use"))
    second = two.register(Registration("B", "b@example.org"))
    assert one.is_valid(second) and two.is_valid(first)


class CountingRegistry:
    def __init__(self, valid: set[str]) -> None:
        self.valid, self.lookups = valid, 0

    def is_valid(self, client_id: str) -> bool:
        self.lookups += 1
        return client_id in self.valid


def test_client_id_cache():
    good, unknown = new_client_id(), new_client_id()
    registry = CountingRegistry({good})
    cache = ClientIdCache(registry, valid_seconds=60, invalid_seconds=0.05)  # type: ignore[arg-type]
    assert all(cache.is_valid(good) for _ in range(10))
    assert not any(cache.is_valid(unknown) for _ in range(10))
    assert registry.lookups == 2
    assert not cache.is_valid("not-an-id")  # malformed: never looked up
    assert registry.lookups == 2
    time.sleep(0.1)  # unknown IDs are remembered briefly: a new registration counts soon
    registry.valid.add(unknown)
    assert cache.is_valid(unknown)
    assert registry.lookups == 3


def test_client_id_cache_is_bounded():
    registry = CountingRegistry(set())
    cache = ClientIdCache(registry, size=10)  # type: ignore[arg-type]
    for _ in range(25):
        cache.is_valid(new_client_id())
    assert len(cache._entries) <= 10


# --- registration ------------------------------------------------------------------------------


def test_parse_registration():
    registration = parse_registration(
        {"name": " Ada ", "email": "ada@example.org", "use_case": "matching"}
    )
    assert registration == Registration("Ada", "ada@example.org", None, "matching")


@pytest.mark.parametrize(
    "body, message",
    [
        ({"email": "a@example.org"}, "'name' is required"),
        ({"name": "A"}, "'email' is required"),
        ({"name": "", "email": "a@example.org"}, "'name' must not be empty"),
        ({"name": "A", "email": "not-an-email"}, "is not an email address"),
        ({"name": "A", "email": "a@localhost"}, "is not an email address"),
        ({"name": "A", "email": "a b@example.org"}, "is not an email address"),
        ({"name": 5, "email": "a@example.org"}, "'name' must be a string"),
        ({"name": "A" * 201, "email": "a@example.org"}, "at most 200"),
        ({"name": "A", "email": "a@example.org", "use_case": "x" * 2001}, "at most 2,000"),
        ({"name": "A", "email": "a@example.org", "role": "x"}, "unknown field 'role'"),
        (["name", "email"], "must be a JSON object"),
        ("A", "must be a JSON object"),
    ],
)
def test_bad_registrations(body, message):
    with pytest.raises(RegistrationError) as caught:
        parse_registration(body)
    assert any(message in error for error in caught.value.errors), caught.value.errors


def test_every_problem_is_listed():
    with pytest.raises(RegistrationError) as caught:
        parse_registration({"email": "nope", "extra": 1})
    assert len(caught.value.errors) == 3


# --- the middleware, in process -----------------------------------------------------------------


def limited_app(settings: Settings, registry: ClientRegistry | None = None) -> Starlette:
    async def ok(request):
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/x", ok), Route("/heartbeat", ok)])
    app.add_middleware(RateLimitMiddleware, settings=settings, clients=registry)
    return app


async def _get_many(app: Starlette, count: int, path: str = "/x", **kwargs) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 1234))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return [await client.get(path, **kwargs) for _ in range(count)]


def test_middleware_limits_and_reports(tmp_path):
    registry = ClientRegistry(tmp_path / "c.db")
    client_id = registry.register(Registration("A", "a@example.org"))
    app = limited_app(
        Settings(rate_limit=True, anonymous_limit=3, client_limit=5, window_seconds=3600), registry
    )
    responses = asyncio.run(_get_many(app, 5))
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    assert [r.headers["x-ratelimit-remaining"] for r in responses] == ["2", "1", "0", "0", "0"]
    rejected = responses[3]
    assert rejected.headers["x-ratelimit-limit"] == "3"
    assert int(rejected.headers["retry-after"]) <= 3600
    assert int(rejected.headers["x-ratelimit-reset"]) % 3600 == 0
    (message,) = rejected.json()["errors"]
    assert "3 requests per 3600 seconds" in message and "resets in" in message

    with_id = asyncio.run(_get_many(app, 6, headers={"Client-Id": client_id}))
    assert [r.status_code for r in with_id] == [200] * 5 + [429]
    assert with_id[0].headers["x-ratelimit-limit"] == "5"
    assert client_id in with_id[5].json()["errors"][0]

    heartbeats = asyncio.run(_get_many(app, 5, "/heartbeat"))
    assert all(r.status_code == 200 for r in heartbeats)
    assert "x-ratelimit-limit" not in heartbeats[0].headers


def test_middleware_fails_open_when_redis_is_down(caplog):
    settings = Settings(
        rate_limit=True,
        anonymous_limit=3,
        window_seconds=3600,
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
    )
    with caplog.at_level(logging.WARNING, logger="resmeta.ratelimit"):
        responses = asyncio.run(_get_many(limited_app(settings), 5))
    # No 500: counted by the worker itself instead, so the limit still holds here.
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
