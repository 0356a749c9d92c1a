"""resmeta: a self-hostable research-metadata service (ROR API over a local dump).

The Python API matches affiliation strings without a server:

    >>> import resmeta
    >>> resmeta.match("Dept. of Physics, Univ. of Oxford, UK")[0].name
    'University of Oxford'
    >>> for candidates in resmeta.match_many(["Harvard Medical School", "CERN"], workers=2):
    ...     ...

`match_many` with `workers` > 1 starts processes: in a script, call it under
`if __name__ == "__main__":`, as `multiprocessing` requires.

The dump is found as `resmeta serve` finds it (`dump=`, RESMETA_DUMP, the data folder), and
its index is built on first use.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from resmeta.services.affiliations.bulk import Candidate

__version__ = "0.1.0"
__all__ = ["match", "match_many"]


def match(
    affiliation: str,
    *,
    dump: str | Path | None = None,
    data_dir: str | Path | None = None,
    all_status: bool = False,
    top_k: int = 10,
    threshold: float | None = None,
    multisearch: bool = False,
) -> list[Candidate]:
    """The organizations an affiliation string names, best first; `chosen` marks the one
    the matcher is sure of (at most one, and then it is first): the one whose `confidence`
    reaches `threshold` (default: the chooser model's). With `multisearch`, every other
    organization the string names is chosen too, after it. `top_k` more candidates follow
    the chosen ones."""
    from resmeta.services.affiliations.bulk import MatchOptions, match_chunk

    options = MatchOptions(all_status, top_k, threshold, multisearch)
    return match_chunk(_index_folder(dump, data_dir), [affiliation], options)[0]


def match_many(
    affiliations: Iterable[str],
    *,
    workers: int = 1,
    dump: str | Path | None = None,
    data_dir: str | Path | None = None,
    all_status: bool = False,
    top_k: int = 0,
    batch: int = 5000,
    threshold: float | None = None,
    multisearch: bool = False,
) -> Iterator[list[Candidate]]:
    """`match` for many strings, in order, on `workers` processes."""
    from resmeta.services.affiliations.bulk import LocalEngine, MatchOptions, match_texts

    options = MatchOptions(all_status, top_k, threshold, multisearch)
    engine = LocalEngine(_index_folder(dump, data_dir), workers, options)
    try:
        pending: list[str] = []
        for text in affiliations:
            pending.append(text)
            if len(pending) >= batch:
                yield from match_texts(engine, pending)
                pending = []
        yield from match_texts(engine, pending)
    finally:
        engine.close()


@functools.cache
def _index_folder(dump: str | Path | None, data_dir: str | Path | None) -> str:
    from resmeta.index.store import IndexStore
    from resmeta.services.dumps import default_data_dir, index_for

    store = IndexStore(Path(data_dir) if data_dir else default_data_dir())
    return str(index_for(store, Path(dump) if dump else None, make_current=False))
