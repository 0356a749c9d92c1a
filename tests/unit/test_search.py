"""The search service on a small index of made-up records (real tantivy, no server)."""

import json

import pytest

from resmeta.index.query import QueryError
from resmeta.index.reader import OrganizationIndex
from resmeta.services.organizations import OrganizationService, SearchRequest
from tests.factory import build_index, location, make_record

GB = location("Oxford", "GB", "United Kingdom", "EU", "Europe")
KE = location("Nairobi", "KE", "Kenya", "AF", "Africa")
RECORDS = {
    "saclay": make_record(
        "Université Paris-Saclay",
        names=[
            {"value": "Université Paris-Saclay", "types": ["ror_display", "label"], "lang": "fr"},
            {"value": "UPSaclay", "types": ["acronym"], "lang": None},
        ],
        established=2019,
    ),
    "oxford": make_record(
        "University of Oxford", locations=GB, established=1096, domains=["ox.ac.uk"]
    ),
    "brookes": make_record("Oxford Brookes University", locations=GB, established=1865, domains=[]),
    "closed": make_record("Old Closed Institute", status="inactive", locations=GB),
    "health_ke": make_record(
        "Ministry of Health", types=["government"], locations=KE, established=1950
    ),
    "planck": make_record(
        "Max Planck Institute for Chemistry",
        types=["facility"],
        established=1912,
        relationships=[
            {"label": "Max Planck Society", "type": "parent", "id": "https://ror.org/01hhn8329"}
        ],
        external_ids=[
            {"type": "isni", "all": ["0000 0001 2154 6641"], "preferred": None},
            {"type": "wikidata", "all": ["Q158085"], "preferred": "Q158085"},
        ],
    ),
}


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("search")
    folder = build_index(tmp, list(RECORDS.values()))
    return OrganizationService(OrganizationIndex(folder))


def ids(result):
    return [json.loads(item)["id"] for item in result.items]


def key_of(record_id):
    return next(k for k, r in RECORDS.items() if r["id"] == record_id)


def search(service, **kwargs):
    return [key_of(i) for i in ids(service.search(SearchRequest(**kwargs)))]


def test_default_listing_is_active_only_with_facets(service):
    result = service.search(SearchRequest())
    assert result.number_of_results == 5
    assert {b["id"]: b["count"] for b in result.meta["statuses"]} == {"active": 5}
    countries = {b["id"]: (b["title"], b["count"]) for b in result.meta["countries"]}
    assert countries == {"fr": ("France", 2), "gb": ("United Kingdom", 2), "ke": ("Kenya", 1)}
    assert result.meta["continents"][0] == {"id": "eu", "title": "Europe", "count": 4}


def test_all_status_and_status_filter_include_inactive(service):
    assert service.search(SearchRequest(all_status=True)).number_of_results == 6
    assert search(service, filters={"status": ["inactive"]}) == ["closed"]
    assert search(service, advanced="status:inactive") == ["closed"]


def test_exact_name_ranks_first_and_accents_fold(service):
    assert search(service, query="oxford university")[0] in {"oxford", "brookes"}
    assert search(service, query="University of Oxford")[0] == "oxford"
    assert search(service, query="universite paris saclay") == ["saclay"]
    assert search(service, query="UPSaclay") == ["saclay"]


def test_query_falls_back_to_any_word(service):
    assert search(service, query="chemistry astronomy") == ["planck"]


def test_query_finds_identifiers(service):
    assert search(service, query="0000000121546641") == ["planck"]
    assert search(service, query="0000 0001 2154 6641") == ["planck"]
    assert search(service, query="Q158085") == ["planck"]
    closed_id = RECORDS["closed"]["id"]
    assert search(service, query=closed_id) == ["closed"]  # a ROR ID lifts the status rule


def test_query_lucene_syntax(service):
    assert search(service, query='"Brookes University"') == ["brookes"]
    assert search(service, query="chemistri~") == ["planck"]
    assert sorted(search(service, query="oxf*")) == ["brookes", "oxford"]
    assert search(service, query="oxford AND NOT brookes") == ["oxford"]
    assert search(service, query="unbalanced (") == []  # read as plain words, never an error


@pytest.mark.parametrize(
    ("advanced", "expected"),
    [
        ("types:EDUCATION AND locations.geonames_details.country_code:gb", {"oxford", "brookes"}),
        ("established:[1000 TO 1900]", {"oxford", "brookes"}),
        ("established:{1096 TO 1912]", {"brookes", "planck"}),
        ("established:>=1912", {"planck", "saclay", "health_ke"}),
        ("names.value:oxf*", {"oxford", "brookes"}),
        ('names.value:"planck institute"', {"planck"}),
        ("_exists_:relationships.id", {"planck"}),
        ("NOT _exists_:domains", {"brookes"}),
        ("relationships.type:parent AND relationships.label:society", {"planck"}),
        ("relationships.id:https\\://ror.org/01hhn8329", {"planck"}),
        ("locations.geonames_details.continent_name:africa", {"health_ke"}),
        ("admin.created.date:2019-03-04 AND names.value:ministry", {"health_ke"}),
        (
            "admin.last_modified.date:[2025-01-01 TO 2025-01-02]",
            {"oxford", "brookes", "saclay", "health_ke", "planck"},
        ),
        ("external_ids.type:isni OR domains:OX.AC.UK", {"planck", "oxford"}),
        ("oxford -brookes", {"oxford"}),
        ("names.value:/univ.*/", {"oxford", "brookes", "saclay"}),
    ],
)
def test_advanced_queries(service, advanced, expected):
    assert set(search(service, advanced=advanced)) == expected


@pytest.mark.parametrize(
    ("advanced", "message"),
    [
        ("colour:red", "unknown field 'colour'"),
        ("established:abc", "'abc' is not a number"),
        ("names.value:[a TO b]", "range queries apply to numbers and dates"),
        ("admin.created.date:yesterday", "not a date"),
        ("types:(a", "cannot parse the query"),
        ("_exists_:nothing", "unknown field 'nothing'"),
    ],
)
def test_advanced_errors_name_the_problem(service, advanced, message):
    with pytest.raises(QueryError, match=message):
        service.search(SearchRequest(advanced=advanced))


def test_filters_or_within_a_key_and_across_keys(service):
    assert set(search(service, filters={"country.country_code": ["gb", "KE"]})) == {
        "oxford",
        "brookes",
        "health_ke",
    }
    assert search(
        service, filters={"country.country_code": ["gb", "ke"], "types": ["government"]}
    ) == ["health_ke"]
    assert search(service, filters={"locations.geonames_details.continent_name": ["AFRICA"]}) == [
        "health_ke"
    ]
    assert search(service, filters={"locations.geonames_details.continent_code": ["Africa"]}) == [
        "health_ke"
    ]
    assert set(search(service, filters={"country.country_name": ["united kingdom"]})) == {
        "oxford",
        "brookes",
    }


def test_get_any_status(service):
    assert service.get(RECORDS["closed"]["id"]) is not None
    assert service.get("https://ror.org/099999999") is None


@pytest.mark.parametrize(
    ("advanced", "expected"),
    [
        # stored dates are days: exclusive bounds exclude the bound day
        ("admin.created.date:<2019-03-04", set()),
        ("admin.created.date:{2019-03-03 TO 2019-03-04}", set()),
        ("admin.created.date:[2019-03-04 TO 2019-03-04] AND names.value:ministry", {"health_ke"}),
        ("established:[* TO *]", {"oxford", "brookes", "saclay", "health_ke", "planck"}),
        ("locations.geonames_details.lng:2.5 AND names.value:ministry", {"health_ke"}),
        ("locations.geonames_details.lng:-2.5", set()),
        ("locations.geonames_details.lng:[-3 TO 3] AND names.value:ministry", {"health_ke"}),
        ("*:*", {"oxford", "brookes", "saclay", "health_ke", "planck"}),
        ("names.value:/oxf.*/", {"oxford", "brookes"}),
        ("names.value:/\\W+/", set()),
    ],
)
def test_advanced_edge_cases(service, advanced, expected):
    assert set(search(service, advanced=advanced)) == expected


@pytest.mark.parametrize(
    ("advanced", "message"),
    [
        ("(" * 2000 + "a" + ")" * 2000, "nested too deeply"),
        ("NOT " * 3000 + "a", "nested too deeply"),
        ("names.value:" + "a?" * 400, "too complex"),
        (" OR ".join(["names.value:*e*"] * 20), "at most 16 wildcard"),
        ("established:99999999999999999999999", "too large a number"),
        ("locations.geonames_details.lat:inf", "not a finite number"),
        ("admin.created.date:2018-11-14xyz", "not a date"),
    ],
)
def test_costly_or_broken_queries_are_refused(service, advanced, message):
    with pytest.raises(QueryError, match=message):
        service.search(SearchRequest(advanced=advanced))


def test_query_words_stay_plain_text_when_not_lucene(service):
    assert search(service, query="NOT " * 1000 + "oxford") == search(service, query="oxford")
    assert search(service, query="a?" * 50) == []


def test_a_prominent_organization_ranks_first_among_partial_matches(tmp_path):
    children = [
        {"label": f"Unit {n}", "type": "child", "id": f"https://ror.org/0{n:06d}{n % 100:02d}"}
        for n in range(900, 930)
    ]
    university = make_record("University of Oxford", relationships=children)
    company = make_record("Oxford Heartbeat", types=["company"])
    folder = build_index(tmp_path, [company, university])
    ranked = OrganizationService(OrganizationIndex(folder)).search(SearchRequest(query="oxford"))
    assert ids(ranked) == [university["id"], company["id"]]
    exact = OrganizationService(OrganizationIndex(folder)).search(
        SearchRequest(query="Oxford Heartbeat")
    )
    assert ids(exact)[0] == company["id"]  # an exact name still beats prominence
