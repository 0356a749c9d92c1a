"""Affiliation strings cut into parts and normalised the way indexed names are."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from resmeta.index import analysis

_SEPARATORS = re.compile(r"([,;:|()\[\]{}\n\t]|\s[-–—]\s)")  # kept by `re.split`
_EMAIL = re.compile(r"\S+@\S+")
# A small word written against the capitalised name after it, as text extracted from
# documents often has it: "Now withNational Research Council", "Current addressGoogle".
# (Not "in", "for", "de", "du": names begin so, "GGZ inGeest", "forScience", "duPont".)
_GLUED = re.compile(r"\b(of|at|with|the|and|address|affiliation)(?=[A-Z][a-z])")
# A footnote's words before the organization an author moved to or works at besides.
_FOOTNOTE = re.compile(
    r"^(?:(?:current|present|permanent|previous|former)\s+(?:address|affiliation)"
    r"|(?:currently|now|also|previously|formerly)\s+(?:at|with|in))\b",
    re.IGNORECASE,
)
# Words that, after a name, carry it on: what follows belongs to the name ("University of
# New Mexico", "Universidad Nacional de San Agustín")
CONTINUING = frozenset("of de di du des der del da do".split())
# Words that begin the name of a unit inside an organization.
UNIT_WORDS = frozenset(
    "department division faculty school college institute centre center laboratory unit "
    "program programme section group clinic service chair team core".split()
)


# Words that places' names abbreviate or not: "Saint Louis" is "St. Louis".
_PLACE_WORDS = {"saint": "st", "sainte": "ste", "mount": "mt", "fort": "ft"}


@dataclass(frozen=True)
class Part:
    text: str  # as written, trimmed
    normal: str  # words folded, lower case, abbreviations expanded, numbers dropped
    numbered: str  # the same with its numbers ("universite paris 8")
    bracketed: bool = False  # written in brackets: "(GT)" is an acronym, not Guatemala

    @functools.cached_property
    def reordered(self) -> str:
        """Its words as names' are compared in any order: `analysis.sorted_words`, in
        number."""
        return analysis.sorted_words(self.normal, number=True)


def normalise(text: str) -> str:
    """As `analysis.as_matched` makes names, less numbers (street numbers, postcodes, footnotes)."""
    return _without_numbers(analysis.as_matched(text))


def place_words(words: str) -> str:
    """Normal words with the words places abbreviate abbreviated, to compare place names."""
    # Most words hold none of `_PLACE_WORDS` (whose keys these spell): spare splitting them.
    if "saint" not in words and "mount" not in words and "fort" not in words:
        return words
    return " ".join(_PLACE_WORDS.get(word, word) for word in words.split())


def _without_numbers(words: str) -> str:
    return " ".join(w for w in words.split() if not w.isdigit())


def split_parts(text: str) -> list[Part]:
    """The comma- (or semicolon-, bracket-, dash-) separated parts that hold letters, with
    small words written against the next one parted from it and a footnote's words
    ("Present address") dropped."""
    parts = []
    pieces = _SEPARATORS.split(_GLUED.sub(r"\1 ", _EMAIL.sub(" ", text)))
    for number in range(0, len(pieces), 2):  # pieces, each but the first after a separator
        piece = _FOOTNOTE.sub("", pieces[number].strip()).strip(" .-–—'\"")
        numbered = analysis.as_matched(piece)
        normal = _without_numbers(numbered)
        if normal and any(c.isalpha() for c in normal):
            bracketed = number > 0 and pieces[number - 1] in ("(", "[", "{")
            parts.append(Part(piece, normal, numbered, bracketed))
    return parts


def joined(parts: list[Part]) -> Part:
    """Neighbouring parts as one, commas and all, normalised whole: a small word beginning
    one of them stays, as a name holds it ("Department of Climate Change, Energy, the
    Environment and Water")."""
    text = ", ".join(part.text for part in parts)
    numbered = analysis.as_matched(text)
    return Part(text, _without_numbers(numbered), numbered)


def runs(parts: list[Part], shortest: int, longest: int) -> list[tuple[int, int, Part]]:
    """Every run of `shortest` to `longest` consecutive parts, shorter runs first, each with
    its first part and how many parts it holds; a single part is itself, longer runs are
    `joined`."""
    result = []
    for size in range(shortest, longest + 1):
        for start in range(len(parts) - size + 1):
            run = parts[start] if size == 1 else joined(parts[start : start + size])
            result.append((start, size, run))
    return result
