"""Expectations for the v2 API computed from the subset dump itself, and checks of those helpers.

The other `test_api_v2_*` files import `load_dump()` from here: the dump's v2 file is read once
per test run (about 2 s) and every expected count, order or rendering is derived from it in
plain Python, independently of the service's code.

Word matching is emulated as the issue describes it ("accents folded", words of names): a
name is cut into runs of letters and digits, each folded to ASCII where it has an ASCII form
("é" -> "e", "ß" -> "ss") and lower-cased.
"""

from __future__ import annotations

import functools
import json
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import httpx
import pytest

from resmeta.index.analysis import ABBREVIATIONS
from tests.factory import V2_KEYS

pytestmark = pytest.mark.integration

DUMP_PATH = Path(__file__).resolve().parents[3] / "shared/data/ror/v2.9-subset-ror-data.zip"
V2_FILE = "v2.9-2026-06-23-ror-data_schema_v2.json"
ROR = "https://ror.org/"
PAGE_SIZE = 20

# -- text as the index sees it ------------------------------------------------------------------

_SPECIAL_FOLDS = {
    "ß": "ss",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "ə": "a",
    "Ə": "A",
    "ŋ": "n",
    "Ŋ": "N",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "TH",
    "ı": "i",
}


@functools.cache
def _fold_char(char: str) -> str:
    if char.isascii():
        return char
    if char in _SPECIAL_FOLDS:
        return _SPECIAL_FOLDS[char]
    decomposed = unicodedata.normalize("NFKD", char)
    ascii_part = "".join(c for c in decomposed if c.isascii())
    return ascii_part if ascii_part and decomposed[0].isascii() else char


def fold(text: str) -> str:
    """Accents folded to ASCII where an ASCII form exists, lower-cased."""
    return "".join(_fold_char(c) for c in text).lower()


def words(text: str) -> list[str]:
    """The searchable words of a text: runs of letters/digits, folded and lower-cased."""
    result, current = [], []
    for char in text + " ":
        if char.isalnum():
            current.append(char)
        elif current:
            token = "".join(current)
            current = []
            if len(token.encode()) < 100:
                result.append(fold(token))
    return result


def exact(text: str) -> str:
    """A whole name as its words ("Paris-Saclay" and "paris saclay" are the same name), "&"
    read as "and", common abbreviations spelled out, a leading "the" dropped."""
    tokens = [ABBREVIATIONS.get(w, w) for w in words(text.replace("&", " and "))]
    return " ".join(tokens[1:] if tokens[:1] == ["the"] else tokens)


# -- records ---------------------------------------------------------------------------------


def bare(record_or_id: dict | str) -> str:
    ror_id = record_or_id if isinstance(record_or_id, str) else record_or_id["id"]
    return ror_id.removeprefix(ROR)


def display_name(record: dict) -> str:
    return next(n["value"] for n in record["names"] if "ror_display" in n["types"])


def country_codes(record: dict) -> set[str]:
    return {
        loc["geonames_details"]["country_code"]
        for loc in record["locations"]
        if loc["geonames_details"]["country_code"]
    }


def continent_codes(record: dict) -> set[str]:
    return {
        loc["geonames_details"]["continent_code"]
        for loc in record["locations"]
        if loc["geonames_details"]["continent_code"]
    }


def geo_values(record: dict, key: str) -> set:
    return {loc["geonames_details"][key] for loc in record["locations"]} - {None}


Predicate = Callable[[dict], bool]


class Dump:
    """The dump's v2 records, in dump order, with the derived data the tests need."""

    def __init__(self, records: list[dict]) -> None:
        self.records = records
        self.by_id = {r["id"]: r for r in records}
        self.active = [r for r in records if r["status"] == "active"]
        self._words = {
            r["id"]: frozenset(w for n in r["names"] for w in words(n["value"])) for r in records
        }

    def name_words(self, record: dict) -> frozenset[str]:
        """Every word of every name of the record (names of all types)."""
        return self._words[record["id"]]

    def count(self, predicate: Predicate, records: Iterable[dict] | None = None) -> int:
        """How many records match; `records` defaults to the active ones (the API's default)."""
        return sum(1 for r in (self.active if records is None else records) if predicate(r))

    def ids(self, predicate: Predicate, records: Iterable[dict] | None = None) -> set[str]:
        return {r["id"] for r in (self.active if records is None else records) if predicate(r)}

    @functools.cached_property
    def country_titles(self) -> dict[str, set[str]]:
        """Lower-case country code -> the country names the dump uses for it."""
        titles: dict[str, set[str]] = {}
        for r in self.records:
            for loc in r["locations"]:
                d = loc["geonames_details"]
                if d["country_code"] and d["country_name"]:
                    titles.setdefault(d["country_code"].lower(), set()).add(d["country_name"])
        return titles

    @functools.cached_property
    def continent_titles(self) -> dict[str, str]:
        titles = {}
        for r in self.records:
            for loc in r["locations"]:
                d = loc["geonames_details"]
                if d["continent_code"] and d["continent_name"]:
                    titles[d["continent_code"].lower()] = d["continent_name"]
        return titles

    def facets(self, records: list[dict]) -> dict[str, list[tuple[str, int]]]:
        """Top-10 (lower-case key, count) per meta facet, by count desc then key."""
        counters = {
            "types": Counter(t for r in records for t in set(r["types"])),
            "countries": Counter(c.lower() for r in records for c in country_codes(r)),
            "continents": Counter(c.lower() for r in records for c in continent_codes(r)),
            "statuses": Counter(r["status"] for r in records),
        }
        return {
            facet: sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
            for facet, counter in counters.items()
        }


@functools.cache
def load_dump() -> Dump:
    if not DUMP_PATH.exists():
        pytest.fail(f"the shared ROR subset dump is missing: {DUMP_PATH}")
    with zipfile.ZipFile(DUMP_PATH) as archive, archive.open(V2_FILE) as f:
        return Dump(json.load(f))


# -- the server under test --------------------------------------------------------------------


LIST = "/v2/organizations"


def search(api, **params) -> dict:
    response = api.get(LIST, params=params)
    assert response.status_code == 200, (params, response.text)
    return response.json()


def fresh_client(server) -> Iterator[httpx.Client]:
    """A client opening a new connection per request, so that a failing request cannot
    disturb the next test."""
    with httpx.Client(base_url=server.url, timeout=30, headers={"Connection": "close"}) as c:
        yield c


def server_log_tail(server, lines: int = 25) -> str:
    return server.output_tail(lines)


# -- the ROR v2 rendering --------------------------------------------------------------------

RECORD_KEYS = V2_KEYS
ITEM_KEYS = {
    "external_ids": ("all", "preferred", "type"),
    "links": ("type", "value"),
    "locations": ("geonames_details", "geonames_id"),
    "names": ("lang", "types", "value"),
    "relationships": ("label", "type", "id"),
}
GEONAMES_KEYS = (
    "continent_code",
    "continent_name",
    "country_code",
    "country_name",
    "country_subdivision_code",
    "country_subdivision_name",
    "lat",
    "lng",
    "name",
)
SORT_KEY = {"external_ids": "type", "links": "type", "relationships": "type", "names": "value"}


def _tie_free(items: list[dict], key: str) -> list[dict]:
    """Items in `key` order; items with equal keys (an order the spec leaves open) by content."""
    return sorted(items, key=lambda item: (item[key], json.dumps(item, sort_keys=True)))


def expected_rendering(record: dict) -> dict:
    """The dump record as ROR v2 renders it: key orders, sorted lists (ties made comparable)."""
    admin = {
        stamp: {
            "date": record["admin"][stamp]["date"],
            "schema_version": record["admin"][stamp]["schema_version"],
        }
        for stamp in ("created", "last_modified")
    }
    out: dict = {"admin": admin}
    for key in RECORD_KEYS[1:]:
        value = record[key]
        if key in ("domains", "types"):
            value = sorted(value)
        elif key in ITEM_KEYS:
            value = [_item(key, item) for item in value]
            if key in SORT_KEY:
                value = _tie_free(value, SORT_KEY[key])
        out[key] = value
    return out


def _item(list_name: str, item: dict) -> dict:
    out = {k: item[k] for k in ITEM_KEYS[list_name]}
    if list_name == "locations":
        out["geonames_details"] = {k: item["geonames_details"][k] for k in GEONAMES_KEYS}
    return out


def comparable_served(served: dict) -> dict:
    """A served record with only the tie order (left open by the spec) normalised."""
    out = dict(served)
    for key, sort_key in SORT_KEY.items():
        if isinstance(served.get(key), list):
            out[key] = _tie_free(served[key], sort_key)
    return out


def ordered(value):
    """Key order made visible to `==`: dicts become tuples of (key, value) pairs."""
    if isinstance(value, dict):
        return tuple((k, ordered(v)) for k, v in value.items())
    if isinstance(value, list):
        return [ordered(v) for v in value]
    return value


# -- checks of the helpers themselves --------------------------------------------------------


def test_dump_holds_what_its_readme_says() -> None:
    dump = load_dump()
    statuses = Counter(r["status"] for r in dump.records)
    assert len(dump.records) == 51_370
    assert statuses == {"active": 48_746, "inactive": 1_250, "withdrawn": 1_374}


def test_word_emulation() -> None:
    assert words("Université Paris-Saclay") == ["universite", "paris", "saclay"]
    assert words("Technische Universität München (TUM)") == [
        "technische",
        "universitat",
        "munchen",
        "tum",
    ]
    assert words("Łódź Straße") == ["lodz", "strasse"]
    assert exact("King's College London") == "king s college london"


def test_expected_rendering_orders_keys_and_lists() -> None:
    record = {
        "locations": [
            {"geonames_id": 1, "geonames_details": dict.fromkeys(reversed(GEONAMES_KEYS))}
        ],
        "types": ["funder", "education"],
        "status": "active",
        "relationships": [],
        "names": [
            {"value": "b", "types": ["label"], "lang": None},
            {"value": "a", "types": ["ror_display"], "lang": "en"},
        ],
        "links": [{"value": "w", "type": "wikipedia"}, {"value": "x", "type": "website"}],
        "id": ROR + "012345678",
        "external_ids": [],
        "established": None,
        "domains": ["z.org", "a.org"],
        "admin": {
            "last_modified": {"schema_version": "2.1", "date": "2024-01-01"},
            "created": {"schema_version": "1.0", "date": "2020-01-01"},
        },
    }
    rendered = expected_rendering(record)
    assert list(rendered) == list(RECORD_KEYS)
    assert rendered["types"] == ["education", "funder"]
    assert rendered["domains"] == ["a.org", "z.org"]
    assert [n["value"] for n in rendered["names"]] == ["a", "b"]
    assert list(rendered["names"][0]) == ["lang", "types", "value"]
    assert [link["type"] for link in rendered["links"]] == ["website", "wikipedia"]
    assert list(rendered["locations"][0]["geonames_details"]) == list(GEONAMES_KEYS)
    assert list(rendered["admin"]["created"]) == ["date", "schema_version"]
