"""The tidy CSV of a result: for a report, one row per subject x block x reported group x
dimension."""

from __future__ import annotations

import csv
import io
from typing import Any

from coachkit.document import table
from coachkit.text import printable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Neutralize text that a spreadsheet would run as a formula or a terminal as an escape
    sequence (numbers pass unchanged)."""
    if isinstance(value, str):
        value = printable(value)
        if value.startswith(_FORMULA_START):
            return "'" + value
    return value


def render_csv(result: Any) -> str:
    """A result's tidy table (`coachkit.document.table`, as `to_frame()` holds it): an empty
    cell where a value is missing."""
    columns, rows = table(result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        writer.writerow([safe_cell("" if v is None or v != v else v) for v in row])  # NaN: ""
    return out.getvalue()
