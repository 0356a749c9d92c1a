"""Text analysis shared by indexing and querying, so both sides always agree.

tantivy does not persist custom analyzers: `register` must run in every process that opens
an index. Python-side normalisation uses the very same analyzers through `analyze`.
"""

from __future__ import annotations

import tantivy

TEXT = "resmeta_text"  # words: split on non-alphanumerics, accents folded, lower case
KEYWORD = "resmeta_keyword"  # whole value: accents folded, lower case
RAW = "raw"  # already normalised in Python (see `exact`)
PREFIX = "resmeta_prefix"  # the first PREFIX_MIN to PREFIX_MAX characters of a value, folded
# Beginnings outside this range are found by a prefix automaton over the whole words instead:
# longer ones match few terms, and single letters are rarely worth indexing.
PREFIX_MIN, PREFIX_MAX = 2, 10

_text = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.remove_long(1000))  # bytes: long CJK or Thai names are words
    .filter(tantivy.Filter.ascii_fold())
    .filter(tantivy.Filter.lowercase())
    .build()
)
_keyword = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.raw())
    .filter(tantivy.Filter.ascii_fold())
    .filter(tantivy.Filter.lowercase())
    .build()
)

# Edge n-grams of a whole value: index one word (or identifier) per value for word prefixes.
_prefix = (
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.ngram(PREFIX_MIN, PREFIX_MAX, prefix_only=True))
    .filter(tantivy.Filter.ascii_fold())
    .filter(tantivy.Filter.lowercase())
    .build()
)


def register(index: tantivy.Index) -> None:
    index.register_tokenizer(TEXT, _text)
    index.register_tokenizer(KEYWORD, _keyword)
    index.register_tokenizer(PREFIX, _prefix)
    index.register_fast_field_tokenizer(KEYWORD, _keyword)


def words(text: str) -> list[str]:
    """The tokens a TEXT field holds for `text`."""
    return _text.analyze(text)


def keyword(text: str) -> str:
    """The single token a KEYWORD field holds for `text`."""
    tokens = _keyword.analyze(text)
    return tokens[0] if tokens else ""


# Abbreviations common in names and affiliations, as whole words after folding.
ABBREVIATIONS = {
    "univ": "university",
    "inst": "institute",
    "lab": "laboratory",
    "labs": "laboratories",
    "tech": "technology",
    "natl": "national",
    "intl": "international",
    "dept": "department",
    "hosp": "hospital",
    "ctr": "center",
    "acad": "academy",
    "sch": "school",
    "coll": "college",
    "govt": "government",
}


def exact(text: str) -> str:
    """A whole name reduced to its words, for comparing names: "Paris-Saclay" equals
    "paris saclay", "Univ. of Oxford" equals "The University of Oxford", "&" is "and"."""
    tokens = [ABBREVIATIONS.get(w, w) for w in words(text.replace("&", " and "))]
    if tokens and tokens[0] == "the":
        del tokens[0]
    return " ".join(tokens)
