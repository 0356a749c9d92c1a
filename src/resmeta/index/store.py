"""The data folder: one index per dump checksum, and a pointer to the one in service.

    DATA_DIR/
        indexes/<sha256[:16]>-f<FORMAT>/   a built index and its resmeta.json
        current                            the name of the index in service
        checksums.json                     dump path, size, mtime -> sha256 (saves re-hashing)

An index is built in a temporary folder and renamed into place only when it is complete,
then `current` is replaced atomically: a failed build leaves the previous index serving.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import orjson

from resmeta.index.build import FORMAT, META_FILE, IndexMeta, build_index
from resmeta.records.dump import locate

KEEP_INDEXES = 2  # the one in service and the one before it


class IndexStore:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.indexes = data_dir / "indexes"
        self.indexes.mkdir(parents=True, exist_ok=True)

    # -- checksums -----------------------------------------------------------------------------

    def checksum(self, dump: Path) -> str:
        """The sha256 of a dump file, cached by path, size and modification time."""
        cache_file = self.data_dir / "checksums.json"
        cache = orjson.loads(cache_file.read_bytes()) if cache_file.exists() else {}
        stat = dump.stat()
        key = f"{dump.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
        if key not in cache:
            digest = hashlib.sha256()
            with open(dump, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
            cache[key] = digest.hexdigest()
            _write_atomically(cache_file, orjson.dumps(cache))
        return cache[key]

    # -- indexes -------------------------------------------------------------------------------

    def folder_for(self, sha256: str) -> Path:
        return self.indexes / f"{sha256[:16]}-f{FORMAT}"

    def find(self, dump: Path) -> Path | None:
        """The complete index built from this dump, if there is one."""
        folder = self.folder_for(self.checksum(dump))
        return folder if (folder / META_FILE).exists() else None

    def build(
        self, dump: Path, on_progress: Callable[[int, int], None] | None = None
    ) -> tuple[Path, IndexMeta]:
        """Build the index of `dump` (raises `DumpError` on bad data) without making it current.

        `on_progress(done, total)` reports bytes of the records file read.
        """
        dump_file = locate(dump)
        sha256 = self.checksum(dump)
        total = dump_file.size
        progress = (lambda done: on_progress(done, total)) if on_progress else None
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=self.indexes))
        try:
            meta = build_index(dump_file, staging, sha256, on_progress=progress)
            target = self.folder_for(sha256)
            if target.exists():  # an older, incomplete copy
                shutil.rmtree(target)
            os.rename(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target, meta

    def current(self) -> Path | None:
        pointer = self.data_dir / "current"
        if not pointer.exists():
            return None
        folder = self.indexes / pointer.read_text().strip()
        return folder if (folder / META_FILE).exists() else None

    def set_current(self, folder: Path) -> None:
        _write_atomically(self.data_dir / "current", folder.name.encode())
        self._remove_old(keep={folder.name})

    def _remove_old(self, keep: set[str]) -> None:
        built = sorted(
            (p for p in self.indexes.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for folder in built[KEEP_INDEXES:]:
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
