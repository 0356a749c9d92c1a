"""The cycle collector in a process that serves `?affiliation=`: how long its collections take.

`python bench/collector.py [--dump PATH] [--strings FILE.jsonl ...] [--rounds 2]` matches the
labelled strings, `--rounds` times over, one at a time in one process with Python's default
collector thresholds (as `resmeta serve` runs), and prints the latency of a match (median,
p99, p99.9, the slowest), how many collections ran and their time, and the longest full
collection: each stalls the request it falls in. The matcher's caches fill as it goes, and a
full collection scans every object they hold that the collector tracks (also printed).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from pathlib import Path

from affiliation import DEFAULT_STRINGS, load_strings
from common import DEFAULT_DUMP, OUT, dump_label

from resmeta.index.reader import OrganizationIndex
from resmeta.index.store import IndexStore
from resmeta.services.affiliations.matcher import AffiliationMatcher
from resmeta.services.dumps import index_for


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP)
    parser.add_argument("--strings", type=Path, nargs="*")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    files = args.strings or sorted(DEFAULT_STRINGS.parent.glob("*.jsonl"))  # every labelled set
    texts = [text for path in files for text in load_strings(path)]

    store = IndexStore((OUT / "data" / dump_label(args.dump)).resolve())
    matcher = AffiliationMatcher(OrganizationIndex(index_for(store, args.dump)))
    matcher.match("University of Oxford")  # reads the chooser
    gc.collect()

    started: dict[int, float] = {}
    collections: list[tuple[int, float]] = []  # (generation, seconds)

    def timed(phase: str, info: dict) -> None:
        if phase == "start":
            started[info["generation"]] = time.perf_counter()
        else:
            collections.append(
                (info["generation"], time.perf_counter() - started[info["generation"]])
            )

    gc.callbacks.append(timed)
    latencies = []
    for _ in range(args.rounds):
        for text in texts:
            begun = time.perf_counter()
            matcher.match(text)
            latencies.append((time.perf_counter() - begun) * 1000)
    gc.callbacks.remove(timed)

    latencies.sort()
    full = [seconds for generation, seconds in collections if generation == 2]
    print(f"{len(latencies):,} matches ({len(texts):,} strings x {args.rounds})")
    print(
        f"latency ms: p50 {statistics.median(latencies):.2f}, "
        f"p99 {latencies[int(len(latencies) * 0.99)]:.2f}, "
        f"p99.9 {latencies[int(len(latencies) * 0.999)]:.2f}, slowest {latencies[-1]:.1f}"
    )
    spent = sum(seconds for _, seconds in collections) * 1000
    print(
        f"collections: {len(collections):,}, {spent:,.0f} ms in all;"
        f" full: {len(full)}" + (f", the longest {max(full) * 1000:.0f} ms" if full else "")
    )
    print(f"objects the collector tracks at the end: {len(gc.get_objects()):,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
