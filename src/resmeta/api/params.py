"""ROR list parameters: parsed and checked, with every problem of a request reported at once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from resmeta.services.affiliations.matcher import MAX_LENGTH
from resmeta.services.organizations import (
    FILTER_FIELDS,
    MAX_PAGE_SIZE,
    MAX_RESULTS,
    PAGE_SIZE,
    SORT_FIELDS,
    V1_FILTER_KEYS,
    QueryError,
    SearchRequest,
    Sort,
)

ROR_PARAMETERS = frozenset({"query", "query.advanced", "filter", "page", "all_status"})
EXTENSIONS = frozenset({"page_size", "sort", "format"})  # resmeta's, beyond the ROR API
LIST_PARAMETERS = ROR_PARAMETERS | EXTENSIONS
FORMATS = ("json", "csv")
AFFILIATION_PARAMETERS = frozenset({"affiliation", "all_status", "single_search", "multisearch"})
MAX_AFFILIATION_LENGTH = MAX_LENGTH
COMMA_IN_VALUE = {"country.country_name", "locations.geonames_details.country_name"}


class ParameterErrors(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class ListRequest:
    search: SearchRequest
    format: str = "json"


def parse_list_request(
    params: Iterable[tuple[str, str]],
    check_advanced: Callable[[str, int], None] | None = None,
    version: int = 2,
) -> ListRequest:
    """A `ListRequest` from the query string, or `ParameterErrors` listing what is wrong.

    `check_advanced` raises `QueryError` for a `query.advanced` that cannot run, so that its
    problem is reported with the others. `version` is the ROR schema whose field names
    `filter` and `query.advanced` use.
    """
    errors: list[str] = []
    values: dict[str, str] = {}
    filters: dict[str, list[str]] = {}
    filter_keys = V1_FILTER_KEYS if version == 1 else FILTER_FIELDS
    for key, value in params:
        if key not in LIST_PARAMETERS:
            errors.append(f"query parameter '{key}' is illegal")
        elif key == "filter":
            _parse_filter(value, filters, errors, filter_keys)
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
            check_advanced(advanced, version)
        except QueryError as exc:
            errors.append(str(exc))
    page_size = _parse_page_size(values.get("page_size"), errors)
    page = _parse_page(values.get("page"), page_size, errors)
    all_status = _parse_all_status(values.get("all_status"), errors)
    sort = _parse_sort(values.get("sort"), errors)
    fmt = values.get("format", "json").strip().lower()
    if fmt not in FORMATS:
        errors.append(f"format '{values['format']}' must be one of: {', '.join(FORMATS)}")
    if errors:
        raise ParameterErrors(errors)
    search = SearchRequest(
        query=query,
        advanced=advanced,
        filters=filters,
        page=page,
        all_status=all_status,
        page_size=page_size,
        sort=sort,
        version=version,
    )
    return ListRequest(search, fmt)


# A comma starts a new element only when what follows it looks like `key:`.
_ELEMENT_START = re.compile(r",(?=[^,:]*:)")


def _parse_filter(
    text: str, filters: dict[str, list[str]], errors: list[str], keys: Iterable[str]
) -> None:
    for element in _ELEMENT_START.split(text):
        key, colon, value = element.partition(":")
        key = key.strip()
        if not colon:
            errors.append(f"filter '{element}' is not in the key:value form")
            continue
        if key not in keys:
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


def _parse_page(text: str | None, page_size: int, errors: list[str]) -> int:
    if text is None:
        return 1
    last = MAX_RESULTS // page_size  # the first 10,000 results can be paged, whatever the size
    if re.fullmatch(r"[0-9]{1,6}", text.strip()) and 1 <= int(text) <= last:
        return int(text)
    if page_size == PAGE_SIZE:
        errors.append(f"page '{text}' must be an integer between 1 and {last}")
    else:
        errors.append(
            f"page '{text}' must be an integer between 1 and {last} "
            f"(the first {MAX_RESULTS:,} results, {page_size} per page)"
        )
    return 1


def _parse_page_size(text: str | None, errors: list[str]) -> int:
    if text is None:
        return PAGE_SIZE
    if re.fullmatch(r"[0-9]{1,4}", text.strip()) and 1 <= int(text) <= MAX_PAGE_SIZE:
        return int(text)
    errors.append(f"page_size '{text}' must be an integer between 1 and {MAX_PAGE_SIZE}")
    return PAGE_SIZE


def _parse_sort(text: str | None, errors: list[str]) -> Sort | None:
    """`relevance` (the default), or a field with an optional direction: `name`,
    `established:desc`."""
    if text is None:
        return None
    name, _, direction = text.strip().lower().partition(":")
    if name == "relevance" and not direction:
        return None
    if name not in SORT_FIELDS or direction not in ("", "asc", "desc"):
        choices = ", ".join(["relevance", *SORT_FIELDS])
        errors.append(
            f"sort '{text}' must be one of {choices}, optionally followed by :asc or :desc"
        )
        return None
    return Sort(name, descending=direction == "desc")


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
    multisearch: bool = False  # choose every organization the string names, not only one


def parse_affiliation_request(params: Iterable[tuple[str, str]]) -> AffiliationRequest:
    """`?affiliation=` with its companions. `single_search` and `multisearch` are flags ROR
    clients send, never an error: `single_search` changes nothing (one matcher serves
    both strategies); `multisearch` chooses every organization the string names, unless
    its value is false, 0 or no."""
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
    multisearch = values.get("multisearch", "false").strip().lower() not in ("false", "0", "no")
    return AffiliationRequest(text, all_status, multisearch)
