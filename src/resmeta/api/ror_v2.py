"""The ROR API v2 routes: /v2/organizations and the same under unversioned paths."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from resmeta.api.params import (
    ParameterErrors,
    parse_affiliation_request,
    parse_search_request,
)
from resmeta.api.responses import (
    affiliation_response,
    errors_response,
    raw_json_response,
    search_response,
)
from resmeta.records.ids import parse_ror_id, ror_url
from resmeta.services.organizations import OrganizationService, QueryError, SearchFailed

router = APIRouter(tags=["ROR API v2"])


def _service(request: Request) -> OrganizationService:
    return request.app.state.organizations


@router.get("/v2/organizations", summary="Search and list organizations")
@router.get("/organizations", include_in_schema=False)
async def list_organizations(
    request: Request,
    query: str | None = Query(None, description="Search all names and identifiers."),
    advanced: str | None = Query(
        None, alias="query.advanced", description="Lucene query syntax over the v2 fields."
    ),
    filter: str | None = Query(None, description="key:value[,key:value...]"),
    page: str | None = Query(None, description="1 to 500 (20 records per page)."),
    all_status: str | None = Query(None, description="Include inactive and withdrawn records."),
    affiliation: str | None = Query(
        None,
        description="Match an affiliation string to organizations (at most 2,000 characters);"
        " not combinable with query, query.advanced, filter or page.",
    ),
    single_search: str | None = Query(None, description="Accepted for ROR clients; no effect."),
    multisearch: str | None = Query(None, description="Accepted for ROR clients; no effect."),
) -> Response:
    if "affiliation" in request.query_params:
        return _match_affiliation(request)
    try:
        service = _service(request)
        search = parse_search_request(request.query_params.multi_items(), service.check_advanced)
        result = service.search(search)
    except ParameterErrors as exc:
        return errors_response(exc.errors)
    except (QueryError, SearchFailed) as exc:
        return errors_response([str(exc)])
    return search_response(result)


@router.get("/v2/organizations/{ror_id:path}", summary="Get one organization by ROR ID")
@router.get("/organizations/{ror_id:path}", include_in_schema=False)
async def get_organization(request: Request, ror_id: str) -> Response:
    bare = parse_ror_id(ror_id)
    if bare is None:
        return errors_response([f"'{ror_id}' is not a valid ROR ID"], 404)
    document = _service(request).get(bare)
    if document is None:
        return errors_response([f"ROR ID '{ror_url(bare)}' does not exist"], 404)
    return raw_json_response(document)


def _match_affiliation(request: Request) -> Response:
    try:
        wanted = parse_affiliation_request(request.query_params.multi_items())
        matcher = request.app.state.affiliations
        matches = matcher.match(wanted.affiliation, all_status=wanted.all_status)
        return affiliation_response([(m, matcher.document(m)) for m in matches])
    except ParameterErrors as exc:
        return errors_response(exc.errors)
    except SearchFailed as exc:
        return errors_response([str(exc)])
