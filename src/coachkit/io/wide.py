"""The wide layout: one row per response, one column per dimension."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.io import ReadOptions, Source, ValueKind
from coachkit.io.columns import (
    RATER,
    bad_cell_note,
    column_name,
    group_column,
    key_column,
    map_groups,
    notes_for,
    parse_values,
    responses_frame,
    subject_values,
    unknown_dimension,
)
from coachkit.text import normalize

if TYPE_CHECKING:
    from coachkit.instruments import Instrument
    from coachkit.io.files import Grid


def read(
    grid: Grid, header_at: int, header: list[str], instrument: Instrument, options: ReadOptions
) -> Source:
    import pandas as pd

    where = grid.where
    dim_cols = dimension_columns(header, instrument, where)
    body = grid.cells.iloc[header_at + 1 :]
    body = body[(body != "").any(axis=1)]
    rows = body.index.to_numpy() + 1
    taken = set(dim_cols.values())
    subjects = subject_values(body, header, taken, options.subject, where)
    group_col = group_column(header, taken, where)
    groups = map_groups(body[group_col], rows, instrument, options.group_map, where)
    rater_col = key_column(header, RATER, taken)
    raters = (
        body[rater_col].astype(str).str.strip()
        if rater_col is not None
        else pd.Series("", index=body.index)
    )

    values: dict[str, object] = {}
    bad = pd.Series("", index=body.index, dtype=object)
    for dim, col in dim_cols.items():
        parsed, odd = parse_values(body[col])
        values[dim] = parsed.to_numpy()
        if odd.any():
            first = odd & (bad == "")
            notes = [bad_cell_note(t, instrument.label(dim)) for t in body.loc[first, col]]
            bad[first] = pd.Series(notes, index=bad.index[first], dtype=object)
    columns = {
        "path": grid.path,
        "row": rows,
        "subject": subjects,
        "rater": raters,
        "group": groups,
        "note": notes_for(subjects, groups, bad),
        **values,
    }
    return Source(
        path=grid.path,
        source_format="wide",
        rows=len(body),
        responses=responses_frame(columns, instrument),
        values_hint=_values_hint([header[c] for c in dim_cols.values()]),
    )


def dimension_columns(header: list[str], instrument: Instrument, where: str) -> dict[str, int]:
    """Map each dimension to its column; every dimension needs exactly one."""
    found: dict[str, int] = {}
    stems: set[str] = set()
    for i, text in enumerate(header):
        dim = instrument.match_header(text)
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
        if i not in found.values() and text and _stem(text, instrument) in stems:
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
