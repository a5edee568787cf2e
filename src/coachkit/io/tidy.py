"""The tidy layout: one row per rater x dimension, gathered into one response per rater."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.io.columns import (
    DIMENSION,
    RANK,
    RATER,
    SAMPLE,
    SCORE,
    KeyColumn,
    aliases,
    bad_cell_note,
    find,
    find_group,
    find_subject,
    given_over,
    group_codes,
    key_column,
    moved_from,
    named_column,
    notes_for,
    numbered,
    parse_values,
    stripped,
    subject_values,
    unknown_dimension,
)
from coachkit.io.source import ReadOptions, Source
from coachkit.options import ValueKind
from coachkit.text import normalize

if TYPE_CHECKING:
    import numpy as np

    from coachkit.instruments import Instrument
    from coachkit.io.files import Grid
    from coachkit.io.table import Table


def read(
    grid: Grid, header_at: int, header: list[str], instrument: Instrument, options: ReadOptions
) -> Source:
    """The tidy layout: rows of (subject, rater, group, dimension, value) gathered into responses."""
    import numpy as np

    where = grid.where
    dim_col = find(header, DIMENSION + instrument.header_words("dimension"))
    rank_col = find(header, RANK + instrument.header_words("rank"))
    score_col = find(header, SCORE + instrument.header_words("score"))
    value_col = rank_col if rank_col is not None else score_col
    if dim_col is not None and not _labels_in(grid.rows_from(header_at + 1)[dim_col], instrument):
        # an "Item" column of codes (`Q5_3`) beside one of labels: the labels tell the item
        labelled = _label_column(grid.rows_from(header_at + 1), instrument)
        dim_col = labelled if labelled is not None else dim_col
    by_values = dim_col is None or value_col is None
    if by_values:  # headers in a language coachkit has no words for: the values tell
        told = columns_by_values(grid.rows_from(header_at + 1), instrument)
        if told is None:
            raise InputError(
                f"{where}: a tidy file needs a dimension column (dimension, item) and a rank or "
                "score column"
            )
        dim_col, value_col = told
    assert dim_col is not None and value_col is not None
    hint: ValueKind | None = ValueKind.ranks if rank_col is not None else ValueKind.scores
    if by_values or (rank_col is None and normalize(header[value_col]) == "value"):
        hint = None  # "value" (or a header not understood) says nothing about ranks or scores
    taken = {dim_col, value_col}
    body = grid.rows_from(header_at + 1, [value_col])
    body = body.take(body.filled())
    rows = body.rows + 1
    if by_values:  # the group first, so that its labels are never taken for leaders
        group_column = find_group(body, [header], taken, options, instrument, where)
    subject_column = _subject(body, header, taken, options, where, instrument, by_values)
    subjects, names = subject_values(body, subject_column, options)
    if not by_values:
        group_column = find_group(body, [header], taken, options, instrument, where)
    over = given_over(body, [header], taken, options, instrument, where)
    rater = (
        named_column([header], options.rater_column, "--rater-column", where)
        if options.rater_column is not None
        else key_column(
            [header],
            ("email", "email address", *RATER, *instrument.header_words("rater")),
            taken,
            ("email",),
        )
    )
    if rater is None and by_values:  # the column that tells most rows apart
        rest = [c for c in body.labels if c not in taken]
        if rest:
            rater = KeyColumn(max(rest, key=lambda c: _distinct(body[c])), "values")
    if rater is None or rater.column is None:
        raise InputError(
            f"{where}: a tidy file needs a rater column (rater, respondent, response id) "
            "to know which rows make up one response; name it with --rater-column"
        )
    rater_col = rater.column
    groups = group_codes(body, group_column, rows, instrument, options, where)
    moved = moved_from(body, group_column, instrument, options)
    aliased = aliases(body, group_column, instrument, options)
    codes, labels = numbered(body[dim_col])
    matched = [instrument.match_dimension(label) for label in labels]
    if None in matched:
        at = int(np.flatnonzero(codes == matched.index(None))[0])
        raise unknown_dimension(str(labels[codes[at]]), instrument, f"{where}, row {rows[at]}")
    values, odd = parse_values(body[value_col])
    dims = np.array([instrument.dimension_ids.index(d) for d in matched], dtype=np.int64)[codes]
    dim_labels = [instrument.label(d) for d in instrument.dimension_ids]
    bad = np.full(len(body), "", dtype=object)
    cells = np.asarray(body[value_col], dtype=object)[odd]
    bad[odd] = [
        bad_cell_note(str(t), dim_labels[d], instrument)
        for t, d in zip(cells.tolist(), dims[odd].tolist(), strict=True)
    ]
    raters = stripped(body[rater_col])
    response = _responses(subjects, raters, dims, len(dim_labels))
    first = _first_per(response)  # ordered as the file
    size = len(first)
    # A dimension given twice within one answer: its first value counts, and the response is
    # unusable.
    cell = response * len(dim_labels) + dims
    twice = _how_often(cell) > 1
    firsts = _first_per(cell)
    matrix = np.full((size, len(dim_labels)), np.nan)
    matrix[response[firsts], dims[firsts]] = values[firsts]
    note = np.full(size, "", dtype=object)
    with_bad = _first_per(response, bad != "")
    note[response[with_bad]] = bad[with_bad]
    given_twice = _first_per(response, twice)
    note[response[given_twice]] = [f"{dim_labels[d]} is given twice" for d in dims[given_twice]]
    group = groups[first]
    note[~_all_equal(groups, response, size)] = "its rows name different rater groups"
    note = notes_for((names == "")[subjects[first]], group < 0, note)
    return Source(
        path=grid.path,
        source_format="tidy",
        rows=len(body),
        row_numbers=rows[first],
        subject_codes=subjects[first],
        raters=raters[first],
        group_codes=group,
        moved_from=moved[first] if (moved >= 0).any() else None,
        aliases=None if aliased is None else aliased[first],
        group_given=options.group,
        given_over=None if over is None else over[first],
        notes=note,
        values=matrix,
        subject_names=names,
        group_ids=tuple(g.id for g in instrument.groups),
        dimensions=instrument.dimension_ids,
        values_hint=hint,
        warnings=(
            (
                f"{grid.path}: a tidy file (a row per rating) holds no comments: --comments read none",
            )
            if options.comments
            else ()
        ),
    )


def _labels_in(cells: np.ndarray, instrument: Instrument, share: float = 0.8) -> bool:
    """Whether most (80%+) of a column's filled cells are the instrument's labels."""
    found = [str(c).strip() for c in cells[:SAMPLE].tolist() if str(c).strip()]
    return bool(found) and (
        sum(instrument.match_dimension(c) is not None for c in found) >= share * len(found)
    )


def _label_column(body: Table, instrument: Instrument) -> int | None:
    """The one column whose cells are mostly the instrument's labels, if exactly one is."""
    found = [col for col in body.labels if _labels_in(body[col], instrument)]
    return found[0] if len(found) == 1 else None


def columns_by_values(body: Table, instrument: Instrument) -> tuple[int, int] | None:
    """The dimension and value columns of a tidy file told by their values: the one column whose
    cells are mostly (80%+) the instrument's labels, and the one column of whole numbers from 1
    to the number of dimensions (a rater id of numbers lies outside). None when either is not
    the only one of its kind."""
    k = len(instrument.dimensions)
    labels, values = [], []
    for col in body.labels:
        cells = [str(c).strip() for c in body[col][:SAMPLE].tolist() if str(c).strip()]
        if not cells:
            continue
        if sum(instrument.match_dimension(c) is not None for c in cells) >= 0.8 * len(cells):
            labels.append(col)
        elif all(_NUMBER.fullmatch(c) and 1 <= float(c) <= k for c in cells):
            values.append(col)
    return (labels[0], values[0]) if len(labels) == 1 and len(values) == 1 else None


_NUMBER = re.compile(r"\d{1,3}(?:[.,]\d+)?")


def _distinct(cells: np.ndarray) -> int:
    return len({str(c).strip() for c in cells[:SAMPLE].tolist()})


def _subject(
    body: Table,
    header: list[str],
    taken: set[int],
    options: ReadOptions,
    where: str,
    instrument: Instrument,
    by_values: bool,
) -> KeyColumn:
    """The leader column: by its header; in a file told by its values, else the column (of the
    two or more left) that tells the fewest rows apart."""
    try:
        return find_subject([header], taken, options, where, body, instrument)
    except InputError:
        rest = [c for c in body.labels if c not in taken]
        if not by_values or len(rest) < 2:
            raise
    found = min(rest, key=lambda c: _distinct(body[c]))
    taken.add(found)
    return KeyColumn(found, "values")


def _responses(subjects: np.ndarray, raters: np.ndarray, dims: np.ndarray, k: int) -> np.ndarray:
    """Per row, its response: the rows of one rater about one leader, numbered as they first
    appear. A rater who answered twice gives every dimension twice: each round is a response of
    its own (validation keeps the later); a dimension given twice within one answer stays in it
    (an error of that response)."""
    import numpy as np

    from coachkit.keys import factorize, occurrence, rows_factorize

    answer = rows_factorize([subjects, factorize(raters)[0]])
    cell = answer * k + dims
    round_ = occurrence(cell)  # 0 for a dimension's first row in an answer, 1 for its second...
    # every dimension of an answer given equally often: rounds of answers
    rounds = _all_equal(_how_often(cell), answer, int(answer.max(initial=-1)) + 1)[answer]
    keys = answer * (int(round_.max(initial=0)) + 1) + np.where(rounds, round_, 0)
    return factorize(keys)[0]


def _first_per(keys: np.ndarray, among: np.ndarray | None = None) -> np.ndarray:
    """The position of each distinct key's first row (among the rows `among` picks, if given),
    in the order of the rows."""
    import numpy as np

    picked = np.arange(len(keys)) if among is None else np.flatnonzero(among)
    _, first = np.unique(keys[picked], return_index=True)
    return np.sort(picked[first])


def _how_often(keys: np.ndarray) -> np.ndarray:
    """Per row, how many rows share its key."""
    import numpy as np

    from coachkit.keys import factorize

    codes = factorize(keys)[0]
    counts: np.ndarray = np.bincount(codes)[codes]
    return counts


def _all_equal(values: np.ndarray, group: np.ndarray, size: int) -> np.ndarray:
    """Per group 0..size-1, whether all its rows hold the same value."""
    import numpy as np

    low = np.full(size, np.iinfo(np.int64).max)
    high = np.full(size, np.iinfo(np.int64).min)
    np.minimum.at(low, group, values)
    np.maximum.at(high, group, values)
    same: np.ndarray = low == high
    return same
