"""coachkit: analyze 360-degree leadership priority rankings."""

__version__ = "0.1.0"
