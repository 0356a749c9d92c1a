"""Countries named in affiliation strings (issue 3): names, aliases, US states, not org names."""

import pytest

from resmeta.services.affiliations import countries
from resmeta.services.affiliations.text import split_parts


def detect(text):
    return countries.detect(split_parts(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Institut Pasteur, Paris, France", {"fr"}),
        ("Max Planck Society, Munich, Germany", {"de"}),
        ("Universidade de São Paulo, São Paulo, Brazil", {"br"}),
        ("Kyoto University, Kyoto, Japan", {"jp"}),
        ("University of Nairobi, Nairobi, Kenya", {"ke"}),
        ("Utrecht University, Utrecht, The Netherlands", {"nl"}),
        ("Seoul National University, Seoul, Republic of Korea", {"kr"}),
        ("Ministry of Health; Uganda", {"ug"}),
        ("Universidad de Chile (Chile)", {"cl"}),
    ],
)
def test_a_trailing_country_name(text, expected):
    assert detect(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Harvard University, Cambridge, MA, USA", {"us"}),
        ("Harvard University, Cambridge, U.S.A.", {"us"}),
        ("Harvard University, United States of America", {"us"}),
        ("University of Oxford, Oxford, UK", {"gb"}),
        ("University of Oxford, U.K.", {"gb"}),
        ("University of Edinburgh, Edinburgh, Scotland", {"gb"}),
        ("Peking University, Beijing, P.R. China", {"cn"}),
        ("Peking University, Beijing, PR China", {"cn"}),
        ("Peking University, Beijing 100871, People's Republic of China", {"cn"}),
    ],
)
def test_common_aliases(text, expected):
    assert detect(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Rice University, Houston, Texas",
        "Dept. of Physics, University of California, Berkeley, California",
        "University of California, Berkeley, CA 94720",
        "Columbia University, New York, NY 10027",
        "Columbia University, New York, NY 10027-6902",
        "Emory University, Atlanta, GA 30322",
        "Harvard University, Cambridge, MA, USA",
    ],
)
def test_us_states_and_state_codes_with_zip(text):
    assert detect(text) == {"us"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Emory University, Atlanta, GA", {"us", "ga"}),  # Georgia, or Gabon
        ("University of Toronto, Toronto, ON, CA", {"us", "ca"}),  # California, or Canada
        ("Heidelberg University, Heidelberg, DE", {"us", "de"}),
        ("Indian Institute of Science, Bangalore, IN", {"us", "in"}),
        ("Heidelberg University, DE, Germany", {"de"}),  # confirmed by the country's name
    ],
)
def test_a_bare_code_is_a_state_or_a_country(text, expected):
    assert detect(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("University of Wollongong, Wollongong, New South Wales", {"au"}),
        ("Dartmouth College, Hanover, New England", {"us"}),
        ("University of Kinshasa, Kinshasa, DR Congo", {"cd"}),
        ("Khalifa University, Abu Dhabi, UAE", {"ae"}),
    ],
)
def test_regions_named_like_countries_and_common_aliases(text, expected):
    assert detect(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Institute for Quantitative Health Science (IQ), Michigan State University",
        "Institut Pasteur, IT, Rue du Docteur Roux",
    ],
)
def test_a_bare_code_before_an_organization_is_an_acronym_not_a_country(text):
    assert detect(text) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Georgia Institute of Technology (GT)", set()),
        ("Istituto Italiano di Tecnologia [IT]", set()),
        ("Dipartimento di Chimica, Torino (TO)", set()),
        ("Dipartimento di Chimica, Torino (TO), Italy", {"it"}),
        ("Instituto de Física, Porto Alegre (RS)", set()),
        ("Lab A, Berkeley (CA 94720)", {"us"}),  # a ZIP code makes it a state
        ("Universidad de Sevilla (US)", set()),  # its acronym
    ],
)
def test_a_bare_code_in_brackets_names_no_country(text, expected):
    """In brackets a two-letter code is an acronym, a province or a state more often than a
    country: Guatemala, Tonga and Serbia would reject the organizations meant."""
    assert detect(text) == expected


@pytest.mark.parametrize(
    "text", ["Université de Lille, Inserm, US 41", "Institut Pasteur de Lille, UMS 3426, US 37"]
)
def test_a_french_service_unit_names_no_country(text):
    assert detect(text) == set()


def test_a_code_with_a_zip_code_counts_wherever_it_is():
    assert detect("Lab A, CA 94720, Lawrence Berkeley Laboratory") == {"us"}


def test_a_two_letter_part_that_is_no_state_is_no_country():
    assert detect("Some Institute, Springfield, ZZ 12345") == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sorbonne Université, Paris France", {"fr"}),
        ("Johannes Gutenberg University, Mainz Germany", {"de"}),
        ("Fudan University, Shanghai China", {"cn"}),
    ],
)
def test_a_country_at_the_end_of_the_last_part(text, expected):
    assert detect(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "University of Georgia",
        "Jordan University of Science and Technology",
        "Jordan University of Science and Technology, Irbid",
        "University of Georgia, Athens",
        "Dept. of Genetics, University of Georgia",
        "Universidad de Chile",
        "National University of Singapore",
        "Peking University",
        # the last word alone is a country, but belongs to the name after "of"
        "Department of Medicine, University of New Mexico",
        "Technical University of New Guinea",
    ],
)
def test_no_country_inside_an_organization_name(text):
    assert detect(text) == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stanford University, Stanford CA U.S.A.", {"us"}),
        ("Stanford University, Stanford CA U. S. A.", {"us"}),
        ("Columbia University, New York N.Y. U.S.A.", {"us"}),
        ("Glasgow U.K.", {"gb"}),
        # the letters end an Italian legal form, not "U.S."
        ("Associazione Fitness Metabolica O.N.L.U.S.", set()),
        ("Fondazione Ricerca, Milano O.N.L.U.S", set()),
    ],
)
def test_initials_at_the_end_name_a_country_only_written_apart(text, expected):
    assert detect(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Institut Camille Jordan", "jordan"),
        ("Johannes Gutenberg University, Mainz Germany", "germany"),
        ("Harvard Medical School, Boston, USA", ""),  # a whole part, not its last words
        ("University of New Mexico", ""),
        ("Associazione Fitness Metabolica O.N.L.U.S.", ""),
    ],
)
def test_the_last_words_that_name_a_country(text, words):
    parts = split_parts(text)
    assert countries.last_words(parts) == words
    without = countries.detect(parts, with_last_words=False)
    assert (without != countries.detect(parts)) == bool(words)


def test_a_country_only_part_after_an_organization_named_after_a_country():
    assert detect("Jordan University of Science and Technology, Irbid, Jordan") == {"jo"}
    assert detect("University of Georgia, Athens, GA 30602, USA") == {"us"}


def test_several_countries_are_all_reported():
    assert detect("CERN, Geneva, Switzerland; Fermilab, Batavia, IL, USA") == {"ch", "us"}


@pytest.mark.parametrize("text", ["", "!!!", "12345", "University of Oxford", "東京大学"])
def test_nothing_detected(text):
    assert detect(text) == set()


@pytest.mark.parametrize(
    ("text", "place"),
    [("USA", True), ("P.R. China", True), ("CA 94720", True), ("Texas", True)],
)
def test_is_place_for_country_and_state_parts(text, place):
    (part,) = split_parts(text)
    assert bool(countries.country_of_part(part)) is place


@pytest.mark.parametrize(
    ("words", "expected"),
    [("italy", {"it"}), ("czech republic", {"cz"}), ("texas", {"us"}), ("san agustin", set())],
)
def test_country_named_by_normal_words(words, expected):
    assert countries.country_named(words) == expected


@pytest.mark.parametrize(
    "text", ["University of Oxford", "Harvard University", "Jordan University"]
)
def test_is_place_false_for_organizations(text):
    (part,) = split_parts(text)
    assert not bool(countries.country_of_part(part))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Centre for Molecular Medicine Norway (NCMM)", {"no"}),
        ("National University of Singapore", {"sg"}),
        ("Universidad de Chile, Santiago", {"cl"}),
        ("Department of Physics, Harvard University", set()),
    ],
)
def test_countries_mentioned_anywhere_even_inside_a_name(text, expected):
    """`detect` reads no country inside an organization's name; `mentioned` does."""
    assert countries.mentioned(split_parts(text)) == expected
    assert not detect(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MOST, People's Republic of China", {"cn"}),  # not "Republic of China" too
        ("Kinshasa, Democratic Republic of the Congo", {"cd"}),  # not "Congo"
        ("Concord, New South Wales", {"au"}),  # not "Wales"
        ("CIBNOR, La Paz, Baja California Sur", set()),  # a US state's name names none
        ("Georgia Institute of Technology", set()),
    ],
)
def test_the_longest_name_mentioned_wins(text, expected):
    assert countries.mentioned(split_parts(text)) == expected


@pytest.mark.parametrize(
    ("words", "code"),
    [("peoples r china", "cn"), ("north ireland", "gb"), ("u arab emirates", "ae")],
)
def test_countries_as_web_of_science_writes_them(words, code):
    assert countries.country_named(words) == {code}
