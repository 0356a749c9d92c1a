"""The compact view of a record that affiliation matching compares, kept beside the index.

Matching looks at tens of candidates per string; decoding this small struct is much cheaper
than decoding whole v2 records. The views are not in tantivy's document store: fetching a
stored document decompresses its block and copies every stored field (the v2, v1 and funder
records too), about 25 µs, where reading a view from its own file takes 3. The build writes
them in the dump's order, then, once tantivy has placed every document, where each
document's view is (`ViewsWriter`); `MatchingViews` reads them by document address.
"""

from __future__ import annotations

import itertools
import mmap
import struct
import sys
from array import array
from pathlib import Path

import msgspec

from resmeta.index import analysis
from resmeta.records.ids import ROR_URL_PREFIX
from resmeta.records.model import Organization


# Strings and tuples of strings only (build views with tuples, never lists), so never in a
# reference cycle: the cycle collector need not track the views that matching keeps
# (`gc=False`; CPython stops tracking tuples of strings itself), which were two thirds of
# the objects its full collections scanned.
class MatchingInfo(msgspec.Struct, array_like=True, frozen=True, gc=False):
    id: str  # bare ROR ID
    display: str  # the ror_display name, as written
    status: str
    names: tuple[str, ...]  # display name, labels and aliases, in every `analysis.name_forms`
    bare_names: tuple[str, ...]  # the names only less a qualifier or legal form ("zoetis")
    names_less_city: tuple[str, ...]  # `analysis.less_city`: "washington university"
    acronyms: tuple[str, ...]
    types: tuple[str, ...]
    countries: tuple[str, ...]  # lower-case ISO codes of the locations
    cities: tuple[str, ...]  # normalised
    parents: tuple[str, ...]  # bare ROR IDs
    children: tuple[str, ...]
    successors: tuple[str, ...]  # what an inactive or withdrawn organization became


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(MatchingInfo)


def matching_info(org: Organization) -> MatchingInfo:
    details = [location.geonames_details for location in org.locations]
    cities = sorted({analysis.as_matched(d.name) for d in details if d.name})
    names, acronyms, spellings, less_city = [], [], set(), []
    for name in org.names:
        target = acronyms if name.types == ["acronym"] else names
        for form in analysis.name_forms(name.value):
            if form not in target:
                target.append(form)
        if target is names:
            spellings.update(analysis.spellings(name.value))
            less_city += analysis.less_city(name.value, cities)
    related = {"parent": [], "child": [], "successor": []}
    for relation in org.relationships:
        if relation.type in related:
            related[relation.type].append(relation.id.removeprefix(ROR_URL_PREFIX))
    return MatchingInfo(
        id=org.id.removeprefix(ROR_URL_PREFIX),
        display=org.display_name,
        status=org.status,
        names=tuple(names),
        bare_names=tuple(name for name in names if name not in spellings),
        names_less_city=tuple(form for form in dict.fromkeys(less_city) if form not in names),
        acronyms=tuple(acronyms),
        types=tuple(org.types),
        countries=tuple(sorted({d.country_code.lower() for d in details if d.country_code})),
        cities=tuple(cities),
        parents=tuple(related["parent"]),
        children=tuple(related["child"]),
        successors=tuple(related["successor"]),
    )


def encode(info: MatchingInfo) -> bytes:
    return _encoder.encode(info)


def decode(data: bytes) -> MatchingInfo:
    return _decoder.decode(data)


VIEWS_FILE = "matching.views"  # every record's encoded view, in the dump's order
# For each document, in the index's order (segment by segment), where its view starts and
# ends in VIEWS_FILE: two little-endian unsigned 64-bit integers.
SPANS_FILE = "matching.spans"
_SPAN = struct.Struct("<2Q")
REBUILD = "rebuild the index with 'resmeta index --force'"


class ViewsWriter:
    """Writes the views of an index being built, record by record in the dump's order."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._file = open(folder / VIEWS_FILE, "wb")
        self._offsets = array("Q", [0])

    @property
    def size(self) -> int:
        """The bytes of VIEWS_FILE."""
        return self._offsets[-1]

    def add(self, info: MatchingInfo) -> None:
        data = encode(info)
        self._file.write(data)
        self._offsets.append(self._offsets[-1] + len(data))

    def finish(self, ordinals: list[int]) -> None:
        """Write where each document's view is (the views written are closed first);
        `ordinals` holds the dump ordinal of each document's record, in the index's order."""
        self._file.close()
        offsets, spans = self._offsets, array("Q")
        for ordinal in ordinals:
            spans.append(offsets[ordinal])
            spans.append(offsets[ordinal + 1])
        if sys.byteorder == "big":
            spans.byteswap()
        (self.folder / SPANS_FILE).write_bytes(spans.tobytes())

    def close(self) -> None:
        self._file.close()


class MatchingViews:
    """The views of a built index, read by document address. `segment_sizes`: how many
    documents each segment of the index holds, in the searcher's order; `size`: the bytes
    of VIEWS_FILE (both from the index's `IndexMeta`)."""

    def __init__(self, folder: Path, segment_sizes: list[int], size: int) -> None:
        self._views = _mapped(folder / VIEWS_FILE)
        self._spans = _mapped(folder / SPANS_FILE)
        if len(self._views) != size or len(self._spans) != _SPAN.size * sum(segment_sizes):
            raise ValueError(f"{folder}: its matching views are damaged: {REBUILD}")
        self._first = segment_starts(segment_sizes)

    def at(self, segment_ord: int, doc: int) -> MatchingInfo:
        start, end = _SPAN.unpack_from(self._spans, _SPAN.size * (self._first[segment_ord] + doc))
        return decode(self._views[start:end])


def segment_starts(segment_sizes: list[int]) -> list[int]:
    """The place of each segment's first document in the index's order."""
    return list(itertools.accumulate([0, *segment_sizes[:-1]]))


def _mapped(path: Path) -> mmap.mmap | bytes:
    try:
        with open(path, "rb") as file:
            if not path.stat().st_size:
                return b""  # an empty file cannot be mapped
            return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    except FileNotFoundError:
        raise ValueError(f"{path.parent}: {path.name} is missing: {REBUILD}") from None
