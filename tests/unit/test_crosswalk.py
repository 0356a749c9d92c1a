"""The ROR v1 -> v2 crosswalk, rule by rule, on hand-written v1 records."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from resmeta.records.crosswalk import looks_like_v1, looks_like_v2, v1_to_v2
from resmeta.records.model import RecordError, validate
from tests.factory import V2_KEYS


def v1_record(**overrides: Any) -> dict:
    """A complete schema-v1 record (modelled on a real one), with `overrides` applied."""
    record = {
        "id": "https://ror.org/02mhbdp94",
        "name": "University of the Andes",
        "email_address": "info@example.org",
        "ip_addresses": ["192.0.2.1"],
        "established": 1948,
        "types": ["Education"],
        "relationships": [
            {"label": "Fundación Santa Fe", "type": "Related", "id": "https://ror.org/03ezapm74"},
            {"label": "Some Lab", "type": "Child", "id": "https://ror.org/01abcde12"},
        ],
        "addresses": [
            {
                "lat": 4.60971,
                "lng": -74.08175,
                "state": None,
                "state_code": None,
                "city": "Bogotá",
                "geonames_city": {
                    "id": 3688689,
                    "city": "Bogotá",
                    "geonames_admin1": {
                        "ascii_name": "Bogota D.C.",
                        "code": "CO.34",
                        "id": 3688685,
                        "name": "Bogota D.C.",
                    },
                },
                "postcode": None,
                "primary": False,
                "line": None,
                "country_geonames_id": 3686110,
            }
        ],
        "links": ["https://uniandes.edu.co"],
        "aliases": ["Uniandes University"],
        "acronyms": ["UNIANDES"],
        "status": "active",
        "wikipedia_url": "https://en.wikipedia.org/wiki/University_of_the_Andes_(Colombia)",
        "labels": [{"label": "Universidad de los Andes", "iso639": "es"}],
        "country": {"country_code": "CO", "country_name": "Colombia"},
        "external_ids": {
            "GRID": {"preferred": "grid.7247.6", "all": "grid.7247.6"},
            "ISNI": {"preferred": None, "all": ["0000 0001 0286 3748"]},
            "Wikidata": {"preferred": None, "all": ["Q1573511"]},
            "OrgRef": {"preferred": None, "all": ["1158343"]},
        },
    }
    record.update(overrides)
    return record


def with_admin1(code: str | None, name: str | None = "Region") -> dict:
    record = v1_record()
    record["addresses"][0]["geonames_city"]["geonames_admin1"] = {
        "ascii_name": name,
        "code": code,
        "id": None,
        "name": name,
    }
    return record


def names_of(v2: dict) -> dict[tuple[str, str | None], list[str]]:
    return {(n["value"], n["lang"]): n["types"] for n in v2["names"]}


def test_full_record_has_every_v2_key_and_validates() -> None:
    v2 = v1_to_v2(v1_record())
    assert set(v2) == set(V2_KEYS)
    org = validate(v2)
    assert org.display_name == "University of the Andes"


def test_input_is_not_modified() -> None:
    record = v1_record()
    before = copy.deepcopy(record)
    v1_to_v2(record)
    assert record == before


def test_name_becomes_ror_display_label_without_lang() -> None:
    names = names_of(v1_to_v2(v1_record()))
    assert names[("University of the Andes", None)] == ["ror_display", "label"]


def test_aliases_labels_and_acronyms_get_their_types() -> None:
    names = names_of(v1_to_v2(v1_record()))
    assert names == {
        ("University of the Andes", None): ["ror_display", "label"],
        ("Uniandes University", None): ["alias"],
        ("Universidad de los Andes", "es"): ["label"],
        ("UNIANDES", None): ["acronym"],
    }


def test_label_without_iso639_has_null_lang() -> None:
    record = v1_record(labels=[{"label": "Uniandes", "iso639": ""}])
    assert names_of(v1_to_v2(record))[("Uniandes", None)] == ["label"]


def test_identical_value_and_lang_are_merged() -> None:
    record = v1_record(
        aliases=["UNIANDES", "University of the Andes"],
        acronyms=["UNIANDES"],
        labels=[{"label": "University of the Andes", "iso639": "en"}],
    )
    v2 = v1_to_v2(record)
    names = names_of(v2)
    assert names[("UNIANDES", None)] == ["alias", "acronym"]
    assert names[("University of the Andes", None)] == ["ror_display", "label", "alias"]
    # Same value, different lang: a separate entry.
    assert names[("University of the Andes", "en")] == ["label"]
    assert len(v2["names"]) == 3
    validate(v2)


def test_location_from_first_address_and_country() -> None:
    locations = v1_to_v2(v1_record())["locations"]
    assert locations == [
        {
            "geonames_details": {
                "continent_code": "SA",
                "continent_name": "South America",
                "country_code": "CO",
                "country_name": "Colombia",
                "country_subdivision_code": None,  # CO.34 is a GeoNames number, not ISO (DC)
                "country_subdivision_name": "Bogota D.C.",
                "lat": 4.60971,
                "lng": -74.08175,
                "name": "Bogotá",
            },
            "geonames_id": 3688689,
        }
    ]


@pytest.mark.parametrize(
    ("country_code", "continent"),
    [
        ("US", ("NA", "North America")),
        ("AU", ("OC", "Oceania")),
        ("FR", ("EU", "Europe")),
        ("RU", ("EU", "Europe")),
        ("TR", ("AS", "Asia")),
        ("EG", ("AF", "Africa")),
        ("AQ", ("AN", "Antarctica")),
        ("BR", ("SA", "South America")),
        ("ZZ", (None, None)),
    ],
)
def test_continent_from_country_code(country_code: str, continent: tuple) -> None:
    record = v1_record(country={"country_code": country_code, "country_name": "X"})
    details = v1_to_v2(record)["locations"][0]["geonames_details"]
    assert (details["continent_code"], details["continent_name"]) == continent


@pytest.mark.parametrize(
    ("admin1_code", "expected"),
    [
        ("US.CA", "CA"),  # GeoNames uses the ISO code for US states
        ("GB.ENG", "ENG"),
        ("AU.08", None),  # numeric GeoNames code; ISO 3166-2 is AU-WA
        ("FR.11", None),  # ISO 3166-2 is FR-IDF
        ("GR.ESYE31", None),  # not shaped like an ISO suffix
        ("US", None),  # no dot
        (None, None),
    ],
)
def test_subdivision_code_only_when_it_looks_like_iso(
    admin1_code: str | None, expected: str | None
) -> None:
    details = v1_to_v2(with_admin1(admin1_code))["locations"][0]["geonames_details"]
    assert details["country_subdivision_code"] == expected
    assert details["country_subdivision_name"] == "Region"


def test_missing_admin1_gives_null_subdivision() -> None:
    record = v1_record()
    del record["addresses"][0]["geonames_city"]["geonames_admin1"]
    details = v1_to_v2(record)["locations"][0]["geonames_details"]
    assert details["country_subdivision_code"] is None
    assert details["country_subdivision_name"] is None


def test_no_address_gives_no_location_and_fails_validation_clearly() -> None:
    v2 = v1_to_v2(v1_record(addresses=[]))
    assert v2["locations"] == []
    assert set(v2) == set(V2_KEYS)
    with pytest.raises(RecordError, match="locations"):
        validate(v2)


def test_external_ids_kept_types_mapped_and_others_dropped() -> None:
    record = v1_record(
        external_ids={
            "FundRef": {"preferred": "100000001", "all": ["100000001", "100000002"]},
            "GRID": {"preferred": "grid.7247.6", "all": "grid.7247.6"},
            "ISNI": {"preferred": None, "all": ["0000 0001 0286 3748"]},
            "Wikidata": {"preferred": "Q1573511", "all": ["Q1573511"]},
            "OrgRef": {"preferred": None, "all": ["1158343"]},
            "CNRS": {"preferred": None, "all": ["UMR123"]},
            "UKPRN": {"preferred": None, "all": ["10007150"]},
        }
    )
    assert v1_to_v2(record)["external_ids"] == [
        {"all": ["100000001", "100000002"], "preferred": "100000001", "type": "fundref"},
        {"all": ["grid.7247.6"], "preferred": "grid.7247.6", "type": "grid"},
        {"all": ["0000 0001 0286 3748"], "preferred": None, "type": "isni"},
        {"all": ["Q1573511"], "preferred": "Q1573511", "type": "wikidata"},
    ]


def test_links_and_wikipedia_url() -> None:
    links = v1_to_v2(v1_record(links=["https://a.example", "https://b.example"]))["links"]
    assert links == [
        {"type": "website", "value": "https://a.example"},
        {"type": "website", "value": "https://b.example"},
        {
            "type": "wikipedia",
            "value": "https://en.wikipedia.org/wiki/University_of_the_Andes_(Colombia)",
        },
    ]


@pytest.mark.parametrize("wikipedia_url", ["", None])
def test_empty_wikipedia_url_gives_no_link(wikipedia_url: str | None) -> None:
    links = v1_to_v2(v1_record(wikipedia_url=wikipedia_url))["links"]
    assert [link["type"] for link in links] == ["website"]


def test_types_lower_cased() -> None:
    v2 = v1_to_v2(v1_record(types=["Education", "Healthcare"]))
    assert v2["types"] == ["education", "healthcare"]


def test_funder_added_when_fundref_present() -> None:
    record = v1_record(
        types=["Government"],
        external_ids={"FundRef": {"preferred": None, "all": ["501100017170"]}},
    )
    assert v1_to_v2(record)["types"] == ["funder", "government"]


def test_funder_not_duplicated() -> None:
    record = v1_record(
        types=["Funder", "Government"],
        external_ids={"FundRef": {"preferred": None, "all": ["501100017170"]}},
    )
    assert v1_to_v2(record)["types"] == ["funder", "government"]


def test_funder_not_added_without_fundref() -> None:
    assert "funder" not in v1_to_v2(v1_record())["types"]


def test_relationships_lower_cased_with_v2_keys() -> None:
    assert v1_to_v2(v1_record())["relationships"] == [
        {"label": "Fundación Santa Fe", "type": "related", "id": "https://ror.org/03ezapm74"},
        {"label": "Some Lab", "type": "child", "id": "https://ror.org/01abcde12"},
    ]


def test_copied_and_dropped_fields() -> None:
    v2 = v1_to_v2(v1_record(status="withdrawn", established=None))
    assert v2["id"] == "https://ror.org/02mhbdp94"
    assert v2["status"] == "withdrawn"
    assert v2["established"] is None
    assert v2["domains"] == []
    assert "email_address" not in v2
    assert "ip_addresses" not in v2
    assert "addresses" not in v2


def test_admin_defaults_to_first_ror_date() -> None:
    assert v1_to_v2(v1_record())["admin"] == {
        "created": {"date": "2018-11-14", "schema_version": "1.0"},
        "last_modified": {"date": "2018-11-14", "schema_version": "2.0"},
    }


def test_admin_uses_release_date() -> None:
    admin = v1_to_v2(v1_record(), release_date="2026-06-23")["admin"]
    assert admin["created"]["date"] == "2026-06-23"
    assert admin["last_modified"]["date"] == "2026-06-23"


def test_sniffing() -> None:
    v1 = v1_record()
    v2 = v1_to_v2(v1)
    assert looks_like_v1(v1) and not looks_like_v2(v1)
    assert looks_like_v2(v2) and not looks_like_v1(v2)
    assert not looks_like_v1({}) and not looks_like_v2({})
