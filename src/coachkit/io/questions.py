"""An export's columns grouped into questions, and the choice of the one ranking question that
matches the instrument.

Real exports hold more than one question over the same items (a ranking "for today" and one
"for next year", a repeated block, a rating matrix or multi-select later in the survey) and
embedded-data columns named like items. Items are therefore matched within one question, never
across the whole export. A question is found from the platform's own grouping (Qualtrics' column
ids, SurveyMonkey's question spanning its item columns) or from the header text's stem
(`<question> [<item>]`, `<question> - <item>`); headers with no stem form one unnamed question.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from coachkit.errors import AmbiguousQuestions, InputError
from coachkit.text import compact, normalize

if TYPE_CHECKING:
    import numpy as np

    from coachkit.instruments import Instrument
    from coachkit.io.table import Table

Kind = Literal["items", "positions", "list"]
# A column's place in a question: (question key, item, question text).
Part = tuple[str, str, str]

# `Q1[3]`, `Rank [Rank 3]`, `Question [3rd choice]`, `[First]`: a column per rank position.
_ORDINAL_WORDS = {
    # English, German, French, Spanish ordinals (the platforms' default export languages)
    **dict.fromkeys(
        [
            "first",
            "erste",
            "erster",
            "erstes",
            "premier",
            "premiere",
            "primero",
            "primera",
            "primer",
        ],
        1,
    ),
    **dict.fromkeys(
        [
            "second",
            "zweite",
            "zweiter",
            "zweites",
            "deuxieme",
            "second",
            "seconde",
            "segundo",
            "segunda",
        ],
        2,
    ),
    **dict.fromkeys(
        ["third", "dritte", "dritter", "drittes", "troisieme", "tercero", "tercera", "tercer"], 3
    ),
    **dict.fromkeys(["fourth", "vierte", "vierter", "viertes", "quatrieme", "cuarto", "cuarta"], 4),
    **dict.fromkeys(["fifth", "funfte", "fuenfte", "funfter", "cinquieme", "quinto", "quinta"], 5),
    **dict.fromkeys(["sixth", "sechste", "sechster", "sixieme", "sexto", "sexta"], 6),
    **dict.fromkeys(
        ["seventh", "siebte", "siebter", "siebente", "septieme", "septimo", "septima"], 7
    ),
    **dict.fromkeys(["eighth", "achte", "achter", "huitieme", "octavo", "octava"], 8),
    **dict.fromkeys(["ninth", "neunte", "neunter", "neuvieme", "noveno", "novena"], 9),
    **dict.fromkeys(["tenth", "zehnte", "zehnter", "dixieme", "decimo", "decima"], 10),
    **dict.fromkeys(["eleventh", "elfte", "elfter", "onzieme", "undecimo", "undecima"], 11),
    **dict.fromkeys(
        ["twelfth", "zwolfte", "zwoelfte", "zwolfter", "douzieme", "duodecimo", "duodecima"], 12
    ),
}
_POSITION_WORDS = r"(?:rank(?:ing)?|position|place|platz|rang|choice|choix|wahl|opcion|opción|option|priority|priorit[eé]|#|no\.?|nr\.?)"
_POSITION_NUMBER = re.compile(
    rf"^\s*(?:{_POSITION_WORDS}\s*)?(\d{{1,3}})\s*(?:st|nd|rd|th|er|re|e|ème|eme|º|ª|o|a|\.)?\s*(?:{_POSITION_WORDS})?\s*$",
    re.IGNORECASE,
)
_BRACKET = re.compile(r"^(.*?)\s*\[([^\[\]]{1,200})\]\s*$")
# LimeSurvey's "question code & question text" headings: `Q1[2]. Rank these [Ranking 2]`.
CODE_PREFIX = re.compile(r"^[A-Za-z_]\w{0,30}(?:\[[^\[\]]{0,40}\])?\.\s+(?=\S)")
_QUESTION_NUMBER = re.compile(r"^\s*(?:q(?:uestion)?\s*)?\d+[a-z]?\s*$", re.IGNORECASE)
# Qualtrics column ids: `Q5_3`, `QID5_3`, `1_Q5_3` (loop and merge), `Q5_13_TEXT` (a write-in).
_QUALTRICS_ID = re.compile(r"^(.+?)_(\d+)(_TEXT)?$", re.IGNORECASE)
# Choices that are never dimensions: a write-in or "other" next to the items.
WRITE_INS = frozenset(
    {
        "other",
        "others",
        "otherpleasespecify",
        "otherspecify",
        "writein",
        "text",
        "none",
        "sonstiges",
        "autre",
        "otro",
    }
)
SHORT = 60  # a question's text in messages is cut to this many characters


def position(item: str) -> int | None:
    """The rank position an item text names (`3`, `3rd`, `Rank 3`, `Third`, `3rd choice`), or None."""
    text = item.strip()
    match = _POSITION_NUMBER.match(text)
    if match:
        value = int(match.group(1))
        return value if value >= 1 else None
    words = normalize(text).split()
    numbered = [_ORDINAL_WORDS[w] for w in words if w in _ORDINAL_WORDS]
    rest = [w for w in words if w not in _ORDINAL_WORDS]
    if len(numbered) == 1 and all(re.fullmatch(_POSITION_WORDS, w, re.IGNORECASE) for w in rest):
        return numbered[0]
    return None


@dataclass(frozen=True)
class Question:
    """One question of an export: the columns it spans and the item (or position) of each."""

    key: str  # how a user names it with --question: an id (`Q5`) or the question text
    stem: str  # the question text without the items ("" when the headers carry none)
    columns: tuple[int, ...]
    items: tuple[str, ...]  # per column, the item text (for positions, the position's text)
    kind: Kind = "items"

    @property
    def short(self) -> str:
        """The question as a message quotes it: its id, or its text cut short."""
        text = self.key or self.stem
        if not text:
            return "the unnamed question"
        return repr(text if len(text) <= SHORT else text[: SHORT - 3].rstrip() + "...")

    def matches(self, wanted: str) -> bool:
        """Whether `--question` names this question: its id, or words of its text."""
        folded = normalize(wanted)
        return bool(folded) and (
            folded == normalize(self.key) or folded in normalize(self.stem or self.key)
        )


def split_header(text: str) -> tuple[str, str]:
    """A generic header as (question stem, item): `Rank [Execution]`, `Rank - Execution`,
    `Q5 - Execution` (a bare question number is no stem), `Execution`."""
    text = CODE_PREFIX.sub("", text.strip())
    bracketed = _BRACKET.match(text)
    if bracketed and bracketed.group(2).strip():
        return bracketed.group(1).strip(), bracketed.group(2).strip()
    if " - " in text:
        stem, item = (part.strip() for part in text.rsplit(" - ", 1))
        return ("" if _QUESTION_NUMBER.match(stem) else stem), item
    return "", text


def group_columns(parts: list[Part | None]) -> list[Question]:
    """Questions from each column's part (key, item, text); None for a column that is no item.

    Columns of one key form one question; a key that comes back after other questions, or whose
    item repeats (the same question asked twice), starts a new question (`key #2`)."""
    questions: dict[str, list[tuple[int, str]]] = {}
    stems: dict[str, str] = {}
    current: dict[str, str] = {}  # key -> the name of its latest question
    last = None
    for col, part in enumerate(parts):
        if part is None:
            continue
        key, item, stem = part
        name = current.get(key)
        # Headers with no question text stay one question: a repeated item there is a clash.
        repeated = (
            name is not None
            and key != ""
            and compact(item) in {compact(i) for _, i in questions[name]}
        )
        interrupted = name is not None and last != name and key != ""
        if name is None or repeated or interrupted:
            count = sum(1 for n in questions if n == key or n.startswith(f"{key} #"))
            name = key if count == 0 else f"{key} #{count + 1}"
            questions[name] = []
            stems[name] = stem
            current[key] = name
        questions[name].append((col, item))
        last = name
    found = []
    for name, cells in questions.items():
        columns = tuple(c for c, _ in cells)
        items = tuple(i for _, i in cells)
        positions = [position(i) for i in items]
        kind: Kind = "positions" if len(cells) >= 3 and None not in positions else "items"
        stem = "" if _QUESTION_NUMBER.match(stems[name]) else stems[name]
        found.append(Question(name, stem, columns, items, kind))
    return found


def generic_parts(header: list[str], skip: frozenset[int]) -> list[Part | None]:
    """(stem, item, stem) for each column of a generic header row. A split at " - " makes a
    question only when its left part repeats across columns: `1. Courage - Skilled: ...` is a
    numbered, described item, not a question of one column."""
    pieces = {i: split_header(h) for i, h in enumerate(header) if i not in skip and h.strip()}
    stems = Counter(stem for stem, _ in pieces.values())
    parts: list[Part | None] = []
    for i, h in enumerate(header):
        if i not in pieces:
            parts.append(None)
            continue
        stem, item = pieces[i]
        text = CODE_PREFIX.sub("", h.strip())
        if stem and stems[stem] == 1 and not _BRACKET.match(text):
            stem, item = "", text
        parts.append((stem, item, stem))
    return parts


def qualtrics_parts(ids: list[str], texts: list[str], skip: frozenset[int]) -> list[Part | None]:
    """(question id, item, question text) for each column of a Qualtrics export: the id before
    `_<choice>` in row 1, the item after the last ` - ` of the question text in row 2."""
    parts: list[Part | None] = []
    for i, (cid, text) in enumerate(zip(ids, texts, strict=True)):
        match = _QUALTRICS_ID.match(cid.strip())
        if i in skip or not (cid.strip() or text.strip()) or (match and match.group(3)):
            parts.append(None)  # display order, a write-in's text, an empty column
            continue
        stem, item = split_header(text) if text.strip() else ("", cid)
        parts.append((match.group(1) if match else (stem or cid.strip()), item, stem))
    return _after_shared_stem(parts, texts)


def _after_shared_stem(parts: list[Part | None], texts: list[str]) -> list[Part | None]:
    """Items whose own text holds ` - ` (`Q - 1. Courage - Skilled: ...`): a question's stem is
    the text its columns share up to a ` - `, and each item all that follows it."""
    columns: dict[str, list[int]] = {}
    for i, part in enumerate(parts):
        if part is not None:
            columns.setdefault(part[0], []).append(i)
    for key, cols in columns.items():
        own = [texts[i].strip() for i in cols]
        if len(cols) < 2 or not all(t.count(" - ") > 1 for t in own):
            continue
        shared = own[0]
        for text in own[1:]:
            while not text.startswith(shared):
                shared = shared[:-1]
        cut = shared.rfind(" - ")
        if cut <= 0:
            continue
        stem = CODE_PREFIX.sub("", shared[:cut].strip())
        for i, text in zip(cols, own, strict=True):
            parts[i] = (key, text[cut + 3 :].strip(), stem)
    return parts


def list_question(col: int, header: str) -> Question:
    """A column whose cells list the items in order (`Execution;Vision and strategy;...`)."""
    return Question(
        header.strip() or f"column {col + 1}", header.strip(), (col,), (header,), "list"
    )


@dataclass(frozen=True)
class Fit:
    """How a question fits an instrument."""

    question: Question
    columns: dict[str, int]  # dimension id -> column (kind "items")
    unknown: tuple[int, ...]  # columns whose item names no dimension (write-ins aside)
    complete: bool  # every dimension found, each once, nothing unknown
    doubles: tuple[int, ...] = ()  # columns whose header names two dimensions
    clashes: tuple[int, ...] = ()  # columns naming a dimension another column names as well

    @property
    def item_columns(self) -> tuple[int, ...]:
        """The columns that hold the ranking: those naming a dimension, or every column of a
        position or list question."""
        if self.question.kind == "items":
            return tuple(self.columns.values())
        return self.question.columns

    @property
    def matched(self) -> int:
        """How many columns of the question hold the ranking."""
        return len(self.item_columns)


def fit(question: Question, instrument: Instrument) -> Fit:
    """Match a question's items to the instrument's dimensions. In the unnamed question (headers
    with no stem) other columns stand beside the items, so its unknown headers are not counted."""
    if question.kind != "items":
        return Fit(question, {}, (), True)
    columns: dict[str, int] = {}
    exact: dict[str, bool] = {}  # whether the column's header is the label itself
    unknown, doubles = [], []
    clashing: dict[str, list[int]] = {}  # per dimension, the columns that name it again
    for col, item in zip(question.columns, question.items, strict=True):
        found = instrument.header_dimensions(item)
        if len(found) > 1:
            doubles.append(col)
            continue
        if not found:
            if question.stem and compact(item) not in WRITE_INS:
                unknown.append(col)
            continue
        dim, whole = found[0]
        if dim not in columns or (whole and not exact[dim]):  # the label itself wins
            columns[dim], exact[dim] = col, whole
        elif whole == exact[dim]:
            clashing.setdefault(dim, []).append(col)
    # A label only inside other words of two headers ("Which of the following...?" and "The
    # following?" for "Developing a following") names neither: the dimension is missing.
    vague = {d for d in clashing if not exact[d]}
    columns = {d: c for d, c in columns.items() if d not in vague}
    clashes = sorted(c for d, cols in clashing.items() if d not in vague for c in cols)
    complete = len(columns) == len(instrument.dimensions) and not (unknown or clashes)
    complete = complete and not (doubles and question.stem)
    return Fit(question, columns, tuple(unknown), complete, tuple(doubles), tuple(clashes))


def responses(body: Table, question: Question) -> int:
    """How many rows answer a question (any of its cells filled)."""
    return int(body.select(question.columns).filled().sum()) if len(body) else 0


def choose(
    fits: list[Fit],
    body: Table,
    instrument: Instrument,
    wanted: str | None,
    where: str,
) -> Fit | None:
    """The one ranking question that matches the instrument (None when no question comes close).

    `--question` names it; otherwise the question whose items are the instrument's dimensions and
    whose cells hold rankings. Two that both fit are an error that lists them."""
    if wanted is not None:
        named = [f for f in fits if f.question.matches(wanted)]
        exact = [f for f in named if normalize(f.question.key) == normalize(wanted)]
        named = exact or named
        if not named:
            raise InputError(
                f"{where}: no question matches --question {wanted!r}; "
                "`coachkit inspect` lists the questions"
            )
        if len(named) > 1:
            raise _ambiguous(named, body, where)
        return named[0]
    complete = [f for f in fits if f.complete]
    if len(complete) > 1:
        ranked = [
            f
            for f in complete
            if f.question.kind != "items" or ranking_share(body, f, instrument) >= 0.5
        ]
        complete = ranked if ranked else complete
    if len(complete) == 1:
        return complete[0]
    if complete:
        raise _ambiguous(complete, body, where)
    families = _by_family(fits, instrument)
    if families is not None:
        return families
    partial = [f for f in fits if f.question.kind != "list" and f.matched >= 2]
    return max(partial, key=lambda f: f.matched) if partial else None


def _ambiguous(fits: list[Fit], body: Table, where: str) -> AmbiguousQuestions:
    """Two or more questions fit: list them by what tells them apart (their ids, or the words
    after the text they share), with their response counts."""
    names = [f.question.key or f.question.stem for f in fits[:4]]
    shared = _shared_words(names) if all(f.question.stem == f.question.key for f in fits) else ""
    listed = "; ".join(
        f"{_cut(('...' if shared else '') + name[len(shared) :])} "
        f"({responses(body, f.question)} responses)"
        for name, f in zip(names, fits, strict=False)
    )
    return AmbiguousQuestions(
        f"{where}: {len(fits)} questions fit: {listed}; choose one with --question",
        [(f.question.key, f.question.stem) for f in fits],
    )


def _shared_words(texts: list[str]) -> str:
    """The leading words all texts share (cut at a space), so the rest tells them apart."""
    prefix = texts[0]
    for text in texts[1:]:
        while not text.startswith(prefix):
            prefix = prefix[:-1]
    return prefix[: prefix.rfind(" ") + 1] if " " in prefix else ""


def _cut(text: str, size: int = 40) -> str:
    return repr(text if len(text) <= size else text[: size - 3].rstrip() + "...")


def _by_family(fits: list[Fit], instrument: Instrument) -> Fit | None:
    """Questions that each rank whole families (competencies in one, characteristics in
    another) and together cover every dimension once, as one question."""
    families = {f.id: set(instrument.family_members(f.id)) for f in instrument.families}
    parts: list[Fit] = []
    covered: set[str] = set()
    for f in fits:
        dims = set(f.columns)
        whole = [fid for fid, members in families.items() if members <= dims]
        if (
            f.question.kind != "items"
            or f.unknown
            or not dims
            or len(f.columns) != sum(len(families[fid]) for fid in whole)
        ):
            continue
        if dims & covered:
            return None  # two questions rank the same family: not a by-family pair to guess
        parts.append(f)
        covered |= dims
    if len(parts) < 2 or covered != set(instrument.dimension_ids):
        return None
    keys = " + ".join(p.question.key or "the unnamed question" for p in parts)
    columns = {d: c for p in parts for d, c in p.columns.items()}
    question = Question(
        keys,
        " + ".join(p.question.stem for p in parts),
        tuple(c for p in parts for c in p.question.columns),
        tuple(i for p in parts for i in p.question.items),
    )
    return Fit(question, columns, (), True)


def ranking_share(body: Table, fitted: Fit, instrument: Instrument) -> float:
    """The share of rows (with two or more values) that hold a ranking: distinct whole numbers
    from 1 to the number of items, over all items or within each family (the by-family scheme).
    A rating scale, a multi-select or a text matrix does not."""
    import numpy as np

    from coachkit.io.columns import parse_values

    columns = list(fitted.item_columns if fitted.matched >= 2 else fitted.question.columns)
    cells = body.text(columns)
    flat, _ = parse_values(cells.ravel())
    grid = flat.reshape(cells.shape)
    usable = (~np.isnan(grid)).sum(axis=1) >= 2
    if not usable.any():
        return 0.0
    position = {col: i for i, col in enumerate(columns)}
    blocks = [list(range(len(columns)))]
    if fitted.question.kind == "items" and fitted.matched >= 2:
        blocks = [
            [position[fitted.columns[d]] for d in instrument.family_members(f.id)]
            for f in instrument.families
            if all(d in fitted.columns for d in instrument.family_members(f.id))
        ]
    overall = _ranked(grid)
    by_family = np.ones(len(grid), dtype=bool)
    for block in blocks:
        by_family &= _ranked(grid[:, block])
    ranked = (overall | by_family) & usable
    return float(ranked.sum() / usable.sum())


def _ranked(grid: np.ndarray) -> np.ndarray:
    """Per row: are the values distinct whole numbers from 1 to the number of columns?"""
    import numpy as np

    k = grid.shape[1]
    whole = np.isnan(grid) | ((grid == np.round(grid)) & (grid >= 1) & (grid <= k))
    # blanks become distinct negative numbers, so only repeated values compare equal
    spread = np.where(np.isnan(grid), -np.arange(1, k + 1, dtype=float), grid)
    distinct = (np.diff(np.sort(spread, axis=1), axis=1) != 0).all(axis=1)
    return np.asarray(whole.all(axis=1) & distinct)


def describe(questions: list[Question]) -> str:
    """Questions listed briefly for a message."""
    return "; ".join(f"{q.short} ({len(q.columns)} columns)" for q in questions)
