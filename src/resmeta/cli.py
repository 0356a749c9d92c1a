"""The `resmeta` command."""

from __future__ import annotations

import atexit
import csv
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
import orjson
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from resmeta import __version__
from resmeta.index.build import IndexMeta
from resmeta.index.store import IndexStore
from resmeta.records.dump import DumpError
from resmeta.services.dumps import (
    DATA_DIR_ENV,
    DumpNotFound,
    default_data_dir,
    download_latest,
    find_dump,
    index_for,
)

if TYPE_CHECKING:
    from resmeta.services.affiliations.chooser import Chooser

console = Console(stderr=True, soft_wrap=True)  # never break messages: scripts read them

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=DATA_DIR_ENV,
    default=lambda: str(default_data_dir()),
    show_default="a per-user data folder",
    help=f"Where indexes and downloaded dumps live (or {DATA_DIR_ENV}).",
)
dump_option = click.option(
    "--dump",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A ROR data dump (.zip as ROR publishes it, or .json). Default: RESMETA_DUMP, "
    "then the newest zip in the data folder, then the latest ROR release.",
)


def _not_nan(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and math.isnan(value):  # which click.FloatRange lets through
        raise click.BadParameter("must be a number from 0 to 1")
    return value


threshold_option = click.option(
    "--threshold",
    type=click.FloatRange(0.0, 1.0),
    callback=_not_nan,
    help="Choose an organization only when the matcher's confidence reaches this: higher "
    "for precision, lower for recall. Default: the chooser model's own threshold.",
)
multisearch_option = click.option(
    "--multisearch",
    is_flag=True,
    help="Choose every organization a string names, not only the main one.",
)


@click.group()
@click.version_option(__version__, prog_name="resmeta")
def main() -> None:
    """resmeta: the ROR API, served from a local ROR data dump."""


@main.command()
@dump_option
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=9292, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--access-log/--no-access-log",
    default=None,
    help="One JSON line per request on standard error. Default: RESMETA_ACCESS_LOG, else off.",
)
@click.option(
    "--rate-limit/--no-rate-limit",
    default=None,
    help="Limit requests per client ID and per IP address (RESMETA_RATE_LIMIT; default off).",
)
@click.option(
    "--client-limit",
    type=click.IntRange(1),
    metavar="N",
    help="Requests per window with a registered Client-Id header "
    "(RESMETA_RATE_LIMIT_CLIENT; default 2000).",
)
@click.option(
    "--anonymous-limit",
    type=click.IntRange(1),
    metavar="N",
    help="Requests per window per IP address without one "
    "(RESMETA_RATE_LIMIT_ANONYMOUS; default 50).",
)
@click.option(
    "--rate-window",
    type=click.IntRange(1),
    metavar="SECONDS",
    help="Length of a rate-limit window (RESMETA_RATE_LIMIT_WINDOW; default 300).",
)
@click.option(
    "--redis-url",
    metavar="URL",
    help="Count requests in this Redis, shared by every worker and host "
    "(RESMETA_REDIS_URL; default: each worker counts on its own).",
)
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    metavar="ADDRESS_OR_CIDR",
    help="A proxy whose X-Forwarded-For header is believed; repeatable "
    "(RESMETA_TRUSTED_PROXIES, comma-separated).",
)
@threshold_option
def serve(
    dump: Path | None,
    data_dir: Path,
    host: str,
    port: int,
    workers: int,
    access_log: bool | None,
    rate_limit: bool | None,
    client_limit: int | None,
    anonymous_limit: int | None,
    rate_window: int | None,
    redis_url: str | None,
    trusted_proxies: tuple[str, ...],
    threshold: float | None,
) -> None:
    """Serve the API; build the index first when the dump has none yet."""
    import uvicorn

    _share_metrics_between_workers()  # before anything imports prometheus_client
    from resmeta.api.app import INDEX_ENV
    from resmeta.api.settings import ACCESS_LOG_ENV, THRESHOLD_ENV

    if threshold is not None:  # checked with the other settings, next
        os.environ[THRESHOLD_ENV] = repr(threshold)
    store = IndexStore(Path(data_dir))
    _rate_limit_env(
        store.data_dir,
        rate_limit,
        client_limit,
        anonymous_limit,
        rate_window,
        redis_url,
        trusted_proxies,
    )
    _check_chooser()
    folder = _index_for(store, dump)
    meta = IndexMeta.load(folder)
    console.print(f"serving {meta.records:,} records from {meta.dump} on http://{host}:{port}")
    # Each worker registers itself as serving the index and follows `resmeta update`.
    os.environ[INDEX_ENV] = str(folder)
    if access_log is not None:  # the workers write the log (api/observability.py)
        os.environ[ACCESS_LOG_ENV] = "1" if access_log else "0"
    os.environ[DATA_DIR_ENV] = str(store.data_dir)
    uvicorn.run(
        "resmeta.api.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        log_level="info",
        # X-Forwarded-For is read by the rate limiter, from --trusted-proxy peers only.
        proxy_headers=False,
    )


def _rate_limit_env(
    data_dir: Path,
    rate_limit: bool | None,
    client_limit: int | None,
    anonymous_limit: int | None,
    rate_window: int | None,
    redis_url: str | None,
    trusted_proxies: tuple[str, ...],
) -> None:
    """Pass the rate-limit options to the workers as environment variables, and stop with
    one line naming a setting that cannot work."""
    from resmeta.api import settings as env
    from resmeta.api.ratelimit import check_settings, redact, redis_problem
    from resmeta.services.clients import ClientRegistry, RegistryError

    try:
        for proxy in trusted_proxies:  # named as the user wrote it, before it becomes a variable
            env.parse_network(proxy, "--trusted-proxy")
    except env.SettingsError as exc:
        _fail(str(exc))
    given = {
        env.RATE_LIMIT_ENV: None if rate_limit is None else ("1" if rate_limit else "0"),
        env.CLIENT_LIMIT_ENV: client_limit,
        env.ANONYMOUS_LIMIT_ENV: anonymous_limit,
        env.WINDOW_ENV: rate_window,
        env.REDIS_URL_ENV: redis_url,
        env.TRUSTED_PROXIES_ENV: ",".join(p.strip() for p in trusted_proxies) or None,
    }
    for name, value in given.items():
        if value is not None:
            os.environ[name] = str(value)
    os.environ.setdefault(env.CLIENTS_DB_ENV, str(data_dir / "clients.sqlite3"))
    try:
        settings = env.Settings.from_env()
        check_settings(settings)
        ClientRegistry(settings.clients_db).close()  # created now, or the error said now
    except (env.SettingsError, RegistryError) as exc:
        _fail(str(exc))
    if not settings.rate_limit:
        return
    url = redact(settings.redis_url) if settings.redis_url else None
    console.print(
        f"rate limits: {settings.client_limit} requests per {settings.window_seconds} s per "
        f"client ID, {settings.anonymous_limit} per IP address without one; "
        + (f"counted in Redis at {url}" if url else "each worker counts on its own"),
        highlight=False,
    )
    problem = redis_problem(settings.redis_url) if settings.redis_url else None
    if problem:
        console.print(
            f"[yellow]warning:[/] Redis at {url} does not answer ({problem}): until it does, "
            "each worker counts on its own",
            highlight=False,
        )


@main.command()
@dump_option
@data_dir_option
@click.option("--force", is_flag=True, help="Rebuild even when an index of this dump exists.")
def index(dump: Path | None, data_dir: Path, force: bool) -> None:
    """Build the index of a dump and make it the one served (running servers switch to it)."""
    _make_current(IndexStore(Path(data_dir)), dump, force)


@main.command()
@dump_option
@data_dir_option
@click.option("--force", is_flag=True, help="Rebuild even when an index of this dump exists.")
@click.option(
    "--wait",
    default=60.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Seconds to wait for every running server process to switch.",
)
def update(dump: Path | None, data_dir: Path, force: bool, wait: float) -> None:
    """Switch running servers to a new dump without a restart.

    The new index is built beside the one in service (a dump that fails to load leaves the
    service as it was); each worker then opens it and switches between two requests, so
    that no request fails. Returns when every server process serves the new index.
    """
    store = IndexStore(Path(data_dir))
    folder = _make_current(store, dump, force)
    deadline = time.monotonic() + wait
    while True:
        servers = store.servers()
        behind = sorted(pid for pid, name in servers.items() if name != folder.name)
        if not behind:
            break
        if time.monotonic() >= deadline:
            _fail(
                f"{len(behind)} of {len(servers)} server processes still serve the previous "
                f"index after {wait:g} s (pids {', '.join(map(str, behind))})"
            )
        time.sleep(0.1)
    if servers:
        console.print(f"{len(servers)} server processes now serve {folder.name}")
    else:
        console.print("no server is running: the next `resmeta serve` will serve this index")


def _make_current(store: IndexStore, dump: Path | None, force: bool) -> Path:
    try:
        path = find_dump(str(dump) if dump else None, store.data_dir) or _download(store.data_dir)
    except DumpNotFound as exc:
        _fail(str(exc))
    existing = None if force else store.find(path)
    if existing:
        store.set_current(existing)
        console.print(f"{path.name} is already indexed in {existing}")
        _print_summary(IndexMeta.load(existing))
        return existing
    folder, meta = _build(store, path)
    store.set_current(folder)
    _print_summary(meta)
    return folder


@main.command()
@click.argument("source", metavar="INPUT", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the rows with their match (default: standard output).",
)
@click.option(
    "--column",
    help="The column (CSV, TSV) or key (JSON Lines) holding the "
    "affiliation. Default: 'affiliation' (in CSV and TSV also the only column).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "tsv", "jsonl"]),
    help="Input and output format. Default: from INPUT's extension, CSV for stdin.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=os.cpu_count() or 1,
    show_default="all cores",
    help="Local worker processes.",
)
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", help="The Dask scheduler's address, with --engine dask.")
@click.option(
    "--top-k",
    type=click.IntRange(0, 20),
    default=0,
    show_default=True,
    help="Also list this many other candidates per row.",
)
@click.option("--all-status", is_flag=True, help="Match inactive and withdrawn records too.")
@threshold_option
@multisearch_option
@click.option("--resume", is_flag=True, help="Carry on from where an interrupted run stopped.")
@dump_option
@data_dir_option
def match(
    source: str,
    output: Path | None,
    column: str | None,
    fmt: str | None,
    workers: int,
    engine: str,
    scheduler: str | None,
    top_k: int,
    all_status: bool,
    threshold: float | None,
    multisearch: bool,
    resume: bool,
    dump: Path | None,
    data_dir: Path,
) -> None:
    """Match every affiliation of INPUT (CSV, TSV or JSON Lines; - for standard input) and
    write the rows with ror_id, name, score, matching_type, chosen and confidence (and, with
    --multisearch, also_chosen: the other organizations chosen)."""
    from resmeta.services.affiliations import bulk

    resumable = "; run again with --resume to carry on" if output else ""
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the workers too, as Ctrl-C does
    source_path = None if source == "-" else Path(source)
    if source_path and not source_path.is_file():
        _fail(f"'{source}' is not a file")
    _check_chooser()
    folder = str(_index_for(IndexStore(Path(data_dir)), dump, make_current=False))
    options = bulk.MatchOptions(all_status, top_k, threshold, multisearch)
    try:
        fmt = bulk.detect_format(source_path, fmt)
        if engine == "dask":
            if not scheduler:
                _fail("--engine dask needs --scheduler ADDRESS")
            runner = bulk.DaskEngine(folder, scheduler, options)
        else:
            runner = bulk.LocalEngine(folder, workers, options)
            bulk.quieten_collector()  # this process is ours, and may match too (--workers 1)
    except bulk.BulkError as exc:
        _fail(str(exc))
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            "[progress.percentage]{task.percentage:>3.0f}%",
            "{task.fields[rate]}",
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("matching", total=None, rate="")
            started = time.perf_counter()

            def report(done: int, total: int | None, rows: int) -> None:
                rate = rows / max(time.perf_counter() - started, 1e-9)
                progress.update(
                    task, completed=done, total=total, rate=f"{rows:,} rows, {rate:,.0f} rows/s"
                )

            summary = bulk.run(source_path, output, runner, fmt, column, resume, report)
        runner.close()
    except BaseException as exc:
        runner.close(abort=True)  # stop the workers now, whatever stopped the run
        if isinstance(exc, bulk.BulkError):
            _fail(str(exc))
        if isinstance(exc, KeyboardInterrupt):
            _fail("interrupted" + resumable)
        if isinstance(exc, (OSError, csv.Error, UnicodeError)):
            _fail(f"the run stopped: {exc}{resumable}")
        raise
    for line in summary.bad_rows[:10]:
        console.print(f"[yellow]skipped[/] {line}", highlight=False)
    if len(summary.bad_rows) > 10:
        console.print(f"[yellow]... and {len(summary.bad_rows) - 10} more bad rows[/]")
    resumed = f" (resumed after row {summary.resumed_after})" if summary.resumed_after else ""
    console.print(
        f"{summary.rows:,} rows{resumed}, {summary.matched:,} matched, "
        f"{len(summary.bad_rows):,} bad, {summary.distinct:,} distinct strings in "
        f"{summary.seconds:.1f} s ({summary.strings_per_second:,.0f} strings/s)",
        highlight=False,
    )


@main.group(name="eval")
def evaluate_group() -> None:
    """Measure resmeta against gold data."""


@evaluate_group.command(name="affiliations")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@dump_option
@data_dir_option
@click.option(
    "--only-known",
    is_flag=True,
    help="Keep only items whose gold IDs are all in the dump (and items without gold).",
)
@click.option(
    "--errors",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the items matched wrongly to this JSON file.",
)
@threshold_option
@multisearch_option
def evaluate_affiliations(
    file: Path,
    dump: Path | None,
    data_dir: Path,
    only_known: bool,
    errors: Path | None,
    threshold: float | None,
    multisearch: bool,
) -> None:
    """Match every affiliation of FILE (JSON Lines: {"affiliation": str, "gold": [ROR IDs]})
    and print precision, recall and accuracy as JSON. With --multisearch, a string's chosen
    organizations are compared with its gold set (per ID) and count as right per row when
    one of them is a gold one."""
    from resmeta.index.reader import OrganizationIndex
    from resmeta.services.affiliations.evaluation import evaluate, read_examples
    from resmeta.services.affiliations.matcher import AffiliationMatcher

    try:
        examples = read_examples(file)
    except ValueError as exc:
        _fail(str(exc))
    index = OrganizationIndex(_index_for(IndexStore(Path(data_dir)), dump, make_current=False))
    matcher = AffiliationMatcher(index, _check_chooser())
    report = evaluate(
        examples,
        lambda texts: [
            {m.info.id for m in matches if m.chosen}
            for matches in matcher.match_many(texts, threshold=threshold, multisearch=multisearch)
        ],
        known=(lambda bare_id: index.get(bare_id) is not None) if only_known else None,
    )
    if only_known:
        console.print(f"{report.dropped_unknown} items dropped: a gold ID is not in the dump")
    if errors:
        try:
            errors.write_bytes(orjson.dumps(report.errors, option=orjson.OPT_INDENT_2))
        except OSError as exc:
            _fail(f"cannot write {errors}: {exc}")
    click.echo(orjson.dumps(report.summary(), option=orjson.OPT_INDENT_2).decode())


@main.command(name="train-chooser")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@dump_option
@data_dir_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("chooser.pickle"),
    show_default=True,
    help="Where to write the model (use it with RESMETA_CHOOSER=PATH).",
)
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 20))
@click.option(
    "--threshold",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    help="Choose at this probability instead of the one of best accuracy (higher: more"
    " precise, less recall; the report shows each tenth).",
)
def train_chooser(
    files: tuple[Path, ...],
    dump: Path | None,
    data_dir: Path,
    output: Path,
    folds: int,
    threshold: float | None,
) -> None:
    """Train the model that chooses a match, on labelled affiliation FILES (JSON Lines, as
    for `resmeta eval affiliations`), and print its cross-validated quality per file.

    Items with a gold ID that is not in the dump are left out."""
    from resmeta.index.reader import OrganizationIndex
    from resmeta.services.affiliations.evaluation import read_examples
    from resmeta.services.affiliations.matcher import AffiliationMatcher
    from resmeta.services.affiliations.training import label, train

    try:
        sets = {file.name: read_examples(file) for file in files}
    except ValueError as exc:
        _fail(str(exc))
    index = OrganizationIndex(_index_for(IndexStore(Path(data_dir)), dump, make_current=False))
    labelled, dropped = label(
        AffiliationMatcher(index), sets, known=lambda bare_id: index.get(bare_id) is not None
    )
    try:
        chooser, details = train(labelled, folds, threshold)
    except ValueError as exc:
        _fail(str(exc))
    details["dropped_unknown"] = dropped
    try:
        chooser.save(output)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc}")
    click.echo(orjson.dumps(details, option=orjson.OPT_INDENT_2).decode())
    console.print(f"Model written to {output}", highlight=False)


def _check_chooser() -> Chooser:
    """The affiliation chooser, read before any work starts: a bad RESMETA_CHOOSER file
    stops the command with its name rather than failing requests later."""
    from resmeta.services.affiliations.chooser import ChooserError, default_chooser

    try:
        return default_chooser()
    except ChooserError as exc:
        _fail(f"{exc} (set by RESMETA_CHOOSER)" if os.environ.get("RESMETA_CHOOSER") else str(exc))


def _index_for(store: IndexStore, dump: Path | None, make_current: bool = True) -> Path:
    try:
        return index_for(
            store,
            dump,
            build=lambda s, path: _build(s, path)[0],
            download=_download,
            make_current=make_current,
        )
    except DumpNotFound as exc:
        _fail(str(exc))


def _download(data_dir: Path) -> Path:
    console.print("no dump given or found: downloading the latest ROR release")
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("downloading", total=None)
        return download_latest(
            data_dir, lambda done, total: progress.update(task, completed=done, total=total)
        )


def _build(store: IndexStore, dump: Path) -> tuple[Path, IndexMeta]:
    started = time.perf_counter()
    try:
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            "[progress.percentage]{task.percentage:>3.0f}%",
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task(f"indexing {dump.name}", total=None)
            result = store.build(
                dump, lambda done, total: progress.update(task, completed=done, total=total)
            )
    except DumpError as exc:
        _fail(f"the dump was rejected, the previous index is unchanged: {exc}")
    console.print(f"indexed {result[1].records:,} records in {time.perf_counter() - started:.1f} s")
    return result


def _print_summary(meta: IndexMeta) -> None:
    click.echo(f"dump: {meta.dump}")
    click.echo(f"records: {meta.records}")
    click.echo("by status: " + ", ".join(f"{k} {v}" for k, v in meta.statuses.items()))
    click.echo("by type: " + ", ".join(f"{k} {v}" for k, v in meta.types.items()))
    click.echo(f"time taken: {meta.seconds:.1f} s")


def _share_metrics_between_workers() -> None:
    """Give prometheus_client a fresh folder, removed on exit, where each worker process
    keeps its numbers for /metrics to add up; it reads the variable when it is imported."""
    folder = tempfile.mkdtemp(prefix="resmeta-metrics-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    # uvicorn raises SIGTERM again once it has shut down: leave through Python, so that the
    # folder is removed, still with the exit code of SIGTERM.
    signal.signal(signal.SIGTERM, _exit_on_signal)


def _exit_on_signal(signum: int, frame: object) -> None:
    sys.exit(128 + signum)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _fail(message: str) -> None:
    console.print(f"[red]error:[/] {message}", highlight=False)
    sys.exit(1)
