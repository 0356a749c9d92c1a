"""Train the chooser on labelled affiliation strings, and measure it honestly.

Every labelled string is ranked by the matcher; each of its candidates becomes one training
row, labelled by whether it is a gold ID. The model's quality is measured by k-fold
cross-validation where a string and its repeats stay in one fold, so no string is judged by
a model that saw it.

The threshold is the one with the best cross-validated accuracy (the share of strings whose
chosen ID is their gold ID, or nothing when they have none), averaged over the labelled
sets so that a small set of strings that name nothing counts as much as a large one. That
weighs a wrong choice and a missed one alike; F1 over ROR's per-row counts would not, since
they count a wrong choice as a false positive only, and it chooses far too eagerly.
Accuracy changes little over a wide range of thresholds, where precision rises as recall
falls: of the thresholds within `TOLERANCE` of the best accuracy (less than the noise of
cross-validation on a few thousand strings), the highest is taken, for precision.

The model saved is then fitted on all the strings.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from resmeta.services.affiliations.chooser import Chooser, choices
from resmeta.services.affiliations.evaluation import Example, Report, known_only
from resmeta.services.affiliations.features import FEATURES, features
from resmeta.services.affiliations.forest import Forest
from resmeta.services.affiliations.matcher import AffiliationMatcher
from resmeta.services.affiliations.ranking import Ranking

FOLDS = 5
THRESHOLDS = [step / 100 for step in range(5, 96)]
TOLERANCE = 0.0025  # accuracies this close are alike: the higher threshold (precision) wins
MODEL_SETTINGS = {
    "max_iter": 200,
    "learning_rate": 0.05,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 40,
    "early_stopping": False,
    "random_state": 0,
}


@dataclass
class Labelled:
    source: str  # the name of the set the example comes from
    example: Example
    ranking: Ranking
    rows: list[list[float]]  # the features of each candidate


def label(
    matcher: AffiliationMatcher,
    sets: Mapping[str, list[Example]],
    known: Callable[[str], bool] | None = None,
) -> tuple[list[Labelled], dict[str, int]]:
    """Rank every example, leaving out those with a gold ID that `known` does not know
    (the dump cannot give them); returns the kept examples and how many each set dropped."""
    kept, dropped = [], {}
    for source, examples in sets.items():
        usable, dropped[source] = known_only(examples, known)
        for example in usable:
            ranking = matcher.rank(example.affiliation)
            kept.append(Labelled(source, example, ranking, features(ranking)))
    return kept, dropped


def candidate_rows(
    labelled: list[Labelled],
) -> tuple[list[list[float]], list[bool], list[str], list[int]]:
    """One row per candidate of each string: its features, whether it is a gold ID, the
    string's words (repeats of a string stay in one fold) and the string's position."""
    rows, targets, groups, owner = [], [], [], []
    for number, item in enumerate(labelled):
        for match, row in zip(item.ranking.matches, item.rows, strict=True):
            rows.append(row)
            targets.append(match.info.id in item.example.gold)
            groups.append(item.ranking.words)
            owner.append(number)
    return rows, targets, groups, owner


def by_string(chances: list[float], owner: list[int], strings: int) -> list[list[float]]:
    """The candidates' `chances`, gathered per string by `owner` (from `candidate_rows`)."""
    per_string: list[list[float]] = [[] for _ in range(strings)]
    for number, chance in zip(owner, chances, strict=True):
        per_string[number].append(chance)
    return per_string


def train(
    labelled: list[Labelled], folds: int = FOLDS, threshold: float | None = None
) -> tuple[Chooser, dict]:
    """A chooser fitted on all of `labelled`, and its cross-validated report per set, at
    `threshold` if given (else at the one chosen as the module says), and at each tenth."""
    from sklearn.model_selection import GroupKFold

    rows, targets, groups, owner = candidate_rows(labelled)
    if len(set(groups)) < folds or len(set(targets)) < 2:
        raise ValueError(
            f"too little to learn from: {len(labelled)} strings, {len(rows)} candidates;"
            f" at least {folds} different strings with right and wrong candidates are needed"
        )
    chances = [0.0] * len(rows)
    for fitting, held_out in GroupKFold(folds).split(rows, targets, groups):
        model = _model().fit([rows[i] for i in fitting], [targets[i] for i in fitting])
        estimates = model.predict_proba([rows[i] for i in held_out])[:, 1]
        for i, chance in zip(held_out, estimates, strict=True):
            chances[i] = float(chance)
    per_string = by_string(chances, owner, len(labelled))
    sources = list(dict.fromkeys(item.source for item in labelled))

    @functools.cache  # the tenths reported are among the thresholds tried
    def reports(at: float) -> dict[str, dict]:
        return {s: _report(labelled, per_string, at, s).summary() for s in sources}

    if threshold is None:
        scores = {t: _mean_accuracy(reports(t)) for t in THRESHOLDS}
        threshold = max(t for t in THRESHOLDS if scores[t] >= max(scores.values()) - TOLERANCE)
    details = {
        "features": list(FEATURES),
        "settings": MODEL_SETTINGS,
        "strings": len(labelled),
        "candidates": len(rows),
        "threshold": threshold,
        "cross_validated": reports(threshold),
        # per ID is the measure for multisearch: a string's chosen set against its gold set
        "cross_validated_multisearch": {
            s: _report(labelled, per_string, threshold, s, multisearch=True).summary()["per_id"]
            for s in sources
        },
        # what other thresholds would give, to choose one with --threshold
        "by_threshold": {
            f"{tenth / 10:.1f}": {
                source: {
                    "precision": summary["per_row"]["precision"],
                    "recall": summary["per_row"]["recall"],
                    "accuracy": summary["per_id"]["accuracy"],
                }
                for source, summary in reports(tenth / 10).items()
            }
            for tenth in range(1, 10)
        },
    }
    return Chooser(Forest.from_sklearn(_model().fit(rows, targets)), threshold, details), details


def _mean_accuracy(reports: dict[str, dict]) -> float:
    return sum(report["per_id"]["accuracy"] for report in reports.values()) / len(reports)


def _model():
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(**MODEL_SETTINGS)


def _report(
    labelled: list[Labelled],
    chances: list[list[float]],
    threshold: float,
    source: str | None,
    multisearch: bool = False,
) -> Report:
    report = Report()
    for item, mine in zip(labelled, chances, strict=True):
        if source is not None and item.source != source:
            continue
        chosen = choices(item.ranking, mine, threshold, multisearch)
        report.add(item.example, {item.ranking.matches[p].info.id for p, _ in chosen})
    return report
