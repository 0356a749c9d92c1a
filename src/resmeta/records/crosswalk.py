"""Convert ROR schema v1 records to schema v2.

Follows ROR's own crosswalk (ror-community/curation_ops, `v2_crosswalk/convert_v1_to_v2.py`)
plus the additions that ROR's migrated data show but that file lacks (see the README of the
shared ROR dump): the `funder` type for records with FundRef IDs, and the v2.1 location
fields `continent_*` and `country_subdivision_*`.

The output is a plain dict in the key order of the ROR API; pass it to
`resmeta.records.model.validate` to get an `Organization`.
"""

from __future__ import annotations

import re
from typing import Any

#: v1 records carry no dates. ROR's first (GRID-based) data is from 2018-11-14, so that is
#: the earliest date any record can have been created; it is also deterministic, unlike
#: "today". Pass `release_date` to `v1_to_v2` to date records by the dump they come from.
DEFAULT_DATE = "2018-11-14"

CONTINENT_NAMES: dict[str, str] = {
    "AF": "Africa",
    "AN": "Antarctica",
    "AS": "Asia",
    "EU": "Europe",
    "NA": "North America",
    "OC": "Oceania",
    "SA": "South America",
}

# ISO 3166-1 alpha-2 codes by continent, as GeoNames assigns them (countryInfo.txt), which
# is what ROR's `continent_code` is taken from: e.g. TR and CY are in AS and EU
# respectively, RU in EU, TL in OC, XK (Kosovo, GeoNames' code) in EU.
_COUNTRIES_BY_CONTINENT = {
    "AF": "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE KM LR LS"
    " LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT"
    " ZA ZM ZW",
    "AN": "AQ BV GS HM TF",
    "AS": "AE AF AM AZ BD BH BN BT CC CN CX GE HK ID IL IN IO IQ IR JO JP KG KH KP KR KW KZ"
    " LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TM TR TW UZ VN YE",
    "EU": "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS"
    " IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK",
    "NA": "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ"
    " MS MX NI PA PM PR SV SX TC TT US VC VG VI",
    "OC": "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TL TO TV UM VU WF WS",
    "SA": "AR BO BR CL CO EC FK GF GY PE PY SR UY VE",
}

CONTINENT_BY_COUNTRY: dict[str, str] = {
    country: continent
    for continent, countries in _COUNTRIES_BY_CONTINENT.items()
    for country in countries.split()
}

#: v1 `external_ids` keys that v2 keeps. OrgRef, CNRS, HESA, UKPRN, UCAS... have no v2
#: type and are dropped, as ROR dropped them.
EXTERNAL_ID_TYPES: dict[str, str] = {
    "FundRef": "fundref",
    "GRID": "grid",
    "ISNI": "isni",
    "Wikidata": "wikidata",
}

# An ISO 3166-2 subdivision suffix: one to three letters or digits.
_ISO_SUBDIVISION = re.compile(r"[A-Z0-9]{1,3}")


def looks_like_v1(record: dict) -> bool:
    """Whether `record` has the shape of a ROR schema v1 record (`name`, `addresses`)."""
    return isinstance(record, dict) and "name" in record and "addresses" in record


def looks_like_v2(record: dict) -> bool:
    """Whether `record` has the shape of a ROR schema v2 record (`names`, `locations`)."""
    return isinstance(record, dict) and "names" in record and "locations" in record


def v1_to_v2(record: dict, *, release_date: str | None = None) -> dict:
    """Convert one ROR schema-v1 record (decoded JSON) to a schema-v2 record dict.

    `release_date` (ISO date) is used for both `admin` dates, since v1 records carry none;
    it defaults to `DEFAULT_DATE`. Every v2 key is present, but a v1 record without an
    address yields no location, which `validate` then rejects.
    """
    date = release_date or DEFAULT_DATE
    external_ids = _external_ids(record.get("external_ids") or {})
    return {
        "admin": {
            "created": {"date": date, "schema_version": "1.0"},
            "last_modified": {"date": date, "schema_version": "2.0"},
        },
        "domains": [],
        "established": record.get("established"),
        "external_ids": external_ids,
        "id": record["id"],
        "links": _links(record),
        "locations": _locations(record),
        "names": _names(record),
        "relationships": [
            {"label": rel["label"], "type": rel["type"].lower(), "id": rel["id"]}
            for rel in record.get("relationships") or []
        ],
        "status": record["status"],
        "types": _types(record, has_fundref=any(e["type"] == "fundref" for e in external_ids)),
    }


def _names(record: dict) -> list[dict[str, Any]]:
    """`name`, `aliases`, `labels` and `acronyms` as v2 names, merging equal value+lang."""
    entries: list[tuple[str, str | None, str]] = [
        (record["name"], None, "ror_display"),
        (record["name"], None, "label"),
    ]
    entries += [(alias, None, "alias") for alias in record.get("aliases") or []]
    entries += [
        (label["label"], label.get("iso639") or None, "label")
        for label in record.get("labels") or []
    ]
    entries += [(acronym, None, "acronym") for acronym in record.get("acronyms") or []]

    merged: dict[tuple[str, str | None], list[str]] = {}
    for value, lang, name_type in entries:
        if not value:
            continue
        types = merged.setdefault((value, lang), [])
        if name_type not in types:
            types.append(name_type)
    names = [
        {"lang": lang, "types": types, "value": value} for (value, lang), types in merged.items()
    ]
    return sorted(names, key=lambda name: name["value"])


def _locations(record: dict) -> list[dict[str, Any]]:
    """The first v1 address as the single v2 location (v1 records have at most one)."""
    addresses = record.get("addresses") or []
    if not addresses:
        return []
    address = addresses[0]
    city = address.get("geonames_city") or {}
    if city.get("id") is None:
        return []
    country = record.get("country") or {}
    country_code = country.get("country_code")
    continent_code = CONTINENT_BY_COUNTRY.get(country_code or "")
    admin1 = city.get("geonames_admin1") or {}
    return [
        {
            "geonames_details": {
                "continent_code": continent_code,
                "continent_name": CONTINENT_NAMES.get(continent_code or ""),
                "country_code": country_code,
                "country_name": country.get("country_name"),
                "country_subdivision_code": _subdivision_code(admin1.get("code")),
                "country_subdivision_name": admin1.get("name"),
                "lat": address.get("lat"),
                "lng": address.get("lng"),
                "name": city.get("city") or address.get("city"),
            },
            "geonames_id": int(city["id"]),
        }
    ]


def _subdivision_code(admin1_code: str | None) -> str | None:
    """The ISO 3166-2 suffix hidden in a GeoNames admin1 code such as `US.CA`, else None.

    ROR's crosswalk keeps whatever follows the dot, but v2.1 wants ISO 3166-2 codes and
    GeoNames admin1 codes are only ISO for some countries (`US.CA`, `GB.ENG`, `CH.ZH`).
    Numeric ones are mostly FIPS or GeoNames numbers that differ from ISO (`AU.08` is
    ISO `WA`, `FR.11` is `IDF`, `JP.40` is `13`), and longer ones like `GR.ESYE31` are not
    ISO at all. So a numeric or non-ISO-shaped suffix gives None rather than a wrong code.
    """
    if not admin1_code or "." not in admin1_code:
        return None
    suffix = admin1_code.split(".", 1)[1]
    if suffix.isdigit() or not _ISO_SUBDIVISION.fullmatch(suffix):
        return None
    return suffix


def _external_ids(v1_ids: dict) -> list[dict[str, Any]]:
    result = []
    for v1_type, v2_type in EXTERNAL_ID_TYPES.items():
        entry = v1_ids.get(v1_type)
        if not entry:
            continue
        all_ids = entry.get("all") or []
        if isinstance(all_ids, str):  # GRID's `all` is a single string in v1
            all_ids = [all_ids]
        preferred = entry.get("preferred") or None
        if not all_ids and preferred is None:
            continue
        result.append({"all": list(all_ids), "preferred": preferred, "type": v2_type})
    return result


def _links(record: dict) -> list[dict[str, str]]:
    links = [{"type": "website", "value": url} for url in record.get("links") or [] if url]
    if wikipedia_url := record.get("wikipedia_url"):
        links.append({"type": "wikipedia", "value": wikipedia_url})
    return links


def _types(record: dict, *, has_fundref: bool) -> list[str]:
    """Lower-cased types; `funder` added for FundRef records, as ROR's migration did."""
    types = {org_type.lower() for org_type in record.get("types") or []}
    if has_fundref:
        types.add("funder")
    return sorted(types)
