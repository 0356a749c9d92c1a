"""InvenioRDM's funders vocabulary (`/api/funders`) on the ROR index: the search rules.

Records are the funder JSON stored per ROR record (`resmeta.records.funder`); the fields
searched are the funder record's own, indexed beside it (`index/documents.py`).

* `q`: Lucene query-string syntax, as Elasticsearch's `query_string` over the funder fields
  (terms without an operator are alternatives, OR). A word also matches the words it begins
  ("uni" finds "University"): exact words score higher. A query the parser cannot read, or
  one naming an unknown field, is searched as plain words instead.
* `suggest`: search-as-you-type. Each word is looked up in the name, acronym, aliases,
  English title and country name, as a whole word, as the beginning of a word or with one
  typo (words of four characters or more: a letter dropped, added, replaced, or two swapped;
  the last word may be the beginning of a word with a typo in it, as it is still being
  typed); the whole text is also looked up among the identifiers (exactly or as a
  beginning).
  Fields weigh as in invenio-vocabularies (name 100, acronym 50, aliases and title 20,
  identifiers 10, country name 5), and within a field a whole word counts 3 times, a
  beginning twice, a typo once: the best of these per word, summed over the words. A text
  that is the whole name, an acronym or an identifier of an organization puts it first (as
  the ROR search does); among equal matches, shorter names come first.
* order: best match (with a query), name, newest or oldest (ROR's creation date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import tantivy
from luqum import tree

from resmeta.index import analysis
from resmeta.index.fields import BY_NAME, FUNDER, Field, Kind
from resmeta.index.query import QueryError, Translator, parse
from resmeta.index.reader import OrganizationIndex, SearchFailed

__all__ = ["FunderSearch", "FunderService", "FunderHits", "SearchFailed", "SORTS"]

Occur = tantivy.Occur
Query = tantivy.Query

DEFAULT_SIZE = 25
MAX_RESULTS = 10_000  # hits beyond this rank cannot be paged to, as in InvenioRDM
SORTS = ("bestmatch", "name", "newest", "oldest")
SORT_FIELDS = {"name": ("sort_name", False), "newest": ("created_date", True)}
SORT_FIELDS["oldest"] = ("created_date", False)
MAX_SUGGEST_WORDS = 10
MAX_FALLBACK_WORDS = 64
MAX_IDENTIFIER_LENGTH = 200  # longer suggestions are no identifier
FUZZY_MIN_LENGTH = 4  # shorter words ("and", "of") must be typed right

Q_FIELDS: dict[str, str] = {
    "name": "names_display",
    "title": "funder_title",
    "title.*": "funder_title",
    "acronym": "funder_acronym",
    "aliases": "funder_aliases",
    "country": "funder_country",
    "country_name": "funder_country_name",
    "identifiers.identifier": "funder_identifiers",
    "id": "id",
    "status": "status",
    "types": "types",
}
"""Field names `q` accepts (the funder record's) and the index field each one searches;
`title.<lang>` searches the title in that language."""

Q_DEFAULT_FIELDS: tuple[tuple[str, float], ...] = (
    ("names_display", 10.0),
    ("funder_acronym", 8.0),
    ("funder_title", 5.0),
    ("funder_aliases", 5.0),
    ("funder_identifiers", 5.0),
    ("funder_country_name", 1.0),
    ("funder_country", 1.0),
)
"""Where terms without a field look, and how much each field weighs."""

PREFIX_FIELDS: dict[str, str] = {
    "names_display": "funder_name_prefix",
    "funder_title": "funder_title_prefix",
    "funder_acronym": "funder_acronym_prefix",
    "funder_aliases": "funder_aliases_prefix",
    "funder_country_name": "funder_country_name_prefix",
}
"""The prefix (edge n-gram) field beside each searched field that has one."""
TITLE_BY_LANGUAGE = "funder_title_lang"
AUTOMATON_PREFIX_FIELDS = frozenset({"funder_identifiers"})
"""Fields whose beginnings are found by a prefix automaton on their terms: identifiers are
long and unique, so n-grams of them would double the term dictionary, while what a user types
of one is specific enough to scan few terms."""
EXACT_WORD_BOOST = 2.0  # in `q`, a whole word outweighs a word it only begins

SUGGEST_FIELDS: tuple[tuple[str, float], ...] = (
    ("names_display", 100.0),
    ("funder_acronym", 50.0),
    ("funder_aliases", 20.0),
    (TITLE_BY_LANGUAGE + ".en", 20.0),
    ("funder_country_name", 5.0),
)
SUGGEST_IDENTIFIER_WEIGHT = 10.0
WHOLE, BEGINNING, TYPO = 3.0, 2.0, 1.0
# Above any sum of word matches: the text is a whole name, acronym or identifier.
WHOLE_NAME_BONUS, WHOLE_ACRONYM_BONUS, IDENTIFIER_BONUS = 1000.0, 500.0, 1000.0
TIE_BREAK = 0.05  # BM25 on the name's words: shorter names first among equal matches

_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*")


@dataclass(frozen=True)
class FunderSearch:
    q: str | None = None  # None or blank: no query
    suggest: str | None = None
    sort: str | None = None  # None: bestmatch with a query, else name
    page: int = 1
    size: int = DEFAULT_SIZE
    funders_only: bool = False  # only records typed `funder` (an extension)

    @property
    def has_query(self) -> bool:
        return bool((self.q or "").strip() or (self.suggest or "").strip())

    @property
    def effective_sort(self) -> str:
        return self.sort or ("bestmatch" if self.has_query else "name")


@dataclass(frozen=True)
class FunderHits:
    total: int
    hits: list[bytes]  # funder JSON, `links.self` a path
    sort: str


class FunderService:
    def __init__(self, index: OrganizationIndex) -> None:
        self.index = index
        self.schema = index.schema
        self._translator = FunderTranslator(
            self.schema,
            resolve_field=_q_field,
            default_fields=tuple(name for name, _ in Q_DEFAULT_FIELDS),
            default_operator="OR",
        )

    def get(self, bare_id: str) -> bytes | None:
        """The funder JSON of a record of any status, by bare ROR ID."""
        return self.index.get(bare_id, FUNDER)

    def search(self, request: FunderSearch) -> FunderHits:
        """A page of funders and the exact total. Pages start below MAX_RESULTS (the API
        checks); a page reaching past it is cut there."""
        offset = (request.page - 1) * request.size
        if offset >= MAX_RESULTS:
            raise ValueError(f"page {request.page} of {request.size} starts past {MAX_RESULTS}")
        limit = min(request.size, MAX_RESULTS - offset)
        if (request.q or "").strip():
            query = self._q_query(request.q)
        elif (request.suggest or "").strip():
            query = self._suggest_query(request.suggest)
        else:
            query = Query.all_query()
        if request.funders_only:
            only = Query.const_score_query(self._term("types", "funder"), 0.0)
            query = Query.boolean_query([(Occur.Must, query), (Occur.Must, only)])
        sort = request.effective_sort
        # Among equally good matches, organizations with more units in ROR first, as `query`
        # of the ROR API ranks them ("oxford": the University of Oxford).
        order: dict = {"weight_by": "prominence"}
        if sort in SORT_FIELDS:
            field_name, descending = SORT_FIELDS[sort]
            order = {"order_by": field_name, "descending": descending}
        hits = self.index.search(query, offset, limit, document=FUNDER, **order)
        return FunderHits(hits.total, hits.documents, sort)

    # -- q --------------------------------------------------------------------------------------

    def _q_query(self, text: str) -> Query:
        try:
            return self._translator.translate(parse(text)).query
        except Exception:  # QueryError, or whatever else the parser trips on: plain words
            pass
        words = list(dict.fromkeys(analysis.words(text)))[:MAX_FALLBACK_WORDS]
        if not words:
            return Query.empty_query()
        node = tree.Word(words[0]) if len(words) == 1 else tree.OrOperation(*map(tree.Word, words))
        return self._translator.translate(node).query

    # -- suggest -------------------------------------------------------------------------------

    def _suggest_query(self, text: str) -> Query:
        clauses: list[tuple[tantivy.Occur, Query]] = []
        words = list(dict.fromkeys(analysis.words(text)))[:MAX_SUGGEST_WORDS]
        for position, word in enumerate(words, 1):
            # Only the last word may be still being typed: a typo in an earlier one is
            # looked for in whole words (which scans far fewer terms).
            typing = position == len(words)
            alternatives = []
            for field_name, weight in SUGGEST_FIELDS:
                alternatives.append(_const(self._term(field_name, word), WHOLE * weight))
                beginning = self._beginning(field_name, word)
                alternatives.append(_const(beginning, BEGINNING * weight))
                if len(word) >= FUZZY_MIN_LENGTH:
                    typo = Query.fuzzy_term_query(self.schema, field_name, word, 1, True, typing)
                    alternatives.append(_const(typo, TYPO * weight))
            clauses.append((Occur.Should, Query.disjunction_max_query(alternatives)))
            tie_break = self._term(PREFIX_FIELDS["names_display"], word)
            clauses.append((Occur.Should, Query.boost_query(tie_break, TIE_BREAK)))
        identifier = analysis.keyword(text.strip())
        if 0 < len(identifier) <= MAX_IDENTIFIER_LENGTH:
            weight = SUGGEST_IDENTIFIER_WEIGHT
            exact = _const(self._term("funder_identifiers", identifier), IDENTIFIER_BONUS)
            beginning = self._beginning("funder_identifiers", identifier)
            beginning = _const(beginning, BEGINNING * weight)
            clauses.append((Occur.Should, Query.disjunction_max_query([exact, beginning])))
        match = Query.boolean_query(clauses)
        whole = analysis.exact(text)
        if not whole:
            return match
        # The text is the whole name or an acronym: that organization first.
        bonuses = [
            _const(self._term("display_exact", whole), WHOLE_NAME_BONUS),
            _const(self._term("acronym_exact", whole), WHOLE_ACRONYM_BONUS),
        ]
        return Query.boolean_query(
            [(Occur.Must, match), *((Occur.Should, bonus) for bonus in bonuses)]
        )

    def _beginning(self, field_name: str, value: str) -> Query:
        return beginning_query(self.schema, field_name, value)

    def _term(self, field_name: str, value: str) -> Query:
        return Query.term_query(self.schema, field_name, value)


def beginning_query(schema: tantivy.Schema, field_name: str, value: str) -> Query:
    """Terms of `field_name` that begin with `value` (an analyzed term): one term of the
    prefix field beside it when there is one and `value` has a length it holds, else a
    prefix automaton over the field's terms."""
    prefix_field = PREFIX_FIELDS.get(field_name)
    if prefix_field is not None and analysis.PREFIX_MIN <= len(value) <= analysis.PREFIX_MAX:
        return Query.term_query(schema, prefix_field, value)
    return Query.fuzzy_term_query(schema, field_name, value, 0, True, True)


def _const(query: Query, score: float) -> Query:
    return Query.const_score_query(query, score)


class FunderTranslator(Translator):
    """`q` in Lucene syntax: the ROR translator, plus word beginnings, per-language titles,
    field weights, and the same costly term counted once however many fields it searches."""

    def _count_expensive(self, node: object) -> None:
        # On the per-call copy `translate` walks with: the shared translator never holds it.
        seen = self.__dict__.setdefault("_costly_seen", set())
        key = str(node)
        if key not in seen:
            seen.add(key)
            super()._count_expensive(node)

    def _leaf(self, node: tree.Item, field: Field | None) -> Query:
        if field is not None:
            return super()._leaf(node, field)
        queries = [
            Query.boost_query(super(FunderTranslator, self)._leaf(node, BY_NAME[name]), weight)
            for name, weight in Q_DEFAULT_FIELDS
        ]
        return Query.disjunction_max_query(queries)

    def _term(self, field: Field, value: str) -> Query:
        exact = Query.term_query(self.schema, field.name, value)
        if not (
            field.name in PREFIX_FIELDS
            or field.name in AUTOMATON_PREFIX_FIELDS
            or _by_language(field)
        ):
            return exact
        beginning = beginning_query(self.schema, field.name, value)
        return Query.boolean_query(
            [
                (Occur.Should, Query.boost_query(exact, EXACT_WORD_BOOST)),
                (Occur.Should, beginning),
            ]
        )

    def _wildcard(self, value: str, field: Field) -> Query:
        if not _by_language(field):
            return super()._wildcard(value, field)
        # No regular expressions on a JSON path in tantivy: only `word*` works there.
        stem = value[:-1]
        if value.endswith("*") and not re.search(r"(?<!\\)[*?]", stem):
            words = analysis.words(stem.replace("\\", ""))
            if len(words) == 1:
                self._count_expensive(value)
                return Query.fuzzy_term_query(self.schema, field.name, words[0], 0, True, True)
        raise QueryError(f"only a trailing * is supported on title.<language> ('{value}')")

    def _regex(self, pattern: str, field: Field) -> Query:
        if _by_language(field):
            raise QueryError("regular expressions are not supported on title.<language>")
        return super()._regex(pattern, field)


def _by_language(field: Field) -> bool:
    return field.name.startswith(TITLE_BY_LANGUAGE + ".")


def _q_field(name: str) -> Field:
    if name in Q_FIELDS:
        return BY_NAME[Q_FIELDS[name]]
    if name.startswith("title."):
        language = name.removeprefix("title.").lower()
        if _LANGUAGE.fullmatch(language):
            return Field(f"{TITLE_BY_LANGUAGE}.{language}", Kind.TEXT)
    raise QueryError(f"unknown field '{name}'")
