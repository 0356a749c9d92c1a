"""The ROR API v2 routes: /v2/organizations and the same under unversioned paths."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from resmeta.api import listing

router = APIRouter(tags=["ROR API v2"])


@router.get(
    "/v2/organizations",
    summary="Search and list organizations",
    openapi_extra=listing.PARAMETERS,
)
@router.get("/organizations", include_in_schema=False)
async def list_organizations(request: Request) -> Response:
    return listing.list_organizations(request, version=2)


@router.get("/v2/organizations/{ror_id:path}", summary="Get one organization by ROR ID")
@router.get("/organizations/{ror_id:path}", include_in_schema=False)
async def get_organization(request: Request, ror_id: str) -> Response:
    return listing.get_organization(request, ror_id, version=2)
