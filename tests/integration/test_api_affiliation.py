"""`GET /v2/organizations?affiliation=` over HTTP, on the subset dump (issue 3).

The expected organizations were looked up in the subset dump by hand: each string names one
organization unambiguously (its display name, in a typical affiliation layout).
"""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Server
from tests.factory import MATCHING_TYPES

pytestmark = pytest.mark.integration

ITEM_KEYS = ["substring", "score", "matching_type", "chosen", "organization"]
ROR = "https://ror.org/"
OXFORD = ROR + "052gg0110"
SORBONNE_PARIS_CITE = ROR + "001z21q04"  # inactive in the subset
HARVARD = ROR + "03vek6s52"
HARVARD_MEDICAL_SCHOOL = ROR + "03wevmz92"  # withdrawn in the subset, succeeded by HARVARD


def match(api, affiliation, **params):
    response = api.get("/v2/organizations", params={"affiliation": affiliation, **params})
    assert response.status_code == 200, response.text
    return response.json()


def chosen_ids(body):
    return [item["organization"]["id"] for item in body["items"] if item["chosen"]]


def item_ids(body):
    return [item["organization"]["id"] for item in body["items"]]


def check_answer(body, multisearch=False):
    """What every answer must satisfy (issue 3); with `multisearch`, several may be chosen,
    all before the others."""
    assert list(body) == ["number_of_results", "items"]
    assert body["number_of_results"] == len(body["items"])
    for item in body["items"]:
        assert list(item) == ITEM_KEYS
        assert isinstance(item["substring"], str)
        assert isinstance(item["score"], int | float) and 0 <= item["score"] <= 1
        assert item["matching_type"] in MATCHING_TYPES
        assert isinstance(item["chosen"], bool)
        assert item["organization"]["id"].startswith(ROR)
    picked = [i for i, item in enumerate(body["items"]) if item["chosen"]]
    if multisearch:
        assert picked == list(range(len(picked))), "the chosen ones first"
    else:
        assert picked in ([], [0]), "at most one chosen, and first"
    rest = [item["score"] for item in body["items"] if not item["chosen"]]
    assert rest == sorted(rest, reverse=True), "items sorted by score"
    ids = item_ids(body)
    assert len(ids) == len(set(ids))


# -- the answer ---------------------------------------------------------------------------------


def test_response_shape_and_key_order(api):
    response = api.get("/v2/organizations", params={"affiliation": "University of Oxford"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    check_answer(body)
    assert body["number_of_results"] >= 1
    first = body["items"][0]
    assert first["chosen"] is True
    assert first["organization"]["id"] == OXFORD
    assert first["substring"] == "University of Oxford"
    assert first["matching_type"] == "EXACT"


def test_organization_is_the_full_v2_record(api):
    body = match(api, "Department of Physics, University of Oxford, Oxford, UK")
    check_answer(body)
    assert body["items"]
    for item in body["items"][:3]:
        record = api.get(f"/v2/organizations/{item['organization']['id']}").json()
        assert item["organization"] == record
        assert list(item["organization"]) == list(record)


@pytest.mark.parametrize(
    ("affiliation", "expected"),
    [
        ("Department of Physics, University of Oxford, UK", "052gg0110"),
        (
            "Dept. of Chemistry, Harvard University, Cambridge, MA 02138, USA",
            "03vek6s52",
        ),
        ("Stanford University, Stanford, CA 94305, USA", "00f54p054"),
        ("ETH Zurich, Zurich, Switzerland", "05a28rw58"),
        ("Max Planck Society, Munich, Germany", "01hhn8329"),
        ("Sorbonne Université, Paris, France", "02en5vm52"),
        ("Universite de Montreal, Montreal, QC, Canada", "0161xgx34"),
        ("Univ. of Cambridge, Cambridge CB3 0WA, UK", "013meh722"),
        ("東京大学", "057zh3y96"),
        # its parent, SUNY, is only named inside its own name
        (
            "Department of Oral Biology, University at Buffalo, State University of New York",
            "01y64my43",
        ),
        # also "City University of Hong Kong (Dongguan)" less its qualifier
        ("Department of Physics, City University of Hong Kong", "03q8dnn23"),
        # an institute whose name holds its parent's, not in the subset
        ("Institute of Biomedical Sciences, Academia Sinica, Taipei, Taiwan", "00tk6s776"),
        # a unit of the University of London, called so; an alias of an institute in Angers
        ("The Institute of Cancer Research", "043jzw605"),
        # a typo read past, though "Universidad Nacional" is found as written
        ("Department of Chemistry, Universidad Nacional Autnoma de Mexico", "01tmp8f25"),
        # "GT" in brackets is its acronym, not Guatemala
        ("Georgia Institute of Technology (GT)", "01zkghx44"),
        # a name in English, its record's in German
        ("Technical University of Ilmenau", "01weqhp73"),
        # every word of its name, in another order, beats "University of Innsbruck" inside
        ("Institute of Cell Biology, Medical University of Innsbruck", "03pt86f80"),
        # an acronym of two words, one organization's
        ("EMBL-EBI", "02catss52"),
        # an acronym others use too, then the city of one of them
        ("CAU Kiel", "04v76ef78"),
        # a footnote's words glued to the name
        ("Current addressKhalifa University of Science and Technology", "05hffr360"),
        # a name holding four commas, not the "Ministry of Education" of other countries
        (
            "Graduate School, Ministry of Education, Culture, Sports, Science and Technology, "
            "Tokyo, Japan",
            "048rj2z13",
        ),
        # "Jordan" ends the name of an institute in France
        ("Institut Camille Jordan", "01ekw7f87"),
        # "U.S." ends an Italian legal form
        ("Associazione Fitness Metabolica O.N.L.U.S.", "0594kbc86"),
        # "Hartford" and "Iwata" say where, not the companies called so
        ("Hartford Hospital, Hartford, United States", "00gt5xe03"),
        ("Shizuoka Professional University of Agriculture, Iwata, Japan", "05k9kcg68"),
        # a name and its place across two parts, not the name of the first part alone
        ("Brigham Young University - Idaho, Rexburg, United States", "05j7qk258"),
        ("The Glycoscience Group, National University of Ireland, Galway", "03bea9k73"),
        # a unit named generically, then its city: the one there, not Tasmania's
        ("Department of Health, East Perth, Australia", "01epcny94"),
        # the whole name across two parts, not its first part alone (an alias of the same
        # university) beside its parent's name
        ("Biology, University at Albany, State University of New York", "012zs8222"),
    ],
)
def test_well_known_affiliations_are_chosen(api, affiliation, expected):
    body = match(api, affiliation)
    check_answer(body)
    assert chosen_ids(body) == [ROR + expected]


def test_unversioned_path_gives_the_same_answer(api):
    params = {"affiliation": "Stanford University, Stanford, CA 94305, USA"}
    versioned = api.get("/v2/organizations", params=params)
    unversioned = api.get("/organizations", params=params)
    assert unversioned.status_code == 200
    assert unversioned.json() == versioned.json()


def test_a_city_and_its_state_name_no_organization(api):
    """ "Saint Louis, MO" is closer to the Saint Louis Zoo's name than "Washington University
    3 Department of Chemistry" is to Washington University in St. Louis's, but only says
    where."""
    body = match(api, "Washington University 3 Department of Chemistry, , Saint Louis, MO, USA")
    check_answer(body)
    assert ROR + "03g0fjg84" in item_ids(body)  # the zoo
    # Washington University in St. Louis, found by a fuzzy match of the first part and the
    # city (ROR has no name "Washington University"), is as likely as not: its confidence
    # has come out between 0.34 and 0.62 in retrainings, around the threshold.
    assert chosen_ids(body) in ([], [ROR + "01yc7t268"])


def test_an_institute_called_so_is_not_weakened_for_want_of_its_parent(api):
    """The Institute of Cancer Research is a unit of the University of London, which the
    string does not name; it is called so, and stays as strong as its namesake in Angers,
    which has the name as a label only."""
    body = match(api, "Shared Research Facilities, The Institute of Cancer Research")
    check_answer(body)
    scores = {item["organization"]["id"]: item["score"] for item in body["items"]}
    assert scores[ROR + "043jzw605"] == 1.0
    assert ROR + "01m6as704" not in chosen_ids(body)


def test_an_acronym_beside_a_name_holding_a_country_is_not_one_used_elsewhere(api):
    # "NCMM" is Nigeria's National Commission for Museums and Monuments, alone in the subset.
    body = match(api, "Centre for Molecular Medicine Norway (NCMM), Nordic EMBL Partnership")
    check_answer(body)
    assert ROR + "0025mvn63" in item_ids(body)
    assert chosen_ids(body) == []
    assert chosen_ids(match(api, "NCMM")) == [ROR + "0025mvn63"]


def test_a_country_elsewhere_rejects_the_candidate(api):
    body = match(api, "University of Oxford, Germany")
    check_answer(body)
    assert OXFORD not in item_ids(body)


def test_an_ambiguous_acronym_alone_is_not_chosen(api):
    # Several organizations of the subset are called "MIT".
    body = match(api, "MIT")
    check_answer(body)
    assert chosen_ids(body) == []


@pytest.mark.parametrize(
    "affiliation",
    [
        "Zzyzx Qwerty Flurble",
        # only words that thousands of names hold: no organization in particular
        "University",
        "College of Electronic Science and Technology",
    ],
)
def test_a_string_naming_no_organization_chooses_nothing(api, affiliation):
    body = match(api, affiliation)
    check_answer(body)
    assert chosen_ids(body) == []


# -- all_status, single_search, multisearch -----------------------------------------------------


def test_the_inactive_record_used_below_is_inactive(api):
    record = api.get(f"/v2/organizations/{SORBONNE_PARIS_CITE}").json()
    assert record["status"] == "inactive"
    assert "Sorbonne Paris Cité" in [name["value"] for name in record["names"]]


def test_inactive_records_are_matched_only_with_all_status(api):
    without = match(api, "Sorbonne Paris Cité")
    check_answer(without)
    assert SORBONNE_PARIS_CITE not in item_ids(without)
    assert all(item["organization"]["status"] == "active" for item in without["items"])
    for value in ("", "true", "TRUE"):
        widened = match(api, "Sorbonne Paris Cité", all_status=value)
        check_answer(widened)
        assert chosen_ids(widened) == [SORBONNE_PARIS_CITE]
    explicit_false = match(api, "Sorbonne Paris Cité", all_status="false")
    assert SORBONNE_PARIS_CITE not in item_ids(explicit_false)


def test_a_withdrawn_organization_named_gives_way_to_its_successor(api):
    record = api.get(f"/v2/organizations/{HARVARD_MEDICAL_SCHOOL}").json()
    assert record["status"] == "withdrawn"
    successors = [r["id"] for r in record["relationships"] if r["type"] == "successor"]
    assert successors == [HARVARD]
    text = "Department of Neurology, Harvard Medical School, Boston, MA, USA"
    body = match(api, text)
    check_answer(body)
    assert chosen_ids(body) == [HARVARD]
    assert body["items"][0]["substring"] == "Harvard Medical School"
    assert HARVARD_MEDICAL_SCHOOL not in item_ids(body)
    widened = match(api, text, all_status="true")
    check_answer(widened)
    assert HARVARD_MEDICAL_SCHOOL in item_ids(widened)


@pytest.mark.parametrize(
    "flags",
    [
        {"single_search": ""},
        {"single_search": "true"},
        {"multisearch": ""},
        {"multisearch": "true"},
        {"multisearch": "false"},
        {"multisearch": "whatever"},
        {"single_search": "", "multisearch": ""},
    ],
)
def test_single_search_and_multisearch_are_accepted(api, flags):
    """A string that names one organization: multisearch chooses it alone."""
    affiliation = "Dept. of Chemistry, Harvard University, Cambridge, MA 02138, USA"
    plain = match(api, affiliation)
    flagged = match(api, affiliation, **flags)
    check_answer(flagged)
    assert flagged == plain
    assert chosen_ids(flagged) == [ROR + "03vek6s52"]


def test_serve_threshold_sets_how_sure_a_choice_must_be(api, subset_dump, subset_data_dir):
    """A server started with `--threshold 0.99` answers with the same items, but chooses
    none the model is less sure of (Oxford here: about 0.97)."""
    affiliation = "Dept. of Physics, Univ. of Oxford, UK"
    plain = match(api, affiliation)
    assert chosen_ids(plain) == [OXFORD]
    strict = Server(
        "--dump", str(subset_dump), "--data-dir", str(subset_data_dir), "--threshold", "0.99"
    ).wait_ready()
    try:
        with httpx.Client(base_url=strict.url, timeout=30) as client:
            body = match(client, affiliation)
    finally:
        strict.stop()
    check_answer(body)
    assert chosen_ids(body) == []
    assert body["items"] == [{**item, "chosen": False} for item in plain["items"]]


HHMI = ROR + "006w34k90"  # Howard Hughes Medical Institute
COLUMBIA = ROR + "00hj8s172"
INSERM = ROR + "02vjkv261"
LILLE = ROR + "02kzqn938"  # Université de Lille


@pytest.mark.parametrize(
    ("affiliation", "first", "also"),
    [
        ("Howard Hughes Medical Institute, Columbia University", COLUMBIA, HHMI),
        ("Univ. Lille, Inserm, France", LILLE, INSERM),
    ],
)
def test_multisearch_chooses_every_organization_named(api, affiliation, first, also):
    plain = match(api, affiliation)
    check_answer(plain)
    assert chosen_ids(plain) == [first]
    for value in ("", "true", "1"):
        several = match(api, affiliation, multisearch=value)
        check_answer(several, multisearch=True)
        assert chosen_ids(several) == [first, also]
        assert sorted(item_ids(several)) == sorted(item_ids(plain))  # the same candidates
    for value in ("false", "0", "no"):
        assert match(api, affiliation, multisearch=value) == plain


def test_multisearch_in_v1_too(api):
    response = api.get(
        "/v1/organizations",
        params={
            "affiliation": "Howard Hughes Medical Institute, Columbia University",
            "multisearch": "",
        },
    )
    assert response.status_code == 200, response.text
    chosen = [item["organization"]["id"] for item in response.json()["items"] if item["chosen"]]
    assert chosen == [COLUMBIA, HHMI]


# -- errors -------------------------------------------------------------------------------------


def errors_of(api, params):
    response = api.get("/v2/organizations", params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert list(body) == ["errors"]
    assert isinstance(body["errors"], list) and body["errors"]
    assert all(isinstance(e, str) for e in body["errors"])
    return " ".join(body["errors"])


@pytest.mark.parametrize("affiliation", ["", " ", "   \t  "])
def test_empty_affiliation_is_400(api, affiliation):
    assert "affiliation" in errors_of(api, {"affiliation": affiliation})


def test_an_affiliation_over_2000_characters_is_400(api):
    message = errors_of(api, {"affiliation": "a" * 2001})
    assert "2001" in message or "2,001" in message or "2000" in message or "2,000" in message


def test_an_affiliation_of_2000_characters_is_accepted(api):
    check_answer(match(api, "University of Oxford, " + "x" * (2000 - 22)))


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"page": "1"}, "page"),
        ({"page": "2"}, "page"),
        ({"filter": "types:education"}, "filter"),
        ({"query": "oxford"}, "query"),
        ({"query.advanced": "names.value:oxford"}, "query.advanced"),
    ],
)
def test_affiliation_with_list_parameters_is_400_naming_the_conflict(api, extra, named):
    message = errors_of(api, {"affiliation": "University of Oxford", **extra})
    assert f"'{named}'" in message or f'"{named}"' in message or named in message.split()
    assert "affiliation" in message


def test_an_unknown_parameter_is_400(api):
    message = errors_of(api, {"affiliation": "University of Oxford", "colour": "red"})
    assert "colour" in message


def test_unversioned_path_errors_too(api):
    response = api.get("/organizations", params={"affiliation": "Oxford", "page": "1"})
    assert response.status_code == 400
    assert "page" in " ".join(response.json()["errors"])


# -- strings that must not fail -----------------------------------------------------------------

NASTY = [
    '"',
    '""',
    "\\",
    "\\\\",
    "!!!",
    "12345",
    "0000000",
    "*",
    "?",
    "~",
    "()",
    "[",
    "{}",
    "AND",
    "OR NOT",
    "title:foo",
    'names.value:"x',
    "a:b:c",
    "%",
    '+-&&||!(){}[]^"~*?:\\/',
    "\x00",
    "a\x00b",
    "\x07\x1b\x7f",
    "東京大学",
    "Московский государственный университет",
    "جامعة القاهرة",
    "עברית",
    "🎓🏛️",
    "Zürich ÅÄÖ ǅ",
    "\u200b",
    "\ufeff",
    "a," * 1000,
    "x" * 2000,
    "University of Oxford, " * 90,
    "- - -",
    "j.doe@example.org",
]


@pytest.mark.parametrize("affiliation", NASTY, ids=range(len(NASTY)))
def test_nasty_strings_never_give_a_server_error(api, affiliation):
    response = api.get("/v2/organizations", params={"affiliation": affiliation})
    assert response.status_code < 500, response.text
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        check_answer(response.json())
    else:
        assert response.json()["errors"]


@pytest.mark.parametrize(
    "raw_query",
    ["affiliation=%00", "affiliation=%ZZ", "affiliation=%", "affiliation=%C3%28", "affiliation"],
)
def test_malformed_escapes_never_give_a_server_error(api, raw_query):
    response = api.get(f"/v2/organizations?{raw_query}")
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        check_answer(response.json())


def test_the_server_still_answers_after_the_nasty_strings(api):
    body = match(api, "University of Oxford")
    assert chosen_ids(body) == [OXFORD]
