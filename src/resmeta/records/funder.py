"""InvenioRDM funder records, derived from ROR schema v2 records.

InvenioRDM fills its `funders` vocabulary from ROR with invenio-vocabularies' ROR transformer
(`contrib/common/ror/datastreams.py`); these are its rules, as the examples and fixtures in
`shared/data/funders/` show them (all 3,535 records of `funders_derived_from_ror_sample` are
reproduced exactly):

* `id`: the bare ROR ID. `name`: the `ror_display` name.
* `title`: `{lang: value}` for every name typed `label`, in the record's order, a label
  without a language counting as `en` (a later label of a language replaces an earlier one);
  then `en` is the display name when no label gave one.
* `acronym`: the first acronym. `aliases`: the aliases and the other acronyms, in the
  record's order, each once.
* `country`, `country_name`, `location_name`: from the first location.
* `identifiers`: the ROR ID first, then the record's GRID, ISNI and FundRef IDs in the
  record's order (the preferred value, else the first of `all`), FundRef as the DOI
  `10.13039/<id>` with scheme `doi`. Wikidata IDs are not carried over.
* `status`, `types` as in ROR.

What InvenioRDM adds when it stores a record: `created` and `updated`, here the ROR admin
dates (`admin.created.date`, `admin.last_modified.date`) at midnight UTC, in the examples'
format (`2022-06-02T14:14:49.783395+00:00`: always microseconds and the UTC offset);
`revision_id`, 2 as in every example (a record loaded once: created, then its PID
registered); `links.self`, `<base>/api/funders/<id>`.

Keys come in the order of the search hits of InvenioRDM's REST API documentation (`name`,
`country`, `identifiers`, `created`, `id`, `updated`, `revision_id`, `links`, `title`; each
identifier `identifier`, then `scheme`), the keys that example does not show placed beside
their kin. A key without a value is left out, never null.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from resmeta.records.ids import ROR_URL_PREFIX

FUNDREF_DOI_PREFIX = "10.13039"
REVISION_ID = 2
API_PATH = "/api/funders"
IDENTIFIER_SCHEMES = {"grid": "grid", "isni": "isni", "fundref": "doi"}
"""ROR external ID types carried over, and the scheme each becomes."""


def funder_record(ror: Mapping[str, Any], base_url: str = "") -> dict[str, Any]:
    """The InvenioRDM funder record of a ROR v2 record (a decoded JSON object).

    `links.self` is `base_url` + `/api/funders/<id>`: with the default, a path the API
    completes with its own scheme and host.
    """
    bare = str(ror["id"]).removeprefix(ROR_URL_PREFIX)
    name = None
    title: dict[str, str] = {}
    acronym = None
    aliases: list[str] = []
    for entry in ror.get("names") or ():
        value, types = entry["value"], entry.get("types") or ()
        if "ror_display" in types:
            name = value
        if "label" in types:
            title[entry.get("lang") or "en"] = value
        if "alias" in types and value not in aliases:
            aliases.append(value)
        if "acronym" in types:
            if acronym is None:
                acronym = value
            elif value not in aliases:
                aliases.append(value)
    if name is None:
        raise ValueError(f"{ror['id']}: no name of type ror_display")
    title.setdefault("en", name)

    locations = ror.get("locations") or ()
    place = (locations[0].get("geonames_details") or {}) if locations else {}

    identifiers = [{"identifier": bare, "scheme": "ror"}]
    for external in ror.get("external_ids") or ():
        scheme = IDENTIFIER_SCHEMES.get(external.get("type"))
        value = external.get("preferred") or next(iter(external.get("all") or ()), None)
        if scheme is None or not value:
            continue
        if scheme == "doi":
            value = f"{FUNDREF_DOI_PREFIX}/{value}"
        identifiers.append({"identifier": value, "scheme": scheme})

    admin = ror.get("admin") or {}
    record: dict[str, Any] = {
        "name": name,
        "acronym": acronym,
        "aliases": aliases,
        "country": place.get("country_code"),
        "country_name": place.get("country_name"),
        "location_name": place.get("name"),
        "identifiers": identifiers,
        "status": ror.get("status"),
        "types": list(ror.get("types") or ()),
        "created": timestamp((admin.get("created") or {}).get("date")),
        "id": bare,
        "updated": timestamp((admin.get("last_modified") or {}).get("date")),
        "revision_id": REVISION_ID,
        "links": {"self": f"{base_url}{API_PATH}/{bare}"},
        "title": title,
    }
    return {key: value for key, value in record.items() if value not in (None, [], "")}


def timestamp(date: str | None) -> str | None:
    """A ROR admin date (`YYYY-MM-DD`) as InvenioRDM writes times: midnight UTC, with
    microseconds (`2019-03-04T00:00:00.000000+00:00`)."""
    if not date:
        return None
    day = datetime.date.fromisoformat(date)
    moment = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    return moment.isoformat(timespec="microseconds")
