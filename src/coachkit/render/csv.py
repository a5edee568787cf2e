"""The tidy CSV report: one row per subject x block x reported group x dimension."""

from __future__ import annotations

import csv
import io

from coachkit.model import Report
from coachkit.text import printable

COLUMNS = (
    "subject",
    "block",
    "group",
    "n",
    "dimension",
    "label",
    "family",
    "mean_rank",
    "consensus_rank",
    "mean_rank_ci_low",  # the 95% interval over raters, for groups of 3 or more
    "mean_rank_ci_high",
)
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
    """The tidy CSV: one row per leader, block, reported group and dimension."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    dims = {d.id: d for d in report.instrument.dimensions}
    for subject in report.subjects:
        counts = {g.group: g.n for g in subject.groups}
        for block in subject.blocks:
            for group in report.instrument.groups:
                if group not in block.mean_rank:
                    continue
                intervals = block.mean_rank_ci.get(group, {})
                for d in block.dimensions:
                    low, high = (round(v, 4) for v in intervals[d]) if d in intervals else ("", "")
                    row = (
                        subject.subject,
                        block.block,
                        group,
                        counts[group],
                        d,
                        dims[d].label,
                        dims[d].family,
                        round(block.mean_rank[group][d], 4),
                        block.consensus_rank[group][d],
                        low,
                        high,
                    )
                    writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
