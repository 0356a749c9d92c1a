"""The tantivy schema, built from the field table."""

from __future__ import annotations

import tantivy

from resmeta.index import analysis
from resmeta.index.fields import DOCUMENT, DOCUMENT_V1, FIELDS, FUNDER, ORDINAL, Kind


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for field in FIELDS:
        if field.kind is Kind.TEXT:
            builder.add_text_field(field.name, tokenizer_name=analysis.TEXT)
        elif field.kind is Kind.KEYWORD:
            builder.add_text_field(
                field.name, tokenizer_name=analysis.KEYWORD, fast=field.fast, index_option="basic"
            )
        elif field.kind is Kind.EXACT:
            builder.add_text_field(field.name, tokenizer_name=analysis.RAW, index_option="basic")
        elif field.kind is Kind.INTEGER:
            builder.add_integer_field(field.name, indexed=True, fast=field.fast)
        elif field.kind is Kind.FLOAT:
            builder.add_float_field(field.name, indexed=True, fast=field.fast)
        elif field.kind is Kind.DATE:
            builder.add_date_field(field.name, indexed=True, fast=field.fast)
        elif field.kind is Kind.PREFIX:
            builder.add_text_field(field.name, tokenizer_name=analysis.PREFIX, index_option="basic")
        elif field.kind is Kind.TEXT_BY_KEY:
            builder.add_json_field(field.name, tokenizer_name=analysis.TEXT)
    builder.add_bytes_field(DOCUMENT, stored=True, indexed=False)
    builder.add_bytes_field(DOCUMENT_V1, stored=True, indexed=False)
    builder.add_bytes_field(FUNDER, stored=True, indexed=False)
    builder.add_unsigned_field(ORDINAL, fast=True)
    return builder.build()
