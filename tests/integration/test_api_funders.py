"""The InvenioRDM funders API (`/api/funders`) over HTTP, on the shared subset dump.

Expected records are derived with `resmeta.records.funder` (pinned to InvenioRDM's own
examples and fixtures by tests/unit/test_funder_records.py); expected totals and orders are
computed from the dump's records in plain Python: words as `test_api_v2_dump.words` cuts
and folds them, a beginning as `str.startswith`, one typo as an optimal-string-alignment
distance of at most 1 to a beginning of the word.
"""

from __future__ import annotations

import json
import math
from urllib.parse import quote

import pytest
from rapidfuzz.distance import OSA

from resmeta.records.funder import funder_record
from tests.integration.test_api_v2_dump import exact, fold, words
from tests.unit.test_funder_records import API_ORDER, TIMESTAMP, shared

pytestmark = pytest.mark.integration

PATH = "/api/funders"
VND = "application/vnd.inveniordm.v1+json"
SUGGEST_FIELDS = ("name", "acronym", "aliases", "title_en", "country_name")
Q_FIELDS = ("name", "title", "acronym", "aliases", "country_name")


class Funder:
    """A dump record as a funder, with the words each searched field holds."""

    def __init__(self, ror: dict) -> None:
        self.ror = ror
        self.record = funder_record(ror)
        f = self.record
        self.id = f["id"]
        self.words = {
            "name": set(words(f["name"])),
            "title": {w for v in f["title"].values() for w in words(v)},
            "title_en": set(words(f["title"]["en"])),
            "acronym": set(words(f.get("acronym", ""))),
            "aliases": {w for v in f.get("aliases", []) for w in words(v)},
            "country_name": set(words(f.get("country_name", ""))),
        }
        ids = {fold(i["identifier"]) for i in f["identifiers"]}
        self.identifiers = ids | {i.replace(" ", "") for i in ids}
        self.country = fold(f.get("country", ""))
        self.is_funder = "funder" in f["types"]

    def q_word(self, word: str) -> bool:
        """A plain `q` word: a word of a searched field begins with it, or it is the country
        code, or an identifier begins with it."""
        return (
            any(t.startswith(word) for field in Q_FIELDS for t in self.words[field])
            or word == self.country
            or any(i.startswith(word) for i in self.identifiers)
        )

    def suggest(self, text: str) -> bool:
        typed = list(dict.fromkeys(words(text)))[:10]
        whole = fold(text.strip())
        return any(
            matches_as_typed(word, t, typing=n == len(typed))
            for n, word in enumerate(typed, 1)
            for field in SUGGEST_FIELDS
            for t in self.words[field]
        ) or any(i.startswith(whole) for i in self.identifiers if whole)


def matches_as_typed(typed: str, word: str, typing: bool = True) -> bool:
    """`word` begins with `typed`, or (4 letters or more) is one typo away from it; the
    word being typed (the last) may also begin with something one typo away."""
    if word.startswith(typed):
        return True
    if len(typed) < 4:
        return False
    if not typing:
        return OSA.distance(typed, word) <= 1
    lengths = {len(typed) - 1, len(typed), len(typed) + 1}
    return any(OSA.distance(typed, word[:n]) <= 1 for n in lengths if n <= len(word))


@pytest.fixture(scope="module")
def funders(dump) -> list[Funder]:
    return [Funder(record) for record in dump.records]


@pytest.fixture(scope="module")
def base(server) -> str:
    return server.url


def get(api, **params) -> dict:
    response = api.get(PATH, params=params)
    assert response.status_code == 200, (params, response.text)
    assert response.headers["content-type"] == "application/json"
    return response.json()


def ids(body: dict) -> list[str]:
    return [hit["id"] for hit in body["hits"]["hits"]]


def every_hit(api, **params) -> list[dict]:
    """All hits of a search (fewer than 10,000), in order."""
    body = get(api, size=10_000, **params)
    assert len(body["hits"]["hits"]) == body["hits"]["total"] <= 10_000
    return body["hits"]["hits"]


def url(base: str, **params) -> str:
    query = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in sorted(params.items()))
    return f"{base}{PATH}?{query}"


# -- records -----------------------------------------------------------------------------------


def test_every_funder_of_the_derived_sample_is_served_as_derived(api, base) -> None:
    """The 3,535 funders of the sample derived with InvenioRDM's loader rules: byte-equal
    values, plus created/updated from ROR's admin dates, revision_id and an absolute link."""
    derived = shared("funders_derived_from_ror_sample.jsonl.gz")
    ror = {
        r["id"].removeprefix("https://ror.org/"): r
        for r in shared("ror-records_v2_funder_sample.jsonl.gz")
    }
    for expected in derived:
        response = api.get(f"{PATH}/{expected['id']}")
        assert response.status_code == 200, expected["id"]
        served = response.json()
        assert list(served) == [key for key in API_ORDER if key in served]
        admin = ror[expected["id"]]["admin"]
        assert served.pop("created") == admin["created"]["date"] + "T00:00:00.000000+00:00"
        assert served.pop("updated") == admin["last_modified"]["date"] + "T00:00:00.000000+00:00"
        assert served.pop("revision_id") == 2
        assert served.pop("links") == {"self": f"{base}{PATH}/{expected['id']}"}
        assert served == expected, expected["id"]
        assert list(served["title"]) == list(expected["title"])
        assert json.dumps(served["identifiers"]) == json.dumps(expected["identifiers"])


def test_search_hits_are_the_records(api, base, funders) -> None:
    body = get(api, q="wellcome", size=5)
    by_id = {f.id: f for f in funders}
    for hit in body["hits"]["hits"]:
        expected = funder_record(by_id[hit["id"]].ror, base_url=base)
        assert hit == expected
        assert list(hit) == list(expected)
        assert api.get(f"{PATH}/{hit['id']}").json() == hit


def test_the_documented_search_example(api, base) -> None:
    """`GET /api/funders?q=health` of InvenioRDM's REST API docs: the same response shape,
    the same self link, and its three funders (among ours: they are all of ROR's) with the
    same fields, shapes and values, in the same order."""
    example = shared("docs-invenio-rdm_funders_api_examples.json")["search_example"]["response"]
    body = get(api, q="health")
    assert list(body) == ["hits", "sortBy", "page", "links"]
    assert list(body["hits"]) == ["hits", "total"]
    assert body["sortBy"] == example["sortBy"] == "bestmatch"
    assert body["page"] == 1
    assert body["links"]["self"] == example["links"]["self"].replace("{scheme+hostname}", base)
    assert body["links"]["self"] == f"{base}{PATH}?page=1&q=health&size=25&sort=bestmatch"
    documented = example["hits"]["hits"]
    wanted = " OR ".join(f"id:{hit['id']}" for hit in documented)
    body = get(api, q=f"health AND ({wanted})")
    assert body["hits"]["total"] == 3
    assert ids(body) == [hit["id"] for hit in documented]  # NIH, CIHR, NHMRC: shortest first
    for ours, theirs in zip(body["hits"]["hits"], documented, strict=True):
        assert [key for key in ours if key in theirs] == list(theirs)  # their keys, in order
        for key in ("id", "name", "country", "revision_id"):
            assert ours[key] == theirs[key]
        assert ours["links"]["self"] == theirs["links"]["self"].replace("{scheme+hostname}", base)
        assert ours["title"]["en"] == theirs["title"]["en"]
        assert ours["identifiers"][0] == theirs["identifiers"][0]
        assert TIMESTAMP.fullmatch(ours["created"]) and TIMESTAMP.fullmatch(ours["updated"])
        assert TIMESTAMP.fullmatch(theirs["created"])


def test_the_documented_read_example(api, base) -> None:
    example = shared("docs-invenio-rdm_funders_api_examples.json")["read_example"]["response"]
    response = api.get(f"{PATH}/01cwqze88")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    ours = response.json()
    assert set(example) <= set(ours)
    assert ours["id"] == "01cwqze88" and ours["name"] == example["name"]
    assert ours["identifiers"][0] == example["identifiers"][0]
    assert ours["country"] == example["country"]
    assert ours["title"]["en"] == example["title"]["en"]
    assert ours["revision_id"] == example["revision_id"]
    assert ours["links"] == {
        "self": example["links"]["self"]
        .replace("{scheme+hostname}", base)
        .replace("{id}", "01cwqze88")
    }
    assert TIMESTAMP.fullmatch(ours["created"]) and TIMESTAMP.fullmatch(ours["updated"])


def test_the_demo_fixture_funders_that_ror_lists(api, dump) -> None:
    fixture = shared("invenio-rdm-records_fixture_funders.yaml")
    listed = [entry for entry in fixture if "https://ror.org/" + entry["id"] in dump.by_id]
    assert len(listed) == 19
    for entry in listed:
        ours = api.get(f"{PATH}/{entry['id']}").json()
        assert ours["id"] == entry["id"] and ours["country"] == entry["country"]
        assert ours["identifiers"][0] == entry["identifiers"][0]
        assert isinstance(ours["name"], str) and isinstance(ours["title"]["en"], str)


def test_unknown_ids_are_404(api, dump) -> None:
    assert "https://ror.org/0abcdef12" not in dump.by_id
    for pid in ("0abcdef12", "01CWQZE88", "https://ror.org/01cwqze88", "01cwqze88/x", "x"):
        response = api.get(f"{PATH}/{pid}")
        assert response.status_code == 404, pid
        assert response.json() == {
            "status": 404,
            "message": "The persistent identifier does not exist.",
        }


# -- totals, prefixes, typos -------------------------------------------------------------------


def test_exact_totals_all_records_and_funders_only(api, funders) -> None:
    assert get(api)["hits"]["total"] == len(funders) == 51_370
    only = get(api, funders_only="true")
    assert only["hits"]["total"] == sum(f.is_funder for f in funders) == 13_379
    assert all("funder" in hit["types"] for hit in only["hits"]["hits"])
    for word in ("health", "uni", "wellc", "fondazione"):
        matching = [f for f in funders if f.q_word(word)]
        assert get(api, q=word)["hits"]["total"] == len(matching), word
        funder_total = get(api, q=word, funders_only="true")["hits"]["total"]
        assert funder_total == sum(f.is_funder for f in matching), word


def test_q_word_prefixes_match(api, funders) -> None:
    hits = every_hit(api, q="wellc")
    assert {hit["id"] for hit in hits} == {f.id for f in funders if f.q_word("wellc")}
    assert "029chgv08" in {hit["id"] for hit in hits}  # Wellcome Trust
    # A whole word outranks a word it only begins.
    body = get(api, q="uni", size=3)
    assert all("uni" in words(hit["name"]) for hit in body["hits"]["hits"])


def test_suggest_beginnings_and_one_typo(api, funders) -> None:
    texts = ("wellcome", "wellc", "wellcme", "wlelcome", "wellcone trust", "natio", "wellcme tru")
    for text in texts:
        expected = {f.id for f in funders if f.suggest(text)}
        hits = every_hit(api, suggest=text)
        assert {hit["id"] for hit in hits} == expected, text
    assert ids(get(api, suggest="wellcome trust", size=1)) == ["029chgv08"]
    assert "029chgv08" in ids(get(api, suggest="wellcme trust", size=3))
    assert get(api, suggest="wellcmoe trsut")["hits"]["total"] > 0
    assert get(api, suggest="wxllcxme")["hits"]["total"] == 0  # two typos
    for text in ("10.13039/100000002", "10.13039/10000000", "grid.94365"):  # identifiers
        hits = every_hit(api, suggest=text)
        assert {hit["id"] for hit in hits} == {f.id for f in funders if f.suggest(text)}, text
    assert ids(get(api, suggest="10.13039/100000002"))[0] == "01cwqze88"  # whole: first


def children(dump, funder_id: str) -> int:
    record = dump.by_id["https://ror.org/" + funder_id]
    return sum(r["type"] == "child" for r in record["relationships"])


def test_suggest_ranks_prominent_organizations_first_among_equal_matches(api) -> None:
    """As `query` of the ROR API: "oxford" is the University of Oxford before Oxford
    Archaeology, though both names hold the word and the shorter one scores higher."""
    assert get(api, suggest="oxford", size=1)["hits"]["hits"][0]["name"] == "University of Oxford"
    assert get(api, suggest="harvard", size=1)["hits"]["hits"][0]["name"] == "Harvard University"


def test_suggest_ranks_whole_words_then_beginnings_then_typos(api, dump) -> None:
    """Fields weigh as in invenio-vocabularies (the name most); within the name, a whole
    word ranks above a beginning, which ranks above a typo, between organizations equally
    prominent (here: with no unit in ROR, see the test above)."""
    hits = [hit for hit in every_hit(api, suggest="trust") if children(dump, hit["id"]) == 0]

    def rank(hit: dict) -> int:
        name_words = words(hit["name"])
        if "trust" in name_words:
            return 0
        if any(w.startswith("trust") for w in name_words):
            return 1
        if any(matches_as_typed("trust", w) for w in name_words):
            return 2  # a typo in the name
        return 3  # no match in the name

    # The whole text as a name or acronym puts a record first: leave those out.
    ranks = [
        rank(hit)
        for hit in hits
        if "trust" not in (fold(hit["name"]), fold(hit.get("acronym", "")))
    ]
    first = {r: ranks.index(r) for r in set(ranks)}
    last = {r: len(ranks) - 1 - ranks[::-1].index(r) for r in set(ranks)}
    assert set(ranks) == {0, 1, 2, 3}
    assert last[0] < first[1] and last[1] < first[2] and last[1] < first[3]


# -- q: Lucene syntax and fallback -------------------------------------------------------------


def test_q_lucene_syntax(api, funders) -> None:
    def total(q: str) -> int:
        return get(api, q=q)["hits"]["total"]

    def phrase(f: Funder, text: str) -> bool:
        name, wanted = words(f.record["name"]), words(text)
        return any(name[i : i + len(wanted)] == wanted for i in range(len(name)))

    assert total('name:"national institutes of health"') == sum(
        phrase(f, "national institutes of health") for f in funders
    )
    assert total("health AND country:AU") == sum(
        f.q_word("health") and f.country == "au" for f in funders
    )
    assert total("health AND NOT types:funder") == sum(
        f.q_word("health") and not f.is_funder for f in funders
    )
    assert total("-types:funder") == sum(not f.is_funder for f in funders)
    assert total("name:wellc*") == sum(
        any(w.startswith("wellc") for w in f.words["name"]) for f in funders
    )
    assert total("title.fr:recherche") == sum(
        any(w.startswith("recherche") for w in words(f.record["title"].get("fr", "")))
        for f in funders
    )
    assert ids(get(api, q='identifiers.identifier:"10.13039/100000002"')) == ["01cwqze88"]
    assert ids(get(api, q="identifiers.identifier:grid.94365.3d")) == ["01cwqze88"]
    assert "01cwqze88" in ids(get(api, q="acronym:NIH AND country:US"))
    assert total("wellcome OR trust") == sum(
        f.q_word("wellcome") or f.q_word("trust") for f in funders
    )
    assert total("wellcome trust") == total("wellcome OR trust")  # OR, as query_string


def test_q_falls_back_to_plain_words(api) -> None:
    health = get(api, q="health")
    for text in ("health)(", '"health', "health:", "[health", "health^"):
        body = get(api, q=text)
        assert body["hits"]["total"] == health["hits"]["total"], text
    # An unknown field is read as words too.
    assert (
        get(api, q="Wellcome: Trust")["hits"]["total"]
        == get(api, q="wellcome trust")["hits"]["total"]
    )


# -- sorting and paging ------------------------------------------------------------------------


def test_sorts(api, funders) -> None:
    default = get(api, size=100)
    assert default["sortBy"] == "name"
    assert default == get(api, size=100, sort="name")
    keys = [exact(hit["name"]) for hit in default["hits"]["hits"]]
    assert keys == sorted(keys)
    expected = sorted(funders, key=lambda f: exact(f.record["name"]))[:100]
    assert [exact(f.record["name"]) for f in expected] == keys
    newest = get(api, sort="newest", size=100)["hits"]["hits"]
    oldest = get(api, sort="oldest", size=100)["hits"]["hits"]
    assert [h["created"] for h in newest] == sorted((h["created"] for h in newest), reverse=True)
    assert newest[0]["created"] == max(f.record["created"] for f in funders)
    assert [h["created"] for h in oldest] == sorted(h["created"] for h in oldest)
    assert oldest[0]["created"] == min(f.record["created"] for f in funders)
    assert get(api, q="health")["sortBy"] == "bestmatch"
    assert get(api, suggest="health")["sortBy"] == "bestmatch"
    assert get(api, sort="bestmatch")["sortBy"] == "bestmatch"
    for sort in ("name", "newest", "oldest"):
        body = get(api, q="health", sort=sort)
        assert body["sortBy"] == sort
        assert body["hits"]["total"] == get(api, q="health")["hits"]["total"]
    by_name = [hit["name"] for hit in get(api, q="health", sort="name", size=50)["hits"]["hits"]]
    assert [exact(n) for n in by_name] == sorted(exact(n) for n in by_name)


def test_paging_links(api, base) -> None:
    total = get(api, q="health")["hits"]["total"]
    last = math.ceil(total / 10)
    first = get(api, q="health", size=10)
    assert first["links"] == {
        "self": url(base, page=1, q="health", size=10, sort="bestmatch"),
        "next": url(base, page=2, q="health", size=10, sort="bestmatch"),
    }
    second = get(api, q="health", size=10, page=2)
    assert second["page"] == 2
    assert second["links"] == {
        "self": url(base, page=2, q="health", size=10, sort="bestmatch"),
        "prev": url(base, page=1, q="health", size=10, sort="bestmatch"),
        "next": url(base, page=3, q="health", size=10, sort="bestmatch"),
    }
    assert not set(ids(first)) & set(ids(second))
    assert ids(first) + ids(second) == ids(get(api, q="health", size=20))
    final = get(api, q="health", size=10, page=last)
    assert set(final["links"]) == {"self", "prev"}
    assert len(final["hits"]["hits"]) == total - (last - 1) * 10
    beyond = get(api, q="health", size=10, page=last + 1)
    assert beyond["hits"]["hits"] == [] and beyond["hits"]["total"] == total
    # Every effective parameter, keys sorted, values escaped; ignored ones left out.
    body = get(api, suggest='wellcome "trust" & co', funders_only="yes", page=1, size=2, x="y")
    assert body["links"]["self"] == (
        f"{base}{PATH}?funders_only=true&page=1&size=2&sort=bestmatch"
        "&suggest=wellcome%20%22trust%22%20%26%20co"
    )
    # No next link to a page that could not be had (the 10,000th hit ends page 400).
    deep = get(api, page=400)
    assert set(deep["links"]) == {"self", "prev"}
    assert deep["links"]["self"] == url(base, page=400, size=25, sort="name")


# -- errors, content negotiation, hostile input ------------------------------------------------


def validation(*fields: tuple[str, str]) -> dict:
    return {
        "status": 400,
        "message": "A validation error occurred.",
        "errors": [{"field": f, "messages": [m]} for f, m in fields],
    }


INVALID = {"status": 400, "message": "Invalid querystring parameters."}
NOT_INT = "Not a valid integer."
AT_LEAST_1 = "Must be greater than or equal to 1."


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({"size": "0"}, validation(("size", AT_LEAST_1))),
        ({"size": "abc"}, validation(("size", NOT_INT))),
        ({"page": "1.5"}, validation(("page", NOT_INT))),
        ({"page": "0", "size": "-5"}, validation(("page", AT_LEAST_1), ("size", AT_LEAST_1))),
        ({"page": ""}, validation(("page", NOT_INT))),
        ({"page": "401"}, INVALID),
        ({"page": "2", "size": "10000"}, INVALID),
        ({"page": "9" * 50}, INVALID),
        (
            {"sort": "mostrecent"},
            validation(
                (
                    "sort",
                    "Invalid sort option 'mostrecent'. Use one of: bestmatch, name, "
                    "newest, oldest.",
                )
            ),
        ),  # fmt: skip
        (
            {"q": "a", "suggest": "b"},
            validation(("suggest", "Give either q or suggest, not both.")),
        ),
        ({"funders_only": "maybe"}, validation(("funders_only", "Not a valid boolean."))),
    ],
)
def test_errors_in_invenio_shape(api, params, body) -> None:
    response = api.get(PATH, params=params)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/json"
    assert response.json() == body


def test_limits_that_are_fine(api) -> None:
    assert get(api, page=400, size=25)["hits"]["hits"]  # starts at the 9,976th hit
    assert get(api, page=1, size="+3")["links"]["self"].endswith("size=3&sort=name")
    assert get(api, q="  ", suggest="")["sortBy"] == "name"  # blank: no query


@pytest.mark.parametrize(
    ("accept", "status", "media_type"),
    [
        (None, 200, "application/json"),
        ("application/json", 200, "application/json"),
        (VND, 200, VND),
        ("*/*", 200, "application/json"),
        ("application/*", 200, "application/json"),
        (f"text/html, {VND};q=0.5", 200, VND),
        (f"application/json;q=0.4, {VND};q=0.9", 200, VND),
        ("application/json;q=0, */*;q=0.1", 200, VND),
        ("text/html", 406, "application/json"),
        ("application/xml, text/*", 406, "application/json"),
        ("application/json;q=0", 406, "application/json"),
    ],
)
def test_content_negotiation(api, accept, status, media_type) -> None:
    headers = {"Accept": accept} if accept else {}
    for path in (PATH + "?q=wellcome", PATH + "/029chgv08"):
        response = api.get(path, headers=headers)
        assert response.status_code == status, (path, accept)
        assert response.headers["content-type"] == media_type
        if status == 406:
            assert response.json() == {
                "status": 406,
                "message": "Invalid 'Accept' header. Expected one of: application/json, "
                "application/vnd.inveniordm.v1+json",
            }
        else:
            assert response.json()  # the same JSON whichever type


HOSTILE = [
    "",
    " ",
    "\x00",
    "*",
    "?",
    "~",
    "\\",
    '"',
    "((((((",
    ")))",
    "[",
    "{}",
    ":",
    "a:b:c",
    "title.:x",
    "title.zz-zzzzzzzzzzzz:x",
    "title.en:/[/",
    "title.en:a*b",
    "AND",
    "OR NOT",
    "*:*",
    "_exists_:name",
    "name:/[/",
    "name:/.*/",
    "name:[a TO z]",
    "created:[2020 TO *]",
    "a^999999999999",
    "a~99",
    '"a b"~99999999',
    "-",
    "+",
    "!",
    "%00",
    "🙂",
    "é" * 1000,
    "x" * 6000,
    " ".join(["univ*"] * 40),
    " OR ".join(["a"] * 600),
    "(" * 500 + "a" + ")" * 500,
    "name:" + "ab" * 1000,
    "10.13039/" + "9" * 200,
]


def test_hostile_input_never_fails(api) -> None:
    for text in HOSTILE:
        for params in ({"q": text}, {"suggest": text}, {"sort": text}, {"size": text}):
            response = api.get(PATH, params=params)
            assert response.status_code in (200, 400), (params, response.text)
            body = response.json()
            assert "hits" in body if response.status_code == 200 else body["status"] == 400
        if text.strip():
            response = api.get(f"{PATH}/{quote(text, safe='')}")
            assert response.status_code == 404, (text, response.text)
    for accept in ("", ",,,", ";q=x", "*/*;q=abc", "application/json;q=-1", "a/b/c"):
        response = api.get(PATH, headers={"Accept": accept})
        assert response.status_code in (200, 406), accept
