"""Responses assembled from stored JSON bytes, without re-serialising records."""

from __future__ import annotations

import csv
import io

import orjson
from starlette.responses import Response

from resmeta.services.affiliations.ranking import Match
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


def search_response(result: SearchResult, v1_meta: bool = False) -> Response:
    """A list answer; with `v1_meta`, its `meta` in ROR API v1's shape."""
    items, meta = result.items, _v1_meta(result.meta) if v1_meta else result.meta
    body = b"".join(
        (
            b'{"number_of_results":%d,"time_taken":%d,"items":['
            % (result.number_of_results, result.time_taken),
            b",".join(items),
            b'],"meta":',
            orjson.dumps(meta),
            b"}",
        )
    )
    return raw_json_response(body)


def _v1_meta(meta: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """v1 has no continents, and titles its types ("Education")."""
    types = [{**bucket, "title": bucket["title"].title()} for bucket in meta["types"]]
    return {"types": types, "countries": meta["countries"], "statuses": meta["statuses"]}


CSV_COLUMNS = (
    "id",
    "name",
    "types",
    "status",
    "established",
    "country_code",
    "country_name",
    "city",
    "links",
    "isni",
    "grid",
    "wikidata",
    "fundref",
)
CSV_SEPARATOR = "; "  # between the values of one cell


def csv_response(result: SearchResult) -> Response:
    """One row per organization of the page; cells of several values joined by "; "."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in result.items:
        writer.writerow(_csv_row(orjson.loads(item)))
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"X-Number-Of-Results": str(result.number_of_results)},
    )


def _csv_row(record: dict) -> list[str]:
    name = next((n["value"] for n in record["names"] if "ror_display" in n["types"]), "")
    first = record["locations"][0]["geonames_details"] if record["locations"] else {}
    ids = {e["type"]: e for e in record["external_ids"]}

    def identifiers(kind: str) -> str:
        ext = ids.get(kind)
        if ext is None:
            return ""
        return ext.get("preferred") or CSV_SEPARATOR.join(ext["all"])

    return [
        record["id"],
        name,
        CSV_SEPARATOR.join(record["types"]),
        record["status"],
        "" if record.get("established") is None else str(record["established"]),
        first.get("country_code") or "",
        first.get("country_name") or "",
        first.get("name") or "",
        CSV_SEPARATOR.join(link["value"] for link in record["links"]),
        identifiers("isni"),
        identifiers("grid"),
        identifiers("wikidata"),
        identifiers("fundref"),
    ]
