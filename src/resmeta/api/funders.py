"""InvenioRDM's funders API (`/api/funders`), from the ROR index: routes, parameters,
content negotiation, links, and InvenioRDM's error shape (`{"status", "message"}`, with
`errors: [{"field", "messages"}]` for invalid parameters)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from resmeta.api.openapi import query_parameters
from resmeta.services.funders import (
    DEFAULT_SIZE,
    MAX_RESULTS,
    SORTS,
    FunderSearch,
    FunderService,
    SearchFailed,
)

router = APIRouter(tags=["Funders (InvenioRDM)"])

PATH = "/api/funders"
JSON = "application/json"
INVENIORDM_JSON = "application/vnd.inveniordm.v1+json"
MEDIA_TYPES = (JSON, INVENIORDM_JSON)  # in order of preference
TRUE = frozenset({"", "true", "t", "yes", "y", "on", "1"})  # `?funders_only` alone is true
FALSE = frozenset({"false", "f", "no", "n", "off", "0"})
ROR_ID = re.compile(r"0[a-z0-9]{6}[0-9]{2}")  # funder IDs are bare ROR IDs, lower case
MAX_DIGITS = 30  # a longer number is as good as infinite here (and int() refuses 4,300+)

NOT_AN_INTEGER = "Not a valid integer."
AT_LEAST_ONE = "Must be greater than or equal to 1."
INVALID_PARAMETERS = "Invalid querystring parameters."
VALIDATION_ERROR = "A validation error occurred."
NO_SUCH_ID = "The persistent identifier does not exist."


class InvalidRequest(Exception):
    def __init__(self, status: int, body: dict) -> None:
        super().__init__(body.get("message"))
        self.status = status
        self.body = body


PARAMETERS = query_parameters(
    {
        "q": "Lucene query-string syntax over name, title (title.en, ...), acronym, "
        "aliases, country, country_name and identifiers.identifier; words also match the "
        "words they begin. An unreadable query is searched as plain words.",
        "suggest": "Search as you type (name, acronym, aliases, English title, identifiers, "
        "country name), tolerant of one typo per word. Not with q.",
        "sort": "bestmatch (the default with a query), name (else), newest, oldest.",
        "size": "Hits per page, 25 by default.",
        "page": "From 1; (page - 1) x size must stay < 10,000.",
        "funders_only": "Extension: true to list only ROR records typed funder (InvenioRDM "
        "loads every ROR record, which is the default).",
    }
)


@router.get(
    PATH,
    summary="Search funders (InvenioRDM's funders vocabulary)",
    openapi_extra=PARAMETERS,
)
async def search_funders(request: Request) -> Response:
    return _answer(request, _search)


@router.get(PATH + "/{pid:path}", summary="Get one funder by its ROR ID (bare)")
async def read_funder(request: Request, pid: str) -> Response:
    if pid == "":  # `/api/funders/`
        return _answer(request, _search)
    return _answer(request, lambda request, media_type: _read(request, pid, media_type))


def _answer(request: Request, handler) -> Response:
    try:
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            raise InvalidRequest(
                406,
                {
                    "status": 406,
                    "message": "Invalid 'Accept' header. Expected one of: "
                    + ", ".join(MEDIA_TYPES),
                },
            )
        return handler(request, media_type)
    except InvalidRequest as exc:
        return Response(orjson.dumps(exc.body), status_code=exc.status, media_type=JSON)


def _service(request: Request) -> FunderService:
    """The funders service over the index the app serves now (which `resmeta update` may
    change at any time: the service follows it)."""
    organizations = request.app.state.organizations
    if organizations is None:
        raise InvalidRequest(503, {"status": 503, "message": "The index is not open yet."})
    service = getattr(request.app.state, "funders", None)
    if service is None or service.index is not organizations.index:
        service = FunderService(organizations.index)
        request.app.state.funders = service
    return service


def _read(request: Request, pid: str, media_type: str) -> Response:
    document = None
    if ROR_ID.fullmatch(pid):
        document = _service(request).get(pid)
    if document is None:
        raise InvalidRequest(404, {"status": 404, "message": NO_SUCH_ID})
    return Response(with_base(document, _base(request)), media_type=media_type)


def _search(request: Request, media_type: str) -> Response:
    wanted = parse_search(request.query_params.multi_items())
    service = _service(request)
    try:
        result = service.search(wanted)
    except SearchFailed:
        raise InvalidRequest(400, {"status": 400, "message": INVALID_PARAMETERS}) from None
    base = _base(request)
    links = search_links(base + PATH, wanted, result.total)
    body = b"".join(
        (
            b'{"hits":{"hits":[',
            b",".join(with_base(hit, base) for hit in result.hits),
            b'],"total":%d},"sortBy":' % result.total,
            orjson.dumps(result.sort),
            b',"page":%d,"links":' % wanted.page,
            orjson.dumps(links),
            b"}",
        )
    )
    return Response(body, media_type=media_type)


# -- parameters ----------------------------------------------------------------------------------


def parse_search(params) -> FunderSearch:
    """A `FunderSearch` from the query string (the first value of each parameter; unknown
    parameters ignored, as InvenioRDM does), or `InvalidRequest` in InvenioRDM's shape."""
    values: dict[str, str] = {}
    for key, value in params:
        values.setdefault(key, value)
    errors: dict[str, list[str]] = {}
    numbers = {}
    for name, default in (("page", 1), ("size", DEFAULT_SIZE)):
        numbers[name] = default
        if name in values:
            number = _integer(values[name])
            if number is None:
                errors[name] = [NOT_AN_INTEGER]
            elif number < 1:
                errors[name] = [AT_LEAST_ONE]
            else:
                numbers[name] = number
    sort = values.get("sort") or None
    if sort is not None and sort not in SORTS:
        errors["sort"] = [f"Invalid sort option '{sort}'. Use one of: {', '.join(SORTS)}."]
    funders_only = values.get("funders_only", "false").strip().lower()
    if funders_only not in TRUE | FALSE:
        errors["funders_only"] = ["Not a valid boolean."]
    q = (values.get("q") or "").strip() or None
    suggest = (values.get("suggest") or "").strip() or None
    if q is not None and suggest is not None:
        errors["suggest"] = ["Give either q or suggest, not both."]
    if errors:
        raise InvalidRequest(
            400,
            {
                "status": 400,
                "message": VALIDATION_ERROR,
                "errors": [{"field": f, "messages": m} for f, m in errors.items()],
            },
        )
    page, size = numbers["page"], numbers["size"]
    if (page - 1) * size >= MAX_RESULTS:
        raise InvalidRequest(400, {"status": 400, "message": INVALID_PARAMETERS})
    return FunderSearch(
        q=q,
        suggest=suggest,
        sort=sort,
        page=page,
        size=size,
        funders_only=funders_only in TRUE,
    )


_INTEGER = re.compile(r"[+-]?[0-9]+")


def _integer(text: str) -> int | None:
    text = text.strip()
    if not _INTEGER.fullmatch(text):
        return None
    digits = text.lstrip("+-").lstrip("0") or "0"
    if len(digits) > MAX_DIGITS:
        return -(10**MAX_DIGITS) if text.startswith("-") else 10**MAX_DIGITS
    return int(text)


# -- responses -----------------------------------------------------------------------------------


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with for an Accept header (None: none acceptable). Each
    type takes the q of the most specific range that matches it; ties go to JSON."""
    if accept is None or not accept.strip():
        return JSON
    best, best_q = None, 0.0
    for media_type in MEDIA_TYPES:
        main = media_type.split("/")[0]
        found, specificity = None, -1
        for part in accept.split(","):
            range_, *parameters = (p.strip() for p in part.split(";"))
            range_ = range_.lower()
            rank = {media_type: 2, f"{main}/*": 1, "*/*": 0}.get(range_)
            if rank is None or rank <= specificity:
                continue
            q = 1.0
            for parameter in parameters:
                key, _, value = parameter.partition("=")
                if key.strip().lower() == "q":
                    try:
                        q = float(value.strip())
                    except ValueError:
                        q = 0.0
            found, specificity = q, rank
        if found is not None and found > best_q:
            best, best_q = media_type, found
    return best


def _base(request: Request) -> str:
    """Scheme, host and root path the request came to, for absolute links."""
    return str(request.base_url).rstrip("/")


def with_base(document: bytes, base: str) -> bytes:
    """A stored funder with its `links.self` made absolute (stored: `/api/funders/<id>`).
    The sequence below cannot occur inside a JSON string (its quotes would be escaped)."""
    marker = b'"links":{"self":"'
    return document.replace(marker, marker + orjson.dumps(base)[1:-1], 1)


def search_links(url: str, wanted: FunderSearch, total: int) -> dict[str, str]:
    """`self`, `prev` (after page 1) and `next` (while page x size < total and the next
    page starts below 10,000): the effective query, keys sorted."""
    params = {"page": wanted.page, "size": wanted.size, "sort": wanted.effective_sort}
    if wanted.q is not None:
        params["q"] = wanted.q
    if wanted.suggest is not None:
        params["suggest"] = wanted.suggest
    if wanted.funders_only:
        params["funders_only"] = "true"

    def link(page: int) -> str:
        query = urlencode(sorted({**params, "page": page}.items()), quote_via=quote, safe="")
        return f"{url}?{query}"

    links = {"self": link(wanted.page)}
    if wanted.page > 1:
        links["prev"] = link(wanted.page - 1)
    end = wanted.page * wanted.size
    if end < total and end < MAX_RESULTS:
        links["next"] = link(wanted.page + 1)
    return links
