"""Responses assembled from stored JSON bytes, without re-serialising records."""

from __future__ import annotations

import orjson
from starlette.responses import Response

from resmeta.services.affiliations.matcher import Match
from resmeta.services.organizations import SearchResult

JSON = "application/json"


def json_response(content: object, status_code: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status_code, media_type=JSON)


def raw_json_response(body: bytes, status_code: int = 200) -> Response:
    return Response(body, status_code=status_code, media_type=JSON)


def errors_response(errors: list[str], status_code: int = 400) -> Response:
    return json_response({"errors": errors}, status_code)


def affiliation_response(items: list[tuple[Match, bytes]]) -> Response:
    """ROR's affiliation answer; key order as ROR: substring, score, matching_type, chosen,
    organization."""
    rendered = [
        b'{"substring":%b,"score":%b,"matching_type":%b,"chosen":%b,"organization":%b}'
        % (
            orjson.dumps(match.substring),
            orjson.dumps(round(match.score, 4)),
            orjson.dumps(match.matching_type),
            b"true" if match.chosen else b"false",
            document,
        )
        for match, document in items
    ]
    body = b'{"number_of_results":%d,"items":[%b]}' % (len(rendered), b",".join(rendered))
    return raw_json_response(body)


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
