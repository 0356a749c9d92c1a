"""Responses assembled from stored JSON bytes, without re-serialising records."""

from __future__ import annotations

import orjson
from starlette.responses import Response

from resmeta.services.organizations import SearchResult

JSON = "application/json"


def json_response(content: object, status_code: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status_code, media_type=JSON)


def raw_json_response(body: bytes, status_code: int = 200) -> Response:
    return Response(body, status_code=status_code, media_type=JSON)


def errors_response(errors: list[str], status_code: int = 400) -> Response:
    return json_response({"errors": errors}, status_code)


def search_response(result: SearchResult) -> Response:
    body = b"".join(
        (
            b'{"number_of_results":%d,"time_taken":%d,"items":['
            % (result.number_of_results, result.time_taken),
            b",".join(result.items),
            b'],"meta":',
            orjson.dumps(result.meta),
            b"}",
        )
    )
    return raw_json_response(body)
