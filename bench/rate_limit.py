"""Rate limits of a real `resmeta serve --workers 2` counting in a real redis-server.

    python bench/rate_limit.py [--limit 500] [--requests 2000] [--concurrency 32]
        [--duration 10] [--runs 3] [--workers 2] [--connections 16]

1. Exactness: starts redis-server (no persistence, a free port) and
   `resmeta serve --workers N --rate-limit --redis-url ... --anonymous-limit LIMIT
   --rate-window 86400`, then fires `--requests` GETs of one record from `--concurrency`
   threads (httpx, one keep-alive connection per thread, so both workers answer) and prints
   how many succeeded before the first 429 (in order of completion) and in total: the total
   must equal the limit.
2. Throughput: the same record under wrk with rate limiting off, on with per-worker memory
   counters, and on with Redis (a limit no run reaches), `--runs` interleaved runs of
   `--duration` seconds each; prints the median req/s and p50/p99 of each.

Raw figures go to bench/out/rate_limit-<dump>.json, server logs to bench/out/logs/.
Needs redis-server and wrk (`apt-get install redis-server wrk`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from common import DEFAULT_DUMP, OUT, dump_label, median, resmeta_executable, write_json
from http_latency import HOST, free_port, http_get, parse_wrk, tail

RECORD = "/v2/organizations/05dxps055"
WINDOW = 86_400  # one window for the whole exactness run
NEVER = 1_000_000_000  # a limit no throughput run reaches


class Process:
    """A child in its own process group, stopped with SIGTERM, then SIGKILL."""

    def __init__(self, cmd: list[str], log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        with open(log, "ab") as out:
            out.write(f"\n$ {' '.join(cmd)}\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip

    def stop(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.proc.poll() is not None:
                return
            try:
                os.killpg(self.proc.pid, sig)
                self.proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                continue


def start_redis(folder: Path) -> tuple[Process, str]:
    executable = shutil.which("redis-server")
    if executable is None:
        raise SystemExit("redis-server is not installed: apt-get install redis-server")
    port = free_port()
    cmd = [executable, "--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
    process = Process([*cmd, "--dir", str(folder)], OUT / "logs" / "rate_limit-redis.log")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return process, f"redis://{HOST}:{port}/0"
        except OSError:
            time.sleep(0.05)
    process.stop()
    raise SystemExit(f"redis-server did not answer on port {port}")


def start_server(
    exe: Path, dump: Path, data_dir: Path, workers: int, name: str, extra: list[str]
) -> tuple[Process, str]:
    port = free_port()
    cmd = [str(exe), "serve", "--dump", str(dump), "--data-dir", str(data_dir)]
    cmd += ["--host", HOST, "--port", str(port), "--workers", str(workers), *extra]
    process = Process(cmd, OUT / "logs" / f"rate_limit-{name}.log")
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 3600  # the first start ever builds the index
    while time.monotonic() < deadline:
        if process.proc.poll() is not None:
            raise SystemExit(f"resmeta serve ({name}) exited:\n{tail(process.log)}")
        try:
            if http_get(base + "/heartbeat", timeout=2)[0] == 200:
                return process, base
        except OSError:
            pass
        time.sleep(0.05)
    process.stop()
    raise SystemExit(f"resmeta serve ({name}) did not answer /heartbeat")


def exactness(base: str, limit: int, requests: int, concurrency: int) -> dict:
    """Fire `requests` GETs from `concurrency` threads; count 200s and 429s in completion order."""
    order: list[int] = []
    lock = threading.Lock()
    local = threading.local()

    def get(_: int) -> None:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=base, timeout=30)
        try:
            status = local.client.get(RECORD).status_code
        except httpx.HTTPError:
            status = 0  # counted as "other"
        with lock:
            order.append(status)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(get, range(requests)))
    seconds = time.perf_counter() - started
    first_429 = order.index(429) if 429 in order else len(order)
    return {
        "limit": limit,
        "requests": requests,
        "ok_before_first_429": order[:first_429].count(200),
        "ok_total": order.count(200),
        "rejected": order.count(429),
        "other": len(order) - order.count(200) - order.count(429),
        "seconds": seconds,
    }


def run_wrk(base: str, args: argparse.Namespace) -> dict:
    cmd = ["wrk", "--latency", "-t", str(args.threads), "-c", str(args.connections)]
    cmd += ["-d", f"{args.duration:g}s", "--timeout", "5s", base + RECORD]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 60)
    return parse_wrk(proc.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP)
    parser.add_argument("--resmeta", type=Path, help="resmeta executable (default: beside python)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=500, help="the anonymous limit to hit")
    parser.add_argument("--requests", type=int, default=2000, help="requests of the exactness run")
    parser.add_argument("--concurrency", type=int, default=32, help="threads of the exactness run")
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per configuration")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk")
        return 2
    exe = args.resmeta or resmeta_executable()
    dump = args.dump.resolve()
    data_dir = OUT / "data" / dump_label(dump)
    left = WINDOW - time.time() % WINDOW
    if left < 120:  # the exactness run must not straddle a window boundary
        print(f"waiting {left:.0f} s for the next window")
        time.sleep(left + 1)

    processes: list[Process] = []
    figures: dict = {"dump": str(dump), "workers": args.workers}
    with tempfile.TemporaryDirectory(prefix="resmeta-bench-redis-") as folder:
        try:
            redis, url = start_redis(Path(folder))
            processes.append(redis)
            limited = ["--rate-limit", "--rate-window", str(WINDOW)]
            configs = {
                "off": [],
                "memory": [*limited, "--anonymous-limit", str(NEVER)],
                "redis": [*limited, "--anonymous-limit", str(NEVER), "--redis-url", url],
            }
            exact_args = [*limited, "--anonymous-limit", str(args.limit), "--redis-url", url]
            process, base = start_server(exe, dump, data_dir, args.workers, "exact", exact_args)
            processes.append(process)
            print(
                f"exactness: limit {args.limit}, {args.requests} requests from "
                f"{args.concurrency} threads, {args.workers} workers, Redis",
                flush=True,
            )
            exact = figures["exactness"] = exactness(
                base, args.limit, args.requests, args.concurrency
            )
            print(
                f"  succeeded before the first 429: {exact['ok_before_first_429']}; "
                f"in total: {exact['ok_total']} (limit {args.limit}: "
                f"{'exact' if exact['ok_total'] == args.limit else 'NOT EXACT'}); "
                f"429s: {exact['rejected']}; other: {exact['other']}",
                flush=True,
            )
            process.stop()

            servers = {}
            for name, extra in configs.items():
                process, base = start_server(exe, dump, data_dir, args.workers, name, extra)
                processes.append(process)
                servers[name] = base
                run_wrk(servers[name], argparse.Namespace(**{**vars(args), "duration": 2}))
            runs: dict[str, list[dict]] = {name: [] for name in configs}
            for run in range(args.runs):
                for name, base in servers.items():
                    result = run_wrk(base, args)
                    runs[name].append(result)
                    rps = result["rps"] or 0
                    print(f"  run {run + 1} {name:<6} {rps:>9,.0f} req/s", flush=True)
        finally:
            for process in reversed(processes):
                process.stop()
    figures["throughput"] = runs
    print(
        f"\nthroughput of {RECORD}, wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration:g}s, median of {args.runs}:"
    )
    print(f"  {'limits':<8} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    for name, results in runs.items():
        rps = median([r["rps"] for r in results])
        p50 = median([r["p50_ms"] for r in results])
        p99 = median([r["p99_ms"] for r in results])
        errors = sum(r["errors"] or 0 for r in results)
        print(f"  {name:<8} {rps or 0:>9,.0f} {p50 or 0:>7.2f} {p99 or 0:>7.2f} {errors:>6}")
    write_json(OUT / f"rate_limit-{dump_label(dump)}.json", figures)
    return 0 if figures["exactness"]["ok_total"] == args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
