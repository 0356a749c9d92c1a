"""GET /v2/organizations/{id}: accepted ID forms, statuses, errors, the exact ROR v2 rendering."""

from __future__ import annotations

import json
import random
from urllib.parse import quote

import pytest

from tests.integration.test_api_v2_dump import (
    RECORD_KEYS,
    ROR,
    SORT_KEY,
    Dump,
    bare,
    comparable_served,
    expected_rendering,
    ordered,
)

pytestmark = pytest.mark.integration

PREFIXES = ("/v2/organizations/", "/organizations/")


def first_with_status(dump: Dump, status: str) -> dict:
    return next(r for r in dump.records if r["status"] == status)


def id_forms(ror_id: str) -> list[str]:
    """Every form of a ROR ID a client may send, as it appears in the request path."""
    plain = [ROR + ror_id, "http://ror.org/" + ror_id, "ror.org/" + ror_id, ror_id]
    encoded = [quote(form, safe="") for form in plain[:3]]
    return plain + encoded


def assert_json_errors(response, status: int, errors: list[str]) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"errors": errors}


def assert_renders_like_ror(served: dict, record: dict) -> None:
    for list_name, key in SORT_KEY.items():
        keys = [item[key] for item in served[list_name]]
        assert keys == sorted(keys), f"{record['id']}: {list_name} not sorted by {key}"
    assert ordered(comparable_served(served)) == ordered(expected_rendering(record)), record["id"]


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize("status", ["active", "inactive", "withdrawn"])
def test_every_id_form_returns_the_record_of_any_status(api, dump, prefix, status):
    record = first_with_status(dump, status)
    for form in id_forms(bare(record)):
        response = api.get(prefix + form)
        assert response.status_code == 200, (form, response.text)
        assert response.headers["content-type"] == "application/json"
        served = response.json()
        assert served["id"] == record["id"], form
        assert served["status"] == status
        assert_renders_like_ror(served, record)


@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.parametrize(
    "given",
    [
        "abc",
        "05dxps05",  # too short
        "05dxps0555",  # too long
        "15dxps055",  # must start with 0
        "05dxps0a5",  # must end with two digits
        "0_dxps055",
        "https://ror.org/abc",
        "https://example.org/05dxps055",
        "ror.org/05dxps05",
        "foo bar",
        "grid.20861.3d",
    ],
)
def test_invalid_id_is_404_naming_the_input(api, prefix, given):
    response = api.get(prefix + quote(given, safe=":/"))
    assert_json_errors(response, 404, [f"'{given}' is not a valid ROR ID"])


@pytest.mark.parametrize("prefix", PREFIXES)
def test_unknown_id_is_404_with_its_url(api, dump, prefix):
    unknown = [f"0{s}{n:02d}" for s, n in (("abcdef", 12), ("zzzzzz", 99), ("000000", 0))]
    for ror_id in unknown:
        assert ROR + ror_id not in dump.by_id
        for form in id_forms(ror_id):
            response = api.get(prefix + form)
            assert_json_errors(response, 404, [f"ROR ID '{ROR}{ror_id}' does not exist"])


def rendering_sample(dump: Dump) -> list[dict]:
    """300 records: a seeded random sample plus the records with the most complex lists."""
    rng = random.Random(2026_06_23)
    chosen = {r["id"]: r for r in rng.sample(dump.records, 240)}
    busiest = {
        "locations": lambda r: len(r["locations"]),
        "relationships": lambda r: len(r["relationships"]),
        "names": lambda r: len(r["names"]),
        "external_ids": lambda r: len(r["external_ids"]),
        "links": lambda r: len(r["links"]),
        "domains": lambda r: len(r["domains"]),
    }
    for size in busiest.values():
        for record in sorted(dump.records, key=lambda r: (-size(r), r["id"]))[:10]:
            chosen.setdefault(record["id"], record)
    for record in rng.sample([r for r in dump.records if r["status"] != "active"], 20):
        chosen.setdefault(record["id"], record)
    return list(chosen.values())


def test_sample_renders_exactly_like_ror_v2(api, dump):
    sample = rendering_sample(dump)
    assert len(sample) >= 290
    for record in sample:
        response = api.get("/v2/organizations/" + bare(record))
        assert response.status_code == 200, record["id"]
        assert_renders_like_ror(response.json(), record)


def test_raw_response_key_order(api, dump):
    record = max(dump.records, key=lambda r: (len(r["locations"]), len(r["relationships"])))
    response = api.get("/v2/organizations/" + bare(record))
    pairs = json.loads(response.text, object_pairs_hook=lambda kv: kv)
    assert [key for key, _ in pairs] == list(RECORD_KEYS)
    assert response.text.startswith('{"admin":{"created":{"date":')
    served = dict(pairs)
    assert [k for k, _ in served["admin"]] == ["created", "last_modified"]
    for location in served["locations"]:
        assert [k for k, _ in location] == ["geonames_details", "geonames_id"]
        details = dict(location)["geonames_details"]
        assert [k for k, _ in details] == sorted(k for k, _ in details)
        assert len(details) == 9
    for name in served["names"]:
        assert [k for k, _ in name] == ["lang", "types", "value"]
    for relation in served["relationships"]:
        assert [k for k, _ in relation] == ["label", "type", "id"]
    for external_id in served["external_ids"]:
        assert [k for k, _ in external_id] == ["all", "preferred", "type"]


def test_every_field_is_present_even_when_empty(api, dump):
    record = next(
        r
        for r in dump.records
        if r["established"] is None
        and not r["domains"]
        and not r["relationships"]
        and not r["links"]
    )
    served = api.get("/v2/organizations/" + bare(record)).json()
    assert list(served) == list(RECORD_KEYS)
    assert served["established"] is None
    assert served["domains"] == served["relationships"] == served["links"] == []


def test_listing_items_render_like_retrieve(api, dump):
    items = api.get("/v2/organizations", params={"query": "university", "page": 3}).json()["items"]
    assert len(items) == 20
    for item in items:
        single = api.get("/v2/organizations/" + bare(item["id"])).json()
        assert ordered(item) == ordered(single)
        assert_renders_like_ror(item, dump.by_id[item["id"]])
