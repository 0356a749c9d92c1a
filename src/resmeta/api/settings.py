"""What an operator configures, read from the environment.

`resmeta serve` turns its options into these variables, so that every worker process reads
the same settings; a server started by another ASGI host sets them directly.
"""

from __future__ import annotations

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

RATE_LIMIT_ENV = "RESMETA_RATE_LIMIT"
CLIENT_LIMIT_ENV = "RESMETA_RATE_LIMIT_CLIENT"
ANONYMOUS_LIMIT_ENV = "RESMETA_RATE_LIMIT_ANONYMOUS"
WINDOW_ENV = "RESMETA_RATE_LIMIT_WINDOW"
REDIS_URL_ENV = "RESMETA_REDIS_URL"
TRUSTED_PROXIES_ENV = "RESMETA_TRUSTED_PROXIES"
CLIENTS_DB_ENV = "RESMETA_CLIENTS_DB"
ACCESS_LOG_ENV = "RESMETA_ACCESS_LOG"
THRESHOLD_ENV = "RESMETA_AFFILIATION_THRESHOLD"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A setting holds a value that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    rate_limit: bool = False  # off for a private install
    client_limit: int = 2000  # requests per window with a valid Client-Id header
    anonymous_limit: int = 50  # requests per window without one, per IP address
    window_seconds: int = 300
    redis_url: str | None = None  # shared counters for several workers or hosts
    trusted_proxies: tuple[Network, ...] = ()  # whose X-Forwarded-For is believed
    clients_db: Path | None = None  # SQLite file of registered client IDs
    access_log: bool = False  # one JSON line per request on standard error
    # `?affiliation=` chooses where the matcher's confidence reaches this; None: the model's
    affiliation_threshold: float | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            rate_limit=_flag(env, RATE_LIMIT_ENV, False),
            client_limit=_positive(env, CLIENT_LIMIT_ENV, cls.client_limit),
            anonymous_limit=_positive(env, ANONYMOUS_LIMIT_ENV, cls.anonymous_limit),
            window_seconds=_positive(env, WINDOW_ENV, cls.window_seconds),
            redis_url=env.get(REDIS_URL_ENV) or None,
            trusted_proxies=_networks(env, TRUSTED_PROXIES_ENV),
            clients_db=Path(env[CLIENTS_DB_ENV]) if env.get(CLIENTS_DB_ENV) else None,
            access_log=_flag(env, ACCESS_LOG_ENV, False),
            affiliation_threshold=_fraction(env, THRESHOLD_ENV),
        )


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={value!r} must be one of true, false, 1, 0, yes, no, on, off")


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name}={value!r} must be a whole number of at least 1")
    return int(value)


def _fraction(env: Mapping[str, str], name: str) -> float | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0.0 <= number <= 1.0:  # NaN included
        raise SettingsError(f"{name}={value!r} must be a number from 0 to 1")
    return number


def _networks(env: Mapping[str, str], name: str) -> tuple[Network, ...]:
    items = (item.strip() for item in env.get(name, "").split(","))
    return tuple(parse_network(item, name) for item in items if item)


def parse_network(text: str, where: str) -> Network:
    """An IP address or network (`10.0.0.0/8`); `where` names the setting in the error."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise SettingsError(
            f"{where}: {text.strip()!r} is not an IP address or network (such as 10.0.0.0/8)"
        ) from None
