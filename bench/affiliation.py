"""Affiliation matching speed: single `?affiliation=` requests and bulk `resmeta match`.

    python bench/affiliation.py [--dump PATH] [--strings FILE.jsonl] [--requests 1000]
        [--workers 2] [--runs 3]

1. Starts `resmeta serve` (1 worker) and sends `--requests` affiliation strings one at a
   time over one keep-alive connection: median and p99 latency.
2. Runs `resmeta match` on all the strings (as CSV, distinct after de-duplication) with
   `--workers` processes, `--runs` times: strings/s (matching only, as the command reports
   it, index build excluded) and peak RSS of the whole process tree.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import httpx
from common import DEFAULT_DUMP, OUT, REPO, dump_label, resmeta_executable, write_json
from http_latency import Server, process_memory

DEFAULT_STRINGS = (
    REPO / ".." / "shared" / "data" / "affiliations"
    / "crossref_publisher_assertions_2023_06_28__train.jsonl"
).resolve()  # fmt: skip


MEMORY_SAMPLE_SECONDS = 0.5


def load_strings(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as lines:
        return [json.loads(line)["affiliation"] for line in lines if line.strip()]


def single_requests(exe: Path, dump: Path, data_dir: Path, strings: list[str], n: int) -> dict:
    server = Server(exe, dump, data_dir, 1, OUT / "affiliation-server.log")
    server.start(timeout=900)
    try:
        timings = []
        with httpx.Client(base_url=server.base, timeout=30) as client:
            for text in strings[:50]:  # warm-up
                client.get("/v2/organizations", params={"affiliation": text})
            for text in (strings * (n // len(strings) + 1))[:n]:
                url = "/v2/organizations?affiliation=" + urllib.parse.quote(text)
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{response.status_code} for {text!r}")
        timings.sort()
        return {
            "requests": n,
            "p50_ms": statistics.median(timings),
            "p99_ms": timings[int(len(timings) * 0.99) - 1],
        }
    finally:
        server.stop()


def bulk_run(exe: Path, dump: Path, data_dir: Path, source: Path, workers: int) -> dict:
    output = OUT / "affiliation-bulk-out.csv"
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(exe), "match", str(source), "-o", str(output), "--workers", str(workers),
         "--dump", str(dump), "--data-dir", str(data_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    peak = {"VmRSS": 0, "RssAnon": 0, "Pss": 0}
    while process.poll() is None:
        tree = process_memory(process.pid)
        for key in peak:
            peak[key] = max(peak[key], sum(row.get(key, 0) for row in tree))
        # Reading smaps of processes that map a large index is costly: sampling it often
        # slowed the 1M-record run by half.
        time.sleep(MEMORY_SAMPLE_SECONDS)
    stderr = process.stderr.read()
    if process.returncode:
        raise RuntimeError(f"resmeta match failed:\n{stderr}")
    found = re.search(r"([\d,]+) distinct strings in ([\d.]+) s \(([\d,]+) strings/s\)", stderr)
    return {
        "distinct": int(found.group(1).replace(",", "")),
        "matching_seconds": float(found.group(2)),
        "strings_per_second": float(found.group(3).replace(",", "")),
        "wall_seconds": time.perf_counter() - started,
        "peak_rss_mb": peak["VmRSS"] / 1024,
        "peak_anon_mb": peak["RssAnon"] / 1024,  # memory of its own, not the mapped index
        "peak_pss_mb": peak["Pss"] / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP)
    parser.add_argument("--strings", type=Path, default=DEFAULT_STRINGS)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    exe = resmeta_executable()
    data_dir = (OUT / "data" / dump_label(args.dump)).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    strings = load_strings(args.strings)
    source = OUT / "affiliation-bulk-in.csv"
    with open(source, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["affiliation"])
        writer.writerows([s] for s in strings)

    single = single_requests(exe, args.dump, data_dir, strings, args.requests)
    print(
        f"single ?affiliation= requests ({single['requests']}, one connection): "
        f"p50 {single['p50_ms']:.2f} ms, p99 {single['p99_ms']:.2f} ms",
        flush=True,
    )
    runs = []
    for run in range(1, args.runs + 1):
        result = bulk_run(exe, args.dump, data_dir, source, args.workers)
        runs.append(result)
        print(
            f"bulk run {run}/{args.runs}: {result['distinct']:,} distinct strings, "
            f"{result['strings_per_second']:,.0f} strings/s ({args.workers} workers), "
            f"peak RSS {result['peak_rss_mb']:,.0f} MB (anonymous {result['peak_anon_mb']:,.0f} MB,"
            f" Pss {result['peak_pss_mb']:,.0f} MB), wall {result['wall_seconds']:.1f} s",
            flush=True,
        )
    rate = statistics.median(r["strings_per_second"] for r in runs)
    peak = statistics.median(r["peak_rss_mb"] for r in runs)
    print(f"bulk median: {rate:,.0f} strings/s, peak RSS {peak:,.0f} MB")
    write_json(
        OUT / f"affiliation-{dump_label(args.dump)}.json",
        {"single": single, "bulk": runs, "workers": args.workers},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
