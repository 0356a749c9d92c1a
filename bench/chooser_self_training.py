"""Would the chooser gain from training also on strings made from the dump itself? Each
record sampled is written as an affiliation ("name, city, country", "name, city", "name",
"name, country", or a label or alias with its place) and labelled with its own ID; a share
of them (`--negatives`) lose that record from their candidates and are labelled with none,
as strings naming an organization that ROR lacks. These rows are added, at `--weight` each,
to the labelled sets' training folds, never to the folds held out.

    python bench/chooser_self_training.py [--dump PATH] [--weight 0.1] [--negatives 0.2]
        [--seeds 4]

Prints, without and with the made-up strings: cross-validated per-row precision, recall and
per-ID accuracy on each labelled set (at the shipped threshold, averaged over `--seeds`
fold assignments), and the census (`affiliation_census.py`) of records the made-up strings
did not use, chosen by a model fitted on all the rows.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
from pathlib import Path

from affiliation_census import records
from affiliation_census import written as census_written
from common import DEFAULT_DUMP, OUT, REPO, dump_label

from resmeta.index.reader import OrganizationIndex
from resmeta.index.store import IndexStore
from resmeta.services.affiliations import training
from resmeta.services.affiliations.chooser import choices, default_chooser
from resmeta.services.affiliations.evaluation import Example, read_examples
from resmeta.services.affiliations.features import features
from resmeta.services.affiliations.matcher import AffiliationMatcher
from resmeta.services.affiliations.ranking import Ranking
from resmeta.services.dumps import index_for

LABELLED = REPO / ".." / "shared" / "data" / "affiliations"
FORMS = ("name city country", "name city", "name", "name country", "label city country")
CENSUS_EVERY = 5  # active records i % 5 == 0 are the census; 1 and 2 are made up into strings
FOLDS = training.FOLDS
THRESHOLDS = [step / 100 for step in range(30, 71, 2)]


def written(record: dict, form: str, pick: random.Random) -> str:
    names = [n for n in record["names"] if n["types"] != ["acronym"]]
    display = next(n["value"] for n in names if "ror_display" in n["types"])
    others = [n["value"] for n in names if "ror_display" not in n["types"]]
    name = pick.choice(others) if form.startswith("label") and others else display
    place = record["locations"][0]["geonames_details"]
    words = {"city": place["name"], "country": place["country_name"]}
    return ", ".join([name, *(words[w] for w in form.split()[1:])])


def made_up(matcher, active, golds, negatives, pick) -> list[training.Labelled]:
    result = []
    for number, record in enumerate(active):
        bare_id = record["id"].removeprefix("https://ror.org/")
        if number % CENSUS_EVERY not in (1, 2) or bare_id in golds:
            continue  # records of labelled gold IDs stay out, as the census records do
        text = written(record, pick.choice(FORMS), pick)
        ranking, gold = matcher.rank(text), [bare_id]
        if pick.random() < negatives:
            kept = [m for m in ranking.matches if m.info.id != bare_id]
            ranking, gold = Ranking(kept, ranking.parts, ranking.countries), []
        example = Example(text, frozenset(gold))
        result.append(training.Labelled("made-up", example, ranking, features(ranking)))
    return result


def fitted(rows, targets, extra_rows, extra_targets, weight):
    """The chooser's model fitted on `rows`, and on `extra_rows` at `weight` each."""
    return training._model().fit(
        rows + extra_rows,
        targets + extra_targets,
        sample_weight=[1.0] * len(rows) + [weight] * len(extra_rows),
    )


def cross_validated(labelled, extra, weight, seeds) -> dict[float, dict[str, list[float]]]:
    """Per threshold tried, per labelled set: mean per-row precision, recall and per-ID
    accuracy over `seeds` fold assignments."""
    rows, targets, groups, owner = training.candidate_rows(labelled)
    extra_rows, extra_targets, _, _ = training.candidate_rows(extra)
    results: dict[float, dict[str, list[tuple[float, float, float]]]] = {}
    for seed in range(seeds):
        fold = {g: int(hashlib.md5(f"{seed}{g}".encode()).hexdigest(), 16) % FOLDS for g in groups}
        chances = [0.0] * len(rows)
        for held in range(FOLDS):
            fit = [i for i in range(len(rows)) if fold[groups[i]] != held]
            out = [i for i in range(len(rows)) if fold[groups[i]] == held]
            model = fitted(
                [rows[i] for i in fit], [targets[i] for i in fit], extra_rows, extra_targets, weight
            )
            estimates = model.predict_proba([rows[i] for i in out])[:, 1]
            for i, chance in zip(out, estimates, strict=True):
                chances[i] = float(chance)
        per_string = training.by_string(chances, owner, len(labelled))
        for threshold in THRESHOLDS:
            for source in dict.fromkeys(item.source for item in labelled):
                summary = training._report(labelled, per_string, threshold, source).summary()
                row, per_id = summary["per_row"], summary["per_id"]
                results.setdefault(threshold, {}).setdefault(source, []).append(
                    (row["precision"], row["recall"], per_id["accuracy"])
                )
    return {
        threshold: {
            s: [statistics.mean(v[k] for v in got) for k in range(3)] for s, got in by.items()
        }
        for threshold, by in results.items()
    }


def census(matcher, active, model, threshold) -> float:
    right = total = 0
    for number, record in enumerate(active):
        if number % CENSUS_EVERY:
            continue
        ranking = matcher.rank(census_written(record, "display"))
        total += 1
        if ranking.matches:
            chances = [float(c) for c in model.predict_proba(features(ranking))[:, 1]]
            chosen = [ranking.matches[p].info.id for p, _ in choices(ranking, chances, threshold)]
            right += chosen == [record["id"].removeprefix("https://ror.org/")]
    return right / total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP)
    parser.add_argument("--weight", type=float, default=0.1)
    parser.add_argument("--negatives", type=float, default=0.2)
    parser.add_argument("--seeds", type=int, default=4)
    args = parser.parse_args(argv)

    store = IndexStore((OUT / "data" / dump_label(args.dump)).resolve())
    index = OrganizationIndex(index_for(store, args.dump))
    matcher = AffiliationMatcher(index)
    shipped = round(default_chooser().threshold, 2)
    sets = {f.name.split("_")[0]: read_examples(f) for f in sorted(LABELLED.glob("*.jsonl"))}
    labelled, _ = training.label(matcher, sets, known=lambda i: index.get(i) is not None)
    golds = {gold for item in labelled for gold in item.example.gold}
    active = [r for r in records(args.dump) if r["status"] == "active"]
    extra = made_up(matcher, active, golds, args.negatives, random.Random(7))
    print(f"{len(labelled):,} labelled strings, {len(extra):,} made up")
    labelled_rows = training.candidate_rows(labelled)[:2]
    for arm, strings, weight in (("labelled only", [], 0.0), ("with made-up", extra, args.weight)):
        scores = cross_validated(labelled, strings, weight, args.seeds)
        model = fitted(*labelled_rows, *training.candidate_rows(strings)[:2], weight)
        best = max(THRESHOLDS, key=lambda t: statistics.mean(v[2] for v in scores[t].values()))
        for name, threshold in (("shipped", shipped), ("best accuracy", best)):
            right = census(matcher, active, model, threshold)
            print(f"{arm}, {name} threshold {threshold}: census {right:.2%} right")
            for source, (precision, recall, accuracy) in scores[threshold].items():
                print(f"  {source}: P {precision:.4f} R {recall:.4f} accuracy {accuracy:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
