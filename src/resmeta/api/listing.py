"""What the v1 and v2 routes share: list, fetch and match, for one schema version."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from resmeta.api.openapi import query_parameters
from resmeta.api.params import ParameterErrors, parse_affiliation_request, parse_list_request
from resmeta.api.responses import (
    affiliation_response,
    csv_response,
    errors_response,
    raw_json_response,
    search_response,
)
from resmeta.records.ids import parse_ror_id, ror_url
from resmeta.services.organizations import OrganizationService, QueryError, SearchFailed

PARAMETERS = query_parameters(
    {
        "query": "Search all names and identifiers.",
        "query.advanced": "Lucene query syntax over the record fields.",
        "filter": "key:value[,key:value...]",
        "page": "1 to 500 (20 records per page).",
        "all_status": "Include inactive and withdrawn records.",
        "affiliation": "Match an affiliation string to organizations (at most 2,000 characters);"
        " not combinable with query, query.advanced, filter or page.",
        "single_search": "Accepted for ROR clients; no effect.",
        "multisearch": "With affiliation: choose every organization the string names, not"
        " only the main one (chosen items first).",
        "page_size": "Extension: 1 to 100 records per page (default 20).",
        "sort": "Extension: relevance (default), name, id, established or last_modified,"
        " optionally followed by :asc or :desc.",
        "format": "Extension: json (default) or csv.",
    }
)
"""The list parameters, for the OpenAPI document."""


def _service(request: Request) -> OrganizationService:
    return request.app.state.organizations


def list_organizations(request: Request, version: int) -> Response:
    if "affiliation" in request.query_params:
        return match_affiliation(request, version)
    try:
        service = _service(request)
        wanted = parse_list_request(
            request.query_params.multi_items(), service.check_advanced, version
        )
        # CSV rows are made from v2 records, whichever the API version.
        result = service.search(wanted.search, 2 if wanted.format == "csv" else version)
    except ParameterErrors as exc:
        return errors_response(exc.errors)
    except (QueryError, SearchFailed) as exc:
        return errors_response([str(exc)])
    if wanted.format == "csv":
        return csv_response(result)
    return search_response(result, v1_meta=version == 1)


def get_organization(request: Request, ror_id: str, version: int) -> Response:
    bare = parse_ror_id(ror_id)
    if bare is None:
        return errors_response([f"'{ror_id}' is not a valid ROR ID"], 404)
    document = _service(request).get(bare, version)
    if document is None:
        return errors_response([f"ROR ID '{ror_url(bare)}' does not exist"], 404)
    return raw_json_response(document)


def match_affiliation(request: Request, version: int) -> Response:
    try:
        wanted = parse_affiliation_request(request.query_params.multi_items())
        matcher = request.app.state.affiliations
        matches = matcher.match(
            wanted.affiliation,
            all_status=wanted.all_status,
            threshold=request.app.state.settings.affiliation_threshold,
            multisearch=wanted.multisearch,
        )
        return affiliation_response([(m, matcher.document(m, version)) for m in matches])
    except ParameterErrors as exc:
        return errors_response(exc.errors)
    except SearchFailed as exc:
        return errors_response([str(exc)])
