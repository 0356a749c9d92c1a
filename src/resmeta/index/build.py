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
from resmeta.index.schema import build_schema
from resmeta.records.dump import DumpError, DumpFile, read_records

META_FILE = "resmeta.json"
FORMAT = 17  # bump when the schema or the documents change: older indexes are rebuilt
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
    statuses: Counter[str] = Counter()
    types: Counter[str] = Counter()
    country_names: dict[str, Counter[str]] = {}
    continent_names: dict[str, str] = {}
    count = 0
    try:
        for org in read_records(dump, on_progress=on_progress):
            try:
                writer.add_document(to_document(org))
            except (ValueError, OverflowError) as exc:
                raise DumpError(f"{dump.name}: record {count} ({org.id}): {exc}") from None
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
    meta = IndexMeta(
        dump=dump.name,
        sha256=sha256,
        records=count,
        seconds=round(time.perf_counter() - started, 2),
        statuses=dict(statuses.most_common()),
        types=dict(types.most_common()),
        country_names={code: c.most_common(1)[0][0] for code, c in sorted(country_names.items())},
        continent_names=dict(sorted(continent_names.items())),
    )
    meta.save(folder)
    return meta
