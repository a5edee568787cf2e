"""Rules pinned one by one, each at its boundary: an instrument's own stricter minimum, the
subtraction guard that follows it, a journey comparison whose now-raters moved, a batch re-export
that moved a few raters, a p-value of exactly the level, and a by-family agreement."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

import coachkit
from coachkit.analysis.arrays import reporting
from coachkit.instruments import Instrument
from coachkit.policy import ALPHA, beyond_chance
from coachkit.render.view import concordance_reading
from conftest import IDENTITY, INSTRUMENT, REVERSED, run, write_wide
from test_journey import write_journey


def _with_peer_minimum(least: int) -> Instrument:
    """The built-in instrument, its peers asking for `least` raters."""
    groups = tuple(replace(g, min_raters=least) if g.id == "peer" else g for g in INSTRUMENT.groups)
    return replace(INSTRUMENT, groups=groups)


def test_an_instruments_own_minimum_above_min_raters_applies() -> None:
    strict = _with_peer_minimum(5)
    ids = strict.group_ids
    for peers, shown in ((4, False), (5, True)):
        counts = {"self": 1, "manager": 1, "peer": peers, "all_others": 1 + peers}
        reported, reasons = reporting(strict, np.array([[counts.get(g, 0) for g in ids]]), 3)
        assert bool(reported[0, ids.index("peer")]) is shown
        if not shown:
            assert reasons[0][ids.index("peer")] == "fewer than 5 raters"


def test_the_pool_never_reveals_fewer_raters_than_their_own_groups_minimum() -> None:
    # 4 peers (their own minimum 5) suppressed beside 3 reported direct reports and a manager:
    # the pool of 8 less the 4 reported raters would leave the 4 peers, fewer than 5.
    strict = _with_peer_minimum(5)
    ids = strict.group_ids
    counts = {"self": 1, "manager": 1, "peer": 4, "direct_report": 3, "all_others": 8}
    reported, reasons = reporting(strict, np.array([[counts.get(g, 0) for g in ids]]), 3)
    shown = dict(zip(ids, reported[0].tolist(), strict=True))
    assert shown == {
        "self": True,
        "manager": True,
        "peer": False,
        "direct_report": True,
        "other": False,
        "all_others": False,
    }
    assert (
        reasons[0][ids.index("all_others")] == "would reveal the 4 suppressed raters by subtraction"
    )


def test_compare_of_journeys_withholds_a_group_whose_now_raters_moved(tmp_path: Path) -> None:
    # IT staff: 6 answered both questions the first time; the second time a 7th answered the
    # "now" question only. The future count did not move, the now count moved by 1 (< 3).
    roles = {"CIO": 1, "Business partner": 4}
    before = write_journey(tmp_path / "2026.csv", roles | {"IT staff": (6, 6)}, 1)
    after = write_journey(tmp_path / "2027.csv", roles | {"IT staff": (7, 6)}, 2)
    report = coachkit.analyze(after, instrument="it-archetypes", now="today", future="should")
    staff = next(g for g in report.subjects[0].groups if g.group == "it_staff")
    assert (staff.n_now, staff.n_future, staff.reported) == (7, 6, True)
    code, out, err = run(
        "compare", str(before), str(after), "--instrument", "it-archetypes", "-f", "json"
    )
    assert code == 0, err
    (subject,) = json.loads(out)["subjects"]
    assert "it_staff" in subject["withheld"]
    assert all(g["group"] != "it_staff" for g in subject["groups"])


@pytest.mark.parametrize(("late", "refused"), [(1, True), (2, True), (3, False)])
def test_a_batch_refuses_a_reexport_whose_peers_moved_by_fewer_than_the_minimum(
    tmp_path: Path, late: int, refused: bool
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    base = [("Ann", "s", "Self", IDENTITY), ("Ann", "m", "Manager", REVERSED)]
    peers = [("Ann", f"p{n}", "Peer", IDENTITY) for n in range(3)]
    added = [("Ann", f"q{n}", "Peer", REVERSED) for n in range(late)]
    write_wide(folder / "a-monday.csv", [*base, *peers])
    write_wide(folder / "b-friday.csv", [*base, *peers, *added])
    out = tmp_path / "out"
    code, _, err = run("batch", str(folder), "--output-dir", str(out), "-f", "json", "-q")
    assert (code == 1 and "is in a-monday.csv too" in err) is refused
    assert (out / "b-friday" / "ann.json").exists() is not refused


def test_a_p_value_of_exactly_alpha_is_beyond_chance() -> None:
    assert ALPHA == 0.05
    assert beyond_chance(0.05) and beyond_chance(6 / 120)  # an exact permutation p of 6 in 120
    assert not beyond_chance(0.05 + 1e-12)
    assert concordance_reading(0.7, 0.05) == "strong agreement within the group"
    assert concordance_reading(0.7, 0.0501).endswith("as random rankings often show")


def test_the_counterpart_spearman_of_a_by_family_survey_is_the_mean_over_families(
    tmp_path: Path,
) -> None:
    # ranked by family (1-6 within each family): self and manager agree on the competencies
    # (rho = 1) and are opposite on the characteristics (rho = -1), so the mean rho is 0.
    own = [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6]
    boss = [1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 1]
    path = write_wide(
        tmp_path / "family.csv", [("Ann", "s", "Self", own), ("Ann", "m", "Manager", boss)]
    )
    report = coachkit.analyze(path)
    expected = np.mean([spearmanr(own[:6], boss[:6])[0], spearmanr(own[6:], boss[6:])[0]])
    assert expected == pytest.approx(0.0)
    assert report.subjects[0].counterpart_spearman == pytest.approx(expected, abs=1e-12)
