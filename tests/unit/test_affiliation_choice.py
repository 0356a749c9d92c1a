"""How the matcher chooses among organizations that fit a string equally well."""

import pytest

from resmeta.index.reader import OrganizationIndex
from resmeta.index.store import IndexStore
from resmeta.services.affiliations.matcher import AffiliationMatcher
from tests.factory import location, make_record, write_zip

US = "United States"
SPRINGFIELD = make_record("Lincoln Memorial Hospital", locations=location("Springfield", "US", US))
BOSTON = make_record("Lincoln Memorial Hospital", locations=location("Boston", "US", US))


@pytest.fixture(scope="module")
def matcher(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("choice")
    dump = write_zip(tmp / "d.zip", {"d_schema_v2.json": [SPRINGFIELD, BOSTON]})
    folder, _ = IndexStore(tmp / "data").build(dump)
    return AffiliationMatcher(OrganizationIndex(folder))


def chosen(matcher, text):
    return [f"https://ror.org/{m.info.id}" for m in matcher.match(text) if m.chosen]


def test_namesakes_without_a_place_are_not_told_apart(matcher):
    assert chosen(matcher, "Lincoln Memorial Hospital") == []


@pytest.mark.parametrize(("city", "record"), [("Boston", BOSTON), ("Springfield", SPRINGFIELD)])
def test_the_city_named_decides_between_namesakes(matcher, city, record):
    assert chosen(matcher, f"Cardiology, Lincoln Memorial Hospital, {city}, MA") == [record["id"]]
