"""v1 rendering against the shared ROR subset dump, which holds every record in v1 and in v2.

The dump's v1 file holds two kinds of records (see its README):

* "derived" (35,990): the record's latest version is schema v2 and the v1 file has it
  converted down with ROR's v2 -> v1 rules. Rendering its v2 record must give it back byte
  for byte, key order included: no exceptions.
* "original" (15,380): the latest version is schema v1, written by ROR's old v1 pipeline and
  copied unchanged; the v2 file has it converted up. v1 holds more than v2 can carry (GeoNames
  admin details, OrgRef IDs...) and in a different key order, so none of these can come back
  byte for byte. They must agree on everything v2 carries, and differ, field by field, in
  exactly the known number of records.

Original records keep the GeoNames country ID of their address; derived ones have it null.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest

from resmeta.records.model import validate
from resmeta.records.v1 import render_v1, v2_to_v1

pytestmark = pytest.mark.integration


@dataclass
class Pair:
    v1: dict  # the v1 file's record
    v2: dict  # the v2 file's record with the same id

    @property
    def original(self) -> bool:
        return self.v1["addresses"][0]["country_geonames_id"] is not None


@pytest.fixture(scope="module")
def pairs(subset_dump: Path) -> list[Pair]:
    with zipfile.ZipFile(subset_dump) as archive:
        members = [m for m in archive.namelist() if m.endswith(".json")]
        (v2_file,) = [m for m in members if m.endswith("_schema_v2.json")]
        (v1_file,) = [m for m in members if m != v2_file]
        v1_records = orjson.loads(archive.read(v1_file))
        v2_by_id = {record["id"]: record for record in orjson.loads(archive.read(v2_file))}
    assert len(v1_records) == len(v2_by_id) == 51_370
    return [Pair(v1, v2_by_id[v1["id"]]) for v1 in v1_records]


@pytest.fixture(scope="module")
def derived(pairs: list[Pair]) -> list[Pair]:
    return [p for p in pairs if not p.original]


@pytest.fixture(scope="module")
def original(pairs: list[Pair]) -> list[Pair]:
    return [p for p in pairs if p.original]


def differing_fields(ours: bytes, ref: dict) -> list[str]:
    """The top-level v1 fields whose JSON differs (key order included), and `(key order)`."""
    mine = orjson.loads(ours)
    fields = [key for key in mine if orjson.dumps(mine.get(key)) != orjson.dumps(ref.get(key))]
    if list(mine) != list(ref):
        fields.insert(0, "(key order)")
    return fields


def report(failures: list[tuple[str, list[str]]]) -> str:
    shown = "\n".join(f"  {record_id}: {', '.join(fields)}" for record_id, fields in failures[:5])
    return f"{len(failures)} records differ, first ones:\n{shown}"


def test_groups_match_the_dump_readme(derived: list[Pair], original: list[Pair]) -> None:
    assert (len(derived), len(original)) == (35_990, 15_380)


def test_every_derived_record_renders_exactly(derived: list[Pair]) -> None:
    failures = []
    for pair in derived:
        ours = render_v1(orjson.dumps(pair.v2))
        if ours != orjson.dumps(pair.v1):
            failures.append((pair.v1["id"], differing_fields(ours, pair.v1)))
    assert not failures, report(failures)


def _multiset(items: list) -> list:
    """A list compared regardless of its order and of the key order of its objects."""
    return sorted(orjson.dumps(item, option=orjson.OPT_SORT_KEYS) for item in items)


def _unordered(value: list | dict) -> list | bytes:
    if isinstance(value, dict):
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    return _multiset(value)


# What v2 carries of a v1 record, as a comparable value. Lists that ROR's v1 -> v2 conversion
# sorts are compared as multisets, and v1 values v2 has no room for are left out.
CARRIED: dict[str, Callable[[dict], Any]] = {
    "scalars": lambda r: (r["id"], r["name"], r["established"], r["status"], r["ip_addresses"]),
    "email_address": lambda r: r["email_address"] or None,
    # v2 adds the `funder` type to records with FundRef IDs, as ROR's migration did.
    "types": lambda r: sorted(
        set(r["types"]) | ({"Funder"} if "FundRef" in r["external_ids"] else set())
    ),
    "relationships": lambda r: _multiset(r["relationships"]),
    "address": lambda r: (
        r["addresses"][0]["lat"],
        r["addresses"][0]["lng"],
        r["addresses"][0]["city"],
        r["addresses"][0]["geonames_city"]["id"],
        r["addresses"][0]["geonames_city"]["city"],
    ),
    "country": lambda r: sorted(r["country"].items()),
    "links": lambda r: r["links"],
    "wikipedia_url": lambda r: r["wikipedia_url"] or None,
    "names": lambda r: (sorted(r["aliases"]), sorted(r["acronyms"]), _multiset(r["labels"])),
    "external_ids": lambda r: sorted(
        (key, ids["preferred"], orjson.dumps(ids["all"]))
        for key, ids in r["external_ids"].items()
        if key in ("FundRef", "GRID", "ISNI", "Wikidata")
    ),
}


@pytest.mark.parametrize("field", CARRIED)
def test_original_records_agree_on_what_v2_carries(original: list[Pair], field: str) -> None:
    key = CARRIED[field]
    failures = [p.v1["id"] for p in original if key(v2_to_v1(p.v2)) != key(p.v1)]
    assert not failures, f"{len(failures)} records differ, first ones: {failures[:5]}"


def test_original_records_differ_exactly_where_known(original: list[Pair]) -> None:
    differences: Counter[str] = Counter()
    for pair in original:
        differences.update(differing_fields(render_v1(orjson.dumps(pair.v2)), pair.v1))
    assert differences == {
        # Every one: v1 has the GeoNames country ID, admin1 `id`/`ascii_name`, admin2, in
        # another key order. Its admin1 `code`/`name` are GeoNames' (`FR.24`); ours are null
        # because the v2 record was last modified under schema 2.0 (see `_has_subdivisions`).
        "addresses": 15_380,
        # `{"country_name", "country_code"}` key order.
        "country": 15_085,
        # 2,129 with IDs v2 has no type for (OrgRef 2,083, CNRS, HESA, UKPRN, UCAS); 7,203 in
        # another key order only.
        "external_ids": 9_332,
        # 6,196 `Funder` (v2 adds the type to records with FundRef IDs), 100 in another order.
        "types": 6_296,
        # `""` in v1 where there is no wikipedia link: null from v2.
        "wikipedia_url": 5_720,
        # Top-level keys in another order.
        "(key order)": 4_736,
        # Order: v1 -> v2 sorts names by value (aliases, acronyms, 185 labels) and
        # relationships by type (494); key order inside the objects (27 relationships, 16
        # labels).
        "aliases": 1_302,
        "acronyms": 293,
        "relationships": 521,
        "labels": 201,
        # `""` in v1: null.
        "email_address": 333,
    }


def test_rendering_from_the_index_form(derived: list[Pair]) -> None:
    """What the v1 API serves: the index renders v1 from the validated record (`validate`), in
    the dump's own list order, which v1 keeps (the v2 API sorts lists; see
    `model.canonical`). Whole-degree coordinates, decoded as floats, come back as integers."""
    failures = []
    for pair in derived:
        ours = render_v1(msgspec.json.encode(validate(pair.v2)))
        if ours != orjson.dumps(pair.v1):
            failures.append((pair.v1["id"], differing_fields(ours, pair.v1)))
    assert not failures, report(failures)
