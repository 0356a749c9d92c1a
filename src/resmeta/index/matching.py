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
    names_less_city: list[str]  # `analysis.less_city`: "washington university"
    acronyms: list[str]
    types: list[str]
    countries: list[str]  # lower-case ISO codes of the locations
    cities: list[str]  # normalised
    parents: list[str]  # bare ROR IDs
    children: list[str]
    successors: list[str]  # what an inactive or withdrawn organization became


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
        names=names,
        bare_names=[name for name in names if name not in spellings],
        names_less_city=[form for form in dict.fromkeys(less_city) if form not in names],
        acronyms=acronyms,
        types=org.types,
        countries=sorted({d.country_code.lower() for d in details if d.country_code}),
        cities=cities,
        parents=related["parent"],
        children=related["child"],
        successors=related["successor"],
    )


def encode(info: MatchingInfo) -> bytes:
    return _encoder.encode(info)


def decode(data: bytes) -> MatchingInfo:
    return _decoder.decode(data)
