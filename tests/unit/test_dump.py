import json

import pytest

from resmeta.records.dump import DumpError, locate, read_records
from tests.factory import make_record, write_zip


def test_zip_v2_member_is_picked_by_suffix(tmp_path):
    records = [make_record("A"), make_record("B")]
    dump = write_zip(
        tmp_path / "v1.50-ror-data.zip",
        {"v1.50-ror-data.json": "[]", "v1.50-ror-data_schema_v2.json": records},
    )
    located = locate(dump)
    assert located.member == "v1.50-ror-data_schema_v2.json"
    assert [org.id for org in read_records(located)] == [r["id"] for r in records]


def test_zip_v2_member_without_suffix_is_found_by_content(tmp_path):
    v1_record = {"id": "https://ror.org/05dxps055", "name": "X", "addresses": []}
    dump = write_zip(
        tmp_path / "v2.1-ror-data.zip",
        {"v2.1-a.json": [v1_record], "v2.1-b.json": [make_record()]},
    )
    located = locate(dump)
    assert (located.member, located.schema) == ("v2.1-b.json", "v2")


def test_bare_json_file(tmp_path):
    path = tmp_path / "dump.json"
    path.write_text(json.dumps([make_record("Solo")]))
    located = locate(path)
    assert located.member is None
    assert [org.display_name for org in read_records(located)] == ["Solo"]


def test_bad_record_names_file_index_id_and_reason(tmp_path):
    bad = make_record(status="closed")
    dump = write_zip(tmp_path / "d.zip", {"x_schema_v2.json": [make_record(), bad]})
    with pytest.raises(DumpError) as caught:
        list(read_records(locate(dump)))
    message = str(caught.value)
    assert "d.zip:x_schema_v2.json" in message
    assert "record 1" in message and bad["id"] in message and "status" in message


def test_truncated_json_is_reported_after_the_last_good_record(tmp_path):
    text = json.dumps([make_record(), make_record()])[:-40]
    dump = write_zip(tmp_path / "d.zip", {"x_schema_v2.json": text})
    with pytest.raises(DumpError, match="invalid JSON after record 0"):
        list(read_records(locate(dump)))


def test_duplicate_ids_are_rejected(tmp_path):
    record = make_record()
    dump = write_zip(tmp_path / "d.zip", {"x_schema_v2.json": [record, record]})
    with pytest.raises(DumpError, match="record 1 .*duplicate ROR ID"):
        list(read_records(locate(dump)))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[]", "neither|no records|expected a JSON array"),
        ('{"a": 1}', "expected a JSON array"),
        ("not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON array"),
    ],
)
def test_files_that_are_not_dumps(tmp_path, content, message):
    path = tmp_path / "d.json"
    path.write_text(content)
    with pytest.raises(DumpError, match=message):
        list(read_records(locate(path)))


def test_zip_without_json(tmp_path):
    dump = write_zip(tmp_path / "d.zip", {"readme.txt": "hello"})
    with pytest.raises(DumpError, match="no .json file"):
        locate(dump)


def test_missing_file(tmp_path):
    with pytest.raises(DumpError, match="no such file"):
        locate(tmp_path / "nope.zip")


def test_a_v1_only_dump_is_converted_to_v2(tmp_path):
    v1_record = {
        "id": "https://ror.org/05dxps055",
        "name": "California Institute of Technology",
        "email_address": None,
        "ip_addresses": [],
        "established": 1891,
        "types": ["Education"],
        "relationships": [],
        "addresses": [
            {
                "lat": 34.14,
                "lng": -118.12,
                "city": "Pasadena",
                "geonames_city": {"id": 5381396, "city": "Pasadena", "geonames_admin1": None},
            }
        ],
        "links": ["http://www.caltech.edu/"],
        "aliases": [],
        "acronyms": ["CIT"],
        "status": "active",
        "wikipedia_url": "",
        "labels": [],
        "country": {"country_name": "United States", "country_code": "US"},
        "external_ids": {"GRID": {"preferred": "grid.20861.3d", "all": "grid.20861.3d"}},
    }
    dump = write_zip(tmp_path / "v1.40-ror-data.zip", {"v1.40-ror-data.json": [v1_record]})
    located = locate(dump)
    assert located.schema == "v1"
    [org] = read_records(located)
    assert org.display_name == "California Institute of Technology"
    assert org.types == ["education"]
    assert org.locations[0].geonames_details.continent_code == "NA"
    assert org.external_ids[0].all == ["grid.20861.3d"]
