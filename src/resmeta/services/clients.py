"""Registered API clients: who asked for a client ID, stored durably in SQLite.

One SQLite file is shared by every worker process (and by every server on the same disk): a
registration is committed before its ID is handed out, so all workers see it at once and it
survives a restart. No web code here: `api/clients.py` is the HTTP side.
"""

from __future__ import annotations

import re
import secrets
import sqlite3
import string
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

CLIENT_ID_LENGTH = 32
_ALPHABET = string.ascii_uppercase + string.digits
_CLIENT_ID = re.compile(rf"[A-Z0-9]{{{CLIENT_ID_LENGTH}}}")
# Plausible, not RFC 5322: one @, no white space, a dot in the domain, no empty labels.
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")

# field: (required, maximum length)
FIELDS: dict[str, tuple[bool, int]] = {
    "name": (True, 200),
    "email": (True, 254),
    "institution": (False, 300),
    "use_case": (False, 2000),
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS clients (
    client_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    institution TEXT,
    use_case TEXT,
    created TEXT NOT NULL
) WITHOUT ROWID
"""


class RegistrationError(ValueError):
    """A registration request that cannot be accepted; `errors` lists every problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class RegistryError(RuntimeError):
    """The clients database cannot be opened or written."""


@dataclass(frozen=True)
class Registration:
    name: str
    email: str
    institution: str | None = None
    use_case: str | None = None


def parse_registration(body: object) -> Registration:
    """A registration from a decoded JSON body, or RegistrationError listing every problem."""
    if not isinstance(body, Mapping):
        raise RegistrationError(
            [
                "the body must be a JSON object with 'name' and 'email' (and optionally "
                "'institution' and 'use_case')"
            ]
        )
    errors: list[str] = []
    accepted = ", ".join(FIELDS)
    for key in body:
        if key not in FIELDS:
            errors.append(f"unknown field '{key}': the accepted fields are {accepted}")
    values: dict[str, str | None] = {}
    for field, (required, longest) in FIELDS.items():
        value = body.get(field)
        if value is None:
            if required:
                errors.append(f"'{field}' is required")
            values[field] = None
            continue
        if not isinstance(value, str):
            errors.append(f"'{field}' must be a string")
            continue
        value = value.strip()
        if required and not value:
            errors.append(f"'{field}' must not be empty")
        elif len(value) > longest:
            errors.append(f"'{field}' is {len(value):,} characters long; at most {longest:,}")
        elif any(ord(c) < 32 and c not in "\n\t" for c in value):
            errors.append(f"'{field}' must not hold control characters")
        values[field] = value or None
    email = values.get("email")
    if email and len(email) <= FIELDS["email"][1] and not _EMAIL.fullmatch(email):
        errors.append(f"'email' {email!r} is not an email address (name@example.org)")
    if errors:
        raise RegistrationError(errors)
    return Registration(
        name=str(values["name"]),
        email=str(values["email"]),
        institution=values["institution"],
        use_case=values["use_case"],
    )


def is_well_formed(client_id: str) -> bool:
    """Whether `client_id` has the shape of an ID this registry hands out."""
    return _CLIENT_ID.fullmatch(client_id) is not None


def new_client_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(CLIENT_ID_LENGTH))


class ClientRegistry:
    """The registered client IDs, in a SQLite file shared by every process that opens it.

    Thread-safe: each thread gets its own connection.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = self._connection()
            connection.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
            connection.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise RegistryError(f"cannot open the clients database {self.path}: {exc}") from exc

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            # Autocommit: each statement is its own transaction, committed when it returns.
            connection = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            connection.execute("PRAGMA synchronous=FULL")  # a handed-out ID is on disk
            self._local.connection = connection
        return connection

    def register(self, registration: Registration) -> str:
        """Store a registration and return its new client ID."""
        created = datetime.now(UTC).isoformat(timespec="seconds")
        for _ in range(5):  # a collision of 165-bit random IDs will not happen; still
            client_id = new_client_id()
            try:
                self._connection().execute(
                    "INSERT INTO clients VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        client_id,
                        registration.name,
                        registration.email,
                        registration.institution,
                        registration.use_case,
                        created,
                    ),
                )
            except sqlite3.IntegrityError:
                continue
            except sqlite3.Error as exc:
                raise RegistryError(f"cannot write to the clients database: {exc}") from exc
            return client_id
        raise RegistryError("could not draw an unused client ID")

    def is_valid(self, client_id: str) -> bool:
        """Whether `client_id` (any letter case) was registered."""
        client_id = client_id.strip().upper()
        if not is_well_formed(client_id):
            return False
        try:
            row = (
                self._connection()
                .execute("SELECT 1 FROM clients WHERE client_id = ?", (client_id,))
                .fetchone()
            )
        except sqlite3.Error as exc:
            raise RegistryError(f"cannot read the clients database: {exc}") from exc
        return row is not None

    def count(self) -> int:
        return self._connection().execute("SELECT count(*) FROM clients").fetchone()[0]

    def close(self) -> None:
        """Close this thread's connection."""
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
