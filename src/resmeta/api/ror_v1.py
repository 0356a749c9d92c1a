"""The ROR API v1 routes, which ROR switched off: records rendered in schema v1 from the
same index, with v1's filter keys and `query.advanced` field names."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from resmeta.api import listing

router = APIRouter(tags=["ROR API v1"])


@router.get(
    "/v1/organizations",
    summary="Search and list organizations (schema v1)",
    openapi_extra=listing.PARAMETERS,
)
async def list_organizations(request: Request) -> Response:
    return listing.list_organizations(request, version=1)


@router.get("/v1/organizations/{ror_id:path}", summary="Get one organization (schema v1)")
async def get_organization(request: Request, ror_id: str) -> Response:
    return listing.get_organization(request, ror_id, version=1)
