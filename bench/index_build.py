"""Time `resmeta index` on a dump: wall time, CPU time, peak RSS and index size on disk.

    python bench/index_build.py [--dump PATH] [--runs N]

Each run builds into a fresh temporary data dir with
`resmeta index --dump PATH --data-dir TMP` as a child process (own process group, killed
after --timeout). Peak RSS is the child's ru_maxrss as the kernel reports it when the child
is reaped (os.wait4: the same figure as getrusage(RUSAGE_CHILDREN), but per run; it covers
the child's own reaped children too). The size is that of everything the command left in
the data dir. Prints each run and the median; raw figures go to
bench/out/index_build-<dump>.json.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import (
    DEFAULT_DUMP,
    OUT,
    dump_label,
    mb,
    median,
    resmeta_executable,
    tree_size,
    write_json,
)


def build_once(exe: Path, dump: Path, data_dir: Path, log: Path, timeout: float) -> dict:
    cmd = [str(exe), "index", "--dump", str(dump), "--data-dir", str(data_dir)]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        out.write(f"$ {' '.join(cmd)}\n".encode())
        out.flush()
        started = time.monotonic()
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    watchdog = threading.Timer(timeout, kill)
    watchdog.start()
    try:
        _pid, status, usage = os.wait4(proc.pid, 0)
    except BaseException:  # interrupted: take the build down with us
        kill()
        os.wait4(proc.pid, 0)
        proc.returncode = -signal.SIGKILL
        raise
    finally:
        watchdog.cancel()
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    apparent, allocated, files = tree_size(data_dir)
    return {
        "exit_code": proc.returncode,
        "timed_out": timed_out.is_set(),
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_bytes": usage.ru_maxrss * 1024,  # Linux reports kB
        "index_bytes": apparent,
        "index_allocated_bytes": allocated,
        "index_files": files,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP, help="ROR dump zip")
    parser.add_argument("--runs", type=int, default=1, help="builds (median reported)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per build")
    parser.add_argument("--tmp", type=Path, help="parent of the temporary data dirs")
    parser.add_argument("--keep", action="store_true", help="keep the built data dirs")
    parser.add_argument("--json", type=Path, help="default: bench/out/index_build-<dump>.json")
    parser.add_argument("--resmeta", type=Path, help="resmeta executable (default: beside python)")
    args = parser.parse_args(argv)
    dump = args.dump.resolve()
    if not dump.is_file():
        parser.error(f"dump not found: {dump}")
    exe = args.resmeta or resmeta_executable()
    label = dump_label(dump)
    print(f"index build of {dump.name} ({mb(dump.stat().st_size)} zip), {args.runs} run(s)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    runs = []
    for run in range(1, args.runs + 1):
        data_dir = Path(tempfile.mkdtemp(prefix="resmeta-bench-index-", dir=args.tmp))
        log = OUT / "logs" / f"index-{label}-run{run}.log"
        try:
            result = build_once(exe, dump, data_dir, log, args.timeout)
        finally:
            if not args.keep:
                shutil.rmtree(data_dir, ignore_errors=True)
        result["data_dir"] = str(data_dir) if args.keep else None
        runs.append(result)
        print(
            f"  run {run}/{args.runs}: {result['seconds']:.1f} s wall, "
            f"{result['cpu_seconds']:.1f} s CPU, peak RSS {mb(result['peak_rss_bytes'])}, "
            f"index {mb(result['index_bytes'])} in {result['index_files']} files"
            + (f"  [kept: {data_dir}]" if args.keep else ""),
            flush=True,
        )
        if result["exit_code"] != 0 or result["timed_out"]:
            why = "timed out" if result["timed_out"] else f"exit code {result['exit_code']}"
            print(f"index build failed ({why}); log {log}:")
            print("\n".join(log.read_text(errors="replace").splitlines()[-30:]))
            return 1

    ok = [r for r in runs if r["exit_code"] == 0]
    summary = {
        key: median([r[key] for r in ok])
        for key in ("seconds", "cpu_seconds", "peak_rss_bytes", "index_bytes")
    }
    children_max = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(
        f"median: {summary['seconds']:.1f} s wall, {summary['cpu_seconds']:.1f} s CPU, "
        f"peak RSS {mb(summary['peak_rss_bytes'])}, index {mb(summary['index_bytes'])}"
    )
    print(f"(RUSAGE_CHILDREN ru_maxrss over all runs: {mb(children_max)})")
    out = args.json or OUT / f"index_build-{label}.json"
    write_json(out, {"dump": str(dump), "dump_bytes": dump.stat().st_size, "runs": runs,
                     "median": summary})  # fmt: skip
    print(f"raw figures: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
