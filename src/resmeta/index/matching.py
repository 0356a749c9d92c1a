"""The compact view of a record that affiliation matching compares, stored in the index.

Matching looks at tens of candidates per string; decoding this small struct is much cheaper
than decoding whole v2 records.
"""

from __future__ import annotations

import msgspec

from resmeta.index import analysis
from resmeta.records.ids import ROR_URL_PREFIX
from resmeta.records.model import Organization


class MatchingInfo(msgspec.Struct, array_like=True, frozen=True):
    id: str  # bare ROR ID
    display: str  # the ror_display name, as written
    status: str
    names: list[str]  # display name, labels and aliases, in every `analysis.name_forms`
    bare_names: list[str]  # the names only less a qualifier or legal form ("zoetis")
    acronyms: list[str]
    types: list[str]
    countries: list[str]  # lower-case ISO codes of the locations
    cities: list[str]  # normalised
    parents: list[str]  # bare ROR IDs
    children: list[str]
    successors: list[str]  # what an inactive or withdrawn organization became


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(MatchingInfo)


def matching_info(org: Organization) -> bytes:
    names, acronyms, spellings = [], [], set()
    for name in org.names:
        target = acronyms if name.types == ["acronym"] else names
        for form in analysis.name_forms(name.value):
            if form not in target:
                target.append(form)
        if target is names:
            spellings.update(analysis.spellings(name.value))
    details = [location.geonames_details for location in org.locations]
    related = {"parent": [], "child": [], "successor": []}
    for relation in org.relationships:
        if relation.type in related:
            related[relation.type].append(relation.id.removeprefix(ROR_URL_PREFIX))
    info = MatchingInfo(
        id=org.id.removeprefix(ROR_URL_PREFIX),
        display=org.display_name,
        status=org.status,
        names=names,
        bare_names=[name for name in names if name not in spellings],
        acronyms=acronyms,
        types=org.types,
        countries=sorted({d.country_code.lower() for d in details if d.country_code}),
        cities=sorted({analysis.exact(d.name) for d in details if d.name}),
        parents=related["parent"],
        children=related["child"],
        successors=related["successor"],
    )
    return _encoder.encode(info)


def decode(data: bytes) -> MatchingInfo:
    return _decoder.decode(data)
