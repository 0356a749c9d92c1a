"""An opened index: fetch records, search, count, aggregate."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import tantivy

from resmeta.index import analysis
from resmeta.index.build import FORMAT, IndexMeta
from resmeta.index.fields import DOCUMENT
from resmeta.index.matching import REBUILD, MatchingInfo, MatchingViews

AGGREGATION_SIZE = 1000  # larger than any facet's number of distinct values
SHARE_CACHE_SIZE = 100_000
# Records' matching views kept decoded (about 30 MB): the same organizations are candidates
# for many affiliation strings, and decoding one again (about 3 µs) costs ten times more
# than finding it here.
MATCHING_CACHE_SIZE = 16_384


class SearchFailed(Exception):
    """The engine could not run a query (tantivy raised or panicked)."""


def _engine_call(method):
    """Turn tantivy errors, including Rust panics (BaseException in Python), into SearchFailed."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException as exc:  # pyo3's PanicException is not an Exception
            raise SearchFailed(f"the search engine could not run this query: {exc}") from None

    return wrapper


@dataclass(frozen=True)
class Hits:
    total: int
    documents: list[bytes]


class OrganizationIndex:
    """A read-only view of one built index folder. Safe to share between threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.meta = IndexMeta.load(folder)
        if self.meta.format != FORMAT:
            raise ValueError(
                f"{folder}: an index of format {self.meta.format}; this resmeta reads format "
                f"{FORMAT}: {REBUILD}"
            )
        self._index = tantivy.Index.open(str(folder))
        analysis.register(self._index)
        self.schema = self._index.schema
        self._searcher = self._index.searcher()
        self._shares: dict[tuple[str, str], float] = {}
        if self._searcher.num_segments != len(self.meta.segments):
            raise ValueError(f"{folder}: its segments are not those it was built with: {REBUILD}")
        # Records' matching views by (segment, doc), decoded once while among the most
        # recently used. (Threads sharing the index at worst decode a record twice.)
        views = MatchingViews(folder, self.meta.segments, self.meta.matching_views_bytes)
        self._matching_at = functools.lru_cache(maxsize=MATCHING_CACHE_SIZE)(views.at)

    @property
    def num_docs(self) -> int:
        return self._searcher.num_docs

    @_engine_call
    def get(self, bare_id: str, document: str = DOCUMENT) -> bytes | None:
        """The stored JSON (`document`: DOCUMENT or DOCUMENT_V1) of a record, by bare ID."""
        query = tantivy.Query.term_query(self.schema, "id", bare_id)
        hits = self._searcher.search(query, 1, count=False).hits
        return self._document(hits[0][1], document) if hits else None

    @_engine_call
    def search(
        self,
        query: tantivy.Query,
        offset: int,
        limit: int,
        weight_by: str | None = None,
        order_by: str | None = None,
        descending: bool = False,
        document: str = DOCUMENT,
    ) -> Hits:
        """Hits `offset`..`offset + limit`, and the total.

        By relevance, unless `order_by` names a fast field to order by (records without a
        value come last, either way). With `weight_by`, a fast integer field, scores are
        multiplied by log2(2 + its value).

        Equal scores keep the index order (the dump's order while the index has one segment,
        as indexes of up to a few hundred thousand records do; a fixed order in any case), so
        pages never overlap.
        """
        result = self._searcher.search(
            query,
            limit,
            count=True,
            offset=offset,
            order_by_field=order_by,
            order=tantivy.Order.Desc if descending else tantivy.Order.Asc,
            weight_by_field=weight_by,
        )
        return Hits(result.count, [self._document(address, document) for _, address in result.hits])

    @_engine_call
    def count(self, query: tantivy.Query) -> int:
        """How many records match `query`."""
        return self._searcher.search(query, 1, count=True).count

    @_engine_call
    def term_counts(self, query: tantivy.Query, fields: list[str]) -> dict[str, dict[str, int]]:
        """For each fast keyword field, how many matching records hold each value."""
        aggregations = {
            name: {"terms": {"field": name, "size": AGGREGATION_SIZE}} for name in fields
        }
        result = self._searcher.aggregate(query, aggregations)
        return {
            name: {bucket["key"]: bucket["doc_count"] for bucket in result[name]["buckets"]}
            for name in fields
        }

    @_engine_call
    def matching_candidates(
        self, query: tantivy.Query, limit: int
    ) -> list[tuple[float, MatchingInfo, tantivy.DocAddress]]:
        """The best `limit` hits with what affiliation matching compares of each."""
        hits = self._searcher.search(query, limit, count=False).hits
        return [(score, self._matching_at(a.segment_ord, a.doc), a) for score, a in hits]

    def matching_record(self, bare_id: str) -> tuple[MatchingInfo, tantivy.DocAddress] | None:
        """What affiliation matching compares of one record, by bare ID, and its address."""
        query = tantivy.Query.term_query(self.schema, "id", bare_id)
        hits = self.matching_candidates(query, 1)
        return (hits[0][1], hits[0][2]) if hits else None

    def holders(self, field_name: str, term: str) -> int:
        """How many records' `field_name` holds `term` (not cached: for terms that seldom
        recur, which would crowd `share`'s cache)."""
        return self._searcher.doc_freq(field_name, term)

    def share(self, field_name: str, term: str) -> float:
        """The share of records whose `field_name` holds `term` (cached per index: the
        cache goes with the index when a server switches to a new one)."""
        key = (field_name, term)
        share = self._shares.get(key)
        if share is None:
            share = self.holders(field_name, term) / max(self._searcher.num_docs, 1)
            if len(self._shares) >= SHARE_CACHE_SIZE:
                self._shares.clear()
            self._shares[key] = share
        return share

    @_engine_call
    def document(self, address: tantivy.DocAddress, document: str = DOCUMENT) -> bytes:
        return self._document(address, document)

    def _document(self, address: tantivy.DocAddress, document: str) -> bytes:
        return self._searcher.doc(address)[document][0]
