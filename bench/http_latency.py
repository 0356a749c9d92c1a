"""HTTP latency and throughput of a real `resmeta serve`, measured with wrk on 127.0.0.1.

    python bench/http_latency.py [--dump PATH] [--workers 2] [--connections 16]
        [--duration 10] [--runs 3]

Starts `resmeta serve --dump PATH --data-dir DIR --host 127.0.0.1 --port P --workers N`
(DIR persists under bench/out/data/, so the index is built once per dump), waits for
`GET /heartbeat` = 200, stops it and starts it again to time a cold start on an existing
index, then runs `wrk --latency` against each endpoint `--runs` times for `--duration`
seconds. Paths come from the dump itself (read from the zip): 1,000 record IDs, about 200
free-text queries, advanced (Lucene) queries, filters and the default listing; a Lua script
per endpoint cycles through them so no single URL stays hot. Prints the median over runs of
p50, p99 and req/s, the errors (non-2xx + socket errors) of all runs, the cold-start time
and the RSS of every server process after the load, then stops the server (process group).
Raw figures go to bench/out/http_latency-<dump>.json. Needs wrk (`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from common import DEFAULT_DUMP, OUT, dump_label, median, resmeta_executable, write_json
from dumpread import display_name, iter_dump_records

HOST = "127.0.0.1"
ENDPOINTS = (
    "retrieve",
    "query",
    "advanced",
    "filter",
    "listing",
    "v1_retrieve",
    "v1_query",
    "page_size_100",
    "sorted",
    "csv",
)
LIST = "/v2/organizations"
ORG_TYPES = ("education", "funder", "facility", "company", "nonprofit", "government")


# --- wrk output ------------------------------------------------------------------------------

_TIME_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.M)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


def parse_wrk(text: str) -> dict:
    """Figures of one `wrk --latency` run: percentiles in ms, req/s, request and error counts.

    Percentiles are None when no request completed (wrk then prints 0.00us).
    """
    result: dict = {"requests": 0, "seconds": None, "rps": None, "non_2xx": 0}
    result.update(socket_connect=0, socket_read=0, socket_write=0, socket_timeout=0)
    if match := _REQUESTS.search(text):
        result["requests"] = int(match.group(1))
        result["seconds"] = float(match.group(2)) * _TIME_UNITS_MS[match.group(3)] / 1e3
    if match := _RPS.search(text):
        result["rps"] = float(match.group(1))
    if match := _NON_2XX.search(text):
        result["non_2xx"] = int(match.group(1))
    if match := _SOCKET.search(text):
        for key, value in zip(("connect", "read", "write", "timeout"), match.groups(), strict=True):
            result[f"socket_{key}"] = int(value)
    for pct, value, unit in _PERCENTILE.findall(text):
        ms = float(value) * _TIME_UNITS_MS[unit]
        result[f"p{pct}_ms"] = ms if result["requests"] else None
    for pct in ("50", "75", "90", "99"):
        result.setdefault(f"p{pct}_ms", None)
    result["errors"] = result["non_2xx"] + sum(
        result[f"socket_{k}"] for k in ("connect", "read", "write", "timeout")
    )
    if _RPS.search(text) is None and _REQUESTS.search(text) is None:
        result["errors"] = None  # wrk did not run (e.g. connection refused at start)
    return result


# --- workload ----------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,()/\-]+", text) if len(w) >= 4 and w.isalpha()]


def sample_records(dump: Path, size: int, seed: int) -> list[dict]:
    """A uniform sample (reservoir) of `size` slim records from the whole dump."""
    rng = random.Random(seed)
    sample: list[dict] = []
    for n, record in enumerate(iter_dump_records(dump)):
        if n >= size:
            slot = rng.randrange(n + 1)
            if slot >= size:
                continue
        slim = {
            "id": record["id"].rsplit("/", 1)[-1],
            "name": display_name(record),
            "types": record.get("types", []),
            "country": next(
                (
                    loc["geonames_details"].get("country_code")
                    for loc in record.get("locations", [])
                    if loc["geonames_details"].get("country_code")
                ),
                None,
            ),
        }
        if n < size:
            sample.append(slim)
        else:
            sample[slot] = slim
    return sample


def build_workload(dump: Path, seed: int, ids: int = 1000, queries: int = 200) -> dict:
    """Request paths per endpoint, all taken from the dump."""
    rng = random.Random(seed)
    sample = sample_records(dump, max(ids, 2 * queries), seed)
    if not sample:
        raise SystemExit(f"no record found in {dump}")
    countries = sorted({r["country"] for r in sample if r["country"]})
    words = [w for r in sample for w in _words(r["name"])]
    edu_words = [w for r in sample if "education" in r["types"] for w in _words(r["name"])]
    edu_words = edu_words or words

    retrieve = [f"{LIST}/{r['id']}" for r in sample[:ids]]

    texts: list[str] = []
    for r in rng.sample(sample, min(len(sample), queries)):
        kind = rng.random()
        name_words = _words(r["name"])
        if kind < 0.5 or not name_words:
            texts.append(r["name"])  # a whole name, as affiliation look-ups send
        elif kind < 0.8:
            texts.append(rng.choice(name_words))  # one word
        else:
            texts.append(" ".join(rng.sample(name_words, min(2, len(name_words)))))
    query = [f"{LIST}?query={quote(t, safe='')}" for t in texts]

    advanced_texts: list[str] = []
    for k in range(queries):
        if k % 3 == 0 and edu_words:
            advanced_texts.append(f"names.value:{rng.choice(edu_words)} AND types:education")
        elif k % 3 == 1 and countries:
            advanced_texts.append(
                f"locations.geonames_details.country_code:{rng.choice(countries)}"
            )
        else:
            start = rng.randrange(1800, 2000, 10)
            advanced_texts.append(f"established:[{start} TO {start + rng.choice((10, 50, 100))}]")
    advanced = [f"{LIST}?query.advanced={quote(t, safe='')}" for t in advanced_texts]

    combos = sorted({(t, r["country"]) for r in sample for t in r["types"] if r["country"]})
    filters: list[str] = []
    for k in range(queries):
        if k % 4 == 3 or not combos:
            filters.append(f"types:{rng.choice(ORG_TYPES)},status:active")
        else:
            org_type, cc = rng.choice(combos)
            filters.append(f"types:{org_type},country.country_code:{cc}")
    filter_paths = [f"{LIST}?filter={quote(f, safe=':,.')}" for f in filters]

    return {
        "retrieve": retrieve,
        "query": query,
        "advanced": advanced,
        "filter": filter_paths,
        "listing": [LIST],
        "v1_retrieve": [path.replace("/v2/", "/v1/") for path in retrieve],
        "v1_query": [path.replace("/v2/", "/v1/") for path in query],
        "page_size_100": [f"{path}&page_size=100" for path in filter_paths],
        "sorted": [f"{path}&sort=name" for path in filter_paths],
        "csv": [f"{path}&page_size=100&format=csv" for path in filter_paths],
    }


LUA_TEMPLATE = """-- generated by bench/http_latency.py: cycle through {count} paths
local paths = {{
{paths}
}}
local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end
function init(args)
  i = offset or 0
end
function request()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
"""


def write_lua(path: Path, paths: list[str]) -> None:
    for p in paths:
        if '"' in p or "\\" in p or "\n" in p:
            raise ValueError(f"path not safe for Lua: {p!r}")
    body = ",\n".join(f'  "{p}"' for p in paths)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(LUA_TEMPLATE.format(count=len(paths), paths=body), encoding="utf-8")


# --- server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class Server:
    def __init__(self, exe: Path, dump: Path, data_dir: Path, workers: int, log: Path) -> None:
        self.exe, self.dump, self.data_dir, self.workers, self.log = (
            exe,
            dump,
            data_dir,
            workers,
            log,
        )
        self.proc: subprocess.Popen | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float) -> float:
        """Start the server; return the seconds from process start to heartbeat 200."""
        self.port = free_port()
        cmd = [str(self.exe), "serve", "--dump", str(self.dump), "--data-dir", str(self.data_dir)]
        cmd += ["--host", HOST, "--port", str(self.port), "--workers", str(self.workers)]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:
            log.write(f"\n$ {' '.join(cmd)}\n".encode())
            log.flush()
            started = time.monotonic()
            self.proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
        next_note = started + 30
        while True:
            elapsed = time.monotonic() - started
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode} before /heartbeat answered; "
                    f"log {self.log}:\n{tail(self.log)}"
                )
            try:
                status, _ = http_get(self.base + "/heartbeat", timeout=2.0)
                if status == 200:
                    return time.monotonic() - started
            except (OSError, urllib.error.URLError):
                pass
            if elapsed > timeout:
                raise RuntimeError(f"no /heartbeat 200 after {timeout:.0f} s; log {self.log}")
            if time.monotonic() > next_note:
                print(f"  ... waiting for /heartbeat ({elapsed:.0f} s)", flush=True)
                next_note += 30
            time.sleep(0.05)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Stragglers of the group (workers that outlived the main process).
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- process memory ----------------------------------------------------------------------------


def _status_kb(pid: int) -> dict[str, int]:
    values = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
                values[key] = int(rest.split()[0])
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    values["Pss"] = int(line.split()[1])
    except OSError:
        pass
    return values


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    return children


def process_memory(root: int) -> list[dict]:
    """VmRSS (and anon/file split, Pss) of `root` and every descendant, in kB."""
    children = _children_map()
    rows, todo = [], [(root, 0)]
    while todo:
        pid, depth = todo.pop(0)
        try:
            mem = _status_kb(pid)
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if depth == 0:
            role = "main"
        elif "resource_tracker" in cmd or "semaphore_tracker" in cmd:
            role = "helper"
        else:
            role = "worker"
        rows.append({"pid": pid, "role": role, "cmd": cmd[:120], **mem})
        todo.extend((child, depth + 1) for child in sorted(children.get(pid, [])))
    return rows


# --- main --------------------------------------------------------------------------------------


def run_wrk(script: Path, base: str, args: argparse.Namespace, duration: float) -> dict:
    threads = max(1, min(args.threads, args.connections))
    cmd = ["wrk", "--latency", "-t", str(threads), "-c", str(args.connections)]
    cmd += ["-d", f"{duration:g}s", "--timeout", f"{args.timeout:g}s", "-s", str(script), base]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    result = parse_wrk(proc.stdout)
    if proc.returncode != 0 or result["errors"] is None:
        result["wrk_error"] = (proc.stdout + proc.stderr).strip()[-500:]
    return result


def measure(
    server: Server, workload: dict[str, list[str]], scripts: dict[str, Path], args
) -> dict[str, list[dict]]:
    """Check one path of each endpoint, warm them all up, then run wrk `args.runs` times on
    each, the endpoints interleaved; the wrk figures of every run, by endpoint."""
    for name in scripts:
        try:
            status, body = http_get(server.base + workload[name][0], timeout=30)
        except OSError as exc:
            status, body = None, str(exc).encode()
        if status != 200:
            print(f"  warning: {name} {workload[name][0]} -> {status} {body[:200]!r}")
    if args.warmup > 0:
        for script in scripts.values():
            run_wrk(script, server.base, args, args.warmup)
    runs: dict[str, list[dict]] = {name: [] for name in scripts}
    for run in range(1, args.runs + 1):
        for name, script in scripts.items():
            result = run_wrk(script, server.base, args, args.duration)
            runs[name].append(result)
            print(
                f"  run {run}/{args.runs} {name:<9} p50 {fmt(result['p50_ms'], '.2f')} ms"
                f"  p99 {fmt(result['p99_ms'], '.2f')} ms  {fmt(result['rps'], ',.0f')} req/s"
                f"  errors {fmt(result['errors'], 'd')}",
                flush=True,
            )
            if "wrk_error" in result:
                print(f"    wrk: {result['wrk_error']}")
            if server.proc is None or server.proc.poll() is not None:
                raise RuntimeError(f"server exited during the load; log {server.log}")
    return runs


def summarise(runs: dict[str, list[dict]]) -> dict[str, dict]:
    """Per endpoint: the medians of the wrk runs' p50, p99 and req/s, and all errors."""
    summary = {}
    for name, results in runs.items():
        errors = [r["errors"] for r in results]
        summary[name] = {
            "p50_ms": median([r["p50_ms"] for r in results]),
            "p99_ms": median([r["p99_ms"] for r in results]),
            "rps": median([r["rps"] for r in results]),
            "errors": None if None in errors else sum(errors),
        }
    return summary


def add_server_and_wrk_arguments(
    parser: argparse.ArgumentParser,
    endpoints: tuple[str, ...],
    name: str,
    connections: int,
    threads: int,
) -> None:
    """The options of a benchmark that serves a dump and runs wrk on its endpoints."""
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP, help="ROR dump zip")
    parser.add_argument("--data-dir", type=Path, help="default: bench/out/data/<dump name>")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--connections", type=int, default=connections, help="wrk connections")
    parser.add_argument("--threads", type=int, default=threads, help="wrk threads")
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per endpoint")
    parser.add_argument("--warmup", type=float, default=2, help="seconds per endpoint, 0: none")
    parser.add_argument("--timeout", type=float, default=5, help="wrk request timeout, seconds")
    parser.add_argument("--startup-timeout", type=float, default=3600, help="first start, s")
    parser.add_argument("--endpoints", default=",".join(endpoints), help="comma-separated")
    parser.add_argument("--seed", type=int, default=1, help="workload sampling seed")
    parser.add_argument("--json", type=Path, help=f"default: bench/out/{name}-<dump>.json")
    parser.add_argument("--resmeta", type=Path, help="resmeta executable (default: beside python)")


def print_table(summary: dict[str, dict], note: Callable[[str, dict], str] | None = None) -> None:
    """One line per endpoint: p50, p99, req/s, errors, and `note(name, row)` if given."""
    header = f"{'endpoint':<13} {'p50 ms':>9} {'p99 ms':>9} {'req/s':>10} {'errors':>8}"
    print(header)
    print("-" * len(header))
    for name, row in summary.items():
        print(
            f"{name:<13} {fmt(row['p50_ms'], '.2f'):>9} {fmt(row['p99_ms'], '.2f'):>9} "
            f"{fmt(row['rps'], ',.0f'):>10} {fmt(row['errors'], 'd'):>8}"
            + (f"  {note(name, row)}" if note else "")
        )


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


WRK_MISSING = "wrk not found: install it with `apt-get install wrk` (Debian package wrk)"


@dataclass
class Run:
    exe: Path
    dump: Path
    label: str
    data_dir: Path
    had_index: bool  # whether the data folder held an index before this run
    workload: dict[str, list[str]]
    scripts: dict[str, Path]  # wrk's Lua script per endpoint asked for


def prepare_run(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    known: list[str],
    build: Callable[[Path, int], dict[str, list[str]]],
    prefix: str,
) -> Run:
    """What this bench and funders.py read from their arguments alike: the endpoints asked
    for (of `known`), the dump and its data folder, the workload `build` makes, and a wrk
    script per endpoint (named with `prefix`). Bad arguments end the program via `parser`,
    and so does a missing wrk (exit status 2)."""
    if shutil.which("wrk") is None:
        print(WRK_MISSING)
        raise SystemExit(2)
    endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    unknown = set(endpoints) - set(known)
    if unknown:
        parser.error(f"unknown endpoints {sorted(unknown)}; choose from {known}")
    dump = args.dump.resolve()
    if not dump.is_file():
        parser.error(f"dump not found: {dump}")
    label = dump_label(dump)
    data_dir = (args.data_dir or OUT / "data" / label).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    had_index = any(data_dir.iterdir())

    t0 = time.monotonic()
    workload = build(dump, args.seed)
    print(
        f"workload from {dump.name} in {time.monotonic() - t0:.1f} s: "
        + ", ".join(f"{k} {len(v)} paths" for k, v in workload.items())
    )
    scripts = {}
    for name in endpoints:
        scripts[name] = OUT / "lua" / f"{prefix}{label}-{name}.lua"
        write_lua(scripts[name], workload[name])
    exe = args.resmeta or resmeta_executable()
    return Run(exe, dump, label, data_dir, had_index, workload, scripts)


def arguments_of(args: argparse.Namespace) -> dict:
    """The bench's arguments as JSON values, for its report."""
    return {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}


def any_failed(summary: dict[str, dict]) -> bool:
    """Whether an endpoint has no figures: its requests failed or wrk could not run."""
    return any(row["errors"] is None or row["rps"] is None for row in summary.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_and_wrk_arguments(parser, ENDPOINTS, "http_latency", connections=16, threads=2)
    args = parser.parse_args(argv)
    run = prepare_run(parser, args, ENDPOINTS, build_workload, "")
    dump, label, data_dir, had_index = run.dump, run.label, run.data_dir, run.had_index
    workload, scripts = run.workload, run.scripts

    server = Server(run.exe, dump, data_dir, args.workers, OUT / "logs" / f"serve-{label}.log")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report: dict = {
        "dump": str(dump),
        "data_dir": str(data_dir),
        "config": arguments_of(args),
    }
    try:
        print(f"starting server ({'existing' if had_index else 'new'} data dir {data_dir})")
        first = server.start(args.startup_timeout)
        what = "with existing data dir" if had_index else "including the index build"
        print(f"first start: {first:.2f} s ({what})")
        server.stop()
        cold = server.start(args.startup_timeout)
        print(f"cold start (existing index, process start -> /heartbeat 200): {cold:.2f} s")
        report.update(first_start_s=first, first_start_built_index=not had_index, cold_start_s=cold)

        runs = measure(server, workload, scripts, args)
        memory = process_memory(server.proc.pid) if server.proc else []
        report.update(runs=runs, memory_kb=memory)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        print(f"benchmark aborted: {exc}")
        return 1
    finally:
        server.stop()

    print()
    print(
        f"{dump.name}: {args.workers} workers, wrk {args.connections} connections, "
        f"{args.threads} threads, median of {args.runs} x {args.duration:g} s"
    )
    summary = summarise(runs)
    print_table(summary)
    print("(errors: non-2xx responses + socket errors, summed over all runs)")
    print(f"cold start with existing index: {cold:.2f} s")
    print("server processes after the load (kB; Pss shares mapped pages out between them):")
    for row in memory:
        print(
            f"  {row['role']:<7} pid {row['pid']:<8} VmRSS {row.get('VmRSS', 0):>9,}"
            f"  anon {row.get('RssAnon', 0):>9,}  file {row.get('RssFile', 0):>9,}"
            f"  Pss {row.get('Pss', 0):>9,}"
        )
    if memory:
        total = sum(r.get("VmRSS", 0) for r in memory)
        pss = sum(r.get("Pss", 0) for r in memory)
        print(f"  total   VmRSS {total:,} kB, Pss {pss:,} kB")
    report["summary"] = summary
    out = args.json or OUT / f"http_latency-{label}.json"
    write_json(out, report)
    print(f"raw figures: {out}")
    return 1 if any_failed(summary) else 0


if __name__ == "__main__":
    sys.exit(main())
