"""What coachkit understands of a file before any analysis, for `coachkit inspect`: the platform
and why, the header rows, the leader, group and rater columns and how each was found, every
ranking-like question, the instruments each question fits, and the command that would run."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.io.columns import KeyColumn, column_name
from coachkit.io.read import grid_layout, header_row
from coachkit.io.source import ReadOptions
from coachkit.options import Layout

if TYPE_CHECKING:
    import numpy as np

    from coachkit.instruments import Instrument
    from coachkit.io.files import Grid
    from coachkit.io.platforms import Sheet
    from coachkit.io.questions import Fit, Question
    from coachkit.io.table import Table


@dataclass(frozen=True)
class ColumnView:
    """A leader, group or rater column as `inspect` shows it, and how it was found."""

    role: str  # "leader", "rater group", "rater id"
    column: str  # `column C ('Relation to person of focus')`, or "" when an option stands in
    how: str  # "header", "question text", "values", "--group", "not found", ...


@dataclass(frozen=True)
class QuestionView:
    """A question of an export as `inspect` shows it, with the instruments it fits."""

    key: str  # what --question takes
    stem: str
    encoding: str  # "a column per item", "a column per position", "an ordered list"
    items: tuple[str, ...]
    responses: int
    values: str  # "ranks", "scores", "text", "item names"
    instruments: tuple[str, ...]  # the instruments whose dimensions it holds
    chosen: bool  # the question `analyze` reads with the instrument given


@dataclass(frozen=True)
class FileView:
    """Everything `inspect` understood of one file (or sheet)."""

    path: str
    sheet: str | None
    platform: str
    why: str
    header_rows: tuple[int, ...]  # spreadsheet rows
    data_from: int
    responses: int
    columns: tuple[ColumnView, ...]
    questions: tuple[QuestionView, ...]
    group_labels: tuple[str, ...]  # the distinct labels of the group column
    instrument: str  # the instrument the command uses
    problem: str  # what `analyze` would stop on ("" when nothing)
    command: str
    runnable: bool = True  # False: the command holds a placeholder (LEADER NAME) to fill in
    own_items: tuple[str, ...] = ()  # the items of a ranking read as its own instrument
    own_labels: tuple[str, ...] = ()  # the group labels that instrument was drafted with
    notes: tuple[str, ...] = ()  # what was decided about the columns, as `analyze` notes it


def describe(
    path: str, instrument: Instrument, options: ReadOptions, instruments: list[Instrument]
) -> list[FileView]:
    """One view per sheet of `path` that holds survey columns (the first that does, unless
    `--sheet` names one). `instruments` are the ones each question is matched against."""
    from coachkit.io.files import read_grids

    views = []
    for grid in read_grids(path, options.sheet):
        at = header_row(grid)
        if at is None:
            continue
        layout, sheet = None, None
        for candidate in (instrument, *instruments):  # another instrument's file is seen too
            layout, sheet = grid_layout(grid, at, candidate, options)
            if layout is not None:
                break
        if layout is None:  # a question no instrument knows: shown, with a drafted instrument
            sheet = _unknown_ranking(grid, at)
        if sheet is not None:
            views.append(_wide_view(grid, sheet, instrument, options, instruments))
        elif layout is Layout.tidy:
            views.append(_tidy_view(grid, at, instrument, options))
        if views:
            break
    if not views:
        raise InputError(
            f"{path}: no survey columns found: no question holds the items of an instrument "
            "(`coachkit dimensions` lists them) and no tidy columns (subject, dimension, rank)"
        )
    return views


def _unknown_ranking(grid: Grid, at: int) -> Sheet | None:
    """The generic wide layout, when its header holds a question of three or more items."""
    from coachkit.io import wide

    sheet = wide.generic_sheet(grid.cells.row(at), at)
    return sheet if any(q.stem and len(q.columns) >= 3 for q in sheet.questions()) else None


def _wide_view(
    grid: Grid,
    sheet: Sheet,
    instrument: Instrument,
    options: ReadOptions,
    instruments: list[Instrument],
) -> FileView:
    """The view of a file read with the instrument given; else with the shipped instrument one
    of its questions fits; else, when the default was given, with the ranking's own items."""
    from coachkit.instruments import DEFAULT_INSTRUMENT
    from coachkit.instruments.draft import own_items_instrument
    from coachkit.io import wide

    body, fits = wide.questions(grid, sheet, instrument, options)
    if any(f.complete for f in fits):
        return _view(grid, sheet, instrument, instrument, options, instruments)
    fitting = {id(f.question): _instruments(f, body, instruments, options) for f in fits}
    use = next(
        (
            i
            for i in instruments
            if i.id != instrument.id and any(i.id in ids for ids in fitting.values())
        ),
        None,
    )
    if use is not None:  # a question that another instrument fits
        return _view(grid, sheet, use, instrument, options, instruments)
    plain = _view(grid, sheet, instrument, instrument, options, instruments)
    if instrument.id != DEFAULT_INSTRUMENT or instrument.path:
        return plain
    rankings = _own_rankings(fits, body, instrument, options)
    if len(rankings) > 1:  # analyze reads the one --question names with its own items
        keys = ", ".join(q.short for q, _ in rankings[:4])
        command = ["coachkit", "analyze", grid.path, "--question", rankings[0][0].key]
        return replace(
            plain,
            problem=f"{grid.where}: {len(rankings)} questions rank items no instrument holds "
            f"({keys}); choose one with --question (its items are then the instrument)",
            command=shlex.join(command),
            runnable=True,
        )
    if not rankings:
        return plain
    question, items = rankings[0]
    labels = plain.group_labels if options.group is None else ()
    mine = own_items_instrument(items, question.stem or question.key, labels, instrument)
    if mine is None:
        return plain
    view = _view(
        grid, sheet, mine, instrument, replace(options, question=question.key), instruments, options
    )
    note = (
        f"{grid.where}: no shipped instrument holds the items of question {question.short}: its "
        f"{len(items)} items are the instrument, with "
        + ("the usual 360 rater groups" if mine.groups[0].id == "self" else "the file's groups")
        + " and no families (so no tilt); `"
        + " ".join(
            shlex.quote(w) for w in ["coachkit", "inspect", grid.path, "--question", question.key]
        )
        + " --draft-instrument > my.toml` writes it out to add families and aliases"
    )
    return replace(view, own_items=items, own_labels=labels, notes=(note, *view.notes))


def _own_rankings(
    fits: list[Fit], body: Table, instrument: Instrument, options: ReadOptions
) -> list[tuple[Question, tuple[str, ...]]]:
    """The ranking questions whose items no instrument holds (the one --question names), each
    with its items."""
    from coachkit.io import wide

    found = []
    for f in fits:
        question = f.question
        if not question.key or f.complete or len(question.columns) < 3:
            continue
        if question.kind == "items" and f.matched < 2 and _values(body, f, instrument) == "ranks":
            found.append((question, question.items))
        elif (
            question.kind == "positions"
            and wide.unnamed(body, question, instrument, options)
            and not wide.look_like_codes(body, question)  # answer codes need --codes
        ):
            found.append((question, _named(body, question)))
    if options.question is not None:
        found = [(q, items) for q, items in found if q.matches(options.question)]
    return found


def _view(
    grid: Grid,
    sheet: Sheet,
    use: Instrument,
    instrument: Instrument,
    options: ReadOptions,
    instruments: list[Instrument],
    asked: ReadOptions | None = None,
) -> FileView:
    """What a file holds read with the instrument `use` (`instrument`: the one given; `asked`:
    the options as the user gave them, for the command)."""
    from coachkit.io import wide
    from coachkit.io.questions import choose

    body, fits = wide.questions(grid, sheet, use, options)
    fitting = {id(f.question): _instruments(f, body, instruments, options) for f in fits}
    problem = ""
    chosen: Fit | None = None
    try:
        chosen = choose(fits, body, use, options.question, grid.where)
    except InputError as exc:
        problem = str(exc)
    if chosen is None and not problem:
        problem = f"{grid.where}: no question holds the dimensions of {use.id}"
    questions = tuple(
        _question_view(f, body, fitting[id(f.question)], chosen, use)
        for f in fits
        if f.question.kind != "items"
        or f.matched >= 2
        or ((f.question.stem or f.question.key) and len(f.question.columns) >= 3)
    )
    taken = set(chosen.item_columns) if chosen is not None else set()
    taken |= {c for f in fits if f.matched >= 2 or f.question.stem for c in f.item_columns}
    columns, group_column = _columns_found(grid, sheet, body, taken, use, options)
    notes: tuple[str, ...] = ()
    if chosen is not None and chosen.complete and not problem:
        try:  # the key columns as `analyze` decides them, its values checked
            found = wide.plan(grid, sheet, use, options)
        except InputError:
            pass
        else:
            keys = (("leader", found.subject), ("rater group", found.group))
            columns = tuple(
                _column_view(role, key, sheet, options)
                for role, key in (*keys, ("rater id", found.rater))
            )
            group_column = found.group.column
            notes = found.notes
    labels = _labels(body[group_column]) if group_column is not None else ()
    if chosen is not None and not problem:
        try:  # everything `analyze` would check while reading (group labels too)
            wide.read_rows(grid, sheet, use, options)
        except InputError as exc:
            problem = str(exc)
    command, runnable = _command(
        grid, asked or options, use, instrument, chosen, fits, body, columns, questions
    )
    return FileView(
        path=grid.path,
        sheet=grid.sheet,
        platform=sheet.source_format,
        why=sheet.why,
        header_rows=tuple(range((header_row(grid) or 0) + 1, sheet.data_start + 1)),
        data_from=sheet.data_start + 1,
        responses=len(body),
        columns=columns,
        questions=questions,
        group_labels=labels,
        instrument=use.id,
        problem=problem,
        command=command,
        runnable=runnable,
        notes=notes,
    )


def _columns_found(
    grid: Grid,
    sheet: Sheet,
    body: Table,
    items: set[int],
    instrument: Instrument,
    options: ReadOptions,
) -> tuple[tuple[ColumnView, ...], int | None]:
    """The leader, group and rater columns, each as far as it is found (a missing one says so),
    and the group column."""
    from coachkit.io.columns import find_group, find_rater, find_subject

    taken = set(sheet.skip) | items
    where, headers = grid.where, sheet.key_headers
    views = []
    group_column = None
    for role in ("leader", "rater group", "rater id"):
        found: KeyColumn | None
        try:
            if role == "leader":
                found = find_subject(headers, taken, options, where, body, instrument)
            elif role == "rater group":
                found = find_group(body, headers, taken, options, instrument, where)
                group_column = found.column
            else:
                found = find_rater(body, headers, taken, options, where, instrument)
        except InputError:
            views.append(ColumnView(role, "", "not found"))
        else:
            views.append(_column_view(role, found, sheet, options))
    return tuple(views), group_column


def _labels(cells: np.ndarray) -> tuple[str, ...]:
    """Group labels as a rater would pick them; typed-in text (an address, a phone number, a
    sentence) or control characters are left out."""
    from coachkit.text import printable

    seen: dict[str, None] = {}
    for cell in cells.tolist():
        label = str(cell).strip()
        personal = "@" in label or sum(c.isdigit() for c in label) >= 7 or len(label) > 40
        if label and not personal and printable(label) == label:
            seen.setdefault(label)
    return tuple(seen)[:12]


def _column_view(
    role: str, found: KeyColumn | None, sheet: Sheet, options: ReadOptions
) -> ColumnView:
    if found is None:
        return ColumnView(role, "", "none in the file")
    if found.column is None:
        return ColumnView(role, "", found.how)
    return ColumnView(role, column_name(found.column, sheet.header), found.how)


def _instruments(
    f: Fit, body: Table, instruments: list[Instrument], options: ReadOptions
) -> tuple[str, ...]:
    from coachkit.io import wide
    from coachkit.io.questions import fit

    fits = []
    for instrument in instruments:
        if f.question.kind == "positions":
            ok = wide.unnamed(body, f.question, instrument, options) is None
        elif f.question.kind == "list":
            ok = bool(wide.list_columns(body.select(f.question.columns), frozenset(), instrument))
        else:
            ok = fit(f.question, instrument).complete
        if ok:
            fits.append(instrument.id)
    return tuple(fits)


def _question_view(
    f: Fit,
    body: Table,
    instruments: tuple[str, ...],
    chosen: Fit | None,
    instrument: Instrument,
) -> QuestionView:
    from coachkit.io.questions import responses

    question = f.question
    if not question.key and question.kind == "items":  # the unnamed question: its items only
        keep = set(f.item_columns)
        question = replace(
            question,
            columns=tuple(c for c in question.columns if c in keep),
            items=tuple(
                i for c, i in zip(question.columns, question.items, strict=True) if c in keep
            ),
        )
        f = replace(f, question=question)
    items = question.items if question.kind == "items" else _named(body, question)
    encoding = {
        "items": "a column per item",
        "positions": "a column per rank position",
        "list": "one cell listing the items in order",
    }[question.kind]
    values = "item names"
    if question.kind == "items":
        values = _values(body, f, instrument)
    is_chosen = (
        chosen is not None
        and bool(f.item_columns)
        and set(f.item_columns) <= set(chosen.item_columns)
    )
    return QuestionView(
        key=question.key,
        stem=question.stem,
        encoding=encoding,
        items=items,
        responses=responses(body, question),
        values=values,
        instruments=instruments,
        chosen=is_chosen and chosen is not None and chosen.complete,
    )


def _named(body: Table, question: Question) -> tuple[str, ...]:
    """The items a position or list question ranks: the distinct texts of its cells."""
    from coachkit.io.wide import LIST_SEPARATOR

    seen: dict[str, None] = {}
    for col in question.columns:
        for cell in body[col][:500].tolist():
            for text in str(cell).split(LIST_SEPARATOR) if question.kind == "list" else [cell]:
                if (label := str(text).strip()) and len(label) <= 100:
                    seen.setdefault(label)
    return tuple(seen)[:40]


def _values(body: Table, f: Fit, instrument: Instrument) -> str:
    """What a question's cells hold: ranks, scores (numbers that are no ranking) or text."""
    import numpy as np

    from coachkit.io.columns import parse_values
    from coachkit.io.questions import ranking_share

    if not len(body):
        return "empty"
    if ranking_share(body, f, instrument) >= 0.5:
        return "ranks"
    columns = list(f.question.columns)
    values, bad = parse_values(body.text(columns).ravel())
    return "scores" if bad.sum() * 2 < (~np.isnan(values)).sum() else "text"


def _command(
    grid: Grid,
    options: ReadOptions,
    use: Instrument,
    given: Instrument,
    chosen: Fit | None,
    fits: list[Fit],
    body: Table,
    columns: tuple[ColumnView, ...],
    questions: tuple[QuestionView, ...],
) -> tuple[str, bool]:
    """The `coachkit analyze` command that reads this file as understood here (for a ranking
    that no instrument fits, the `inspect` command that drafts one), and whether it runs as it
    stands: a leader no column names stays a placeholder to fill in."""
    from coachkit.instruments.draft import OWN_ITEMS
    from coachkit.io.questions import responses

    unknown = [
        q for q in questions if q.key and q.values in ("ranks", "item names") and not q.instruments
    ]
    if (chosen is None or not chosen.complete) and unknown:
        named = [q for q in unknown if options.question is not None and q.key == options.question]
        words = ["coachkit", "inspect", grid.path, "--question", (named or unknown)[0].key]
        words += [
            w
            for c in columns
            if c.how.startswith("--group-column")
            for w in ("--group-column", options.group_column or "")
        ]
        return " ".join(shlex.quote(w) for w in words) + " --draft-instrument > my.toml", True
    words = ["coachkit", "analyze", grid.path]
    runnable = True
    if grid.sheet is not None and options.sheet is not None:
        words += ["--sheet", grid.sheet]
    if use.path:
        words += ["--instrument", use.path]
    elif use.id not in (given.id, OWN_ITEMS):  # a ranking's own items need no option
        words += ["--instrument", use.id]
    complete = [f for f in fits if f.complete]
    if options.question is not None:
        words += ["--question", options.question]
    elif (
        chosen is None and len(complete) > 1
    ):  # the one most raters answered; the problem lists all
        first = max(complete, key=lambda f: responses(body, f.question))
        words += ["--question", first.question.key or first.question.stem]
    how = {c.role: c.how for c in columns}
    if options.subject is not None or how.get("leader") == "not found":
        words += ["--subject", options.subject or "LEADER NAME"]
        runnable = options.subject is not None
    if options.group is not None or how.get("rater group") == "not found":
        guess = options.group or group_in_name(grid.path, use)
        words += ["--group", guess or "GROUP"]
        runnable = runnable and guess is not None
    for flag, value in (
        ("--subject-column", options.subject_column),
        ("--group-column", options.group_column),
        ("--rater-column", options.rater_column),
    ):
        if value is not None:
            words += [flag, value]
    return " ".join(shlex.quote(w) for w in words), runnable


def group_in_name(path: str, instrument: Instrument) -> str | None:
    """The rater group a file's name says it holds (`survey-peers.csv`: peer), if one does."""
    import re
    from pathlib import PurePath

    words = [w for w in re.split(r"[^\w]+|_", PurePath(path).stem.lower()) if w]
    for size in (3, 2, 1):  # the longest name first: `direct-reports` before `reports`
        for i in range(len(words) - size + 1):
            text = " ".join(words[i : i + size])
            group = instrument.match_group(text)
            if group is None or group == instrument.pooled.id:
                continue
            # self's aliases (`participant`, `subject`, `me`) name other things in file names
            if group != instrument.self_group or text in (group, "self"):
                return group
    return None


def _tidy_view(grid: Grid, at: int, instrument: Instrument, options: ReadOptions) -> FileView:
    from coachkit.io import read_source

    problem = ""
    responses = 0
    try:
        source = read_source(grid.path, instrument, replace(options, layout=Layout.tidy))
        responses = source.rows
    except InputError as exc:
        problem = str(exc)
    return FileView(
        path=grid.path,
        sheet=grid.sheet,
        platform="tidy",
        why="subject, rater, group, dimension and rank columns: one row per rater and dimension",
        header_rows=(at + 1,),
        data_from=at + 2,
        responses=responses,
        columns=(),
        questions=(),
        group_labels=(),
        instrument=instrument.id,
        problem=problem,
        command=" ".join(shlex.quote(w) for w in ["coachkit", "analyze", grid.path]),
    )
