"""Search and fetch ROR organizations: the ROR API's rules on top of the index."""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

import tantivy

from resmeta.index import analysis
from resmeta.index.fields import (
    ADVANCED_DEFAULT_FIELDS,
    ADVANCED_PATHS,
    BY_NAME,
    DOCUMENTS,
    V1_ADVANCED_PATHS,
    V1_EXISTS_PATHS,
    Field,
)
from resmeta.index.query import QueryError, Translator, parse
from resmeta.index.reader import OrganizationIndex, SearchFailed
from resmeta.records.crosswalk import CONTINENT_NAMES
from resmeta.records.ids import parse_ror_id

__all__ = [
    "OrganizationService",
    "QueryError",  # raised by `search` for a query.advanced that cannot run
    "SearchFailed",  # raised when the engine fails on a query
    "SearchRequest",
    "SearchResult",
    "Sort",
]

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_RESULTS = 10_000  # the deepest a listing can be paged, as the ROR API
MAX_PAGE = MAX_RESULTS // PAGE_SIZE
FACET_SIZE = 10
FACETS_CACHE_SIZE = 4096
CACHED_TEXT_LENGTH = 1000  # longer queries are rare: caching them would only hold memory

FILTER_FIELDS: dict[str, str] = {
    "types": "types",
    "status": "status",
    "country.country_code": "country_code",
    "country.country_name": "country_name_keyword",
    "locations.geonames_details.country_code": "country_code",
    "locations.geonames_details.country_name": "country_name_keyword",
    "locations.geonames_details.continent_code": "continent_code",
    "locations.geonames_details.continent_name": "continent_name_keyword",
}
"""`filter` keys and the index field each one matches (values are case-insensitive)."""
V1_FILTER_KEYS = ("types", "status", "country.country_code", "country.country_name")

SORT_FIELDS: dict[str, str] = {
    "name": "sort_name",
    "id": "sort_id",
    "established": "established",
    "last_modified": "last_modified_date",
}
"""`sort` values (besides `relevance`) and the fast field each orders by."""

CONTINENTS = {code.lower(): name for code, name in CONTINENT_NAMES.items()}
FACETS = (
    ("types", "types"),
    ("countries", "country_code"),
    ("continents", "continent_code"),
    ("statuses", "status"),
)

# Exact matches of the whole query outrank any partial match (BM25 scores stay far below).
DISPLAY_NAME_BONUS = 300.0
NAME_BONUS = 200.0
ACRONYM_BONUS = 100.0
IDENTIFIER_BONUS = 300.0


@dataclass(frozen=True)
class Sort:
    field: str  # a key of SORT_FIELDS
    descending: bool = False


@dataclass(frozen=True)
class SearchRequest:
    query: str | None = None
    advanced: str | None = None
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    all_status: bool = False
    page_size: int = PAGE_SIZE
    sort: Sort | None = None  # None: by relevance
    version: int = 2  # which schema's field names `advanced` uses

    @property
    def facets_key(self) -> tuple:
        """What `meta` depends on: everything but the page and the order."""
        filters = tuple((key, tuple(values)) for key, values in sorted(self.filters.items()))
        return (self.query, self.advanced, filters, self.all_status, self.version)


@dataclass(frozen=True)
class SearchResult:
    number_of_results: int
    time_taken: int
    items: list[bytes]
    meta: dict[str, list[dict]]


class OrganizationService:
    def __init__(self, index: OrganizationIndex) -> None:
        self.index = index
        self.schema = index.schema
        self._advanced = {
            2: Translator(
                self.schema,
                resolve_field=_fields_of(ADVANCED_PATHS),
                default_fields=ADVANCED_DEFAULT_FIELDS,
                exists_paths=_exists_path,
            ),
            1: Translator(
                self.schema,
                resolve_field=_fields_of(V1_ADVANCED_PATHS),
                default_fields=ADVANCED_DEFAULT_FIELDS,
                exists_paths=_v1_exists_path,
            ),
        }
        self._names = {
            operator: Translator(
                self.schema,
                resolve_field=_no_fields,
                default_fields=("names_value",),
                default_operator=operator,
            )
            for operator in ("AND", "OR")
        }
        # The index never changes under a service, so facets of a result can be reused
        # (paging through a result, popular listings): they cost more than the page itself.
        self._facets_cache = LRUCache(FACETS_CACHE_SIZE)
        self._advanced_cache = LRUCache(FACETS_CACHE_SIZE)  # checked, then searched: parse once

    def get(self, bare_id: str, version: int = 2) -> bytes | None:
        """The JSON of a record of any status, in schema `version`, by bare ROR ID."""
        return self.index.get(bare_id, DOCUMENTS[version])

    def search(self, request: SearchRequest, schema: int | None = None) -> SearchResult:
        """The records in schema `schema` (default: the request's version). Raises
        `QueryError` when `query.advanced` cannot be run."""
        started = time.perf_counter()
        clauses = [(tantivy.Occur.Must, q) for q in self._filter_queries(request.filters)]
        lifts_status = request.all_status or "status" in request.filters
        if request.advanced is not None:
            advanced, names_status = self._translate_advanced(request.advanced, request.version)
            clauses.append((tantivy.Occur.Must, advanced))
            lifts_status = lifts_status or names_status
        query_clauses: list[tantivy.Query] = []
        if request.query is not None:
            bare = parse_ror_id(request.query)
            if bare is not None:
                lifts_status = True
                query_clauses = [tantivy.Query.term_query(self.schema, "id", bare)]
            else:
                query_clauses = self._name_queries(request.query)
        if not lifts_status:
            # Alone, the plain term is cheaper; beside a query it must not change scores.
            alone = not clauses and not query_clauses
            active = self._term("status", "active") if alone else self._filter("status", {"active"})
            clauses.append((tantivy.Occur.Must, active))

        query = self._combine(clauses, query_clauses[:1])
        offset = (request.page - 1) * request.page_size
        order = {}
        if request.sort is not None:
            order = {
                "order_by": SORT_FIELDS[request.sort.field],
                "descending": request.sort.descending,
            }
        elif query_clauses:
            order = {"weight_by": "prominence"}
        order["document"] = DOCUMENTS[schema or request.version]
        hits = self.index.search(query, offset, request.page_size, **order)
        if hits.total == 0 and len(query_clauses) > 1:  # no record has all the words
            query = self._combine(clauses, query_clauses[1:])
            hits = self.index.search(query, offset, request.page_size, **order)
        key = request.facets_key
        meta = self._facets_cache.get(key)
        if meta is None:
            meta = self._facets(query)
            if sum(len(str(part)) for part in key) <= CACHED_TEXT_LENGTH:
                self._facets_cache[key] = meta
        return SearchResult(
            number_of_results=hits.total,
            time_taken=round((time.perf_counter() - started) * 1000),
            items=hits.documents,
            meta=meta,
        )

    # -- pieces --------------------------------------------------------------------------------

    def _combine(self, clauses, query_clauses) -> tantivy.Query:
        all_clauses = list(clauses) + [(tantivy.Occur.Must, q) for q in query_clauses]
        if not all_clauses:
            return tantivy.Query.all_query()
        if len(all_clauses) == 1:
            return all_clauses[0][1]
        return tantivy.Query.boolean_query(all_clauses)

    def _term(self, field_name: str, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field_name, value)

    def _filter_queries(self, filters: dict[str, list[str]]) -> list[tantivy.Query]:
        """Values of one key are alternatives (OR); different keys must all match (AND)."""
        queries = []
        for key, values in filters.items():
            field_name = FILTER_FIELDS[key]
            terms = {analysis.keyword(value) for value in values}
            if field_name == "continent_code":
                terms |= {code for code, name in CONTINENTS.items() if name.lower() in terms}
            queries.append(self._filter(field_name, terms))
        return queries

    def _filter(self, field_name: str, values: set[str]) -> tantivy.Query:
        """Records with any of the values; scores nothing, so relevance stays the query's."""
        alternatives = [self._term(field_name, value) for value in sorted(values)]
        if len(alternatives) == 1:
            query = alternatives[0]
        else:  # cheaper than a term set query for the few values a filter has
            query = tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in alternatives])
        return tantivy.Query.const_score_query(query, 0.0)

    def check_advanced(self, text: str, version: int = 2) -> None:
        """Raise `QueryError` when `query.advanced` cannot be run."""
        self._translate_advanced(text, version)

    def _translate_advanced(self, text: str, version: int) -> tuple[tantivy.Query, bool]:
        """The engine query for `query.advanced`, and whether it names the status field."""
        key = (version, text)
        cached = self._advanced_cache.get(key) if len(text) <= CACHED_TEXT_LENGTH else None
        if cached is None:
            translation = self._advanced[version].translate(parse(text))
            cached = (translation.query, "status" in translation.fields)
            if len(text) <= CACHED_TEXT_LENGTH:
                self._advanced_cache[key] = cached
        return cached

    def _name_queries(self, text: str) -> list[tantivy.Query]:
        """The `query` parameter: all its words first, any of them if none has all.

        A record whose name (or identifier) is the whole query gets a bonus far above any
        word-match score, so exact names rank first.
        """
        whole = analysis.exact(text.replace('"', " "))
        identifier = self._term("identifiers", analysis.keyword(text.strip()))
        bonuses = [(identifier, IDENTIFIER_BONUS)]
        if whole:
            bonuses += [
                (self._term("display_exact", whole), DISPLAY_NAME_BONUS),
                (self._term("name_exact", whole), NAME_BONUS),
                (self._term("acronym_exact", whole), ACRONYM_BONUS),
            ]
        should = [
            (tantivy.Occur.Should, tantivy.Query.const_score_query(q, bonus))
            for q, bonus in bonuses
        ]
        queries = []
        for operator in ("AND", "OR"):
            words = self._words_query(text, operator)
            match = tantivy.Query.boolean_query(
                [(tantivy.Occur.Should, words), (tantivy.Occur.Should, identifier)]
            )
            queries.append(tantivy.Query.boolean_query([(tantivy.Occur.Must, match), *should]))
            if len(analysis.words(text)) < 2:
                break
        return queries

    def _words_query(self, text: str, operator: str) -> tantivy.Query:
        try:
            return self._names[operator].translate(parse(_literal_punctuation(text))).query
        except QueryError:  # not Lucene syntax, or a field: search the words as they are
            words = analysis.words(text)
            if not words:
                return tantivy.Query.empty_query()
            occur = tantivy.Occur.Must if operator == "AND" else tantivy.Occur.Should
            return tantivy.Query.boolean_query(
                [(occur, self._term("names_value", word)) for word in words]
            )

    def _facets(self, query: tantivy.Query) -> dict[str, list[dict]]:
        counts = self.index.term_counts(query, [field_name for _, field_name in FACETS])
        titles = {
            "country_code": self.index.meta.country_names,
            "continent_code": {**CONTINENTS, **self.index.meta.continent_names},
        }
        meta = {}
        for facet, field_name in FACETS:
            buckets = sorted(counts[field_name].items(), key=lambda kv: (-kv[1], kv[0]))
            names = titles.get(field_name, {})
            meta[facet] = [
                {"id": key, "title": names.get(key, key), "count": count}
                for key, count in buckets[:FACET_SIZE]
            ]
        return meta


_LONE_OPERATOR = re.compile(r"(?<!\S)[-+!](?=\s|$)")


def _literal_punctuation(text: str) -> str:
    """Names hold dashes and slashes ("Merit Health - Natchez", "Culture/s"): in `query` a
    dash standing alone is punctuation, not NOT, and a slash never starts a regex."""
    return _LONE_OPERATOR.sub(" ", text.replace("/", " "))


class LRUCache(OrderedDict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get(self, key, default=None):
        if key in self:
            self.move_to_end(key)
            return self[key]
        return default

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        if len(self) > self.size:
            self.popitem(last=False)


def _fields_of(paths: dict[str, str]) -> Callable[[str], Field]:
    """The index field of a `query.advanced` field name, from `paths` (v2's or v1's)."""

    def resolve(name: str) -> Field:
        try:
            return BY_NAME[paths[name]]
        except KeyError:
            raise QueryError(f"unknown field '{name}' in query.advanced") from None

    return resolve


def _exists_path(name: str) -> str:
    if name not in ADVANCED_PATHS:
        raise QueryError(f"unknown field '{name}' in query.advanced")
    return name


def _v1_exists_path(name: str) -> str:
    if name in V1_EXISTS_PATHS:
        return V1_EXISTS_PATHS[name]
    if name in V1_ADVANCED_PATHS:
        raise QueryError(f"'{name}:*' and _exists_:{name} are not supported in v1")
    raise QueryError(f"unknown field '{name}' in query.advanced")


def _no_fields(name: str) -> Field:
    raise QueryError(f"fields are not searched by query; use query.advanced for '{name}:'")
