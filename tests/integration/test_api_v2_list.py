"""GET /v2/organizations: response shape, paging, the active-only default and what lifts it."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from tests.integration.test_api_v2_dump import (
    LIST,
    PAGE_SIZE,
    ROR,
    bare,
    country_codes,
    display_name,
    exact,
)

pytestmark = pytest.mark.integration


def search(api, **params) -> dict:
    response = api.get(LIST, params=params)
    assert response.status_code == 200, (params, response.text)
    assert response.headers["content-type"] == "application/json"
    return response.json()


def total(api, **params) -> int:
    return search(api, **params)["number_of_results"]


def all_ids(api, **params) -> list[str]:
    """The IDs of every page of a result, in order; checks the page sizes on the way."""
    first = search(api, **params)
    count = first["number_of_results"]
    assert count <= 10_000, "too many results to page through"
    ids = [item["id"] for item in first["items"]]
    pages = -(-count // PAGE_SIZE)
    for page in range(2, pages + 1):
        body = search(api, page=page, **params)
        assert body["number_of_results"] == count
        expected_size = PAGE_SIZE if page < pages else count - PAGE_SIZE * (pages - 1)
        assert len(body["items"]) == expected_size, page
        ids += [item["id"] for item in body["items"]]
    return ids


def assert_400(response, errors: list[str]) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"errors": errors}


# -- shape ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [LIST, "/organizations"])
def test_shape_and_default_total(api, dump, path):
    response = api.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    pairs = json.loads(response.text, object_pairs_hook=lambda kv: kv)
    assert [key for key, _ in pairs] == ["number_of_results", "time_taken", "items", "meta"]
    body = response.json()
    assert body["number_of_results"] == len(dump.active)
    assert isinstance(body["time_taken"], int) and body["time_taken"] >= 0
    assert len(body["items"]) == PAGE_SIZE
    assert all(item["status"] == "active" for item in body["items"])
    assert list(body["meta"]) == ["types", "countries", "continents", "statuses"]


def test_pages_are_20_distinct_records(api):
    first = search(api)["items"]
    assert search(api, page="1")["items"] == first
    second = search(api, page=2)["items"]
    assert len(second) == PAGE_SIZE
    assert not {i["id"] for i in first} & {i["id"] for i in second}


def test_last_allowed_page_is_500(api, dump):
    body = search(api, page=500)
    assert body["number_of_results"] == len(dump.active)
    assert len(body["items"]) == PAGE_SIZE  # results 9,981 to 10,000 of 48,746


def test_page_past_the_results_is_empty(api, dump):
    expected = dump.count(lambda r: "other" in r["types"] and "FI" in country_codes(r))
    assert 0 < expected < 199 * PAGE_SIZE
    body = search(api, filter="types:other,country.country_code:FI", page=200)
    assert body["number_of_results"] == expected
    assert body["items"] == []


@pytest.mark.parametrize(
    "page", ["0", "501", "-1", "abc", "1.5", "", "1e2", "2 3", "99999999999999999999"]
)
def test_bad_page_is_400(api, page):
    response = api.get(LIST, params={"page": page})
    assert_400(response, [f"page '{page}' must be an integer between 1 and 500"])


# -- active only, unless... ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "true", "TRUE", "True", "tRuE"])
def test_all_status_lifts_the_active_only_rule(api, dump, value):
    body = search(api, all_status=value)
    assert body["number_of_results"] == len(dump.records)
    statuses = {b["id"]: b["count"] for b in body["meta"]["statuses"]}
    assert statuses == dict(Counter(r["status"] for r in dump.records))


@pytest.mark.parametrize("value", ["false", "FALSE", "False"])
def test_all_status_false_keeps_active_only(api, dump, value):
    assert total(api, all_status=value) == len(dump.active)


@pytest.mark.parametrize("value", ["yes", "1", "0", "truefalse"])
def test_bad_all_status_is_400(api, value):
    response = api.get(LIST, params={"all_status": value})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert len(errors) == 1 and "all_status" in errors[0] and value in errors[0]


def test_all_status_with_a_filter(api, dump):
    expected = dump.count(lambda r: "education" in r["types"], dump.records)
    assert total(api, filter="types:education", all_status="") == expected
    assert total(api, filter="types:education") == dump.count(lambda r: "education" in r["types"])


@pytest.mark.parametrize(
    "statuses", [["inactive"], ["withdrawn"], ["active"], ["inactive", "withdrawn"]]
)
def test_status_filter_lifts_the_rule(api, dump, statuses):
    expected = dump.count(lambda r: r["status"] in statuses, dump.records)
    body = search(api, filter=",".join(f"status:{s}" for s in statuses))
    assert body["number_of_results"] == expected
    assert {item["status"] for item in body["items"]} <= set(statuses)


@pytest.mark.parametrize(
    "advanced, predicate",
    [
        ("status:inactive", lambda r: r["status"] == "inactive"),
        ("status:(inactive OR withdrawn)", lambda r: r["status"] != "active"),
        (
            "types:education AND NOT status:active",
            lambda r: "education" in r["types"] and r["status"] != "active",
        ),
        (
            "types:archive OR status:withdrawn",
            lambda r: "archive" in r["types"] or r["status"] == "withdrawn",
        ),
    ],
)
def test_query_advanced_naming_status_lifts_the_rule(api, dump, advanced, predicate):
    assert total(api, **{"query.advanced": advanced}) == dump.count(predicate, dump.records)


def test_query_advanced_without_status_is_active_only(api, dump):
    expected = dump.count(lambda r: "archive" in r["types"])
    assert expected < dump.count(lambda r: "archive" in r["types"], dump.records)
    assert total(api, **{"query.advanced": "types:archive"}) == expected


@pytest.mark.parametrize("status", ["inactive", "withdrawn"])
def test_query_that_is_a_ror_id_finds_any_status(api, dump, status):
    record = next(r for r in reversed(dump.records) if r["status"] == status)
    ror_id = bare(record)
    for form in (ror_id, ROR + ror_id, "http://ror.org/" + ror_id, "ror.org/" + ror_id):
        body = search(api, query=form)
        assert body["number_of_results"] == 1, form
        assert body["items"][0]["id"] == record["id"]


def test_query_by_name_is_active_only(api, dump):
    """An inactive record with a name no other record has is found only with all_status."""
    display_counts = Counter(exact(n["value"]) for r in dump.records for n in r["names"])
    record = next(
        r
        for r in dump.records
        if r["status"] == "inactive"
        and display_counts[exact(display_name(r))] == 1
        and len(exact(display_name(r)).split()) >= 2
    )
    name = display_name(record)
    assert record["id"] not in {i["id"] for i in search(api, query=name)["items"]}
    assert search(api, query=name, all_status="")["items"][0]["id"] == record["id"]


# -- paging is stable ------------------------------------------------------------------------


def closest_to(counter: Counter, target: int):
    return min(counter.items(), key=lambda kv: (abs(kv[1] - target), kv[0]))[0]


def test_paging_a_filter_listing_neither_repeats_nor_skips(api, dump):
    pairs = Counter((t, c) for r in dump.active for t in set(r["types"]) for c in country_codes(r))
    org_type, country = closest_to(pairs, 300)
    expected = dump.ids(lambda r: org_type in r["types"] and country in country_codes(r))
    ids = all_ids(api, filter=f"types:{org_type},country.country_code:{country}")
    assert len(ids) == len(set(ids)) == len(expected)
    assert set(ids) == expected
    # README: ties (here every record scores the same) keep the dump order, by ROR ID.
    assert ids == sorted(ids)


def test_paging_a_relevance_ranked_query_neither_repeats_nor_skips(api, dump):
    per_country = Counter(
        c for r in dump.active if "university" in dump.name_words(r) for c in country_codes(r)
    )
    country = closest_to(per_country, 300)
    expected = dump.ids(
        lambda r: "university" in dump.name_words(r) and country in country_codes(r)
    )
    ids = all_ids(api, query="university", filter=f"country.country_code:{country}")
    assert len(ids) == len(set(ids)) == len(expected)
    assert set(ids) == expected


def test_paging_a_large_query_never_repeats(api, dump):
    expected = dump.count(lambda r: "university" in dump.name_words(r))
    seen: list[str] = []
    for page in range(1, 11):
        body = search(api, query="university", page=page)
        assert body["number_of_results"] == expected
        assert len(body["items"]) == PAGE_SIZE
        seen += [item["id"] for item in body["items"]]
    assert len(seen) == len(set(seen)) == 200


def test_the_same_page_is_identical_on_every_request(api):
    """Two workers serve the requests: the order must not depend on which one answers."""
    for params in (
        {"query": "institute of technology", "page": 7},
        {"page": 123},
        {"query.advanced": "types:company", "page": 42},
    ):
        pages = {tuple(i["id"] for i in search(api, **params)["items"]) for _ in range(8)}
        assert len(pages) == 1, params
