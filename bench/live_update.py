"""`resmeta update` on a running 2-worker server under wrk load: does any request fail?

    .venv/bin/python bench/live_update.py [--dump SUBSET.zip] [--records 60000] [--duration 30]

It serves `--dump`, makes a second dump of `--records` synthetic records
(`synthetic_dump.py`), then runs wrk on list and search paths for `--duration` seconds and,
`--delay` seconds in, runs `resmeta update --dump SECOND.zip`. It prints what wrk counted
(requests, non-2xx responses, socket errors), how long `update` took (the build of the new
index included), and the record counts served before and after. Needs wrk.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import DEFAULT_DUMP, OUT, resmeta_executable
from http_latency import Server, http_get, run_wrk, write_lua

PATHS = [
    "/v2/organizations",
    "/v2/organizations?query=university",
    "/v2/organizations?filter=types:education",
    "/v1/organizations?query=institute",
]


def served_records(base: str) -> int:
    _, body = http_get(base + "/v2/organizations?all_status=true")
    return json.loads(body)["number_of_results"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP, help="the dump served first")
    parser.add_argument("--records", type=int, default=60_000, help="records of the second")
    parser.add_argument("--duration", type=float, default=30, help="seconds of wrk load")
    parser.add_argument("--delay", type=float, default=3, help="seconds before the update")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10, help="wrk request timeout, s")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2

    work = OUT / "live_update"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    second = work / f"synthetic-{args.records}.zip"
    here = Path(__file__).resolve().parent
    subprocess.run(
        [sys.executable, str(here / "synthetic_dump.py"), "--records", str(args.records)]
        + ["--out", str(second), "--quiet", "--compact"],
        check=True,
    )
    exe = resmeta_executable()
    server = Server(exe, args.dump, work / "data", 2, work / "server.log")
    script = work / "paths.lua"
    write_lua(script, PATHS)
    try:
        server.start(timeout=600)
        before = served_records(server.base)
        outcome: dict = {}
        load = threading.Thread(
            target=lambda: outcome.update(run_wrk(script, server.base, args, args.duration))
        )
        load.start()
        time.sleep(args.delay)
        started = time.monotonic()
        update = subprocess.run(
            [str(exe), "update", "--dump", str(second), "--data-dir", str(work / "data")],
            capture_output=True,
            text=True,
        )
        took = time.monotonic() - started
        load.join()
        after = served_records(server.base)
    finally:
        server.stop()

    print(f"update: exit {update.returncode} in {took:.1f} s (index build included)")
    print("  " + (update.stderr.strip().splitlines() or ["(no output)"])[-1])
    print(f"records served: {before:,} before, {after:,} after")
    print(
        f"wrk over {args.duration:g} s: {outcome.get('requests', 0):,} requests, "
        f"{outcome.get('rps', 0):,.0f} req/s, p99 {outcome.get('p99_ms')} ms, "
        f"errors (non-2xx + socket) {outcome.get('errors')}"
    )
    return 0 if update.returncode == 0 and outcome.get("errors") == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
