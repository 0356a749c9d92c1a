"""How the matcher chooses among organizations that fit a string equally well."""

import pytest

from resmeta.index.reader import OrganizationIndex
from resmeta.services.affiliations.matcher import AffiliationMatcher
from tests.factory import build_index, location, make_record

US = "United States"
SPRINGFIELD = make_record("Lincoln Memorial Hospital", locations=location("Springfield", "US", US))
BOSTON = make_record("Lincoln Memorial Hospital", locations=location("Boston", "US", US))
LEIPZIG = make_record("Leipzig University", locations=location("Leipzig", "DE", "Germany"))
LIFE = make_record("Life University", locations=location("Marietta", "US", US))
HEALTH = make_record("Department of Health", locations=location("Hobart", "AU", "Australia"))
AARHUS = make_record("Aarhus University", locations=location("Aarhus", "DK", "Denmark"))
NACIONAL = make_record("Universidad Nacional", locations=location("Heredia", "CR", "Costa Rica"))
COUNCIL = make_record("National Research Council", locations=location("Rome", "IT", "Italy"))
HKU = make_record("University of Hong Kong", locations=location("Hong Kong", "HK", "Hong Kong"))


@pytest.fixture(scope="module")
def matcher(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("choice")
    records = [SPRINGFIELD, BOSTON, LEIPZIG, LIFE, HEALTH, AARHUS, NACIONAL, COUNCIL, HKU]
    folder = build_index(tmp, records)
    return AffiliationMatcher(OrganizationIndex(folder))


def chosen(matcher, text):
    return [f"https://ror.org/{m.info.id}" for m in matcher.match(text) if m.chosen]


def test_namesakes_without_a_place_are_not_told_apart(matcher):
    assert chosen(matcher, "Lincoln Memorial Hospital") == []


@pytest.mark.parametrize(("city", "record"), [("Boston", BOSTON), ("Springfield", SPRINGFIELD)])
def test_the_city_named_decides_between_namesakes(matcher, city, record):
    assert chosen(matcher, f"Cardiology, Lincoln Memorial Hospital, {city}, MA") == [record["id"]]


def test_the_same_words_in_another_order_are_chosen(matcher):
    assert chosen(matcher, "Institute of Anatomy, University of Leipzig") == [LEIPZIG["id"]]


def test_a_name_is_not_read_across_a_comma(matcher):
    # "... Diseases (LIFE), University of Leipzig": "life university" straddles the comma
    text = "Research Center for Civilization Diseases (LIFE), University of Leipzig"
    assert chosen(matcher, text) == [LEIPZIG["id"]]


def test_a_generic_name_inside_a_longer_one_is_not_chosen(matcher):
    assert chosen(matcher, "Texas A&M Department of Health") == []


def test_a_string_of_repeated_parts_is_matched_once_per_part(matcher):
    assert chosen(matcher, "Leipzig University, " * 500) == [LEIPZIG["id"]]


def test_a_name_that_qualifies_another_organization_is_not_chosen(matcher):
    assert chosen(matcher, "Department of Cardiology, Aarhus University Hospital") == []
    assert chosen(matcher, "Department of Biology, Aarhus University Denmark") == [AARHUS["id"]]


def test_a_name_carried_on_by_of_is_part_of_a_longer_name(matcher):
    assert chosen(matcher, "Universidad Nacional de San Agustín") == []
    assert chosen(matcher, "Escuela de Química, Universidad Nacional") == [NACIONAL["id"]]


def test_a_name_carried_on_by_its_country_is_that_name(matcher):
    text = "Institute of Biophysics, National Research Council of Italy"
    assert chosen(matcher, text) == [COUNCIL["id"]]


@pytest.mark.parametrize(
    "text", ["National Research Council of Canada", "Universidad Nacional de Colombia"]
)
def test_a_name_carried_on_by_another_country_is_a_longer_name(matcher, text):
    assert chosen(matcher, text) == []


def test_a_name_followed_by_another_country_is_its_branch_there(matcher):
    assert chosen(matcher, "Department of Biology, Aarhus University Qatar") == []
    assert chosen(matcher, "Aarhus University Qatar, Doha") == []


def test_a_name_followed_by_the_country_its_territory_belongs_to_is_that_name(matcher):
    assert chosen(matcher, "Faculty of Medicine, University of Hong Kong China") == [HKU["id"]]
