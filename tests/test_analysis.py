"""Analysis: hand-worked numbers, anonymity rules, coaching focus, and Hypothesis properties."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sp

from coachkit.analysis import analyze, instrument_info
from coachkit.analysis.arrays import reporting
from coachkit.io import ReadOptions, ValueKind, read_source
from coachkit.model import Report, SubjectResult
from coachkit.render import Format, render, wording
from coachkit.validate import validate
from conftest import IDENTITY, INSTRUMENT, REVERSED, dataset_for, write_wide

REPORT_INFO = instrument_info(INSTRUMENT)

Row = tuple[str, str, Sequence[float]]  # subject, group id, ranks


def report_for(rows: Sequence[Row], **options: object) -> Report:
    return analyze(dataset_for(rows), **options)  # type: ignore[arg-type]


def swap(ranking: Sequence[int], a: int, b: int) -> list[int]:
    out = list(ranking)
    out[a], out[b] = out[b], out[a]
    return out


PEERS = [IDENTITY, swap(IDENTITY, 0, 1), swap(IDENTITY, 10, 11)]
HAND = [
    ("Ann", "self", IDENTITY),
    ("Ann", "manager", REVERSED),
    *(("Ann", "peer", p) for p in PEERS),
]


def only(report: Report) -> SubjectResult:
    (subject,) = report.subjects
    return subject


def test_hand_worked_subject() -> None:
    subject = only(report_for(HAND))
    assert [(g.group, g.n, g.reported) for g in subject.groups] == [
        ("self", 1, True),
        ("manager", 1, True),
        ("peer", 3, True),
        ("direct_report", 0, False),
        ("other", 0, False),
        ("all_others", 4, True),
    ]
    (block,) = subject.blocks
    peer_mean = np.mean(PEERS, axis=0)
    assert list(block.mean_rank["peer"].values()) == pytest.approx(peer_mean)
    assert block.mean_rank["peer"]["vision_strategy"] == pytest.approx(4 / 3)
    assert list(block.consensus_rank["all_others"].values()) == pytest.approx(
        sp.rankdata(np.mean([REVERSED, *PEERS], axis=0))
    )
    pairs = {(c.a, c.b): c for c in block.comparisons}
    assert list(pairs) == [
        ("self", "manager"),
        ("self", "peer"),
        ("manager", "peer"),
        ("self", "all_others"),
    ]
    self_manager = pairs[("self", "manager")]
    assert self_manager.spearman == pytest.approx(-1.0)
    assert list(self_manager.gaps.values()) == pytest.approx([13 - 2 * d for d in IDENTITY])
    assert [(n.dimension, n.level) for n in self_manager.notable][:3] == [
        ("vision_strategy", "major"),
        ("job_competence", "major"),
        ("industry_knowledge", "major"),
    ]
    assert len(self_manager.notable) == 10  # |13 - 2d| >= 3 for all but d = 6, 7
    assert self_manager.notable[0].p_value == pytest.approx(2 / 144)  # d = 11: (12-11)(12-11+1)/144
    assert pairs[("self", "peer")].spearman == pytest.approx(
        sp.spearmanr(IDENTITY, peer_mean).statistic
    )
    w = block.concordance["peer"]
    friedman = sp.friedmanchisquare(*np.array(PEERS).T)
    assert w.kendall_w == pytest.approx(friedman.statistic / (3 * 11))
    assert w.chi2 == pytest.approx(friedman.statistic)
    # below 8 raters the p is a permutation p (its accuracy is checked in test_chance.py)
    assert w.p_value < friedman.pvalue < 0.001
    assert "self" not in block.concordance and "manager" not in block.concordance
    assert block.tilt is not None
    assert block.tilt["self"].value == pytest.approx(6.0)
    assert block.tilt["self"].p_value == pytest.approx(2 / 924)
    assert block.tilt["manager"].value == pytest.approx(-6.0)
    assert block.tilt["peer"].p_value == pytest.approx(2 / 924**3)
    assert [f.dimension for f in subject.coaching_focus] == [
        "building_teams",
        "coaching_mentoring",
        "personal_ethics",
    ]
    assert [f.gap for f in subject.coaching_focus] == pytest.approx([11, 9, 7])
    assert wording.focus_reason(REPORT_INFO, subject.coaching_focus[0]).startswith(
        "Manager ranks it 1st, self 12th: 11.0 places higher (major gap"
    )
    contrast = subject.tilt_contrast
    assert contrast is not None and contrast.difference == pytest.approx(12.0)
    assert "toward competencies" in wording.tilt_contrast(REPORT_INFO, contrast)
    assert subject.strengths == ()


def test_strengths_and_no_focus_when_views_match() -> None:
    subject = only(
        report_for([("Ann", "self", IDENTITY), ("Ann", "manager", swap(IDENTITY, 0, 2))])
    )
    assert subject.coaching_focus == ()
    assert subject.tilt_contrast is not None and subject.tilt_contrast.p_value == 1.0
    assert subject.strengths == ("vision_strategy", "job_competence", "industry_knowledge")


def test_focus_falls_back_to_all_others() -> None:
    rows = [("Ann", "self", IDENTITY), *(("Ann", "direct_report", REVERSED) for _ in range(4))]
    subject = only(report_for(rows))
    assert [f.dimension for f in subject.coaching_focus] == [
        "building_teams",
        "coaching_mentoring",
        "personal_ethics",
    ]
    assert wording.focus_reason(REPORT_INFO, subject.coaching_focus[0]).startswith(
        "All others ranks it 1st"
    )


@pytest.mark.parametrize(
    ("counts", "min_raters", "expected"),
    [
        (
            {"self": 1, "manager": 1, "peer": 3, "all_others": 4},
            3,
            {"peer": True, "all_others": True},
        ),
        (
            {"self": 1, "manager": 1, "peer": 2, "all_others": 3},
            3,
            {"peer": False, "all_others": False},
        ),
        # 2 suppressed peers beside 3 reported direct reports: the pool would give them away.
        (
            {"self": 1, "manager": 1, "peer": 2, "direct_report": 3, "all_others": 6},
            3,
            {"peer": False, "direct_report": True, "all_others": False},
        ),
        # 2 peers and 1 other suppressed: 3 hidden raters together are as anonymous as a group.
        (
            {"manager": 1, "peer": 2, "other": 1, "direct_report": 3, "all_others": 7},
            3,
            {"peer": False, "other": False, "all_others": True},
        ),
        ({"self": 1, "peer": 2, "all_others": 2}, 2, {"peer": True, "all_others": False}),
        ({"manager": 2, "all_others": 2}, 3, {"manager": True, "all_others": False}),
    ],
)
def test_anonymity_rules(
    counts: dict[str, int], min_raters: int, expected: dict[str, bool]
) -> None:
    ids = INSTRUMENT.group_ids
    shown, _ = reporting(INSTRUMENT, np.array([[counts.get(g, 0) for g in ids]]), min_raters)
    reported = dict(zip(ids, shown[0].tolist(), strict=True))
    for group, value in expected.items():
        assert reported[group] is value, group


def test_suppressed_groups_have_no_numbers_anywhere() -> None:
    rows = [
        ("Ann", "self", IDENTITY),
        ("Ann", "manager", REVERSED),
        ("Ann", "peer", IDENTITY),
        ("Ann", "peer", IDENTITY),
    ]
    subject = only(report_for(rows))
    (block,) = subject.blocks
    assert set(block.mean_rank) == {"self", "manager"}
    assert all("peer" not in (c.a, c.b) for c in block.comparisons)
    assert set(block.tilt or {}) == {"self", "manager"}
    groups = {g.group: g for g in subject.groups}
    assert groups["peer"].reason == "fewer than 3 raters"
    assert groups["all_others"].reason == "fewer than 4 raters"


def test_by_family_blocks_have_no_tilt() -> None:
    six = [1, 2, 3, 4, 5, 6]
    subject = only(
        report_for([("Ann", "self", six + six), ("Ann", "manager", six[::-1] + six[::-1])])
    )
    assert [b.block for b in subject.blocks] == ["competency", "characteristic"]
    assert all(b.tilt is None for b in subject.blocks)
    assert subject.blocks[0].comparisons[0].spearman == pytest.approx(-1.0)
    # k = 6: notable at 1.5 places, major at 3; gaps 7 - 2d = 5, 3, 1, -1, -3, -5
    notable = subject.blocks[0].comparisons[0].notable
    assert [(n.gap, n.level) for n in notable] == [
        (5, "major"),
        (3, "major"),
        (-3, "major"),
        (-5, "major"),
    ]
    low = only(
        report_for([("Ann", "self", six + six), ("Ann", "manager", [2, 1, 3, 4, 6, 5, *six])])
    )
    assert [(n.gap, n.level) for n in low.blocks[0].comparisons[0].notable] == []
    assert report_for([("Ann", "self", six + six)]).settings.notable_gap == 1.5


def test_configured_thresholds() -> None:
    subject = only(report_for(HAND, notable_gap=8, major_gap=10))
    notable = subject.blocks[0].comparisons[0].notable
    assert [(n.gap, n.level) for n in notable] == [
        (11, "major"),
        (9, "notable"),
        (-9, "notable"),
        (-11, "major"),
    ]


rankings = st.permutations(IDENTITY)


@given(rankings, st.lists(rankings, min_size=3, max_size=6), st.randoms(use_true_random=False))
def test_properties(self_ranks: list[int], peers: list[list[int]], rng: random.Random) -> None:
    rows: list[Row] = [("Ann", "self", self_ranks), ("Ann", "manager", list(self_ranks))]
    rows += [("Ann", "peer", p) for p in peers]
    report = report_for(rows)
    block = only(report).blocks[0]
    copied = block.comparisons[0]
    assert (copied.a, copied.b) == ("self", "manager")
    assert copied.spearman == pytest.approx(1.0)
    assert all(g == 0 for g in copied.gaps.values())
    for c in block.concordance.values():
        assert 0 <= c.kendall_w <= 1
        assert 0 <= c.p_value <= 1
    shuffled = rows[:]
    rng.shuffle(shuffled)
    assert render(report_for(shuffled), Format.json) == render(report, Format.json)


@given(st.lists(rankings, min_size=1, max_size=5))
def test_tilt_is_mean_of_rater_tilts(raters: list[list[int]]) -> None:
    # managers: a leader has one self-assessment (the last counts), but may have several managers
    tilt = only(report_for([("Ann", "manager", r) for r in raters])).blocks[0].tilt
    assert tilt is not None
    per_rater = [np.mean(r[6:]) - np.mean(r[:6]) for r in raters]
    assert tilt["manager"].value == pytest.approx(np.mean(per_rater))
    assert -6 <= tilt["manager"].value <= 6


def test_concordance_of_scores_corrects_for_ties(tmp_path: Path) -> None:
    # Three peers rate the twelve dimensions 1-5: ties everywhere, so W needs the correction.
    scores = [
        [5, 4, 4, 3, 3, 3, 2, 2, 1, 1, 1, 5],
        [4, 4, 5, 3, 2, 3, 2, 1, 1, 2, 1, 5],
        [5, 5, 4, 4, 3, 2, 2, 2, 1, 1, 3, 4],
    ]
    rows = [("Ann", f"p{i}", "Peer", s) for i, s in enumerate(scores)]
    path = write_wide(tmp_path / "scores.csv", rows)
    source = read_source(str(path), INSTRUMENT, ReadOptions())
    dataset = validate([source], INSTRUMENT, values=ValueKind.scores)
    assert dataset.tied
    w = analyze(dataset).subjects[0].blocks[0].concordance["peer"].kendall_w
    # By the formula, from scipy's average ranks (higher score = rank 1).
    ranks = np.array([sp.rankdata([-v for v in s]) for s in scores])
    m, k = ranks.shape
    spread = ((ranks.sum(axis=0) - m * (k + 1) / 2) ** 2).sum()
    ties = sum((t**3 - t) for row in ranks for t in np.unique(row, return_counts=True)[1] if t > 1)
    assert w == pytest.approx(12 * spread / (m * m * (k**3 - k) - m * ties))


def test_collection_paused_restores_the_collector() -> None:
    import gc

    from coachkit.memory import collection_paused

    assert gc.isenabled()
    with pytest.raises(KeyError), collection_paused():
        assert not gc.isenabled()
        raise KeyError("fails inside")
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()  # left off, as it was
    finally:
        gc.enable()
