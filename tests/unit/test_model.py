import json

import pytest

from resmeta.records.model import RecordError, render_v2, validate
from tests.factory import V2_KEYS, make_record


def test_render_orders_keys_and_lists_like_ror():
    record = make_record(
        "Zeta Institute",
        types=["funder", "education"],
        domains=["b.org", "a.org"],
        links=[
            {"value": "https://w.org", "type": "wikipedia"},
            {"value": "https://x.org", "type": "website"},
        ],
        relationships=[
            {"type": "related", "id": "https://ror.org/05dxps055", "label": "B"},
            {"id": "https://ror.org/03vek6s52", "type": "parent", "label": "A"},
        ],
    )
    rendered = json.loads(render_v2(validate(record)))
    assert list(rendered) == list(V2_KEYS)
    assert rendered["types"] == ["education", "funder"]
    assert rendered["domains"] == ["a.org", "b.org"]
    assert [link["type"] for link in rendered["links"]] == ["website", "wikipedia"]
    assert [r["type"] for r in rendered["relationships"]] == ["parent", "related"]
    assert list(rendered["relationships"][0]) == ["label", "type", "id"]
    assert [n["value"] for n in rendered["names"]] == ["EU", "Zeta Institute"]
    assert list(rendered["names"][0]) == ["lang", "types", "value"]
    assert [e["type"] for e in rendered["external_ids"]] == ["fundref", "grid"]
    assert list(rendered["external_ids"][0]) == ["all", "preferred", "type"]
    assert list(rendered["locations"][0]) == ["geonames_details", "geonames_id"]
    details = list(rendered["locations"][0]["geonames_details"])
    assert details == sorted(details)
    assert list(rendered["admin"]) == ["created", "last_modified"]


def test_render_is_compact_utf8():
    rendered = render_v2(validate(make_record("Université Côte d'Azur")))
    assert "Université Côte d'Azur".encode() in rendered
    assert b": " not in rendered


def test_missing_optional_geonames_details_render_as_null():
    record = make_record(locations=[{"geonames_id": 1, "geonames_details": {"name": "X"}}])
    details = json.loads(render_v2(validate(record)))["locations"][0]["geonames_details"]
    assert details["continent_code"] is None and details["name"] == "X"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "closed"}, "status"),
        ({"id": "https://ror.org/bad"}, "$.id"),
        ({"types": ["university"]}, "types"),
        ({"names": []}, "names"),
        ({"names": [{"value": "X", "types": ["label"], "lang": None}]}, "ror_display"),
        ({"established": "1900"}, "established"),
        ({"admin": {}}, "created"),
        (
            {
                "admin": {
                    "created": {"date": "2023-02-30", "schema_version": "1.0"},
                    "last_modified": {"date": "2023-03-01", "schema_version": "2.1"},
                }
            },
            "2023-02-30",
        ),
    ],
)
def test_invalid_records_are_rejected_with_the_reason(change, message):
    with pytest.raises(RecordError, match=message.replace("$", r"\$")):
        validate(make_record(**change))
