"""The funders search service on a small index (real tantivy, no server): invenio-vocabularies'
own resource tests (`example_funders` and the expected results of `?q=uni` and `?suggest=`),
made into ROR records, plus the ranking, sorting and paging rules."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from resmeta.index.reader import OrganizationIndex
from resmeta.services.funders import FunderSearch, FunderService
from tests.factory import build_index, location, make_record

FIXTURE = (
    Path(__file__).resolve().parents[3]
    / "shared/data/funders/invenio-vocabularies_test_example_funders_suggest.json"
)
CH = location("Geneva", "CH", "Switzerland")
US = location("Evanston", "US", "United States", "NA", "North America")


def ror_record(funder: dict, created: str, types=("funder",)) -> dict:
    """A ROR record whose funder record is `funder` (name, title, country)."""
    names = [{"value": funder["name"], "types": ["ror_display"], "lang": None}]
    names += [{"value": v, "types": ["label"], "lang": k} for k, v in funder["title"].items()]
    return make_record(
        id="https://ror.org/" + funder["id"],
        names=names,
        locations=CH if funder["country"] == "CH" else US,
        external_ids=[],
        types=list(types),
        admin={
            "created": {"date": created, "schema_version": "1.0"},
            "last_modified": {"date": created, "schema_version": "2.1"},
        },
    )


@pytest.fixture(scope="module")
def fixture() -> dict:
    if not FIXTURE.exists():
        pytest.fail(f"the shared funders data is missing: {FIXTURE}")
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def service(tmp_path_factory, fixture) -> FunderService:
    tmp = tmp_path_factory.mktemp("funders")
    funders = fixture["funders"]
    created = ["2020-01-01", "2021-06-01", "2019-03-01", "2024-02-02"]
    records = [ror_record(f, day) for f, day in zip(funders, created, strict=True)]
    records.append(
        make_record(
            "Universidad Ejemplo Norte",
            id="https://ror.org/0bbbbbb33",
            types=["education"],
            status="inactive",
            locations=US,
        )
    )
    folder = build_index(tmp, records)
    return FunderService(OrganizationIndex(folder))


def names(service: FunderService, **kwargs) -> list[str]:
    return [json.loads(hit)["name"] for hit in service.search(FunderSearch(**kwargs)).hits]


def total(service: FunderService, **kwargs) -> int:
    return service.search(FunderSearch(**kwargs)).total


def test_invenio_vocabularies_expectations(service, fixture) -> None:
    """Their totals and orders, with `funders_only` (their index holds only those four)."""
    for case in fixture["expected"]:
        params = dict(parse_qsl(case["request"].split("?", 1)[1]))
        result = service.search(FunderSearch(funders_only=True, **params))
        got = [json.loads(hit)["name"] for hit in result.hits]
        assert result.total == case["hits.total"], (case, got)
        if "order_by_name" in case:
            assert got == case["order_by_name"]
        if "first_name" in case:
            assert got[0] == case["first_name"]


def test_prefix_typo_and_whole_word_rank_in_that_order(service) -> None:
    assert names(service, suggest="CERN") == ["CERN", "CERT", "OTHER"]  # exact > typo > title
    # Beginnings of names, then of the English title.
    assert sorted(names(service, suggest="cer")[:2]) == ["CERN", "CERT"]
    assert names(service, suggest="cer")[2:] == ["OTHER"]
    assert names(service, suggest="nortwestern") == ["Northwestern University"]  # one typo
    assert names(service, suggest="nroth") == ["Northwestern University"]  # a transposition
    assert total(service, suggest="nrtohwestern") == 0  # two typos
    assert total(service, suggest="no") == 2  # 2 letters: no typo, beginnings (Norte too)
    assert sorted(names(service, suggest="switzerland")) == ["CERN", "CERT", "OTHER"]
    assert names(service, suggest="computer emergency") == ["CERT"]  # English title


def test_q_lucene_syntax_prefixes_and_fallback(service) -> None:
    assert total(service, q="uni") == 2  # Northwestern University, Universidad Ejemplo Norte
    assert total(service, q="uni", funders_only=True) == 1
    assert names(service, q="title.fr:nucleaire") == ["CERN"]
    assert names(service, q="title.en:nucl*") == ["CERN"]
    assert total(service, q="title.en:nucleaire") == 0
    assert sorted(names(service, q="country:CH AND NOT name:cern")) == ["CERT", "OTHER"]
    assert names(service, q='title:"emergency response"') == ["CERT"]
    assert names(service, q="identifiers.identifier:01ggx4157") == ["CERN"]
    assert names(service, q="status:inactive") == ["Universidad Ejemplo Norte"]
    # Not Lucene, or an unknown field: the words, as plain text.
    assert names(service, q="cern)(") == names(service, q="cern")
    assert sorted(names(service, q="emergency: northwestern")) == [
        "CERT",
        "Northwestern University",
    ]
    assert total(service, q="((") == 0


def test_sorts_and_paging(service) -> None:
    everything = FunderSearch()
    assert everything.effective_sort == "name"
    assert names(service) == [
        "CERN",
        "CERT",
        "Northwestern University",
        "OTHER",
        "Universidad Ejemplo Norte",
    ]
    by_age = ["CERT", "Universidad Ejemplo Norte", "CERN", "OTHER", "Northwestern University"]
    assert names(service, sort="oldest") == by_age
    assert names(service, sort="newest") == by_age[::-1]
    assert FunderSearch(q="x").effective_sort == "bestmatch"
    pages = [names(service, page=p, size=2) for p in (1, 2, 3)]
    assert pages == [
        ["CERN", "CERT"],
        ["Northwestern University", "OTHER"],
        ["Universidad Ejemplo Norte"],
    ]
    assert service.search(FunderSearch(page=3, size=2)).total == 5
    with pytest.raises(ValueError):
        service.search(FunderSearch(page=10_001, size=1))
    assert len(service.search(FunderSearch(size=10**30)).hits) == 5
