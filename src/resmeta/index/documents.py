"""From a ROR record to the index document: the value of every field."""

from __future__ import annotations

import datetime

import msgspec
import orjson
import tantivy

from resmeta.index import analysis
from resmeta.index.fields import DOCUMENT, DOCUMENT_V1, EXISTS, FUNDER, ORDINAL
from resmeta.index.matching import MatchingInfo
from resmeta.records.funder import funder_record
from resmeta.records.ids import ROR_URL_PREFIX
from resmeta.records.model import Organization, render_v2
from resmeta.records.v1 import render_v1

NAMES_BY_TYPE = {
    "ror_display": "names_display",
    "label": "names_label",
    "alias": "names_alias",
    "acronym": "names_acronym",
}


def to_document(org: Organization, matching: MatchingInfo, ordinal: int) -> tantivy.Document:
    """The document of `org`, whose matching view is `matching` and place in the dump
    `ordinal`."""
    doc = tantivy.Document()
    add = doc.add_text
    bare_id = org.id.removeprefix(ROR_URL_PREFIX)
    present: set[str] = {"id", "names.value", "names.types", "status", "types"}

    for value in (org.id, bare_id):
        add("id", value)
        add("identifiers", value)
    add("sort_id", bare_id)

    for name in org.names:
        add("names_value", name.value)
        normal = analysis.exact(name.value)
        if normal:
            add("name_exact", normal)
        for name_type in name.types:
            add("names_types", name_type)
        if name.lang:
            add("names_lang", name.lang)
            present.add("names.lang")
        if normal and "ror_display" in name.types:
            add("display_exact", normal)
            add("sort_name", normal)  # words only: punctuation and case do not order
        if normal and "acronym" in name.types:
            add("acronym_exact", normal)
        kind = "ror_display" if "ror_display" in name.types else next(iter(name.types), "")
        add(NAMES_BY_TYPE.get(kind, "names_alias"), name.value)
    for form in (*matching.names, *matching.acronyms, *matching.names_less_city):
        add("name_forms", form)
    for words in dict.fromkeys(analysis.sorted_words(name, number=True) for name in matching.names):
        add("name_words", words)
    for org_type in org.types:
        add("types", org_type)
    add("status", org.status)
    if org.established is not None:
        doc.add_integer("established", org.established)
        present.add("established")
    for domain in org.domains:
        add("domains", domain)
        present.add("domains")

    for link in org.links:
        add("links_value", link.value)
        add("links_type", link.type)
        present.update(("links.value", "links.type"))
    for ext in org.external_ids:
        add("external_ids_type", ext.type)
        present.update(("external_ids.all", "external_ids.type"))
        for value in ext.all:
            add("external_ids_all", value)
            add("identifiers", value)
            if ext.type == "isni":
                add("identifiers", value.replace(" ", ""))
        if ext.preferred:
            add("external_ids_preferred", ext.preferred)
            present.add("external_ids.preferred")

    for location in org.locations:
        doc.add_integer("geonames_id", location.geonames_id)
        present.add("locations.geonames_id")
        _add_geonames_details(doc, location.geonames_details, present)

    doc.add_integer("prominence", sum(r.type == "child" for r in org.relationships))
    for relation in org.relationships:
        add("relationships_id", relation.id)
        add("relationships_id", relation.id.removeprefix(ROR_URL_PREFIX))
        add("relationships_type", relation.type)
        add("relationships_label", relation.label)
        present.update(("relationships.id", "relationships.type", "relationships.label"))

    for stamp_name, stamp in (
        ("created", org.admin.created),
        ("last_modified", org.admin.last_modified),
    ):
        doc.add_date(f"{stamp_name}_date", _date(stamp.date))
        add(f"{stamp_name}_schema_version", stamp.schema_version)
        present.update((f"admin.{stamp_name}.date", f"admin.{stamp_name}.schema_version"))

    for path in present:
        add(EXISTS, path)
    doc.add_bytes(DOCUMENT, render_v2(org))
    # From the record in the dump's own list order, which v1 keeps and the v2 API sorts.
    doc.add_bytes(DOCUMENT_V1, render_v1(msgspec.json.encode(org)))
    doc.add_unsigned(ORDINAL, ordinal)
    _add_funder(doc, funder_record(msgspec.to_builtins(org)))
    return doc


def _add_funder(doc: tantivy.Document, funder: dict) -> None:
    """The funders API's fields, from the funder record itself (its `name` is
    `names_display`), and the record, whose `links.self` the API completes."""

    def add_words(field: str, values) -> None:
        seen: set[str] = set()
        for value in values:
            doc.add_text(field, value)
            seen.update(analysis.words(value))
        for word in seen:  # one value per word: the prefix analyzer n-grams whole values
            doc.add_text(f"{field}_prefix", word)

    for word in set(analysis.words(funder["name"])):  # its words: names_display, above
        doc.add_text("funder_name_prefix", word)
    add_words("funder_title", funder["title"].values())
    doc.add_json("funder_title_lang", funder["title"])
    add_words("funder_acronym", [funder["acronym"]] if "acronym" in funder else [])
    add_words("funder_aliases", funder.get("aliases", []))
    if "country" in funder:
        doc.add_text("funder_country", funder["country"])
    add_words("funder_country_name", [funder["country_name"]] if "country_name" in funder else [])
    identifiers = {analysis.keyword(i["identifier"]) for i in funder["identifiers"]}
    identifiers |= {value.replace(" ", "") for value in identifiers}  # ISNI with or without spaces
    for value in identifiers:
        doc.add_text("funder_identifiers", value)
    doc.add_bytes(FUNDER, orjson.dumps(funder))


_GEO_FIELDS = (
    ("name", "location_name"),
    ("country_code", "country_code"),
    ("country_name", "country_name"),
    ("country_name", "country_name_keyword"),
    ("country_subdivision_code", "subdivision_code"),
    ("country_subdivision_name", "subdivision_name"),
    ("continent_code", "continent_code"),
    ("continent_name", "continent_name"),
    ("continent_name", "continent_name_keyword"),
)


def _add_geonames_details(doc: tantivy.Document, details, present: set[str]) -> None:
    for attribute, field in _GEO_FIELDS:
        value = getattr(details, attribute)
        if value:
            doc.add_text(field, value)
            present.add("locations.geonames_details." + attribute)
    for attribute in ("lat", "lng"):
        value = getattr(details, attribute)
        if value is not None:
            doc.add_float(attribute, float(value))
            present.add("locations.geonames_details." + attribute)


def _date(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)
