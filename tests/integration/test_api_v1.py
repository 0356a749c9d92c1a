"""ROR API v1 over HTTP: records equal to the dump's own v1 file, v1 filter keys, v1
`query.advanced` field names and v1 `meta`, all served from the one (v2) index."""

from __future__ import annotations

import functools
import json
import random
import zipfile

import pytest

from tests.integration.test_api_v2_dump import DUMP_PATH, country_codes, words

pytestmark = pytest.mark.integration

V1_FILE = "v2.9-2026-06-23-ror-data.json"
V1 = "/v1/organizations"


@functools.cache
def v1_records() -> dict[str, dict]:
    with zipfile.ZipFile(DUMP_PATH) as archive, archive.open(V1_FILE) as f:
        return {record["id"]: record for record in json.load(f)}


def derived(ror_id: str) -> bool:
    """Whether the dump's v1 record was derived from its v2 record, so that it can be
    rendered back exactly (see test_v1_subset.py; the others hold data v2 lacks)."""
    return v1_records()[ror_id]["addresses"][0]["country_geonames_id"] is None


def check_v1(item: dict) -> None:
    expected = v1_records()[item["id"]]
    if derived(item["id"]):
        assert json.dumps(item) == json.dumps(expected), item["id"]
    else:
        assert list(item) == [*V1_KEYS]
        assert (item["name"], item["status"]) == (expected["name"], expected["status"])


V1_KEYS = (
    "id name email_address ip_addresses established types relationships addresses links "
    "aliases acronyms status wikipedia_url labels country external_ids"
).split()


def v1_search(api, **params) -> dict:
    response = api.get(V1, params=params)
    assert response.status_code == 200, (params, response.text)
    return response.json()


def v2_count(api, **params) -> int:
    response = api.get("/v2/organizations", params=params)
    assert response.status_code == 200, (params, response.text)
    return response.json()["number_of_results"]


def test_records_equal_the_dumps_v1_file_key_order_included(api):
    sample = random.Random(7).sample(sorted(filter(derived, v1_records())), 300)
    for ror_id in sample:
        response = api.get(f"{V1}/{ror_id}")
        assert response.status_code == 200
        assert json.dumps(response.json()) == json.dumps(v1_records()[ror_id]), ror_id


def test_list_items_are_v1_records_of_the_same_results_as_v2(api):
    v1 = v1_search(api, query="university of oxford")
    v2 = api.get("/v2/organizations", params={"query": "university of oxford"}).json()
    assert v1["number_of_results"] == v2["number_of_results"]
    assert [item["id"] for item in v1["items"]] == [item["id"] for item in v2["items"]]
    for item in v1["items"]:
        check_v1(item)


def test_meta_has_types_titled_countries_and_statuses_but_no_continents(api):
    meta = v1_search(api)["meta"]
    assert list(meta) == ["types", "countries", "statuses"]
    v2_meta = api.get("/v2/organizations").json()["meta"]
    assert [(b["id"], b["count"]) for b in meta["types"]] == [
        (b["id"], b["count"]) for b in v2_meta["types"]
    ]
    assert all(b["title"] == b["id"].title() for b in meta["types"])
    assert meta["countries"] == v2_meta["countries"]
    assert meta["statuses"] == v2_meta["statuses"]


@pytest.mark.parametrize("value", ["Education", "education"])
def test_filter_types_in_title_or_lower_case(api, dump, value):
    body = v1_search(api, filter=f"types:{value}")
    assert body["number_of_results"] == dump.count(lambda r: "education" in r["types"])
    assert all("Education" in item["types"] for item in body["items"])


def test_filter_by_country_and_status(api, dump):
    body = v1_search(api, filter="country.country_code:GB,status:inactive")
    expected = dump.count(
        lambda r: "GB" in country_codes(r) and r["status"] == "inactive", dump.records
    )
    assert body["number_of_results"] == expected > 0
    assert all(item["country"]["country_code"] == "GB" for item in body["items"])


def test_v2_only_filter_keys_are_illegal_in_v1(api):
    response = api.get(V1, params={"filter": "locations.geonames_details.continent_code:EU"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "filter key 'locations.geonames_details.continent_code' is illegal"
    ]


@pytest.mark.parametrize(
    ("v1_query", "v2_query"),
    [
        ("country.country_code:NZ", "locations.geonames_details.country_code:NZ"),
        ("addresses.city:Auckland", "locations.geonames_details.name:Auckland"),
        (
            "types:Facility AND established:[1950 TO 1960]",
            "types:facility AND established:[1950 TO 1960]",
        ),
        ("external_ids.GRID.all:grid.4991.5", "external_ids.all:grid.4991.5"),
        ("relationships.type:Parent", "relationships.type:parent"),
    ],
)
def test_advanced_v1_field_names_search_the_same_records_as_their_v2_paths(api, v1_query, v2_query):
    count = v1_search(api, **{"query.advanced": v1_query})["number_of_results"]
    assert count == v2_count(api, **{"query.advanced": v2_query}) > 0


def test_advanced_name_acronyms_and_aliases_search_their_own_names(api, dump):
    named = v1_search(api, **{"query.advanced": 'name:"University of Oxford"'})["items"]
    assert named and all("oxford" in item["name"].lower() for item in named)
    acronym = v1_search(api, **{"query.advanced": "acronyms:MIT"})
    expected = dump.count(
        lambda r: any("acronym" in n["types"] and "mit" in words(n["value"]) for n in r["names"])
    )
    assert acronym["number_of_results"] == expected > 0
    assert all(any("mit" in words(a) for a in item["acronyms"]) for item in acronym["items"])
    # An acronym is not a display name: v1 `name:` does not find organizations by it.
    by_name = v1_search(api, **{"query.advanced": "name:MIT", "page_size": 100})["items"]
    assert by_name
    assert all("mit" in words(item["name"]) for item in by_name)


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("names.value:oxford", "unknown field 'names.value' in query.advanced"),
        ("aliases:*", "'aliases:*' and _exists_:aliases are not supported in v1"),
    ],
)
def test_advanced_v2_paths_and_unsupported_presence_are_400(api, query, error):
    response = api.get(V1, params={"query.advanced": query})
    assert response.status_code == 400
    assert response.json()["errors"] == [error]


def test_affiliation_answers_with_v1_organizations(api):
    body = v1_search(api, affiliation="Department of Physics, University of Oxford, UK")
    chosen = [item for item in body["items"] if item["chosen"]]
    assert len(chosen) == 1
    organization = chosen[0]["organization"]
    check_v1(organization)
    assert organization["name"] == "University of Oxford"


def test_unknown_id_is_404_and_heartbeat_answers(api):
    assert api.get(f"{V1}/000000000").status_code == 404
    assert api.get("/v1/heartbeat").text == "OK"


def test_page_size_sort_and_csv_work_in_v1_too(api):
    body = v1_search(api, sort="id", page_size=50)
    assert [item["id"] for item in body["items"]] == sorted(item["id"] for item in body["items"])
    assert len(body["items"]) == 50
    response = api.get(V1, params={"format": "csv", "page_size": "5"})
    assert response.headers["content-type"].startswith("text/csv")
    assert len(response.text.splitlines()) == 6
