"""Affiliation matching: from a messy affiliation string to ROR organizations."""
