"""Countries named in an affiliation string: names, common aliases and US states."""

from __future__ import annotations

import re
from functools import cache

import pycountry

from resmeta.services.affiliations.text import CONTINUING, Part, normalise

# Names people write that ISO's English names do not cover.
ALIASES = {
    "us": ["usa", "u s a", "u s", "united states of america", "america", "new england"],
    "gb": [
        "uk",
        "u k",
        "england",
        "scotland",
        "wales",
        "northern ireland",
        "north ireland",
        "great britain",
        "britain",
    ],
    "cn": [
        "p r china",
        "pr china",
        "prc",
        "peoples republic of china",
        "people s republic of china",
        "peoples r china",  # as Web of Science writes it
    ],
    "kr": ["korea", "south korea", "republic of korea", "rep of korea", "korea republic of"],
    "ru": ["russia"],
    "ir": ["iran"],
    "tw": ["taiwan", "taiwan roc", "republic of china"],
    "vn": ["vietnam"],
    "cz": ["czech republic", "czechia"],
    "tr": ["turkey", "turkiye"],
    "nl": ["the netherlands", "holland"],
    "de": ["deutschland"],
    "es": ["espana"],
    "it": ["italia"],
    "br": ["brasil"],
    "ch": ["suisse", "schweiz", "svizzera"],
    "mx": ["mexico"],
    "sy": ["syria"],
    "la": ["laos"],
    "bo": ["bolivia"],
    "ve": ["venezuela"],
    "tz": ["tanzania"],
    "md": ["moldova"],
    "cd": [
        "dr congo",
        "rd congo",
        "drc",
        "democratic republic of congo",
        "democratic republic of the congo",
    ],
    "ae": ["uae", "u a e", "u arab emirates"],
    "mm": ["burma"],
    "ps": ["palestine"],
    "mo": ["macau", "macao"],
    # Regions whose last word is a country's name ("Wales", "England"): read as a whole.
    "au": [
        "new south wales",
        "queensland",
        "tasmania",
        "western australia",
        "south australia",
        "northern territory",
        "australian capital territory",
    ],
    "ca": [
        "ontario",
        "quebec",
        "british columbia",
        "alberta",
        "manitoba",
        "nova scotia",
        "saskatchewan",
    ],
}
_STATE_CODE = re.compile(r"^([A-Z]{2})(\s+\d{5}(?:-\d{4})?)?$")


@cache
def _names() -> dict[str, set[str]]:
    """Normalised country (and US state) name -> lower-case ISO country codes."""
    names: dict[str, set[str]] = {}

    def add(name: str, code: str) -> None:
        normal = normalise(name)
        if normal:
            names.setdefault(normal, set()).add(code)

    for country in pycountry.countries:
        code = country.alpha_2.lower()
        for attribute in ("name", "common_name", "official_name"):
            if value := getattr(country, attribute, None):
                add(value, code)
    for code, aliases in ALIASES.items():
        for alias in aliases:
            add(alias, code)
    for state in pycountry.subdivisions.get(country_code="US"):
        add(state.name, "us")
    return names


@cache
def _us_state_codes() -> frozenset[str]:
    return frozenset(s.code.split("-")[1] for s in pycountry.subdivisions.get(country_code="US"))


# Territories, with the country they belong to: "University of Hong Kong, China" names no
# other country than Hong Kong's.
SOVEREIGNS = {
    **dict.fromkeys(["hk", "mo", "tw"], "cn"),
    **dict.fromkeys(["pr", "gu", "vi", "as", "mp"], "us"),
    **dict.fromkeys(["gp", "mq", "re", "gf", "yt", "nc", "pf", "pm", "wf"], "fr"),
    **dict.fromkeys(["gl", "fo"], "dk"),
    **dict.fromkeys(["aw", "cw", "sx"], "nl"),
    **dict.fromkeys(["bm", "ky", "gi", "im", "je", "gg", "vg", "ms", "tc", "fk"], "gb"),
}


def with_sovereigns(codes: list[str]) -> set[str]:
    """ISO codes with the countries the territories among them belong to."""
    return {*codes, *(SOVEREIGNS[code] for code in codes if code in SOVEREIGNS)}


def country_named(words: str) -> set[str]:
    """The countries that normal `words` are the name of (a US state's is the US's)."""
    return _names().get(words, set())


def country_of_part(part: Part) -> set[str]:
    """The countries a part names when it is only a place: "USA", "France", "CA 94720" (a
    US state with a ZIP code). A bare two-letter code may be a state or a country ("CA",
    "DE", "IN"): it names either. In brackets it names neither: there it is an acronym
    ("Georgia Institute of Technology (GT)") or a province or state ("Torino (TO)",
    "Porto Alegre (RS)") more often than a country."""
    if named := country_named(part.normal):
        return named
    match = _STATE_CODE.match(part.text)
    if not match:
        return set()
    code, has_zip = match.group(1), bool(match.group(2))
    if part.bracketed and not has_zip:
        return set()
    found = {"us"} if code in _us_state_codes() else set()
    if not has_zip and pycountry.countries.get(alpha_2=code) is not None:
        found.add(code.lower())
    return found


def _is_bare_code(part: Part) -> bool:
    """A two-letter code without a ZIP code: it may as well be an acronym."""
    match = _STATE_CODE.match(part.text)
    return part.normal not in _names() and match is not None and not match.group(2)


def last_words(parts: list[Part]) -> str:
    """The last words of the last part, when they name a country and the part is more than
    them ("Mainz Germany": "germany"); else "". Not the words after "of", which belong to a
    name ("University of New Mexico"), nor letters of an initialism ("O.N.L.U.S.")."""
    if not parts or country_of_part(parts[-1]):
        return ""
    words = parts[-1].normal.split()
    names = _names()
    for size in range(min(len(words) - 1, 6), 0, -1):  # the longest name wins
        before = words[-size - 1]
        if before in CONTINUING:
            # "University of New Mexico": the words after "of" belong to the name, and so
            # do their last ones ("Mexico").
            return ""
        name = " ".join(words[-size:])
        initials = all(len(word) == 1 for word in words[-size:])
        if name in names and (not initials or _initials_at_end(parts[-1], name)):
            return name
    return ""


def _initials_at_end(part: Part, initials: str) -> bool:
    """Whether single letters ("u s a") are written as the last tokens of the part ("U.S.A.",
    "U. S. A."), not as the end of a longer initialism ("O.N.L.U.S.")."""
    letters = initials.replace(" ", "")
    written = ""
    for token in reversed(part.text.split()):
        written = normalise(token).replace(" ", "") + written
        if len(written) >= len(letters):
            break
    return written == letters


def detect(parts: list[Part], with_last_words: bool = True) -> set[str]:
    """Countries the string names, from parts that are only a country or a US state, or
    (`with_last_words`) from the last words of the last part ("Shanghai, China", "Mainz
    Germany"; `last_words`). A bare code
    counts only among the places that end the string: "Institut Pasteur, IT, Rue du Docteur
    Roux" does not name Italy, "Bethesda, MD, USA" names Maryland. A mention
    that may be either of two ("MA": Massachusetts or Morocco) counts as the one another
    mention confirms ("Cambridge, MA, USA"), else as both."""
    places = [country_of_part(part) for part in parts]
    mentions = [
        codes
        for number, codes in enumerate(places)
        if number > 0  # the first part names the organization
        and codes
        and (not _is_bare_code(parts[number]) or all(places[number + 1 :]))
    ]
    if with_last_words and (last := last_words(parts)):
        mentions.append(_names()[last])
    sure = set().union(*(m for m in mentions if len(m) == 1))
    found = set(sure)
    for mention in mentions:
        if len(mention) > 1:
            found |= (mention & sure) or mention
    return found


def mentioned(parts: list[Part]) -> set[str]:
    """Countries whose name is written anywhere in the string, inside names too ("Centre
    for Molecular Medicine Norway"): weaker evidence than `detect`'s, enough to say where
    an acronym is likely meant. The longest name wins ("People's Republic of China" is not
    "Republic of China"); a US state's name, often a word of another country's place
    ("Baja California") or a namesake ("Georgia"), names none."""
    names, longest = _mentionable()
    found: set[str] = set()
    for part in parts:
        words = part.normal.split()
        start = 0
        while start < len(words):
            for size in range(min(longest, len(words) - start), 0, -1):
                codes = names.get(" ".join(words[start : start + size]))
                if codes is not None:
                    found |= codes
                    start += size
                    break
            else:
                start += 1
    return found


@cache
def _mentionable() -> tuple[dict[str, set[str]], int]:
    """`_names` with US states' names naming no country, and the most words of a name."""
    states = {normalise(s.name) for s in pycountry.subdivisions.get(country_code="US")}
    names = {name: set() if name in states else codes for name, codes in _names().items()}
    return names, max(len(name.split()) for name in names)
