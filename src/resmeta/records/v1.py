"""Render ROR schema v1 records from schema v2 records.

ROR switched API v1 off; resmeta keeps it alive by deriving each v1 record from the v2 record
it stores. The rules are ROR's own v2 -> v1 conversion (curation_ops, `convert_v2_to_v1.py`)
as the v1 file of a ROR dump shows it, byte for byte: the derived v1 records of the shared
subset dump are all reproduced exactly, key order included (see
`tests/integration/test_v1_subset.py`). What the rules say beyond the obvious:

* Lists keep the order of the v2 record (names, links, types, relationships, external IDs);
  nothing is sorted.
* `labels` are the names typed `label` that are not the `ror_display` name; a name with
  several types lands in each matching v1 list (`alias` + `label` is both an alias and a
  label).
* The address is a full v1 address built from the first location: `city` and
  `geonames_city.city` are the GeoNames name; `geonames_admin1` holds `code` `CC.SUB` and the
  subdivision `name`, every other GeoNames/NUTS field, `state`, `postcode`, `line` and
  `country_geonames_id` are null and `primary` is false, because v2 has no such data.
* GRID `all` is a single string (the first GRID ID); every other `all` stays a list.
* `wikipedia_url` is the first wikipedia link, or null.
* Whole-degree coordinates are integers, as in ROR's dumps (`"lat": 18`).
"""

from __future__ import annotations

from typing import Any

import orjson

from resmeta.records.crosswalk import EXTERNAL_ID_TYPES

#: v2 external ID types to v1 `external_ids` keys (the reverse of the v1 -> v2 crosswalk).
V1_EXTERNAL_ID_TYPES: dict[str, str] = {v2: v1 for v1, v2 in EXTERNAL_ID_TYPES.items()}

#: The attribution every v1 address carries for its GeoNames data.
GEONAMES_LICENSE: dict[str, str] = {
    "attribution": "Data from geonames.org under a CC-BY 3.0 license",
    "license": "http://creativecommons.org/licenses/by/3.0/",
}

#: Schema versions older than v2.1, which introduced `country_subdivision_*`. See
#: `_has_subdivisions`.
_PRE_SUBDIVISION_VERSIONS = frozenset({"1.0", "2.0"})


def v2_to_v1(record: dict) -> dict[str, Any]:
    """A ROR schema-v2 record (decoded JSON) as a schema-v1 record dict, in v1 key order."""
    name = None
    labels: list[dict[str, Any]] = []
    aliases: list[str] = []
    acronyms: list[str] = []
    for entry in record.get("names") or ():
        types = entry.get("types") or ()
        value = entry.get("value")
        if "ror_display" in types:
            if name is None:
                name = value
        elif "label" in types:
            labels.append({"label": value, "iso639": entry.get("lang")})
        if "alias" in types:
            aliases.append(value)
        if "acronym" in types:
            acronyms.append(value)
    if name is None and record.get("names"):
        name = record["names"][0].get("value")  # as `Organization.display_name` does

    websites: list[str] = []
    wikipedia_url = None
    for link in record.get("links") or ():
        if link.get("type") == "website":
            websites.append(link.get("value"))
        elif link.get("type") == "wikipedia" and wikipedia_url is None:
            wikipedia_url = link.get("value")

    locations = record.get("locations") or ()
    details = (locations[0].get("geonames_details") or {}) if locations else {}
    return {
        "id": record.get("id"),
        "name": name,
        "email_address": None,
        "ip_addresses": [],
        "established": record.get("established"),
        "types": [_title(org_type) for org_type in record.get("types") or ()],
        "relationships": [
            {"label": rel.get("label"), "type": _title(rel.get("type")), "id": rel.get("id")}
            for rel in record.get("relationships") or ()
        ],
        "addresses": [_address(locations[0], _has_subdivisions(record))] if locations else [],
        "links": websites,
        "aliases": aliases,
        "acronyms": acronyms,
        "status": record.get("status"),
        "wikipedia_url": wikipedia_url,
        "labels": labels,
        "country": {
            "country_code": details.get("country_code"),
            "country_name": details.get("country_name"),
        },
        "external_ids": _external_ids(record.get("external_ids") or ()),
    }


def render_v1(v2_json: bytes) -> bytes:
    """The v1 rendering of a v2 record's JSON bytes, as compact JSON bytes."""
    return orjson.dumps(v2_to_v1(orjson.loads(v2_json)))


def _title(value: str | None) -> str | None:
    """`education` -> `Education`, `parent` -> `Parent`: v1 spells types in Title case."""
    return value.title() if value else value


def _has_subdivisions(record: dict) -> bool:
    """Whether the record's `country_subdivision_*` fields may go into v1 `geonames_admin1`.

    Not for records last modified under schema 1.0 or 2.0: those had no subdivision in ROR's
    data, so ROR's v1 rendering of them has a null `geonames_admin1`. A dump may still fill
    the fields in (the shared subset dump does, for 7,946 such records), but v1 does not show
    them. Records without `admin` are taken to be current.
    """
    admin = record.get("admin") or {}
    version = (admin.get("last_modified") or {}).get("schema_version")
    return version not in _PRE_SUBDIVISION_VERSIONS


def _address(location: dict, with_subdivision: bool) -> dict[str, Any]:
    details = location.get("geonames_details") or {}
    city = details.get("name")
    subdivision_code = subdivision_name = None
    if with_subdivision:
        subdivision_name = details.get("country_subdivision_name")
        if code := details.get("country_subdivision_code"):
            # v1 wrote GeoNames admin1 codes, `CC.SUB`; v2.1 keeps only the ISO suffix.
            subdivision_code = f"{details.get('country_code')}.{code}"
    return {
        "lat": _coordinate(details.get("lat")),
        "lng": _coordinate(details.get("lng")),
        "state": None,
        "state_code": None,
        "city": city,
        "geonames_city": {
            "id": location.get("geonames_id"),
            "city": city,
            "geonames_admin1": {
                "ascii_name": None,
                "code": subdivision_code,
                "id": None,
                "name": subdivision_name,
            },
            "geonames_admin2": {"ascii_name": None, "code": None, "id": None, "name": None},
            "license": dict(GEONAMES_LICENSE),
            "nuts_level1": {"code": None, "name": None},
            "nuts_level2": {"code": None, "name": None},
            "nuts_level3": {"code": None, "name": None},
        },
        "postcode": None,
        "primary": False,
        "line": None,
        "country_geonames_id": None,
    }


def _coordinate(value: float | None) -> float | int | None:
    """Whole-degree coordinates as integers (`18`, not `18.0`), as ROR's dumps write them.

    Readers that decode every number as a float (the dump reader, `Organization`) would
    otherwise turn ROR's `"lat": 18` into `18.0`.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _external_ids(v2_ids: list[dict] | tuple) -> dict[str, dict[str, Any]]:
    """v2 external IDs as the v1 object, keyed `FundRef`, `GRID`, `ISNI`, `Wikidata`."""
    result: dict[str, dict[str, Any]] = {}
    for entry in v2_ids:
        key = V1_EXTERNAL_ID_TYPES.get(entry.get("type"))
        if key is None:
            continue
        all_ids = entry.get("all") or []
        result[key] = {
            "preferred": entry.get("preferred"),
            # v1 has room for one GRID ID only: `all` is a string there.
            "all": (all_ids[0] if all_ids else None) if key == "GRID" else list(all_ids),
        }
    return result
