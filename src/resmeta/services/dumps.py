"""Where the ROR dump comes from when the user names none, and how the latest one is fetched."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import platformdirs

from resmeta.index.store import IndexStore

DUMP_ENV = "RESMETA_DUMP"
DATA_DIR_ENV = "RESMETA_DATA_DIR"
RELEASES_ENV = "RESMETA_RELEASES_URL"
# ROR publishes every data dump in this Zenodo community, newest first with this query.
RELEASES_URL = "https://zenodo.org/api/communities/ror-data/records?sort=newest&size=1"


class DumpNotFound(Exception):
    pass


def default_data_dir() -> Path:
    """RESMETA_DATA_DIR, else the per-user data folder (~/.local/share/resmeta on Linux)."""
    return Path(os.environ.get(DATA_DIR_ENV) or platformdirs.user_data_dir("resmeta"))


def dump_folder(data_dir: Path) -> Path:
    return data_dir / "dumps"


def find_dump(explicit: str | None, data_dir: Path) -> Path | None:
    """The dump named on the command line, then by RESMETA_DUMP, then the newest one on disk."""
    named = explicit or os.environ.get(DUMP_ENV)
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            source = "--dump" if explicit else DUMP_ENV
            raise DumpNotFound(f"{source} names '{named}', which is not a file")
        return path
    local = [
        p
        for folder in (data_dir, dump_folder(data_dir))
        if folder.is_dir()
        for p in folder.glob("*.zip")
    ]
    return max(local, key=lambda p: p.stat().st_mtime) if local else None


def download_latest(
    data_dir: Path, on_progress: Callable[[int, int | None], None] | None = None
) -> Path:
    """Download the latest ROR release's zip into DATA_DIR/dumps; return its path."""
    import httpx  # here: importing it costs every command, and every bulk worker, 50 ms

    url = os.environ.get(RELEASES_ENV, RELEASES_URL)
    try:
        with httpx.Client(follow_redirects=True, timeout=30) as client:
            listing = client.get(url)
            listing.raise_for_status()
            file_info = _first_zip(listing.json())
            target = dump_folder(data_dir) / Path(file_info["key"]).name
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".part")
            with client.stream("GET", file_info["links"]["self"]) as response:
                response.raise_for_status()
                total = int(response.headers.get("content-length", 0)) or None
                done = 0
                with open(partial, "wb") as out:
                    for chunk in response.iter_bytes(1 << 20):
                        out.write(chunk)
                        done += len(chunk)
                        if on_progress:
                            on_progress(done, total)
            partial.replace(target)
            return target
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise DumpNotFound(
            f"the latest ROR release could not be downloaded from {url} ({exc}); "
            f"pass --dump PATH or set {DUMP_ENV}"
        ) from None


def _first_zip(listing: dict) -> dict:
    for record in listing["hits"]["hits"]:
        for file_info in record["files"]:
            if file_info["key"].endswith(".zip"):
                return file_info
    raise ValueError("the newest release lists no .zip file")


def index_for(
    store: IndexStore,
    dump: Path | None,
    build: Callable[[IndexStore, Path], Path] | None = None,
    download: Callable[[Path], Path] | None = None,
    make_current: bool = True,
) -> Path:
    """The index of the dump named or found (built when missing), else the one already
    current, else that of the latest ROR release. With `make_current`, it becomes the one
    `resmeta serve` serves by default (matching and evaluating leave that as it is).

    `build` and `download` default to doing it silently; the CLI passes its progress bars.
    """
    path = find_dump(str(dump) if dump else None, store.data_dir)
    if path is None:
        current = store.current()
        if current is not None:
            return current
        path = (download or download_latest)(store.data_dir)
    folder = store.find(path)
    if folder is None:
        folder = build(store, path) if build else store.build(path)[0]
    if make_current:
        store.set_current(folder)
    return folder
