"""Parameter errors (HTTP 400, every problem of a request at once) and hostile input (never 5xx)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from tests.integration.test_api_v2_dump import LIST, fresh_client, server_log_tail

pytestmark = pytest.mark.integration

PAGE_ERROR = "page '{}' must be an integer between 1 and 500"


def errors_of(response, status: int = 400) -> list[str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["errors"]
    assert body["errors"] and all(isinstance(e, str) for e in body["errors"])
    return body["errors"]


# -- parameter errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "foo",
        "Query",
        "q",
        "pages",
        "query.advance",
        "filters",
        "formats",
        "all-status",
        "pagesize",
        "QUERY.ADVANCED",
        "Affiliation",
    ],
)
def test_illegal_parameter(api, key):
    response = api.get(LIST, params={key: "x"})
    assert errors_of(response) == [f"query parameter '{key}' is illegal"]


def test_illegal_parameter_next_to_good_ones(api):
    response = api.get(LIST, params={"query": "oxford", "page": "1", "sorting": "name"})
    assert errors_of(response) == ["query parameter 'sorting' is illegal"]


@pytest.mark.parametrize(
    "params",
    [
        {"query": "oxford", "query.advanced": "types:education"},
        {"query": "05dxps055", "query.advanced": "id:05dxps055", "page": "2"},
    ],
)
def test_query_and_advanced_together(api, params):
    errors = errors_of(api.get(LIST, params=params))
    assert len(errors) == 1
    assert "query" in errors[0] and "query.advanced" in errors[0]


@pytest.mark.parametrize(
    "value, element",
    [
        ("abc", "abc"),
        ("types", "types"),
        ("education", "education"),
        ("types=education", "types=education"),
        ("types:education,gb", "gb"),
    ],
)
def test_filter_element_without_colon(api, value, element):
    response = api.get(LIST, params={"filter": value})
    assert errors_of(response) == [f"filter '{element}' is not in the key:value form"]


@pytest.mark.parametrize(
    "value, key",
    [
        ("foo:bar", "foo"),
        ("country:GB", "country"),
        ("type:education", "type"),
        ("TYPES:education", "TYPES"),
        ("country.country_codes:GB", "country.country_codes"),
        ("locations.geonames_details.name:Paris", "locations.geonames_details.name"),
        ("types:education,continent:EU", "continent"),
    ],
)
def test_illegal_filter_key(api, value, key):
    response = api.get(LIST, params={"filter": value})
    assert errors_of(response) == [f"filter key '{key}' is illegal"]


def test_every_error_is_reported_together(api):
    params = [
        ("foo", "1"),
        ("bar", "2"),
        ("page", "0"),
        ("filter", "abc,zzz:1"),
        ("all_status", "maybe"),
        ("query", "a"),
        ("query.advanced", "b"),
    ]
    errors = errors_of(api.get(LIST, params=params))
    exact = {
        "query parameter 'foo' is illegal",
        "query parameter 'bar' is illegal",
        "filter 'abc' is not in the key:value form",
        "filter key 'zzz' is illegal",
        PAGE_ERROR.format("0"),
    }
    assert exact <= set(errors)
    others = [e for e in errors if e not in exact]
    assert len(others) == 2, errors
    assert any("all_status" in e for e in others)
    assert any("query.advanced" in e for e in others)


def test_errors_in_query_advanced_are_reported_with_the_others(api):
    """An unknown field is as much an error of the request as a bad page: both are listed."""
    params = {"query.advanced": "foo:bar", "page": "0", "colour": "blue"}
    errors = errors_of(api.get(LIST, params=params))
    assert PAGE_ERROR.format("0") in errors
    assert "query parameter 'colour' is illegal" in errors
    assert any("'foo'" in e for e in errors), errors
    assert len(errors) == 3


# -- nothing a client sends produces a 5xx -----------------------------------------------------

LONG = "a" * 5000
NASTY = [
    '"',
    "'",
    "\\",
    "\\\\",
    "a\\",
    "!!!",
    "12345",
    "0",
    "-1",
    "+1",
    "0x10",
    "1e309",
    "99999999999999999999999",
    LONG,
    "oxford " * 700,
    "é" * 3000,
    "(" * 5000,
    ")" * 50,
    " OR ".join(["a"] * 3000),
    "Ünïcödé 東京大学 🚀 مرحبا",
    "\x00",
    "\x01\x02\x1f\x7f",
    "\t\n\r",
    "*",
    "?",
    "*:*",
    "AND",
    "OR",
    "NOT",
    "AND OR NOT",
    "(",
    ")",
    "()",
    "[1 TO",
    "[1 TO 2]",
    "{* TO *}",
    "[* TO *]",
    "~",
    "~~",
    "a~10",
    "a~-1",
    '"a"~',
    '"a b"~99999999999',
    "a^x",
    "a^99999999999999999999",
    "^",
    "/",
    "//",
    "/[/",
    "/(/",
    "/a{99999}/",
    "/(a+)+$/",
    "/.*/",
    "+",
    "-",
    "&&",
    "||",
    ":",
    "::",
    "a:b:c",
    "_exists_:",
    "_exists_:*",
    "_exists_:(a OR b)",
    "names.value:",
    "names.value:*",
    "names.value:?",
    "names.value:/.*/",
    "types:*",
    "established:[a TO b]",
    "established:[-5 TO 5]",
    "established:[2000 TO 1900]",
    "established:>",
    "established:>=",
    "established:[1 TO 2",
    "established:1e309",
    "established:99999999999999999999999",
    "established:-1",
    "locations.geonames_details.lat:[-90 TO 90]",
    "locations.geonames_details.lat:nan",
    "locations.geonames_details.lng:-inf",
    "admin.created.date:9999-99-99",
    "admin.created.date:[* TO *]",
    "admin.created.date:>0000-01-01",
    "admin.created.date:[2020 TO 2021]",
    "admin.last_modified.date:{2020-01-01 TO now}",
    "id:https://ror.org/05dxps055",
    "id:*",
    "https://ror.org/",
    "ror.org/0",
    "0" * 9,
    "https://ror.org/" + LONG,
    "%00",
    "%",
    "%%",
    "%zz",
    "%C3%28",
    "\ufffd",
    "\u202e",
    "types:education,",
    ",types:education",
    ",,,",
    "types:",
    "country.country_name:a,b,c:d",
    "types:" + LONG,
    LONG + ":" + LONG,
    "\x00:\x00",
    "types:\x00",
    "status:" + "é" * 50,
    "-0",
    " 1",
    "1 ",
    "١",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "<script>alert(1)</script>",
    "'; DROP TABLE organizations; --",
    "../../etc/passwd",
    "names.value:(a OR (b AND (c OR d)))",
    "NOT NOT NOT a",
    "a AND (b OR",
    'names.value:"unterminated',
    "\\u0000",
    "🚀" * 1000,
]
PARAMETERS = ["query", "query.advanced", "filter", "page", "all_status"]


@pytest.fixture(scope="module")
def fresh(server) -> Iterator[httpx.Client]:
    yield from fresh_client(server)


def assert_json_not_5xx(server, response) -> None:
    if response.status_code >= 500:
        pytest.fail(
            f"{response.status_code} {response.text[:300]}\nserver output:\n"
            + server_log_tail(server)
        )
    assert response.headers["content-type"] == "application/json", response.headers
    response.json()


@pytest.mark.parametrize("parameter", PARAMETERS)
@pytest.mark.parametrize("value", NASTY, ids=[f"{i:03d}" for i in range(len(NASTY))])
def test_nasty_parameter_values(server, fresh, parameter, value):
    assert_json_not_5xx(server, fresh.get(LIST, params={parameter: value}))


@pytest.mark.parametrize("parameter", PARAMETERS)
@pytest.mark.parametrize("raw", ["%00", "%", "%zz", "%C3%28", "%FF%FE", "a%00b", "%E2%82"])
def test_raw_percent_escapes_in_the_query_string(server, fresh, parameter, raw):
    assert_json_not_5xx(server, fresh.get(f"{LIST}?{parameter}={raw}"))


@pytest.mark.parametrize("value", NASTY, ids=[f"{i:03d}" for i in range(len(NASTY))])
def test_nasty_ids(server, fresh, value):
    assert_json_not_5xx(server, fresh.get(f"{LIST}/{quote(value, safe='')}"))
    assert_json_not_5xx(server, fresh.get(f"/organizations/{quote(value, safe=':/')}"))


@pytest.mark.parametrize(
    "raw",
    [
        "%00",
        "%",
        "%zz",
        "%C3%28",
        "%FF",
        "a%00b",
        "%2F%2F",
        "..",
        "%2e%2e",
        "https:%2F%2Fror.org%2F05dxps055%00",
    ],
)
def test_raw_percent_escapes_in_the_id(server, fresh, raw):
    assert_json_not_5xx(server, fresh.get(f"{LIST}/{raw}"))


def test_a_large_query_advanced_of_many_clauses(server, fresh):
    """Hundreds of real clauses, each valid on its own: an answer or a 400, never a crash."""
    clauses = " OR ".join(f"established:{year}" for year in range(1000, 2025))
    response = fresh.get(LIST, params={"query.advanced": clauses})
    assert_json_not_5xx(server, response)
