"""Small ROR v2 records made up for unit tests."""

from __future__ import annotations

import copy
import itertools
import json
import zipfile
from pathlib import Path

from resmeta.index.store import IndexStore

V2_KEYS = (
    "admin",
    "domains",
    "established",
    "external_ids",
    "id",
    "links",
    "locations",
    "names",
    "relationships",
    "status",
    "types",
)
"""The keys of a ROR v2 record, in the order the ROR API renders them."""

MATCHING_TYPES = frozenset(
    {"EXACT", "PHRASE", "COMMON TERMS", "FUZZY", "HEURISTICS", "ACRONYM", "SINGLE SEARCH"}
)
"""The `matching_type` values of ROR's affiliation API."""

_serial = itertools.count(1)


def ror_id(n: int) -> str:
    return f"https://ror.org/0{n:06d}{n % 100:02d}"


def location(
    city: str, code: str, country: str, continent_code: str = "EU", continent: str = "Europe"
) -> list[dict]:
    """A `locations` list of one made-up place."""
    return [
        {
            "geonames_id": sum(map(ord, city)),
            "geonames_details": {
                "name": city,
                "country_code": code,
                "country_name": country,
                "continent_code": continent_code,
                "continent_name": continent,
                "lat": 1.5,
                "lng": 2.5,
            },
        }
    ]


def make_record(name: str = "Example University", **overrides) -> dict:
    n = next(_serial)
    record = {
        "locations": [
            {
                "geonames_id": 2988507,
                "geonames_details": {
                    "name": "Paris",
                    "country_code": "FR",
                    "country_name": "France",
                    "continent_code": "EU",
                    "continent_name": "Europe",
                    "country_subdivision_code": "IDF",
                    "country_subdivision_name": "Île-de-France",
                    "lat": 48.85341,
                    "lng": 2.3488,
                },
            }
        ],
        "types": ["funder", "education"],
        "status": "active",
        "relationships": [],
        "names": [
            {"value": name, "types": ["ror_display", "label"], "lang": "en"},
            {"value": "EU", "types": ["acronym"], "lang": None},
        ],
        "links": [{"type": "website", "value": "https://example.org"}],
        "id": ror_id(n),
        "external_ids": [
            {"type": "grid", "all": [f"grid.{n}.1"], "preferred": f"grid.{n}.1"},
            {"type": "fundref", "all": [f"5011000{n:05d}"], "preferred": None},
        ],
        "established": 1900 + n % 100,
        "domains": ["example.org"],
        "admin": {
            "last_modified": {"date": "2025-01-02", "schema_version": "2.1"},
            "created": {"date": "2019-03-04", "schema_version": "1.0"},
        },
    }
    record.update(copy.deepcopy(overrides))
    return record


def build_index(folder: Path, records: list[dict]) -> Path:
    """The built index (its folder) of a dump of `records` written in `folder`."""
    dump = write_zip(folder / "d.zip", {"d_schema_v2.json": records})
    index_folder, _ = IndexStore(folder / "data").build(dump)
    return index_folder


def make_org(
    display: str,
    locations: list[dict],
    types=("education",),
    acronyms=(),
    labels=(),
    **overrides,
) -> dict:
    """A record named `display` (ror_display, in English) with these labels (no language),
    acronyms, places and types; other fields as `make_record` makes them."""
    names = [{"value": display, "types": ["ror_display", "label"], "lang": "en"}]
    names += [{"value": label, "types": ["label"], "lang": None} for label in labels]
    names += [{"value": acronym, "types": ["acronym"], "lang": None} for acronym in acronyms]
    return make_record(display, names=names, locations=locations, types=list(types), **overrides)


GB = location("Oxford", "GB", "United Kingdom")
FR = location("Paris", "FR", "France")
CA = location("Montreal", "CA", "Canada")
KE = location("Nairobi", "KE", "Kenya")
UG = location("Kampala", "UG", "Uganda")
JP = location("Tokyo", "JP", "Japan")
US = location("Springfield", "US", "United States")


def write_zip(path: Path, members: dict[str, list[dict] | str]) -> Path:
    """A dump zip whose members hold the given records (or raw text)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            text = content if isinstance(content, str) else json.dumps(content, indent=4)
            archive.writestr(name, text)
    return path
