"""Where a matched affiliation string spends its time, in one process: ranking candidates
(retrieval and scoring) and choosing (features and the model, in batches).

    python bench/affiliation_stages.py [--dump PATH] [--strings FILE.jsonl] [--count 2000]
        [--batch 250] [--runs 3] [--multisearch]

The index is the one `bench/affiliation.py` builds for the dump (in bench/out/data/).
"""

from __future__ import annotations

import argparse
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
    parser.add_argument("--strings", type=Path, default=DEFAULT_STRINGS)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--multisearch", action="store_true", help="choose every one named")
    args = parser.parse_args(argv)

    store = IndexStore((OUT / "data" / dump_label(args.dump)).resolve())
    matcher = AffiliationMatcher(OrganizationIndex(index_for(store, args.dump)))
    texts = load_strings(args.strings)[: args.count]
    matcher.match_many(texts[:20])  # warm up: the model is read, the index pages touched
    ranking, choosing = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        rankings = [matcher.rank(text) for text in texts]
        ranked = time.perf_counter()
        for start in range(0, len(rankings), args.batch):
            batch = rankings[start : start + args.batch]
            matcher.chooser.choose(batch, multisearch=args.multisearch)
        ranking.append((ranked - started) / len(texts) * 1000)
        choosing.append((time.perf_counter() - ranked) / len(texts) * 1000)
    print(
        f"{dump_label(args.dump)}, {len(texts):,} strings, median of {args.runs}: "
        f"ranking {statistics.median(ranking):.3f} ms/string, "
        f"choosing {statistics.median(choosing):.3f} ms/string (batches of {args.batch}"
        f"{', multisearch' if args.multisearch else ''})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
