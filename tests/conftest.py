"""Shared test helpers: the default instrument, survey files written from rank matrices, the CLI."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from typer.testing import CliRunner

from coachkit.cli import app
from coachkit.instruments import Instrument, load_instrument
from coachkit.options import Format
from coachkit.validate import Dataset

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
INSTRUMENT = load_instrument()
LABELS = [d.label for d in INSTRUMENT.dimensions]
# The same twelve dimensions as real exports often spell them (aliases, not labels).
ALIASES = [
    "Vision & Strategy",
    "Job competence",
    "Industry knowledge",
    "Communication",
    "Leading change",
    "Execution",
    "Leadership image",
    "Developing a following",
    "Judgment",
    "Ethics",
    "Coaching & mentoring",
    "Team building",
]


@pytest.fixture
def instrument() -> Instrument:
    return INSTRUMENT


def write_wide(
    path: Path,
    rows: Sequence[tuple[str, str, str, Sequence[object]]],
    headers: Sequence[str] = LABELS,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """A wide CSV: (subject, rater, group, values per dimension) per row."""
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["Leader", "Rater", "Relationship", *headers])
        for subject, rater, group, values in rows:
            writer.writerow([subject, rater, group, *values])
    return path


def write_tidy(
    path: Path, rows: Sequence[tuple[str, str, str, Sequence[object]]], value_header: str = "Rank"
) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Subject", "Rater ID", "Rater group", "Dimension", value_header])
        for subject, rater, group, values in rows:
            for label, value in zip(LABELS, values, strict=True):
                writer.writerow([subject, rater, group, label, value])
    return path


def write_rows(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """A CSV of these rows as they are (a header among them, or not)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def run(*args: str) -> tuple[int, str, str]:
    """Run the CLI; return (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "100", "NO_COLOR": "1"})
    return result.exit_code, result.stdout, result.stderr


# Every format; PDF is printed by a browser, a second each, so its cases run with the slow
# tests (CI runs them).
FORMATS = [pytest.param(f, marks=pytest.mark.slow) if f is Format.pdf else f for f in Format]

IDENTITY = list(range(1, 13))
REVERSED = list(range(12, 0, -1))


def dataset_for(rows: Sequence[tuple[str, str, Sequence[float]]]) -> Dataset:
    """A validated dataset straight from (subject, group id, ranks) rows, no file in between."""
    from coachkit.io import Source
    from coachkit.validate import validate

    names = list(dict.fromkeys(r[0] for r in rows))
    groups = [g.id for g in INSTRUMENT.groups]
    source = Source(
        path="mem.csv",
        source_format="wide",
        rows=len(rows),
        row_numbers=np.arange(2, len(rows) + 2),
        subject_codes=np.array([names.index(r[0]) for r in rows]),
        raters=np.array([f"r{i}" for i in range(len(rows))], dtype=object),
        group_codes=np.array([groups.index(r[1]) for r in rows]),
        notes=np.full(len(rows), "", dtype=object),
        values=np.array([r[2] for r in rows], dtype=np.float64),
        subject_names=np.array(names, dtype=object),
        group_ids=tuple(groups),
        dimensions=INSTRUMENT.dimension_ids,
    )
    return validate(
        [source],
        INSTRUMENT,
    )
