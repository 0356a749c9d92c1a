"""Lucene query-string syntax (parsed by luqum) translated into tantivy queries.

User input never reaches tantivy's own parser: we walk luqum's tree and build each query
ourselves, so every field, operator and value is checked and errors name what is wrong.
"""

from __future__ import annotations

import copy
import datetime
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import tantivy
from luqum import tree
from luqum.exceptions import ParseError
from luqum.thread import parse as _parse

from resmeta.index import analysis
from resmeta.index.fields import BY_NAME, EXISTS, Field, Kind

Occur = tantivy.Occur
MAX_CLAUSES = 1024
MAX_SLOP = 1000
MAX_EXPENSIVE = 16
I64 = range(-(2**63), 2**63)


class QueryError(ValueError):
    """A query that cannot be run; the message is a sentence for the user."""


def parse(text: str) -> tree.Item:
    try:
        return _parse(text)
    except ParseError as exc:
        raise QueryError(f"cannot parse the query: {exc}") from None
    except RecursionError:
        raise QueryError("the query is nested too deeply") from None


@dataclass(frozen=True)
class Translation:
    query: tantivy.Query
    fields: frozenset[str]  # the field names the query names (`status:`, `_exists_:status`)


@dataclass
class Translator:
    """Turns a luqum tree into a tantivy query.

    `resolve_field` maps a field name written by the user to an index field (or raises
    `QueryError`); `default_fields` are searched by terms written without a field.
    """

    schema: tantivy.Schema
    resolve_field: Callable[[str], Field]
    default_fields: Sequence[str]
    default_operator: str = "AND"
    exists_paths: Callable[[str], str] | None = None

    def translate(self, node: tree.Item) -> Translation:
        walk = copy.copy(self)  # counters are per call: translators are shared
        walk._clauses = walk._expensive = 0
        walk._path = None
        walk._fields = set()
        try:
            query = walk._node(node, None)
        except RecursionError:
            raise QueryError("the query is nested too deeply") from None
        return Translation(query, frozenset(walk._fields))

    # -- structure ---------------------------------------------------------------------------

    def _node(self, node: tree.Item, field: Field | None) -> tantivy.Query:
        self._clauses += 1
        if self._clauses > MAX_CLAUSES:
            raise QueryError(f"the query has more than {MAX_CLAUSES} clauses")
        if isinstance(node, tree.SearchField):
            return self._search_field(node)
        if isinstance(node, (tree.Group, tree.FieldGroup)):
            return self._node(node.expr, field)
        if isinstance(node, tree.AndOperation):
            return self._boolean(node.children, "AND", field)
        if isinstance(node, tree.OrOperation):
            return self._boolean(node.children, "OR", field)
        if isinstance(node, tree.UnknownOperation):
            return self._boolean(node.children, self.default_operator, field)
        if isinstance(node, (tree.Not, tree.Prohibit)):
            return _only_not(self._node(node.a, field))
        if isinstance(node, tree.Plus):
            return self._node(node.a, field)
        if isinstance(node, tree.Boost):
            return tantivy.Query.boost_query(self._node(node.expr, field), float(node.force or 1))
        if isinstance(node, (tree.Word, tree.Phrase, tree.Fuzzy, tree.Proximity, tree.Regex)):
            return self._leaf(node, field)
        if isinstance(node, (tree.Range, tree.From, tree.To)):
            if field is None:
                raise QueryError(f"the range '{node}' needs a field, as in established:{node}")
            return self._range(node, field)
        raise QueryError(f"'{node}' is not supported in queries")

    def _boolean(self, children, operator: str, field: Field | None) -> tantivy.Query:
        clauses = []
        for child in children:
            if isinstance(child, (tree.Not, tree.Prohibit)):
                clauses.append((Occur.MustNot, self._node(child.a, field)))
            elif isinstance(child, tree.Plus):
                clauses.append((Occur.Must, self._node(child.a, field)))
            else:
                occur = Occur.Must if operator == "AND" else Occur.Should
                clauses.append((occur, self._node(child, field)))
        if all(occur == Occur.MustNot for occur, _ in clauses):
            clauses.append((Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(clauses)

    def _search_field(self, node: tree.SearchField) -> tantivy.Query:
        if node.name == "*" and isinstance(node.expr, tree.Word) and node.expr.value == "*":
            return self._all()  # `*:*`, Lucene's match-all
        if node.name == "_exists_":
            if not isinstance(node.expr, tree.Word):
                raise QueryError("_exists_ takes one field name, as in _exists_:established")
            return self._exists(_unescape(node.expr.value))
        field = self.resolve_field(node.name)
        self._fields.add(node.name)
        self._path = node.name
        expr = node.expr
        if isinstance(expr, tree.Word) and expr.value == "*":
            return self._exists(node.name)
        if (
            isinstance(expr, tree.Prohibit)
            and isinstance(expr.a, tree.Word)
            and field.kind in (Kind.INTEGER, Kind.FLOAT)
        ):
            expr = tree.Word("-" + expr.a.value)  # `lng:-118.2` is a number, not NOT 118.2
        return self._node(expr, field)

    def _exists(self, name: str) -> tantivy.Query:
        if self.exists_paths is None:
            raise QueryError("_exists_ is not supported here")
        self._fields.add(name)
        return tantivy.Query.term_query(
            self.schema, EXISTS, analysis.keyword(self.exists_paths(name))
        )

    def _count_expensive(self, node: object) -> None:
        """Wildcards, regexes and fuzzy terms scan the term dictionary: allow a few only."""
        self._expensive += 1
        if self._expensive > MAX_EXPENSIVE:
            raise QueryError(
                f"at most {MAX_EXPENSIVE} wildcard, regular expression or fuzzy terms are "
                f"allowed in a query ('{node}' is one too many)"
            )

    # -- leaves --------------------------------------------------------------------------------

    def _leaf(self, node: tree.Item, field: Field | None) -> tantivy.Query:
        if field is None:
            fields = [BY_NAME[name] for name in self.default_fields]
            queries = [self._leaf(node, f) for f in fields]
            return queries[0] if len(queries) == 1 else tantivy.Query.disjunction_max_query(queries)
        if isinstance(node, tree.Word):
            return self._word(_unescape_keep_wildcards(node.value), field)
        if isinstance(node, tree.Phrase):
            return self._phrase(_unescape(node.value[1:-1]), field, slop=0)
        if isinstance(node, tree.Proximity):
            slop = int(node.degree or 0)
            if slop > MAX_SLOP:
                raise QueryError(f"the proximity of '{node}' must be at most {MAX_SLOP}")
            return self._phrase(_unescape(node.term.value[1:-1]), field, slop=slop)
        if isinstance(node, tree.Fuzzy):
            if not isinstance(node.term, tree.Word):
                raise QueryError(f"fuzzy search '{node}' applies to a single word")
            return self._fuzzy(_unescape(node.term.value), node.degree, field)
        return self._regex(node.value[1:-1], field)

    def _word(self, value: str, field: Field) -> tantivy.Query:
        if field.kind in (Kind.INTEGER, Kind.FLOAT, Kind.DATE):
            exact = _typed(_unescape(value), field)
            return self._range_query(field, exact, exact, True, True)
        if _has_wildcard(value):
            return self._wildcard(value, field)
        value = _unescape(value)
        if field.kind is Kind.TEXT:
            return self._text(analysis.words(value), field, slop=0)
        return self._term(field, self._normalise(value, field))

    def _phrase(self, value: str, field: Field, slop: int) -> tantivy.Query:
        if field.kind is Kind.TEXT:
            return self._text(analysis.words(value), field, slop)
        return self._word(value.replace("*", r"\*").replace("?", r"\?"), field)

    def _text(self, words: list[str], field: Field, slop: int) -> tantivy.Query:
        if not words:
            return tantivy.Query.empty_query()
        if len(words) == 1:
            return self._term(field, words[0])
        return tantivy.Query.phrase_query(self.schema, field.name, words, slop)

    def _term(self, field: Field, value: str) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field.name, value)

    def _normalise(self, value: str, field: Field) -> str:
        return analysis.exact(value) if field.kind is Kind.EXACT else analysis.keyword(value)

    def _fuzzy(self, value: str, degree: Decimal | None, field: Field) -> tantivy.Query:
        if field.kind not in (Kind.TEXT, Kind.KEYWORD, Kind.EXACT):
            raise QueryError(f"fuzzy search does not apply to the {field.kind.value} field")
        terms = (
            analysis.words(value) if field.kind is Kind.TEXT else [self._normalise(value, field)]
        )
        if len(terms) != 1:
            return self._text(terms, field, slop=0)
        term = terms[0]
        self._count_expensive(value)
        if degree is not None and degree >= 1:
            distance = min(int(degree), 2)
        else:  # Elasticsearch's AUTO: longer words tolerate more edits
            distance = 0 if len(term) <= 2 else 1 if len(term) <= 5 else 2
        return tantivy.Query.fuzzy_term_query(self.schema, field.name, term, distance, True, False)

    def _wildcard(self, value: str, field: Field) -> tantivy.Query:
        if field.kind not in (Kind.TEXT, Kind.KEYWORD, Kind.EXACT):
            raise QueryError(f"wildcards do not apply to the {field.kind.value} field")
        pattern, literal = [], []
        for escaped, char in re.findall(r"(\\)?(.)", value, flags=re.DOTALL):
            if not escaped and char in "*?":
                pattern.append(_regex_escape(analysis.keyword("".join(literal))))
                pattern.append(".*" if char == "*" else ".")
                literal = []
            else:
                literal.append(char)
        pattern.append(_regex_escape(analysis.keyword("".join(literal))))
        self._count_expensive(value)
        try:
            return tantivy.Query.regex_query(self.schema, field.name, "".join(pattern))
        except ValueError as exc:
            raise QueryError(f"the wildcard '{value}' is too complex: {exc}") from None

    def _regex(self, pattern: str, field: Field) -> tantivy.Query:
        if field.kind not in (Kind.TEXT, Kind.KEYWORD, Kind.EXACT):
            raise QueryError(f"regular expressions do not apply to the {field.kind.value} field")
        self._count_expensive(pattern)
        try:  # terms are folded to lower case: so must the regex's letters be
            return tantivy.Query.regex_query(self.schema, field.name, pattern)
        except ValueError as exc:
            raise QueryError(f"invalid regular expression /{pattern}/: {exc}") from None

    # -- ranges --------------------------------------------------------------------------------

    def _range(self, node: tree.Item, field: Field) -> tantivy.Query:
        if field.kind not in (Kind.INTEGER, Kind.FLOAT, Kind.DATE):
            raise QueryError(
                f"range queries apply to numbers and dates, not to the {field.kind.value} field"
            )
        if isinstance(node, tree.Range):
            low = self._bound(node.low, field)
            high = self._bound(node.high, field)
            return self._range_query(field, low, high, node.include_low, node.include_high)
        bound = self._bound(node.a, field)
        if isinstance(node, tree.From):
            return self._range_query(field, bound, None, node.include, True)
        return self._range_query(field, None, bound, True, node.include)

    def _bound(self, node: tree.Item, field: Field):
        sign = ""
        if isinstance(node, tree.Prohibit):  # luqum reads the minus of `[-1 TO 1]` as NOT
            sign, node = "-", node.a
        if not isinstance(node, (tree.Word, tree.Phrase)):
            raise QueryError(f"'{node}' is not a valid range bound")
        value = sign + _unescape(str(node.value).strip('"'))
        return None if value == "*" else _typed(value, field)

    def _range_query(self, field: Field, low, high, include_low: bool, include_high: bool):
        if low is None and high is None:  # `[* TO *]`: the field has a value
            return self._exists(self._path) if self._path else self._all()
        field_type = {
            Kind.INTEGER: tantivy.FieldType.Integer,
            Kind.FLOAT: tantivy.FieldType.Float,
            Kind.DATE: tantivy.FieldType.Date,
        }[field.kind]
        return tantivy.Query.range_query(
            self.schema,
            field.name,
            field_type,
            low,
            high,
            include_low or low is None,
            include_high or high is None,
            use_inverted_index=not field.fast,
        )

    def _all(self) -> tantivy.Query:
        return tantivy.Query.all_query()


def _only_not(query: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.boolean_query(
        [(Occur.Must, tantivy.Query.all_query()), (Occur.MustNot, query)]
    )


def _typed(value: str, field: Field) -> int | float | datetime.datetime:
    """The value as the field's type (dates are stored as midnight UTC of their day)."""
    if field.kind is Kind.DATE:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise QueryError(f"'{value}' is not a date in the YYYY-MM-DD form") from None
        return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    try:
        number = int(value) if field.kind is Kind.INTEGER else float(value)
    except ValueError:
        raise QueryError(f"'{value}' is not a number") from None
    if field.kind is Kind.INTEGER and number not in I64:
        raise QueryError(f"'{value}' is too large a number")
    if not math.isfinite(number):
        raise QueryError(f"'{value}' is not a finite number")
    return number


_ESCAPED = re.compile(r"\\(.)")


def _unescape(value: str) -> str:
    return _ESCAPED.sub(r"\1", value)


def _unescape_keep_wildcards(value: str) -> str:
    """Unescape all but `\\*` and `\\?`, which stay escaped so they are not wildcards."""
    return _ESCAPED.sub(lambda m: m.group(0) if m.group(1) in "*?\\" else m.group(1), value)


def _regex_escape(text: str) -> str:
    return re.sub(r"([\\.+*?()|\[\]{}^$#&~\-])", r"\\\1", text)


def _has_wildcard(value: str) -> bool:
    return re.search(r"(?<!\\)[*?]", value) is not None
