"""Write a ROR-dump-shaped zip of N synthetic schema-v2 records derived from a real dump.

    python bench/synthetic_dump.py --records 1000000 --out /tmp/synthetic-1m.zip [--seed 1]
        [--source ../shared/data/ror/v2.9-subset-ror-data.zip] [--compact]

Record i is built from real record i % T (T = records in the source, 51,370 for the subset
dump) and made unique:

* id: a valid ROR ID (`0` + 6 Crockford base-32 chars + ISO 7064 mod 97-10 check digits)
  from a seeded bijection of i, so IDs are unique and look random;
* names: one capitalised word of the display name is swapped for one from another real name
  of the same country (a proxy for the language); from the second pass over the templates
  on (i >= T), the first location becomes another real location of the same country and its
  city is appended (`..., Lyon`); labels and aliases follow, acronyms built from initials
  are rebuilt; exactly one `ror_display` name is kept;
* relationships point at the synthetic copy of the related record in the same pass (label =
  that copy's display name); relationships to records missing from the source stay dangling
  (as in the real subset) with a synthetic ID outside the generated range;
* external IDs (fundref, grid, isni with a valid check character, wikidata) are regenerated
  uniquely; from the second pass on, domains and links get a distinct host / article name;
* admin dates, established, status and types are kept, so the status and type mix is the
  source's.

Output: one member `v9.9-2026-01-01-ror-data_schema_v2.json`, a JSON array written record
by record (orjson, 2-space indent unless --compact) into a zip64 deflate stream: memory
stays at the size of the compact templates (about 60 MB for the subset dump).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import zipfile
import zlib
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import orjson
from common import DEFAULT_DUMP
from dumpread import display_name, iter_dump_records

MEMBER_NAME = "v9.9-2026-01-01-ror-data_schema_v2.json"

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
ID_BITS = 30  # 6 base-32 characters
ID_MASK = (1 << ID_BITS) - 1
DANGLING_BASE = 1 << (ID_BITS - 1)  # synthetic records use numbers below this
EXT_SLOTS = 64  # more than the longest `external_ids[].all` list (59) of the subset


def ror_id(n: int, seed: int) -> str:
    """The ROR ID of synthetic number n: a bijection of [0, 2**30), so distinct n never clash."""
    x = n & ID_MASK
    x = (x * 0x2545F491) & ID_MASK
    x ^= x >> 13
    x = (x * 0x9E3779B1 + seed * 0x61C88647) & ID_MASK
    x ^= x >> 17
    chars = "".join(CROCKFORD[(x >> shift) & 31] for shift in range(25, -1, -5))
    check = 98 - (x * 100) % 97
    return f"https://ror.org/0{chars}{check:02d}"


def isni(u: int) -> str:
    body = f"{4 * 10**11 + u:015d}"
    total = 0
    for digit in body:
        total = (total + int(digit)) * 2
    rest = (12 - total % 11) % 11
    full = body + ("X" if rest == 10 else str(rest))
    return " ".join(full[k : k + 4] for k in range(0, 16, 4))


def external_value(kind: str, u: int) -> str:
    if kind == "grid":
        return f"grid.{1_000_000 + u}.{'0123456789abcdef'[u % 16]}"
    if kind == "isni":
        return isni(u)
    if kind == "fundref":
        return str(501_200_000_000 + u)
    if kind == "wikidata":
        return f"Q{150_000_000 + u}"
    return f"{kind}-{u}"


def is_name_word(word: str) -> bool:
    """A capitalised word of 4+ letters: the kind swapped between names."""
    return len(word) >= 4 and word.isalpha() and word[0].isupper()


def initials(text: str) -> str:
    return "".join(word[0] for word in text.split() if word[:1].isupper())


def bump_host(host: str, k: int) -> str:
    """aiia.gov.in, pass 3 -> aiia3.gov.in (www. kept in front)."""
    prefix = ""
    if host.startswith("www."):
        prefix, host = "www.", host[4:]
    first, dot, rest = host.partition(".")
    return f"{prefix}{first}{k}{dot}{rest}"


class Templates:
    """Compact copies of the source records plus the pools the mutations draw from."""

    def __init__(self, source: Path) -> None:
        self.blobs: list[bytes] = []
        self.display: list[str] = []
        self.country: list[str | None] = []
        self.city: list[str | None] = []
        self.index: dict[str, int] = {}
        self.words: dict[str, list[str]] = {}
        locations: dict[str, dict[int, dict]] = {}
        for record in iter_dump_records(source):
            t = len(self.blobs)
            self.blobs.append(orjson.dumps(record))
            name = display_name(record)
            self.display.append(name)
            self.index[record["id"]] = t
            words = [w for w in name.split() if is_name_word(w)]
            country = city = None
            for loc in record.get("locations", []):
                cc = loc["geonames_details"].get("country_code")
                country = country or cc
                city = city or loc["geonames_details"].get("name")
                if cc and loc["geonames_details"].get("name"):
                    locations.setdefault(cc, {}).setdefault(loc["geonames_id"], loc)
            self.country.append(country)
            self.words.setdefault(country or "", []).extend(words)
            self.city.append(city)
        if not self.blobs:
            raise SystemExit(f"no v2 record in {source}")
        self.locations = {cc: list(pool.values()) for cc, pool in locations.items()}
        # Small countries borrow words from everywhere.
        everywhere = [w for pool in self.words.values() for w in pool]
        for cc, pool in self.words.items():
            if len(set(pool)) < 50:
                self.words[cc] = everywhere
        self.count = len(self.blobs)


class Generator:
    def __init__(self, templates: Templates, records: int, seed: int) -> None:
        self.t = templates
        self.records = records
        self.seed = seed
        self.rng = random.Random()

    def name_plan(self, j: int) -> tuple[str, str, str | None, str | None, dict | None]:
        """(display, display before the city suffix, replaced word, new word, new location)."""
        t, k = j % self.t.count, j // self.t.count
        rng = self.rng
        rng.seed((self.seed << 40) ^ j)
        display = self.t.display[t]
        tokens = display.split(" ")
        slots = [p for p, w in enumerate(tokens) if is_name_word(w)]
        old = new = None
        if slots:
            words = self.t.words[self.t.country[t] or ""]
            p = rng.choice(slots)
            old, new = tokens[p], rng.choice(words)
            if new == old:
                new = rng.choice(words)
            tokens[p] = new
            display = " ".join(tokens)
        base, location, city = display, None, None
        if k > 0:
            pool = self.t.locations.get(self.t.country[t] or "")
            if pool:
                location = rng.choice(pool)
                city = location["geonames_details"]["name"]
        elif not slots:
            city = self.t.city[t]
        if city and city not in display:
            display = f"{display}, {city}"
        return display, base, old, new, location

    def target(self, j: int, real_index: int) -> int:
        """Synthetic number of the copy of template `real_index` in the pass of record j."""
        k = j // self.t.count
        n = k * self.t.count + real_index
        if n >= self.records:
            n = real_index if real_index < self.records else real_index % self.records
        return n

    def record(self, j: int) -> dict:
        t, k = j % self.t.count, j // self.t.count
        rec = orjson.loads(self.t.blobs[t])
        old_display = self.t.display[t]
        display, base, old, new, location = self.name_plan(j)
        city = location["geonames_details"]["name"] if location else None
        rec["id"] = ror_id(j, self.seed)
        if location is not None:
            rec["locations"][0] = location
        rebuild_acronym = initials(old_display)
        for name in rec["names"]:
            types = name["types"]
            if "ror_display" in types:
                name["value"] = display
            elif "acronym" in types:
                if rebuild_acronym and name["value"] == rebuild_acronym:
                    name["value"] = initials(base) or rebuild_acronym
            else:
                value = name["value"]
                if old and old in value:
                    value = value.replace(old, new)
                if city and city not in value:
                    value = f"{value}, {city}"
                name["value"] = value
        for ext in rec["external_ids"]:
            values = [
                external_value(ext["type"], j * EXT_SLOTS + m) for m in range(len(ext["all"]))
            ]
            preferred = ext["preferred"]
            if preferred is not None:
                try:
                    preferred = values[ext["all"].index(preferred)]
                except ValueError:
                    preferred = values[0] if values else None
            ext["all"], ext["preferred"] = values, preferred
        for rel in rec["relationships"]:
            real_index = self.t.index.get(rel["id"])
            if real_index is None:
                rel["id"] = ror_id(
                    DANGLING_BASE + zlib.crc32(rel["id"].encode()) % (1 << 24), self.seed
                )
            else:
                n = self.target(j, real_index)
                rel["id"] = ror_id(n, self.seed)
                rel["label"] = self.name_plan(n)[0]
        if k > 0:
            rec["domains"] = [bump_host(d, k) for d in rec["domains"]]
            for link in rec["links"]:
                parts = urlsplit(link["value"])
                if link["type"] == "wikipedia" and "/wiki/" in parts.path:
                    article = quote(display.replace(" ", "_"), safe="_(),'")
                    path = parts.path.split("/wiki/")[0] + "/wiki/" + article
                    link["value"] = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
                elif parts.netloc:
                    netloc = bump_host(parts.netloc, k)
                    link["value"] = urlunsplit(parts._replace(netloc=netloc))
        return rec


def write_dump(gen: Generator, out: Path, compact: bool, progress: bool) -> tuple[int, int]:
    """Write the zip; return (zip bytes, uncompressed JSON bytes)."""
    option = 0 if compact else orjson.OPT_INDENT_2
    tmp = out.with_name(out.name + ".part")
    started = time.monotonic()
    raw_bytes = 0
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open(MEMBER_NAME, "w", force_zip64=True) as member:
            buf = bytearray(b"[\n")
            for j in range(gen.records):
                if j:
                    buf += b",\n"
                buf += orjson.dumps(gen.record(j), option=option)
                if len(buf) >= 1 << 20:
                    member.write(buf)
                    raw_bytes += len(buf)
                    buf.clear()
                if progress and j and j % 100_000 == 0:
                    rate = j / (time.monotonic() - started)
                    print(f"  {j:,} records ({rate:,.0f}/s)", file=sys.stderr, flush=True)
            buf += b"\n]\n"
            member.write(buf)
            raw_bytes += len(buf)
    tmp.replace(out)
    return out.stat().st_size, raw_bytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, required=True, help="number of records")
    parser.add_argument("--out", type=Path, required=True, help="zip file to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--source", type=Path, default=DEFAULT_DUMP, help="real ROR dump zip")
    parser.add_argument("--compact", action="store_true", help="no indentation (smaller)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if not 0 < args.records < DANGLING_BASE:
        parser.error(f"--records must be between 1 and {DANGLING_BASE - 1}")
    if not args.source.is_file():
        parser.error(f"source dump not found: {args.source}")
    started = time.monotonic()
    templates = Templates(args.source)
    loaded = time.monotonic() - started
    print(f"templates: {templates.count:,} records from {args.source.name} in {loaded:.1f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    size, raw_bytes = write_dump(
        Generator(templates, args.records, args.seed), args.out, args.compact, not args.quiet
    )
    seconds = time.monotonic() - started
    print(f"records written: {args.records:,}")
    print(
        f"bytes: {size:,} zip ({size / 1e6:.1f} MB), {raw_bytes:,} JSON ({raw_bytes / 1e6:.1f} MB)"
    )
    print(f"written to: {args.out}")
    print(f"seconds: {seconds:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
