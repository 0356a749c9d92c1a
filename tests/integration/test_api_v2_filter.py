"""`filter=key:value,...` counted against the dump, and `meta` (the facets of a result)."""

from __future__ import annotations

import pytest

from tests.integration.test_api_v2_dump import (
    Dump,
    country_codes,
    geo_values,
    search,
)

pytestmark = pytest.mark.integration


def geo(r, key):
    return {v.lower() for v in geo_values(r, key)}


def has_type(*types):
    return lambda r: bool(set(types) & set(r["types"]))


def in_country(*codes):
    return lambda r: bool({c.lower() for c in codes} & geo(r, "country_code"))


CASES = [
    ("types:education", has_type("education")),
    ("types:EDUCATION", has_type("education")),
    ("types:Funder", has_type("funder")),
    ("country.country_code:GB", in_country("gb")),
    ("country.country_code:gb", in_country("gb")),
    ("locations.geonames_details.country_code:jp", in_country("jp")),
    ("country.country_name:United Kingdom", lambda r: "united kingdom" in geo(r, "country_name")),
    ("country.country_name:UNITED KINGDOM", lambda r: "united kingdom" in geo(r, "country_name")),
    ("locations.geonames_details.country_name:japan", lambda r: "japan" in geo(r, "country_name")),
    (
        "locations.geonames_details.country_name:Türkiye",
        lambda r: "türkiye" in geo(r, "country_name"),
    ),
    ("locations.geonames_details.continent_code:OC", lambda r: "oc" in geo(r, "continent_code")),
    ("locations.geonames_details.continent_code:sa", lambda r: "sa" in geo(r, "continent_code")),
    (
        "locations.geonames_details.continent_name:South America",
        lambda r: "south america" in geo(r, "continent_name"),
    ),
    (
        "locations.geonames_details.continent_name:south america",
        lambda r: "south america" in geo(r, "continent_name"),
    ),
    (
        "locations.geonames_details.continent_name:EUROPE",
        lambda r: "europe" in geo(r, "continent_name"),
    ),
    # README: "continent names work as well as codes"
    (
        "locations.geonames_details.continent_code:Europe",
        lambda r: "eu" in geo(r, "continent_code"),
    ),
    # the same key twice: either value
    ("types:archive,types:facility", has_type("archive", "facility")),
    ("country.country_code:GB,country.country_code:IE", in_country("gb", "ie")),
    (
        "locations.geonames_details.continent_code:AF,locations.geonames_details.continent_code:OC",
        lambda r: bool({"af", "oc"} & geo(r, "continent_code")),
    ),
    # different keys: both
    (
        "types:education,country.country_code:GB",
        lambda r: has_type("education")(r) and in_country("gb")(r),
    ),
    (
        "country.country_code:FR,types:healthcare,types:education,country.country_code:BE",
        lambda r: has_type("healthcare", "education")(r) and in_country("fr", "be")(r),
    ),
    (
        "types:company,locations.geonames_details.continent_name:Asia",
        lambda r: has_type("company")(r) and "asia" in geo(r, "continent_name"),
    ),
    # Two keys naming the same data are still different keys, so both must hold (as in ROR,
    # where each key is its own filter): records located in the US *and* in Canada.
    (
        "country.country_code:US,locations.geonames_details.country_code:CA",
        lambda r: in_country("us")(r) and in_country("ca")(r),
    ),
]


@pytest.mark.parametrize("value, predicate", CASES, ids=[c[0] for c in CASES])
def test_filter_count_matches_the_dump(api, dump, value, predicate):
    expected = dump.count(predicate)
    assert expected > 0
    body = search(api, filter=value)
    assert body["number_of_results"] == expected
    for item in body["items"]:
        assert predicate(dump.by_id[item["id"]]), item["id"]


def test_same_key_widens_and_other_key_narrows(api):
    education = search(api, filter="types:education")["number_of_results"]
    either = search(api, filter="types:education,types:healthcare")["number_of_results"]
    both = search(api, filter="types:education,country.country_code:GB")["number_of_results"]
    assert both < education < either


COMMA_COUNTRY = "Bonaire, Sint Eustatius, and Saba"


@pytest.fixture(scope="module")
def comma_country(dump) -> str:
    names = {n for r in dump.records for n in geo_values(r, "country_name") if "," in n}
    if COMMA_COUNTRY not in names:
        pytest.skip(f"the dump has no country name with a comma like {COMMA_COUNTRY!r}")
    return COMMA_COUNTRY


@pytest.mark.parametrize("key", ["country.country_name", "locations.geonames_details.country_name"])
def test_country_name_with_commas(api, dump, comma_country, key):
    in_country = dump.ids(lambda r: comma_country in geo_values(r, "country_name"))
    assert in_country
    body = search(api, filter=f"{key}:{comma_country}")
    assert body["number_of_results"] == len(in_country)
    assert {i["id"] for i in body["items"]} == in_country
    lower = search(api, filter=f"{key}:{comma_country.lower()}")
    assert lower["number_of_results"] == len(in_country)
    some_type = dump.by_id[min(in_country)]["types"][0]
    for value in (
        f"{key}:{comma_country},types:{some_type}",
        f"types:{some_type},{key}:{comma_country}",
    ):
        expected = {i for i in in_country if some_type in dump.by_id[i]["types"]}
        body = search(api, filter=value)
        assert {i["id"] for i in body["items"]} == expected, value


# -- meta --------------------------------------------------------------------------------------


def assert_meta(dump: Dump, meta: dict, records: list[dict]) -> None:
    expected = dump.facets(records)
    assert list(meta) == ["types", "countries", "continents", "statuses"]
    for facet, buckets in meta.items():
        for bucket in buckets:
            assert list(bucket) == ["id", "title", "count"]
            assert bucket["id"] == bucket["id"].lower()
        assert [(b["id"], b["count"]) for b in buckets] == expected[facet], facet
    for bucket in meta["types"] + meta["statuses"]:
        assert bucket["title"] == bucket["id"]
    for bucket in meta["countries"]:
        names = dump.country_titles[bucket["id"]]
        assert bucket["title"] in names, bucket
        if len(names) == 1:
            assert bucket["title"] == next(iter(names))
    for bucket in meta["continents"]:
        assert bucket["title"] == dump.continent_titles[bucket["id"]]


def test_meta_of_a_filtered_listing(api, dump):
    body = search(api, filter="types:funder")
    records = [r for r in dump.active if "funder" in r["types"]]
    assert body["number_of_results"] == len(records)
    assert_meta(dump, body["meta"], records)
    assert len(body["meta"]["countries"]) == 10
    assert body["meta"]["countries"][0]["count"] > len(body["items"])  # the whole result


def test_meta_of_a_query(api, dump):
    body = search(api, query="university", page=4)
    records = [r for r in dump.active if "university" in dump.name_words(r)]
    assert_meta(dump, body["meta"], records)


def test_meta_of_the_default_listing(api, dump):
    body = search(api)
    assert_meta(dump, body["meta"], dump.active)
    assert body["meta"]["statuses"] == [
        {"id": "active", "title": "active", "count": len(dump.active)}
    ]


def test_meta_with_every_status(api, dump):
    body = search(api, filter="country.country_code:DE", all_status="true")
    records = [r for r in dump.records if "DE" in country_codes(r)]
    assert_meta(dump, body["meta"], records)
    assert len(body["meta"]["statuses"]) == 3


def test_meta_of_an_advanced_query_across_continents(api, dump):
    query = "types:healthcare AND established:[1950 TO 2000]"
    body = search(api, **{"query.advanced": query})
    records = [
        r
        for r in dump.active
        if "healthcare" in r["types"]
        and r["established"] is not None
        and 1950 <= r["established"] <= 2000
    ]
    assert_meta(dump, body["meta"], records)
    assert len(body["meta"]["continents"]) >= 5


def test_meta_titles_of_well_known_places(api):
    meta = search(api, filter="country.country_code:GB,country.country_code:JP")["meta"]
    countries = {b["id"]: b["title"] for b in meta["countries"]}
    continents = {b["id"]: b["title"] for b in meta["continents"]}
    assert (countries["gb"], countries["jp"]) == ("United Kingdom", "Japan")
    assert (continents["eu"], continents["as"]) == ("Europe", "Asia")


def test_meta_of_an_empty_result(api):
    body = search(api, query="qxzzyv")
    assert body["number_of_results"] == 0
    assert body["meta"] == {"types": [], "countries": [], "continents": [], "statuses": []}
