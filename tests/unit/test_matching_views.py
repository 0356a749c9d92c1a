"""The records' matching views, kept beside the index: each document finds its own, in an
index of several segments too (a large dump's; tantivy orders segments its own way)."""

import gc

import orjson
import pytest
import tantivy

from resmeta.index import analysis
from resmeta.index.build import FORMAT, IndexMeta, _placement
from resmeta.index.documents import to_document
from resmeta.index.fields import DOCUMENT
from resmeta.index.matching import (
    SPANS_FILE,
    VIEWS_FILE,
    MatchingViews,
    ViewsWriter,
    matching_info,
)
from resmeta.index.reader import OrganizationIndex
from resmeta.index.schema import build_schema
from resmeta.records.model import validate
from tests.factory import FR, GB, build_index, make_org


def _index_of_segments(folder, records, commit_after):
    """An index committed after each record numbered in `commit_after` (one segment each
    time), with its views; its segments' sizes, and the bytes of its views."""
    index = tantivy.Index(build_schema(), path=str(folder))
    analysis.register(index)
    writer = index.writer(heap_size=50_000_000, num_threads=1)
    views = ViewsWriter(folder)
    for ordinal, record in enumerate(records):
        org = validate(record)
        matching = matching_info(org)
        writer.add_document(to_document(org, matching, ordinal))
        views.add(matching)
        if ordinal in commit_after:
            writer.commit()
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    segments, ordinals = _placement(index.searcher(), len(records))
    views.finish(ordinals)
    return index.searcher(), segments, views.size


def test_each_document_of_each_segment_finds_its_own_view(tmp_path):
    records = [make_org(f"University of Place{n}", [GB, FR][n % 2]) for n in range(12)]
    searcher, segments, size = _index_of_segments(tmp_path, records, commit_after={3, 7})
    assert len(segments) == searcher.num_segments == 3 and sum(segments) == 12
    views = MatchingViews(tmp_path, segments, size)
    hits = searcher.search(tantivy.Query.all_query(), 12).hits
    assert len(hits) == 12
    for _, address in hits:
        record = orjson.loads(searcher.doc(address)[DOCUMENT][0])
        view = views.at(address.segment_ord, address.doc)
        assert view.display == record["names"][0]["value"]
        assert "https://ror.org/" + view.id == record["id"]


def test_views_read_are_not_tracked_by_the_cycle_collector(tmp_path):
    """Matching keeps tens of thousands of views: full collections need not scan them."""
    parent = make_org("University of Northgate", GB)
    unit = make_org("Northgate Institute of Optics", GB)
    unit["relationships"] = [
        {"label": "University of Northgate", "type": "parent", "id": parent["id"]}
    ]
    _, segments, size = _index_of_segments(tmp_path, [parent, unit], commit_after=set())
    views = [MatchingViews(tmp_path, segments, size).at(0, doc) for doc in range(2)]
    gc.collect()  # tuples of strings only are no longer tracked once a collection saw them
    for view in views:
        assert not gc.is_tracked(view)
        fields = [getattr(view, name) for name in view.__struct_fields__]
        assert all(
            isinstance(f, str) or (isinstance(f, tuple) and not gc.is_tracked(f)) for f in fields
        )
    assert {view.parents for view in views} == {
        (),
        (parent["id"].removeprefix("https://ror.org/"),),
    }


def test_views_that_do_not_fit_the_index_are_refused(tmp_path):
    records = [make_org(f"University of Place{n}", GB) for n in range(3)]
    _, segments, size = _index_of_segments(tmp_path, records, commit_after=set())
    assert segments == [3]
    damaged = "its matching views are damaged: rebuild the index with 'resmeta index --force'"
    with pytest.raises(ValueError, match=damaged):
        MatchingViews(tmp_path, [4], size)
    views = tmp_path / VIEWS_FILE
    views.write_bytes(views.read_bytes()[: size // 2])  # cut short
    with pytest.raises(ValueError, match=damaged):
        MatchingViews(tmp_path, segments, size)
    (tmp_path / SPANS_FILE).unlink()
    with pytest.raises(ValueError, match="matching.spans is missing: rebuild the index"):
        MatchingViews(tmp_path, segments, size)


def test_an_index_of_no_records_has_no_views(tmp_path):
    searcher, segments, size = _index_of_segments(tmp_path, [], commit_after=set())
    assert sum(segments) == 0 and searcher.num_docs == 0 and size == 0
    MatchingViews(tmp_path, segments, size)  # opens: nothing to read


def test_an_index_of_another_format_is_refused_with_a_way_out(tmp_path):
    folder = build_index(tmp_path, [make_org("University of Oxford", GB)])
    assert OrganizationIndex(folder).num_docs == 1
    meta = IndexMeta.load(folder)
    meta.format -= 1
    meta.save(folder)
    with pytest.raises(ValueError, match=f"format {FORMAT - 1}; this resmeta reads format"):
        OrganizationIndex(folder)
