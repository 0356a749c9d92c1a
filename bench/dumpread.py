"""Stream ROR schema-v2 records out of a ROR dump zip (stdlib only; shared by the benchmarks).

A dump zip holds one JSON array per schema. The v2 member is the one whose name ends with
`_schema_v2.json` (dumps before v2.0); dumps from v2.0 on hold only a v2 file named without
that suffix, so otherwise the member is picked by content (`names`/`locations` = v2).
Records are decoded one at a time, so a multi-gigabyte member never sits in memory.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

_SKIP = re.compile(r"[\s,]*")
_CHUNK = 1 << 20


def iter_json_array(stream: io.TextIOBase, chunk_size: int = _CHUNK) -> Iterator[dict]:
    """Yield the elements of the top-level JSON array read from `stream`, one by one."""
    decoder = json.JSONDecoder()
    buf = stream.read(chunk_size)
    eof = not buf
    pos = _SKIP.match(buf).end()
    while pos >= len(buf) and not eof:
        more = stream.read(chunk_size)
        eof = not more
        buf, pos = buf[pos:] + more, 0
        pos = _SKIP.match(buf).end()
    if pos >= len(buf) or buf[pos] != "[":
        raise ValueError("the dump member is not a JSON array")
    pos += 1
    while True:
        pos = _SKIP.match(buf, pos).end()
        if pos >= len(buf):
            if eof:
                raise ValueError("truncated JSON array")
            more = stream.read(chunk_size)
            eof = not more
            buf, pos = buf[pos:] + more, 0
            continue
        if buf[pos] == "]":
            return
        try:
            obj, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError:
            if eof:
                raise
            more = stream.read(chunk_size)
            eof = not more
            buf, pos = buf[pos:] + more, 0
            continue
        yield obj
        pos = end


def _looks_v2(zf: zipfile.ZipFile, name: str) -> bool:
    with zf.open(name) as raw:
        head = raw.read(64 * 1024).decode("utf-8", errors="replace")
    return '"names"' in head and '"locations"' in head


def find_v2_member(zf: zipfile.ZipFile) -> str:
    """Name of the schema-v2 JSON member of a ROR dump zip."""
    members = [i.filename for i in zf.infolist() if i.filename.endswith(".json")]
    for name in members:
        if name.endswith("_schema_v2.json"):
            return name
    for name in members:
        if _looks_v2(zf, name):
            return name
    raise ValueError(f"no ROR schema v2 JSON file in {zf.filename}")


def iter_dump_records(path: str | Path) -> Iterator[dict]:
    """Yield every record of the v2 member of the ROR dump zip at `path`."""
    with zipfile.ZipFile(path) as zf:
        member = find_v2_member(zf)
        with zf.open(member) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8")
            yield from iter_json_array(text)


def display_name(record: dict) -> str:
    for name in record.get("names", []):
        if "ror_display" in name.get("types", []):
            return name["value"]
    names = record.get("names") or [{"value": ""}]
    return names[0]["value"]
