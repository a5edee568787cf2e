"""Readers: each survey layout becomes the same table of responses (one row per response).

The responses table has the columns `path`, `row` (the spreadsheet row a user sees), `subject`,
`rater` (empty when the file has no rater ids), `group` (a canonical group id), `note` (why the
response cannot be used, empty when it can), and one float column per dimension id holding the
raw rank or score (NaN when unranked).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.io.files import Grid, read_grids

if TYPE_CHECKING:
    import pandas as pd

    from coachkit.instruments import Instrument


class Layout(StrEnum):
    auto = "auto"
    tidy = "tidy"
    wide = "wide"


class ValueKind(StrEnum):
    ranks = "ranks"
    scores = "scores"


@dataclass(frozen=True)
class ReadOptions:
    layout: Layout = Layout.auto
    sheet: str | None = None
    subject: str | None = None
    group_map: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """One input file, read: its responses and what the reader learned about them."""

    path: str
    source_format: str
    rows: int
    responses: pd.DataFrame
    values_hint: ValueKind | None = None
    warnings: tuple[str, ...] = ()


def read_source(path: str, instrument: Instrument, options: ReadOptions) -> Source:
    """Read one file in whichever layout it holds (or the one forced by `options.layout`)."""
    from coachkit.io import tidy, wide

    warnings: list[str] = []
    seen: list[str] = []
    for grid in read_grids(path, options.sheet, warnings):
        header_at = _header_row(grid)
        if header_at is None:
            seen.append(grid.sheet or "")
            continue
        header = [str(h).strip() for h in grid.cells.iloc[header_at]]
        layout: Layout | None = options.layout
        if layout is Layout.auto:
            layout = _detect(header, instrument)
        if layout is Layout.wide:
            source = wide.read(grid, header_at, header, instrument, options)
        elif layout is Layout.tidy:
            source = tidy.read(grid, header_at, header, instrument, options)
        else:
            seen.append(grid.sheet or "")
            continue
        if source.rows == 0:
            raise InputError(f"{grid.where}: has a header row but no responses below it")
        return Source(
            source.path,
            source.source_format,
            source.rows,
            source.responses,
            source.values_hint,
            (*warnings, *source.warnings),
        )
    if seen and seen[0]:
        raise InputError(
            f"{path}: no sheet holds survey columns (sheets: {', '.join(map(repr, seen))}); "
            "choose one with --sheet NAME, or check that a header row names the dimensions"
        )
    raise InputError(
        f"{path}: no survey columns found; expected a header with a column per dimension (wide) "
        "or columns subject, rater, group, dimension and rank (tidy); see `coachkit dimensions`"
    )


def _header_row(grid: Grid) -> int | None:
    """The first row with any text in it."""
    cells = grid.cells
    if cells.empty:
        return None
    filled = (cells != "").any(axis=1).to_numpy()
    hits = filled.nonzero()[0]
    return int(hits[0]) if len(hits) else None


def _detect(header: list[str], instrument: Instrument) -> Layout | None:
    from coachkit.io import columns

    matched = {instrument.match_header(h) for h in header} - {None}
    if len(matched) >= 2:
        return Layout.wide
    if columns.find(header, columns.DIMENSION) is not None and (
        columns.find(header, columns.RANK) is not None
        or columns.find(header, columns.SCORE) is not None
    ):
        return Layout.tidy
    return None


__all__ = ["Layout", "ReadOptions", "Source", "ValueKind", "read_source"]
