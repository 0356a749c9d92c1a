"""Names reduced to words, and the other ways a name is written (index and matching share
these, so a form missing here is a name the matcher cannot find whole)."""

import pytest

from resmeta.index import analysis


@pytest.mark.parametrize(
    ("name", "forms"),
    [
        ("University of Oxford", ["university of oxford"]),
        # ROR tells companies apart by a country in brackets; affiliations leave it out
        ("Zoetis (United States)", ["zoetis united states", "zoetis"]),
        # and the legal form, after the brackets or without them
        ("Fujitsu Co., Ltd. (Japan)", ["fujitsu co ltd japan", "fujitsu co ltd", "fujitsu"]),
        ("Acme Widgets Inc.", ["acme widgets inc", "acme widgets"]),
        ("Universität Würzburg", ["universitat wurzburg", "universitaet wuerzburg"]),
        ("Ltd", ["ltd"]),  # a legal form alone stays: nothing would be left
        ("(CERN)", ["cern"]),
    ],
)
def test_name_forms(name, forms):
    assert analysis.name_forms(name) == forms


def test_a_qualifier_inside_the_name_stays():
    assert analysis.name_forms("Institut (Pasteur) de Lille") == ["institut pasteur de lille"]


@pytest.mark.parametrize("name", ["King's College London", "King’s College London"])
def test_a_possessive_is_also_written_as_one_word(name):
    assert analysis.name_forms(name) == ["king s college london", "kings college london"]


def test_an_elided_article_stays_apart():
    assert analysis.exact("l'Université de Lyon") == "l universite de lyon"


def test_accents_typed_as_combining_marks_are_the_accented_letters():
    decomposed = "Universite\u0301 de Montre\u0301al"
    assert analysis.words(decomposed) == ["universite", "de", "montreal"]
    assert analysis.exact(decomposed) == analysis.exact("Université de Montréal")
