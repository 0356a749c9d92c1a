"""ROR schema v1 records rendered from v2 records, rule by rule, on made-up v2 records."""

from __future__ import annotations

import copy

import orjson

from resmeta.records.v1 import render_v1, v2_to_v1
from tests.factory import location, make_record

V1_KEYS = [
    "id",
    "name",
    "email_address",
    "ip_addresses",
    "established",
    "types",
    "relationships",
    "addresses",
    "links",
    "aliases",
    "acronyms",
    "status",
    "wikipedia_url",
    "labels",
    "country",
    "external_ids",
]

NAMES = [
    {"value": "AU", "types": ["acronym"], "lang": None},
    {"value": "Aarhus University", "types": ["ror_display", "label"], "lang": "en"},
    {"value": "Aarhus Universitet", "types": ["label"], "lang": "da"},
    {"value": "Aarhus Uni", "types": ["alias", "label"], "lang": None},
    {"value": "Uni Aarhus", "types": ["alias"], "lang": "de"},
    {"value": "AAU", "types": ["acronym"], "lang": "da"},
]


def relationship(label: str, rel_type: str, n: str) -> dict:
    return {"label": label, "type": rel_type, "id": f"https://ror.org/0{n * 6}{n * 2}"}


def test_keys_in_v1_order() -> None:
    v1 = v2_to_v1(make_record())
    assert list(v1) == V1_KEYS
    assert list(v1["addresses"][0]) == [
        "lat",
        "lng",
        "state",
        "state_code",
        "city",
        "geonames_city",
        "postcode",
        "primary",
        "line",
        "country_geonames_id",
    ]
    assert list(v1["addresses"][0]["geonames_city"]) == [
        "id",
        "city",
        "geonames_admin1",
        "geonames_admin2",
        "license",
        "nuts_level1",
        "nuts_level2",
        "nuts_level3",
    ]
    assert list(v1["country"]) == ["country_code", "country_name"]


def test_name_is_the_ror_display_name_wherever_it_is() -> None:
    v1 = v2_to_v1(make_record(names=NAMES))
    assert v1["name"] == "Aarhus University"


def test_labels_are_the_other_labels_with_their_language() -> None:
    v1 = v2_to_v1(make_record(names=NAMES))
    # Not the ror_display name, although it is typed `label` too; a null lang stays null.
    assert v1["labels"] == [
        {"label": "Aarhus Universitet", "iso639": "da"},
        {"label": "Aarhus Uni", "iso639": None},
    ]
    assert [list(label) for label in v1["labels"]] == [["label", "iso639"]] * 2


def test_aliases_and_acronyms_in_v2_order_and_a_name_lands_in_each_of_its_types() -> None:
    v1 = v2_to_v1(make_record(names=NAMES))
    assert v1["aliases"] == ["Aarhus Uni", "Uni Aarhus"]
    assert v1["acronyms"] == ["AU", "AAU"]


def test_a_ror_display_name_that_is_not_a_label_is_still_not_a_label() -> None:
    names = [
        {"value": "Acme (Portugal)", "types": ["ror_display"], "lang": None},
        {"value": "Acme", "types": ["label"], "lang": "pt"},
    ]
    v1 = v2_to_v1(make_record(names=names))
    assert (v1["name"], v1["labels"]) == ("Acme (Portugal)", [{"label": "Acme", "iso639": "pt"}])


def test_types_and_relationship_types_in_title_case_in_v2_order() -> None:
    relationships = [
        relationship("Some Lab", "child", "1"),
        relationship("Old Name", "predecessor", "2"),
        relationship("Umbrella", "parent", "3"),
    ]
    v1 = v2_to_v1(
        make_record(types=["nonprofit", "funder", "healthcare"], relationships=relationships)
    )
    assert v1["types"] == ["Nonprofit", "Funder", "Healthcare"]
    assert v1["relationships"] == [
        {"label": "Some Lab", "type": "Child", "id": "https://ror.org/011111111"},
        {"label": "Old Name", "type": "Predecessor", "id": "https://ror.org/022222222"},
        {"label": "Umbrella", "type": "Parent", "id": "https://ror.org/033333333"},
    ]
    assert list(v1["relationships"][0]) == ["label", "type", "id"]


def test_one_address_from_the_first_location_only() -> None:
    record = make_record()
    record["locations"] += location("Lyon", "FR", "France")
    v1 = v2_to_v1(record)
    assert v1["addresses"] == [
        {
            "lat": 48.85341,
            "lng": 2.3488,
            "state": None,
            "state_code": None,
            "city": "Paris",
            "geonames_city": {
                "id": 2988507,
                "city": "Paris",
                "geonames_admin1": {
                    "ascii_name": None,
                    "code": "FR.IDF",
                    "id": None,
                    "name": "Île-de-France",
                },
                "geonames_admin2": {"ascii_name": None, "code": None, "id": None, "name": None},
                "license": {
                    "attribution": "Data from geonames.org under a CC-BY 3.0 license",
                    "license": "http://creativecommons.org/licenses/by/3.0/",
                },
                "nuts_level1": {"code": None, "name": None},
                "nuts_level2": {"code": None, "name": None},
                "nuts_level3": {"code": None, "name": None},
            },
            "postcode": None,
            "primary": False,
            "line": None,
            "country_geonames_id": None,
        }
    ]
    assert v1["country"] == {"country_code": "FR", "country_name": "France"}


def test_country_comes_from_the_first_location() -> None:
    record = make_record(locations=location("Oslo", "NO", "Norway") + location("Lyon", "FR", "F"))
    v1 = v2_to_v1(record)
    assert v1["country"] == {"country_code": "NO", "country_name": "Norway"}
    assert v1["addresses"][0]["city"] == "Oslo"


def test_subdivision_name_without_a_code() -> None:
    record = make_record()
    record["locations"][0]["geonames_details"]["country_subdivision_code"] = None
    admin1 = v2_to_v1(record)["addresses"][0]["geonames_city"]["geonames_admin1"]
    assert (admin1["code"], admin1["name"]) == (None, "Île-de-France")


def test_no_subdivision_for_records_last_modified_before_schema_2_1() -> None:
    for version in ("2.0", "1.0"):
        record = make_record()
        record["admin"]["last_modified"]["schema_version"] = version
        admin1 = v2_to_v1(record)["addresses"][0]["geonames_city"]["geonames_admin1"]
        assert admin1 == {"ascii_name": None, "code": None, "id": None, "name": None}


def test_external_ids_keyed_by_v1_type_in_v2_order_grid_all_a_string() -> None:
    external_ids = [
        {"type": "wikidata", "all": ["Q1", "Q2"], "preferred": None},
        {"type": "grid", "all": ["grid.1.a", "grid.2.b"], "preferred": "grid.1.a"},
        {"type": "isni", "all": ["0000 0001 2345 6789"], "preferred": "0000 0001 2345 6789"},
        {"type": "fundref", "all": ["501100000001"], "preferred": None},
    ]
    v1 = v2_to_v1(make_record(external_ids=external_ids))
    assert v1["external_ids"] == {
        "Wikidata": {"preferred": None, "all": ["Q1", "Q2"]},
        "GRID": {"preferred": "grid.1.a", "all": "grid.1.a"},
        "ISNI": {"preferred": "0000 0001 2345 6789", "all": ["0000 0001 2345 6789"]},
        "FundRef": {"preferred": None, "all": ["501100000001"]},
    }
    assert list(v1["external_ids"]) == ["Wikidata", "GRID", "ISNI", "FundRef"]
    assert list(v1["external_ids"]["GRID"]) == ["preferred", "all"]


def test_links_as_strings_and_the_first_wikipedia_link() -> None:
    links = [
        {"type": "wikipedia", "value": "https://en.wikipedia.org/wiki/A"},
        {"type": "website", "value": "https://a.example"},
        {"type": "wikipedia", "value": "https://fr.wikipedia.org/wiki/A"},
        {"type": "website", "value": "https://b.example"},
    ]
    v1 = v2_to_v1(make_record(links=links))
    assert v1["links"] == ["https://a.example", "https://b.example"]
    assert v1["wikipedia_url"] == "https://en.wikipedia.org/wiki/A"


def test_fields_v1_has_but_v2_does_not() -> None:
    v1 = v2_to_v1(make_record())
    assert (v1["email_address"], v1["ip_addresses"]) == (None, [])


def test_missing_optional_fields() -> None:
    record = make_record(
        established=None,
        links=[],
        external_ids=[],
        relationships=[],
        names=[{"value": "Lonely Lab", "types": ["ror_display", "label"], "lang": None}],
        locations=location("Oslo", "NO", "Norway"),  # no subdivision keys at all
    )
    del record["admin"]
    v1 = v2_to_v1(record)
    assert v1["established"] is None
    assert (v1["links"], v1["wikipedia_url"]) == ([], None)
    assert (v1["aliases"], v1["acronyms"], v1["labels"]) == ([], [], [])
    assert (v1["relationships"], v1["external_ids"]) == ([], {})
    admin1 = v1["addresses"][0]["geonames_city"]["geonames_admin1"]
    assert (admin1["code"], admin1["name"]) == (None, None)


def test_a_record_without_locations_has_no_address() -> None:
    v1 = v2_to_v1(make_record(locations=[]))
    assert v1["addresses"] == []
    assert v1["country"] == {"country_code": None, "country_name": None}


def test_the_v2_record_is_left_as_it_was() -> None:
    record = make_record(names=NAMES)
    before = copy.deepcopy(record)
    v1 = v2_to_v1(record)
    v1["external_ids"]["FundRef"]["all"].append("changed")
    assert record == before


def test_render_v1_is_v2_to_v1_as_compact_json() -> None:
    record = make_record(names=NAMES)
    rendered = render_v1(orjson.dumps(record))
    assert rendered == orjson.dumps(v2_to_v1(record))
    assert list(orjson.loads(rendered)) == V1_KEYS


def test_whole_degree_coordinates_render_as_integers() -> None:
    # Readers that decode every number as a float turn ROR's `"lat": 18` into 18.0.
    record = make_record(locations=location("Warangal", "IN", "India"))
    record["locations"][0]["geonames_details"].update(lat=18.0, lng=79.58333)
    rendered = render_v1(orjson.dumps(record))
    assert b'"lat":18,"lng":79.58333,' in rendered
