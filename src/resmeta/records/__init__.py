"""The data model: ROR records, identifiers, dump readers. No HTTP, no search engine."""
