"""Every chance figure checked another way: exact enumeration, scipy, or a simulation of random
rankings written here (its own seed and code), and calibration on random data."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats as sp

from coachkit.analysis import chance, stats
from conftest import ROOT, dataset_for

SRC = ROOT / "src" / "coachkit"

K = 12
RNG = np.random.default_rng(99)


def _rankings(n: int, k: int = K) -> np.ndarray:
    """n independent random rankings of k items (rank 1..k), as the test draws them."""
    return np.argsort(np.argsort(RNG.random((n, k)), axis=1), axis=1) + 1.0


def test_gap_p_of_two_single_rankings_is_the_closed_form() -> None:
    for d in range(1, K):
        assert chance.gap_p(np.array([float(d)]), 1, 1, K)[0] == pytest.approx(
            (K - d) * (K - d + 1) / K**2
        )


@pytest.mark.parametrize(("m", "n", "nested"), [(1, 10, False), (3, 4, False), (2, 6, True)])
def test_gap_p_matches_simulation(m: int, n: int, nested: bool) -> None:
    draws = 40_000
    a = _rankings(draws * m)[:, 0].reshape(draws, m)
    rest = _rankings(draws * (n - m if nested else n))[:, 0].reshape(draws, -1)
    b = np.concatenate([a, rest], axis=1) if nested else rest
    gaps = np.abs(b.mean(axis=1) - a.mean(axis=1))
    for d in (2.0, 4.0, 6.0):
        simulated = (gaps >= d - 1e-9).mean()
        exact = chance.gap_p(np.array([d]), m, n, K, nested)[0]
        assert abs(simulated - exact) < 4 * math.sqrt(exact * (1 - exact) / draws) + 1e-3


def test_gap_p_of_self_against_ten_others_is_far_below_the_old_figure() -> None:
    # the figure an independent audit measured by simulation: 7.5% and 0.2%, not 29% and 14%
    six, eight = chance.gap_p(np.array([6.0, 8.0]), 1, 10, K)
    assert six == pytest.approx(0.075, abs=0.002) and eight == pytest.approx(0.002, abs=0.0005)


def _largest_p(share: float, m: int, n: int, blocks: tuple[int, ...]) -> float:
    null, correction = chance.largest_gap_null(m, n, blocks)
    return float(chance.at_least(null, np.array([share - correction]))[0])


def _simulated_largest(m: int, n: int, blocks: tuple[int, ...], draws: int) -> np.ndarray:
    """The largest |gap| share over every dimension between m and n random raters, drawn here."""
    largest = np.zeros(draws)
    for k in blocks:
        own = _rankings(draws * m, k).reshape(draws, m, k).mean(axis=1)
        theirs = _rankings(draws * n, k).reshape(draws, n, k).mean(axis=1)
        largest = np.maximum(largest, np.abs(own - theirs).max(axis=1) / k)
    return largest


def test_largest_gap_of_two_single_rankings_by_counting() -> None:
    # 11 places apart either way: the item self ranks 1st is the other's 12th, or the reverse;
    # both at once in 1 of 12 x 11 orders
    exact = 2 / K - 1 / (K * (K - 1))
    assert _largest_p(11 / K, 1, 1, (K,)) == pytest.approx(exact, abs=0.006)
    # so one person's ranking against another's can never be beyond chance
    null, _ = chance.largest_gap_null(1, 1, (K,))
    assert chance.at_least(null, null).min() > 0.05


@pytest.mark.parametrize(
    ("m", "n", "blocks"), [(1, 4, (K,)), (1, 11, (K,)), (2, 5, (K,)), (1, 6, (6, 6))]
)
def test_largest_gap_either_way_matches_simulation(m: int, n: int, blocks: tuple[int, ...]) -> None:
    draws = 30_000
    largest = _simulated_largest(m, n, blocks, draws)
    for q in (0.5, 0.9, 0.95, 0.99):
        share = float(np.quantile(largest, q))
        simulated = (largest >= share - 1e-9).mean()
        assert _largest_p(share, m, n, blocks) == pytest.approx(simulated, abs=0.012)


def test_largest_gap_of_many_raters_is_conservative_beyond_the_exact_range() -> None:
    # above EXACT_RATERS the pool's means are normal draws with a continuity correction
    n = chance.EXACT_RATERS + 16
    draws = 20_000
    largest = _simulated_largest(1, n, (K,), draws)
    for q in (0.9, 0.95, 0.99):
        share = float(np.quantile(largest, q))
        simulated = (largest >= share - 1e-9).mean()
        found = _largest_p(share, 1, n, (K,))
        assert found >= simulated - 0.006 and found <= simulated + 0.03


def test_stream_sums_do_not_depend_on_the_sizes_asked_for() -> None:
    chance._STREAM_SUMS.clear()
    (five,) = chance.stream_sums(K, 9, (5,))
    chance._STREAM_SUMS.clear()
    three, five_again = chance.stream_sums(K, 9, (3, 5))
    assert np.array_equal(five, five_again)
    assert (five_again >= three + 2).all()  # two more raters add at least rank 1 each


def test_top_consensus_null_by_counting() -> None:
    # six random raters give some item a rank sum of 12 or less (a mean of 2) with chance
    # 12 x C(12, 6) / 12^6, less the rare orders where two items both do
    low, correction = chance.top_consensus_null(6, (K,))
    observed = (2.0 - (K + 1) / 2) / K
    p = (np.searchsorted(low, observed + correction + 1e-9, side="right") + 1) / (len(low) + 1)
    union = K * math.comb(12, 6) / K**6
    assert union * 0.9 - 0.0015 <= p <= union + 0.0015


def test_tilt_difference_p_by_enumeration() -> None:
    # one rater each: a rater's tilt is 13 - (competencies' rank sum) / 3
    sums = [sum(c) for c in itertools.combinations(range(1, 13), 6)]
    tilts = np.array([13 - s / 3 for s in sums])
    difference = np.abs(tilts[:, None] - tilts[None, :]).ravel()
    for d in (1.0, 4.0, 8.0):
        exact = (difference >= d - 1e-9).mean()
        assert chance.tilt_difference_p(np.array([d]), 1, 1, 6, 6, K)[0] == pytest.approx(exact)
    assert chance.tilt_difference_p(np.array([1.0]), 1, 1, 6, 6, K)[0] == pytest.approx(
        0.78, abs=0.01
    )


def test_pattern_chance_by_enumeration() -> None:
    sums = np.array([sum(c) for c in itertools.combinations(range(1, 13), 6)])
    tilts = 13 - sums / 3
    own, boss = tilts[:, None], tilts[None, :]
    exact = ((own >= 1 - 1e-9) & (own - boss >= 1 - 1e-9)).mean()
    assert chance.pattern_chance(1, 1, 6, 6, K, 1.0, 1.0) == pytest.approx(exact)


def test_at_least_p_of_many_trials_groups_equal_chances() -> None:
    rng = np.random.default_rng(3)
    chances = rng.choice([0.01, 0.04, 0.2], size=1_500).tolist()
    p = np.array([1.0])
    for c in chances:  # the Poisson-binomial, trial by trial
        p = np.convolve(p, [1.0 - c, c])
    for count in (20, 60, 100, 140):
        assert chance.at_least_p(count, chances) == pytest.approx(p[count:].sum(), abs=1e-12)
    many = [0.02] * 60_000
    assert chance.at_least_p(1_300, many) == pytest.approx(
        sp.binom.sf(1_299, 60_000, 0.02), rel=1e-6
    )
    two = [0.02] * 10_000 + [0.1] * 10_000  # long enough to be convolved by FFT
    direct = np.convolve(chance.binomial_pmf(10_000, 0.02), chance.binomial_pmf(10_000, 0.1))
    for count in (1_100, 1_200, 1_300):
        assert chance.at_least_p(count, two) == pytest.approx(direct[count:].sum(), abs=1e-12)
    assert np.allclose(chance.binomial_pmf(30, 0.3), sp.binom.pmf(np.arange(31), 30, 0.3))


def test_at_least_p_is_the_binomial_for_equal_chances() -> None:
    assert chance.at_least_p(5, [0.25] * 12) == pytest.approx(sp.binom.sf(4, 12, 0.25))
    assert chance.at_least_p(0, [0.3, 0.6]) == pytest.approx(1.0)


def test_kendall_p_matches_simulation_and_is_calibrated() -> None:
    groups = 4_000
    ranks = _rankings(groups * 3).reshape(groups, 3, K)
    sums = ranks.sum(axis=1)
    w = 12 * ((sums - sums.mean(axis=1, keepdims=True)) ** 2).sum(axis=1) / (9 * (K**3 - K))
    p = chance.kendall_p(w, np.full(groups, 3), K)
    assert 0.03 <= (p <= 0.05).mean() <= 0.07  # the chi-square gives about 2%
    for value in (0.4, 0.6):
        simulated = (w >= value).mean()
        assert chance.kendall_p(np.array([value]), np.array([3]), K)[0] == pytest.approx(
            simulated, abs=0.015
        )


def test_stored_w_nulls_are_the_simulations_draws() -> None:
    from coachkit.analysis.w_nulls import SPREADS

    assert sorted(SPREADS) == [(m, k) for m in range(2, chance.EXACT_W_RATERS) for k in (6, 12)]
    for (m, k), stored in SPREADS.items():
        assert chance.stored_spreads(m, k) == stored
        simulated = np.sort(12.0 * chance.simulated_spreads(m, k) / (m * m * (k**3 - k)))
        assert np.array_equal(chance._kendall_null(m, k), simulated)  # to the last bit
    assert chance.write_w_nulls() == (SRC / "analysis" / "w_nulls.py").read_text("utf-8")


@pytest.mark.parametrize("n", [1, 4, 11, chance.STORED_RATERS])
@pytest.mark.parametrize("blocks", chance.STORED_BLOCKS)
def test_stored_focus_nulls_are_the_simulations_draws(n: int, blocks: tuple[int, ...]) -> None:
    k = max(blocks)
    largest, _ = chance.largest_gap_null(1, n, blocks)
    assert np.array_equal(largest, np.sort(chance.simulated_largest_gaps(1, n, blocks)))
    lowest, _ = chance.top_consensus_null(n, blocks)
    sums = np.sort(chance.simulated_lowest_sums(n, k, len(blocks)))
    assert np.array_equal(lowest, (sums - n * (k + 1) / 2) / (n * k))  # to the last bit


@pytest.mark.slow
def test_the_stored_focus_nulls_are_what_the_writer_writes() -> None:
    assert chance.write_focus_nulls() == (SRC / "analysis" / "focus_nulls.py").read_text("utf-8")


def test_random_ranks_are_the_ranks_of_uniform_draws() -> None:
    draws = chance.random_ranks(chance.rng_for(4, 7), 500, 4, 7)
    again = chance.rng_for(4, 7).random((500, 4, 7)).argsort(axis=-1).argsort(axis=-1) + 1.0
    assert np.array_equal(draws, again)


def test_mean_rho_critical_of_two_blocks_of_six() -> None:
    rhos = np.array([sp.spearmanr(range(6), p).statistic for p in itertools.permutations(range(6))])
    means = np.abs((rhos[:, None] + rhos[None, :]) / 2).ravel()
    levels = np.unique(np.round(means, 9))
    tail = np.array([(means >= level - 1e-9).mean() for level in levels])
    assert stats.mean_rho_critical((6, 6)) == pytest.approx(levels[tail <= 0.05].min())
    assert stats.mean_rho_critical((6, 6)) == pytest.approx(22 / 35)


def _leaders(rows_of: list[list[tuple[str, list[float]]]]) -> list[object]:
    from coachkit.analysis import analyze

    rows = [(f"L{n}", group, ranks) for n, leader in enumerate(rows_of) for group, ranks in leader]
    return list(analyze(dataset_for(rows)).subjects)


SIZES = [("manager", 1), ("peer", 6), ("direct_report", 4)]


def _random_leader(sizes: list[tuple[str, int]]) -> list[tuple[str, list[float]]]:
    rows = [("self", list(_rankings(1)[0]))]
    return rows + [(g, list(r)) for g, n in sizes for r in _rankings(n)]


def _opposite_leader(noise: float) -> list[tuple[str, list[float]]]:
    """Self and every other rater see the dimensions the opposite way round, each with noise."""
    taste = RNG.permutation(K) / 3.0

    def ranking(utility: np.ndarray) -> list[float]:
        return list(np.argsort(np.argsort(-(utility + RNG.normal(0, noise, K)))) + 1.0)

    return [("self", ranking(taste))] + [(g, ranking(-taste)) for g, n in SIZES for _ in range(n)]


def test_focus_strengths_and_gaps_on_random_leaders_are_rarely_findings() -> None:
    subjects = _leaders([_random_leader(SIZES) for _ in range(400)])
    beyond = [any(f.beyond_chance for f in s.coaching_focus) for s in subjects]  # type: ignore[attr-defined]
    assert np.mean(beyond) <= 0.10
    assert np.mean([bool(s.strengths) for s in subjects]) <= 0.10  # type: ignore[attr-defined]
    adjusted = [
        any(n.p_adjusted <= 0.05 for b in s.blocks for c in b.comparisons for n in c.notable)  # type: ignore[attr-defined]
        for s in subjects
    ]
    assert np.mean(adjusted) <= 0.10
    contrasts = [c.p_value <= 0.05 for s in subjects for c in s.tilt_contrasts]  # type: ignore[attr-defined]
    assert np.mean(contrasts) <= 0.10
    listed = [bool(s.coaching_focus) for s in subjects]  # type: ignore[attr-defined]
    assert np.mean(listed) > 0.9  # coaches still get the largest differences to ask about


@pytest.mark.parametrize("direction", ["others_higher", "self_higher"])
def test_focus_on_opposite_views_is_mostly_beyond_chance_in_each_direction(
    direction: str,
) -> None:
    # one manager, six peers and four direct reports who see it the opposite way to self
    subjects = _leaders([_opposite_leader(1.0) for _ in range(120)])
    found = [
        any(f.beyond_chance and f.direction == direction for f in s.coaching_focus)  # type: ignore[attr-defined]
        for s in subjects
    ]
    assert np.mean(found) >= 0.6
    # the evidence is every other rater's; the manager is context, one person's view
    assert all(f.group == "all_others" for s in subjects for f in s.coaching_focus)  # type: ignore[attr-defined]
    assert all(f.reference is not None for s in subjects for f in s.coaching_focus)  # type: ignore[attr-defined]


@pytest.mark.parametrize("m", [3, 5, 10])
def test_mean_rank_intervals_cover_the_population(m: int) -> None:
    """Through the whole analysis: a report's mean-rank intervals hold the population's mean
    ranks (tests/test_intervals.py checks them dimension by dimension, under many models)."""
    from coachkit.analysis import analyze

    # a population with clear preferences (Plackett-Luce around a taste)
    taste = np.linspace(2.0, -2.0, K)

    def draw(n: int) -> np.ndarray:
        utility = taste + RNG.gumbel(size=(n, K))
        return np.argsort(np.argsort(-utility, axis=1), axis=1) + 1.0

    population = 1 + (1 / (1 + np.exp(taste[:, None] - taste[None, :]))).sum(axis=1) - 0.5
    leaders = 150
    rows = [(f"L{n}", "peer", list(r)) for n in range(leaders) for r in draw(m)]
    report = analyze(dataset_for(rows))
    covered = []
    for subject in report.subjects:
        block = subject.blocks[0]
        for d, (lo, hi) in block.mean_rank_ci["peer"].items():
            covered.append(lo - 1e-9 <= population[list(block.dimensions).index(d)] <= hi + 1e-9)
    assert len(covered) == leaders * K
    assert np.mean(covered) >= 0.92
