"""Paths and small helpers shared by the benchmark scripts (stdlib only)."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
DEFAULT_DUMP = (REPO / ".." / "shared" / "data" / "ror" / "v2.9-subset-ror-data.zip").resolve()


def resmeta_executable() -> Path:
    """The `resmeta` console script of the running interpreter's environment."""
    beside = Path(sys.executable).parent / "resmeta"
    if beside.is_file():
        return beside
    found = shutil.which("resmeta")
    if found:
        return Path(found)
    raise SystemExit(
        f"resmeta executable not found beside {sys.executable}: run `make install` and use "
        ".venv/bin/python (or `pip install -e .` into this interpreter's environment)"
    )


def dump_label(dump: Path) -> str:
    """A short, file-name-safe name for a dump: its file name without `.zip`."""
    name = dump.name.removesuffix(".zip")
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


def tree_size(path: Path) -> tuple[int, int, int]:
    """(apparent bytes, allocated bytes, files) under `path`."""
    apparent = allocated = files = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            try:
                st = os.lstat(os.path.join(root, name))
            except FileNotFoundError:
                continue
            apparent += st.st_size
            allocated += st.st_blocks * 512
            files += 1
    return apparent, allocated, files


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def mb(n: float | None) -> str:
    return "-" if n is None else f"{n / 1e6:,.1f} MB"


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
