"""The search index: schema, analyzers, building, opening, query translation."""
