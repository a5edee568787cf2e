"""The tidy CSV report: one row per subject x block x reported group x dimension."""

from __future__ import annotations

import csv
import io

from coachkit.model import Report
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


def render_csv(report: Report) -> str:
    """The tidy CSV: one row per leader, block, reported group and dimension, as
    `Report.tidy_rows` gives them (an empty cell where a group has no interval)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in report.tidy_columns()])
    for row in report.tidy_rows():
        writer.writerow([safe_cell("" if v != v else v) for v in row])  # NaN: ""
    return out.getvalue()
