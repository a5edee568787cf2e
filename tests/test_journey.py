"""The journey (`analyze --now Q --future Q`): every number against an independent computation
from the raw rankings, the shift's chance against enumeration and simulation, and anonymity."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import spearmanr

import coachkit
from coachkit.analysis.journey import shift_p
from coachkit.model import JourneyReport
from conftest import EXAMPLES, run

ARCHETYPES = [
    "Tactical",
    "Order taking",
    "Aligning",
    "Data provisioning",
    "Brokering",
    "IT everywhere",
]
IDS = ["tactical", "order_taking", "aligning", "data_provisioning", "brokering", "it_everywhere"]
ROLES = {
    "CIO": "cio",
    "IT leadership": "it_leadership",
    "IT staff": "it_staff",
    "Business partner": "business_partner",
}
NOW = "Where is our IT organization today?"
FUTURE = "Where should our IT organization be in three years?"


def _frame(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The example's now and future rankings, a column per archetype id, with the group."""
    raw = pd.read_csv(path)
    group = raw["Role"].map(ROLES)
    now = raw[[f"{NOW} [{a}]" for a in ARCHETYPES]].set_axis(IDS, axis=1).assign(group=group)
    future = raw[[f"{FUTURE} [{a}]" for a in ARCHETYPES]].set_axis(IDS, axis=1).assign(group=group)
    return now, future


def test_the_journey_matches_an_independent_computation() -> None:
    path = EXAMPLES / "it-journey.csv"
    code, out, err = run("analyze", str(path), "--instrument", "it-archetypes", "-f", "json")
    assert code == 0, err
    assert "read as a journey" in err
    document = json.loads(out)
    assert document["journey"]["vision"] == "cio"
    (subject,) = document["subjects"]
    groups = {g["group"]: g for g in subject["groups"]}
    now, future = _frame(path)
    vision = future[future.group == "cio"][IDS].iloc[0].to_numpy(dtype=float)
    members = {
        **{g: [g] for g in ROLES.values()},
        "team": [g for g in ROLES.values() if g != "cio"],
    }
    for group, which in members.items():
        a, b = now[now.group.isin(which)][IDS], future[future.group.isin(which)][IDS]
        found = groups[group]
        assert (found["n_now"], found["n_future"]) == (len(a), len(b))
        assert found["now"] == pytest.approx(a.mean().to_dict(), abs=1e-4)
        assert found["future"] == pytest.approx(b.mean().to_dict(), abs=1e-4)
        shift = (b.mean() - a.mean()).to_dict()
        assert found["shift"] == pytest.approx(shift, abs=1e-4)
        assert found["stage"] == a.mean().idxmin()
        if group == "cio":
            assert found["alignment"] is None and found["raters_aligned"] is None
            continue
        rho = spearmanr(b.mean().to_numpy(), vision).statistic
        assert found["alignment"] == pytest.approx(rho, abs=1e-4)
        aligned = sum(spearmanr(row, vision).statistic >= 0.5 for row in b.to_numpy(dtype=float))
        assert found["raters_aligned"] == aligned
    # the CSV carries the same numbers, one row per group and item
    code, out, _ = run("analyze", str(path), "--instrument", "it-archetypes", "-f", "csv")
    table = pd.read_csv(io.StringIO(out))
    staff = table[table.group == "it_staff"].set_index("dimension")
    assert staff["shift"].to_dict() == pytest.approx(groups["it_staff"]["shift"], abs=1e-4)


def test_the_qualtrics_export_reads_as_the_same_kind_of_journey() -> None:
    path = EXAMPLES / "exports" / "qualtrics-it-journey.csv"
    code, out, err = run("analyze", str(path), "--instrument", "it-archetypes", "-f", "json")
    assert code == 0, err
    (subject,) = json.loads(out)["subjects"]
    staff = next(g for g in subject["groups"] if g["group"] == "it_staff")
    assert (staff["n_now"], staff["n_future"]) == (12, 12)  # the preview is not counted
    assert subject["subject"] == "Northwind Health IT"


@pytest.mark.parametrize(("n_now", "n_future", "k"), [(2, 2, 4), (3, 2, 4), (1, 3, 5)])
def test_the_shift_chance_is_exact(n_now: int, n_future: int, k: int) -> None:
    """Against enumeration of every rank the item can take from every rater."""
    totals = []
    for ranks in itertools.product(range(1, k + 1), repeat=n_now + n_future):
        totals.append(abs(np.mean(ranks[n_now:]) - np.mean(ranks[:n_now])))
    values = np.array(totals)
    for shift in sorted(set(np.round(values, 9).tolist()))[:6]:
        expected = float((values >= shift - 1e-9).mean())
        assert shift_p(np.array([shift]), n_now, n_future, k)[0] == pytest.approx(expected)


@pytest.mark.slow
def test_the_shift_chance_is_calibrated_and_has_power() -> None:
    """Random now and future rankings: about 5% of shifts beyond chance; an item moved from the
    bottom third to the top third for 8 raters: nearly always."""
    rng = np.random.default_rng(3)
    k, n = 6, 8

    def ranks(raters: int) -> np.ndarray:
        return np.argsort(rng.random((raters, k)), axis=1).argsort(axis=1) + 1.0

    null = []
    for _ in range(2_000):
        shift = ranks(n).mean(axis=0) - ranks(n).mean(axis=0)
        null.append(shift_p(shift[:1], n, n, k)[0] <= 0.05)
    assert 0.02 <= np.mean(null) <= 0.06
    moved = []
    for _ in range(300):
        now, future = ranks(n), ranks(n)
        now[:, 0] = rng.integers(5, 7, n)  # placed near the bottom now
        future[:, 0] = rng.integers(1, 3, n)  # near the top in the future
        moved.append(shift_p((future.mean(axis=0) - now.mean(axis=0))[:1], n, n, k)[0] <= 0.05)
    assert np.mean(moved) >= 0.95


def write_journey(path: Path, sizes: Mapping[str, int | tuple[int, int]], seed: int) -> Path:
    """A journey survey of one organization with these raters per role; a size given as (now,
    future) has that many answer each question, the first of them both."""
    rng = np.random.default_rng(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Organization",
                "Respondent",
                "Role",
                *(f"{NOW} [{a}]" for a in ARCHETYPES),
                *(f"{FUTURE} [{a}]" for a in ARCHETYPES),
            ]
        )
        for role, size in sizes.items():
            now, future = (size, size) if isinstance(size, int) else size
            for i in range(max(now, future)):
                writer.writerow(
                    [
                        "Fabrikam IT",
                        f"person{i}.{role.replace(' ', '')}@example.org",
                        role,
                        *((rng.permutation(6) + 1) if i < now else [""] * 6),
                        *((rng.permutation(6) + 1) if i < future else [""] * 6),
                    ]
                )
    return path


@given(
    st.integers(0, 5),
    st.integers(0, 5),
    st.integers(0, 5),
    st.integers(2, 4),
    st.integers(0, 10_000),
)
def test_no_journey_shows_a_few_anonymous_raters(
    leadership: int, staff: int, partners: int, minimum: int, seed: int
) -> None:
    """Any group sizes: every anonymous group shown has at least --min-raters raters for both
    questions, the whole team less the groups shown never leaves 1 to min - 1 raters, and no
    rater id reaches the output."""
    import tempfile

    sizes = {"CIO": 1, "IT leadership": leadership, "IT staff": staff, "Business partner": partners}
    with tempfile.TemporaryDirectory() as folder:
        path = write_journey(Path(folder) / "journey.csv", sizes, seed)
        code, out, err = run(
            "analyze",
            str(path),
            "--instrument",
            "it-archetypes",
            "--min-raters",
            str(minimum),
            "-f",
            "json",
        )
    assert code == 0, err
    assert "@example.org" not in out and "person" not in out
    (subject,) = json.loads(out)["subjects"]
    shown = {g["group"]: g for g in subject["groups"] if g["reported"]}
    for group, g in shown.items():
        if group != "cio":
            assert min(g["n_now"], g["n_future"]) >= minimum
        else:
            assert "raters_aligned" not in g or g["raters_aligned"] is None
    if "team" in shown:
        rest = shown["team"]["n_future"] - sum(
            g["n_future"] for k, g in shown.items() if k not in ("cio", "team")
        )
        assert not 0 < rest < minimum


def test_a_journey_needs_both_questions_and_reads_one_with_question(tmp_path: Path) -> None:
    path = EXAMPLES / "it-journey.csv"
    code, _, err = run("analyze", str(path), "--instrument", "it-archetypes", "--now", "today")
    assert code == 2 and "--future: a journey needs both questions" in err
    code, out, err = run(
        "analyze", str(path), "--instrument", "it-archetypes", "--question", "three years"
    )
    assert code == 0 and "read as a journey" not in err and "where we should go" not in out
    result = coachkit.analyze(path, instrument="it-archetypes", now="today", future="should")
    assert isinstance(result, JourneyReport)
    assert result.now_question == "today" and result.future_question == "should"
    with pytest.raises(coachkit.CoachkitError, match="question: two questions rank the same items"):
        coachkit.analyze(path, instrument="it-archetypes")  # the library asks which it means
    with pytest.raises(coachkit.CoachkitError, match="unknown option 'future'; analyze takes"):
        coachkit.read(path, now="today", future="should")  # type: ignore[call-arg]


def test_compare_of_two_journeys_says_who_moved_toward_the_vision(tmp_path: Path) -> None:
    before = write_journey(
        tmp_path / "2026.csv", {"CIO": 1, "IT staff": 6, "Business partner": 4}, 1
    )
    after = write_journey(
        tmp_path / "2027.csv", {"CIO": 1, "IT staff": 7, "Business partner": 4}, 2
    )
    code, out, err = run(
        "compare", str(before), str(after), "--instrument", "it-archetypes", "-f", "json"
    )
    assert code == 0, err
    (subject,) = json.loads(out)["subjects"]
    # one more staffer: the change in who shares the vision would tell how they answered
    assert subject["withheld"] == ["it_staff", "team"]
    partners = next(g for g in subject["groups"] if g["group"] == "business_partner")
    earlier = coachkit.analyze(before, instrument="it-archetypes", now="today", future="should")
    later = coachkit.analyze(after, instrument="it-archetypes", now="today", future="should")

    def alignment(report: JourneyReport) -> float | None:
        return next(g.alignment for g in report.subjects[0].groups if g.group == "business_partner")

    assert partners["alignment"] == pytest.approx([alignment(earlier), alignment(later)], abs=1e-4)
    code, text, _ = run("compare", str(before), str(after), "--instrument", "it-archetypes")
    assert "Business partners: moved" in text or "Business partners: held" in text


@pytest.mark.parametrize(
    ("first", "second", "found"),
    [
        ("Current state of IT", "Desired future state", ("Q1", "Q2")),
        ("Where should we be three years from now?", "Where are we today?", ("Q2", "Q1")),
        ("Rank now", "Rank now, again", None),
        ("Where should we go?", "What should we stop?", None),
    ],
)
def test_a_now_and_future_pair_is_told_by_its_words(
    first: str, second: str, found: tuple[str, str] | None
) -> None:
    from coachkit.errors import AmbiguousQuestions
    from coachkit.pipeline import Reading, detected_pair

    error = AmbiguousQuestions("two fit", [("Q1", first), ("Q2", second)])
    assert detected_pair(error, Reading(instrument="it-archetypes")) == found
