"""What the matcher found for one affiliation string, before anything is chosen."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import tantivy

from resmeta.index.matching import MatchingInfo
from resmeta.services.affiliations.text import Part, normalise, place_words


@dataclass
class Match:
    info: MatchingInfo
    address: tantivy.DocAddress
    score: float  # how well the string names this organization, in [0, 1]
    matching_type: str
    substring: str
    span: str = ""  # the normalised words matched
    part: int = 0  # the index of the (first) part the match was found in
    width: int = 1  # how many neighbouring parts the words matched run across
    weak: bool = False  # the string cannot name it alone: an ambiguous acronym, a generic unit
    former: bool = False  # found by the name of one it succeeded, or of a withdrawn unit
    bare: bool = False  # found only by a name less its qualifier or legal form ("Zoetis")
    less_city: bool = False  # found only by a name less its city ("Washington University")
    common_words_only: bool = False  # every word matched is one that many names hold
    name: str = ""  # the organization's name (normal words) the words matched are likest
    # Of a fuzzy match: rare words of that name the words matched lack, and the reverse
    lacking: int = 0
    extra: int = 0
    chosen: bool = False
    # The chooser's chance that this is the organization meant; for the chosen match, the
    # chance its choice rests on (with its namesakes', or a unit's or parent's that gave
    # way to it).
    confidence: float = 0.0

    def copy(self) -> Match:
        """A copy to change: what a part finds is cached, and each string ranks copies.
        (Faster than `copy.copy`, which a ranking would spend 5 % of its time in.)"""
        twin = Match.__new__(Match)
        twin.__dict__ = self.__dict__.copy()
        return twin

    @property
    def pair(self) -> bool:
        """Whether it was found across parts: a name holding a comma."""
        return self.width > 1

    def by_display_name(self) -> bool:
        """Whether the part it was found by is its organization's display name, not only a
        label or alias: "Hospital for Sick Children" is Toronto's name, and an alias of
        Great Ormond Street Hospital. (Inside a longer part, the name may be part of
        another's: "Royal Hospital for Sick Children".)"""
        return self.matching_type == "EXACT" and self.span == normalise(self.info.display)


@dataclass
class Ranking:
    """The candidates for one string, best score first, and what the string says besides."""

    matches: list[Match]
    parts: list[Part]
    countries: set[str] = field(default_factory=set)  # ISO codes the string names
    words: str = field(init=False)  # every part's normal words, padded with spaces

    def __post_init__(self) -> None:
        self.words = " " + " ".join(part.normal for part in self.parts) + " "

    def names_city(self, match: Match) -> bool:
        """Whether the string names the city of `match` besides in the words matched
        ("Aarhus" in "Aarhus University" is no evidence that it is the one in Aarhus)."""
        return names_city(self.words.replace(f" {match.span} ", " ", 1), match.info)


def names_city(words: str, info: MatchingInfo) -> bool:
    """Whether normal `words` name one of the organization's cities."""
    padded = f" {place_words(words)} "
    return any(f" {city} " in padded for city in cities(info))


def cities(info: MatchingInfo) -> frozenset[str]:
    """An organization's cities as places are compared: with the words places abbreviate
    abbreviated (`place_words`)."""
    return _place_names(info.cities)


@functools.lru_cache(maxsize=8_192)  # organizations' cities are compared again and again
def _place_names(cities: tuple[str, ...]) -> frozenset[str]:
    return frozenset(place_words(city) for city in cities if city)  # no name, no place
