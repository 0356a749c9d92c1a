"""From a ROR record to the index document: the value of every field."""

from __future__ import annotations

import datetime

import tantivy

from resmeta.index import analysis
from resmeta.index.fields import DOCUMENT, EXISTS, MATCHING
from resmeta.index.matching import matching_info
from resmeta.records.ids import ROR_URL_PREFIX
from resmeta.records.model import Organization, render_v2


def to_document(org: Organization) -> tantivy.Document:
    doc = tantivy.Document()
    add = doc.add_text
    bare_id = org.id.removeprefix(ROR_URL_PREFIX)
    present: set[str] = {"id", "names.value", "names.types", "status", "types"}

    for value in (org.id, bare_id):
        add("id", value)
        add("identifiers", value)

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
        if normal and "acronym" in name.types:
            add("acronym_exact", normal)
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
    doc.add_bytes(MATCHING, matching_info(org))
    return doc


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
