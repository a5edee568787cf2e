"""The tidy layout: one row per rater x dimension, gathered into one response per rater."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.io.columns import (
    DIMENSION,
    RANK,
    RATER,
    SCORE,
    bad_cell_note,
    filled_rows,
    find,
    find_group,
    find_subject,
    group_codes,
    key_column,
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
    from coachkit.instruments import Instrument
    from coachkit.io.files import Grid


def read(
    grid: Grid, header_at: int, header: list[str], instrument: Instrument, options: ReadOptions
) -> Source:
    """The tidy layout: rows of (subject, rater, group, dimension, value) gathered into responses."""
    import numpy as np
    import pandas as pd

    where = grid.where
    dim_col = find(header, DIMENSION)
    rank_col, score_col = find(header, RANK), find(header, SCORE)
    value_col = rank_col if rank_col is not None else score_col
    if dim_col is None or value_col is None:
        raise InputError(
            f"{where}: a tidy file needs a dimension column (dimension, item) and a rank or score column"
        )
    hint: ValueKind | None = ValueKind.ranks if rank_col is not None else ValueKind.scores
    if rank_col is None and normalize(header[value_col]) == "value":
        hint = None  # "value" says nothing about ranks or scores
    taken = {dim_col, value_col}
    body = grid.rows_from(header_at + 1, [value_col])
    body = body[filled_rows(body)]
    rows = body.index.to_numpy() + 1
    subjects, names = subject_values(body, find_subject([header], taken, options, where), options)
    group = find_group(body, [header], taken, options, instrument, where)
    rater = (
        named_column([header], options.rater_column, "--rater-column", where)
        if options.rater_column is not None
        else key_column([header], ("email", "email address", *RATER), taken, ("email",))
    )
    if rater is None or rater.column is None:
        raise InputError(
            f"{where}: a tidy file needs a rater column (rater, respondent, response id) "
            "to know which rows make up one response; name it with --rater-column"
        )
    rater_col = rater.column
    groups = group_codes(body, group, rows, instrument, options, where)
    codes, labels = numbered(body[dim_col])
    matched = [instrument.match_dimension(label) for label in labels]
    if None in matched:
        first = int(np.flatnonzero(codes == matched.index(None))[0])
        raise unknown_dimension(
            str(labels[codes[first]]), instrument, f"{where}, row {rows[first]}"
        )
    dims = np.array(matched, dtype=object)[codes]
    values, odd = parse_values(body[value_col])
    bad = np.full(len(body), "", dtype=object)
    cells = body[value_col].to_numpy(dtype=object)[odd]
    bad[odd] = [
        bad_cell_note(str(t), instrument.label(d), instrument)
        for t, d in zip(cells, dims[odd], strict=True)
    ]

    long = pd.DataFrame(
        {
            "row": rows,
            "subject": subjects,
            "rater": stripped(body[rater_col]),
            "group": groups,
            "dim": dims,
            "value": values,
            "bad": bad,
        }
    )
    # A rater who answered twice gives every dimension twice: each round is a response of its
    # own (validation keeps the later); a dimension given twice within one answer stays an error.
    answers = long.groupby(["subject", "rater"], sort=False).ngroup()
    round_ = long.groupby([answers, long["dim"]], sort=False).cumcount()
    per_dim = long.groupby([answers, long["dim"]], sort=False)["row"].transform("size")
    rounds = per_dim.groupby(answers).transform("min") == per_dim.groupby(answers).transform("max")
    keys = answers.to_numpy() * (int(round_.max()) + 1) + round_.where(rounds, 0).to_numpy()
    long["response"] = pd.factorize(keys)[0]
    repeated = long.duplicated(["response", "dim"], keep=False)
    matrix = long.drop_duplicates(["response", "dim"]).pivot(
        index="response", columns="dim", values="value"
    )
    matrix = matrix.reindex(columns=list(instrument.dimension_ids))
    per = long.groupby("response", sort=True)
    head = per.agg(
        row=("row", "min"),
        subject=("subject", "first"),
        rater=("rater", "first"),
        group=("group", "first"),
    )
    mixed = per["group"].nunique() > 1
    bad_note = per["bad"].agg(lambda s: next((b for b in s if b), ""))
    twice = long[repeated].groupby("response")["dim"].first()
    bad_note = bad_note.where(
        ~bad_note.index.isin(twice.index),
        twice.map(lambda d: f"{instrument.label(d)} is given twice"),
    )
    bad_note = bad_note.where(~mixed, "its rows name different rater groups")
    note = pd.Series(
        notes_for(
            (names == "")[head["subject"].to_numpy()],
            head["group"].to_numpy() < 0,
            bad_note.fillna("").to_numpy(dtype=object),
        ),
        index=head.index,
    )
    head = head.sort_values("row")
    return Source(
        path=grid.path,
        source_format="tidy",
        rows=len(body),
        row_numbers=head["row"].to_numpy(),
        subject_codes=head["subject"].to_numpy(),
        raters=head["rater"].to_numpy(dtype=object),
        group_codes=head["group"].to_numpy(),
        notes=note.loc[head.index].to_numpy(dtype=object),
        values=matrix.loc[head.index, list(instrument.dimension_ids)].to_numpy(dtype=np.float64),
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
