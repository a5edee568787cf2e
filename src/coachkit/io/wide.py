"""One row per response: the generic wide layout and every platform export built like it.

A ranking arrives in one of three encodings, and all three are read:
(a) one column per item, the cell holding its rank (`Q5 - Execution`, `Rank [Execution]`);
(b) one column per rank position, the cell holding the item placed there (`Q1[1]`, `Q1[2]`...);
(c) one cell holding the items in order, joined by `;` (`Execution;Vision and strategy;...`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.io import ReadOptions, Source, ValueKind
from coachkit.io.columns import (
    bad_cell_note,
    column_name,
    filled_rows,
    group_column,
    map_groups,
    notes_for,
    numbered,
    parse_values,
    rater_values,
    subject_values,
    unknown_dimension,
)
from coachkit.io.platforms import Sheet
from coachkit.text import normalize

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from coachkit.instruments import Instrument
    from coachkit.io.files import Grid

_POSITION = re.compile(
    r"^(.*?)\s*\[\s*(?:rank(?:ing)?\s*|position\s*|#\s*)?(\d+)\s*\]\s*$", re.IGNORECASE
)
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Ranking:
    values: np.ndarray  # per row, the rank or score of each dimension (the instrument's order)
    bad: np.ndarray  # per row, why a cell could not be read ("" when all could)
    columns: set[int]  # the columns the ranking came from
    hint: ValueKind | None


def read(
    grid: Grid, header_at: int, header: list[str], instrument: Instrument, options: ReadOptions
) -> Source:
    """The generic wide layout: one header row that names the items."""
    return read_rows(grid, Sheet("wide", header, [header], header_at + 1), instrument, options)


def read_rows(grid: Grid, sheet: Sheet, instrument: Instrument, options: ReadOptions) -> Source:
    import numpy as np

    where = grid.where
    items = item_columns(sheet, instrument, where)
    body = grid.rows_from(sheet.data_start, items.values())
    filled = filled_rows(body)
    body = body if filled.all() else body[filled]
    rows = body.index.to_numpy() + 1
    ranking = find_ranking(body, sheet, items, instrument, options, where)
    taken = set(ranking.columns) | sheet.skip
    subjects, names = subject_values(body, sheet.key_headers, taken, options, where)
    group_col = group_column(sheet.key_headers, taken, options, where)
    groups = map_groups(body[group_col], rows, instrument, options.group_map, where)
    note = notes_for((names == "")[subjects], groups < 0, ranking.bad)
    if sheet.exclude is not None:
        platform = sheet.exclude(body).to_numpy(dtype=object)
        note = np.where(platform != "", platform, note)
    return Source(
        path=grid.path,
        source_format=sheet.source_format,
        rows=len(body),
        row_numbers=rows,
        subject_codes=subjects,
        raters=rater_values(body, sheet.key_headers, taken),
        group_codes=groups,
        notes=note,
        values=ranking.values,
        subject_names=names,
        group_ids=tuple(g.id for g in instrument.groups),
        dimensions=instrument.dimension_ids,
        values_hint=ranking.hint,
    )


def item_columns(sheet: Sheet, instrument: Instrument, where: str) -> dict[str, int]:
    """Encoding (a): the column of each dimension, when the header names dimensions; else none."""
    header, skip = sheet.header, frozenset(sheet.skip)
    named = {instrument.match_header(h) for i, h in enumerate(header) if i not in skip} - {None}
    return dimension_columns(header, instrument, where, skip) if len(named) >= 2 else {}


def find_ranking(
    body: pd.DataFrame,
    sheet: Sheet,
    items: dict[str, int],
    instrument: Instrument,
    options: ReadOptions,
    where: str,
) -> Ranking:
    """The ranking in whichever of the three encodings the file uses."""
    header, skip = sheet.header, frozenset(sheet.skip)
    if items:
        return _item_columns(body, items, header, instrument)
    positions = position_columns(header, skip)
    if positions:
        return _position_ranking(body, positions, header, instrument, options, where)
    listed = list_columns(body, skip, instrument)
    if listed:
        return _list_ranking(body, listed, header, instrument, options, where)
    raise InputError(
        f"{where}: no ranking found: expected a column per dimension, a column per rank position, "
        "or cells listing the dimensions in order; see `coachkit dimensions`"
    )


def _item_columns(
    body: pd.DataFrame, dim_cols: dict[str, int], header: list[str], instrument: Instrument
) -> Ranking:
    """Encoding (a): the cell under each item holds its rank (or score)."""
    import numpy as np
    import pandas as pd

    dims, cols = list(dim_cols), list(dim_cols.values())
    matrix = np.empty((len(body), len(cols)), order="F")  # filled and used column by column
    odd_matrix = np.zeros(matrix.shape, dtype=bool, order="F")
    # Columns the parser typed as numbers are used as they are; the text ones parse in one pass
    # (per-column calls cost more than the parsing on small files).
    kinds = [dtype.kind for dtype in body.dtypes.tolist()]  # column labels are positions
    text = [i for i, c in enumerate(cols) if kinds[c] == "O"]
    for i, c in enumerate(cols):
        if kinds[c] != "O":
            matrix[:, i] = body[c].to_numpy(dtype=np.float64)
    if text:
        cells = body.to_numpy(dtype=object)[:, [cols[i] for i in text]]  # labels are positions
        parsed, odd = parse_values(pd.Series(cells.ravel(order="F"), dtype=object))
        matrix[:, text] = parsed.reshape(cells.shape, order="F")
        odd_matrix[:, text] = odd.reshape(cells.shape, order="F")
    # Numbers as parsed: infinity is unreadable, -99 means blank (two scans, often spared).
    flat = matrix.ravel(order="K")  # fmin/fmax pass over NaN (blank) cells
    low, high = (np.fmin.reduce(flat), np.fmax.reduce(flat)) if flat.size else (0.0, 0.0)
    if np.isinf(low) or np.isinf(high):
        infinite = np.isinf(matrix)
        odd_matrix |= infinite
        matrix[infinite] = np.nan
    if low <= -99:
        matrix[matrix == -99] = np.nan
    notes = [""] * len(body)
    for r, c in zip(*np.nonzero(odd_matrix), strict=True):  # row-major: each row's first bad cell
        if not notes[r]:
            notes[r] = bad_cell_note(str(body[cols[c]].iat[r]), instrument.label(dims[c]))
    order = [dims.index(d) for d in instrument.dimension_ids]
    if order != sorted(order):  # the header's order is not the instrument's
        matrix = matrix[:, order]
    hint = _values_hint([header[c] for c in cols])
    return Ranking(matrix, np.array(notes, dtype=object), set(cols), hint)


def position_columns(header: list[str], skip: frozenset[int]) -> list[list[tuple[int, int]]]:
    """Encoding (b): groups of `Q1[1]`, `Q1[2]`... columns, as (position, column) pairs."""
    stems: dict[str, list[tuple[int, int]]] = {}
    for i, text in enumerate(header):
        match = _POSITION.match(text)
        if match and i not in skip:
            stems.setdefault(normalize(match.group(1)), []).append((int(match.group(2)), i))
    return [sorted(cols) for cols in stems.values() if len(cols) >= 3]


def _dimension_of(text: str, instrument: Instrument, options: ReadOptions, where: str) -> str:
    label = options.codes.get(text.strip(), text.strip())
    dim = instrument.match_dimension(label)
    if dim is None:
        raise unknown_dimension(label, instrument, where)
    return dim


def _position_ranking(
    body: pd.DataFrame,
    positions: list[list[tuple[int, int]]],
    header: list[str],
    instrument: Instrument,
    options: ReadOptions,
    where: str,
) -> Ranking:
    """Encoding (b): the item placed at each position; its rank is the position."""
    import numpy as np

    dims = list(instrument.dimension_ids)
    position_of = {col: position for group in positions for position, col in group}

    def ranks_of(cell: str, col: int) -> tuple[np.ndarray, str]:
        vector = np.full(len(dims), np.nan)
        if cell:
            dim = _dimension_of(cell, instrument, options, f"{where}, {column_name(col, header)}")
            vector[dims.index(dim)] = position_of[col]
        return vector, ""

    return _cells_naming_items(body, list(position_of), ranks_of, instrument)


def _cells_naming_items(
    body: pd.DataFrame,
    columns: list[int],
    ranks_of: Callable[[str, int], tuple[np.ndarray, str]],
    instrument: Instrument,
) -> Ranking:
    """Rankings whose cells name items (encodings b and c): each distinct cell text of a column is
    turned into a rank vector once; the columns' vectors add up, and an item ranked in two
    columns makes the response unusable."""
    import numpy as np

    dims = list(instrument.dimension_ids)
    ranks = np.full((len(body), len(dims)), np.nan)
    bad = [""] * len(body)
    for col in columns:
        codes, uniques = numbered(body[col])
        table = np.full((len(uniques), len(dims)), np.nan)
        problems = {}
        for u, cell in enumerate(uniques):
            table[u], problem = ranks_of(cell, col)
            if problem:
                problems[u] = problem
        block = table[codes]
        clash = ~np.isnan(ranks) & ~np.isnan(block)
        for r in np.flatnonzero(clash.any(axis=1)).tolist():
            bad[r] = bad[r] or f"{instrument.label(dims[int(np.argmax(clash[r]))])} is ranked twice"
        for u, reason in problems.items():
            for r in np.flatnonzero(codes == u).tolist():
                bad[r] = bad[r] or reason
        ranks = np.where(np.isnan(block), ranks, block)
    return Ranking(ranks, np.array(bad, dtype=object), set(columns), ValueKind.ranks)


def _split(cell: str) -> list[str]:
    return [t.strip() for t in cell.split(LIST_SEPARATOR) if t.strip()]


def list_columns(body: pd.DataFrame, skip: frozenset[int], instrument: Instrument) -> list[int]:
    """Encoding (c): columns whose cells mostly list two or more dimensions joined by `;`."""
    found = []
    for col in map(int, body.columns):
        if col in skip:
            continue
        cells = [c for c in body[col].astype(str).head(200) if c.strip()]
        if not cells:
            continue
        lists = [_split(c) for c in cells]
        known = [sum(instrument.match_dimension(t) is not None for t in items) for items in lists]
        if sum(k >= 2 for k in known) >= max(1, len(cells) // 2):
            found.append(int(col))
    return found


def _list_ranking(
    body: pd.DataFrame,
    listed: list[int],
    header: list[str],
    instrument: Instrument,
    options: ReadOptions,
    where: str,
) -> Ranking:
    """Encoding (c): the items in order in one cell; an item's rank is its place in the list."""
    import numpy as np

    dims = list(instrument.dimension_ids)

    def ranks_of(cell: str, col: int) -> tuple[np.ndarray, str]:
        vector = np.full(len(dims), np.nan)
        problem = ""
        for place, item in enumerate(_split(cell), start=1):
            dim = dims.index(
                _dimension_of(item, instrument, options, f"{where}, {column_name(col, header)}")
            )
            if not np.isnan(vector[dim]):
                problem = problem or f"{instrument.label(dims[dim])} is listed twice"
            vector[dim] = place
        return vector, problem

    return _cells_naming_items(body, listed, ranks_of, instrument)


def dimension_columns(
    header: list[str], instrument: Instrument, where: str, skip: frozenset[int] = frozenset()
) -> dict[str, int]:
    """Map each dimension to its column; every dimension needs exactly one."""
    found: dict[str, int] = {}
    stems: set[str] = set()
    for i, text in enumerate(header):
        dim = None if i in skip else instrument.match_header(text)
        if dim is None:
            continue
        if dim in found:
            raise InputError(
                f"{where}: {column_name(found[dim], header)} and {column_name(i, header)} both name "
                f"{instrument.label(dim)!r}; remove or rename one"
            )
        found[dim] = i
        stems.add(_stem(text, instrument))
    stems.discard("")
    for i, text in enumerate(header):
        if i not in found.values() and i not in skip and text and _stem(text, instrument) in stems:
            raise unknown_dimension(
                instrument.header_label(text), instrument, f"{where}, {column_name(i, header)}"
            )
    missing = [instrument.label(d) for d in instrument.dimension_ids if d not in found]
    if missing:
        raise InputError(
            f"{where}: no column for {', '.join(missing)} ({len(found)} of {len(instrument.dimensions)} "
            "dimensions found); rename the header or add an alias in an instrument file (--instrument)"
        )
    return found


def _stem(header: str, instrument: Instrument) -> str:
    """The question text around a dimension label: `Rank the priorities [Execution]` -> `rank the priorities`."""
    label = instrument.header_label(header)
    if label == header.strip():
        return ""
    return normalize(header.strip()[: header.strip().rfind(label)])


def _values_hint(headers: list[str]) -> ValueKind | None:
    words = set(" ".join(normalize(h) for h in headers).split())
    says_rank = bool(words & {"rank", "ranking", "ranked", "priority", "prioritize", "order"})
    says_score = bool(words & {"rate", "rating", "score", "scores", "scale", "agree", "importance"})
    if says_rank != says_score:
        return ValueKind.ranks if says_rank else ValueKind.scores
    return None
