"""Write the example platform exports in examples/exports/ (seeded): each in the shape its
platform writes, with the things that stop a naive reader: question-text headers, a second
question over the same items, one file per rater group's link, e-mail rater ids under a
question, a resubmission, a preview, embedded data. Run: python examples/generate.py
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from generate import (
    ARCHETYPES,
    BALANCED,
    CHARACTERISTICS_FIRST,
    COMPETENCIES_FIRST,
    DIMS,
    JOURNEY_FUTURE_QUESTION,
    JOURNEY_GROUPS,
    JOURNEY_NOW_QUESTION,
    ranking,
)

RNG = np.random.default_rng(20261128)
RANK_QUESTION = (
    "Please rank these leadership dimensions by their priority for our organization "
    "(1 = highest priority)"
)


def _write(path: Path, rows: list[list[object]], delimiter: str = ",") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)


def _ranks(taste: np.ndarray) -> list[int]:
    return ranking(taste, rng=RNG)


# (leader, [(relationship, taste, count)])
LEADERS = [
    (
        "Avery Stone",
        [
            ("Self", COMPETENCIES_FIRST, 1),
            ("Manager", CHARACTERISTICS_FIRST, 1),
            ("Peer", BALANCED, 3),
            ("Direct report", CHARACTERISTICS_FIRST, 4),
        ],
    ),
    (
        "Sam Patel",
        [
            ("Self", BALANCED, 1),
            ("Manager", BALANCED, 1),
            ("Peer", COMPETENCIES_FIRST, 4),
            ("Direct report", BALANCED, 3),
        ],
    ),
]


def qualtrics_360(path: Path) -> None:
    """Three header rows; a rank-order question (Q5) and a matrix over the same items (Q7);
    the leader, relationship and e-mail asked as questions; embedded data; a preview; one peer
    who submitted twice with the same e-mail (the later counts)."""
    meta = [
        ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"America/Denver"}'),
        ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"America/Denver"}'),
        ("Status", "Response Type", '{"ImportId":"status"}'),
        ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}'),
        ("Progress", "Progress", '{"ImportId":"progress"}'),
        ("Finished", "Finished", '{"ImportId":"finished"}'),
        ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
        ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}'),
        ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}'),
        ("Q1", "Person of Focus (First, Last)", '{"ImportId":"QID1_TEXT"}'),
        ("Q2", "Relation to person of focus", '{"ImportId":"QID2"}'),
        ("Q3", "Your Email", '{"ImportId":"QID3_TEXT"}'),
    ]
    header = [list(col) for col in zip(*meta, strict=True)]
    for n, dim in enumerate(DIMS, start=1):
        header[0].append(f"Q5_{n}")
        header[1].append(f"{RANK_QUESTION} - {dim}")
        header[2].append(json.dumps({"ImportId": f"QID5_{n}"}, separators=(",", ":")))
    header[0].append("Q5_DO")
    header[1].append(f"{RANK_QUESTION} - Display Order")
    header[2].append('{"ImportId":"QID5_DO"}')
    for n, dim in enumerate(DIMS, start=1):
        header[0].append(f"Q7_{n}")
        header[1].append(f"How often does this person show each of these today? - {dim}")
        header[2].append(json.dumps({"ImportId": f"QID7_{n}"}, separators=(",", ":")))
    for column, text in (("Q8", "Anything else you would like to share?"), ("gender", "gender")):
        header[0].append(column)
        header[1].append(text)
        header[2].append(json.dumps({"ImportId": column if column == "gender" else "QID8_TEXT"}))
    often = ["Rarely", "Sometimes", "Often", "Always"]
    rows: list[list[object]] = []
    count = 0
    for leader, groups in LEADERS:
        for label, taste, size in groups:
            for n in range(size):
                count += 1
                email = f"{leader.split()[0].lower()}.{label.split()[0].lower()}{n + 1}@example.org"
                if label in ("Self", "Manager"):
                    email = f"{label.lower()}.{leader.split()[1].lower()}@example.org"
                rows.append(
                    [
                        f"2026-10-{count:02d} 09:00:00",
                        f"2026-10-{count:02d} 09:12:00",
                        "IP Address",
                        f"203.0.113.{count}",
                        "100",
                        "True",
                        f"R_{count:03d}aBcD",
                        "",
                        "anonymous",
                        leader,
                        label,
                        email,
                        *_ranks(taste),
                        "|".join(str(i) for i in RNG.permutation(12) + 1),
                        *(often[int(i)] for i in RNG.integers(0, 4, size=12)),
                        f"Note from {email}",
                        "female" if count % 2 else "male",
                    ]
                )
    resubmitted = list(rows[3])  # Avery's first peer answers again, later
    resubmitted[0], resubmitted[1] = "2026-10-30 10:00:00", "2026-10-30 10:05:00"
    resubmitted[6] = "R_999zYxW"
    resubmitted[12:24] = _ranks(BALANCED)
    rows.append(resubmitted)
    preview = list(rows[0])
    preview[2], preview[6], preview[11] = "Survey Preview", "R_000pReV", ""
    rows.insert(0, preview)
    _write(path, [*header, *rows])


def surveymonkey_per_group(folder: Path) -> list[Path]:
    """One collector (web link) per rater group, so no file says which group it holds; two
    header rows; the ranking question, then a multi-select over the same items."""
    leader = "Jordan Ellis"
    groups = [
        ("self", 1, COMPETENCIES_FIRST),
        ("manager", 1, CHARACTERISTICS_FIRST),
        ("peers", 4, BALANCED),
        ("direct-reports", 5, CHARACTERISTICS_FIRST),
    ]
    fixed = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address"]
    fixed += ["Email Address", "First Name", "Last Name", "Custom Data 1"]
    seen = "Which of these do you see most often? (select all that apply)"
    top = [*fixed, "Name of the person you are rating", RANK_QUESTION, *[""] * 11, seen]
    top += [""] * 11
    sub = [""] * len(fixed) + ["Response", *DIMS, *DIMS]
    paths = []
    for index, (name, size, taste) in enumerate(groups):
        rows: list[list[object]] = [top, sub]
        for n in range(size):
            picked = RNG.random(12) < 0.3
            rows.append(
                [
                    f"11{index}{n:04d}",
                    f"40{index}",
                    "10/02/2026 09:00:00 AM",
                    "10/02/2026 09:14:00 AM",
                    f"198.51.100.{10 * index + n}",
                    "",
                    "",
                    "",
                    "",
                    leader,
                    *_ranks(taste),
                    *(d if p else "" for d, p in zip(DIMS, picked, strict=True)),
                ]
            )
        path = folder / f"surveymonkey-{name}.csv"
        _write(path, rows)
        paths.append(path)
    return paths


def google_forms_two_rankings(path: Path) -> None:
    """Two ranking questions over the same items, "today" and "in two years"."""
    today = "Rank these for the organization today"
    later = "Rank these for the organization in two years"
    header = ["Timestamp", "Email address", "Who are you giving feedback about?"]
    header += ["How do you work with them?"]
    header += [f"{today} [{d}]" for d in DIMS] + [f"{later} [{d}]" for d in DIMS]
    rows: list[list[object]] = [header]
    for leader, groups in LEADERS:
        for label, taste, size in groups:
            for n in range(size):
                email = f"{label.split()[0].lower()}{n}.{leader.split()[1].lower()}@example.org"
                rows.append(
                    [
                        f"10/{len(rows):02d}/2026 14:0{n}:00",
                        email,
                        leader,
                        label,
                        *_ranks(taste),
                        *_ranks(taste + 0.5 * CHARACTERISTICS_FIRST),
                    ]
                )
    _write(path, rows)


def limesurvey_positions(path: Path) -> None:
    """Question-code headings; the ranking as the item placed at each position; `;`-delimited;
    one response never submitted."""
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "token"]
    header += ["leader", "relation", *(f"prio[{n}]" for n in range(1, 13)), "comment"]
    rows: list[list[object]] = [header]
    for leader, groups in LEADERS:
        for label, taste, size in groups:
            for _ in range(size):
                order = np.argsort(_ranks(taste))
                rows.append(
                    [
                        len(rows),
                        f"2026-11-{len(rows):02d} 08:30:00",
                        "3",
                        "en",
                        str(1000 + len(rows)),
                        "",
                        leader,
                        label,
                        *(DIMS[i] for i in order),
                        "",
                    ]
                )
    rows[5][1] = ""  # started, never submitted: excluded and listed
    _write(path, rows, delimiter=";")


def team_priorities(path: Path) -> None:
    """Not a leadership 360: three teams rank five platform priorities (for --draft-instrument)."""
    items = ["Hiring", "Onboarding", "Developer tooling", "Security", "Documentation"]
    tastes = {
        "Engineering": np.array([0.5, 0.4, 2.0, 1.2, 0.8]),
        "Product": np.array([1.5, 1.8, 0.6, 0.9, 1.0]),
        "Design": np.array([1.0, 2.0, 0.5, 0.3, 1.6]),
    }
    question = "Rank our platform priorities for 2027"
    rows: list[list[object]] = [["Timestamp", "Your team", *(f"{question} [{i}]" for i in items)]]
    for team, taste in tastes.items():
        for n in range(5):
            rows.append([f"11/0{n + 1}/2026 10:00:00", team, *ranking(taste, rng=RNG)])
    _write(path, rows)


def qualtrics_it_journey(path: Path) -> None:
    """The IT journey as Qualtrics exports it: three header rows, the role asked as a question,
    the organization as embedded data, the two rank-order questions (Q2 today, Q3 in three
    years) with their display-order columns, and a preview response."""
    meta = [
        ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/London"}'),
        ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/London"}'),
        ("Status", "Response Type", '{"ImportId":"status"}'),
        ("Progress", "Progress", '{"ImportId":"progress"}'),
        ("Finished", "Finished", '{"ImportId":"finished"}'),
        ("ResponseId", "Response ID", '{"ImportId":"_recordId"}'),
        ("Q1", "What is your role?", '{"ImportId":"QID1"}'),
    ]
    header = [list(col) for col in zip(*meta, strict=True)]
    for q, text in (("Q2", JOURNEY_NOW_QUESTION), ("Q3", JOURNEY_FUTURE_QUESTION)):
        stem = f"{text} Rank the archetypes (1 = most like us)"
        for n, archetype in enumerate(ARCHETYPES, start=1):
            header[0].append(f"{q}_{n}")
            header[1].append(f"{stem} - {archetype}")
            header[2].append(json.dumps({"ImportId": f"QID{q[1:]}_{n}"}, separators=(",", ":")))
        header[0].append(f"{q}_DO")
        header[1].append(f"{stem} - Display Order")
        header[2].append(json.dumps({"ImportId": f"QID{q[1:]}_DO"}, separators=(",", ":")))
    header[0].append("Organization")
    header[1].append("Organization")
    header[2].append('{"ImportId":"Organization"}')
    rng = np.random.default_rng(2027)
    rows: list[list[object]] = []
    count = 0
    for label, today, future, size in JOURNEY_GROUPS:
        for _ in range(size):
            count += 1
            rows.append(
                [
                    f"2026-11-{count:02d} 09:00:00",
                    f"2026-11-{count:02d} 09:08:00",
                    "IP Address",
                    "100",
                    "True",
                    f"R_{count:03d}jRnY",
                    label,
                    *ranking(today, noise=0.6 if size > 1 else 0.1, rng=rng),
                    "|".join(str(i) for i in rng.permutation(6) + 1),
                    *ranking(future, noise=0.6 if size > 1 else 0.1, rng=rng),
                    "|".join(str(i) for i in rng.permutation(6) + 1),
                    "Northwind Health IT",
                ]
            )
    preview = list(rows[0])
    preview[2], preview[5] = "Survey Preview", "R_000pReV"
    rows.insert(0, preview)
    _write(path, [*header, *rows])


def write_exports(folder: Path) -> None:
    qualtrics_360(folder / "qualtrics-360.csv")
    surveymonkey_per_group(folder)
    google_forms_two_rankings(folder / "google-forms-two-rankings.csv")
    limesurvey_positions(folder / "limesurvey-positions.csv")
    team_priorities(folder / "team-priorities.csv")
    qualtrics_it_journey(folder / "qualtrics-it-journey.csv")
