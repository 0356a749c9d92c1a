"""`query.advanced`: Lucene query-string syntax over the v2 fields, counted against the dump.

Every expected count is computed from the dump in Python, over active records only unless
the query names `status` (the default rule). Keyword fields (types, status, id, domains,
links, external IDs, codes) match whole values, case-insensitively; text fields (names,
place, country, continent and subdivision names, relationship labels) match words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.integration.test_api_v2_dump import (
    LIST,
    bare,
    fold,
    fresh_client,
    geo_values,
    words,
)

pytestmark = pytest.mark.integration

CALTECH = "https://ror.org/05dxps055"


@pytest.fixture(scope="module")
def fresh(server) -> Iterator[httpx.Client]:
    yield from fresh_client(server)


def advanced(api, query: str, **params) -> dict:
    response = api.get(LIST, params={"query.advanced": query, **params})
    assert response.status_code == 200, (query, response.text)
    return response.json()


# -- predicates over dump records ----------------------------------------------------------------


def kw(value: str) -> str:
    return fold(value)


def has_words(texts, wanted: str) -> bool:
    """Some text holds the words of `wanted` as a phrase."""
    phrase = words(wanted)
    for text in texts:
        tokens = words(text or "")
        if any(tokens[i : i + len(phrase)] == phrase for i in range(len(tokens))):
            return True
    return False


def name_values(r):
    return [n["value"] for n in r["names"]]


def geo(r, key):
    return geo_values(r, key)


def ext(r, key):
    values = set()
    for e in r["external_ids"]:
        item = e[key]
        values.update(item if isinstance(item, list) else [item])
    return {kw(v) for v in values if v}


def est_between(low, high):
    return lambda r: r["established"] is not None and low <= r["established"] <= high


Case = tuple[str, Callable[[dict], bool]]

CASES: list[Case] = [
    # keywords, AND as the default operator, case-insensitive values
    (
        "types:education AND locations.geonames_details.country_code:GB",
        lambda r: "education" in r["types"] and "GB" in geo(r, "country_code"),
    ),
    (
        "types:education locations.geonames_details.country_code:GB",
        lambda r: "education" in r["types"] and "GB" in geo(r, "country_code"),
    ),
    ("types:EDUCATION", lambda r: "education" in r["types"]),
    ("types:Healthcare", lambda r: "healthcare" in r["types"]),
    (
        "types:education AND NOT types:funder",
        lambda r: "education" in r["types"] and "funder" not in r["types"],
    ),
    (
        "types:(education OR healthcare) AND locations.geonames_details.country_code:fr",
        lambda r: {"education", "healthcare"} & set(r["types"]) and "FR" in geo(r, "country_code"),
    ),
    ("types:archive OR types:facility", lambda r: {"archive", "facility"} & set(r["types"])),
    # numbers and dates: ranges, comparisons
    ("established:[1900 TO 1950]", est_between(1900, 1950)),
    ("established:{1900 TO 1950}", est_between(1901, 1949)),
    ("established:[1990 TO *]", est_between(1990, 10_000)),
    ("established:>2015", est_between(2016, 10_000)),
    ("established:<=1500", est_between(-10_000, 1500)),
    ("established:1891", est_between(1891, 1891)),
    (
        "admin.last_modified.date:>=2025-01-01",
        lambda r: r["admin"]["last_modified"]["date"] >= "2025-01-01",
    ),
    (
        "admin.created.date:[2020-01-01 TO 2020-12-31]",
        lambda r: "2020-01-01" <= r["admin"]["created"]["date"] <= "2020-12-31",
    ),
    ("admin.created.date:2018-11-14", lambda r: r["admin"]["created"]["date"] == "2018-11-14"),
    (
        "admin.created.schema_version:1.0",
        lambda r: r["admin"]["created"]["schema_version"] == "1.0",
    ),
    (
        "admin.last_modified.schema_version:2.1",
        lambda r: r["admin"]["last_modified"]["schema_version"] == "2.1",
    ),
    (
        "locations.geonames_details.lat:[50 TO 51.5]",
        lambda r: any(50 <= v <= 51.5 for v in geo(r, "lat")),
    ),
    (
        "locations.geonames_details.lng:[-1 TO 1] AND locations.geonames_details.lat:>45",
        lambda r: (
            any(-1 <= loc["geonames_details"]["lng"] <= 1 for loc in r["locations"])
            and any(v > 45 for v in geo(r, "lat"))
        ),
    ),
    (
        "locations.geonames_id:2988507",
        lambda r: any(loc["geonames_id"] == 2988507 for loc in r["locations"]),
    ),
    # names: words, phrases, wildcards, regular expressions
    ("names.value:oxford", lambda r: has_words(name_values(r), "oxford")),
    (
        'names.value:"institute of technology"',
        lambda r: has_words(name_values(r), "institute of technology"),
    ),
    (
        "names.value:polyt*",
        lambda r: any(w.startswith("polyt") for n in name_values(r) for w in words(n)),
    ),
    (
        "names.value:/cambr.*/",
        lambda r: any(w.startswith("cambr") for n in name_values(r) for w in words(n)),
    ),
    ("names.value:Université", lambda r: has_words(name_values(r), "universite")),
    ("names.types:acronym", lambda r: any("acronym" in n["types"] for n in r["names"])),
    ("names.lang:fr", lambda r: any(n["lang"] == "fr" for n in r["names"])),
    # domains, links, external IDs
    ("domains:*.edu", lambda r: any(d.lower().endswith(".edu") for d in r["domains"])),
    ("domains:CALTECH.EDU", lambda r: "caltech.edu" in r["domains"]),
    ("_exists_:domains", lambda r: bool(r["domains"])),
    ("_exists_:established", lambda r: r["established"] is not None),
    ("NOT _exists_:established", lambda r: r["established"] is None),
    (
        "_exists_:relationships.type AND types:funder",
        lambda r: bool(r["relationships"]) and "funder" in r["types"],
    ),
    ("links.type:wikipedia", lambda r: any(x["type"] == "wikipedia" for x in r["links"])),
    ("links.type:WEBSITE", lambda r: any(x["type"] == "website" for x in r["links"])),
    (
        r"links.value:https\://www.caltech.edu",
        lambda r: any(kw(x["value"]) == "https://www.caltech.edu" for x in r["links"]),
    ),
    (
        "external_ids.type:isni AND NOT external_ids.type:wikidata",
        lambda r: "isni" in ext(r, "type") and "wikidata" not in ext(r, "type"),
    ),
    ("external_ids.all:grid.20861.3d", lambda r: "grid.20861.3d" in ext(r, "all")),
    ('external_ids.all:"0000 0001 0706 8890"', lambda r: "0000 0001 0706 8890" in ext(r, "all")),
    ("external_ids.all:q161562", lambda r: "q161562" in ext(r, "all")),
    ("external_ids.preferred:100006961", lambda r: "100006961" in ext(r, "preferred")),
    (
        "external_ids.preferred:grid.*",
        lambda r: any(v.startswith("grid.") for v in ext(r, "preferred")),
    ),
    # ids, escaped characters
    (r"id:https\://ror.org/05dxps055", lambda r: r["id"] == CALTECH),
    ("id:05dxps055", lambda r: r["id"] == CALTECH),
    (
        r"relationships.id:https\://ror.org/02feahw73",
        lambda r: any(x["id"] == "https://ror.org/02feahw73" for x in r["relationships"]),
    ),
    ("relationships.type:parent", lambda r: any(x["type"] == "parent" for x in r["relationships"])),
    (
        "relationships.type:Successor",
        lambda r: any(x["type"] == "successor" for x in r["relationships"]),
    ),
    (
        'relationships.label:"Centre National de la Recherche Scientifique"',
        lambda r: has_words(
            [x["label"] for x in r["relationships"]], "Centre National de la Recherche Scientifique"
        ),
    ),
    # places
    ("locations.geonames_details.name:Paris", lambda r: has_words(geo(r, "name"), "paris")),
    (
        'locations.geonames_details.country_name:"United Kingdom"',
        lambda r: has_words(geo(r, "country_name"), "United Kingdom"),
    ),
    (
        "locations.geonames_details.country_subdivision_code:idf",
        lambda r: "IDF" in geo(r, "country_subdivision_code"),
    ),
    (
        "locations.geonames_details.country_subdivision_name:California",
        lambda r: has_words(geo(r, "country_subdivision_name"), "california"),
    ),
    ("locations.geonames_details.continent_code:OC", lambda r: "OC" in geo(r, "continent_code")),
    (
        'locations.geonames_details.continent_name:"South America"',
        lambda r: "South America" in geo(r, "continent_name"),
    ),
]


@pytest.mark.parametrize("query, predicate", CASES, ids=[c[0] for c in CASES])
def test_count_matches_the_dump(fresh, dump, query, predicate):
    expected = dump.count(predicate)
    assert expected > 0, "choose a query with results"
    body = advanced(fresh, query)
    assert body["number_of_results"] == expected
    for item in body["items"]:
        assert item["status"] == "active"
        assert predicate(dump.by_id[item["id"]]), item["id"]


def test_escaped_id_finds_one_record(api, dump):
    body = advanced(api, r"id:https\://ror.org/05dxps055")
    assert [item["id"] for item in body["items"]] == [CALTECH]


def test_escaped_id_of_an_inactive_record_needs_all_status(api, dump):
    record = next(r for r in dump.records if r["status"] == "inactive")
    query = "id:https\\://ror.org/" + bare(record)
    assert advanced(api, query)["number_of_results"] == 0
    assert [i["id"] for i in advanced(api, query, all_status="")["items"]] == [record["id"]]


def test_keyword_matching_is_case_insensitive(api):
    lower = advanced(api, "types:education AND locations.geonames_details.country_code:gb")
    upper = advanced(api, "types:EDUCATION AND locations.geonames_details.country_code:GB")
    assert lower["number_of_results"] == upper["number_of_results"] > 0
    assert [i["id"] for i in lower["items"]] == [i["id"] for i in upper["items"]]


@pytest.mark.parametrize(
    "query, name",
    [
        ("foo:bar", "foo"),
        ("names.foo:bar", "names.foo"),
        ("types:education AND country_code:GB", "country_code"),
        ("_exists_:nope", "nope"),
        ("name:oxford", "name"),
    ],
)
def test_unknown_field_is_400_naming_it(api, query, name):
    response = api.get(LIST, params={"query.advanced": query})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert f"'{name}'" in errors[0]


@pytest.mark.parametrize(
    "query",
    [
        "(oxford",
        "types:education AND",
        "established:[1900 TO",
        '"unclosed',
        "names.value:)",
        "AND OR",
        "types:education)",
    ],
)
def test_syntax_error_is_400(api, query):
    response = api.get(LIST, params={"query.advanced": query})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    errors = response.json()["errors"]
    assert len(errors) == 1
    assert "syntax" in errors[0].lower() or "parse" in errors[0].lower(), errors


@pytest.mark.parametrize(
    "query, value",
    [
        ("established:abc", "abc"),
        ("admin.created.date:yesterday", "yesterday"),
        ("locations.geonames_details.lat:north", "north"),
    ],
)
def test_value_of_the_wrong_type_is_400_naming_it(api, query, value):
    response = api.get(LIST, params={"query.advanced": query})
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert len(errors) == 1 and value in errors[0]
