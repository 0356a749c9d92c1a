"""Choose the one organization an affiliation string is about, or none when unsure.

A gradient-boosted classifier, trained on labelled affiliation strings (`training.py`) and
evaluated as a `Forest`, estimates for each candidate the chance that it is the organization
meant, from `FEATURES`. The most likely candidate is chosen when that chance reaches the
model's threshold (or one the caller gives: higher for precision, lower for recall). With
`multisearch` (ROR's name for it), the other organizations the string names apart from that
one are chosen too (`also_named`).
"""

from __future__ import annotations

import functools
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from resmeta.services.affiliations.features import CLOSE, FEATURES, features
from resmeta.services.affiliations.forest import Forest
from resmeta.services.affiliations.ranking import Match, Ranking

SHIPPED = Path(__file__).with_name("chooser.pickle")
PROMINENCE = 3  # how many times more units make one of namesakes the one meant
FAVOURITE = 1.2  # how many times likelier than the others makes one of namesakes the one meant
# An organization named besides the chosen one is chosen too, with `multisearch`, when its
# chance reaches this share of the threshold: the model learned from strings labelled with
# one organization each, so it rates a second one, even one plainly named, lower.
ALSO_NAMED_SHARE = 0.25
NAMING_KINDS = ("EXACT", "PHRASE", "ACRONYM")  # what names another organization plainly


class ChooserError(Exception):
    """A chooser model file that cannot be used."""


@dataclass(frozen=True)
class Chooser:
    model: Forest
    threshold: float  # the least probability at which the best candidate is chosen
    details: dict = field(default_factory=dict)  # how it was trained, and how well it did

    @classmethod
    def load(cls, path: Path) -> Chooser:
        """Read a model written by `save`. Only load files you trust: this unpickles."""
        try:
            with open(path, "rb") as file:
                saved = pickle.load(file)
            model, threshold, details = saved["model"], saved["threshold"], saved["details"]
            names = saved["features"]
        except Exception as error:  # unpickling a stranger file can raise anything
            raise ChooserError(f"{path}: not a resmeta chooser model ({error})") from None
        if tuple(names) != FEATURES:
            raise ChooserError(
                f"{path} was trained on other features than this version of resmeta computes;"
                " train it again with `resmeta train-chooser`"
            )
        if not isinstance(model, Forest):  # written by resmeta before it kept the trees alone
            try:
                model = Forest.from_sklearn(model)
            except Exception as error:
                raise ChooserError(f"{path}: not a resmeta chooser model ({error})") from None
        return cls(model, threshold, details)

    def save(self, path: Path) -> None:
        saved = {
            "model": self.model,
            "threshold": self.threshold,
            "features": list(FEATURES),
            "details": self.details,
        }
        with open(path, "wb") as file:
            pickle.dump(saved, file, protocol=pickle.HIGHEST_PROTOCOL)

    def probabilities(self, rankings: list[Ranking]) -> list[list[float]]:
        """For each ranking, each candidate's chance of being the organization meant."""
        rows = [features(ranking) for ranking in rankings]
        chances = self.model.probabilities([row for candidates in rows for row in candidates])
        result, start = [], 0
        for candidates in rows:
            result.append(chances[start : start + len(candidates)])
            start += len(candidates)
        return result

    def choose(
        self, rankings: list[Ranking], threshold: float | None = None, multisearch: bool = False
    ) -> None:
        """Set each match's confidence; mark the chosen matches of each ranking (`choices`,
        at `threshold`, default: the model's) and move them first."""
        threshold = self.threshold if threshold is None else threshold
        for ranking, chances in zip(rankings, self.probabilities(rankings), strict=True):
            for match, chance in zip(ranking.matches, chances, strict=True):
                match.confidence = chance
            chosen = choices(ranking, chances, threshold, multisearch)
            for position, confidence in chosen:
                match = ranking.matches[position]
                match.chosen, match.confidence = True, confidence
            first = [ranking.matches[position] for position, _ in chosen]
            ranking.matches[:] = first + [m for m in ranking.matches if not m.chosen]


def choices(
    ranking: Ranking, chances: list[float], threshold: float, multisearch: bool = False
) -> list[tuple[int, float]]:
    """The positions of the matches to choose, with the chance each choice rests on: the
    `likeliest`, if its chance reaches `threshold`. With `multisearch`, also the others the
    string names (`also_named`); and when none is likely enough, every organization named,
    if there are several: their chances share what one alone would have."""
    best, chance = likeliest(ranking, chances)
    least = threshold * ALSO_NAMED_SHARE
    if best is not None and chance >= threshold:
        return [(best, chance)] + (also_named(ranking, chances, least, best) if multisearch else [])
    named = also_named(ranking, chances, least) if multisearch else []
    return named if len(named) >= 2 else []


def likeliest(ranking: Ranking, chances: list[float]) -> tuple[int | None, float]:
    """The position of the match that would be chosen (None if none could be) and the
    chance the choice rests on: the likeliest match, `as_chosen`."""
    if not chances:
        return None, 0.0
    best = max(range(len(chances)), key=chances.__getitem__)  # the first of equals
    return as_chosen(ranking, chances, best)


def as_chosen(ranking: Ranking, chances: list[float], position: int) -> tuple[int | None, float]:
    """The position of the match that choosing the one at `position` chooses (None if none
    could be), and the chance that choice rests on.

    A match could be chosen if the string could name it alone (not `weak`). Its namesakes
    (other organizations found by the same words, as well) are weighed with it, as one, since
    the string says no more of which it means: rules, or the model's clear preference, tell
    them apart (`_tell_apart`), or none is chosen. Of a parent and its units called alike,
    the one in the city the string names is meant. A unit named as well as its parent gives
    way to it; a parent named only inside its unit's whole name, written across parts,
    gives way to the unit.
    """
    namesakes = _namesakes(ranking, position)
    chance = min(sum(chances[i] for i in namesakes), 1.0)
    if len(namesakes) > 1:
        position = _tell_apart(ranking, chances, namesakes)
    if position is None or ranking.matches[position].weak:
        return None, chance
    best = _parent_if_named(ranking, _kin_in_the_city_named(ranking, position))
    return _unit_named_whole(ranking, best), chance


def also_named(
    ranking: Ranking, chances: list[float], least: float, first: int | None = None
) -> list[tuple[int, float]]:
    """The organizations the string names apart ("Howard Hughes Medical Institute, Columbia
    University"), besides the one chosen at `first`, likeliest first, with the chance each
    choice rests on: each found by its exact name, a whole name inside a part or its own
    acronym, with a chance of at least `least`, and neither related to nor found by the
    same words as one chosen before it."""
    chosen: list[int] = [] if first is None else [first]
    found = []
    for position in sorted(range(len(chances)), key=lambda i: -chances[i]):
        if ranking.matches[position].matching_type not in NAMING_KINDS:
            continue
        other, chance = as_chosen(ranking, chances, position)
        if other is None or chance < least:
            continue
        if not any(_entangled(ranking.matches[other], ranking.matches[c]) for c in chosen):
            chosen.append(other)
            found.append((other, chance))
    return found


def _entangled(one: Match, other: Match) -> bool:
    """Whether two matches are the same organization, one is the other's parent, or they
    were found by overlapping words: then the string does not name them apart."""
    return other.info.id in _kin(one) or _words_within(one, other) or _words_within(other, one)


def _namesakes(ranking: Ranking, best: int) -> list[int]:
    """`best` and the unrelated organizations found by the same words, as well."""
    top = ranking.matches[best]
    related = _kin(top)
    return [best] + [
        position
        for position, match in enumerate(ranking.matches)
        if match.span == top.span
        and abs(match.score - top.score) <= CLOSE
        and match.info.id not in related
    ]


def _kin(match: Match) -> set[str]:
    """The IDs of the matched organization, its parents and its children."""
    return {match.info.id, *match.info.parents, *match.info.children}


def _tell_apart(ranking: Ranking, chances: list[float], namesakes: list[int]) -> int | None:
    """The one of namesakes in the city the string names; else the one that bears the name
    as written, where the others bear it only less a qualifier ("City University of Hong
    Kong", not "City University of Hong Kong (Dongguan)"); else the one called so, where the
    others have the name as a label or alias; else the one the model finds more than
    `FAVOURITE` times likelier than any other; else the single university among them;
    else one with far more units in ROR than any other ("Northwestern University" in
    Illinois). Otherwise the string does not say which: None.

    The model tells namesakes apart only by what differs between them: what they are (a
    funder, a unit, how many units they have), how each was found, and what else the string
    names (a unit of one of them). "Newcastle University" is the English one, though the
    Australian one has that name too; namesakes alike in all of this are rated alike.
    """
    matches = ranking.matches
    namesakes = [i for i in namesakes if ranking.names_city(matches[i])] or namesakes
    if len(namesakes) > 1:
        namesakes = [i for i in namesakes if not matches[i].bare] or namesakes
    if len(namesakes) > 1:
        namesakes = [i for i in namesakes if matches[i].by_display_name()] or namesakes
    if len(namesakes) > 1:
        favourite, second = sorted(namesakes, key=lambda i: -chances[i])[:2]
        if chances[favourite] > FAVOURITE * chances[second]:
            namesakes = [favourite]
    if len(namesakes) > 1:
        namesakes = [i for i in namesakes if "education" in matches[i].info.types] or namesakes
    if len(namesakes) > 1:
        by_size = sorted(namesakes, key=lambda i: -len(matches[i].info.children))
        largest, runner_up = (len(matches[i].info.children) for i in by_size[:2])
        if largest >= PROMINENCE * max(runner_up, 1):
            namesakes = by_size[:1]
    return namesakes[0] if len(namesakes) == 1 else None


def _kin_in_the_city_named(ranking: Ranking, best: int) -> int:
    """The one parent or unit of `best`, found by the same words and scoring as well, whose
    city the string names where it does not name best's: "Sankara Eye Hospital, Bengaluru" is the
    hospital there, though its parent in Coimbatore is called so too."""
    top = ranking.matches[best]
    if ranking.names_city(top):
        return best
    kin = _kin(top) - {top.info.id}
    there = [
        position
        for position, match in enumerate(ranking.matches)
        if match.info.id in kin
        and match.span == top.span
        and abs(match.score - top.score) <= CLOSE
        and not match.weak
        and ranking.names_city(match)
    ]
    return there[0] if len(there) == 1 else best


def _parent_if_named(ranking: Ranking, best: int) -> int:
    """A unit named as well as its parent gives way to it: an affiliation names units on
    the way to its main institution, and labelled data says that institution is meant.
    (The model learns this too; the rule holds it on dumps unlike the one it learned on.)
    A parent found only inside the name the unit was found by is not named as well
    ("University at Buffalo, State University of New York")."""
    top = ranking.matches[best]
    for position, match in enumerate(ranking.matches):
        parent = match.info.id in top.info.parents and match.span != top.span
        close = match.score >= top.score - CLOSE
        if parent and close and not match.weak and not _inside_name(match, top):
            return position
    return best


def _unit_named_whole(ranking: Ranking, best: int) -> int:
    """The unit of `best` whose exact name, holding a comma, the string writes whole, with
    best's name inside it where best was found: "Czech Academy of Sciences, Institute of
    Geology" is the institute, not the academy. (Within one part, "Indiana University
    School of Medicine", labelled data says the parent is meant as often.)"""
    top = ranking.matches[best]
    units = [
        position
        for position, match in enumerate(ranking.matches)
        if top.info.id in match.info.parents
        and match.matching_type == "EXACT"
        and match.pair
        and not match.weak
        and _inside_name(top, match)
    ]
    return units[0] if len(units) == 1 else best


def _inside_name(inner: Match, outer: Match) -> bool:
    """Whether `inner` was found by some of the words of the name `outer` was found by,
    where it was."""
    if outer.matching_type not in ("EXACT", "PHRASE") or inner.span == outer.span:
        return False
    return _parts(inner) <= _parts(outer) and _words_within(inner, outer)


def _words_within(inner: Match, outer: Match) -> bool:
    return f" {inner.span} " in f" {outer.span} "


def _parts(match: Match) -> set[int]:
    """The parts the match was found in: one, or neighbours."""
    return set(range(match.part, match.part + match.width))


@functools.cache
def default_chooser() -> Chooser:
    """The model named by RESMETA_CHOOSER, else the one shipped with resmeta."""
    return Chooser.load(Path(os.environ.get("RESMETA_CHOOSER") or SHIPPED))
