"""How often the matcher chooses a record from the way the dump itself names it: a record's
name, its city and its country, as an affiliation is written. No labels are needed, so it
measures what the labelled sets cannot: every kind of organization, in every country.

    python bench/affiliation_census.py [--dump PATH] [--form display|label|abbreviated]
        [--every 5] [--show KIND ...]

`--form display` writes each sampled active record's ror_display name; `label` its first
label or alias (in another language, or another name), for the records that have one;
`abbreviated` its ror_display name as Web of Science writes addresses ("Chinese Acad Sci"),
for the records with a word it abbreviates.
Every `--every`-th active record is read. Each string's outcome is one of: right (the
record chosen), wrong-parent / wrong-child / wrong-unrelated (another chosen), none-found
(found, none chosen) or none-missing (not found). A wrong choice can be fair where
records share a name and a city. `--show KIND` prints those strings.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import zipfile
from pathlib import Path

from common import DEFAULT_DUMP, OUT, dump_label

from resmeta.index.reader import OrganizationIndex
from resmeta.index.store import IndexStore
from resmeta.services.affiliations.matcher import AffiliationMatcher
from resmeta.services.dumps import index_for


def records(dump: Path) -> list[dict]:
    with zipfile.ZipFile(dump) as archive:
        name = next(n for n in archive.namelist() if n.endswith("schema_v2.json"))
        return json.loads(archive.read(name))


# How Web of Science abbreviates the words of addresses, and the small words it leaves out
WOS_ABBREVIATIONS = {
    "university": "Univ",
    "institute": "Inst",
    "department": "Dept",
    "laboratory": "Lab",
    "technology": "Technol",
    "technical": "Tech",
    "national": "Natl",
    "international": "Int",
    "hospital": "Hosp",
    "center": "Ctr",
    "centre": "Ctr",
    "academy": "Acad",
    "school": "Sch",
    "college": "Coll",
    "science": "Sci",
    "sciences": "Sci",
    "medical": "Med",
    "medicine": "Med",
    "research": "Res",
    "physics": "Phys",
    "chemistry": "Chem",
    "biology": "Biol",
    "engineering": "Engn",
    "general": "Gen",
    "california": "Calif",
    "health": "Hlth",
    "applied": "Appl",
    "agricultural": "Agr",
    "foundation": "Fdn",
    "environmental": "Environm",
    "molecular": "Mol",
    "society": "Soc",
    "clinical": "Clin",
    "nuclear": "Nucl",
    "federal": "Fed",
    "polytechnic": "Polytech",
}
WOS_LEFT_OUT = frozenset("of the for and in at".split())


def written(record: dict, form: str) -> str | None:
    """The record as an affiliation names it, or None when it has no such name."""
    names = [n for n in record["names"] if n["types"] != ["acronym"]]
    if form == "label":
        name = next((n["value"] for n in names if "ror_display" not in n["types"]), None)
    else:
        name = next(n["value"] for n in names if "ror_display" in n["types"])
    if form == "abbreviated":
        words = re.findall(r"[\w'’-]+", name)
        if not any(word.lower() in WOS_ABBREVIATIONS for word in words):
            return None
        kept = [w for w in words if w.lower() not in WOS_LEFT_OUT]
        name = " ".join(WOS_ABBREVIATIONS.get(w.lower(), w) for w in kept)
    if name is None:
        return None
    place = record["locations"][0]["geonames_details"]
    return f"{name}, {place['name']}, {place['country_name']}"


def outcome(record: dict, matches: list) -> str:
    bare_id = record["id"].removeprefix("https://ror.org/")
    chosen = [m.info.id for m in matches if m.chosen]
    if chosen == [bare_id]:
        return "right"
    if chosen:
        relation = {
            r["id"].removeprefix("https://ror.org/"): r["type"] for r in record["relationships"]
        }
        return f"wrong-{relation.get(chosen[0], 'unrelated')}"
    return "none-found" if bare_id in {m.info.id for m in matches} else "none-missing"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dump", type=Path, default=DEFAULT_DUMP)
    parser.add_argument("--form", choices=("display", "label", "abbreviated"), default="display")
    parser.add_argument("--every", type=int, default=5)
    parser.add_argument("--show", nargs="*", default=[], metavar="KIND")
    args = parser.parse_args(argv)

    store = IndexStore((OUT / "data" / dump_label(args.dump)).resolve())
    matcher = AffiliationMatcher(OrganizationIndex(index_for(store, args.dump)))
    active = [r for r in records(args.dump) if r["status"] == "active"][:: args.every]
    counts: collections.Counter[str] = collections.Counter()
    for record in active:
        text = written(record, args.form)
        if text is None:
            continue
        kind = outcome(record, matcher.match(text))
        counts[kind] += 1
        if kind in args.show:
            print(f"{kind}: {text}")
    total = sum(counts.values())
    print(f"{dump_label(args.dump)}, --form {args.form}, {total:,} strings:")
    for kind, count in counts.most_common():
        print(f"  {kind}: {count:,} ({count / total:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
