"""One row per response: the generic wide layout and every platform export built like it.

A ranking arrives in one of three encodings, and all three are read:
(a) one column per item, the cell holding its rank (`Q5 - Execution`, `Rank [Execution]`);
(b) one column per rank position, the cell holding the item placed there (`Q1[1]`, `Q1[2]`...);
(c) one cell holding the items in order, joined by `;` (`Execution;Vision and strategy;...`).
"""

from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.io.columns import (
    KeyColumn,
    aliases,
    answer_codes,
    bad_cell_note,
    column_name,
    comment_columns,
    comment_values,
    find_group,
    find_rater,
    find_subject,
    given_over,
    group_codes,
    key_name,
    merged_rankings,
    moved_from,
    notes_for,
    numbered,
    parse_values,
    rater_candidates,
    rater_values,
    repeated_ids,
    stripped,
    strong_id,
    subject_values,
    unknown_dimension,
)
from coachkit.io.platforms import Sheet
from coachkit.io.questions import Fit, Question, choose, fit, list_question, position
from coachkit.io.source import ReadOptions, Source
from coachkit.options import ValueKind
from coachkit.text import compact, normalize

if TYPE_CHECKING:
    import numpy as np

    from coachkit.instruments import Instrument
    from coachkit.io.files import Grid
    from coachkit.io.table import Table

LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Ranking:
    """One question's rankings as read: values per response, unreadable cells, the columns used."""

    values: np.ndarray  # per row, the rank or score of each dimension (the instrument's order)
    bad: np.ndarray  # per row, why a cell could not be read ("" when all could)
    columns: set[int]  # the columns the ranking came from
    hint: ValueKind | None


def generic_sheet(header: list[str], header_at: int) -> Sheet:
    """How to read a generic file: its header row names the items, data follows."""
    return Sheet("wide", header, [header], header_at + 1, why="a header row naming the items")


@dataclass(frozen=True)
class Plan:
    """What a reader understood of a grid before reading any ranking: its questions, the one
    chosen, and the leader, group and rater columns (shown by `coachkit inspect`)."""

    sheet: Sheet
    body: Table  # the data rows (blank rows dropped)
    fits: list[Fit]  # every question, matched against the instrument
    chosen: Fit | None
    subject: KeyColumn
    group: KeyColumn
    rater: KeyColumn | None
    notes: tuple[str, ...] = ()  # what was decided about the key columns, for stderr
    # with --group: per row, the group the file's own group column names where it is another
    given_over: np.ndarray | None = None


def questions(
    grid: Grid, sheet: Sheet, instrument: Instrument, options: ReadOptions
) -> tuple[Table, list[Fit]]:
    """The data rows (blank rows dropped) and every question of the grid, matched against the
    instrument."""
    fits = [fit(q, instrument) for q in sheet.questions()]
    numeric = {c for f in fits if f.complete for c in f.columns.values()}
    body = grid.rows_from(sheet.data_start, numeric)
    filled = body.filled()
    body = body if filled.all() else body.take(filled)
    return body, _with_rankings_by_name(fits, body, sheet, instrument, options)


def plan(grid: Grid, sheet: Sheet, instrument: Instrument, options: ReadOptions) -> Plan:
    """Find the ranking question and the key columns; errors name what to do next."""
    where = grid.where
    body, fits = questions(grid, sheet, instrument, options)
    chosen = choose(fits, body, instrument, options.question, where)
    if chosen is None:
        other = [f.question for f in fits if f.question.stem and len(f.question.columns) >= 3]
        if len(other) > 1 and options.question is None:
            listed = ", ".join(q.short for q in other[:4])
            raise InputError(
                f"{where}: {len(other)} questions rank items {instrument.id} does not hold "
                f"({listed}); choose one with --question (its items are then the instrument)"
            )
        raise InputError(
            f"{where}: no ranking found: expected a column per dimension, a column per rank "
            "position, or cells listing the dimensions in order; "
            + (draft_hint(grid.path, other[0]) if other else "see `coachkit inspect`")
        )
    if not chosen.complete:
        raise _incomplete(chosen, body, sheet.header, instrument, options, where, grid.path)
    # Items of other questions over the same dimensions are never leader, group or rater columns.
    taken = set(sheet.skip) | set(chosen.item_columns)
    taken |= {c for f in fits if f.matched >= 2 for c in f.item_columns}
    subject = find_subject(sheet.key_headers, taken, options, where, body, instrument)
    group = find_group(body, sheet.key_headers, taken, options, instrument, where)
    over = given_over(body, sheet.key_headers, taken, options, instrument, where)
    if options.rater_column is not None:
        rater = find_rater(body, sheet.key_headers, taken, options, where)
        return Plan(sheet, body, fits, chosen, subject, group, rater, given_over=over)
    rater, notes = _rater(body, sheet, chosen, subject, group, taken, where, instrument)
    return Plan(sheet, body, fits, chosen, subject, group, rater, notes, over)


def _rater(
    body: Table,
    sheet: Sheet,
    chosen: Fit,
    subject: KeyColumn,
    group: KeyColumn,
    taken: set[int],
    where: str,
    instrument: Instrument,
) -> tuple[KeyColumn | None, tuple[str, ...]]:
    """The rater id, confirmed by its values: a column that would merge complete rankings of one
    leader that differ (five candidates who all uploaded `headshot.jpg`) is no rater id, and the
    next candidate is taken. When a platform's id or an e-mail column is refused and none is
    left, the file cannot be read without the user saying which column is the id."""
    from functools import cache

    import numpy as np

    candidates = rater_candidates(body, sheet.key_headers, taken, instrument)
    if not candidates:
        return None, ()

    def key_values(column: int | None) -> np.ndarray:
        return np.full(len(body), "", dtype=object) if column is None else stripped(body[column])

    # asked for only where some id comes twice (a million distinct ids need none of them)
    answers = cache(lambda: answer_codes(body, list(chosen.item_columns)))
    leaders = cache(lambda: key_values(subject.column))
    groups = cache(lambda: key_values(group.column))
    rows = body.rows + 1
    refused: list[tuple[KeyColumn, tuple[int, int], bool]] = []
    for candidate in candidates:
        strong = strong_id(body, candidate)
        assert candidate.column is not None
        ids = body[candidate.column]
        pair = (
            merged_rankings(ids, leaders(), groups(), answers, not strong)
            if repeated_ids(ids)
            else None
        )
        if pair is None:
            notes = tuple(
                f"{where}: {key_name(sheet.key_headers, c.column or 0)} is not the rater id: "
                f"rows {rows[a]} and {rows[b]} hold different complete rankings of one leader "
                f"under one value; the rater id is {key_name(sheet.key_headers, candidate.column)}"
                for c, (a, b), _ in refused
            )
            return candidate, notes
        refused.append((candidate, pair, strong))
    named = [key_name(sheet.key_headers, c.column or 0) for c, _, _ in refused]
    pairs = [f"rows {rows[a]} and {rows[b]}" for _, (a, b), _ in refused]
    if any(strong for _, _, strong in refused):
        which = f"neither {' nor '.join(named[:2])} is" if len(named) > 1 else f"{named[0]} is not"
        raise InputError(
            f"{where}: {which} a rater id: {'; '.join(pairs[:2])} hold different complete "
            "rankings of one leader under one value; name the rater id with --rater-column NAME "
            "(its repeats then count as one rater's later responses)"
        )
    return None, tuple(
        f"{where}: {name} is not a rater id: {pair} hold different complete rankings of one "
        "leader under one value; responses are read without a rater id (--rater-column NAME "
        "names one)"
        for name, pair in zip(named, pairs, strict=True)
    )


def read_rows(grid: Grid, sheet: Sheet, instrument: Instrument, options: ReadOptions) -> Source:
    """Read an export with one response per row: the ranking question, then the key columns."""
    import numpy as np

    where = grid.where
    found = plan(grid, sheet, instrument, options)
    body, chosen = found.body, found.chosen
    assert chosen is not None
    rows = body.rows + 1
    ranking = _ranking(body, chosen, sheet.header, instrument, options, where)
    subjects, names = subject_values(body, found.subject, options)
    groups = group_codes(body, found.group, rows, instrument, options, where)
    moved = moved_from(body, found.group, instrument, options)
    aliased = aliases(body, found.group, instrument, options)
    note = notes_for((names == "")[subjects], groups < 0, ranking.bad)
    if sheet.exclude is not None:
        platform = sheet.exclude(body)
        note = np.where(platform != "", platform, note)
    understood = _understood(found)
    comments = None
    if options.comments:
        keys = (found.subject, found.group, found.rater)
        taken = set(sheet.skip) | {c for f in found.fits for c in f.item_columns}
        taken |= {k.column for k in keys if k is not None and k.column is not None}
        columns = comment_columns(body, sheet.key_headers, taken)
        comments = comment_values(body, columns)
        shown = ", ".join(repr(_short(sheet.header[c])) for c in columns) or "none found"
        understood += f"; comments {shown}"
    return Source(
        path=grid.path,
        source_format=sheet.source_format,
        rows=len(body),
        row_numbers=rows,
        subject_codes=subjects,
        raters=rater_values(body, found.rater),
        group_codes=groups,
        notes=note,
        values=ranking.values,
        moved_from=moved if (moved >= 0).any() else None,
        aliases=None if aliased is None else aliased,
        group_given=options.group,
        given_over=found.given_over,
        subject_names=names,
        group_ids=tuple(g.id for g in instrument.groups),
        dimensions=instrument.dimension_ids,
        values_hint=ranking.hint,
        warnings=found.notes,
        understood=understood,
        comments=comments,
    )


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _understood(found: Plan) -> str:
    """The reader's guesses in a few words, for the note on stderr."""
    assert found.chosen is not None
    question = found.chosen.question

    def header(key: KeyColumn | None) -> str:
        if key is None:
            return "none"
        if key.column is None:
            return key.how
        return f"{_short(found.sheet.header[key.column])!r}" + (
            " (by its values)" if key.how == "values" else ""
        )

    parts = [f"question {question.short}"] if question.key else []
    parts += [
        f"leader {header(found.subject)}",
        f"group {header(found.group)}",
        f"rater id {header(found.rater)}",
    ]
    return "; ".join(parts)


def _with_rankings_by_name(
    fits: list[Fit], body: Table, sheet: Sheet, instrument: Instrument, options: ReadOptions
) -> list[Fit]:
    """A position question fits when its cells name dimensions; a column whose cells list the
    dimensions in order becomes a question of its own."""
    fits = [
        f
        if f.question.kind != "positions"
        else replace(f, complete=unnamed(body, f.question, instrument, options) is None)
        for f in fits
    ]
    in_questions = {c for f in fits if f.matched >= 2 for c in f.item_columns}
    skip = frozenset(sheet.skip) | in_questions
    listed = [list_question(col, sheet.header[col]) for col in list_columns(body, skip, instrument)]
    return fits + [fit(q, instrument) for q in listed]


def unnamed(
    body: Table, question: Question, instrument: Instrument, options: ReadOptions
) -> str | None:
    """The first cell text of a position question that names no dimension (nor a code for one)
    when most do not; None when the cells name dimensions."""
    texts = sorted(
        {str(t).strip() for col in question.columns for t in body[col][:200].tolist()} - {""}
    )
    unknown = [t for t in texts if instrument.match_dimension(options.codes.get(t, t)) is None]
    return unknown[0] if texts and len(unknown) * 2 > len(texts) else None


_CODE = re.compile(r"[A-Za-z]{0,4}[_\-.]?\d{1,4}")


def look_like_codes(body: Table, question: Question) -> bool:
    """Whether a position question's cells look like answer codes (`A1`, `3`, `opt_2`) rather
    than item names."""
    texts = {str(t).strip() for c in question.columns for t in body[c][:200].tolist()} - {""}
    return bool(texts) and sum(bool(_CODE.fullmatch(t)) for t in texts) * 2 > len(texts)


def draft_hint(path: str, question: Question) -> str:
    """What to do with a ranking of items no instrument holds: draft one from the question."""
    words = ["coachkit", "inspect", path]
    if question.key:
        words += ["--question", question.key]
    command = " ".join(shlex.quote(w) for w in words)
    return (
        f"for a ranking of other items, draft an instrument with `{command} "
        "--draft-instrument > my.toml` and run with --instrument my.toml"
    )


def _incomplete(
    chosen: Fit,
    body: Table,
    header: list[str],
    instrument: Instrument,
    options: ReadOptions,
    where: str,
    path: str,
) -> InputError:
    """The error for a question that names some dimensions but not all (or one twice)."""
    file = where
    where = f"{where}, question {chosen.question.short}" if chosen.question.stem else where
    if chosen.question.kind == "positions":
        label = unnamed(body, chosen.question, instrument, options) or ""
        codes = look_like_codes(body, chosen.question)
        return InputError(
            f"{where}: unknown dimension {label[:40]!r} in the ranked positions; "
            + (
                "if the cells hold answer codes, map them with --codes FILE (a CSV of code,label)"
                if codes
                else draft_hint(path, chosen.question)
            )
        )
    if len(chosen.unknown) * 2 > len(chosen.question.columns):  # a ranking of other items
        col = chosen.unknown[0]
        return InputError(
            f"{file}, {column_name(col, header)}: {len(chosen.unknown)} of the "
            f"{len(chosen.question.columns)} items of question {chosen.question.short} name no "
            f"dimension of {instrument.id}; {draft_hint(path, chosen.question)}"
        )
    for col in chosen.unknown:  # the column's header shows the question already
        return unknown_dimension(
            instrument.header_label(header[col]),
            instrument,
            f"{file}, {column_name(col, header)}",
            "the header",
        )
    for col in chosen.doubles:
        first, second = (
            instrument.label(d) for d, _ in instrument.header_dimensions(header[col])[:2]
        )
        return InputError(
            f"{where}, {column_name(col, header)}: names both {first!r} and {second!r}; "
            "rename the header to one dimension"
        )
    for col in chosen.clashes:
        dim = instrument.header_dimensions(header[col])[0][0]
        return InputError(
            f"{where}: {column_name(chosen.columns[dim], header)} and {column_name(col, header)} "
            f"both name {instrument.label(dim)!r}; "
            + (
                "choose the question with --question"
                if chosen.question.stem
                else "remove or rename one"
            )
        )
    missing = [d for d in instrument.dimension_ids if d not in chosen.columns]
    close = [
        (c, instrument.header_label(header[c]), hint)
        for c in chosen.question.columns
        if c not in chosen.columns.values()
        and (hint := instrument.suggest_dimension(instrument.header_label(header[c])))
        and instrument.match_dimension(hint) in missing
    ]
    names = ", ".join(instrument.label(d) for d in missing[:3])
    names += f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    if close:  # the closest first: a misspelt item before a question that mentions its words
        col, label, hint = max(
            close,
            key=lambda c: difflib.SequenceMatcher(None, compact(c[1]), compact(c[2])).ratio(),
        )
        step = (
            f"; {column_name(col, header)} is close to {hint!r}: if it is that dimension, "
            f'map it with --dimension-map "{label}={instrument.match_dimension(hint)}"'
        )
    else:
        step = '; map a header with --dimension-map "LABEL=id", rename it, or add an alias'
    return InputError(
        f"{where}: no column for {names} ({len(chosen.columns)} of {len(instrument.dimensions)} "
        f"found){step}"
    )


def _ranking(
    body: Table,
    chosen: Fit,
    header: list[str],
    instrument: Instrument,
    options: ReadOptions,
    where: str,
) -> Ranking:
    """The chosen question's rankings, in whichever of the three encodings it uses."""
    question = chosen.question
    if question.kind == "items":
        return _item_columns(body, chosen.columns, header, instrument)
    if question.kind == "positions":
        placed = sorted(
            (position(item) or 0, col)
            for col, item in zip(question.columns, question.items, strict=True)
        )
        return _position_ranking(body, [placed], header, instrument, options, where)
    return _list_ranking(body, list(question.columns), header, instrument, options, where)


def _item_columns(
    body: Table, dim_cols: dict[str, int], header: list[str], instrument: Instrument
) -> Ranking:
    """Encoding (a): the cell under each item holds its rank (or score)."""
    import numpy as np

    dims, cols = list(dim_cols), list(dim_cols.values())
    matrix = np.empty((len(body), len(cols)), order="F")  # filled and used column by column
    odd_matrix = np.zeros(matrix.shape, dtype=bool, order="F")
    # Columns the parser typed as numbers are used as they are; the text ones parse in one pass
    # (per-column calls cost more than the parsing on small files).
    text = [i for i, c in enumerate(cols) if body.is_text(c)]
    for i, c in enumerate(cols):
        if not body.is_text(c):
            matrix[:, i] = body[c]
    if text:
        cells = body.text([cols[i] for i in text])
        parsed, odd = parse_values(cells.ravel(order="F"))
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
    bad_cells = np.nonzero(odd_matrix) if odd_matrix.any() else ((), ())
    for r, c in zip(*bad_cells, strict=True):  # row-major: each row's first bad cell
        if not notes[r]:
            cell = str(body[cols[c]][r])
            notes[r] = bad_cell_note(cell, instrument.label(dims[c]), instrument)
    order = [dims.index(d) for d in instrument.dimension_ids]
    if order != sorted(order):  # the header's order is not the instrument's
        matrix = matrix[:, order]
    hint = _values_hint([header[c] for c in cols])
    return Ranking(matrix, np.array(notes, dtype=object), set(cols), hint)


def _dimension_of(text: str, instrument: Instrument, options: ReadOptions, where: str) -> str:
    label = options.codes.get(text.strip(), text.strip())
    dim = instrument.match_dimension(label)
    if dim is None:
        raise unknown_dimension(label, instrument, where, "the cell")
    return dim


def _position_ranking(
    body: Table,
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
    body: Table,
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


def list_columns(body: Table, skip: frozenset[int], instrument: Instrument) -> list[int]:
    """Encoding (c): columns whose cells mostly list two or more dimensions joined by `;`."""
    found = []
    for col in body.labels:
        if col in skip:
            continue
        cells = [c for c in map(str, body[col][:200].tolist()) if c.strip()]
        if not cells:
            continue
        lists = [_split(c) for c in cells]
        known = [sum(instrument.match_dimension(t) is not None for t in items) for items in lists]
        if sum(k >= 2 for k in known) >= max(1, len(cells) // 2):
            found.append(int(col))
    return found


def _list_ranking(
    body: Table,
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


def _values_hint(headers: list[str]) -> ValueKind | None:
    words = set(" ".join(normalize(h) for h in headers).split())
    says_rank = bool(words & {"rank", "ranking", "ranked", "priority", "prioritize", "order"})
    says_score = bool(words & {"rate", "rating", "score", "scores", "scale", "agree", "importance"})
    if says_rank != says_score:
        return ValueKind.ranks if says_rank else ValueKind.scores
    return None
