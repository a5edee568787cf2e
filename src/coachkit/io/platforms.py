"""Survey platforms' exports: where their header rows are, where data starts, what to leave out.

Each platform's export becomes a `Sheet`: the header text per column that names the items, the
header rows to search for subject, group and rater columns, the first data row, and the
responses the platform marks as not real (previews, incomplete responses).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.options import Layout
from coachkit.text import compact

if TYPE_CHECKING:
    import numpy as np

    from coachkit.io.questions import Part, Question
    from coachkit.io.table import Table

# The first header of a Google Forms (Sheets) export, in the locales Google translates it to.
TIMESTAMPS = frozenset(
    {
        "timestamp",
        "horodateur",
        "zeitstempel",
        "marcatemporal",
        "carimbodedatahora",
        "informazionicronologiche",
        "tijdstempel",
        "sygnaturaczasowa",
        "tidsstempel",
        "tidsstampel",
        "aikaleima",
        "casovaznacka",
    }
)
# Microsoft Forms' own columns, in English and the locales seen in exports.
FORMS_TIMES = frozenset(
    {
        "starttime",
        "completiontime",
        "lastmodifiedtime",
        "heurededebut",
        "heuredefin",
        "startzeit",
        "fertigstellungszeit",
        "horadeinicio",
        "horadefinalizacion",
        "oradiinizio",
        "oradicompletamento",
        "begintijd",
        "tijdvanvoltooien",
    }
)
# Qualtrics Status values that are not real responses (choice text and numeric exports).
QUALTRICS_NOT_RESPONSES = {
    "survey preview": "a survey preview",
    "1": "a survey preview",
    "survey test": "a survey test",
    "2": "a survey test",
    "spam": "marked as spam",
    "8": "marked as spam",
    "preview spam": "marked as spam",
    "9": "marked as spam",
    "imported spam": "marked as spam",
    "12": "marked as spam",
}


@dataclass(frozen=True)
class Sheet:
    """How to read one platform's grid of cells: one response per data row."""

    source_format: str
    header: list[str]  # per column, the text that may name an item ("Q5 - Execution")
    key_headers: list[list[str]]  # header rows to search for subject, group and rater columns
    data_start: int  # index of the first data row in the grid
    skip: set[int] = field(default_factory=set)  # columns that are never items
    exclude: Callable[[Table], np.ndarray] | None = None  # reason per row, "" to keep
    # per column, (question, item) as the platform groups them; None: from the header's stems
    parts: list[Part | None] | None = None
    why: str = ""  # how the platform was recognized, for `inspect`

    def questions(self) -> list[Question]:
        """The export's columns grouped into questions."""
        from coachkit.io.questions import generic_parts, group_columns

        parts = self.parts or generic_parts(self.header, frozenset(self.skip))
        return group_columns(parts)


# What each platform's layout is recognized by, for the error when `--source` names one that
# the file does not have.
EXPECTED = {
    Layout.qualtrics: "ResponseId and StartDate/Status columns, or ImportId cells in row 2",
    Layout.surveymonkey: "questions in row 1 over items or 'Response' in row 2",
    Layout.limesurvey: "submitdate (or 'Date submitted') and startlanguage/lastpage/seed",
    Layout.microsoft_forms: "ID and Start time columns",
    Layout.google_forms: "a Timestamp first column",
}
_LIME = {
    "submitdate": ("submitdate", "datesubmitted"),
    "lastpage": ("lastpage",),
    "startlanguage": ("startlanguage",),
    "seed": ("seed",),
}


def lime_name(header: str) -> str:
    """LimeSurvey's column code in any of its three heading styles: `submitdate`, `Date
    submitted`, `submitdate. Date submitted`; "" for other headers."""
    folded = compact(header)
    for code, names in _LIME.items():
        if folded in names or (folded.startswith(code) and folded.endswith(names[-1])):
            return code
    return ""


def detect(cells: Table, header_at: int, forced: Layout) -> Sheet | None:
    """The platform whose export this grid is (told by its layout), or None for the generic
    layouts."""
    row0 = cells.row(header_at)
    row1 = cells.row(header_at + 1)
    folded = [compact(h) for h in row0]
    lime = {lime_name(h) for h in row0}
    # the first header row deleted: the question texts, then the ImportIds
    cut = 2 * sum(c.startswith(('{"ImportId"', "{'ImportId'")) for c in row1) > sum(map(bool, row1))
    checks: list[tuple[Layout, Callable[[], bool], Callable[[], Sheet]]] = [
        (
            Layout.qualtrics,
            lambda: (
                "responseid" in folded
                and _has(folded, "startdate", "status", "finished", "progress")
                and not cut
            ),
            lambda: _qualtrics(cells, header_at, row0),
        ),
        (
            Layout.qualtrics,
            lambda: cut,
            lambda: _qualtrics_without_ids(cells, header_at, row0, row1),
        ),
        (
            Layout.surveymonkey,
            lambda: (
                ("respondentid" in folded and "collectorid" in folded) or _monkey_rows(row0, row1)
            ),
            lambda: _surveymonkey(cells, header_at, row0),
        ),
        (
            Layout.limesurvey,
            lambda: "submitdate" in lime and bool(lime & {"startlanguage", "lastpage", "seed"}),
            lambda: _limesurvey(cells, header_at, row0),
        ),
        (
            Layout.microsoft_forms,
            lambda: "id" in folded and any(f in FORMS_TIMES for f in folded),
            lambda: Sheet(
                "microsoft-forms", row0, [row0], header_at + 1, why="ID and Start time columns"
            ),
        ),
        (
            Layout.google_forms,
            lambda: bool(folded) and next((f for f in folded if f), "") in TIMESTAMPS,
            lambda: Sheet(
                "google-forms", row0, [row0], header_at + 1, why="a Timestamp first column"
            ),
        ),
    ]
    if forced in EXPECTED and not any(
        matches() for layout, matches, _ in checks if layout is forced
    ):
        raise InputError(f"not a {forced.value} export: expected {EXPECTED[forced]}")
    for layout, matches, build in checks:
        if forced in (layout, Layout.auto) and matches():
            return build()
    return None


def _monkey_rows(row0: list[str], row1: list[str]) -> bool:
    """SurveyMonkey's two header rows: `Response` / `Open-Ended Response` under a question, or a
    question whose text spans several item columns (the cells after it in row 1 left blank)."""
    answers = {"response", "openendedresponse"}
    if any(compact(c) in answers for c in row1):
        return True
    spans = [
        i for i in range(1, len(row0)) if not row0[i] and row0[i - 1] and row1[i] and row1[i - 1]
    ]
    return len(spans) >= 2 and not any(c.startswith("{") for c in row1)


def _has(folded: list[str], *names: str) -> bool:
    return any(n in folded for n in names)


def _qualtrics(cells: Table, at: int, ids: list[str]) -> Sheet:
    """Row 1 ids, row 2 question text (`<question> - <item>`), row 3 ImportId JSON (newer exports)."""
    texts = cells.row(at + 1)
    third = cells.row(at + 2)
    has_import_ids = any(c.startswith('{"ImportId"') or c.startswith("{'ImportId'") for c in third)
    rows = "three header rows" if has_import_ids else "two header rows"
    why = f"ResponseId with StartDate/Status columns; {rows}"
    return _qualtrics_sheet(ids, texts, at + (3 if has_import_ids else 2), why)


def _qualtrics_without_ids(cells: Table, at: int, texts: list[str], imports: list[str]) -> Sheet:
    """A Qualtrics export whose first header row was deleted (in Excel, say): the question texts,
    then the ImportId row; the ids come from the ImportIds (`QID5_3`)."""
    import json

    ids = []
    for text, cell in zip(texts, imports, strict=True):
        try:
            value = json.loads(cell.replace("'", '"')).get("ImportId", "") if cell else ""
        except (ValueError, AttributeError):
            value = ""
        ids.append(str(value) or text)
    why = "ImportId cells in the second header row (the first header row is missing)"
    return _qualtrics_sheet(ids, texts, at + 2, why)


# Qualtrics' timing questions (`Q10_First Click`: `Timing - First Click`) and display-order
# columns (`Q5_DO`, `FL_6_DO`, `Q5_DO_3`): page metadata, never a question a rater answered.
_TIMING = re.compile(r"_(?:first click|last click|page submit|click count)$", re.IGNORECASE)
_DISPLAY_ORDER = re.compile(r"_DO(?:_\d+)?$", re.IGNORECASE)


def _not_a_question(column_id: str, text: str) -> bool:
    """Whether a Qualtrics column is timing or display-order metadata."""
    cid = column_id.strip()
    item = text.rsplit(" - ", 1)[-1].strip().lower()
    return bool(
        _TIMING.search(cid)
        or _DISPLAY_ORDER.search(cid)
        or "display order" in text.lower()
        or item in {"first click", "last click", "page submit", "click count"}
    )


def _qualtrics_sheet(ids: list[str], texts: list[str], data_start: int, why: str) -> Sheet:
    from coachkit.io.questions import qualtrics_parts

    status = next((i for i, h in enumerate(ids) if compact(h) == "status"), None)
    skip = {i for i, (h, t) in enumerate(zip(ids, texts, strict=True)) if _not_a_question(h, t)}

    def exclude(body: Table) -> np.ndarray:
        import numpy as np

        from coachkit.keys import per_value

        if status is None:
            return np.full(len(body), "", dtype=object)
        return per_value(
            body[status], lambda v: QUALTRICS_NOT_RESPONSES.get(str(v).strip().lower(), "")
        )

    header = [t or i for t, i in zip(texts, ids, strict=True)]
    parts = qualtrics_parts(ids, texts, frozenset(skip))
    return Sheet("qualtrics", header, [ids, texts], data_start, skip, exclude, parts, why)


def _surveymonkey(cells: Table, at: int, row0: list[str]) -> Sheet:
    """Row 1 question text in each question's first column; row 2 the item under each column."""
    row1 = cells.row(at + 1)
    question, header, filled = "", [], []
    parts: list[Part | None] = []
    for top, sub in zip(row0, row1, strict=True):
        question = top or question
        filled.append(question)
        plain = compact(sub) in {"", "response", "openendedresponse", "other", "otherpleasespecify"}
        header.append(question if plain else f"{question} - {sub}")
        parts.append((question, question if plain else sub, question) if question else None)
    return Sheet(
        "surveymonkey",
        header,
        [row0, filled],
        at + 2,
        parts=parts,
        why="Respondent ID and Collector ID columns; two header rows",
    )


def _limesurvey(cells: Table, at: int, row0: list[str]) -> Sheet:
    submitted = next(i for i, h in enumerate(row0) if lime_name(h) == "submitdate")

    def exclude(body: Table) -> np.ndarray:
        from coachkit.keys import per_value

        return per_value(
            body[submitted],
            lambda v: "" if str(v).strip() else "incomplete response (no submit date)",
        )

    return Sheet(
        "limesurvey",
        row0,
        [row0],
        at + 1,
        exclude=exclude,
        why="submitdate with startlanguage/lastpage/seed columns",
    )
