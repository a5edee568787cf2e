"""Reading a file (or a DataFrame): find its header, tell its layout or platform, and hand the
grid to the reader that layout needs."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.io.source import ReadOptions, Source
from coachkit.options import Layout

if TYPE_CHECKING:
    from collections.abc import Iterator

    import pandas as pd

    from coachkit.instruments import Instrument
    from coachkit.io.files import Grid
    from coachkit.io.platforms import Sheet


def read_source(path: str, instrument: Instrument, options: ReadOptions) -> Source:
    """Read one file in whichever layout it holds (or the one forced by `options.layout`)."""
    from coachkit.io.files import read_grids

    warnings: list[str] = []
    return _read(path, read_grids(path, options.sheet, warnings), instrument, options, warnings)


def read_frame(
    frame: pd.DataFrame, instrument: Instrument, options: ReadOptions, name: str = "<DataFrame>"
) -> Source:
    """Read a pandas DataFrame as a file whose header row is the frame's columns (tidy or wide,
    or a platform's export loaded with `pandas.read_csv`)."""
    from coachkit.io.files import frame_grid

    return _read(name, iter([frame_grid(frame, name)]), instrument, options, [])


def _read(
    path: str,
    grids: Iterator[Grid],
    instrument: Instrument,
    options: ReadOptions,
    warnings: list[str],
) -> Source:
    from coachkit.io import wide

    seen: list[str] = []
    other: str = ""  # what to do with a ranking of items no instrument holds
    for grid in grids:
        header_at = header_row(grid)
        if header_at is None:
            seen.append(grid.sheet or "")
            continue
        source = _read_grid(grid, header_at, instrument, options)
        if source is None:
            seen.append(grid.sheet or "")
            asked = wide.generic_sheet(grid.cells.row(header_at), header_at).questions()
            ranking = [q for q in asked if q.key and len(q.columns) >= 3]
            if len(ranking) > 1 and options.question is None and not other:
                other = (
                    f"{len(ranking)} questions rank items {instrument.id} does not hold ("
                    + ", ".join(q.short for q in ranking[:4])
                    + "); choose one with --question (its items are then the instrument)"
                )
            elif ranking and not other:
                other = (
                    f"question {ranking[0].short} ranks items {instrument.id} does not hold; "
                    + wide.draft_hint(path, ranking[0])
                )
            continue
        if source.rows == 0:
            raise InputError(f"{grid.where}: has a header row but no responses below it")
        return replace(source, warnings=(*warnings, *source.warnings))
    if seen and seen[0]:
        raise InputError(
            f"{path}: no sheet holds survey columns (sheets: {', '.join(map(repr, seen))}); "
            "choose one with --sheet NAME, or check that a header row names the dimensions"
        )
    if other:
        raise InputError(f"{path}: no survey columns found: {other}")
    raise InputError(
        f"{path}: no survey columns found; expected a header with a column per dimension (wide) "
        "or columns subject, rater, group, dimension and rank (tidy); see `coachkit dimensions`"
    )


def _read_grid(
    grid: Grid, header_at: int, instrument: Instrument, options: ReadOptions
) -> Source | None:
    """Read a grid as the platform export or layout it holds; None when it holds no survey."""
    from coachkit.io import tidy, wide

    layout, sheet = grid_layout(grid, header_at, instrument, options)
    if sheet is not None:
        return wide.read_rows(grid, sheet, instrument, options)
    if layout is Layout.tidy:
        return tidy.read(grid, header_at, grid.cells.row(header_at), instrument, options)
    return None


def grid_layout(
    grid: Grid, header_at: int, instrument: Instrument, options: ReadOptions
) -> tuple[Layout | None, Sheet | None]:
    """What a grid holds: a platform export or the wide layout (with the `Sheet` to read it by),
    the tidy layout, or nothing coachkit reads (None)."""
    from coachkit.io import platforms, wide

    header = grid.cells.row(header_at)
    layout: Layout | None = options.layout
    if layout not in (Layout.tidy, Layout.wide):
        try:
            sheet = platforms.detect(grid.cells, header_at, options.layout)
        except InputError as exc:
            raise InputError(f"{grid.where}: {exc}; try --source auto") from exc
        if sheet is not None:
            return options.layout, sheet
        layout = _detect(grid, header_at, header, instrument)
    if layout is Layout.wide:
        return layout, wide.generic_sheet(header, header_at)
    return layout, None


def header_row(grid: Grid) -> int | None:
    """The grid row of the first row that holds the survey's columns: a title row (or a note,
    or blank rows) above the header fills a cell or two, the header and the rows below it many
    more."""
    cells = grid.cells
    start = 0
    while start < len(cells):  # look in slices: the header is near the top of any real file
        counts = (cells.take(slice(start, start + 100)).text() != "").sum(axis=1)
        hits = counts.nonzero()[0]
        if len(hits):
            first = int(hits[0])
            near = counts[first : first + 30]
            wide = max(3, -(-int(near.max()) // 4))  # a quarter of the widest row, at least 3
            at = start + first + (int((near >= wide).argmax()) if near.max() >= wide else 0)
            return int(cells.rows[at])  # the grid row (a workbook's empty rows are not held)
        start += 100
    return None


def _detect(grid: Grid, header_at: int, header: list[str], instrument: Instrument) -> Layout | None:
    from coachkit.io import columns, tidy, wide
    from coachkit.io.questions import fit

    questions = wide.generic_sheet(header, header_at).questions()
    if any(q.kind == "positions" or fit(q, instrument).matched >= 2 for q in questions):
        return Layout.wide

    def named(synonyms: tuple[str, ...], column: str) -> bool:
        return columns.find(header, synonyms + instrument.header_words(column)) is not None

    if named(columns.DIMENSION, "dimension") and (
        named(columns.RANK, "rank") or named(columns.SCORE, "score")
    ):
        return Layout.tidy
    body = grid.cells.since(header_at + 1)
    if wide.list_columns(body, frozenset(), instrument):
        return Layout.wide
    if len(header) <= TIDY_WIDTH and tidy.columns_by_values(body, instrument) is not None:
        return Layout.tidy  # headers in another language: a column of labels, one of ranks
    return None


TIDY_WIDTH = 12  # columns a tidy file may have to be recognized by its values alone
