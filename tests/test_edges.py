"""Edges an audit found on the wrong side: thresholds met exactly, ties, reversals, wording,
scheme detection, resubmissions in tidy files, options that cannot be meant."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from coachkit import wording
from coachkit.analysis import analyze
from coachkit.analysis.compare import compare_reports
from coachkit.model import Comparison
from coachkit.render.view import agreement_reading
from conftest import IDENTITY, INSTRUMENT, REVERSED, dataset_for, run, write_tidy, write_wide


def test_a_gap_of_exactly_the_threshold_is_notable() -> None:
    # self puts execution 4th, the three peers 1st, 1st and 1st... a gap of exactly -3.0
    own = [5, 6, 7, 8, 9, 4, 1, 2, 3, 10, 11, 12]
    peers = [[2, 3, 4, 5, 6, 1, 7, 8, 9, 10, 11, 12]] * 3
    rows = [("Ann", "self", own), *(("Ann", "peer", p) for p in peers)]
    block = analyze(dataset_for(rows)).subjects[0].blocks[0]
    comparison = next(c for c in block.comparisons if (c.a, c.b) == ("self", "peer"))
    assert comparison.gaps["execution"] == pytest.approx(-3.0)
    assert "execution" in {n.dimension for n in comparison.notable}


def test_means_equal_in_exact_arithmetic_share_their_consensus_rank() -> None:
    # partial rankings filled in: the last three items share (10 + 11 + 12) / 3 = 11 each, and
    # the means of three such raters must tie exactly, not by the last bit of a float
    from coachkit.instruments import load_instrument
    from coachkit.io import Source
    from coachkit.validate import validate

    instrument = load_instrument()
    partial = [[1, 2, 3, 4, 5, 6, 7, 8, 9, np.nan, np.nan, np.nan]] * 3
    source = Source(
        path="mem.csv",
        source_format="wide",
        rows=3,
        row_numbers=np.array([2, 3, 4]),
        subject_codes=np.zeros(3, dtype=np.int64),
        raters=np.array(["a", "b", "c"], dtype=object),
        group_codes=np.full(3, 2),  # peers
        notes=np.full(3, "", dtype=object),
        values=np.array(partial, dtype=float),
        subject_names=np.array(["Ann"], dtype=object),
        group_ids=tuple(g.id for g in instrument.groups),
        dimensions=instrument.dimension_ids,
    )
    dataset = validate([source], instrument, allow_partial=True)
    consensus = analyze(dataset).subjects[0].blocks[0].consensus_rank["peer"]
    last = [consensus[d] for d in ("personal_ethics", "coaching_mentoring", "building_teams")]
    assert last == [11.0, 11.0, 11.0]  # a three-way tie for 10th to 12th


def test_reversals_are_counted_in_compare() -> None:
    before = analyze(dataset_for([("Ann", "self", IDENTITY), ("Ann", "manager", REVERSED)]))
    after = analyze(dataset_for([("Ann", "self", REVERSED), ("Ann", "manager", IDENTITY)]))
    (change,) = compare_reports(before, after).subjects
    # vision: +11 before (self 1st, manager 12th), -11 after (self 12th, manager 1st)
    assert "vision_strategy" in {g.dimension for g in change.reversed}
    assert not {g.dimension for g in change.reversed} & {g.dimension for g in change.closed}
    assert "10 reversed" in wording.change_summary(before.instrument, change)


def test_rho_wording_is_symmetric() -> None:
    def reading(rho: float) -> str:
        return agreement_reading(Comparison("a", "b", rho, {}, ()), 0.587)

    assert reading(0.30) == "rho = +0.30, some agreement (p > .05)"
    assert reading(-0.30) == "rho = -0.30, leaning toward opposite priorities (p > .05)"
    assert reading(-0.70).endswith("(p <= .05)") and reading(0.70).endswith("(p <= .05)")
    assert reading(0.9) == "rho = +0.90, strong agreement (p <= .05)"
    assert reading(-0.9) == "rho = -0.90, opposite priorities (p <= .05)"
    assert reading(-0.0001) == "rho = +0.00, little agreement on priorities (p > .05)"


def test_one_bad_cell_in_a_by_family_file_excludes_one_response(tmp_path: Path) -> None:
    halves = [1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1]
    rows = [("Ann", f"r{n}", "Peer", list(halves)) for n in range(4)]
    rows[0] = ("Ann", "r0", "Peer", [7, *halves[1:]])  # one stray cell
    code, out, err = run("analyze", str(write_wide(tmp_path / "f.csv", rows)), "-f", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["settings"]["scheme"] == "by-family"
    assert [e["row"] for e in document["excluded"]] == [2]


def test_a_rater_answering_twice_in_a_tidy_file_keeps_the_later(tmp_path: Path) -> None:
    rows = [("Ann", "a", "Self", IDENTITY), ("Ann", "b", "Manager", REVERSED)]
    rows.append(("Ann", "a", "Self", REVERSED))  # the same rater, later
    code, out, err = run("analyze", str(write_tidy(tmp_path / "t.csv", rows)), "-f", "json")
    assert code == 0, err
    document = json.loads(out)
    means = document["subjects"][0]["blocks"][0]["mean_rank"]["self"]
    assert [means[d] for d in INSTRUMENT.dimension_ids] == [float(v) for v in REVERSED]
    assert len(document["excluded"]) == 1 and "superseded" in document["excluded"][0]["reason"]


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_thresholds_must_be_positive_and_finite(value: str) -> None:
    code, _, err = run("analyze", "examples/by-family.csv", "--notable-gap", value)
    assert code == 2 and "--notable-gap" in err


def test_by_family_org_has_its_own_critical_value_and_no_tilt_pattern() -> None:
    code, out, _ = run("org", "examples/by-family.csv", "-q")
    assert code == 0 and "0.629, the agreement needed" in out
    assert "Technical-leader pattern" not in out
    document = json.loads(run("org", "examples/by-family.csv", "-q", "-f", "json")[1])
    assert document["technical_leader_pattern"] is None


def test_cohort_pattern_carries_its_chance() -> None:
    document = json.loads(run("org", "examples/cohort-2026.csv", "-q", "-f", "json")[1])
    pattern = document["technical_leader_pattern"]
    assert pattern["assessed"] == 12 and pattern["count"] == 5
    assert pattern["expected_share"] == pytest.approx(0.2511, abs=1e-3)
    from scipy.stats import binom

    assert pattern["p_value"] == pytest.approx(binom.sf(4, 12, pattern["expected_share"]), abs=1e-3)
