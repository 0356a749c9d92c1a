"""Names reduced to words, and the other ways a name is written (index and matching share
these, so a form missing here is a name the matcher cannot find whole)."""

import pytest

from resmeta.index import analysis
from resmeta.index.matching import matching_info
from resmeta.records.model import validate
from tests.factory import US, location, make_org


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


def test_spellings_are_the_name_as_written_and_bare_forms_what_it_is_less_its_ends():
    name = "Müller's Werke GmbH (Germany)"
    assert analysis.spellings(name) == [
        "muller s werke gmbh germany",
        "mueller s werke gmbh germany",
        "mullers werke gmbh germany",
    ]
    assert analysis.bare_forms(name) == ["muller s werke gmbh", "muller s werke"]
    assert analysis.name_forms(name) == analysis.spellings(name) + analysis.bare_forms(name)


def test_a_record_keeps_apart_the_names_it_bears_only_less_a_qualifier():
    record = make_org("City University (Dongguan)", US, labels=["Dongguan City Campus"])
    info = matching_info(validate(record))
    assert info.names == ("city university dongguan", "city university", "dongguan city campus")
    assert info.bare_names == ("city university",)
    # a bare form that another of the record's names spells out is no bare name
    record = make_org("Acme (United States)", US, types=["company"], labels=["Acme"])
    assert matching_info(validate(record)).bare_names == ()


@pytest.mark.parametrize(
    ("name", "city", "forms"),
    [
        ("Washington University in St. Louis", "st louis", ["washington university"]),
        (
            "Humboldt-Universität zu Berlin",
            "berlin",
            ["humboldt universitat", "humboldt universitaet"],
        ),
        ("University of Alabama at Birmingham", "birmingham", ["university of alabama"]),
        ("Purdue University West Lafayette", "west lafayette", []),  # no word joins the city
        ("University in Berlin", "berlin", []),  # one word left names nothing
        ("Institute of Physics in Belgrade", "zagreb", []),  # not its city
    ],
)
def test_a_name_less_the_city_that_ends_it(name, city, forms):
    assert analysis.less_city(name, [city]) == forms


def test_a_record_keeps_its_names_less_their_city_that_are_not_its_names():
    record = make_org("Washington University in St. Louis", location("St. Louis", "US", "USA"))
    assert matching_info(validate(record)).names_less_city == ("washington university",)
    record = make_org(
        "Charles University in Prague",
        location("Prague", "CZ", "Czechia"),
        labels=["Charles University"],
    )
    assert matching_info(validate(record)).names_less_city == ()


@pytest.mark.parametrize(
    ("word", "singular"),
    [
        ("institutes", "institute"),
        ("laboratories", "laboratory"),
        ("sciences", "science"),
        ("businesses", "business"),
        ("approaches", "approach"),
        ("complexes", "complex"),
        ("institute", "institute"),
        ("analysis", "analysis"),
        ("paris", "paris"),
        ("campus", "campus"),
        ("business", "business"),
        ("arts", "arts"),  # too short to tell
    ],
)
def test_the_singular_of_a_word(word, singular):
    assert analysis.singular(word) == singular


def test_sorted_words_are_alike_in_another_order_or_language_and_if_asked_number():
    expected = "health institute national"
    assert analysis.sorted_words("national institutes of health", number=True) == expected
    assert analysis.sorted_words("national institutes of health") == "health institutes national"
    assert analysis.sorted_words("health national institute", number=True) == expected
    assert analysis.sorted_words("universitat leipzig") == "leipzig university"


def test_words_folded_are_alike_in_language_and_number():
    assert analysis.folded("universidad") == analysis.folded("universities") == "university"
    assert analysis.folded("laboratories") == "laboratory"
    assert analysis.folded("paris") == "paris"


def test_searching_names_reads_no_web_of_science_abbreviation():
    """ "int" may be an acronym ("Fraunhofer INT"): only affiliation matching expands it."""
    assert analysis.exact("Fraunhofer Int") == "fraunhofer int"
    assert analysis.as_matched("Fraunhofer Int") == "fraunhofer international"


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
