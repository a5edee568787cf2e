"""The HR roster: one row per leader, with what the HR system knows of them (function, level, a
technical role, tenure), joined to the survey by the leader's name or id.

A roster is untrusted input like a survey file: it is read by the same reader, with the same
limits and one-line errors. The column that names the leaders is chosen by its header (a name,
leader, employee or id column whose values are unique); every other column is an attribute.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.text import leader_key, normalize, printable

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from coachkit.io.table import Table

# Header words of a column that names the leader (English, German, French, Spanish).
_KEY_WORDS = re.compile(
    r"\b(name|full name|leader|employee|person|subject|id|employee id|staff id|worker|"
    r"mitarbeiter\w*|fuhrungskraft|nom|nombre|lider|dirigeant|empleado|salarie)\b"
)
# Header words of a column about someone else (a leader's own manager, say): never the key.
_OTHER_PERSON = re.compile(r"\b(manager|boss|supervisor|reports to|mentor|coach|hr partner)\b")
# Contact details of a leader (who is also the self rater): never carried into a report.
_EMAIL = re.compile(r"[^\s@]+\s*(?:@|\(at\)|\[at\])\s*[^\s@]+\.[^\s@]{2,}", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[\d\s().\-_/]{7,}$")
MAX_ATTRIBUTES = 50  # columns; a roster wider than this is an export of everything
MAX_VALUE_CHARS = 200


@dataclass(frozen=True)
class Roster:
    """A roster read and keyed: the leaders' attributes by folded name or id."""

    path: str
    key_columns: tuple[str, ...]  # the headers the leaders are matched by, most telling first
    columns: tuple[str, ...]  # the attribute headers, in the file's order
    rows: Mapping[str, tuple[str | None, ...]]  # folded name or id -> attribute values
    names: tuple[str, ...]  # each row's leader, as the roster spells it (its first key column)
    row_keys: tuple[frozenset[str], ...]  # each row's folded keys, in the file's order
    contact: tuple[str, ...] = ()  # columns of e-mail addresses or phone numbers, left out

    def attributes(self, leader: str) -> dict[str, str | None] | None:
        """A leader's attributes (None where the roster has no row for them)."""
        values = self.rows.get(leader_key(leader))
        return None if values is None else dict(zip(self.columns, values, strict=True))

    def unsurveyed(self, leaders: Sequence[str]) -> list[str]:
        """The roster's leaders who are not among `leaders` (the survey's), as spelled in it."""
        seen = {leader_key(name) for name in leaders}
        return [
            name for name, keys in zip(self.names, self.row_keys, strict=True) if not keys & seen
        ]


def read_roster(source: str | PathLike[str] | pd.DataFrame, name: str | None = None) -> Roster:
    """Read an HR roster file (CSV or workbook) or DataFrame: its header row, the column that
    names the leaders, and the attribute columns."""
    import numpy as np

    from coachkit.io.files import frame_grid, read_grids
    from coachkit.io.read import header_row

    if type(source).__name__ == "DataFrame":
        where = name or "<roster DataFrame>"
        grids = iter([frame_grid(source, where)])  # type: ignore[arg-type]
    else:
        where = str(source)
        grids = read_grids(where)
    grid = next(grids, None)
    at = None if grid is None else header_row(grid)
    if grid is None or at is None:
        raise InputError(
            f"{where}: the roster is empty; it needs a header row and a row per leader"
        )
    header = [printable(h) for h in grid.cells.row(at)]
    body = grid.cells.since(at + 1)
    cells = body.text()
    if not len(cells):
        raise InputError(f"{where}: the roster has a header row but no leaders below it")
    return _keyed(where, header, np.asarray(cells, dtype=object), body)


def _keyed(where: str, header: list[str], grid: np.ndarray, body: Table) -> Roster:
    used = [c for c, h in enumerate(header) if h or (grid[:, c] != "").any()]
    blank = [c for c in used if not header[c]]
    if blank:
        raise InputError(
            f"{where}: column {blank[0] + 1} of the roster has values and no header; name it"
        )
    keys = _key_columns(where, header, grid, used, body)
    contact = [c for c in used if c not in keys and _contact_column(grid[:, c])]
    columns = [c for c in used if c not in keys and c not in contact]
    titles = [header[c] for c in columns]
    if len(columns) > MAX_ATTRIBUTES:
        raise InputError(
            f"{where}: the roster has {len(columns)} attribute columns (at most "
            f"{MAX_ATTRIBUTES}); keep the ones a segment needs"
        )
    twice = next((t for t in titles if titles.count(t) > 1), None)
    if twice is not None:
        raise InputError(f"{where}: the roster has two columns named {twice!r}; rename one")
    rows: dict[str, tuple[str | None, ...]] = {}
    row_keys: list[frozenset[str]] = []
    names: list[str] = []
    # how a warning names a roster row: by a key that is no e-mail address or phone number
    shown = next((c for c in keys if not _contact_column(grid[:, c])), None)
    for i in range(len(grid)):
        found = frozenset(leader_key(str(grid[i, c])) for c in keys if str(grid[i, c]).strip())
        if not found:
            continue  # a blank row, or one naming no leader: nothing to join
        values = tuple(_value(grid[i, c]) for c in columns)
        for key in found:
            rows[key] = values
        row_keys.append(found)
        label = "" if shown is None else _value(grid[i, shown])
        names.append(label or f"the leader of row {int(body.rows[i]) + 1}")
    return Roster(
        path=where,
        key_columns=tuple(header[c] for c in keys),
        columns=tuple(titles),
        rows=rows,
        names=tuple(names),
        row_keys=tuple(row_keys),
        contact=tuple(header[c] for c in contact),
    )


def _value(cell: object) -> str | None:
    """An attribute as a report shows it: printable, one line, an e-mail address or phone
    number in it described instead of quoted."""
    text = " ".join(printable(str(cell)).split())
    if _PHONE.match(text) and sum(c.isdigit() for c in text) >= 7:
        return "[phone]"
    return _EMAIL.sub("[e-mail]", text)[:MAX_VALUE_CHARS] or None


def _contact_column(values: np.ndarray) -> bool:
    """Whether a column holds contact details (most of its values e-mails or phone numbers)."""
    found = [str(v).strip() for v in values.tolist() if str(v).strip()]
    masked = sum(_value(v) in ("[phone]", "[e-mail]") for v in found)
    return bool(found) and masked * 2 > len(found)


def _key_columns(
    where: str, header: list[str], cells: np.ndarray, used: list[int], body: Table
) -> list[int]:
    """The columns that name the leaders: those whose header says so (and not someone else's
    manager or coach) and whose values are unique; without such a header, the first text
    column. A name column with a leader twice is an error: which row would be theirs?"""
    named = [c for c in used if _names_the_leader(header[c])]
    candidates = named or [c for c in used if not _looks_numeric(cells[:, c])][:1]
    if not candidates:
        raise InputError(
            f"{where}: no roster column names the leaders (found "
            f"{', '.join(repr(header[c]) for c in used)}); add a column of their names or ids"
        )
    repeats = {c: _first_repeat(cells[:, c]) for c in candidates}
    keys = [c for c in candidates if repeats[c] is None]
    if keys:  # a name before an id: the roster's own spelling of a leader is their name
        return sorted(keys, key=lambda c: " id" in f" {normalize(header[c])}")
    c = candidates[0]
    first, second = repeats[c]  # type: ignore[misc]
    rows = body.rows.tolist()
    raise InputError(
        f"{where}, rows {rows[first] + 1} and {rows[second] + 1}: two roster rows name one leader "
        f"in column {header[c]!r}; give each leader one row"
    )


def _names_the_leader(header: str) -> bool:
    words = normalize(header)
    return bool(_KEY_WORDS.search(words)) and not _OTHER_PERSON.search(words)


def _first_repeat(values: np.ndarray) -> tuple[int, int] | None:
    """The rows of the first leader named twice in a column (blank cells aside)."""
    seen: dict[str, int] = {}
    for i, value in enumerate(values.tolist()):
        key = leader_key(str(value))
        if not key:
            continue
        if key in seen:
            return seen[key], i
        seen[key] = i
    return None


def _looks_numeric(values: np.ndarray) -> bool:
    texts = [str(v).strip() for v in values.tolist() if str(v).strip()]
    return bool(texts) and all(t.replace(".", "", 1).lstrip("-").isdigit() for t in texts)
