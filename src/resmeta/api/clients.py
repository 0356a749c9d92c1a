"""Client registration: POST /v2/register and GET /validate-client-id/{id}, as ROR has them."""

from __future__ import annotations

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from resmeta.api.responses import errors_response, json_response
from resmeta.services.clients import (
    FIELDS,
    ClientRegistry,
    RegistrationError,
    RegistryError,
    parse_registration,
)

router = APIRouter(tags=["client IDs"])
MAX_BODY = 16 * 1024

# The body is parsed by hand (every problem listed, unknown keys refused): documented here.
_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["name", "email"],
                    "additionalProperties": False,
                    "properties": {
                        field: {"type": "string", "maxLength": longest}
                        for field, (_required, longest) in FIELDS.items()
                    },
                },
                "example": {
                    "name": "Ada Lovelace",
                    "email": "ada@example.org",
                    "institution": "University of London",
                    "use_case": "Linking affiliations in our repository to ROR IDs",
                },
            }
        },
    }
}


def _registry(request: Request) -> ClientRegistry | None:
    return request.app.state.clients


def _not_configured() -> Response:
    return errors_response(
        [
            "client registration is not available: the server has no clients database "
            "(RESMETA_CLIENTS_DB)"
        ],
        503,
    )


@router.post(
    "/v2/register",
    status_code=201,
    summary="Register for a client ID",
    description='Answers 201 with `{"client_id": "..."}`. Send the ID in a `Client-Id` '
    "header to get the higher rate limit.",
    openapi_extra=_BODY_DOC,
)
@router.post("/register", status_code=201, include_in_schema=False)
async def register(request: Request) -> Response:
    registry = _registry(request)
    if registry is None:
        return _not_configured()
    body = await _read_body(request)
    if body is None:
        return errors_response([f"the body is longer than {MAX_BODY:,} bytes"], 413)
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return errors_response([f"the body is not JSON: {exc}"])
    try:
        registration = parse_registration(decoded)
        client_id = await run_in_threadpool(registry.register, registration)
    except RegistrationError as exc:
        return errors_response(exc.errors)
    except RegistryError as exc:
        return errors_response([f"the registration could not be stored: {exc}"], 503)
    return json_response({"client_id": client_id}, 201)


@router.get(
    "/v2/validate-client-id/{client_id}",
    summary="Whether a client ID is registered",
    description='Answers `{"valid": true}` or `{"valid": false}`.',
)
@router.get("/v2/validate-client-id/{client_id}/", include_in_schema=False)
@router.get("/validate-client-id/{client_id}", include_in_schema=False)
@router.get("/validate-client-id/{client_id}/", include_in_schema=False)
async def validate_client_id(request: Request, client_id: str) -> Response:
    registry = _registry(request)
    if registry is None:
        return json_response({"valid": False})
    try:
        valid = registry.is_valid(client_id)  # an indexed read: microseconds
    except RegistryError as exc:
        return errors_response([f"the client ID could not be checked: {exc}"], 503)
    return json_response({"valid": valid})


async def _read_body(request: Request) -> bytes | None:
    """The body, or None once it passes `MAX_BODY` bytes (read no further: a client must
    not make a worker hold a body of any size)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
