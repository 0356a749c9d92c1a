"""Every field of the index, in one place: its kind, and which ROR v2 path it answers to."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    TEXT = "text"  # tokenized words; phrase queries work
    KEYWORD = "keyword"  # one whole value, case- and accent-insensitive
    EXACT = "exact"  # a value normalised in Python before indexing
    INTEGER = "integer"
    FLOAT = "float"
    DATE = "date"
    PREFIX = "prefix"  # the leading 2 to 10 characters of each value (one word per value)
    TEXT_BY_KEY = "text_by_key"  # a JSON object of texts: words searched per key (`title.fr`)


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    fast: bool = False


DOCUMENT = "document"  # stored bytes: the record rendered as ROR v2 JSON
DOCUMENT_V1 = "document_v1"  # stored bytes: the record rendered as ROR v1 JSON
DOCUMENTS = {2: DOCUMENT, 1: DOCUMENT_V1}  # by schema version
ORDINAL = "ordinal"  # fast integer: the record's place in the dump, where its matching view is
FUNDER = "funder"  # stored bytes: the record as an InvenioRDM funder (records/funder.py)
EXISTS = "exists"  # the v2 paths a record has a value for (`_exists_:` queries)

FIELDS: tuple[Field, ...] = (
    Field("id", Kind.KEYWORD),
    # How many units ROR lists under the record: `query` ranks prominent organizations first
    # among equally good matches ("oxford": the University of Oxford, not "Oxford Heartbeat").
    Field("prominence", Kind.INTEGER, fast=True),
    Field("names_value", Kind.TEXT),
    # The names of each type apart, for v1's `name:`, `labels.label:`, `aliases:`, `acronyms:`.
    Field("names_display", Kind.TEXT),
    Field("names_label", Kind.TEXT),
    Field("names_alias", Kind.TEXT),
    Field("names_acronym", Kind.TEXT),
    Field("names_types", Kind.KEYWORD),
    Field("names_lang", Kind.KEYWORD),
    Field("name_exact", Kind.EXACT),
    # Every way affiliations write a name (`analysis.name_forms`, and less the city that ends
    # it: `analysis.less_city`), for affiliation matching.
    Field("name_forms", Kind.EXACT),
    # Each name's content words in the singular, sorted (`analysis.sorted_words` with
    # `number`), for affiliation matching.
    Field("name_words", Kind.EXACT),
    Field("display_exact", Kind.EXACT),
    Field("acronym_exact", Kind.EXACT),
    Field("identifiers", Kind.KEYWORD),
    Field("types", Kind.KEYWORD, fast=True),
    Field("status", Kind.KEYWORD, fast=True),
    Field("established", Kind.INTEGER, fast=True),
    Field("domains", Kind.KEYWORD),
    Field("links_value", Kind.KEYWORD),
    Field("links_type", Kind.KEYWORD),
    Field("external_ids_all", Kind.KEYWORD),
    Field("external_ids_preferred", Kind.KEYWORD),
    Field("external_ids_type", Kind.KEYWORD),
    Field("geonames_id", Kind.INTEGER),
    Field("location_name", Kind.TEXT),
    Field("country_code", Kind.KEYWORD, fast=True),
    Field("country_name", Kind.TEXT),
    Field("country_name_keyword", Kind.KEYWORD),
    Field("subdivision_code", Kind.KEYWORD),
    Field("subdivision_name", Kind.TEXT),
    Field("continent_code", Kind.KEYWORD, fast=True),
    Field("continent_name", Kind.TEXT),
    Field("continent_name_keyword", Kind.KEYWORD),
    Field("lat", Kind.FLOAT),
    Field("lng", Kind.FLOAT),
    Field("relationships_id", Kind.KEYWORD),
    Field("relationships_type", Kind.KEYWORD),
    Field("relationships_label", Kind.TEXT),
    Field("created_date", Kind.DATE, fast=True),
    Field("created_schema_version", Kind.KEYWORD),
    Field("last_modified_date", Kind.DATE, fast=True),
    Field("last_modified_schema_version", Kind.KEYWORD),
    Field(EXISTS, Kind.KEYWORD),
    # One value per record, for `sort=name` and `sort=id`.
    Field("sort_name", Kind.KEYWORD, fast=True),
    Field("sort_id", Kind.KEYWORD, fast=True),
    # The funders API (InvenioRDM): the funder record's own values, and a prefix field beside
    # each for search-as-you-type. Its `name` is `names_display`.
    Field("funder_name_prefix", Kind.PREFIX),
    Field("funder_title", Kind.TEXT),  # every language
    Field("funder_title_prefix", Kind.PREFIX),
    Field("funder_title_lang", Kind.TEXT_BY_KEY),  # `funder_title_lang.fr`: the French title
    Field("funder_acronym", Kind.TEXT),
    Field("funder_acronym_prefix", Kind.PREFIX),
    Field("funder_aliases", Kind.TEXT),
    Field("funder_aliases_prefix", Kind.PREFIX),
    Field("funder_country", Kind.KEYWORD),
    Field("funder_country_name", Kind.TEXT),
    Field("funder_country_name_prefix", Kind.PREFIX),
    Field("funder_identifiers", Kind.KEYWORD),  # beginnings: a prefix automaton (few, long)
)
BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}

_GEO = "locations.geonames_details."
ADVANCED_PATHS: dict[str, str] = {
    "id": "id",
    "names.value": "names_value",
    "names.types": "names_types",
    "names.lang": "names_lang",
    "types": "types",
    "status": "status",
    "established": "established",
    "domains": "domains",
    "links.value": "links_value",
    "links.type": "links_type",
    "external_ids.all": "external_ids_all",
    "external_ids.preferred": "external_ids_preferred",
    "external_ids.type": "external_ids_type",
    "locations.geonames_id": "geonames_id",
    _GEO + "name": "location_name",
    _GEO + "country_code": "country_code",
    _GEO + "country_name": "country_name",
    _GEO + "country_subdivision_code": "subdivision_code",
    _GEO + "country_subdivision_name": "subdivision_name",
    _GEO + "continent_code": "continent_code",
    _GEO + "continent_name": "continent_name",
    _GEO + "lat": "lat",
    _GEO + "lng": "lng",
    "relationships.id": "relationships_id",
    "relationships.type": "relationships_type",
    "relationships.label": "relationships_label",
    "admin.created.date": "created_date",
    "admin.created.schema_version": "created_schema_version",
    "admin.last_modified.date": "last_modified_date",
    "admin.last_modified.schema_version": "last_modified_schema_version",
}
"""`query.advanced` field names (ROR v2 paths) and the index field each one searches."""

_V1_IDS = {
    f"external_ids.{kind}.{part}": f"external_ids_{part}"
    for kind in ("GRID", "ISNI", "FundRef", "Wikidata")
    for part in ("all", "preferred")
}
V1_ADVANCED_PATHS: dict[str, str] = {
    "id": "id",
    "name": "names_display",
    "labels.label": "names_label",
    "labels.iso639": "names_lang",
    "aliases": "names_alias",
    "acronyms": "names_acronym",
    "types": "types",
    "status": "status",
    "established": "established",
    "links": "links_value",
    "wikipedia_url": "links_value",
    "country.country_code": "country_code",
    "country.country_name": "country_name",
    "addresses.city": "location_name",
    "addresses.geonames_city.id": "geonames_id",
    "addresses.geonames_city.city": "location_name",
    "addresses.lat": "lat",
    "addresses.lng": "lng",
    "relationships.id": "relationships_id",
    "relationships.type": "relationships_type",
    "relationships.label": "relationships_label",
    **_V1_IDS,
}
"""`query.advanced` field names of ROR API v1 and the index field each one searches: v1
records are rendered from the same index. Identifiers of one type are searched among all."""

# The v1 paths whose presence the index records (under their v2 path).
V1_EXISTS_PATHS = {
    "id": "id",
    "name": "names.value",
    "types": "types",
    "status": "status",
    "established": "established",
    "country.country_code": _GEO + "country_code",
    "country.country_name": _GEO + "country_name",
    "addresses.city": _GEO + "name",
    "addresses.lat": _GEO + "lat",
    "addresses.lng": _GEO + "lng",
    "relationships.id": "relationships.id",
    "relationships.type": "relationships.type",
    "relationships.label": "relationships.label",
}

# Unqualified terms of `query.advanced` look in these fields.
ADVANCED_DEFAULT_FIELDS: tuple[str, ...] = (
    "names_value",
    "identifiers",
    "location_name",
    "country_name",
)
