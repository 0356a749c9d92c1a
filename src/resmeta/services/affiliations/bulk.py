"""Match affiliation strings in bulk: rows in (CSV, TSV, JSON Lines), the same rows out with
their match, on all local cores or on a Dask cluster.

The input is read in batches. Each batch's distinct strings (white space folded) that were
not matched before are matched in parallel; then the batch's rows are written in input order
and a checkpoint beside the output records how far the run got, so `resume` carries on from
there after an interruption.
"""

from __future__ import annotations

import atexit
import csv
import functools
import gc
import io
import multiprocessing
import os
import signal
import sys
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Protocol

import orjson

from resmeta.records.ids import ror_url

RESULT_FIELDS = ("ror_id", "name", "score", "matching_type", "chosen", "confidence")
ADDED_FIELDS = (*RESULT_FIELDS, "also_chosen", "candidates", "error")
csv.field_size_limit(1 << 30)  # a cell of any length is read; matching reads its start
BATCH_ROWS = 5000
TASK_STRINGS = 250
LAST_TASK_STRINGS = 25
WORKER_GC_THRESHOLD = 50_000  # allocations between collections of the youngest objects
CACHE_SIZE = 200_000  # distinct strings remembered across batches (less with --top-k)


class BulkError(Exception):
    """A problem that stops the whole run (not a bad row, which is reported and skipped)."""


# -- matching, in whatever process runs it ------------------------------------------------------


@dataclass(frozen=True)
class MatchOptions:
    """How every string of a run is matched, on whichever worker (a checkpoint records them:
    a run resumes only with the same)."""

    all_status: bool = False  # inactive and withdrawn records are candidates too
    top_k: int = 0  # candidates listed besides the chosen ones
    threshold: float | None = None  # the chooser's, if None
    multisearch: bool = False  # choose every organization a string names, not only one


@dataclass(frozen=True)
class Candidate:
    ror_id: str
    name: str
    score: float
    matching_type: str
    chosen: bool
    confidence: float  # the chooser's chance that this is the organization meant


def match_chunk(
    index_folder: str, texts: list[str], options: MatchOptions = MatchOptions()
) -> list[list[Candidate]]:
    """Match each text; the chosen organizations (if any) first, then up to `top_k` more
    candidates. Runs in worker processes: the index is opened once per process."""
    results = []
    matcher = _matcher(index_folder)
    for matches in matcher.match_many(
        texts, options.all_status, options.threshold, options.multisearch
    ):
        others = [m for m in matches if not m.chosen][: options.top_k]
        keep = [m for m in matches if m.chosen] + others
        results.append(
            [
                Candidate(
                    ror_url(m.info.id),
                    m.info.display,
                    round(m.score, 4),
                    m.matching_type,
                    m.chosen,
                    round(m.confidence, 4),
                )
                for m in keep
            ]
        )
    return results


@functools.cache
def _matcher(index_folder: str):
    from resmeta.index.reader import OrganizationIndex
    from resmeta.services.affiliations.matcher import AffiliationMatcher

    return AffiliationMatcher(OrganizationIndex(Path(index_folder)))


# -- engines ------------------------------------------------------------------------------------


class Engine(Protocol):
    options: MatchOptions

    def map(self, tasks: list[list[str]]) -> list[list[list[Candidate]]]: ...

    def close(self, abort: bool = False) -> None: ...


@dataclass
class LocalEngine:
    """All cores of this machine (one process per worker); `workers=1` runs in-process."""

    index_folder: str
    workers: int = os.cpu_count() or 1
    options: MatchOptions = MatchOptions()

    def __post_init__(self) -> None:
        self._pool = None
        if self.workers > 1:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),  # tantivy is not fork-safe
                initializer=_start_worker,
            )

    def map(self, tasks: list[list[str]]) -> list[list[list[Candidate]]]:
        args = [(self.index_folder, task, self.options) for task in tasks]
        if self._pool is None:
            return [match_chunk(*a) for a in args]
        try:
            return list(self._pool.map(match_chunk, *zip(*args, strict=True)))
        except BrokenProcessPool:
            raise BulkError("a worker process died (out of memory?); rerun with --resume") from None

    def close(self, abort: bool = False) -> None:
        if self._pool is None:
            return
        if not abort:
            self._pool.shutdown()
            return
        # Workers busy with a task would finish it first: an interrupted run stops now.
        for process in list((getattr(self._pool, "_processes", None) or {}).values()):
            process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _start_worker() -> None:
    """Ctrl-C reaches the whole process group: only the main process handles it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quieten_collector()


def quieten_collector() -> None:
    """Tune the cycle collector of a process that matches and does little else (a worker,
    or `resmeta match` matching in-process): not for a process of someone else's.

    Matching makes no reference cycles, but its allocations would set the cycle collector
    scanning the cached candidates again and again (3 to 9 % of a worker's time): it runs
    less often. Nor does it run at exit, where it would scan all the process holds, for
    about a second, before the memory goes back to the system anyway."""
    gc.set_threshold(WORKER_GC_THRESHOLD)
    atexit.register(gc.freeze)


@dataclass
class DaskEngine:
    """The workers of a Dask cluster. They need resmeta installed and the index folder at the
    same path (a shared file system, or the same machine)."""

    index_folder: str
    scheduler: str
    options: MatchOptions = MatchOptions()

    def __post_init__(self) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise BulkError(
                "the Dask engine needs the 'distributed' package: pip install 'resmeta[dask]'"
            ) from None
        try:
            self._client = Client(self.scheduler, timeout="10s")
        except (OSError, ValueError) as exc:
            raise BulkError(f"cannot reach the Dask scheduler at {self.scheduler}: {exc}") from None

    def map(self, tasks: list[list[str]]) -> list[list[list[Candidate]]]:
        futures = self._client.map(
            match_chunk,
            [self.index_folder] * len(tasks),
            tasks,
            [self.options] * len(tasks),
            pure=False,
        )
        return self._client.gather(futures)

    def close(self, abort: bool = False) -> None:
        self._client.close()


# -- rows in and out ----------------------------------------------------------------------------


@dataclass
class Row:
    number: int  # 1-based, data rows only
    values: dict
    text: str | None
    error: str | None = None


def detect_format(path: Path | None, explicit: str | None) -> str:
    if explicit:
        return explicit
    suffix = path.suffix.lower() if path else ""
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".tsv", ".tab"):
        return "tsv"
    if suffix == ".csv" or path is None:
        return "csv"
    raise BulkError(f"cannot tell the format of '{path.name}': use --format csv, tsv or jsonl")


def read_rows(lines: IO[str], fmt: str, column: str | None) -> tuple[list[str], Iterator[Row]]:
    """The input's field names and its rows; a row without a usable string has an `error`."""
    if fmt == "jsonl":
        return [], _json_rows(lines, column or "affiliation")
    reader = csv.DictReader(lines, **_dialect(fmt))
    fields = reader.fieldnames or []
    if column is None:
        column = "affiliation" if "affiliation" in fields or len(fields) != 1 else fields[0]
    if column not in fields:
        raise BulkError(
            f"the input has no column '{column}' (its columns: {', '.join(fields) or 'none'}); "
            "name the column with --column"
        )
    clash = [f for f in fields if f in ADDED_FIELDS]
    if clash:
        raise BulkError(
            f"the input already has the column(s) {', '.join(clash)}, which the output adds: "
            "rename them"
        )
    return list(fields), _csv_rows(reader, column)


def _dialect(fmt: str, writing: bool = False) -> dict:
    """TSV has no quoting (a cell may start with a quote); CSV quotes as usual. Written TSV
    escapes the tabs and line breaks inside cells with a backslash."""
    if fmt != "tsv":
        return {"delimiter": ","}
    tsv = {"delimiter": "\t", "quoting": csv.QUOTE_NONE, "quotechar": None}
    return {**tsv, "escapechar": "\\"} if writing else tsv


def _csv_rows(reader: csv.DictReader, column: str) -> Iterator[Row]:
    for number, values in enumerate(reader, start=1):
        text = values.get(column)
        if None in values:  # more cells than the header has
            values.pop(None)
            yield Row(number, values, None, "the row has more cells than the header")
        elif not text or not text.strip():
            yield Row(number, values, None, f"the '{column}' cell is empty")
        else:
            yield Row(number, values, text)


def _json_rows(lines: IO[str], column: str) -> Iterator[Row]:
    number = 0
    for line in lines:
        if not line.strip():
            continue
        number += 1
        try:
            values = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield Row(number, {"line": line.rstrip("\n")}, None, f"not JSON: {exc}")
            continue
        if not isinstance(values, dict):
            yield Row(number, {"value": values}, None, "not a JSON object")
            continue
        text = values.get(column)
        clash = [key for key in ADDED_FIELDS if key in values]
        if clash:
            yield Row(number, values, None, f"the object already has {', '.join(clash)}")
        elif not isinstance(text, str) or not text.strip():
            yield Row(number, values, None, f"no string in the '{column}' field")
        else:
            yield Row(number, values, text)


class RowWriter:
    def __init__(
        self, out: IO[str], fmt: str, fields: list[str], options: MatchOptions, header: bool
    ) -> None:
        self.out, self.fmt = out, fmt
        self.lists = [  # the columns listing candidates, besides the first chosen one
            *(["also_chosen"] if options.multisearch else []),
            *(["candidates"] if options.top_k else []),
        ]
        self._csv = None
        if fmt != "jsonl":
            extra = [*RESULT_FIELDS, *self.lists, "error"]
            names = fields + [f for f in extra if f not in fields]
            self._csv = csv.DictWriter(
                out, names, extrasaction="ignore", **_dialect(fmt, writing=True)
            )
            if header:
                self._csv.writeheader()

    def write(self, row: Row, candidates: list[Candidate] | None) -> None:
        candidates = candidates or []
        chosen = candidates[0] if candidates and candidates[0].chosen else None
        result = {
            "ror_id": chosen.ror_id if chosen else None,
            "name": chosen.name if chosen else None,
            "score": chosen.score if chosen else None,
            "matching_type": chosen.matching_type if chosen else None,
            "chosen": chosen is not None,
            "confidence": chosen.confidence if chosen else None,
        }
        if "also_chosen" in self.lists:
            result["also_chosen"] = [_listed(c) for c in candidates[1:] if c.chosen]
        if "candidates" in self.lists:
            result["candidates"] = [_listed(c) for c in candidates if not c.chosen]
        if row.error:
            result["error"] = row.error
        if self._csv is None:
            # A bad row keeps every value it had, even under a name the output adds.
            merged = {**result, **row.values, "error": row.error} if row.error else {
                **row.values, **result}  # fmt: skip
            self.out.write(orjson.dumps(merged).decode() + "\n")
        else:
            for name in self.lists:
                result[name] = orjson.dumps(result[name]).decode()
            self._csv.writerow({**row.values, **_csv_cells(result)})


def _listed(candidate: Candidate) -> dict:
    return {
        "ror_id": candidate.ror_id,
        "name": candidate.name,
        "score": candidate.score,
        "matching_type": candidate.matching_type,
        "confidence": candidate.confidence,
    }


def _csv_cells(result: dict) -> dict:
    cells = {k: "" if v is None else v for k, v in result.items()}
    cells["chosen"] = "true" if result["chosen"] else "false"
    return cells


# -- the run ------------------------------------------------------------------------------------


@dataclass
class Summary:
    rows: int = 0
    matched: int = 0  # rows with a chosen organization
    distinct: int = 0  # strings actually matched (after de-duplication)
    bad_rows: list[str] = field(default_factory=list)
    resumed_after: int = 0
    seconds: float = 0.0

    @property
    def strings_per_second(self) -> float:
        return self.distinct / self.seconds if self.seconds else 0.0


class Checkpoint:
    """How many input rows an interrupted run had written, the output's size then, and what
    the run was (input file and options), so that a resume never mixes two runs."""

    def __init__(self, output: Path, run: dict) -> None:
        self.path = output.with_name(output.name + ".resmeta-progress")
        self.output = output
        self.run = run

    def load(self) -> tuple[int, int] | None:
        """Where to resume; None when there is nothing to resume. Raises `BulkError` when
        the checkpoint belongs to another run or the output no longer matches it."""
        if not self.path.exists() or not self.output.exists():
            return None
        data = orjson.loads(self.path.read_bytes())
        if data.get("run") != self.run:
            raise BulkError(
                f"{self.path.name} was left by a run with another input or other options; "
                "run again without --resume to start afresh"
            )
        if self.output.stat().st_size < data["bytes"]:
            raise BulkError(
                f"{self.output.name} is shorter than when {self.path.name} was written: "
                "run again without --resume to start afresh"
            )
        return data["rows"], data["bytes"]

    def save(self, rows: int, size: int) -> None:
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_bytes(orjson.dumps({"rows": rows, "bytes": size, "run": self.run}))
        os.replace(temporary, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def run(
    source: Path | None,
    output: Path | None,
    engine: Engine,
    fmt: str,
    column: str | None = None,
    resume: bool = False,
    on_progress: Callable[[int, int | None, int], None] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Summary:
    """Match every row of `source` (None: standard input) into `output` (None: standard
    output), as the engine's options say. With `resume`, carry on from the checkpoint an
    interrupted run left."""
    if resume and output is None:
        raise BulkError("--resume needs an output file (-o)")
    if source and output and source.resolve() == output.resolve():
        raise BulkError("the output file is the input file: name another with -o")
    checkpoint = None
    if output:
        identity = _identity(source)
        options = asdict(engine.options)
        checkpoint = Checkpoint(output, {"input": identity, "format": fmt, "column": column,
                                         "options": options})  # fmt: skip
        if not resume:
            checkpoint.clear()
    saved = checkpoint.load() if resume and checkpoint else None
    done_rows, done_bytes = saved or (0, 0)
    summary = Summary(resumed_after=done_rows)
    total = source.stat().st_size if source else None

    raw = open(source, "rb") if source else sys.stdin.buffer
    counted = _CountingReader(raw)
    lines = io.TextIOWrapper(counted, encoding="utf-8-sig", errors="replace", newline="")
    if output:
        out_file = open(output, "r+" if done_rows else "w", encoding="utf-8", newline="")
        out_file.truncate(done_bytes)
        out_file.seek(done_bytes)
    else:
        out_file = sys.stdout
    started = time.perf_counter()
    cache: OrderedDict[str, list[Candidate]] = OrderedDict()
    try:
        fields, rows = read_rows(lines, fmt, column)
        writer = RowWriter(out_file, fmt, fields, engine.options, header=not done_rows)
        for batch in _batches(rows, batch_rows):
            if batch[-1].number <= done_rows:
                continue
            batch = [row for row in batch if row.number > done_rows]
            _match_batch(batch, engine, cache, summary, CACHE_SIZE // (1 + engine.options.top_k))
            for row in batch:
                candidates = cache.get(_key(row.text)) if row.text else None
                writer.write(row, candidates)
                summary.rows += 1
                summary.matched += bool(candidates and candidates[0].chosen)
                if row.error:
                    summary.bad_rows.append(f"row {row.number}: {row.error}")
            out_file.flush()
            if checkpoint:
                checkpoint.save(batch[-1].number, out_file.tell())
            if on_progress:
                on_progress(counted.count, total, summary.rows)
        if checkpoint:
            checkpoint.clear()
    finally:
        summary.seconds = time.perf_counter() - started
        if output:
            out_file.close()
        if source:
            raw.close()
    return summary


def match_texts(engine: Engine, texts: list[str]) -> list[list[Candidate]]:
    """Match `texts` on the engine, results in order."""
    tasks = split_tasks(texts)
    return [result for results in (engine.map(tasks) if tasks else []) for result in results]


def split_tasks(texts: list[str]) -> list[list[str]]:
    """`texts` in tasks of `TASK_STRINGS`, and smaller towards the end (an eighth of what is
    left, down to `LAST_TASK_STRINGS`), so that the workers finish a batch together: one
    worker alone on a last long task would leave the others idle."""
    tasks, start = [], 0
    while start < len(texts):
        left = len(texts) - start
        size = max(LAST_TASK_STRINGS, min(TASK_STRINGS, left // 8))
        tasks.append(texts[start : start + size])
        start += size
    return tasks


def _match_batch(
    batch: list[Row], engine: Engine, cache: OrderedDict, summary: Summary, cache_size: int
) -> None:
    wanted = list(
        dict.fromkeys(_key(r.text) for r in batch if r.text and _key(r.text) not in cache)
    )
    for text, candidates in zip(wanted, match_texts(engine, wanted), strict=True):
        cache[text] = candidates
    summary.distinct += len(wanted)
    for row in batch:  # keep this batch's strings, forget the oldest others
        if row.text:
            cache.move_to_end(_key(row.text))
    while len(cache) > max(cache_size, len(batch)):
        cache.popitem(last=False)


def _identity(source: Path | None) -> list | None:
    if source is None:
        return None
    stat = source.stat()
    return [str(source.resolve()), stat.st_size, stat.st_mtime_ns]


def _key(text: str) -> str:
    """Strings that differ only in white space or Unicode form are matched once."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from a binary stream (for progress on any input)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)
