"""Readers: each survey layout becomes the same responses (one per row of a `Source`).

`read_source` reads a file, `read_frame` a DataFrame (`read.py`); each platform's layout is told
apart in `platforms.py`, its columns grouped into questions in `questions.py`, and read by
`wide.py` (a response per row) or `tidy.py` (a row per rater and dimension). `describe.py` is
what `coachkit inspect` shows.
"""

from coachkit.io.read import grid_layout, header_row, read_frame, read_source
from coachkit.io.source import ReadOptions, Source
from coachkit.options import Layout, ValueKind

__all__ = [
    "Layout",
    "ReadOptions",
    "Source",
    "ValueKind",
    "grid_layout",
    "header_row",
    "read_frame",
    "read_source",
]
