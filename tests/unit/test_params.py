import pytest

from resmeta.api.params import ParameterErrors, parse_list_request


def parse(query_string: str):
    from urllib.parse import parse_qsl

    return parse_list_request(parse_qsl(query_string, keep_blank_values=True)).search


def errors_of(query_string: str) -> list[str]:
    with pytest.raises(ParameterErrors) as caught:
        parse(query_string)
    return caught.value.errors


def test_defaults():
    request = parse("")
    assert (request.query, request.advanced, request.filters, request.page) == (None, None, {}, 1)
    assert request.all_status is False


@pytest.mark.parametrize(
    ("value", "expected"), [("", True), ("true", True), ("TRUE", True), ("False", False)]
)
def test_all_status_values(value, expected):
    assert parse(f"all_status={value}").all_status is expected


def test_filter_keys_repeat_and_country_names_keep_commas():
    request = parse(
        "filter=types:education,types:funder,country.country_name:Korea, Republic of,status:active"
    )
    assert request.filters == {
        "types": ["education", "funder"],
        "country.country_name": ["Korea, Republic of"],
        "status": ["active"],
    }


def test_every_error_is_reported_together():
    assert errors_of(
        "foo=1&page=0&filter=bar,x:y,types:a,b&all_status=maybe&query=a&query.advanced=b"
    ) == [
        "query parameter 'foo' is illegal",
        "filter 'bar' is not in the key:value form",
        "filter key 'x' is illegal",
        "filter 'b' is not in the key:value form",
        "query and query.advanced cannot be used together",
        "page '0' must be an integer between 1 and 500",
        "all_status 'maybe' must be empty, true or false",
    ]


@pytest.mark.parametrize("page", ["501", "-1", "1.5", "abc", "²", "", "9" * 30])
def test_bad_pages(page):
    assert errors_of(f"page={page}") == [f"page '{page}' must be an integer between 1 and 500"]


def test_repeated_parameter_with_two_values():
    assert errors_of("page=1&page=2") == ["query parameter 'page' is given more than once"]


def test_blank_query():
    assert errors_of("query=%20") == ["query must not be empty"]
