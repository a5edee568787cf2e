"""The package's version, in the base layer: results carry it, pyproject.toml reads it here."""

__version__ = "0.2.0"
