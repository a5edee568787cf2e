"""Write the same responses in each survey platform's export shape, from the public descriptions.

A response is (leader, rater id, relationship label, ranks): ranks[i] is the rank of the i-th
dimension of the default instrument, or None when the rater left it unranked.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from conftest import LABELS

Response = tuple[str, str, str, Sequence[int | None]]
QUESTION = (
    "Please rank these leadership dimensions by their priority for our organization (1 = highest)"
)
COMMENT = "Anything else you would like to share?"


def _rows_to(
    path: Path, rows: list[list[str]], delimiter: str = ",", newline: str = "\n", **kw: object
) -> Path:
    if path.suffix == ".xlsx":
        book = Workbook()
        sheet = book.active
        for row in rows:
            sheet.append([_number(c) for c in row])
        book.save(path)
        return path
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline, **kw).writerows(rows)  # type: ignore[arg-type]
    encoding = "utf-16" if path.suffix == ".tsv" else "utf-8"
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def _number(cell: str) -> object:
    return int(cell) if cell.lstrip("-").isdigit() else cell


def _order(ranks: Sequence[int | None]) -> list[str]:
    """The labels in rank order (ranked items only)."""
    return [
        LABELS[i]
        for i, _ in sorted(
            ((i, r) for i, r in enumerate(ranks) if r is not None), key=lambda x: x[1]
        )
    ]


def qualtrics(
    path: Path,
    responses: Sequence[Response],
    *,
    numeric: bool = True,
    legacy: bool = False,
    multiline: bool = False,
    unranked: str = "",
    seed: int = 0,
    previews: int = 0,
) -> Path:
    """Three header rows (two for legacy exports); choice ids shuffled, a `_DO` display-order column."""
    meta = [
        "StartDate",
        "EndDate",
        "Status",
        "IPAddress",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "RecipientLastName",
        "RecipientFirstName",
        "RecipientEmail",
        "ExternalReference",
        "LocationLatitude",
        "LocationLongitude",
        "DistributionChannel",
        "UserLanguage",
    ]
    choice_ids = list(range(1, 13))
    random.Random(seed).shuffle(choice_ids)  # choice id of each dimension, not its display position
    by_id = sorted(range(12), key=lambda i: choice_ids[i])
    question = QUESTION.replace(" (1", "\n(1") if multiline else QUESTION
    ids = [*meta, *(f"Q5_{choice_ids[i]}" for i in by_id), "Q5_DO", "Q7", "Leader", "Relationship"]
    texts = [
        *meta,
        *(f"{question} - {LABELS[i]}" for i in by_id),
        f"{question} - Display Order",
        COMMENT,
        "Leader",
        "Relationship",
    ]
    imports = [
        *(f'{{"ImportId":"{m.lower()}"}}' for m in meta),
        *(f'{{"ImportId":"QID5_{choice_ids[i]}"}}' for i in by_id),
        '{"ImportId":"QID5_DO"}',
        '{"ImportId":"QID7_TEXT"}',
        '{"ImportId":"Leader"}',
        '{"ImportId":"Relationship"}',
    ]
    rows = [ids, texts] if legacy else [ids, texts, imports]
    status, finished = ("0", "1") if numeric else ("IP Address", "True")
    for n, (leader, rater, group, ranks) in enumerate(responses):
        cells = [str(ranks[i]) if ranks[i] is not None else unranked for i in by_id]
        rows.append(
            [
                "2026-03-01 09:00:00",
                "2026-03-01 09:07:00",
                status,
                f"10.0.{n}.7",
                "100",
                "420",
                finished,
                "2026-03-01 09:07:01",
                rater,
                "Doe",
                "Jan",
                f"{rater.lower()}@example.org",
                "",
                "52.1",
                "4.3",
                "anonymous",
                "EN",
                *cells,
                "|".join(map(str, choice_ids)),
                f"secret comment {rater}",
                leader,
                group,
            ]
        )
    for n in range(previews):
        leader, rater, group, ranks = responses[n]
        rows.append(
            [
                "2026-02-28 10:00:00",
                "2026-02-28 10:01:00",
                "1" if numeric else "Survey Preview",
                "",
                "100",
                "60",
                finished,
                "2026-02-28 10:01:00",
                f"R_preview{n}",
                "",
                "",
                "",
                "",
                "",
                "",
                "preview",
                "EN",
                *(str(ranks[i] or "") for i in by_id),
                "",
                "",
                leader,
                group,
            ]
        )
    return _rows_to(path, rows, delimiter="\t" if path.suffix == ".tsv" else ",")


def surveymonkey(path: Path, responses: Sequence[Response]) -> Path:
    """Two header rows; each question's text in its first column; `N/A` for unranked; CRLF."""
    meta = [
        "Respondent ID",
        "Collector ID",
        "Start Date",
        "End Date",
        "IP Address",
        "Email Address",
        "First Name",
        "Last Name",
        "Custom Data 1",
    ]
    top = [
        *meta,
        "Who are you giving feedback about?",
        "What is your relationship to this leader?",
        QUESTION,
        *[""] * 11,
        COMMENT,
    ]
    sub = [*[""] * len(meta), "Response", "Response", *LABELS, "Open-Ended Response"]
    rows = [top, sub]
    for n, (leader, rater, group, ranks) in enumerate(responses):
        cells = [str(r) if r is not None else "N/A" for r in ranks]
        rows.append(
            [
                rater,
                "4242",
                "03/01/2026 09:00:00 AM",
                "03/01/2026 09:05:00 AM",
                f"192.168.1.{n}",
                f"{rater.lower()}@example.org",
                "Jan",
                f"Secretname{n}",
                "",
                leader,
                group,
                *cells,
                f"line one\nline two from {rater}",
            ]
        )
    return _rows_to(path, rows, newline="\r\n")


def google_forms(
    path: Path,
    responses: Sequence[Response],
    *,
    ordinal: bool = False,
    timestamp: str = "Timestamp",
) -> Path:
    """One header row: a timestamp, the e-mail, then `<question> [<item>]` grid columns."""
    suffix = {1: "st", 2: "nd", 3: "rd"}
    rows = [
        [
            timestamp,
            "Email Address",
            "Who are you giving feedback about?",
            "Your relationship to this leader",
            *(f"{QUESTION} [{label}]" for label in LABELS),
            COMMENT,
        ]
    ]
    for leader, rater, group, ranks in responses:
        cells = [
            ""
            if r is None
            else f"{r}{suffix.get(r if r < 20 else r % 10, 'th')}"
            if ordinal
            else str(r)
            for r in ranks
        ]
        rows.append(
            [
                "01/03/2026 09:00:00",
                f"{rater.lower()}@example.org",
                leader,
                group,
                *cells,
                f"secret {rater}",
            ]
        )
    return _rows_to(path, rows)


def microsoft_forms(
    path: Path,
    responses: Sequence[Response],
    *,
    trailing: bool = False,
    anonymous: bool = False,
    quiz: bool = False,
) -> Path:
    """One header row; the ranking is one cell listing the items in order, joined by `;`."""
    quiz_head = ["Total points", "Quiz feedback"] if quiz else []
    rows = [
        [
            "ID",
            "Start time",
            "Completion time",
            "Email",
            "Name",
            "Last modified time",
            *quiz_head,
            "Which leader are you giving feedback about?",
            "Your relationship to this leader",
            QUESTION,
            *(["Points - " + QUESTION, "Feedback - " + QUESTION] if quiz else []),
            COMMENT,
        ]
    ]
    for n, (leader, rater, group, ranks) in enumerate(responses, start=1):
        listing = ";".join(_order(ranks)) + (";" if trailing else "")
        who = (
            ("anonymous", "")
            if anonymous
            else (f"{rater.lower()}@example.org", f"Secret Person {n}")
        )
        rows.append(
            [
                str(n),
                "3/1/26 9:00:00",
                "3/1/26 9:05:00",
                *who,
                "",
                *(["0", ""] if quiz else []),
                leader,
                group,
                listing,
                *(["0", ""] if quiz else []),
                f"secret comment {rater}",
            ]
        )
    return _rows_to(path, rows)


def limesurvey(
    path: Path,
    responses: Sequence[Response],
    *,
    delimiter: str = ";",
    codes: dict[str, str] | None = None,
    incomplete: int = 0,
) -> Path:
    """UTF-8 with BOM, every field quoted, CRLF, a blank line at the end; `Q1[n]` holds the item at n."""
    to_code = {label: code for code, label in (codes or {}).items()}
    rows = [
        [
            "id",
            "submitdate",
            "lastpage",
            "startlanguage",
            "seed",
            "leader",
            "relationship",
            *(f"Q1[{n}]" for n in range(1, 13)),
            "comment",
        ]
    ]
    for n, (leader, rater, group, ranks) in enumerate(responses, start=1):
        order = [to_code.get(label, label) for label in _order(ranks)]
        submitted = "" if n <= incomplete else "2026-03-01 09:05:00"
        rows.append(
            [
                str(n),
                submitted,
                "2",
                "en",
                str(1000 + n),
                leader,
                group,
                *order,
                *[""] * (12 - len(order)),
                f"secret {rater}",
            ]
        )
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(
        rows
    )
    path.write_bytes(("\ufeff" + out.getvalue() + "\r\n").encode("utf-8"))
    return path
