"""ROR schema v2 records as msgspec structs.

Field order in each struct is the key order of the reference ROR API's JSON, so encoding a
struct with msgspec renders it exactly as ROR does. Decoding validates types and enums.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta, Struct

ROR_ID_PATTERN = r"^https://ror\.org/0[a-z0-9]{6}[0-9]{2}$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"

RorId = Annotated[str, Meta(pattern=ROR_ID_PATTERN)]
IsoDate = Annotated[str, Meta(pattern=DATE_PATTERN)]

Status = Literal["active", "inactive", "withdrawn"]
OrganizationType = Literal[
    "archive",
    "company",
    "education",
    "facility",
    "funder",
    "government",
    "healthcare",
    "nonprofit",
    "other",
]
NameType = Literal["acronym", "alias", "label", "ror_display"]
ExternalIdType = Literal["fundref", "grid", "isni", "wikidata"]
LinkType = Literal["website", "wikipedia"]
RelationshipType = Literal["parent", "child", "related", "predecessor", "successor"]


class DateStamp(Struct):
    date: IsoDate
    schema_version: str


class Admin(Struct):
    created: DateStamp
    last_modified: DateStamp


class ExternalId(Struct):
    all: list[str]
    preferred: str | None
    type: ExternalIdType


class Link(Struct):
    type: LinkType
    value: str


class GeonamesDetails(Struct):
    continent_code: str | None = None
    continent_name: str | None = None
    country_code: str | None = None
    country_name: str | None = None
    country_subdivision_code: str | None = None
    country_subdivision_name: str | None = None
    lat: float | None = None
    lng: float | None = None
    name: str | None = None


class Location(Struct):
    geonames_details: GeonamesDetails
    geonames_id: int


class Name(Struct):
    lang: str | None
    types: Annotated[list[NameType], Meta(min_length=1)]
    value: Annotated[str, Meta(min_length=1)]


class Relationship(Struct):
    label: str
    type: RelationshipType
    id: RorId


class Organization(Struct):
    admin: Admin
    domains: list[str]
    established: int | None
    external_ids: list[ExternalId]
    id: RorId
    links: list[Link]
    locations: Annotated[list[Location], Meta(min_length=1)]
    names: Annotated[list[Name], Meta(min_length=1)]
    relationships: list[Relationship]
    status: Status
    types: Annotated[list[OrganizationType], Meta(min_length=1)]

    @property
    def display_name(self) -> str:
        for name in self.names:
            if "ror_display" in name.types:
                return name.value
        return self.names[0].value


class RecordError(ValueError):
    """A record that does not follow ROR schema v2."""


def validate(raw: dict) -> Organization:
    """Turn a decoded JSON object into an `Organization`, or raise `RecordError` saying why."""
    try:
        org = msgspec.convert(raw, Organization)
    except msgspec.ValidationError as exc:
        raise RecordError(str(exc)) from None
    for stamp in (org.admin.created, org.admin.last_modified):
        try:
            datetime.date.fromisoformat(stamp.date)
        except ValueError:
            raise RecordError(f"'{stamp.date}' is not a valid date - at `$.admin`") from None
    display = [n for n in org.names if "ror_display" in n.types]
    if len(display) != 1:
        raise RecordError(f"expected exactly one name of type ror_display, found {len(display)}")
    return org


def canonical(org: Organization) -> Organization:
    """The record with every list in the order the ROR API renders it."""
    return msgspec.structs.replace(
        org,
        domains=sorted(org.domains),
        external_ids=sorted(org.external_ids, key=lambda e: e.type),
        links=sorted(org.links, key=lambda link: link.type),
        names=sorted(org.names, key=lambda n: n.value),
        relationships=sorted(org.relationships, key=lambda r: r.type),
        types=sorted(org.types),
    )


_encoder = msgspec.json.Encoder()


def render_v2(org: Organization) -> bytes:
    """Compact JSON of a canonical record, byte for byte what the API serves."""
    return _encoder.encode(canonical(org))
