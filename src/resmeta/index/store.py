"""The data folder: one index per dump checksum, and a pointer to the one in service.

    DATA_DIR/
        indexes/<sha256[:16]>-f<FORMAT>-<built>/   a built index, its matching views
                                                   (matching.*) and its resmeta.json
        current                                    the name of the index in service
        servers/<pid>                              the index a running server has open
        checksums.json                             dump path, size, mtime -> sha256

An index is built in a temporary folder and renamed to a name of its own only when it is
complete; then `current` is replaced atomically. A failed build leaves everything as it was,
and no index that a running server has open is ever deleted.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
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

    def find(self, dump: Path) -> Path | None:
        """The newest complete index built from this dump by this version, if there is one."""
        prefix = f"{self.checksum(dump)[:16]}-f{FORMAT}-"
        built = sorted(p for p in self.indexes.glob(prefix + "*") if (p / META_FILE).exists())
        return built[-1] if built else None

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
            staging.chmod(0o755)
            now = time.time_ns()  # one reading, so that names sort as builds happened
            built = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9)) + f"{now % 10**9:09d}"
            target = self.indexes / f"{sha256[:16]}-f{FORMAT}-{built}"
            os.rename(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return target, meta

    def current(self) -> Path | None:
        pointer = self.data_dir / "current"
        if not pointer.exists():
            return None
        folder = self.indexes / pointer.read_text().strip()
        if not (folder / META_FILE).exists() or IndexMeta.load(folder).format != FORMAT:
            return None  # gone, or built by another version of resmeta
        return folder

    def set_current(self, folder: Path) -> None:
        _write_atomically(self.data_dir / "current", folder.name.encode())
        self._remove_old(keep={folder.name})

    def register_server(self, folder: Path) -> None:
        """Record that this process serves `folder`, so that it is not removed meanwhile."""
        servers = self.data_dir / "servers"
        servers.mkdir(exist_ok=True)
        _write_atomically(servers / str(os.getpid()), folder.name.encode())

    def unregister_server(self) -> None:
        (self.data_dir / "servers" / str(os.getpid())).unlink(missing_ok=True)

    def servers(self) -> dict[int, str]:
        """The index folder name each running server process has open, by process ID."""
        found = {}
        servers = self.data_dir / "servers"
        for record in servers.iterdir() if servers.is_dir() else ():
            if not record.name.isdigit():
                continue
            if _alive(int(record.name)):
                try:
                    found[int(record.name)] = record.read_text().strip()
                except FileNotFoundError:  # the server stopped meanwhile
                    pass
            else:
                record.unlink(missing_ok=True)
        return found

    def _in_service(self) -> set[str]:
        return set(self.servers().values())

    def _remove_old(self, keep: set[str]) -> None:
        built = sorted(
            (p for p in self.indexes.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        keep = keep | self._in_service()
        for folder in built[KEEP_INDEXES:]:
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
