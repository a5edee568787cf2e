"""Write the example surveys in this folder (seeded, so the files are the same on every run).

Each rater's ranking is drawn from a Plackett-Luce model around their group's priorities, so the
files look like real 360 exports: groups that broadly agree, individuals who differ, a few
mistakes a survey platform lets through. Run: python examples/generate.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from openpyxl import Workbook

HERE = Path(__file__).parent
DIMS = [
    "Vision & Strategy",
    "Job Competence",
    "Industry Knowledge",
    "Communication Skills",
    "Leading Change",
    "Execution",
    "Leadership Image",
    "Developing a Following",
    "Judgment/Decision-Making",
    "Personal Ethics",
    "Coaching & Mentoring",
    "Building Teams",
]
COMPETENCIES_FIRST = np.array([2.0, 2.6, 2.2, 1.4, 1.2, 2.4, 0.2, 0.0, 0.8, 0.6, -0.2, 0.1])
CHARACTERISTICS_FIRST = np.array([0.9, 0.2, -0.2, 1.1, 0.8, 0.7, 0.8, 1.6, 1.9, 2.0, 2.1, 2.4])
BALANCED = np.array([1.8, 0.6, 0.3, 1.6, 1.3, 1.5, 0.5, 0.9, 1.5, 1.7, 1.0, 1.4])
RNG = np.random.default_rng(20261127)


def ranking(taste: np.ndarray, noise: float = 0.8, rng: np.random.Generator = RNG) -> list[int]:
    """Rank 1 = highest utility; Gumbel noise makes this a Plackett-Luce draw."""
    utility = taste + rng.gumbel(scale=noise, size=len(taste))
    order = np.argsort(-utility)
    ranks = np.empty(len(taste), dtype=int)
    ranks[order] = np.arange(1, len(taste) + 1)
    return ranks.tolist()


def scores(taste: np.ndarray) -> list[int]:
    """Importance ratings 1-5, many ties, as a Likert grid gives them."""
    utility = taste + RNG.normal(scale=0.7, size=len(taste))
    return (
        np.clip(np.round(1 + 4 * (utility - utility.min()) / np.ptp(utility)), 1, 5)
        .astype(int)
        .tolist()
    )


# (leader, [(relationship label, taste, count)])
WIDE_LEADERS = [
    (
        "Dana Whitfield",
        [
            ("Self", COMPETENCIES_FIRST, 1),
            ("Manager", CHARACTERISTICS_FIRST, 1),
            ("Peer", BALANCED, 4),
            ("Direct Report", CHARACTERISTICS_FIRST, 5),
            ("Customer", BALANCED, 3),
        ],
    ),
    (
        "Marcus Oyelaran",
        [
            ("Self", BALANCED, 1),
            ("Boss", BALANCED + 0.3 * CHARACTERISTICS_FIRST, 1),
            ("Peer", BALANCED, 2),
            ("Direct Report", BALANCED, 4),
        ],
    ),
    (
        "Priya Raman",
        [
            ("Self", COMPETENCIES_FIRST, 1),
            ("Manager", COMPETENCIES_FIRST * 0.5 + CHARACTERISTICS_FIRST * 0.5, 1),
            ("Skip-level", CHARACTERISTICS_FIRST, 1),
            ("Colleague", BALANCED, 3),
            ("Direct Report", COMPETENCIES_FIRST, 4),
        ],
    ),
]
TIDY_LEADERS = [
    (
        "Tomas Lindqvist",
        [
            ("Self-assessment", COMPETENCIES_FIRST, 1),
            ("Line manager", CHARACTERISTICS_FIRST, 1),
            ("Peers", BALANCED, 3),
            ("Direct reports", BALANCED, 6),
        ],
    ),
    (
        "Aiko Tanaka",
        [
            ("Self-assessment", BALANCED, 1),
            ("Line manager", BALANCED, 1),
            ("Peers", COMPETENCIES_FIRST, 5),
            ("Direct reports", CHARACTERISTICS_FIRST, 3),
            ("Stakeholder", BALANCED, 2),
        ],
    ),
    (
        "Rafael Moreno",
        [
            ("Self-assessment", COMPETENCIES_FIRST, 1),
            ("Supervisor", COMPETENCIES_FIRST, 1),
            ("Skip level manager", CHARACTERISTICS_FIRST, 1),
            ("Peers", BALANCED, 4),
            ("Direct reports", BALANCED, 4),
        ],
    ),
]


def raters(
    leaders: list[tuple[str, list[tuple[str, np.ndarray, int]]]],
) -> list[tuple[str, str, str, np.ndarray]]:
    out = []
    for index, (leader, groups) in enumerate(leaders):
        for label, taste, count in groups:
            for n in range(count):
                out.append((leader, f"R{index + 1}{label[:2].upper()}{n + 1:02d}", label, taste))
    return out


def write_wide_xlsx(path: Path) -> None:
    workbook = Workbook()
    notes = workbook.active
    notes.title = "About"
    notes.append(["Leadership 360 export, Acme Corp, autumn cycle"])
    sheet = workbook.create_sheet("Responses")
    sheet.append(
        [
            "Respondent ID",
            "Rater e-mail",
            "Leader",
            "Relationship",
            *(f"Rank the priorities [{d}]" for d in DIMS),
            "Comments",
        ]
    )
    rows = []
    for leader, rater, label, taste in raters(WIDE_LEADERS):
        email = f"{rater.lower()}@acme.example"
        rows.append([rater, email, leader, label, *ranking(taste), f"comment from {email}"])
    rows[3][5] = rows[3][6]  # a rank given twice: excluded
    rows[9][15] = None  # one item left blank: excluded unless --allow-partial
    resubmitted = list(rows[12])
    resubmitted[4:16] = ranking(BALANCED)
    rows.append(resubmitted)  # the same rater submitted twice: the later response counts
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def write_tidy_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Leader", "Rater ID", "Rater Group", "Item", "Rank"])
        for leader, rater, label, taste in raters(TIDY_LEADERS):
            for dim, rank in zip(DIMS, ranking(taste), strict=True):
                writer.writerow([leader, rater, label, dim.replace("Judgment", "Judgement"), rank])


def write_by_family_csv(path: Path) -> None:
    leaders = [
        (
            "Grace Okafor",
            [
                ("Self", COMPETENCIES_FIRST, 1),
                ("Manager", CHARACTERISTICS_FIRST, 1),
                ("Peer", BALANCED, 3),
                ("Direct report", BALANCED, 4),
            ],
        )
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Leader", "Rater", "Group", *DIMS])
        for leader, rater, label, taste in raters(leaders):
            writer.writerow([leader, rater, label, *ranking(taste[:6]), *ranking(taste[6:])])


def write_ratings_csv(path: Path) -> None:
    leaders = [
        (
            "Henrik Brandt",
            [
                ("Self", COMPETENCIES_FIRST, 1),
                ("Manager", CHARACTERISTICS_FIRST, 1),
                ("Peer", BALANCED, 4),
                ("Direct report", CHARACTERISTICS_FIRST, 3),
            ],
        )
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Leader",
                "Rater",
                "Relationship",
                *(f"How important is this for the organization? Rate 1-5 [{d}]" for d in DIMS),
            ]
        )
        for leader, rater, label, taste in raters(leaders):
            writer.writerow([leader, rater, label, *scores(taste)])


COHORT = [
    "Amara Nwosu",
    "Ben Carter",
    "Chloe Dubois",
    "Diego Alvarez",
    "Elena Petrova",
    "Farid Haddad",
    "Greta Holm",
    "Hiro Sato",
    "Isabel Cruz",
    "Jonas Weber",
    "Kavya Iyer",
    "Liam O'Connor",
]


def write_cohort(path: Path, year: int) -> None:
    """A leadership programme: twelve leaders; by the second year, coached self-views have moved."""
    rng = np.random.default_rng(year)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Leader", "Respondent", "Relationship", *(f"Q3 - {d}" for d in DIMS)])
        for index, leader in enumerate(COHORT):
            technical = index % 3 != 2  # two in three start out competencies-first
            coached = year == 2026 and index % 2 == 0
            self_taste = COMPETENCIES_FIRST if technical else BALANCED
            if coached:
                self_taste = 0.3 * self_taste + 0.7 * CHARACTERISTICS_FIRST
            boss = CHARACTERISTICS_FIRST if technical else BALANCED
            groups = [
                ("Self", self_taste, 1),
                ("Manager", boss, 1),
                ("Peer", BALANCED, 3 + index % 3),
                ("Direct report", BALANCED + 0.4 * CHARACTERISTICS_FIRST, 2 + index % 4),
            ]
            name = leader.upper() if year == 2026 and index == 3 else leader
            if year == 2025 and index == 11:
                continue  # joined the programme in its second year
            for label, taste, count in groups:
                for n in range(count):
                    writer.writerow(
                        [
                            name,
                            f"{year}-{index:02d}-{label[:2]}{n}",
                            label,
                            *ranking(taste, rng=rng),
                        ]
                    )
        if year == 2025:
            for n, (label, taste) in enumerate(
                (("Self", BALANCED), ("Manager", BALANCED), *[("Peer", BALANCED)] * 3)
            ):
                writer.writerow(
                    ["Mona Reyes", f"2025-99-{label[:2]}{n}", label, *ranking(taste, rng=rng)]
                )


def write_cohort_roster(path: Path) -> None:
    """What the HR system knows of the programme's leaders: the technical roles are the ones
    the cohort was drawn with. Spelled as HR spells them (an accent the survey lacks); the
    newest leader is not in it yet, and a leader who left the programme still is."""
    functions = ["Engineering", "Data", "Sales", "Engineering", "Data", "People"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Employee ID", "Name", "Function", "Level", "Technical role", "Tenure"])
        for index, leader in enumerate(COHORT[:-1]):
            technical = index % 3 != 2
            function = functions[index % 6] if technical else ["Sales", "People"][index % 2]
            writer.writerow(
                [
                    f"E{1040 + index}",
                    "Diego Álvarez" if leader == "Diego Alvarez" else leader,
                    function,
                    "Director" if index % 4 else "VP",
                    "yes" if technical else "no",
                    ["0-2 years", "3-5 years", "6+ years"][index % 3],
                ]
            )
        writer.writerow(["E1090", "Mona Reyes", "Sales", "Director", "no", "6+ years"])


ARCHETYPES = [
    "Tactical",
    "Order taking",
    "Aligning",
    "Data provisioning",
    "Brokering",
    "IT everywhere",
]


def write_it_archetypes(path: Path) -> None:
    """Two IT organizations rank the archetypes they should move toward; the CIO's vision is one row."""
    rng = np.random.default_rng(6)
    vision = np.array([0.0, 0.3, 1.6, 1.9, 2.2, 2.6])  # toward brokering and IT everywhere
    today = np.array([2.4, 2.0, 1.2, 0.8, 0.3, 0.0])  # where the day-to-day pulls
    organizations = [
        (
            "Northwind Health IT",
            [
                ("CIO", vision, 1),
                ("IT leadership", vision * 0.8 + today * 0.2, 4),
                ("IT staff", vision * 0.5 + today * 0.5, 9),
                ("Business partner", vision * 0.6, 5),
            ],
        ),
        (
            "Contoso Retail IT",
            [
                ("CIO", vision, 1),
                ("IT leadership", vision * 0.4 + today * 0.6, 3),
                ("IT staff", today, 11),
                ("Business partner", today * 0.7, 4),
            ],
        ),
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Organization",
                "Respondent",
                "Role",
                *(f"Where should our IT organization go? [{a}]" for a in ARCHETYPES),
            ]
        )
        for index, (organization, groups) in enumerate(organizations):
            for label, taste, count in groups:
                for n in range(count):
                    slug = "".join(word[0] for word in label.lower().split())
                    writer.writerow(
                        [
                            organization,
                            f"it{index}-{slug}{n}",
                            label,
                            *ranking(taste, noise=0.5, rng=rng),
                        ]
                    )


# Where an IT team places its organization today, and where it should go: today the day-to-day
# pulls toward keeping the lights on; the CIO's vision mixes aligning and brokering.
JOURNEY_TODAY = np.array([2.6, 2.0, 0.9, 0.7, 0.2, 0.0])
JOURNEY_VISION = np.array([0.0, 0.4, 2.4, 1.0, 2.2, 1.4])
JOURNEY_GROUPS = [  # (role, today's taste, future taste, raters)
    ("CIO", JOURNEY_TODAY * 0.9 + np.array([0, 0, 0.6, 0, 0, 0]), JOURNEY_VISION, 1),
    ("IT leadership", JOURNEY_TODAY, JOURNEY_VISION * 0.8 + JOURNEY_TODAY * 0.2, 4),
    ("IT staff", JOURNEY_TODAY * 1.1, np.array([1.4, 0.8, 1.0, 2.0, 0.6, 1.6]), 12),
    ("Business partner", JOURNEY_TODAY * 0.8, JOURNEY_VISION * 0.6 + JOURNEY_TODAY * 0.4, 6),
]
JOURNEY_NOW_QUESTION = "Where is our IT organization today?"
JOURNEY_FUTURE_QUESTION = "Where should our IT organization be in three years?"


def write_it_journey(path: Path) -> None:
    """One IT team ranks the archetypes twice: where the organization is today, and where it
    should be in three years; the CIO's future is the vision."""
    rng = np.random.default_rng(27)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Organization",
                "Respondent",
                "Role",
                *(f"{JOURNEY_NOW_QUESTION} [{a}]" for a in ARCHETYPES),
                *(f"{JOURNEY_FUTURE_QUESTION} [{a}]" for a in ARCHETYPES),
            ]
        )
        for label, today, future, count in JOURNEY_GROUPS:
            for n in range(count):
                slug = "".join(word[0] for word in label.lower().split())
                writer.writerow(
                    [
                        "Northwind Health IT",
                        f"nw-{slug}{n}",
                        label,
                        *ranking(today, noise=0.6 if count > 1 else 0.1, rng=rng),
                        *ranking(future, noise=0.6 if count > 1 else 0.1, rng=rng),
                    ]
                )


if __name__ == "__main__":
    write_wide_xlsx(HERE / "acme-wide.xlsx")
    write_tidy_csv(HERE / "acme-tidy.csv")
    write_by_family_csv(HERE / "by-family.csv")
    write_ratings_csv(HERE / "ratings.csv")
    write_cohort(HERE / "cohort-2025.csv", 2025)
    write_cohort(HERE / "cohort-2026.csv", 2026)
    write_cohort_roster(HERE / "cohort-roster.csv")
    write_it_archetypes(HERE / "it-archetypes.csv")
    write_it_journey(HERE / "it-journey.csv")
    from exports import write_exports

    write_exports(HERE / "exports")
