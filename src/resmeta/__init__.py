"""resmeta: a self-hostable research-metadata service (ROR API over a local dump)."""

__version__ = "0.1.0"
