"""Build a search index from a dump into a folder."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import orjson
import tantivy

from resmeta import __version__
from resmeta.index import analysis
from resmeta.index.documents import to_document
from resmeta.index.fields import ORDINAL
from resmeta.index.matching import ViewsWriter, matching_info, segment_starts
from resmeta.index.schema import build_schema
from resmeta.records.dump import DumpError, DumpFile, read_records

META_FILE = "resmeta.json"
FORMAT = 19  # bump when the schema or the documents change: older indexes are rebuilt
WRITER_HEAP_BYTES = 400_000_000


@dataclass
class IndexMeta:
    """What an index was built from and what it holds; saved beside the index."""

    dump: str
    sha256: str
    records: int = 0
    seconds: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)
    continent_names: dict[str, str] = field(default_factory=dict)
    segments: list[int] = field(default_factory=list)  # documents in each, searcher's order
    matching_views_bytes: int = 0
    format: int = FORMAT
    resmeta_version: str = __version__

    def save(self, folder: Path) -> None:
        (folder / META_FILE).write_bytes(orjson.dumps(asdict(self), option=orjson.OPT_INDENT_2))

    @classmethod
    def load(cls, folder: Path) -> IndexMeta:
        return cls(**orjson.loads((folder / META_FILE).read_bytes()))


def build_index(
    dump: DumpFile,
    folder: Path,
    sha256: str,
    on_progress: Callable[[int], None] | None = None,
) -> IndexMeta:
    """Index every record of `dump` into the empty `folder`. Raises `DumpError` on bad data."""
    started = time.perf_counter()
    index = tantivy.Index(build_schema(), path=str(folder))
    analysis.register(index)
    writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
    views = ViewsWriter(folder)
    statuses: Counter[str] = Counter()
    types: Counter[str] = Counter()
    country_names: dict[str, Counter[str]] = {}
    continent_names: dict[str, str] = {}
    count = 0
    try:
        for org in read_records(dump, on_progress=on_progress):
            try:
                matching = matching_info(org)
                writer.add_document(to_document(org, matching, count))
            except (ValueError, OverflowError) as exc:
                raise DumpError(f"{dump.name}: record {count} ({org.id}): {exc}") from None
            views.add(matching)
            count += 1
            statuses[org.status] += 1
            types.update(org.types)
            for location in org.locations:
                details = location.geonames_details
                if details.country_code and details.country_name:
                    names = country_names.setdefault(details.country_code.lower(), Counter())
                    names[details.country_name] += 1
                if details.continent_code and details.continent_name:
                    continent_names[details.continent_code.lower()] = details.continent_name
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise
    finally:
        views.close()
    index.reload()
    segments, ordinals = _placement(index.searcher(), count)
    views.finish(ordinals)
    meta = IndexMeta(
        dump=dump.name,
        sha256=sha256,
        records=count,
        seconds=round(time.perf_counter() - started, 2),
        statuses=dict(statuses.most_common()),
        types=dict(types.most_common()),
        country_names={code: c.most_common(1)[0][0] for code, c in sorted(country_names.items())},
        continent_names=dict(sorted(continent_names.items())),
        segments=segments,
        matching_views_bytes=views.size,
    )
    meta.save(folder)
    return meta


def _placement(searcher: tantivy.Searcher, count: int) -> tuple[list[int], list[int]]:
    """How many documents each segment holds, and the dump ordinal of each document's
    record, in the index's order (segment by segment: a new index has no gaps)."""
    if not count:
        return [0] * searcher.num_segments, []
    addresses = [a for _, a in searcher.search(tantivy.Query.all_query(), count).hits]
    if len(addresses) != count:
        raise RuntimeError(f"the new index holds {len(addresses):,} records of {count:,}")
    sizes = [0] * searcher.num_segments
    for address in addresses:
        sizes[address.segment_ord] += 1
    first = segment_starts(sizes)
    ordinals = [0] * count
    for address, ordinal in zip(
        addresses, searcher.fast_field_values(ORDINAL, addresses), strict=True
    ):
        ordinals[first[address.segment_ord] + address.doc] = ordinal
    return sizes, ordinals
