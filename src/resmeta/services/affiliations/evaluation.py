"""Metrics of affiliation matching against gold ROR IDs, as ROR computes them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from resmeta.records.ids import parse_ror_id


@dataclass(frozen=True)
class Example:
    affiliation: str
    gold: frozenset[str]  # bare ROR IDs; empty = nothing should be chosen


@dataclass
class Report:
    items: int = 0
    dropped_unknown: int = 0
    seconds: float = 0.0
    # per ID (ror-api's tests)
    exact_sets: int = 0
    chosen_ids: int = 0
    correct_ids: int = 0
    gold_ids: int = 0
    # per row (ROR's published comparisons)
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[dict] = field(default_factory=list)

    def add(self, example: Example, chosen: set[str]) -> None:
        self.items += 1
        self.exact_sets += chosen == example.gold
        self.chosen_ids += len(chosen)
        self.correct_ids += len(chosen & example.gold)
        self.gold_ids += len(example.gold)
        if chosen:
            if chosen & example.gold:
                self.tp += 1
            else:
                self.fp += 1
        elif example.gold:
            self.fn += 1
        else:
            self.tn += 1
        if chosen != example.gold:
            self.errors.append(
                {
                    "affiliation": example.affiliation,
                    "gold": sorted(example.gold),
                    "chosen": sorted(chosen),
                }
            )

    def summary(self) -> dict:
        precision = _ratio(self.tp, self.tp + self.fp)
        recall = _ratio(self.tp, self.tp + self.fn)
        return {
            "items": self.items,
            "dropped_unknown": self.dropped_unknown,
            "per_id": {
                "accuracy": _ratio(self.exact_sets, self.items),
                "precision": _ratio(self.correct_ids, self.chosen_ids),
                "recall": _ratio(self.correct_ids, self.gold_ids),
            },
            "per_row": {
                "tp": self.tp,
                "fp": self.fp,
                "fn": self.fn,
                "tn": self.tn,
                "precision": precision,
                "recall": recall,
                "f1": _f_beta(precision, recall, 1.0),
                "f0.5": _f_beta(precision, recall, 0.5),
            },
            "seconds": round(self.seconds, 3),
            "strings_per_second": round(self.items / self.seconds, 1) if self.seconds else None,
        }


def read_examples(path: Path) -> list[Example]:
    """Examples from JSON Lines; raises ValueError naming the first bad line."""
    examples = []
    with open(path, "rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                item = orjson.loads(line)
                gold = item["gold"]
                if not isinstance(item["affiliation"], str) or not isinstance(gold, list):
                    raise TypeError
                bare = frozenset(parse_ror_id(g) or g for g in gold)
            except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
                expected = '{"affiliation": str, "gold": [ROR IDs]}'
                raise ValueError(f"{path.name}, line {number}: expected {expected}") from None
            examples.append(Example(item["affiliation"], bare))
    return examples


def evaluate(
    examples: Iterable[Example],
    choose: Callable[[list[str]], list[set[str]]],
    known: Callable[[str], bool] | None = None,
    batch: int = 1000,
) -> Report:
    """Run `choose` on the examples' affiliations, `batch` at a time (it returns the chosen
    IDs of each); with `known`, keep only examples whose gold IDs are all known (examples
    without gold are always kept)."""
    report = Report()
    kept, report.dropped_unknown = known_only(examples, known)
    started = time.perf_counter()
    for start in range(0, len(kept), batch):
        chunk = kept[start : start + batch]
        for example, chosen in zip(chunk, choose([e.affiliation for e in chunk]), strict=True):
            report.add(example, chosen)
    report.seconds = time.perf_counter() - started
    return report


def known_only(
    examples: Iterable[Example], known: Callable[[str], bool] | None
) -> tuple[list[Example], int]:
    """The examples whose gold IDs `known` all knows (all of them without `known`;
    examples without gold always), and how many were left out."""
    kept, dropped = [], 0
    for example in examples:
        if known is None or all(known(i) for i in example.gold):
            kept.append(example)
        else:
            dropped += 1
    return kept, dropped


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _f_beta(precision: float, recall: float, beta: float) -> float:
    if not precision and not recall:
        return 0.0
    b2 = beta * beta
    return round((1 + b2) * precision * recall / (b2 * precision + recall), 4)
