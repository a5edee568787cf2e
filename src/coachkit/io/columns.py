"""What the readers share: header synonyms, cell parsing, group mapping, the responses table."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.text import normalize

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from coachkit.instruments import Instrument
    from coachkit.io import ReadOptions, Source
    from coachkit.io.table import Table

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
    "organization",
    "department",
    "business unit",
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
    "id",
)
GROUP = (
    "group",
    "rater group",
    "relationship",
    "relation",
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
_DECIMAL_COMMA = re.compile(r"-?\d{1,6},\d{1,6}")
# `3rd`, `3.`, `Rank 3`, `#3`, `No. 3`, `Platz 3`: a rank typed with its words
_ORDINAL = re.compile(
    r"^\s*(?:(?:rank(?:ed)?|ranking|position|place|platz|rang|no\.?|nr\.?|n[º°]|#)\s*)?"
    r"(\d+)\s*(?:st|nd|rd|th|\.)?\s*$",
    re.IGNORECASE,
)


def stripped(cells: np.ndarray) -> np.ndarray:
    """Cells as text without surrounding spaces; each distinct value is stripped once."""
    import numpy as np

    codes, names = numbered(cells)
    return np.asarray(names[codes])


def numbered(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells as text without surrounding spaces, as a number per cell and the distinct texts."""
    from coachkit.keys import factorize, objects

    codes, uniques = factorize(cells)
    clean = objects(str(u).strip() for u in uniques.tolist())
    if clean.tolist() == uniques.tolist():
        return codes, clean
    merged, names = factorize(clean)  # " A" and "A" are one
    return merged[codes], names


def find(header: list[str], synonyms: tuple[str, ...]) -> int | None:
    """The index of the first header cell that is one of the synonyms (in synonym order)."""
    folded = [normalize(h) for h in header]
    for name in synonyms:
        if name in folded:
            return folded.index(name)
    return None


def parse_values(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cells to floats; returns (values, bad): blank-like cells are NaN, unreadable ones are `bad`.

    Numbers parse in one vectorized pass; only the cells that are not plain numbers (blanks,
    `N/A`, `1st`, text) are looked at, each distinct text once.
    """
    import numpy as np

    from coachkit.keys import per_value

    if cells.dtype != object:  # typed by the parser already: plain numbers, blanks as NaN
        return numeric_values(cells.astype(np.float64))
    try:  # the common case, every cell a plain number
        values = cells.astype(np.float64)
    except (ValueError, TypeError):
        values = per_value(cells, _number).astype(np.float64)
    odd = np.zeros(len(values), dtype=bool)
    missing = np.flatnonzero(np.isnan(values))
    if len(missing):  # blank-like cells stay NaN, ordinals (`1st`) are read, the rest is unreadable
        read = np.array(per_value(cells[missing], _odd_cell).tolist(), dtype=np.float64)
        values[missing] = read[:, 0] if len(read) else read
        odd[missing] = read[:, 1] > 0 if len(read) else False
    numbers, infinite = numeric_values(values)
    return numbers, odd | infinite


def _number(cell: object) -> float:
    """A cell as a plain number, NaN when it is none."""
    try:
        return float("nan") if isinstance(cell, str) and "_" in cell else float(cell)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return float("nan")


def _odd_cell(cell: object) -> tuple[float, float]:
    """A cell that is no plain number, read: (its value, 1.0 when unreadable). Blank-like cells
    are NaN, ordinals (`1st`, `2.`, `Rank 2`, `#2`) and decimal commas (`2,5`) are numbers."""
    text = str(cell).strip()[:40]  # bounded for the regexes
    if (ordinal := _ORDINAL.search(text)) is not None:
        return float(ordinal.group(1)), 0.0
    # a decimal comma (`2,5`), as a `;`-delimited CSV from a German or French Excel has it
    if _DECIMAL_COMMA.fullmatch(text):
        return float(text.replace(",", ".")), 0.0
    return float("nan"), float(text.lower() not in BLANKS)


def numeric_values(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numbers as read, to values and a bad-cell mask: -99 is blank, infinities are unreadable."""
    import numpy as np

    infinite = np.isinf(x)
    return np.where((x == -99) | infinite, np.nan, x), infinite


def map_groups(
    labels: np.ndarray,
    rows: np.ndarray,
    instrument: Instrument,
    group_map: dict[str, str],
    where: str,
) -> np.ndarray:
    """Raw group labels to the index of their canonical group (-1 for a blank label); an unknown
    label stops the run with a suggestion."""
    import numpy as np

    from coachkit.keys import factorize

    ids = [g.id for g in instrument.groups]
    codes, uniques = factorize(labels)
    groups = []
    unknown: list[tuple[int, str]] = []  # (first row, label) of every label no group knows
    for u, raw in enumerate(uniques.tolist()):
        label = str(raw).strip()
        group = (group_map.get(normalize(label)) or instrument.match_group(label)) if label else ""
        if group == instrument.pooled.id:  # "All others" in the data: coachkit pools it itself
            row = int(rows[np.flatnonzero(codes == u)[0]])
            raise InputError(
                f"{where}, row {row}: {label!r} is the group coachkit pools from the others; "
                f'name who these raters are with --group-map "{label}=other"'
            )
        if group is None:
            row = int(rows[np.flatnonzero(codes == u)[0]])
            known = ", ".join(g.id for g in instrument.groups)
            # personal data typed into the wrong column: an address, a phone number, a long text
            if personal(label) or len(label) > 40:
                raise InputError(
                    f"{where}, row {row}: the rater-group column holds {token(label)}, not a "
                    f"group ({known}); check the column, or name it with --group-column"
                )
            unknown.append((row, label))
            groups.append(-1)
            continue
        groups.append(ids.index(group) if group else -1)
    if unknown:
        raise _unknown_groups(sorted(unknown), instrument, where)
    mapped: np.ndarray = np.array(groups, dtype=np.int64)[codes]
    return mapped


def _unknown_groups(
    unknown: list[tuple[int, str]], instrument: Instrument, where: str
) -> InputError:
    """One error for every unknown group label (in the order of their first rows), each with
    its closest group and the --group-map that maps it there."""
    known = ", ".join(g.id for g in instrument.groups)
    if len(unknown) == 1:
        row, label = unknown[0]
        hint = instrument.suggest_group(label)
        guess = f" (closest: {hint})" if hint else ""
        return InputError(
            f"{where}, row {row}: unknown rater group {label!r}{guess}; "
            f'map it with --group-map "{label}=GROUP" (groups: {known})'
        )
    listed = ", ".join(
        f"{label!r} (row {row}"
        + (f", closest: {hint})" if (hint := instrument.suggest_group(label)) else ")")
        for row, label in unknown[:12]
    )
    more = f" and {len(unknown) - 12} more" if len(unknown) > 12 else ""
    maps = " ".join(
        f'--group-map "{label}={instrument.suggest_group(label) or "GROUP"}"'
        for _, label in unknown[:12]
    )
    return InputError(
        f"{where}: {len(unknown)} unknown rater groups: {listed}{more}; map them with {maps} "
        f"(groups: {known})"
    )


def personal(label: str) -> bool:
    """Whether a label that names nothing holds personal data typed in the wrong place (an
    e-mail address, a phone number), to be described, never quoted."""
    return "@" in label or "\uff20" in label or sum(c.isdigit() for c in label) >= 7


def unknown_dimension(
    label: str, instrument: Instrument, where: str, what: str = "the dimension column"
) -> InputError:
    """The error for a label that names no dimension, with the closest one and the
    --dimension-map that maps it there; personal data in it is described, never quoted."""
    if personal(label):
        return InputError(
            f"{where}: {what} holds {token(label)}, not a dimension; check the column, or name "
            'the items with --dimension-map "LABEL=ID" (`coachkit dimensions` lists the ids)'
        )
    hint = instrument.suggest_dimension(label)
    guess = f" (closest: {hint!r})" if hint else ""
    shown = label if len(label) <= 40 else label[:37] + "..."
    target = (instrument.match_dimension(hint) if hint else None) or "ID"
    return InputError(
        f"{where}: unknown dimension {shown!r}{guess}; map it with --dimension-map "
        f'"{shown}={target}", rename it, or add an alias (--instrument FILE; '
        "`coachkit dimensions` lists the labels)"
    )


def notes_for(no_subject: np.ndarray, no_group: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """The reason a response cannot be used before its ranks are even looked at, given which
    rows name no subject and no group; `bad` holds a note on unreadable cells, "" elsewhere."""
    note = bad.astype(object)  # a copy
    note[no_group] = "no rater group given"
    note[no_subject] = "no subject (leader) named"
    return note


_NUMBER_LIKE = re.compile(r"[+-]?(\d[\d.,]*([eE][+-]?\d+)?%?|inf(inity)?|nan)", re.IGNORECASE)


def token(text: str, instrument: Instrument | None = None) -> str:
    """A cell's text as a message may quote it: a number or a label the instrument knows, quoted;
    anything else (a name, a comment) only as what it is, never its words."""
    value = text.strip()
    if len(value) <= 20 and _NUMBER_LIKE.fullmatch(value):
        return repr(value)
    if instrument is not None and (
        instrument.match_dimension(value) or instrument.match_group(value)
    ):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if _EMAIL.match(value):
        return "an e-mail address"
    return f"text ({len(value)} character{'s' * (len(value) != 1)})"


def bad_cell_note(text: str, label: str, instrument: Instrument | None = None) -> str:
    """Describe the first unreadable cell of a response by what it holds, not its words."""
    return f"{token(text, instrument)} in {label} is not a rank or score"


def responses_frame(source: Source) -> pd.DataFrame:
    """A source's responses as one table: one text block and one number block."""
    import numpy as np
    import pandas as pd

    text = {
        "path": source.path,
        "subject": source.subject_names[source.subject_codes],
        "rater": source.raters,
        "group": np.array([*source.group_ids, ""], dtype=object)[source.group_codes],  # -1: ""
        "note": source.notes,
    }
    cells = np.empty((len(source.notes), len(text)), dtype=object)
    for j, column in enumerate(text.values()):
        cells[:, j] = column
    frame = pd.DataFrame(cells, columns=list(text), dtype=object)
    frame.insert(1, "row", source.row_numbers.astype(np.int64))  # after the path
    numbers = pd.DataFrame(source.values, columns=list(source.dimensions), copy=False)
    return pd.concat([frame, numbers], axis=1)


def column_name(index: int, header: list[str]) -> str:
    """`column C ('Execution')`: the spreadsheet letter and the header text."""
    letters, n = "", index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"column {letters} ({header[index]!r})"


# Question texts that name the subject or the rater group, as survey platforms export them.
SUBJECT_PHRASES = (
    "giving feedback about",
    "giving feedback to",
    "feedback for",
    "who are you rating",
    "who are you evaluating",
    "who are you assessing",
    "person you are rating",
    "person you are evaluating",
    "person you are giving",
    "person being rated",
    "person of focus",
    "focus person",
    "name of the person",
    "name of the leader",
    "leader you are rating",
    "leader you are evaluating",
    "leader you are reviewing",
    "person you are reviewing",
    "who are you reviewing",
    "leader being reviewed",
    "person being reviewed",
    "leader s name",
    "which leader",
    "leader name",
    "subject name",
    "ratee",
    "subjectuniqueidentifier",
)
GROUP_PHRASES = (
    "relationship",
    "relation to",
    "rater group",
    "your role",
    "how do you work with",
    "your team",
    "which team",
    "how do you know",
    "how are you related",
    "in what capacity",
    "your connection",
    "perspective",
    "rater type",
    "rater category",
    "respondent type",
)
# Header words that make a column a rater id, after any header naming an e-mail (the same person
# across submissions) and the exact names in RATER.
RATER_PHRASES = (
    "your name",
    "respondent",
    "rater id",
    "rater name",
    "participantuniqueidentifier",
    "response id",
    "responseid",
)
# Values that stand for no rater id (Microsoft Forms writes "anonymous" into Email).
ANONYMOUS = frozenset({"", "anonymous", "anonyme", "anonym", "anonimo", "anónimo"})
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")
SAMPLE = 500  # rows looked at to tell a column by its values
MAX_KEY_WORDS = 10  # a header longer than this is a question, not the name of a key column


@dataclass(frozen=True)
class KeyColumn:
    """A subject, group or rater column as found, and how: its header, its values or an option."""

    column: int | None  # None: no column (an option gives the value for every row)
    how: str  # "header", "question text", "values", "--group-column", "--group", ...


def key_columns(
    headers: list[list[str]],
    synonyms: tuple[str, ...],
    taken: set[int],
    phrases: tuple[str, ...] = (),
) -> Iterator[KeyColumn]:
    """Every free column whose header (in any header row) is a synonym (in synonym order, found
    by "header"), then every one whose short header contains a phrase ("header wording")."""
    from coachkit.io.questions import CODE_PREFIX

    folded = [[normalize(CODE_PREFIX.sub("", h)) for h in row] for row in headers]
    seen = set(taken)
    for name in synonyms:
        for row in folded:
            for i, h in enumerate(row):
                if h == name and i not in seen:
                    seen.add(i)
                    yield KeyColumn(i, "header")
    for phrase in phrases:
        for row in folded:
            for i, h in enumerate(row):
                # a phrase inside a long question ("... in emails, on social media") is not a
                # header that names a key column
                if phrase in h and i not in seen and len(h.split()) <= MAX_KEY_WORDS:
                    seen.add(i)
                    yield KeyColumn(i, "header wording")


def key_column(
    headers: list[list[str]],
    synonyms: tuple[str, ...],
    taken: set[int],
    phrases: tuple[str, ...] = (),
) -> KeyColumn | None:
    """The first free column whose header is a synonym, else contains a phrase."""
    return next(key_columns(headers, synonyms, taken, phrases), None)


SHORT_KEY_WORDS = 5  # a header this short is the name of its column, not a question mentioning it


def _short_header(headers: list[list[str]], column: int) -> bool:
    """Whether a column's header is a few words that name it ("Your team"), rather than a
    question that mentions a key word among others."""
    words = [len(normalize(row[column]).split()) for row in headers if column < len(row)]
    return 0 < max(words, default=0) <= SHORT_KEY_WORDS


def key_name(headers: list[list[str]], column: int) -> str:
    """`column C ('Relationship')`, the header text taken from the last header row naming it."""
    for row in reversed(headers):
        if column < len(row) and row[column].strip():
            return column_name(column, row)
    return column_name(column, [""] * (column + 1))


# Header words of a free-text comment question (whole words, after folding).
COMMENT_WORDS = frozenset(
    {"comment", "comments", "feedback", "suggestion", "suggestions", "remark", "remarks"}
)
COMMENT_PHRASES = ("anything else", "in your own words", "what else", "open text")
# Header words that name a person rather than their words ("Feedback giver (name)").
PERSON_WORDS = frozenset(
    {"name", "names", "giver", "from", "by", "rater", "respondent", "email", "mail", "author"}
)
# A cell that reads as a person's name: one to four capitalized words and nothing else.
_NAME_LIKE = re.compile(r"(?:[A-Z][\w'\u2019.-]*)(?:\s+[A-Z][\w'\u2019.-]*){0,3}")


def comment_columns(body: Table, headers: list[list[str]], taken: set[int]) -> list[int]:
    """The free-text comment columns: a header naming a comment and not a person (no "name",
    "giver", "by"...), not a key or ranking column, and cells of sentences rather than e-mail
    addresses, names or numbers."""
    from coachkit.io.questions import CODE_PREFIX

    found = []
    for col in body.labels:
        if col in taken or not body.is_text(col):
            continue
        folded = [normalize(CODE_PREFIX.sub("", row[col])) for row in headers if col < len(row)]
        if not any(
            COMMENT_WORDS & set(h.split()) or any(p in h for p in COMMENT_PHRASES) for h in folded
        ) or any(PERSON_WORDS & set(h.split()) for h in folded):
            continue
        cells = _sample(body[col])
        if sum(bool(_EMAIL.match(c)) for c in cells) * 2 > len(cells):
            continue
        if sum(bool(_NAME_LIKE.fullmatch(c.strip())) for c in cells) * 2 > len(cells):
            continue
        found.append(col)
    return found


def comment_values(body: Table, columns: list[int]) -> np.ndarray:
    """Per row, the texts of its filled comment cells (an empty tuple when it left them blank)."""
    from coachkit.keys import objects

    if not columns:
        return objects([()] * len(body))
    cells = zip(*([str(t).strip() for t in body[c].tolist()] for c in columns), strict=True)
    return objects(tuple(t for t in row if t) for row in cells)


def named_column(headers: list[list[str]], name: str, option: str, where: str) -> KeyColumn:
    """The column a user named with --subject-column, --group-column or --rater-column."""
    wanted = normalize(name)
    for row in headers:
        for i, h in enumerate(row):
            if normalize(h) == wanted:
                return KeyColumn(i, option)
    raise InputError(f"{where}: no column headed {name!r} for {option}; check the header row")


def find_subject(
    headers: list[list[str]],
    taken: set[int],
    options: ReadOptions,
    where: str,
    body: Table | None = None,
    instrument: Instrument | None = None,
) -> KeyColumn:
    """The leader: `--subject` for every row, `--subject-column`, or a header that names it and
    a column whose values can be leaders' names (not group labels, answers or sentences)."""
    if options.subject is not None:
        return KeyColumn(None, f"--subject {options.subject}")

    def words(column: str) -> tuple[str, ...]:
        return instrument.header_words(column) if instrument is not None else ()

    if options.subject_column is not None:
        found = named_column(headers, options.subject_column, "--subject-column", where)
    else:
        header = next(
            (
                k
                for k in key_columns(headers, SUBJECT + words("leader"), taken, SUBJECT_PHRASES)
                if body is None
                or _names_leaders(
                    body[_column(k)],
                    k.how == "header" or _short_header(headers, _column(k)),
                    instrument,
                )
            ),
            None,
        )
        if header is None:
            raise InputError(
                f"{where}: no subject column (leader, subject, ratee, participant); for a file "
                "about one leader give --subject NAME, or name the column with --subject-column"
            )
        found = header
    taken.add(_column(found))
    return found


# Answers of a yes/no or consent question: never leader names nor group labels.
ANSWERS = frozenset({"yes", "no", "true", "false", "y", "n", "ja", "nein", "oui", "non", "si"})


def _names_leaders(cells: np.ndarray, strong: bool, instrument: Instrument | None) -> bool:
    """Whether a column's values can name leaders: not mostly group labels or yes/no answers;
    under a header that only mentions a leader, not sentences or numbers either."""
    filled = [c for c in _sample(cells) if c.lower() not in BLANKS]
    if not filled:
        return strong
    distinct = {normalize(c) for c in filled}
    if distinct <= ANSWERS:
        return False
    if instrument is not None and sum(
        instrument.match_group(c) is not None for c in filled
    ) * 2 > len(filled):
        return False
    if strong:  # under a header that names the column, a long cell is a leader all the same:
        return True  # validation describes it without printing it
    sentences = sum(len(c) > 60 for c in filled) * 2 > len(filled)  # answers, not names
    return not sentences and not all(_NUMBER_LIKE.fullmatch(c) for c in filled)


def subject_values(
    body: Table, found: KeyColumn, options: ReadOptions
) -> tuple[np.ndarray, np.ndarray]:
    """The leader each row is about, numbered (see `numbered`)."""
    import numpy as np

    if found.column is None:
        name = (options.subject or "").strip()
        return np.zeros(len(body), dtype=np.int64), np.array([name], dtype=object)
    return numbered(body[found.column])


def find_group(
    body: Table,
    headers: list[list[str]],
    taken: set[int],
    options: ReadOptions,
    instrument: Instrument,
    where: str,
) -> KeyColumn:
    """The rater group: `--group` for every row, `--group-column`, a header that names it over
    values that fit (group labels, or a few short repeated labels under a header that is the
    group's own name), or a column whose values are mostly group labels (Self, Manager...)."""
    if options.group is not None:
        return KeyColumn(None, f"--group {options.group}")
    if options.group_column is not None:
        found = named_column(headers, options.group_column, "--group-column", where)
    else:
        passed: list[int] = []
        header = None
        synonyms = GROUP + instrument.header_words("group")
        for candidate in key_columns(headers, synonyms, taken, GROUP_PHRASES):
            column = _column(candidate)
            strong = candidate.how == "header" or _short_header(headers, column)
            if _fits_groups(body[column], strong, instrument, options):
                header = candidate
                break
            passed.append(column)
        header = header or _group_by_values(body, taken | set(passed), options, instrument)
        if header is None and len(instrument.groups) == 1:
            return KeyColumn(None, "the instrument's only group")
        if header is None:
            why = "".join(
                f"; {key_name(headers, c)} holds {_shown(body[c])}, not group labels"
                for c in passed[:2]
            )
            raise InputError(
                f"{where}: no rater-group column{why}; give --group GROUP (a file from one "
                "group's link) or --group-column NAME"
                + (' (with --group-map "LABEL=GROUP")' if passed else "")
            )
        found = header
    taken.add(_column(found))
    return found


def _shown(cells: np.ndarray) -> str:
    """A few distinct values of a column as a message may quote them."""
    distinct = sorted(set(_sample(cells)))
    shown = ", ".join(token(c) for c in distinct[:3])
    return (shown + ", ...") if len(distinct) > 3 else (shown or "nothing")


def _fits_groups(
    cells: np.ndarray, strong: bool, instrument: Instrument, options: ReadOptions
) -> bool:
    """Whether a column's values can be rater groups: mostly labels the instrument (or
    --group-map) knows; else a few short, repeated labels (to be mapped), never numbers or
    yes/no answers, and under a header that only mentions a group word at least one of them a
    label the instrument knows."""
    filled = [c for c in _sample(cells) if c.lower() not in BLANKS]
    if not filled:
        return strong
    known = sum(
        1 for c in filled if options.group_map.get(normalize(c)) or instrument.match_group(c)
    )
    if known * 2 >= len(filled):
        return True
    distinct = {normalize(c) for c in filled}
    return (
        (strong or known > 0)
        and not distinct <= ANSWERS
        and not any(_NUMBER_LIKE.fullmatch(c) for c in distinct)
        and all(len(c) <= 40 for c in filled)
        and len(distinct) <= 12
        and (len(filled) < 2 * 12 or len(distinct) * 2 <= len(filled))
    )


def _column(found: KeyColumn) -> int:
    assert found.column is not None
    return found.column


def _sample(cells: np.ndarray) -> list[str]:
    """The filled cells of a column's first rows, as text."""
    return [text for c in cells[:SAMPLE].tolist() if (text := str(c).strip())]


def _group_by_values(
    body: Table, taken: set[int], options: ReadOptions, instrument: Instrument
) -> KeyColumn | None:
    """The free column whose filled cells are mostly (80%+) known group labels."""
    best, best_share = None, 0.0
    for col in body.labels:
        if col in taken or not body.is_text(col):
            continue
        cells = _sample(body[col])
        known = sum(
            1 for c in cells if options.group_map.get(normalize(c)) or instrument.match_group(c)
        )
        share = known / len(cells) if cells else 0.0
        if share >= 0.8 and share > best_share:
            best, best_share = col, share
    return None if best is None else KeyColumn(best, "values")


def moved_from(
    body: Table, found: KeyColumn, instrument: Instrument, options: ReadOptions
) -> np.ndarray:
    """Per row, the group its label names by itself where --group-map moved it to another, as an
    index into the instrument's groups; -1 where nothing was moved."""
    import numpy as np

    from coachkit.keys import factorize

    if found.column is None or not options.group_map:
        return np.full(len(body), -1, dtype=np.int64)
    ids = [g.id for g in instrument.groups]
    codes, uniques = factorize(body[found.column])
    natural = []
    for raw in uniques.tolist():
        label = str(raw).strip()
        mapped, own = options.group_map.get(normalize(label)), instrument.match_group(label)
        natural.append(ids.index(own) if mapped and own in ids and own != mapped else -1)
    return np.asarray(np.asarray(natural, dtype=np.int64)[codes])


def given_over(
    body: Table,
    headers: list[list[str]],
    taken: set[int],
    options: ReadOptions,
    instrument: Instrument,
    where: str,
) -> np.ndarray | None:
    """With `--group`: per row, the group the file's own group column names where `--group`
    gives another (-1 where it does not); None without `--group`, such a column or a move."""
    import dataclasses

    import numpy as np

    from coachkit.keys import factorize

    if options.group is None:
        return None
    try:
        found = find_group(
            body, headers, set(taken), dataclasses.replace(options, group=None), instrument, where
        )
    except InputError:  # no group column: --group moves no one
        return None
    if found.column is None:
        return None
    ids = [g.id for g in instrument.groups]
    codes, uniques = factorize(body[found.column])
    own = []
    for raw in uniques.tolist():
        label = str(raw).strip()
        group = options.group_map.get(normalize(label)) or instrument.match_group(label)
        own.append(ids.index(group) if group in ids and group != options.group else -1)
    moved = np.asarray(np.asarray(own, dtype=np.int64)[codes])
    return moved if (moved >= 0).any() else None


def aliases(
    body: Table, found: KeyColumn, instrument: Instrument, options: ReadOptions
) -> np.ndarray | None:
    """Per row, the instrument's alias its group label names the group by ("" where the label
    is the group's id or label, or --group-map maps it); None when no row's label is an alias."""
    import numpy as np

    from coachkit.keys import factorize

    if found.column is None:
        return None
    codes, uniques = factorize(body[found.column])
    named = [
        ""
        if options.group_map.get(normalize(label := str(raw).strip()))
        else instrument.group_alias(label) or ""
        for raw in uniques.tolist()
    ]
    if not any(named):
        return None
    return np.asarray(np.asarray(named, dtype=object)[codes])


def group_codes(
    body: Table,
    found: KeyColumn,
    rows: np.ndarray,
    instrument: Instrument,
    options: ReadOptions,
    where: str,
) -> np.ndarray:
    """Per row, the index of its canonical group (-1 for none)."""
    import numpy as np

    if found.column is None:
        ids = [g.id for g in instrument.groups]
        return np.full(len(body), ids.index(options.group or ids[0]), dtype=np.int64)
    return map_groups(body[found.column], rows, instrument, options.group_map, where)


def find_rater(
    body: Table,
    headers: list[list[str]],
    taken: set[int],
    options: ReadOptions,
    where: str,
    instrument: Instrument | None = None,
) -> KeyColumn | None:
    """The rater id: `--rater-column`; else the first candidate (see `rater_candidates`). None
    when the file has no rater id."""
    if options.rater_column is not None:
        return named_column(headers, options.rater_column, "--rater-column", where)
    return next(iter(rater_candidates(body, headers, taken, instrument)), None)


def rater_candidates(
    body: Table, headers: list[list[str]], taken: set[int], instrument: Instrument | None = None
) -> list[KeyColumn]:
    """The columns that could hold the rater id, best first: a header naming an e-mail over
    addresses, then a platform's id or a rater's name (RATER, and the instrument's rater header
    words), then a short header with rater words (skipping columns left blank); else a column of
    e-mail addresses."""
    found: list[KeyColumn] = []
    free = set(taken)
    rater = RATER + (instrument.header_words("rater") if instrument is not None else ())
    for synonyms, phrases in (((), ("email", "e mail")), (rater, ()), ((), RATER_PHRASES)):
        for candidate in key_columns(headers, synonyms, free, phrases):
            column = body[_column(candidate)]
            # an e-mail column left blank (an anonymous link), or one whose values are not
            # addresses (a file name uploaded under a question that mentions e-mails), is passed
            emails = phrases == ("email", "e mail")
            if _has_ids(column) and (not emails or _mostly_emails(column)):
                found.append(candidate)
            free.add(_column(candidate))
    for col in body.labels:
        if col in free or not body.is_text(col):
            continue
        cells = _sample(body[col])
        if cells and sum(bool(_EMAIL.match(c)) for c in cells) >= 0.8 * len(cells):
            found.append(KeyColumn(col, "values"))
    return found


def repeated_ids(ids: np.ndarray) -> bool:
    """Whether some id comes twice (spaces aside; placeholders are no id): else a column of
    them merges no responses, and `merged_rankings` needs nothing else of the file."""
    import numpy as np

    id_codes = rater_codes(ids)
    keyed = id_codes[id_codes >= 0]
    return bool(len(keyed)) and int(np.bincount(keyed).max()) >= 2


def merged_rankings(
    ids: np.ndarray,
    leaders: np.ndarray,
    groups: np.ndarray,
    answers_of: Callable[[], np.ndarray],
    strict: bool,
) -> tuple[int, int] | None:
    """Two rows a column would count as one rater's repeated response although they cannot be:
    complete rankings of one leader that differ, under one id. Under a weak id (`strict`) any
    such pair counts; under a platform's id or an e-mail a resubmission may change its ranking,
    so only an id shared across rater groups or by three or more different rankings does, or
    ids that would set aside more than a quarter of the responses (and three or more).
    `answers_of()` numbers each row's complete ranking (-1: not complete; see `answer_codes`),
    asked for only when some id comes twice. Rows
    are 0-based; None when the column can be an id. Arrays throughout: a million rows are
    looked at in a few sorts."""
    import numpy as np

    from coachkit.keys import factorize, per_value

    if not repeated_ids(ids):
        return None  # no id comes twice: nothing to merge (the common case, decided at once)
    id_codes = rater_codes(ids)  # " a" is "a"; placeholders are no id
    keyed_rows = np.flatnonzero(id_codes >= 0)
    leader_codes = factorize(leaders[keyed_rows])[0]
    cell = factorize(id_codes[keyed_rows] * (int(leader_codes.max()) + 1) + leader_codes)[0]
    cells = int(cell.max()) + 1
    answers = answers_of()
    answer = answers[keyed_rows]
    complete = answer >= 0
    # the complete rankings of each id of a leader, and how many of them differ
    c_cell, c_rows = cell[complete], keyed_rows[complete]
    n_complete = np.bincount(c_cell, minlength=cells)
    different = np.bincount(_pairs(c_cell, factorize(answer[complete])[0])[:, 0], minlength=cells)
    differing = np.flatnonzero(different >= 2)
    if not len(differing):
        return None
    merged = int((n_complete[differing] - 1).sum())
    # the rater groups each id of a leader answers in (blank labels aside)
    labels, names = factorize(per_value(groups[keyed_rows], lambda v: str(v).strip().lower()))
    named = np.asarray([bool(n) for n in names.tolist()], dtype=bool)[labels]
    several = np.bincount(_pairs(cell[named], labels[named])[:, 0], minlength=cells) > 1
    # the ids in the order the file first shows them, and each one's rows in file order
    first = np.full(cells, len(ids), dtype=np.int64)
    np.minimum.at(first, cell, keyed_rows)
    differing = differing[np.argsort(first[differing], kind="stable")]
    order = np.lexsort((c_rows, c_cell))
    sorted_cells, sorted_rows = c_cell[order], c_rows[order]

    def pair(c: int) -> tuple[int, int]:
        at = int(np.searchsorted(sorted_cells, c))
        rows = sorted_rows[at : at + n_complete[c]]
        found = answers[rows]
        return int(rows[0]), int(rows[int(np.argmax(found != found[0]))])

    telling = [c for c in differing.tolist() if strict or several[c] or different[c] >= 3]
    if telling:
        return pair(telling[0])
    return pair(int(differing[0])) if merged > max(2, len(keyed_rows) / 4) else None


def _pairs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The distinct (a, b) pairs of two columns of integers from 0, as rows."""
    import numpy as np

    if not len(a):
        return np.zeros((0, 2), dtype=np.int64)
    width = int(b.max()) + 1
    found = np.unique(a.astype(np.int64) * width + b)
    return np.column_stack([found // width, found % width])


def answer_codes(body: Table, columns: list[int]) -> np.ndarray:
    """A number per row for its complete ranking over these columns (equal cells, spaces aside,
    equal numbers), -1 where a cell is blank: what tells two responses apart, as arrays."""
    import numpy as np

    from coachkit.keys import factorize, rows_factorize

    codes, sizes = [], []
    full = np.ones(len(body), dtype=bool)
    for column in columns:
        values = body[column]
        if values.dtype == object:
            code, names = numbered(values)
            blank = np.asarray([n.lower() in BLANKS for n in names.tolist()], dtype=bool)
        else:
            code, names = factorize(values)
            blank = np.isnan(np.asarray(names, dtype=np.float64))
        full &= ~blank[code] if len(blank) else full
        codes.append(code)
        sizes.append(max(len(names), 1))
    if not codes:
        return np.full(len(body), -1, dtype=np.int64)
    if float(np.prod(np.asarray(sizes, dtype=np.float64))) < 2.0**62:  # one number per row
        key = np.zeros(len(body), dtype=np.int64)
        for code, size in zip(codes, sizes, strict=True):
            key = key * size + code
    else:
        key = rows_factorize(codes)
    return np.where(full, key, -1)


def strong_id(body: Table, found: KeyColumn) -> bool:
    """Whether a rater column is a platform's id or rater name (its header says so) or holds
    e-mail addresses: one whose repeats may be a rater's resubmissions."""
    return found.how == "header" or _mostly_emails(body[_column(found)])


def _mostly_emails(cells: np.ndarray) -> bool:
    """Whether most of a column's filled cells (anonymous ones aside) are e-mail addresses."""
    filled = [c for c in _sample(cells) if c.lower() not in ANONYMOUS | BLANKS]
    return sum(bool(_EMAIL.match(c)) for c in filled) * 2 >= len(filled)


def _has_ids(cells: np.ndarray) -> bool:
    """Whether a column holds any rater id (not only blanks, placeholders or `anonymous`)."""
    return any(c.lower() not in ANONYMOUS | BLANKS for c in _sample(cells))


def rater_values(body: Table, found: KeyColumn | None) -> np.ndarray:
    """Rater ids as the file holds them (see `rater_codes`); empty where a file has none."""
    import numpy as np

    if found is None or found.column is None:
        return np.full(len(body), "", dtype=object)
    return np.asarray(body[found.column], dtype=object)


# the last column numbered (weakly: a notebook keeps no file's ids alive), and its codes
_LAST_CODES: list[tuple[weakref.ref[np.ndarray], np.ndarray]] = []


def rater_codes(raters: np.ndarray) -> np.ndarray:
    """A number per distinct rater id (surrounding spaces aside), -1 where a response has no id,
    an `anonymous` one or a placeholder (`N/A`, `-`). Ids are only compared, to find repeated
    responses; never shown. The column the reader confirmed is numbered again by validation:
    the last one's codes are kept (a million ids are numbered once)."""
    if _LAST_CODES and _LAST_CODES[0][0]() is raters:
        return _LAST_CODES[0][1].copy()
    codes = _rater_codes(raters)
    _LAST_CODES[:] = [(weakref.ref(raters), codes)]
    return codes.copy()


# a value (between NULs) that starts or ends with what `str.strip` takes away (the same
# characters); two patterns that each begin or end with the NUL search far faster than one
_LEADING_SPACE, _TRAILING_SPACE = re.compile(r"\x00\s"), re.compile(r"\s\x00")


def _plain_texts(values: list[str]) -> bool:
    """Whether every value is text with nothing for `str.strip` to take away, found in one
    search of them all (a million ids would take a million calls)."""
    try:
        joined = "\x00" + "\x00".join(values) + "\x00"
    except TypeError:  # not all text
        return False
    return (
        joined.count("\x00") == len(values) + 1
        and not _LEADING_SPACE.search(joined)
        and not _TRAILING_SPACE.search(joined)
    )


def _rater_codes(raters: np.ndarray) -> np.ndarray:
    import numpy as np

    from coachkit.keys import factorize, objects

    values: list[str] = raters.tolist()
    plain = _plain_texts(values)  # the usual case: text with nothing to strip
    if plain and len(set(values)) == len(values):
        # every id differs (a platform's response ids): each row is its own number, found
        # without the hash table of a million values that numbering them would build
        codes, ids = np.arange(len(values), dtype=np.int64), values
    else:
        codes, uniques = factorize(raters)
        ids = uniques.tolist()
        plain = plain or _plain_texts(ids)
    if plain:  # no list of stripped copies
        clean = ids
    else:
        ids = [str(u) for u in ids]
        clean = [u.strip() for u in ids]
    # One search of all ids for the anonymous words decides whether each id must be looked at.
    joined = "\n" + "\n".join(clean).lower() + "\n"
    placeholders = ANONYMOUS | BLANKS  # `N/A`, `-`, `none`: no id, not one shared id
    if any(f"\n{word}\n" in joined for word in placeholders if word):
        clean = ["" if u.lower() in placeholders else u for u in clean]
    if clean is not ids and clean != ids:  # spaces or anonymity made some the same: renumber
        merged, names = factorize(objects(clean))
        codes, clean = merged[codes], [str(u) for u in names.tolist()]
    codes = np.asarray(codes, dtype=np.int64)
    if "" in clean:
        codes[codes == clean.index("")] = -1
    return codes
