"""What the readers share: header synonyms, cell parsing, group mapping, the responses table."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.text import normalize

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from coachkit.instruments import Instrument

SUBJECT = (
    "subject",
    "leader",
    "ratee",
    "participant",
    "employee",
    "name of leader",
    "leader name",
    "subject name",
    "subject id",
    "leader id",
    "participant name",
    "ratee name",
    "focal leader",
    "feedback recipient",
    "subjectuniqueidentifier",
)
RATER = (
    "rater",
    "rater id",
    "respondent",
    "respondent id",
    "response id",
    "responseid",
    "rater name",
    "respondent name",
    "participantuniqueidentifier",
    "rater email",
    "respondent email",
)
GROUP = (
    "group",
    "rater group",
    "relationship",
    "role",
    "perspective",
    "rater type",
    "rater role",
    "rater category",
    "respondent type",
    "relationship to leader",
    "relationship to subject",
)
DIMENSION = ("dimension", "item", "competency", "priority", "leadership dimension")
RANK = ("rank", "priority rank", "position", "ranking", "rank position")
SCORE = ("score", "rating", "value", "rating value")

# Cells that mean "not ranked": blank, N/A, -99 ("seen but unanswered"), and friends.
BLANKS = frozenset(
    {"", "na", "n/a", "n.a.", "-99", "-", "--", "none", "null", "nan", "not ranked", "skipped"}
)
_ORDINAL = re.compile(r"^\s*(\d+)\s*(?:st|nd|rd|th|\.)?\s*$", re.IGNORECASE)
RESPONSE_KEYS = ("path", "row", "subject", "rater", "group", "note")


def find(header: list[str], synonyms: tuple[str, ...]) -> int | None:
    """The index of the first header cell that is one of the synonyms (in synonym order)."""
    folded = [normalize(h) for h in header]
    for name in synonyms:
        if name in folded:
            return folded.index(name)
    return None


def parse_values(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Cells to floats; returns (values, bad): blank-like cells are NaN, unreadable ones are `bad`."""
    import pandas as pd

    text = cells.astype(str).str.strip()
    blank = text.str.lower().isin(BLANKS)
    values = pd.to_numeric(text.where(~blank, ""), errors="coerce")
    odd = values.isna() & ~blank
    if odd.any():
        ordinal = text[odd].str.extract(_ORDINAL, expand=False)
        values.loc[odd] = pd.to_numeric(ordinal, errors="coerce")
        odd &= values.isna()
    return values.astype(float), odd


def map_groups(
    labels: pd.Series,
    rows: np.ndarray,
    instrument: Instrument,
    group_map: dict[str, str],
    where: str,
) -> pd.Series:
    """Raw group labels to canonical ids; an unknown label stops the run with a suggestion."""
    clean = labels.astype(str).str.strip()
    mapping: dict[str, str] = {}
    for label in clean.unique():
        if not label:
            mapping[label] = ""
            continue
        mapped = group_map.get(normalize(label))
        group = mapped or instrument.match_group(label)
        if group is None:
            row = int(rows[(clean == label).to_numpy().nonzero()[0][0]])
            hint = instrument.suggest_group(label)
            guess = f" (closest: {hint})" if hint else ""
            raise InputError(
                f"{where}, row {row}: unknown rater group {label!r}{guess}; "
                f'map it with --group-map "{label}=GROUP" (groups: {", ".join(g.id for g in instrument.groups)})'
            )
        mapping[label] = group
    return clean.map(mapping)


def unknown_dimension(label: str, instrument: Instrument, where: str) -> InputError:
    hint = instrument.suggest_dimension(label)
    guess = f"; closest is {hint!r}" if hint else ""
    return InputError(
        f"{where}: unknown dimension {label!r}{guess}. Rename it, or add it as an alias in an "
        "instrument file (--instrument); `coachkit dimensions` lists the accepted labels"
    )


def notes_for(subjects: pd.Series, groups: pd.Series, bad: pd.Series) -> pd.Series:
    """The reason a response cannot be used before its ranks are even looked at.

    `bad` holds a note on unreadable cells, empty where all cells read.
    """
    import numpy as np
    import pandas as pd

    note = np.where(subjects.to_numpy() == "", "no subject (leader) named", "")
    note = np.where((note == "") & (groups.to_numpy() == ""), "no rater group given", note)
    note = np.where(note == "", bad.to_numpy(), note)
    return pd.Series(note, index=subjects.index, dtype=object)


def bad_cell_note(text: str, label: str) -> str:
    """Describe the first unreadable cell of a response without repeating long cell text."""
    value = text.strip()
    shown = value if len(value) <= 20 else value[:17] + "..."
    return f"{shown!r} in {label} is not a rank or score"


def responses_frame(columns: dict[str, object], instrument: Instrument) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(columns)
    return frame[[*RESPONSE_KEYS, *instrument.dimension_ids]].reset_index(drop=True)


def column_name(index: int, header: list[str]) -> str:
    """`column C ('Execution')`: the spreadsheet letter and the header text."""
    letters, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"column {letters} ({header[index]!r})"


def key_column(header: list[str], synonyms: tuple[str, ...], taken: set[int]) -> int | None:
    """Like `find`, skipping columns already used for dimensions."""
    folded = [normalize(h) for h in header]
    for name in synonyms:
        for i, h in enumerate(folded):
            if h == name and i not in taken:
                return i
    return None


def subject_values(
    body: pd.DataFrame, header: list[str], taken: set[int], subject: str | None, where: str
) -> pd.Series:
    """The leader each row is about: `--subject` for every row, else the subject column."""
    import pandas as pd

    if subject is not None:
        return pd.Series(subject.strip(), index=body.index, dtype=object)
    col = key_column(header, SUBJECT, taken)
    if col is None:
        raise InputError(
            f"{where}: no subject column (leader, subject, ratee, participant); "
            "for a file about one leader, name them with --subject NAME"
        )
    taken.add(col)
    return body[col].astype(str).str.strip()


def group_column(header: list[str], taken: set[int], where: str) -> int:
    col = key_column(header, GROUP, taken)
    if col is None:
        raise InputError(
            f"{where}: no rater-group column; add one headed 'group' or 'relationship' "
            "(self, manager, peer, direct report, other)"
        )
    taken.add(col)
    return col
