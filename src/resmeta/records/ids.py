"""ROR identifiers in the forms clients send them."""

from __future__ import annotations

import re
from urllib.parse import unquote

ROR_URL_PREFIX = "https://ror.org/"
_BARE_ID = re.compile(r"0[a-z0-9]{6}[0-9]{2}")
_ANY_FORM = re.compile(r"(?:(?:https?:/{1,2})?ror\.org/)?(0[a-z0-9]{6}[0-9]{2})", re.IGNORECASE)


def parse_ror_id(text: str) -> str | None:
    """The bare ROR ID in `text` (full URL, `ror.org/ID`, bare ID, URL-encoded), else None."""
    candidate = unquote(text).strip()
    match = _ANY_FORM.fullmatch(candidate)
    if match is None:
        return None
    bare = match.group(1).lower()
    return bare if _BARE_ID.fullmatch(bare) else None


def ror_url(bare_id: str) -> str:
    return ROR_URL_PREFIX + bare_id
