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

from coachkit import wording
from coachkit.analysis import analyze, instrument_info
from coachkit.analysis.arrays import reporting
from coachkit.io import ReadOptions, ValueKind, read_source
from coachkit.model import Report, SubjectResult
from coachkit.render import Format, render
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
    # Focus: self against the four other raters pooled (manager + 3 peers). By hand, the
    # others' mean of dimension d (0-based, 2 <= d <= 9) is (15 + 2d) / 4; Vision: (12+1+2+1)/4
    # = 4 against self's 1; Building teams: (1+12+12+11)/4 = 9 against self's 12.
    assert [(f.dimension, f.direction, f.group) for f in subject.coaching_focus] == [
        ("building_teams", "others_higher", "all_others"),
        ("vision_strategy", "self_higher", "all_others"),
    ]
    assert [f.gap for f in subject.coaching_focus] == pytest.approx([3.0, -3.0])
    # a 3-place gap is what random rankings of 1 and 4 raters show nearly always
    assert all(f.p_value > 0.5 and not f.beyond_chance for f in subject.coaching_focus)
    # the manager, one person, as context: ranks Building teams 1st, 11 places above self
    view = subject.coaching_focus[0].reference
    assert view is not None and (view.group, view.rank, view.gap) == ("manager", 1.0, 11.0)
    reason = wording.focus_reason(REPORT_INFO, subject.coaching_focus[0], 4)
    assert reason.startswith(
        "all other raters rank it 9.0 on average, self 12th: 3.0 places higher"
    )
    assert "major" not in reason and "common among random rankings of these group sizes" in reason
    assert reason.endswith("The manager ranks it 1st: one person's view.")
    contrast = subject.tilt_contrast
    assert contrast is not None and contrast.b == "manager"
    assert contrast.difference == pytest.approx(12.0)
    text = wording.tilt_contrast(REPORT_INFO, contrast)
    assert "toward competencies" in text and "one person's view" in text
    # against the pooled others: their tilt is (-6 + 6 + 6 + 6) / 4 = 3
    (_, pooled) = subject.tilt_contrasts
    assert (pooled.b, pooled.b_n) == ("all_others", 4)
    assert pooled.difference == pytest.approx(3.0)
    assert subject.strengths == ()


def test_one_managers_ranking_is_never_a_finding_or_a_strength() -> None:
    subject = only(
        report_for([("Ann", "self", IDENTITY), ("Ann", "manager", swap(IDENTITY, 0, 2))])
    )
    assert subject.evidence == "manager"
    assert subject.coaching_focus == ()  # no gap reaches 3 places
    assert subject.tilt_contrast is not None and subject.tilt_contrast.p_value == 1.0
    assert subject.strengths == ()  # one ranking's first item is always 1st: no evidence
    reversed_boss = only(report_for([("Ann", "self", IDENTITY), ("Ann", "manager", REVERSED)]))
    assert reversed_boss.coaching_focus and not any(
        f.beyond_chance for f in reversed_boss.coaching_focus
    )
    assert reversed_boss.critical_share == float("inf")


def test_strengths_need_the_others_consensus_beyond_chance() -> None:
    rows = [("Ann", "self", IDENTITY), *(("Ann", "peer", IDENTITY) for _ in range(6))]
    subject = only(report_for(rows))
    # Six raters giving an item a rank sum of 6 (all first) happens for some item with chance
    # 12 / 12^6; a sum of 12 (a mean of 2) about 12 x C(12, 6) / 12^6 = .0037; a mean of 3
    # (sum 18) about 12 x C(18, 6) / 12^6 = .075: not beyond chance.
    assert [s.dimension for s in subject.strengths] == ["vision_strategy", "job_competence"]
    first, second = (s.p_value for s in subject.strengths)
    assert first < 0.001
    assert second == pytest.approx(12 * 924 / 12**6, abs=0.0015)


def test_focus_takes_every_rater_and_both_directions() -> None:
    rows = [("Ann", "self", IDENTITY), *(("Ann", "direct_report", REVERSED) for _ in range(4))]
    subject = only(report_for(rows))
    assert subject.evidence == "all_others"
    assert [(f.dimension, f.gap, f.beyond_chance) for f in subject.coaching_focus] == [
        ("building_teams", 11.0, True),
        ("coaching_mentoring", 9.0, False),
        ("personal_ethics", 7.0, False),
        ("vision_strategy", -11.0, True),
        ("job_competence", -9.0, False),
        ("industry_knowledge", -7.0, False),
    ]
    # 11 places either way needs all four raters to put self's last item first (or self's
    # first item last): 2 / 12^4, under .001
    assert subject.coaching_focus[0].p_value < 0.001
    # with 4 raters a gap needs more than 9 of 12 places: 9.25 by the simulation
    assert subject.critical_share is not None and 9 < subject.critical_share * 12 < 9.5
    assert wording.focus_reason(REPORT_INFO, subject.coaching_focus[0], 4).startswith(
        "all other raters rank it 1.0 on average, self 12th: 11.0 places higher than self (a major gap); "
        "beyond what random rankings of these group sizes produce"
    )
    assert wording.focus_reason(REPORT_INFO, subject.coaching_focus[3], 4).startswith(
        "self ranks it 1st, all other raters 12.0 on average: 11.0 places higher than all other raters"
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
