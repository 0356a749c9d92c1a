"""resmeta's extensions of the ROR list API: page_size, sort and format=csv, over HTTP."""

from __future__ import annotations

import csv
import io

import pytest

from tests.integration.test_api_v2_dump import LIST, display_name, exact, search

pytestmark = pytest.mark.integration


def ids(body: dict) -> list[str]:
    return [item["id"] for item in body["items"]]


# -- page_size --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 7, 100])
def test_page_size_pages_the_same_order_as_the_default(api, size):
    default = ids(search(api, page=1)) + ids(search(api, page=2))
    window = ids(search(api, page_size=size, page=1)) + ids(search(api, page_size=size, page=2))
    assert len(window) == 2 * size
    assert window[: min(40, 2 * size)] == default[: min(40, 2 * size)]


def test_page_size_keeps_the_ten_thousand_result_window(api):
    assert len(ids(search(api, page_size=100, page=100))) == 100
    response = api.get(LIST, params={"page_size": "100", "page": "101"})
    assert response.status_code == 400
    assert "between 1 and 100" in response.json()["errors"][0]


@pytest.mark.parametrize("size", ["0", "101", "-5", "ten", ""])
def test_a_bad_page_size_is_a_400_naming_it(api, size):
    response = api.get(LIST, params={"page_size": size})
    assert response.status_code == 400
    assert response.json()["errors"] == [f"page_size '{size}' must be an integer between 1 and 100"]


# -- sort -------------------------------------------------------------------------------------


@pytest.mark.parametrize("direction", ["", ":asc", ":desc"])
def test_sort_by_id(api, dump, direction):
    served = ids(search(api, sort="id" + direction, page_size=100)) + ids(
        search(api, sort="id" + direction, page_size=100, page=2)
    )
    expected = sorted((r["id"] for r in dump.active), reverse=direction == ":desc")[:200]
    assert served == expected


@pytest.mark.parametrize("descending", [False, True])
def test_sort_by_name_orders_the_words_of_display_names(api, dump, descending):
    """Case, accents, punctuation and a leading "The" do not count."""
    body = search(api, sort="name:desc" if descending else "name", page_size=100)
    names = [exact(display_name(item)) for item in body["items"]]
    assert names == sorted(names, reverse=descending)
    everything = sorted((exact(display_name(r)) for r in dump.active), reverse=descending)
    assert names == everything[:100]


def test_sort_by_established_puts_records_without_a_year_last(api, dump):
    newest = [item["established"] for item in search(api, sort="established:desc")["items"]]
    assert newest == sorted(newest, reverse=True)
    assert newest[0] == max(r["established"] or 0 for r in dump.active)
    archives = [r for r in dump.active if "archive" in r["types"]]
    without = sum(1 for r in archives if r["established"] is None)
    last_page = -(-len(archives) // 100)
    tail = search(api, sort="established", filter="types:archive", page_size=100, page=last_page)[
        "items"
    ]
    assert without > len(tail)  # the whole last page is records without a year
    assert all(item["established"] is None for item in tail)


def test_sort_by_last_modified(api):
    dates = [
        item["admin"]["last_modified"]["date"]
        for item in search(api, sort="last_modified:desc", page_size=50)["items"]
    ]
    assert dates == sorted(dates, reverse=True)


def test_sort_overrides_relevance_but_not_the_matches(api):
    by_relevance = search(api, query="oxford", page_size=100)
    by_id = search(api, query="oxford", sort="id", page_size=100)
    assert by_id["number_of_results"] == by_relevance["number_of_results"]
    assert ids(by_id) == sorted(ids(by_id))
    assert ids(by_id) != ids(by_relevance)
    assert ids(search(api, query="oxford", sort="relevance")) == ids(by_relevance)[:20]


@pytest.mark.parametrize("value", ["size", "name:up", "relevance:desc", ":desc"])
def test_a_bad_sort_is_a_400_naming_the_choices(api, value):
    response = api.get(LIST, params={"sort": value})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error.startswith(f"sort '{value}' must be one of relevance, name, id, established")


# -- format=csv -------------------------------------------------------------------------------


def test_csv_has_one_row_per_record_of_the_json_page(api, dump):
    params = {"filter": "types:funder", "page": "3", "page_size": "40"}
    response = api.get(LIST, params={**params, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    page = api.get(LIST, params=params).json()
    assert response.headers["x-number-of-results"] == str(page["number_of_results"])
    assert [row["id"] for row in rows] == ids(page)
    for row in rows:
        record = dump.by_id[row["id"]]
        assert row["name"] == display_name(record)
        assert row["types"].split("; ") == record["types"]
        assert row["status"] == record["status"]
        assert row["established"] == str(record["established"] or "")
        first = record["locations"][0]["geonames_details"]
        assert (row["country_code"], row["city"]) == (first["country_code"], first["name"])
        assert row["links"] == "; ".join(link["value"] for link in record["links"])
        fundref = next(e for e in record["external_ids"] if e["type"] == "fundref")
        assert row["fundref"] == (fundref["preferred"] or "; ".join(fundref["all"]))


def test_csv_of_a_search_with_no_result_is_the_header_only(api):
    response = api.get(LIST, params={"query.advanced": "established:[1 TO 2]", "format": "csv"})
    assert response.status_code == 200
    assert response.text.splitlines() == [
        "id,name,types,status,established,country_code,country_name,city,links,isni,grid,"
        "wikidata,fundref"
    ]


def test_a_bad_format_is_a_400(api):
    response = api.get(LIST, params={"format": "xml"})
    assert response.status_code == 400
    assert response.json()["errors"] == ["format 'xml' must be one of: json, csv"]
