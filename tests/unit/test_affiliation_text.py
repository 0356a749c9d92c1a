"""Affiliation strings cut into parts and normalised (issue 3)."""

import pytest

from resmeta.index.analysis import in_english
from resmeta.services.affiliations.text import (
    _PLACE_WORDS,
    normalise,
    place_words,
    runs,
    split_parts,
)


def texts(text):
    return [part.text for part in split_parts(text)]


def normals(text):
    return [part.normal for part in split_parts(text)]


# -- split_parts --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dept of Physics, University of Oxford, UK",
            ["Dept of Physics", "University of Oxford", "UK"],
        ),
        ("Institut Pasteur; Paris; France", ["Institut Pasteur", "Paris", "France"]),
        ("Institut Pasteur (Paris)", ["Institut Pasteur", "Paris"]),
        ("Institut Pasteur [Paris] {France}", ["Institut Pasteur", "Paris", "France"]),
        ("CNRS - Paris", ["CNRS", "Paris"]),
        ("CNRS – Paris — France", ["CNRS", "Paris", "France"]),
        ("Lab A: Institut Pasteur", ["Lab A", "Institut Pasteur"]),
    ],
)
def test_split_on_commas_semicolons_brackets_and_spaced_dashes(text, expected):
    assert texts(text) == expected


def test_parts_written_in_brackets_are_marked():
    parts = split_parts("Georgia Institute of Technology (GT), Atlanta [USA]")
    assert [part.bracketed for part in parts] == [False, True, False, True]
    assert [span.bracketed for span in spans(parts)[:4]] == [False, True, False, True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Now withNational Research Council", ["National Research Council"]),
        (
            "Engineering ofUniversity of Chinese Academy",
            ["Engineering of University of Chinese Academy"],
        ),
        ("Current addressKhalifa University", ["Khalifa University"]),
        ("Far Eastern Branch of theRussian Academy", ["Far Eastern Branch of the Russian Academy"]),
        # Names whose capital letters are inside a word keep them together.
        (
            "iXblue, UCLouvain, McGill University, deCODE genetics",
            ["iXblue", "UCLouvain", "McGill University", "deCODE genetics"],
        ),
        ("Professor, Theodor, IslandWorks", ["Professor", "Theodor", "IslandWorks"]),
        # Names that begin with a small word written so keep it.
        ("GGZ inGeest, forScience Foundation", ["GGZ inGeest", "forScience Foundation"]),
    ],
)
def test_a_small_word_written_against_the_next_name_is_parted(text, expected):
    assert texts(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Current addressGoogle", ["Google"]),
        ("Present address: Institut Curie, Paris", ["Institut Curie", "Paris"]),
        ("Currently at SiLC Technologies", ["SiLC Technologies"]),
        ("Dept of Physics, also at CERN", ["Dept of Physics", "CERN"]),
        ("Now at the Broad Institute", ["the Broad Institute"]),
        # Only at the start of a part: inside a name the words are the name's.
        ("Institute for Research Now at Work", ["Institute for Research Now at Work"]),
        ("Nowak Institute", ["Nowak Institute"]),
        ("Also Intelligent Systems Lab", ["Also Intelligent Systems Lab"]),
    ],
)
def test_a_footnote_before_the_organization_is_dropped(text, expected):
    assert texts(text) == expected


def test_a_hyphen_inside_a_word_does_not_split():
    assert texts("Université Paris-Saclay, Orsay") == ["Université Paris-Saclay", "Orsay"]


def test_parts_are_trimmed_of_spaces_dots_and_quotes():
    assert texts('  "Harvard University" ,  Cambridge. ') == ["Harvard University", "Cambridge"]


def test_emails_are_dropped():
    parts = split_parts("University of Oxford, j.doe@physics.ox.ac.uk, UK")
    assert [p.text for p in parts] == ["University of Oxford", "UK"]
    assert not any("ox ac uk" in p.normal or "@" in p.text for p in parts)


def test_an_email_inside_a_part_is_dropped_from_it():
    assert texts("University of Oxford email: jane@ox.ac.uk") == ["University of Oxford email"]


def test_numbers_are_kept_in_the_text_but_dropped_from_the_normal_form():
    (part,) = split_parts("Parks Road 12")
    assert (part.text, part.normal, part.numbered) == (
        "Parks Road 12",
        "parks road",
        "parks road 12",
    )
    assert normals("University of Oxford, Oxford OX1 3PU, 1 Main St.") == [
        "university of oxford",
        "oxford ox1 3pu",  # words holding letters are not numbers
        "main st",
    ]


@pytest.mark.parametrize(
    "text",
    ["12345", "---", "()", "  ", "", "1, 2; 3", "!!!", '"', "\\", "j.doe@example.org", "#42 - 7"],
)
def test_parts_without_letters_are_dropped(text):
    assert split_parts(text) == []


def test_parts_without_letters_are_dropped_between_others():
    assert texts("Harvard University, 02138, ---, USA") == ["Harvard University", "USA"]


def test_parts_are_normalised():
    assert normals("Dept. of Physics, Univ. of Oxford") == [
        "department of physics",
        "university of oxford",
    ]


# -- normalise ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Université de Montréal", "universite de montreal"),
        (
            "Eidgenössische Technische Hochschule Zürich",
            "eidgenossische technische hochschule zurich",
        ),
        ("São Paulo", "sao paulo"),
        ("UNIVERSITY OF OXFORD", "university of oxford"),
    ],
)
def test_accents_fold_and_case_lowers(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Univ. of Oxford", "university of oxford"),
        ("Harvard Univ", "harvard university"),
        ("Inst. of Physics", "institute of physics"),
        ("Dept. of Chemistry", "department of chemistry"),
        ("Tech. Univ. of Munich", "technology university of munich"),
        ("Massachusetts Inst. of Tech.", "massachusetts institute of technology"),
    ],
)
def test_abbreviations_are_expanded(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chinese Acad Sci, Inst Phys", "chinese academy science institute physics"),
        ("Univ Calif San Francisco", "university california san francisco"),
        ("Massachusetts Gen Hosp", "massachusetts general hospital"),
        ("Kampala Int Univ", "kampala international university"),
        # in capitals, a word Web of Science abbreviates is an acronym; its own stay expanded
        ("SCI Co., Ltd.", "sci co ltd"),
        ("DEPT OF PHYSICS, UNIV OF OXFORD", "department of physics university of oxford"),
        ("CZECH ACAD SCI, INST MATH", "czech academy science institute mathematics"),
        ("Fraunhofer INT", "fraunhofer int"),
    ],
)
def test_web_of_science_abbreviations_are_expanded_unless_an_acronym(text, expected):
    assert normalise(text) == expected


def test_abbreviations_are_expanded_only_as_whole_words():
    assert normalise("Universe Institution Technics") == "universe institution technics"


def test_ampersand_is_and():
    assert normalise("Texas A&M University") == "texas a and m university"
    assert normalise("Smith & Nephew") == normalise("Smith and Nephew") == "smith and nephew"


def test_a_leading_the_is_dropped_but_not_an_inner_one():
    assert normalise("The University of Tokyo") == "university of tokyo"
    assert normalise("the Francis Crick Institute") == "francis crick institute"
    assert normalise("Institute of the Arts") == "institute of the arts"


def test_punctuation_and_hyphens_separate_words():
    assert normalise("Paris-Saclay") == normalise("Paris Saclay") == "paris saclay"
    assert normalise("King's College") == "king s college"


def test_numbers_are_dropped():
    assert normalise("Parks Road 12, OX1 3PU") == "parks road ox1 3pu"


def test_non_latin_scripts_are_kept():
    assert normalise("東京大学") == "東京大学"
    assert normalise("Московский университет") == "московский университет"


@pytest.mark.parametrize("text", ["", "   ", "!!!", '"', "\\", "\x00\x07", "12345"])
def test_nothing_to_normalise(text):
    assert normalise(text) == ""


# -- runs of one or two parts: what the matcher searches ---------------------------------------


def spans(parts):
    return [run for _, _, run in runs(parts, 1, 2)]


def test_spans_are_single_parts_then_neighbouring_pairs():
    parts = split_parts("Dept of Physics, University of California, Berkeley")
    assert [(p.text, p.normal) for p in spans(parts)] == [
        ("Dept of Physics", "department of physics"),
        ("University of California", "university of california"),
        ("Berkeley", "berkeley"),
        (
            "Dept of Physics, University of California",
            "department of physics university of california",
        ),
        ("University of California, Berkeley", "university of california berkeley"),
    ]


def test_runs_say_where_they_begin_and_how_many_parts_they_hold():
    parts = split_parts("Ministry of Education, Culture, Sports, the Environment")
    found = [(start, width, run.normal) for start, width, run in runs(parts, 3, 4)]
    assert found == [
        (0, 3, "ministry of education culture sports"),
        (1, 3, "culture sports the environment"),  # normalised whole: "the" stays
        (0, 4, "ministry of education culture sports the environment"),
    ]
    assert runs(parts, 1, 1) == [(n, 1, part) for n, part in enumerate(parts)]
    assert runs(parts[:2], 3, 8) == []


def test_spans_of_one_part_and_of_none():
    parts = split_parts("University of Oxford")
    assert spans(parts) == parts
    assert spans([]) == []


def test_spans_never_join_parts_that_are_not_neighbours():
    parts = split_parts("A Institute, B Laboratory, C University")
    joined = [s.text for s in spans(parts) if ", " in s.text]
    assert joined == ["A Institute, B Laboratory", "B Laboratory, C University"]


# -- in_english ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("universitat", "university"),
        ("universidade", "university"),
        ("technische", "technical"),
        ("instituto", "institute"),
        ("centre", "center"),
        ("university", "university"),
        ("wurzburg", "wurzburg"),
    ],
)
def test_institutions_words_in_english(word, expected):
    assert in_english(word) == expected


# -- places and reordered words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("saint louis", "st louis"),
        ("sainte foy", "ste foy"),
        ("mount pleasant", "mt pleasant"),
        ("fort worth", "ft worth"),
        ("saint paul and fort collins", "st paul and ft collins"),
        ("fortaleza", "fortaleza"),  # a word holding "fort" is not "fort"
        ("saintes", "saintes"),
        ("oxford", "oxford"),
    ],
)
def test_places_are_compared_with_the_words_they_abbreviate_abbreviated(words, expected):
    assert place_words(words) == expected


def test_every_word_places_abbreviate_is_abbreviated():
    for word, short in _PLACE_WORDS.items():
        assert place_words(f"{word} ville") == f"{short} ville"


def test_a_parts_reordered_words_are_its_content_words_sorted_in_english_and_the_singular():
    (part,) = split_parts("Laboratories of the Universidad de Chile")
    assert part.reordered == "chile laboratory university"
    assert (
        split_parts("Tokyo University")[0].reordered
        == split_parts("University of Tokyo")[0].reordered
    )
