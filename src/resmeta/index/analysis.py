"""Text analysis shared by indexing and querying, so both sides always agree.

tantivy does not persist custom analyzers: `register` must run in every process that opens
an index. Python-side normalisation uses the very same analyzers through `analyze`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

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
    """The tokens a TEXT field holds for `text`. Accents typed as separate combining marks
    ("e" + "\u0301") are composed first: the tokenizer would split words at them."""
    return _text.analyze(unicodedata.normalize("NFC", text))


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
# Those Web of Science writes addresses in ("Chinese Acad Sci, Inst Phys"), as the word
# names hold most often where one stands for several ("sci": science or sciences), which
# fuzzy matching finds close to the others. Only affiliation matching reads them
# (`as_matched`): searching names, "int" is what it is, an acronym of several.
WOS_ABBREVIATIONS = {
    "calif": "california",
    "int": "international",
    "gen": "general",
    "sci": "science",
    "med": "medical",
    "res": "research",
    "phys": "physics",
    "chem": "chemistry",
    "biochem": "biochemistry",
    "biol": "biology",
    "mol": "molecular",
    "genet": "genetics",
    "engn": "engineering",
    "technol": "technology",
    "math": "mathematics",
    "appl": "applied",
    "agr": "agricultural",
    "environm": "environmental",
    "hlth": "health",
    "clin": "clinical",
    "nucl": "nuclear",
    "geophys": "geophysics",
    "observ": "observatory",
    "fdn": "foundation",
    "assoc": "association",
    "soc": "society",
    "minist": "ministry",
    "grad": "graduate",
    "polytech": "polytechnic",
    "fed": "federal",
    "pharmaceut": "pharmaceutical",
}


def exact(text: str) -> str:
    """A whole name reduced to its words, for comparing names: "Paris-Saclay" equals
    "paris saclay", "Univ. of Oxford" equals "The University of Oxford", "&" is "and"."""
    return _reduced(text, {}, set())


@functools.lru_cache(maxsize=65_536)  # indexing reads each name several times
def as_matched(text: str) -> str:
    """`exact` words, with the abbreviations Web of Science writes addresses in expanded too
    ("Chinese Acad Sci"), as affiliations and the names they are matched to are compared.
    Such a word written in capitals is an acronym ("SCI Co., Ltd."), unless the whole text
    is in capitals ("CZECH ACAD SCI")."""
    acronyms: set[str] = set()
    if text.upper() != text:
        capitals = " ".join(word for word in _WORD.findall(text) if word.isupper())
        acronyms = set(words(capitals)) if capitals else acronyms
    return _reduced(text, WOS_ABBREVIATIONS, acronyms)


def _reduced(text: str, abbreviations: dict[str, str], acronyms: set[str]) -> str:
    tokens = [
        ABBREVIATIONS.get(word, word)
        if word in acronyms or word not in abbreviations
        else abbreviations[word]
        for word in words(text.replace("&", " and "))
    ]
    if tokens and tokens[0] == "the":
        del tokens[0]
    return " ".join(tokens)


_WORD = re.compile(r"\w+")


# The words of institutions' names in the languages affiliations are most often written in,
# as English has them: a name and its translation hold the same words ("Technische
# Universität Ilmenau", "Technical University of Ilmenau").
_ENGLISH = {
    word: english
    for english, words in {
        "university": "universitat universitaet universite universidad universidade universita "
        "universiteit universitet uniwersytet univerzita univerzitet universitatea",
        "institute": "institut instituto istituto instytut institutet instituut",
        "technical": "technische technischen tecnica tecnico technique",
        "technology": "technologie tecnologia tecnologico technologique",
        "polytechnic": "politecnico politecnica polytechnique politechnika",
        "national": "nacional nazionale nationale",
        "academy": "akademie academia accademia akademia",
        "hospital": "hopital ospedale",
        "school": "ecole escuela escola scuola",
        "center": "centre centro zentrum",
        "research": "recherche investigacion ricerca forschung pesquisa",
        "medical": "medizinische medica medico medicale",
        "medicine": "medicina medecine medizin",
        "science": "ciencia scienza wissenschaft",
        "sciences": "ciencias scienze wissenschaften",
        "applied": "angewandte aplicadas applicate appliquees",
        "catholic": "catolica cattolica katholische catholique",
        "free": "libre freie libera vrije",
        "federal": "federale",
    }.items()
    for word in words.split()
}


def in_english(word: str) -> str:
    """A normal word of an institution's name as English writes it: "universitat" is
    "university"."""
    return _ENGLISH.get(word, word)


STOP_WORDS = frozenset("of the and for in at de la di du des der und y e et".split())


def sorted_words(words: str, number: bool = False) -> str:
    """The content words of normal `words`, as English writes them, in alphabetical order:
    names that hold the same words in another order or language are alike ("University of
    Leipzig", "Leipzig University", "Universität Leipzig"). With `number`, each word is read
    in the singular too ("National Institutes of Health", "Natl Inst Hlth")."""
    content = (w for w in words.split() if w not in STOP_WORDS)
    return " ".join(sorted(map(folded if number else in_english, content)))


@functools.lru_cache(maxsize=65_536)  # names' words recur in every comparison
def folded(word: str) -> str:
    """A normal word as English writes it, in the singular: words compared so are alike in
    language and number ("universidad", "universities")."""
    return singular(in_english(word))


def singular(word: str) -> str:
    """A normal word's likely singular, by English rules of thumb: "institutes",
    "laboratories", "businesses" and "approaches" are "institute", "laboratory", "business"
    and "approach". Short words and those a final "s" does not make plural ("paris",
    "campus", "analysis") are left as they are. Where the rules miss ("species" is read
    "specy", "texas" "texa"), both sides of a comparison are read alike."""
    if len(word) < 5 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return f"{word[:-3]}y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    return word[:-1]


_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")
# Words that end a company's name with its legal form, which affiliations often leave out.
LEGAL_FORMS = frozenset(
    "inc incorporated ltd limited llc corp corporation co plc gmbh ag sa sas srl spa bv nv"
    " ab as oy kk pty pvt".split()
)
CITY_JOINING = ("in", "at", "zu")  # what joins a name to the city that ends it
# German umlauts are also written as two letters ("Universitaet Wuerzburg").
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_POSSESSIVE = re.compile(r"(\w)['’ʼ]s\b")  # "King's" is also written "Kings"


def name_forms(name: str) -> list[str]:
    """The ways a name is written in affiliations, as `as_matched` words: its `spellings`, and its
    `bare_forms`."""
    return _distinct(spellings(name) + bare_forms(name))


def spellings(name: str) -> list[str]:
    """The name as written, as `as_matched` words; also with German umlauts spelt out, and with
    a possessive without its apostrophe ("Kings College London")."""
    written = dict.fromkeys([name, name.translate(_UMLAUTS), _POSSESSIVE.sub(r"\1s", name)])
    return _distinct([as_matched(variant) for variant in written])  # most names have one variant


def bare_forms(name: str) -> list[str]:
    """The name less what affiliations often leave out, as `as_matched` words: a qualifier in
    brackets at its end (ROR tells companies apart by country, "Zoetis (United States)"),
    and a legal form at its end ("Fujitsu Ltd")."""
    bare = as_matched(_QUALIFIER.sub("", name))
    return _distinct([bare, without_legal_form(bare)])


def less_city(name: str, cities: list[str]) -> list[str]:
    """The name's `spellings` less the "in", "at" or "zu" and one of `cities` (`as_matched`
    words) that end them, where two words or more are left: "Washington University in St.
    Louis" is often written "Washington University"."""
    forms = []
    for spelling in spellings(name):
        for city in cities:
            for joining in CITY_JOINING:
                shortened = spelling.removesuffix(f" {joining} {city}")
                if shortened != spelling and len(shortened.split()) >= 2:
                    forms.append(shortened)
    return _distinct(forms)


def _distinct(forms: list[str]) -> list[str]:
    return [form for i, form in enumerate(forms) if form and form not in forms[:i]]


def without_legal_form(words: str) -> str:
    """`exact` words less the legal forms that end them ("fujitsu co ltd" is "fujitsu")."""
    tokens = words.split()
    while len(tokens) > 1 and tokens[-1] in LEGAL_FORMS:
        tokens.pop()
    return " ".join(tokens)
