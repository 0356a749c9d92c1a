"""What the chooser knows of each candidate: numbers describing how, where and how well the
string names it, and how it stands against the other candidates and their relations.

Each feature is general (no name, word or ID of a particular organization), so that what
the chooser learns from labelled strings carries over to strings it has not seen.
"""

from __future__ import annotations

import bisect
import collections
import math

from resmeta.services.affiliations.ranking import Ranking
from resmeta.services.affiliations.text import UNIT_WORDS

HIGH = 0.9  # a score that names an organization well
VERY_HIGH = 0.95
CLOSE = 0.005  # scores this near the best are as good as the best
KINDS = ("EXACT", "PHRASE", "FUZZY", "ACRONYM")
TYPES = "education healthcare company facility government nonprofit funder archive other".split()

FEATURES: tuple[str, ...] = (
    "score",
    "below_best",
    "above_next",
    "rank",
    "is_first",
    "margin",  # for the first: its lead over the second; else its distance below the first
    "close_to_best",
    "high_scores",
    "candidates",
    *(f"kind_{kind.lower().replace(' ', '_')}" for kind in KINDS),
    "from_pair",
    "weak",
    "former_name",
    "common_words_only",
    "rare_words_lacking",
    "rare_words_extra",
    "part",
    "part_share",
    "first_part",
    "parts",
    "span_words",
    "span_share",
    "span_characters",
    "parent_listed",
    "parent_score",
    "child_listed",
    "child_score",
    "children_listed",
    "has_parent",
    "children_log",
    *(f"type_{kind}" for kind in TYPES),
    "city_named",
    "country_named",
    "countries",
    "span_starts_with_unit_word",
    "span_is_a_whole_part",
    "better_in_same_part",
    "best_other_in_same_part",
    "unrelated_very_high",
    "first_unrelated_very_high_part",
    "parts_with_high_scores",
    "rank_of_part_among_high",
)


def features(ranking: Ranking) -> list[list[float]]:
    """One row of `FEATURES` per candidate of `ranking`, in its order."""
    matches = ranking.matches
    if not matches:
        return []
    best = matches[0].score
    second = matches[1].score if len(matches) > 1 else 0.0
    by_id = {m.info.id: m for m in matches}
    close = sum(m.score >= best - CLOSE for m in matches)
    high = sum(m.score >= HIGH for m in matches)
    words = max(len(ranking.words.split()), 1)
    parts = len(ranking.parts)
    whole_parts = {p.normal for p in ranking.parts}
    high_parts = sorted({m.part for m in matches if m.score >= HIGH})
    ascending = sorted(m.score for m in matches)
    very_high = [m for m in matches if m.score >= VERY_HIGH]
    in_part = collections.defaultdict(list)
    for match in matches:
        in_part[match.part].append(match)
    rows = []
    for match in matches:
        info = match.info
        # Ties are ranked alike: their order (by ROR ID) says nothing of which is meant.
        rank = len(ascending) - bisect.bisect_right(ascending, match.score)  # how many above
        lower = bisect.bisect_left(ascending, match.score)  # how many below
        following = ascending[lower - 1] if lower else 0.0
        parents = [by_id[i].score for i in info.parents if i in by_id]
        children = [by_id[i].score for i in info.children if i in by_id]
        span_words = len(match.span.split())
        same_part = [m.score for m in in_part[match.part] if m is not match]
        unrelated = [
            m
            for m in very_high
            if m is not match and m.info.id not in info.parents and m.info.id not in info.children
        ]
        row = [
            match.score,
            best - match.score,
            match.score - following,
            rank,
            rank == 0,
            best - second if rank == 0 else match.score - best,
            close,
            high,
            len(matches),
            *(match.matching_type == kind for kind in KINDS),
            match.pair,
            match.weak,
            match.former,
            match.common_words_only,
            match.lacking,
            match.extra,
            match.part,
            match.part / max(parts, 1),
            match.part == 0,
            parts,
            span_words,
            span_words / words,
            len(match.span),
            bool(parents),
            max(parents, default=0.0),
            bool(children),
            max(children, default=0.0),
            len(children),
            bool(info.parents),
            math.log1p(len(info.children)),
            *(kind in info.types for kind in TYPES),
            ranking.names_city(match),
            bool(ranking.countries),
            len(info.countries),
            match.span.split(" ", 1)[0] in UNIT_WORDS,
            match.span in whole_parts,
            sum(score > match.score for score in same_part),
            max(same_part, default=0.0),
            len(unrelated),
            min((m.part for m in unrelated), default=-1),
            len(high_parts),
            high_parts.index(match.part) if match.part in high_parts else -1,
        ]
        rows.append(row)  # bools and ints, read as floats by the model
    return rows
