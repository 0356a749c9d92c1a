"""Run every benchmark: index build, HTTP latency (ROR and funders APIs) and affiliation
matching on the subset dump (and a synthetic one).

    python bench/run_all.py [--synthetic N] [--duration 10] [--runs 3]

`make bench` runs this with the project's .venv. With `--synthetic N` a synthetic dump of N
records is generated into bench/out/synthetic-N.zip first (kept and reused), then
benchmarked the same way. Each step runs as its own process and prints its own figures; a
failed step does not stop the others, and the exit code is non-zero if any failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from common import BENCH, DEFAULT_DUMP, OUT


def step(title: str, cmd: list[str]) -> int:
    print(f"\n=== {title}\n$ {' '.join(cmd)}", flush=True)
    started = time.monotonic()
    code = subprocess.run(cmd).returncode
    print(f"=== {title}: exit {code} after {time.monotonic() - started:.0f} s", flush=True)
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP, help="real ROR dump zip")
    parser.add_argument("--synthetic", type=int, metavar="N", help="also bench N synthetic records")
    parser.add_argument("--seed", type=int, default=1, help="synthetic dump seed")
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per endpoint")
    parser.add_argument("--index-runs", type=int, default=1, help="index builds per dump")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument("--resmeta", type=Path, help="resmeta executable (default: beside python)")
    parser.add_argument("--skip-index", action="store_true", help="no index_build step")
    parser.add_argument("--skip-http", action="store_true", help="no http_latency step")
    parser.add_argument("--skip-affiliation", action="store_true", help="no affiliation step")
    args = parser.parse_args(argv)

    dump = args.dump.resolve()
    if not dump.is_file():
        print(f"dump not found: {dump} (the shared subset dump is expected beside the repo)")
        return 2
    py = sys.executable
    extra = ["--resmeta", str(args.resmeta)] if args.resmeta else []
    results: dict[str, int] = {}
    dumps = [dump]
    if args.synthetic:
        synthetic = OUT / f"synthetic-{args.synthetic}-seed{args.seed}.zip"
        if not synthetic.is_file():
            cmd = [py, str(BENCH / "synthetic_dump.py"), "--records", str(args.synthetic)]
            cmd += ["--out", str(synthetic), "--seed", str(args.seed), "--source", str(dump)]
            results[f"synthetic dump {args.synthetic}"] = code = step("synthetic dump", cmd)
        else:
            print(f"\nreusing {synthetic}")
            code = 0
        if code == 0:
            dumps.append(synthetic)

    for path in dumps:
        if not args.skip_index:
            cmd = [py, str(BENCH / "index_build.py"), "--dump", str(path)]
            cmd += ["--runs", str(args.index_runs), *extra]
            results[f"index_build {path.name}"] = step(f"index build: {path.name}", cmd)
        if not args.skip_http:
            cmd = [py, str(BENCH / "http_latency.py"), "--dump", str(path)]
            cmd += ["--duration", f"{args.duration:g}", "--runs", str(args.runs)]
            cmd += ["--workers", str(args.workers), "--connections", str(args.connections), *extra]
            results[f"http_latency {path.name}"] = step(f"HTTP latency: {path.name}", cmd)
            cmd = [py, str(BENCH / "funders.py"), "--dump", str(path)]
            cmd += ["--duration", f"{args.duration:g}", "--runs", str(args.runs)]
            cmd += ["--workers", str(args.workers), *extra]
            results[f"funders {path.name}"] = step(f"funders API latency: {path.name}", cmd)
        if not args.skip_affiliation:
            cmd = [py, str(BENCH / "affiliation.py"), "--dump", str(path)]
            cmd += ["--workers", str(args.workers), "--runs", str(args.runs)]
            results[f"affiliation {path.name}"] = step(f"affiliation matching: {path.name}", cmd)

    print("\n=== summary")
    for name, code in results.items():
        print(f"  {'ok' if code == 0 else f'FAILED (exit {code})':<16} {name}")
    print(f"raw figures in {OUT}")
    return max(results.values(), default=0)


if __name__ == "__main__":
    sys.exit(main())
