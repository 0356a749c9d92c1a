"""Match an affiliation string to ROR organizations.

1. Cut the string into parts at commas and the like, a small word written against the next
   one parted from it and a footnote's words dropped ("Current addressKhalifa University");
   also try each pair of neighbouring parts, since names hold commas too (and longer runs of
   parts, for names only: "Ministry of Education, Culture, Sports, Science and Technology").
   Parts that only name a place are not searched.
2. For each part, retrieve candidates from the index: records with that exact name (numbers
   kept, or written as affiliations often write it: `analysis.name_forms`; or less the city
   that ends it, where no other organization found is called so, or so and its city:
   "Washington University" but not "University of California"), records with
   that acronym (or that acronym and their city: "LMU Munich"; an acronym of several words,
   "EMBL-EBI", that only one uses names it, as does one that only one uses before a unit:
   "UCLA School of Dentistry"), records whose name is a run of the part's
   words, and the best word matches (BM25, without stop words and words most records hold);
   and the same again with long words that no name holds taken for typos of words one edit
   away, and two words that names hold as one joined ("Fu Dan University").
   Unless `all_status`, an inactive or withdrawn record found gives way to its successors
   (a withdrawn unit without any, to its active parents).
3. Score each candidate by how well the part matches its best name: 1.0 for the same words;
   from `PHRASE_SCORE` for a name found whole inside the part, more as it covers more
   (inside the part as meant, that times how well the part matches it as meant); otherwise
   fuzzy similarity (rapidfuzz), of the words as written or sorted, institutions' words in
   English ("Technische Universität" is "Technical University"). Acronyms score lower unless
   only one organization uses them (in the countries the string names, else writes), or
   the rest of the string places only one of them, by its city or a parent or unit it
   names ("NIH, Bethesda"). A
   candidate located outside every country the string names (other than by the words that
   end both the string and the exact name it was found by: "Institut Camille Jordan") is
   dropped, and so is one found only by a part that is the city of an organization another
   part names, with the places after it ("Hartford Hospital, Hartford, United States").
   A generically named unit ("Department of Medicine") whose parent the string does not
   name (not even in the unit's own name) is weakened, unless the part is the institute's
   or centre's name that only it is called by ("Institute of Cancer Research") or the next
   part is its city ("Department of Health, East Perth"); so is a candidate found only by
   its city's name, alone or with the places after it ("Saint Louis, MO"). The best
   `MAX_ITEMS` are kept, among them the best found by each run of words that names one
   well, however many namesakes another run found.
4. The chooser (`chooser.py`, a model trained on labelled strings) chooses one candidate,
   or none when it is unsure; with `multisearch`, each organization the string names.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Iterable
from dataclasses import replace

import tantivy
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from resmeta.index import analysis
from resmeta.index.analysis import STOP_WORDS
from resmeta.index.fields import DOCUMENTS
from resmeta.index.matching import MatchingInfo
from resmeta.index.reader import OrganizationIndex
from resmeta.services.affiliations import countries
from resmeta.services.affiliations.chooser import Chooser, default_chooser
from resmeta.services.affiliations.ranking import Match, Ranking, cities, names_city
from resmeta.services.affiliations.text import (
    CONTINUING,
    UNIT_WORDS,
    Part,
    place_words,
    runs,
    split_parts,
)

NAMES = "names_value"  # the field of names' words
WORD_CANDIDATES = 12
PAIR_CANDIDATES = 4
COMMON = 0.02  # a word in more than this share of records is not searched on its own
# A match on words all this common, in share and in number, is marked `common_words_only`
# (a word in fewer records than this is not common, however small the index).
COMMON_RECORDS = 500
MAX_ITEMS = 10
MIN_SCORE = 0.5
ACRONYM_SCORE = 0.85
UNIQUE_ACRONYM_SCORE = 0.9
ACRONYM_OWNERS = 50  # the most organizations read that use one acronym ("MSU": 23)
# Shorter acronyms are common abbreviations: even one only one organization uses names none
NAMING_ACRONYM_LENGTH = 4
WINDOW = 6  # the most words of a name looked up inside a longer part
TYPO_LENGTH = 5  # the least letters of a word no name holds that is taken for a typo
TYPO_CANDIDATES = 20  # records read for the words one edit away from a typo
GLUED_LENGTH = 3  # the least letters of each of two words written without a space
MEANINGS_CACHE_SIZE = 100_000  # words no name holds whose likely meaning is remembered
UNSPACED_LENGTH = 40  # characters of an unspaced word whose runs are looked up
PHRASE_SCORE = 0.9  # a name found whole in the string: at least this, more as it covers more
MAX_LENGTH = 2000  # characters of an affiliation that are read
MAX_PARTS = 30
MAX_RUN_PARTS = 8  # the most parts a name holding commas is looked up across
OWNED_BY_NAME = frozenset(
    "hospital hospitals clinic clinics museum library press foundation".split()
)
# Words that make a name an institution's, which units belong to, not a unit's subject
INSTITUTION_WORDS = frozenset(
    "university universidad universidade universite universitat universita universiteit "
    "universitet college institute institut institutet instituto academy hospital".split()
)
# Unit words that begin the names of whole institutions too, not only of their units
STANDALONE_UNIT_WORDS = frozenset("institute centre center".split())
# The score of a name whose words are all there, in another order: above almost every name
# found inside the part, which leaves some of its words out ("Medical University of
# Innsbruck" is "Innsbruck Medical University" more than "University of Innsbruck").
REORDERED = 0.99
# ... and alike only with each word in the singular: likely the same name ("Natl Inst Hlth"),
# but not always ("Taylor University", "Taylor's University").
REORDERED_IN_NUMBER = 0.98
SORTED_WORDS = 0.97  # what the likeness of the words sorted, short of the same, is worth
UNIT_WITHOUT_PARENT = 0.85  # a unit named generically, its parent not named: a weak match
SORTED_NAMES = 32_768  # names kept with their words sorted, and their content words:
# candidates recur across strings
PARTS_CACHE_SIZE = 10_000  # parts whose candidates are remembered, for each way of searching
DIFFERENCES_CACHE_SIZE = 32_768  # (name, words matched) whose rare differences are remembered
MAX_SUCCESSIONS = 5  # the most records read to find what an inactive organization became


class AffiliationMatcher:
    def __init__(self, index: OrganizationIndex, chooser: Chooser | None = None) -> None:
        self.index = index
        self.schema = index.schema
        self._chooser = chooser
        self._meanings: dict[str, str] = {}  # `_meant`, remembered: typos recur in bulk
        # Parts recur across strings ("Department of Chemistry", "Peking University"): what
        # each finds is remembered, and `rank` changes only copies of it. So what these
        # functions return depends on their arguments and the index alone.
        self._found_by_part = functools.lru_cache(PARTS_CACHE_SIZE)(self._candidates)
        self._found_as_meant = functools.lru_cache(PARTS_CACHE_SIZE)(self._mistyped)
        self._differences = functools.lru_cache(DIFFERENCES_CACHE_SIZE)(
            self._rare_differences_between
        )
        # The share of records a word is in that makes it `_common`: in a small index every
        # word is in a large share of the records, so it takes `COMMON_RECORDS` too.
        self._common_share = max(COMMON, COMMON_RECORDS / max(index.num_docs, 1))

    @property
    def chooser(self) -> Chooser:
        """The given chooser, else the default one, read on first use (`rank` needs none)."""
        if self._chooser is None:
            self._chooser = default_chooser()
        return self._chooser

    def match(
        self,
        text: str,
        all_status: bool = False,
        threshold: float | None = None,
        multisearch: bool = False,
    ) -> list[Match]:
        """The organizations `text` names, best first; the chosen one, if any, first. One is
        chosen when the chooser's confidence reaches `threshold` (default: the model's); with
        `multisearch`, the others the string names apart from it are chosen too."""
        return self.match_many([text], all_status, threshold, multisearch)[0]

    def match_many(
        self,
        texts: list[str],
        all_status: bool = False,
        threshold: float | None = None,
        multisearch: bool = False,
    ) -> list[list[Match]]:
        """`match` for each text, with one call to the chooser for all of them."""
        rankings = [self.rank(text, all_status) for text in texts]
        self.chooser.choose(rankings, threshold, multisearch)
        return [ranking.matches for ranking in rankings]

    def rank(self, text: str, all_status: bool = False) -> Ranking:
        """The candidates for `text`, best score first, none chosen yet."""
        # Lone surrogates cannot be encoded for the engine: replace them.
        text = text[:MAX_LENGTH].encode("utf-8", "replace").decode("utf-8")
        parts = split_parts(text)[:MAX_PARTS]
        named_countries = countries.detect(parts)
        # A country named by the last words of the string, when they end the exact name of an
        # organization found, is no evidence of where it is: "Institut Camille Jordan" is in
        # France, "Clínica Montserrat" in Colombia.
        last_words = countries.last_words(parts)
        named_besides = countries.detect(parts, with_last_words=False) if last_words else set()
        # Where an acronym is likely meant: else any country written, even inside a name.
        places = named_countries or countries.mentioned(parts)
        found: list[Match] = []

        def keep(matches: Iterable[Match], start: int, width: int) -> None:
            for cached in matches:
                match = cached.copy()
                match.part, match.width = start, width
                named = named_countries
                if last_words and _ends_with(match, last_words, parts):
                    named = named_besides
                if not named or named & set(match.info.countries):
                    found.append(match)

        searched = _searched(parts)
        near = frozenset(places)
        for start, width, span in searched:
            keep(self._found_by_part(span, all_status, width == 1, near), start, width)
        # A long word no name holds is likely mistyped ("Genenetech", "Autnoma"): each part
        # is also looked up as its words were likely meant, even where a name was found as
        # written ("Universidad Nacional" in "Universidad Nacional Autnoma de Mexico").
        for start, width, span in searched:
            if width == 1:
                keep(self._found_as_meant(span, all_status), start, width)
        for start, width, matches in self._names_across(parts, all_status):
            keep(matches, start, width)
        found = _told_apart_less_city(found)
        # "Hartford" in "Hartford Hospital, Hartford, United States" is where the hospital
        # is: it names neither the company called "Hartford" nor the University of Hartford.
        addresses = _addresses(found, parts)
        best: dict[str, Match] = {}
        for match in found:
            if addresses and _at_address(match, addresses, parts):
                continue
            known = best.get(match.info.id)
            if known is None or _better(match, known):
                best[match.info.id] = match
        _acronyms_told_apart(list(best.values()), parts)
        called = collections.Counter(m.span for m in best.values() if _called(m))
        for match in best.values():
            # A name holding a comma, found whole ("Institute of Biomedical Sciences, Academia
            # Sinica"), names the unit's parent in its own words.
            whole_with_parent = match.pair and match.matching_type == "EXACT"
            parents = set(match.info.parents)
            if (
                parents
                and _names_a_unit(match.span)
                and not (_called(match) and called[match.span] == 1)
                and not best.keys() & parents
                and not whole_with_parent
                and not _followed_by_its_city(match, parts)
            ):
                match.score *= UNIT_WITHOUT_PARENT
                match.weak = True
            # "Boston" in "Harvard Medical School, Boston" says where, not which: it is no
            # evidence for "Boston University", found by the same word; nor is "Saint Louis,
            # MO" for the Saint Louis Zoo, in St. Louis.
            if match.matching_type != "EXACT" and _found_by_its_city(match, parts):
                match.weak = True
            # "DCMS" in "Dresden Center for Computational Materials Science (DCMS)" stands for
            # the name beside it, not for "Deccan College of Medical Sciences", which uses it.
            if match.matching_type == "ACRONYM" and _spelled_out_beside(match, parts):
                match.weak = True
            # "Technical College" is any one's: a name less its city names the organization
            # only where the string says where it is ("Washington University, MO").
            if match.less_city and not _placed(match, parts, places) and self._shared(match):
                match.weak = True
        ranked = _kept(sorted(_not_inside_long_names(list(best.values()), parts), key=_order))
        for match in ranked:
            # "University" alone, or "Science and Technology" inside "College of Electronic
            # Science and Technology", says little of which organization is meant.
            match.common_words_only = self._common_only(match.span)
            match.lacking, match.extra = self._rare_differences(match)
        return Ranking(ranked, parts, named_countries)

    def document(self, match: Match, version: int = 2) -> bytes:
        """The JSON of the matched record in schema `version`."""
        return self.index.document(match.address, DOCUMENTS[version])

    # -- retrieval and scoring -----------------------------------------------------------------

    def _candidates(
        self, span: Part, all_status: bool, single: bool, places: frozenset[str]
    ) -> list[Match]:
        matches = []
        words = span.normal.split()
        forms = {span.normal, span.numbered, analysis.without_legal_form(span.normal)}
        exact = self._any("name_forms", sorted(forms))
        hints = []
        for _, info, address in self.index.matching_candidates(exact, 20):
            named = forms.intersection(info.names)
            if named:
                bare = named.issubset(info.bare_names)
                matches.append(
                    Match(info, address, 1.0, "EXACT", span.text, span.normal, bare=bare)
                )
            elif forms.intersection(info.names_less_city):
                # Less its city, a name of common words is any one's ("University College").
                if not self._common_only(span.normal):
                    matches.append(
                        Match(info, address, 1.0, "EXACT", span.text, span.normal, less_city=True)
                    )
            else:  # only an acronym is spelled like that: it will be weighed as one
                hint = Match(
                    info, address, ACRONYM_SCORE, "ACRONYM", span.text, span.normal, weak=True
                )
                hints.append(hint)
        # An acronym of several words in capitals ("EMBL-EBI", "CNR-IAS") that one active
        # organization alone uses (in the countries named, if any) names it; not initials
        # ("U.A.", "A*STAR"), which many organizations' names could give.
        users = [h for h in hints if _active_in(h.info, places)]
        several = len(words) >= 2 and all(len(word) >= 2 for word in words)
        if several and span.text.isupper() and len(users) == 1:
            users[0].score, users[0].weak = UNIQUE_ACRONYM_SCORE, False
        matches += hints
        if len(words) == 1 and span.text.isupper() and 2 <= len(span.text) <= 10:
            owners = self._acronym_owners(words[0])
            # An acronym only one organization in ROR uses (in the countries the string
            # names, if it names any: "CNRS" in France; "NCMM" beside "Centre for Molecular
            # Medicine Norway" is not Nigeria's), and long enough not to be a common
            # abbreviation, names it ("CSIRO"); otherwise it is only a hint.
            sole = _sole_user(owners, places)
            unique = sole if len(span.text) >= NAMING_ACRONYM_LENGTH else None
            for _, info, address in owners:
                named = unique is not None and info.id == unique[0].id
                score = UNIQUE_ACRONYM_SCORE if named else ACRONYM_SCORE
                matches.append(
                    Match(info, address, score, "ACRONYM", span.text, span.normal, weak=not named)
                )
        if single:  # in a pair of parts, a run of words could straddle the comma
            matches += self._names_inside(span, words)
            matches += self._acronym_in_city(span, words)
            matches += self._leading_acronym(span, words, places)
        # A pair of parts is there for names that hold a comma: a few candidates do.
        limit = WORD_CANDIDATES if single else PAIR_CANDIDATES
        matches += self._word_matches(span, self._words_query(words), limit, single)
        # Names of the same words in another order, which the best word matches can miss
        # among many shorter names: "Tokyo University" is the University of Tokyo. (One
        # word in another language is another name: "Medicine" is not "Medicina".)
        if " " in span.reordered:
            query = self._any("name_words", [span.reordered])
            matches += self._word_matches(span, query, limit, single)
        return self._usable(matches, all_status)

    def _names_across(
        self, parts: list[Part], all_status: bool
    ) -> list[tuple[int, int, list[Match]]]:
        """Names written whole across three parts or more, holding two of the commas (or
        other separators) the string is cut at ("Ministry of Education, Culture, Sports,
        Science and Technology"), each with the first part and how many it runs across.
        (Pairs of parts are searched like parts.)"""
        by_form: dict[str, tuple[int, int, Part]] = {}
        for start, width, run in runs(parts, 3, MAX_RUN_PARTS):
            for form in (run.numbered, run.normal):
                by_form.setdefault(form, (start, width, run))
        if not by_form:
            return []
        found = self.index.matching_candidates(self._any("name_forms", sorted(by_form)), 20)
        result = []
        for _, info, address in found:
            named = max((form for form in by_form if form in info.names), key=len, default=None)
            if named is not None:
                start, width, run = by_form[named]
                match = Match(info, address, 1.0, "EXACT", run.text, run.normal)
                result.append((start, width, self._usable([match], all_status)))
        return result

    def _acronym_in_city(self, span: Part, words: list[str]) -> list[Match]:
        """An acronym, then the city of the one active organization using it ("LMU Munich",
        "IISER Bhopal"): that organization, however many others use the acronym (of the
        first `ACRONYM_OWNERS` read)."""
        acronym = span.text.split(" ", 1)[0]
        if len(words) < 2 or not (acronym.isupper() and acronym.isalpha()):
            return []
        city = place_words(" ".join(words[1:]))
        found = [
            (info, address)
            for _, info, address in self._acronym_owners(words[0])
            if info.status == "active" and city in cities(info)
        ]
        if len(found) != 1:
            return []
        info, address = found[0]
        return [Match(info, address, UNIQUE_ACRONYM_SCORE, "ACRONYM", span.text, span.normal)]

    def _leading_acronym(self, span: Part, words: list[str], places: set[str]) -> list[Match]:
        """An acronym of four letters or more that begins a part, before a unit word ("UCLA
        School of Dentistry"): the organization using it, where only one active one does (in
        `places`, if any) and it has units. A part all in capitals has no acronyms to tell
        apart."""
        acronym = span.text.split(" ", 1)[0]
        if (
            len(words) < 2
            or words[1] not in UNIT_WORDS
            or len(acronym) < NAMING_ACRONYM_LENGTH
            or span.text.isupper()
            or not (acronym.isupper() and acronym.isalpha())
        ):
            return []
        sole = _sole_user(self._acronym_owners(words[0]), places)
        # Where the one owner has no units in ROR, the acronym is more likely a word
        # ("EARTH Institute", "HOPE Center") than a unit's parent.
        if sole is None or not sole[0].children:
            return []
        info, address = sole
        return [Match(info, address, UNIQUE_ACRONYM_SCORE, "ACRONYM", acronym, words[0])]

    def _acronym_owners(self, acronym: str) -> list[tuple[float, MatchingInfo, tantivy.DocAddress]]:
        """The first `ACRONYM_OWNERS` organizations using `acronym` (a normal word)."""
        query = self._any("acronym_exact", [acronym])
        return self.index.matching_candidates(query, ACRONYM_OWNERS)

    def _mistyped(self, span: Part, all_status: bool) -> list[Match]:
        """Candidates for a part whose long words that no name holds are taken for typos of
        words that names hold, and whose words that a name holds as one are joined ("Fu Dan
        University"); scored against the part as written. A name found whole inside the part
        as meant ("Zhejiang Unversity School of Medicine") scores as it would there, times
        how well the part as written matches the part as meant; like any fuzzy match, it is
        found by the whole part as written."""
        words = span.normal.split()
        joined = self._joined(words)
        meant = " ".join(self._meant(w) if len(w) >= TYPO_LENGTH else w for w in joined).split()
        if meant == words:
            return []
        query = self._words_query(meant)
        matches = self._word_matches(span, query, WORD_CANDIDATES, True)
        as_meant = Part(span.text, " ".join(meant), " ".join(meant))
        likeness = fuzz.ratio(span.normal, as_meant.normal) / 100
        for match in self._names_inside(as_meant, meant):
            score = match.score * likeness
            fuzzy = replace(
                match, score=score, matching_type="FUZZY", span=span.normal, name=match.span
            )
            matches.append(fuzzy)
        return self._usable(matches, all_status)

    def _joined(self, words: list[str]) -> list[str]:
        """`words`, with neighbours that are one word of a name, split, joined."""
        result: list[str] = []
        for word in words:
            if result and self._split(result[-1], word):
                result[-1] += word
            else:
                result.append(word)
        return result

    def _split(self, first: str, second: str) -> bool:
        """Whether two words are one that names hold, split: more records hold it whole in a
        name than hold the two words in a row ("Fu Dan", for "Fudan"; not "Science Park",
        though a "SciencePark" company has a name). Names from languages written without
        spaces are split in many ways."""
        if min(len(first), len(second)) < 2 or {first, second} & STOP_WORDS:
            return False
        whole = self.index.holders(NAMES, first + second)
        if not whole:
            return False
        in_a_row = tantivy.Query.phrase_query(self.schema, NAMES, [first, second])
        return whole > self.index.count(in_a_row)

    def _meant(self, word: str) -> str:
        """`word` if a name holds it, else its `_correction`."""
        if self.index.share(NAMES, word):
            return word
        meant = self._meanings.get(word)
        if meant is None:
            if len(self._meanings) >= MEANINGS_CACHE_SIZE:
                self._meanings.clear()
            meant = self._meanings[word] = self._correction(word)
        return meant

    def _correction(self, word: str) -> str:
        """The most common name word one edit away from `word` (a letter added, missing,
        changed, or two swapped); else two name words with the space between them missing
        ("SouthernUniversity"); else `word`."""
        typo = tantivy.Query.fuzzy_term_query(self.schema, NAMES, word)
        near = {
            other
            for _, info, _ in self.index.matching_candidates(typo, TYPO_CANDIDATES)
            for name in info.names
            for other in name.split()
            if OSA.distance(word, other, score_cutoff=1) <= 1
        }
        if near:
            return max(near, key=lambda w: (self.index.share(NAMES, w), w))
        halves = [
            (word[:cut], word[cut:])
            for cut in range(GLUED_LENGTH, len(word) - GLUED_LENGTH + 1)
            if self.index.share(NAMES, word[:cut]) and self.index.share(NAMES, word[cut:])
        ]
        commonest = max(
            halves,
            key=lambda h: min(self.index.share(NAMES, h[0]), self.index.share(NAMES, h[1])),
            default=None,
        )
        return " ".join(commonest) if commonest else word

    def _word_matches(
        self, span: Part, query: tantivy.Query, limit: int, single: bool
    ) -> list[Match]:
        matches = []
        for _, info, address in self.index.matching_candidates(query, limit):
            score, kind, weak, name = _similarity(span, info, inside=single)
            matches.append(
                Match(info, address, score, kind, span.text, span.normal, weak=weak, name=name)
            )
        return matches

    def _usable(self, matches: list[Match], all_status: bool) -> list[Match]:
        """The active organizations among `matches`, unless `all_status`. An inactive or
        withdrawn one gives way to its active successors, found by its name: a string that
        names "Harvard Medical School", withdrawn into Harvard University, names the
        university as ROR now records it. A withdrawn one without successors gives way to
        its active parents: ROR withdrew units it no longer records apart, as "University
        of Maryland School of Medicine", of the University of Maryland, Baltimore. (Not an
        inactive one: it closed, and its parent is not what a string naming it means.)"""
        if all_status:
            return matches
        usable = []
        for match in matches:
            info = match.info
            if info.status == "active":
                usable.append(match)
                continue
            if info.status == "withdrawn" and not info.successors:
                instead = self._active_records(info.parents)
            else:
                instead = self._active_successors(info)
            for other, address in instead:
                usable.append(replace(match, info=other, address=address, former=True))
        return usable

    def _active_successors(
        self, info: MatchingInfo
    ) -> list[tuple[MatchingInfo, tantivy.DocAddress]]:
        """The active organizations `info` became, through inactive successors if need be."""
        found, seen, todo = [], {info.id}, list(info.successors)
        while todo and len(seen) <= MAX_SUCCESSIONS:
            bare_id = todo.pop(0)
            record = None if bare_id in seen else self.index.matching_record(bare_id)
            seen.add(bare_id)
            if record is None:
                continue
            if record[0].status == "active":
                found.append(record)
            else:
                todo += record[0].successors
        return found

    def _active_records(self, ids: Iterable[str]) -> list[tuple[MatchingInfo, tantivy.DocAddress]]:
        """The active ones among the records of `ids` the index has."""
        records = (self.index.matching_record(bare_id) for bare_id in ids)
        return [r for r in records if r is not None and r[0].status == "active"]

    def _names_inside(self, span: Part, words: list[str]) -> list[Match]:
        """Names written inside a longer part without a comma around them ("College of
        Optics Zhejiang University"): every run of 2 to `WINDOW` words is looked up."""
        windows = _word_runs(words) if len(words) >= 3 else set()
        for word in words:
            windows |= _unspaced_runs(word)
        if not windows:
            return []
        found = self.index.matching_candidates(self._any("name_forms", sorted(windows)), 20)
        matches = []
        for _, info, address in found:
            inside = max((n for n in info.names if n in windows), key=len, default=None)
            if inside is not None:
                score, weak = _inside_score(inside, span.normal, info)
                bare = inside in info.bare_names
                matches.append(
                    Match(info, address, score, "PHRASE", span.text, inside, weak=weak, bare=bare)
                )
        return matches

    def _shared(self, match: Match) -> bool:
        """Whether an organization neither `match`'s nor related to it holds the words
        matched in a name: "Washington University" is in "Central Washington University"."""
        words = match.span.split()
        if len(words) < 2:
            return True
        query = tantivy.Query.phrase_query(self.schema, NAMES, words)
        kin = {match.info.id, *match.info.parents, *match.info.children}
        holders = self.index.matching_candidates(query, len(kin) + 1)
        return any(info.id not in kin for _, info, _ in holders)

    def _rare_differences(self, match: Match) -> tuple[int, int]:
        """How many rare words of the name a fuzzy match is likest the words matched lack,
        and how many of theirs the name lacks: "Geneva University Hospitals" is not
        "University Hospitals of Cleveland". Words alike in English and in the singular
        (`analysis.folded`: "universidad", "universities") are the same; so is a word no
        name holds and one edit from a word of the other ("Cambirdge"; not "Mainz" for
        "Maine", since names hold "Mainz")."""
        if match.matching_type != "FUZZY" or not match.name:
            return 0, 0
        return self._differences(match.name, match.span)

    def _rare_differences_between(self, name: str, span: str) -> tuple[int, int]:
        name_words, words = _name_words(name), _content_words(span)
        typos = {w for w in words if not self.index.share(NAMES, w)}
        named = {analysis.folded(n) for n in name_words}
        written = {analysis.folded(w) for w in words}
        lacking = [
            n for n in name_words if analysis.folded(n) not in written and not _typo_of(n, typos)
        ]
        extra = [
            w
            for w in words
            if analysis.folded(w) not in named and not (w in typos and _typo_of(w, name_words))
        ]
        return self._rare(lacking), self._rare(extra)

    def _rare(self, words: list[str]) -> int:
        """How many of `words` are not `_common`."""
        return sum(not self._common(word) for word in words)

    def _common_only(self, words: str) -> bool:
        """Whether every content word is `_common`."""
        content = [w for w in words.split() if w not in STOP_WORDS]
        return bool(content) and all(self._common(w) for w in content)

    def _common(self, word: str) -> bool:
        """Whether many names hold the word, in a share of records and in number."""
        return self.index.share(NAMES, word) >= self._common_share

    def _words_query(self, words: list[str]) -> tantivy.Query:
        """Records holding the part's rare words, ranked by all its words. Words most names
        have ("university") would make the engine score most records, so they only rank
        records that hold a rare word too ("copenhagen university" finds "University of
        Copenhagen" before "Copenhagen Zoo")."""
        content = [w for w in words if w not in STOP_WORDS] or words
        rare = [w for w in content if self.index.share(NAMES, w) < COMMON]
        common = sorted(set(content) - set(rare))
        if not rare or not common:
            return self._any(NAMES, content)
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, self._any(NAMES, rare)),
                (tantivy.Occur.Should, self._any(NAMES, common)),
            ]
        )

    def _any(self, field: str, terms: list[str]) -> tantivy.Query:
        """Records with any of the terms, best first. Status is checked afterwards: a status
        clause here would make the engine score every record holding a common word."""
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, field, t)) for t in terms]
        )


def _better(match: Match, known: Match) -> bool:
    """Whether `match` names its organization better than `known`: by score; of equals, one
    the string could name alone, then one across more parts ("University at Albany, State
    University of New York" whole says more than its first part, an alias of the same
    university)."""
    return (match.score, not match.weak, match.width) > (known.score, not known.weak, known.width)


def _order(match: Match) -> tuple[float, str]:
    return -match.score, match.info.id


def _kept(ranked: list[Match]) -> list[Match]:
    """The best `MAX_ITEMS` of `ranked` (best first) that score at least `MIN_SCORE`, with
    the best found by each run of words that names an organization well among them:
    namesakes ("Ministry of Education", in many countries) do not crowd out the
    organization other words name ("Hebei Medical University")."""
    ranked = [m for m in ranked if m.score >= MIN_SCORE]
    firsts: dict[str, Match] = {}
    for match in ranked:
        if match.score >= PHRASE_SCORE:
            firsts.setdefault(match.span, match)
    kept = list(firsts.values())[:MAX_ITEMS]
    taken = {match.info.id for match in kept}
    kept += [m for m in ranked if m.info.id not in taken][: MAX_ITEMS - len(kept)]
    return sorted(kept, key=_order)


def _told_apart_less_city(found: list[Match]) -> list[Match]:
    """`found` less the matches by a name less its city that the words do not tell apart:
    where another organization found by them is called so, or so and its city too
    ("University of California": every campus; "Purdue University West Lafayette")."""
    if not any(match.less_city for match in found):  # most strings: nothing to tell apart
        return found
    called: dict[str, set[str]] = collections.defaultdict(set)
    for match in found:
        if match.less_city or match.matching_type == "EXACT" or _called_and_city(match):
            called[match.span].add(match.info.id)
    return [m for m in found if not m.less_city or len(called[m.span]) == 1]


def _acronyms_told_apart(matches: list[Match], parts: list[Part]) -> None:
    """Make the one of an acronym's organizations the rest of the string places, by its
    city or by a parent or unit it names, the acronym's: "NIH, Bethesda" and "NINDS, NIH"
    are the National Institutes of Health, though five others use "NIH"."""
    owners: dict[str, list[Match]] = collections.defaultdict(list)
    for match in matches:
        if match.matching_type == "ACRONYM" and match.weak:  # so far, weak as ambiguous
            owners[match.span].append(match)
    for found in owners.values():
        if len(found) < 2:
            continue
        placed = [m for m in found if _placed_elsewhere(m, matches, parts)]
        if len(placed) == 1:
            placed[0].score, placed[0].weak = UNIQUE_ACRONYM_SCORE, False


def _placed_elsewhere(acronym: Match, matches: list[Match], parts: list[Part]) -> bool:
    """Whether parts other than the acronym's name its organization's city, or a parent or
    unit of it, by a name or an acronym that could name it alone (two ambiguous acronyms do
    not vouch for each other)."""
    others = " ".join(part.normal for number, part in enumerate(parts) if number != acronym.part)
    if names_city(others, acronym.info):
        return True
    kin = {*acronym.info.parents, *acronym.info.children}
    return any(
        m.info.id in kin
        and m.matching_type != "FUZZY"
        and not m.weak
        and not m.part <= acronym.part < m.part + m.width
        for m in matches
    )


def _placed(match: Match, parts: list[Part], places: set[str]) -> bool:
    """Whether the string names a country (among `places`) or city of `match`'s
    organization."""
    words = " ".join(part.normal for part in parts)
    return bool(places & set(match.info.countries)) or names_city(words, match.info)


def _called_and_city(match: Match) -> bool:
    """Whether a name of `match`'s organization is the words matched and its city."""
    return any(
        name.startswith(f"{match.span} ") and name[len(match.span) + 1 :] in match.info.cities
        for name in match.info.names
    )


def _ends_with(match: Match, words: str, parts: list[Part]) -> bool:
    """Whether `match` was found by the exact name of its organization, ending the string
    with `words`."""
    return (
        match.matching_type == "EXACT"
        and match.part + match.width == len(parts)
        and f" {match.span}".endswith(f" {words}")
    )


def _not_inside_long_names(matches: list[Match], parts: list[Part]) -> list[Match]:
    """`matches` less those found only by words of a name written across three parts or
    more, or across two of which the second says where its organization is: "Ministry of
    Education, Culture, Sports, Science and Technology" does not name a "Ministry of
    Education" as well, unless another part does; nor does "Brigham Young University -
    Idaho" name the one in Utah."""

    def inside(match: Match, name: Match) -> bool:
        outside = parts[: name.part] + parts[name.part + name.width :]
        return (
            match.span != name.span
            and f" {match.span} " in f" {name.span} "
            and not any(f" {match.span} " in f" {part.normal} " for part in outside)
        )

    long_names = [m for m in matches if m.width >= 3 or _placed_pair(m, parts)]
    return [m for m in matches if not any(inside(m, name) for name in long_names)]


def _placed_pair(match: Match, parts: list[Part]) -> bool:
    """Whether `match` is a name found whole across two parts, the second a place where
    its organization is: "Brigham Young University - Idaho", "University of Nevada, Las
    Vegas"."""
    if match.width != 2 or match.matching_type != "EXACT":
        return False
    place = parts[match.part + 1]
    return _in_its_city(match, place) or bool(
        countries.country_of_part(place) & set(match.info.countries)
    )


def _in_its_city(match: Match, part: Part) -> bool:
    """Whether the part is one of the cities of `match`'s organization."""
    return place_words(part.normal) in cities(match.info)


def _searched(parts: list[Part]) -> list[tuple[int, int, Part]]:
    """The spans to search, each with its first part and how many parts it runs across
    (one or two): each distinct span once, less those that only name a place."""
    searched, seen = [], set()
    for start, width, span in runs(parts, 1, 2):  # parts first, then pairs
        if span.numbered not in seen and not countries.country_of_part(span):
            seen.add(span.numbered)
            searched.append((start, width, span))
    return searched


def _word_runs(words: list[str]) -> set[str]:
    return {
        " ".join(words[start : start + size])
        for size in range(2, min(WINDOW, len(words) - 1) + 1)
        for start in range(len(words) - size + 1)
    }


def _unspaced_runs(word: str) -> set[str]:
    """Scripts written without spaces (Chinese, Japanese, Thai) put a whole affiliation in
    one word ("東京大学大学院医学系研究科"): their names are runs of characters inside it."""
    if len(word) < 3 or not any(_unspaced_script(c) for c in word):
        return set()
    word = word[:UNSPACED_LENGTH]
    return {
        word[start : start + size]
        for size in range(2, len(word))
        for start in range(len(word) - size + 1)
    }


def _unspaced_script(char: str) -> bool:
    return (
        "\u0e00" <= char <= "\u0eff" or "\u3040" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af"
    )


def _inside_score(name: str, span: str, info: MatchingInfo) -> tuple[float, bool]:
    """The score of a name found whole inside a longer part: from `PHRASE_SCORE`, more as
    it covers more of the part; and whether it is too weak to choose, when the name is a
    generic unit ("department of health"), names what another organization belongs to
    ("Aarhus University" in "Aarhus University Hospital"), begins a longer name the part
    carries on ("Universidad Nacional" in "Universidad Nacional de San Agustín"; not "of
    Italy" for an organization there: that says where), is followed only by another
    country, as its branch there is ("Weill Cornell Medicine Qatar"), or names the
    subject of a unit the part begins with ("Molecular Microbiology" in "Department of
    Molecular Microbiology and Immunology"; an institution so placed is what the unit
    belongs to: "Institute of Zhejiang University")."""
    score = PHRASE_SCORE + (1 - PHRASE_SCORE) * len(name) / len(span)
    before, found, rest = f" {span} ".partition(f" {name} ")  # not found: inside an unspaced word
    after, _, beyond = rest.strip().partition(" ") if found else ("", "", "")
    places = countries.with_sovereigns(info.countries)
    where = countries.country_named(beyond.strip().removeprefix("the "))
    continued = after in CONTINUING and not where.intersection(places)
    ending = countries.country_named(rest.strip())
    abroad = bool(ending) and not ending & places and place_words(rest.strip()) not in cities(info)
    leads = found and len(before.split()) == 2 and _names_a_unit(f"{before} {name}".strip())
    subject = leads and INSTITUTION_WORDS.isdisjoint(name.split())
    if _names_a_unit(name) or after in OWNED_BY_NAME or continued or abroad or subject:
        return min(score, ACRONYM_SCORE), True
    return score, False


def _sole_user(
    owners: list[tuple[float, MatchingInfo, tantivy.DocAddress]], places: set[str]
) -> tuple[MatchingInfo, tantivy.DocAddress] | None:
    """The one active organization among an acronym's `owners` in `places`, if only one."""
    active = [(info, address) for _, info, address in owners if _active_in(info, places)]
    return active[0] if len(active) == 1 else None


def _active_in(info: MatchingInfo, places: set[str]) -> bool:
    """Whether the organization is active and in one of `places` (ISO codes), or no place
    is known: one an acronym written there could name."""
    return info.status == "active" and (not places or bool(places & set(info.countries)))


def _addresses(matches: list[Match], parts: list[Part]) -> set[int]:
    """The parts that are only the city of an organization another part names well: by a
    name of its own, not a unit's generic one ("Laboratory of Organic Chemistry, Zurich" may
    be ETH Zurich's, found by "Zurich")."""
    named = [
        m for m in matches if m.score >= PHRASE_SCORE and not m.weak and not _names_a_unit(m.span)
    ]
    return {
        number
        for number, part in enumerate(parts)
        for match in named
        if not match.part <= number < match.part + match.width and _in_its_city(match, part)
    }


def _at_address(match: Match, addresses: set[int], parts: list[Part]) -> bool:
    """Whether `match` was found only in an address and the places after it ("Hartford",
    "Hartford, United States")."""
    found_in = range(match.part, match.part + match.width)
    return any(n in addresses for n in found_in) and all(
        n in addresses or countries.country_of_part(parts[n]) for n in found_in
    )


def _followed_by_its_city(match: Match, parts: list[Part]) -> bool:
    """Whether the part after those `match` was found in is its city, as an organization's
    address is written: "Department of Health, East Perth" is the one there."""
    after = match.part + match.width
    return after < len(parts) and _in_its_city(match, parts[after])


def _found_by_its_city(match: Match, parts: list[Part]) -> bool:
    """Whether `match` was found by the name of its city: the words matched, or (for a
    pair of parts) its city and a place ("Saint Louis, MO")."""
    found_in = parts[match.part : match.part + match.width]
    in_city = [part for part in found_in if _in_its_city(match, part)]
    return place_words(match.span) in cities(match.info) or (
        bool(in_city)
        and all(part in in_city or countries.country_of_part(part) for part in found_in)
    )


def _spelled_out_beside(acronym: Match, parts: list[Part]) -> bool:
    """Whether a part beside the one `acronym` was found in spells it out, as a name that
    is none of its organization's."""
    if acronym.pair:
        return False
    for number in (acronym.part - 1, acronym.part + 1):
        if 0 <= number < len(parts):
            words = parts[number].normal
            own = any(f" {name} " in f" {words} " for name in acronym.info.names)
            if _spells(acronym.span, words) and not own:
                return True
    return False


def _spells(acronym: str, words: str) -> bool:
    """Whether the letters of `acronym` are initials of `words` in order, the first of them
    the first: "dcms" of "dresden center for computational materials science"."""
    initials = [word[0] for word in words.split() if word not in STOP_WORDS]
    if not initials or acronym[:1] != initials[0]:
        return False
    rest = iter(initials[1:])
    return all(letter in rest for letter in acronym[1:])


# `analysis.sorted_words` in number, for `fuzz.ratio` (rapidfuzz's `token_sort_ratio`), cached
# for names: they recur across strings. (A part keeps its own: `Part.reordered`.)
_sorted_name = functools.lru_cache(maxsize=SORTED_NAMES)(
    functools.partial(analysis.sorted_words, number=True)
)


def _content_words(words: str) -> tuple[str, ...]:
    """The words that say what an organization is: not small words, not numbers (parts
    are read without them). A tuple: `_name_words` shares the cached result."""
    return tuple(dict.fromkeys(w for w in words.split() if w not in STOP_WORDS and not w.isdigit()))


_name_words = functools.lru_cache(maxsize=SORTED_NAMES)(_content_words)


def _typo_of(word: str, others: Iterable[str]) -> bool:
    """Whether `word` is one edit from one of `others`."""
    return any(OSA.distance(word, other, score_cutoff=1) <= 1 for other in others)


def _called(match: Match) -> bool:
    """Whether the part is the display name of the organization found, and that name begins
    as an institution's may ("Centre for Genomic Regulation", "Institute of Cancer
    Research"): what it is called, not only how a unit of somewhere else is described."""
    return match.span.split(" ", 1)[0] in STANDALONE_UNIT_WORDS and match.by_display_name()


def _names_a_unit(words: str) -> bool:
    """Whether the words name a unit generically, like "department of medicine": many
    organizations have such units, so the name alone does not tell which one is meant."""
    first, _, rest = words.partition(" ")
    return first in UNIT_WORDS and rest.split(" ", 1)[0] in ("of", "for", "in", "on")


def _similarity(part: Part, info: MatchingInfo, inside: bool) -> tuple[float, str, bool, str]:
    """How well a part matches the best of an organization's names, how, whether the match
    is too weak to choose (`_inside_score`), and that name. With `inside`, a name found
    whole within the part counts (not across parts' commas)."""
    span, reordered = part.normal, part.reordered
    if span in info.names:
        return 1.0, "EXACT", False, span
    best, kind, weak, likest = 0.0, "FUZZY", False, ""
    padded = f" {span} "
    for name in info.names:
        # the same words in another order: "leipzig university", "university of leipzig"
        sorted_name = _sorted_name(name)
        if sorted_name != reordered:
            alike = SORTED_WORDS * fuzz.ratio(reordered, sorted_name) / 100
        elif analysis.sorted_words(name) == analysis.sorted_words(span):
            alike = REORDERED
        else:
            alike = REORDERED_IN_NUMBER
        score = max(fuzz.ratio(span, name) / 100, alike)
        if score > best:
            best, kind, weak, likest = score, "FUZZY", False, name
        if inside and " " in name and f" {name} " in padded:
            covered, capped = _inside_score(name, span, info)
            if covered > best:
                best, kind, weak, likest = covered, "PHRASE", capped, name
    return best, kind, weak, likest
