"""Readers for ROR data dumps: a zip as ROR publishes it, or a bare JSON file.

Records are streamed (ijson) and validated one by one, so a dump of any size is read in
constant memory. Any problem is raised as `DumpError` naming the file and the record.
"""

from __future__ import annotations

import contextlib
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import ijson

from resmeta.records.crosswalk import looks_like_v1, looks_like_v2, v1_to_v2
from resmeta.records.model import Organization, RecordError, validate

Schema = Literal["v1", "v2"]


class DumpError(Exception):
    """A dump that cannot be read; the message names the file and, when known, the record."""


@dataclass(frozen=True)
class DumpFile:
    """The JSON file of a dump that holds the records: a zip member or a bare file."""

    path: Path
    member: str | None
    schema: Schema

    @property
    def name(self) -> str:
        return f"{self.path.name}:{self.member}" if self.member else self.path.name

    @property
    def size(self) -> int:
        """Uncompressed size of the records file in bytes."""
        if self.member is None:
            return self.path.stat().st_size
        with zipfile.ZipFile(self.path) as archive:
            return archive.getinfo(self.member).file_size

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        if self.member is None:
            with open(self.path, "rb") as handle:
                yield handle
        else:
            with zipfile.ZipFile(self.path) as archive, archive.open(self.member) as handle:
                yield handle


def locate(path: str | Path) -> DumpFile:
    """Find the records file in a dump: the v2 JSON when there is one, else the v1 JSON."""
    path = Path(path)
    if not path.is_file():
        raise DumpError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        schema = _sniff(DumpFile(path, None, "v2"))
        return DumpFile(path, None, schema)
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".json")]
    if not members:
        raise DumpError(f"{path.name}: the zip holds no .json file")
    # The suffix is the cheap answer; content decides for releases that name v2 files plainly.
    suffixed = [m for m in members if m.lower().endswith("_schema_v2.json")]
    if suffixed:
        return DumpFile(path, suffixed[0], "v2")
    found = {}
    for member in members:
        found.setdefault(_sniff(DumpFile(path, member, "v2")), member)
    return DumpFile(path, found.get("v2") or found["v1"], "v2" if "v2" in found else "v1")


def _sniff(dump: DumpFile) -> Schema:
    """v2 records have `names` and `locations`; v1 records have `name` and `addresses`."""
    try:
        with dump.open() as handle:
            first = next(ijson.items(handle, "item", use_float=True), None)
    except (ijson.JSONError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise DumpError(f"{dump.name}: not valid JSON ({exc})") from None
    if not isinstance(first, dict):
        raise DumpError(f"{dump.name}: expected a JSON array of ROR records")
    if looks_like_v2(first):
        return "v2"
    if looks_like_v1(first):
        return "v1"
    raise DumpError(f"{dump.name}: record 0 is neither a ROR v1 nor a ROR v2 record")


def read_records(
    dump: DumpFile, on_progress: Callable[[int], None] | None = None
) -> Iterator[Organization]:
    """Yield every record of the dump as a validated v2 `Organization`.

    `on_progress` is called now and then with the number of (uncompressed) bytes read so far.
    """
    convert = v1_to_v2 if dump.schema == "v1" else None
    seen: set[str] = set()
    index = -1
    try:
        with dump.open() as handle:
            for index, raw in enumerate(ijson.items(handle, "item", use_float=True)):
                org = _validate_one(dump, index, raw, convert)
                if org.id in seen:
                    raise DumpError(f"{dump.name}: record {index} ({org.id}): duplicate ROR ID")
                seen.add(org.id)
                if on_progress and index % 1000 == 999:
                    on_progress(handle.tell())
                yield org
    except ijson.JSONError as exc:
        raise DumpError(f"{dump.name}: invalid JSON after record {index}: {exc}") from None
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise DumpError(f"{dump.name}: cannot read the file: {exc}") from None
    if index < 0:
        raise DumpError(f"{dump.name}: holds no records (expected a JSON array of ROR records)")


def _validate_one(dump: DumpFile, index: int, raw: object, convert) -> Organization:
    record_id = raw.get("id") if isinstance(raw, dict) else None
    where = f"{dump.name}: record {index}" + (f" ({record_id})" if record_id else "")
    if not isinstance(raw, dict):
        raise DumpError(f"{where}: expected a JSON object, got {type(raw).__name__}")
    try:
        return validate(convert(raw) if convert else raw)
    except RecordError as exc:
        raise DumpError(f"{where}: {exc}") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise DumpError(f"{where}: not a valid ROR v1 record ({exc!r})") from None
