"""Affiliations in scripts written without spaces between words."""

import pytest

from resmeta.index.reader import OrganizationIndex
from resmeta.services.affiliations.matcher import AffiliationMatcher
from tests.factory import build_index, location, make_record

TOKYO = make_record(
    "University of Tokyo",
    names=[
        {"value": "University of Tokyo", "types": ["ror_display", "label"], "lang": "en"},
        {"value": "東京大学", "types": ["label"], "lang": "ja"},
    ],
    locations=location("Tokyo", "JP", "Japan", "AS", "Asia"),
)
CHULA = make_record(
    "Chulalongkorn University",
    names=[
        {"value": "Chulalongkorn University", "types": ["ror_display", "label"], "lang": "en"},
        {"value": "จุฬาลงกรณ์มหาวิทยาลัย", "types": ["label"], "lang": "th"},
    ],
    locations=location("Bangkok", "TH", "Thailand", "AS", "Asia"),
)


@pytest.fixture(scope="module")
def matcher(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scripts")
    folder = build_index(tmp, [TOKYO, CHULA, make_record("Other")])
    return AffiliationMatcher(OrganizationIndex(folder))


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("東京大学大学院医学系研究科", TOKYO),  # graduate school of medicine, U. Tokyo
        ("東京大学", TOKYO),
        ("คณะแพทยศาสตร์ จุฬาลงกรณ์มหาวิทยาลัย", CHULA),  # faculty of medicine, Chula
    ],
)
def test_a_name_inside_an_unspaced_word_is_found_and_chosen(matcher, text, record):
    best = matcher.match(text)[0]
    assert best.chosen and f"https://ror.org/{best.info.id}" == record["id"]


def test_unrelated_characters_find_nothing(matcher):
    assert not any(m.chosen for m in matcher.match("京都府立医科大学"))
