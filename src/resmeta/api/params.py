"""ROR list parameters: parsed and checked, with every problem of a request reported at once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from resmeta.services.affiliations.matcher import MAX_LENGTH
from resmeta.services.organizations import FILTER_FIELDS, MAX_PAGE, QueryError, SearchRequest

LIST_PARAMETERS = frozenset({"query", "query.advanced", "filter", "page", "all_status"})
AFFILIATION_PARAMETERS = frozenset({"affiliation", "all_status", "single_search", "multisearch"})
MAX_AFFILIATION_LENGTH = MAX_LENGTH
COMMA_IN_VALUE = {"country.country_name", "locations.geonames_details.country_name"}


class ParameterErrors(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def parse_search_request(
    params: Iterable[tuple[str, str]], check_advanced: Callable[[str], None] | None = None
) -> SearchRequest:
    """A `SearchRequest` from the query string, or `ParameterErrors` listing what is wrong.

    `check_advanced` raises `QueryError` for a `query.advanced` that cannot run, so that its
    problem is reported with the others.
    """
    errors: list[str] = []
    values: dict[str, str] = {}
    filters: dict[str, list[str]] = {}
    for key, value in params:
        if key not in LIST_PARAMETERS:
            errors.append(f"query parameter '{key}' is illegal")
        elif key == "filter":
            _parse_filter(value, filters, errors)
        elif key in values and values[key] != value:
            errors.append(f"query parameter '{key}' is given more than once")
        else:
            values[key] = value

    query = values.get("query")
    advanced = values.get("query.advanced")
    if query is not None and advanced is not None:
        errors.append("query and query.advanced cannot be used together")
    for name, text in (("query", query), ("query.advanced", advanced)):
        if text is not None and not text.strip():
            errors.append(f"{name} must not be empty")
    if advanced and advanced.strip() and check_advanced is not None:
        try:
            check_advanced(advanced)
        except QueryError as exc:
            errors.append(str(exc))
    page = _parse_page(values.get("page"), errors)
    all_status = _parse_all_status(values.get("all_status"), errors)
    if errors:
        raise ParameterErrors(errors)
    return SearchRequest(
        query=query, advanced=advanced, filters=filters, page=page, all_status=all_status
    )


# A comma starts a new element only when what follows it looks like `key:`.
_ELEMENT_START = re.compile(r",(?=[^,:]*:)")


def _parse_filter(text: str, filters: dict[str, list[str]], errors: list[str]) -> None:
    for element in _ELEMENT_START.split(text):
        key, colon, value = element.partition(":")
        key = key.strip()
        if not colon:
            errors.append(f"filter '{element}' is not in the key:value form")
            continue
        if key not in FILTER_FIELDS:
            errors.append(f"filter key '{key}' is illegal")
            continue
        parts = [value] if key in COMMA_IN_VALUE else value.split(",")
        for i, part in enumerate(parts):
            if i > 0:  # text after a comma that is not a `key:value` element
                errors.append(f"filter '{part}' is not in the key:value form")
            elif not part.strip():
                errors.append(f"filter '{element}' has no value")
            else:
                filters.setdefault(key, []).append(part.strip())


def _parse_page(text: str | None, errors: list[str]) -> int:
    if text is None:
        return 1
    if re.fullmatch(r"[0-9]{1,6}", text.strip()) and 1 <= int(text) <= MAX_PAGE:
        return int(text)
    errors.append(f"page '{text}' must be an integer between 1 and {MAX_PAGE}")
    return 1


def _parse_all_status(text: str | None, errors: list[str]) -> bool:
    if text is None:
        return False
    lowered = text.strip().lower()
    if lowered in ("", "true"):
        return True
    if lowered == "false":
        return False
    errors.append(f"all_status '{text}' must be empty, true or false")
    return False


@dataclass(frozen=True)
class AffiliationRequest:
    affiliation: str
    all_status: bool = False


def parse_affiliation_request(params: Iterable[tuple[str, str]]) -> AffiliationRequest:
    """`?affiliation=` with its companions; `single_search` and `multisearch` (flags ROR
    clients send) are accepted and change nothing: one matcher serves both."""
    errors: list[str] = []
    values: dict[str, str] = {}
    for key, value in params:
        if key in values and values[key] != value:
            errors.append(f"query parameter '{key}' is given more than once")
        elif key in AFFILIATION_PARAMETERS:
            values.setdefault(key, value)
        elif key in LIST_PARAMETERS:
            errors.append(f"affiliation cannot be combined with '{key}'")
        else:
            errors.append(f"query parameter '{key}' is illegal")
    text = values["affiliation"]
    if not text.strip():
        errors.append("affiliation must not be empty")
    elif len(text) > MAX_AFFILIATION_LENGTH:
        errors.append(
            f"affiliation is {len(text)} characters long; at most {MAX_AFFILIATION_LENGTH} "
            "are accepted"
        )
    all_status = _parse_all_status(values.get("all_status"), errors)
    if errors:
        raise ParameterErrors(errors)
    return AffiliationRequest(text, all_status)
