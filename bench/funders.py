"""Latency of the funders API (`/api/funders`, InvenioRDM's) over HTTP, measured with wrk.

    python bench/funders.py [--dump PATH] [--workers 2] [--connections 1] [--duration 10]
        [--runs 3] [--endpoints suggest,q,read]

The same approach as `http_latency.py` (whose server handling, wrk runs and Lua scripts it
reuses): start `resmeta serve` on 127.0.0.1 with a data dir under bench/out/data/ (the index
is built once per dump and index format), then run `wrk --latency` `--runs` times per
endpoint, each time cycling through paths made from the dump:

* suggest: 300 texts as a person types them into a funder field: the first 3 to 6 letters of
  a name, a name's first word and the beginning of its second, a whole name, or a name's
  first two words with one typo (a letter dropped, doubled, swapped or replaced);
* q: 300 queries: a name word, two name words, a word's beginning, a quoted name,
  `name:<word> AND country:<CC>`, an acronym;
* read: `GET /api/funders/<id>` for 1,000 IDs.

By default one connection (`-c 1 -t 1`): the figures are the latency of one request at a
time, which is what the targets (median under 5 ms for suggest and q) are about; with more
connections they include queueing on this 2-core machine. Prints the median over runs of
p50, p99 and req/s and the errors (non-2xx + socket errors); raw figures go to
bench/out/funders-<dump>.json.
"""

from __future__ import annotations

import argparse
import random
import re
import signal
import sys
from pathlib import Path
from urllib.parse import quote

from common import OUT, write_json
from dumpread import iter_dump_records
from http_latency import (
    Server,
    add_server_and_wrk_arguments,
    any_failed,
    arguments_of,
    measure,
    prepare_run,
    print_table,
    summarise,
)

ENDPOINTS = ("suggest", "q", "read")
PATH = "/api/funders"
TARGET_MS = 5.0


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s,()/\-.:'\"&]+", text) if w and w.isalnum()]


def sample(dump: Path, size: int, seed: int) -> list[dict]:
    """A uniform sample (reservoir) of slim records: bare id, display name, first acronym,
    country code of the first location."""
    rng = random.Random(seed)
    chosen: list[dict] = []
    for n, record in enumerate(iter_dump_records(dump)):
        slot = n if n < size else rng.randrange(n + 1)
        if slot >= size:
            continue
        names = record.get("names", [])
        display = next((x["value"] for x in names if "ror_display" in x["types"]), "")
        acronym = next((x["value"] for x in names if "acronym" in x["types"]), None)
        locations = record.get("locations") or [{}]
        slim = {
            "id": record["id"].rsplit("/", 1)[-1],
            "name": display,
            "acronym": acronym,
            "country": (locations[0].get("geonames_details") or {}).get("country_code"),
        }
        if n < size:
            chosen.append(slim)
        else:
            chosen[slot] = slim
    return chosen


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice("aeioustrn") + word[i + 1 :]


def build_workload(dump: Path, seed: int, texts: int = 300, reads: int = 1000) -> dict:
    rng = random.Random(seed)
    records = sample(dump, max(reads, texts), seed)
    named = [r for r in records if _words(r["name"])]
    suggest, queries = [], []
    for k in range(texts):
        r = rng.choice(named)
        w = _words(r["name"])
        kind = k % 4
        if kind == 0:
            suggest.append(w[0][: rng.randint(3, 6)])
        elif kind == 1 and len(w) > 1:
            suggest.append(f"{w[0]} {w[1][: rng.randint(1, 4)]}")
        elif kind == 2:
            suggest.append(r["name"])
        else:
            suggest.append(" ".join(typo(x, rng) for x in w[:2]))
        kind = k % 6
        if kind == 0:
            queries.append(rng.choice(w))
        elif kind == 1:
            queries.append(" ".join(w[:2]))
        elif kind == 2:
            queries.append(rng.choice(w)[:4])
        elif kind == 3:
            queries.append(f'"{" ".join(w[:3])}"')
        elif kind == 4 and r["country"]:
            queries.append(f"name:{rng.choice(w)} AND country:{r['country']}")
        else:
            queries.append(r["acronym"] or rng.choice(w))
    return {
        "suggest": [f"{PATH}?suggest={quote(t, safe='')}" for t in suggest],
        "q": [f"{PATH}?q={quote(t, safe='')}" for t in queries],
        "read": [f"{PATH}/{r['id']}" for r in records[:reads]],
    }


def target(name: str, row: dict) -> str:
    if name not in ("suggest", "q") or row["p50_ms"] is None:
        return ""
    return f"p50 < {TARGET_MS:g} ms: {'yes' if row['p50_ms'] < TARGET_MS else 'NO'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_server_and_wrk_arguments(parser, ENDPOINTS, "funders", connections=1, threads=1)
    args = parser.parse_args(argv)
    run = prepare_run(parser, args, ENDPOINTS, build_workload, "funders-")
    dump, label, workload, scripts = run.dump, run.label, run.workload, run.scripts
    log = OUT / "logs" / f"serve-funders-{label}.log"
    server = Server(run.exe, dump, run.data_dir, args.workers, log)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    report: dict = {
        "dump": str(dump),
        "config": arguments_of(args),
    }
    try:
        started = server.start(args.startup_timeout)
        print(f"server up in {started:.1f} s (index built if the data dir had none)")
        runs = measure(server, workload, scripts, args)
    except RuntimeError as exc:
        print(f"benchmark aborted: {exc}")
        return 1
    finally:
        server.stop()

    print()
    print(
        f"{dump.name}: {args.workers} workers, wrk {args.connections} connection(s), "
        f"median of {args.runs} x {args.duration:g} s"
    )
    summary = summarise(runs)
    print_table(summary, target)
    report["runs"], report["summary"] = runs, summary
    out = args.json or OUT / f"funders-{label}.json"
    write_json(out, report)
    print(f"raw figures: {out}")
    return 1 if any_failed(summary) else 0


if __name__ == "__main__":
    sys.exit(main())
