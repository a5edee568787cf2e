"""The intervals over raters, checked: coverage of the population's value, simulated under several
models of rankings; never zero width; all cells at once against each cell alone; t against scipy."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats as sp

from coachkit.analysis.raters import (
    Cells,
    cells,
    gap_interval,
    mean_rank_intervals,
    t975,
    tilt_intervals,
)
from conftest import dataset_for

K = 12
# The instrument's families (the first six, the last six) and families whose tilt is near 0.
FAMILIES = [(list(range(6)), list(range(6, 12))), (list(range(0, 12, 2)), list(range(1, 12, 2)))]


@dataclass(frozen=True)
class Model:
    """A population of raters: how one rater ranks (`draw`) and the expected rank of each
    dimension over the population (`expected`, exact)."""

    name: str
    draw: Callable[[np.random.Generator, int], np.ndarray]
    expected: np.ndarray


def _ranks_of(utility: np.ndarray) -> np.ndarray:
    """Ranks (1 = highest utility) of each row."""
    return np.argsort(np.argsort(-utility, axis=1), axis=1) + 1.0


def mallows(q: float, k: int = K) -> Model:
    """Mallows' model around the order 1..k, dispersion q (0: unanimous, 1: at random), drawn by
    repeated insertion; expected ranks from its exact pairwise probabilities."""

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        place = np.zeros((n, k), dtype=np.int64)
        for i in range(1, k):
            weights = q ** (i - np.arange(i + 1))
            at = rng.choice(i + 1, size=n, p=weights / weights.sum())
            place[:, :i] += place[:, :i] >= at[:, None]
            place[:, i] = at
        return place + 1.0

    d = np.abs(np.arange(k)[:, None] - np.arange(k)[None, :]).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):  # d = 0 (the diagonal), q = 1: 0/0
        earlier_first = (d + 1) / (1 - q ** (d + 1)) - d / (1 - q**d)
    earlier_first = np.where((d == 0) | (q == 1), 0.5, earlier_first)  # P(i ahead of j), i < j
    ahead = np.where(
        np.arange(k)[None, :] < np.arange(k)[:, None], earlier_first, 1 - earlier_first
    )
    return Model(f"Mallows q={q}", draw, 1 + ahead.sum(axis=1) - 0.5)


def thurstone(noise: float, k: int = K) -> Model:
    """Ranks of fixed utilities plus normal noise of sd `noise` (utilities 2 apart end to end)."""
    utility = np.linspace(1.0, -1.0, k)

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        return _ranks_of(utility + noise * rng.standard_normal((n, k)))

    ahead = sp.norm.cdf((utility[None, :] - utility[:, None]) / (noise * np.sqrt(2)))
    return Model(f"Thurstone sd={noise}", draw, 1 + ahead.sum(axis=1) - 0.5)


def plackett_luce(beta: float, k: int = K, weights: np.ndarray | None = None) -> Model:
    """Plackett-Luce with weights exp(beta * taste), drawn as ranks of log weights plus Gumbel
    noise; P(j before i) = w_j / (w_i + w_j) exactly."""
    w = np.exp(beta * np.linspace(1.0, -1.0, k)) if weights is None else weights

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        return _ranks_of(np.log(w) + rng.gumbel(size=(n, k)))

    ahead = w[None, :] / (w[:, None] + w[None, :])
    name = f"Plackett-Luce beta={beta}" if weights is None else "Plackett-Luce, given weights"
    return Model(name, draw, 1 + ahead.sum(axis=1) - 0.5)


def at_random(k: int = K) -> Model:
    """Every ranking equally likely."""

    def draw(rng: np.random.Generator, n: int) -> np.ndarray:
        return _ranks_of(rng.random((n, k)))

    return Model("at random", draw, np.full(k, (k + 1) / 2))


def reversed_model(model: Model) -> Model:
    """The same population with the order of its taste reversed."""
    return Model(
        f"{model.name}, reversed",
        lambda rng, n: model.draw(rng, n)[:, ::-1],
        model.expected[::-1],
    )


MODELS = [
    *(mallows(q) for q in (0.1, 0.4, 0.7, 0.9)),
    *(thurstone(s) for s in (0.05, 0.3, 1.5)),
    *(plackett_luce(b) for b in (1.0, 3.0, 6.0)),
    at_random(),
]


def _stacked(ranks: np.ndarray, m: int) -> Cells:
    """Consecutive runs of m rows as the cells of as many subjects (one group each)."""
    n = len(ranks) // m
    return Cells(ranks, (np.arange(n) * m)[:, None], np.full((n, 1), m))


def _covered(interval: np.ndarray, truth: np.ndarray) -> np.ndarray:
    return (interval[..., 0] <= truth + 1e-9) & (truth - 1e-9 <= interval[..., 1])


def mean_rank_coverage(model: Model, m: int, replicates: int, seed: int) -> np.ndarray:
    """Per dimension, how often the interval of m raters holds the population's mean rank."""
    ranks = model.draw(np.random.default_rng(seed), replicates * m)
    intervals = mean_rank_intervals(_stacked(ranks, m), np.full(K, float(K)))[:, 0]
    return np.asarray(_covered(intervals, model.expected).mean(axis=0))


def tilt_coverage(
    model: Model, m: int, replicates: int, seed: int, head: list[int], tail: list[int]
) -> float:
    """How often the tilt interval of m raters holds the population's tilt."""
    ranks = model.draw(np.random.default_rng(seed), replicates * m)
    truth = model.expected[tail].mean() - model.expected[head].mean()
    intervals = tilt_intervals(_stacked(ranks, m), head, tail)[:, 0]
    return float(_covered(intervals, truth).mean())


def gap_coverage(
    a: Model, b: Model, sizes: tuple[int, int], replicates: int, seed: int
) -> np.ndarray:
    """Per dimension, how often the gap interval of two groups of `sizes` raters drawn from `a`
    and `b` holds the population's gap (b's expected rank minus a's)."""
    rng = np.random.default_rng(seed)
    rows_a = a.draw(rng, replicates * sizes[0]).reshape(replicates, sizes[0], K)
    rows_b = b.draw(rng, replicates * sizes[1]).reshape(replicates, sizes[1], K)
    truth = b.expected - a.expected
    hits = np.zeros(K)
    for x, y in zip(rows_a, rows_b, strict=True):
        interval = gap_interval(x, y, K - 1)
        assert interval is not None
        hits += _covered(interval, truth)
    return hits / replicates


GAP_PAIRS = [
    (mallows(0.1), mallows(0.7)),  # near-unanimous against diffuse raters of the same taste
    (plackett_luce(3.0), thurstone(0.3)),
    (mallows(0.4), reversed_model(mallows(0.4))),  # opposite views: gaps near +/- 10
    (at_random(), plackett_luce(6.0)),
    (thurstone(0.05), thurstone(0.05)),  # both near-unanimous: no gap at all
    (mallows(0.9), mallows(0.9)),
]
SIZES = [(3, 3), (8, 8), (3, 8)]


@pytest.mark.parametrize("m", [3, 8])
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.name)
def test_mean_rank_intervals_cover_the_population_in_every_dimension(model: Model, m: int) -> None:
    """At least 92% over all dimensions and 88% in each, the extreme ones included, from
    near-random to near-unanimous populations (measured with 20,000 groups: 94.7% to 100%
    overall, 94.4% in the worst dimension; 2,000 groups here, whose noise is about 0.5%)."""
    coverage = mean_rank_coverage(model, m, 2000, seed=m)
    assert coverage.mean() >= 0.92, coverage
    assert coverage.min() >= 0.88, coverage


@pytest.mark.parametrize("families", FAMILIES, ids=["first six", "alternate"])
@pytest.mark.parametrize("m", [3, 8])
def test_tilt_intervals_cover_the_population(m: int, families: tuple[list[int], list[int]]) -> None:
    for model in MODELS:
        coverage = tilt_coverage(model, m, 1500, seed=m, head=families[0], tail=families[1])
        assert coverage >= 0.92, (model.name, coverage)


@pytest.mark.parametrize("sizes", SIZES, ids=str)
def test_gap_intervals_cover_the_population_in_every_dimension(sizes: tuple[int, int]) -> None:
    for a, b in GAP_PAIRS:
        coverage = gap_coverage(a, b, sizes, 500, seed=sum(sizes))
        assert coverage.mean() >= 0.92, (a.name, b.name, coverage)
        assert coverage.min() >= 0.88, (a.name, b.name, coverage)


@pytest.mark.slow  # `python -m pytest -m slow` runs it
def test_coverage_sweep() -> None:
    """Many more models and group sizes, blocks of 6 as well as 12, 20,000 groups each."""
    k6 = [mallows(q, 6) for q in (0.1, 0.3, 0.5, 0.8)] + [plackett_luce(b, 6) for b in (2, 6)]
    rng = np.random.default_rng(3)
    more = [
        *(mallows(q) for q in (0.05, 0.2, 0.3, 0.5, 0.6, 0.8, 1.0)),
        *(plackett_luce(b) for b in (0.5, 2.0, 4.0, 8.0)),
        plackett_luce(0, weights=np.exp(rng.standard_normal(K))),
        plackett_luce(0, weights=np.exp(3 * rng.standard_normal(K))),
        *(thurstone(s) for s in (0.1, 0.2, 0.7, 3.0)),
    ]
    for model in more + MODELS:
        for m in (3, 4, 5, 6, 8, 12, 20):
            coverage = mean_rank_coverage(model, m, 20_000, seed=m)
            assert coverage.mean() >= 0.92 and coverage.min() >= 0.88, (model.name, m, coverage)
            for head, tail in FAMILIES:
                assert tilt_coverage(model, m, 20_000, m, head, tail) >= 0.92, (model.name, m)
    for model in k6:
        for m in (3, 5, 8):
            ranks = model.draw(np.random.default_rng(m), 20_000 * m)
            found = mean_rank_intervals(_stacked(ranks, m), np.full(6, 6.0))[:, 0]
            coverage = _covered(found, model.expected).mean(axis=0)
            assert coverage.mean() >= 0.92 and coverage.min() >= 0.88, (model.name, m, coverage)
    for (a, b), sizes in itertools.product(GAP_PAIRS, [*SIZES, (4, 12), (5, 5)]):
        coverage = gap_coverage(a, b, sizes, 4000, seed=1)
        assert coverage.mean() >= 0.92 and coverage.min() >= 0.88, (a.name, b.name, sizes)


def test_intervals_narrow_with_more_raters_and_more_agreement() -> None:
    """Honest is not the whole range: agreement and more raters both narrow the intervals."""
    bounds = np.full(K, float(K))

    def width(model: Model, m: int) -> float:
        ranks = model.draw(np.random.default_rng(1), 500 * m)
        found = mean_rank_intervals(_stacked(ranks, m), bounds)
        return float((found[..., 1] - found[..., 0]).mean())

    assert width(mallows(0.1), 8) < width(mallows(0.7), 8) < width(mallows(0.7), 3) < K - 1
    assert width(mallows(0.1), 8) < 2.0
    assert width(mallows(0.1), 20) < 1.0


def test_identical_rankings_still_leave_room() -> None:
    """Three raters who rank alike do not prove that everyone would: every interval has width,
    and the half-width is at least 1 - 0.025^(1/m) places (the rule of three's share of raters
    who might differ, a place apart)."""
    same = np.tile(np.arange(1.0, K + 1), (3, 1))
    found = mean_rank_intervals(_stacked(same, 3), np.full(K, float(K)))[0, 0]
    assert (found[:, 1] - found[:, 0] > 0.5).all()
    assert found[0, 0] == 1.0 and found[0, 1] > 2.0  # the top item's population could be lower
    assert ((found[:, 0] <= same[0]) & (same[0] <= found[:, 1])).all()
    tilt = tilt_intervals(_stacked(same, 3), *FAMILIES[0])[0, 0]
    assert tilt[1] == 6.0 and tilt[0] < 6.0 - 1
    gap = gap_interval(same, same, K - 1)
    assert gap is not None and (gap[:, 0] < 0).all() and (gap[:, 1] > 0).all()
    # raters who all rank an item at the middle of the range: the floor alone
    middle = np.full((5, 2), 2.5)
    found = mean_rank_intervals(_stacked(middle, 5), np.array([4.0, 4.0]))[0, 0]
    floor = 1 - 0.025 ** (1 / 5)
    assert found.ravel() == pytest.approx([2.5 - floor, 2.5 + floor] * 2, abs=1e-12)


def test_no_intervals_below_three_raters_or_when_asked_for_none() -> None:
    from coachkit.analysis import analyze
    from conftest import dataset_for

    few = _stacked(np.tile(np.arange(1.0, K + 1), (4, 1)), 2)
    assert np.isnan(mean_rank_intervals(few, np.full(K, 12.0))).all()
    assert np.isnan(tilt_intervals(few, *FAMILIES[0])).all()
    three = _stacked(np.tile(np.arange(1.0, K + 1), (3, 1)), 3)
    assert gap_interval(three.ranks[:2], three.ranks, K - 1) is None
    rows = [("Ann", "self", list(range(1, 13)))]
    rows += [("Ann", "peer", list(range(1, 13))) for _ in range(3)]
    rows += [("Ann", "direct_report", list(range(12, 0, -1))) for _ in range(3)]
    (subject,) = analyze(dataset_for(rows)).subjects
    (block,) = subject.blocks
    assert set(block.mean_rank_ci) == {"peer", "direct_report", "all_others"}
    assert block.tilt is not None and block.tilt["peer"].ci is not None
    (bare,) = analyze(dataset_for(rows), intervals=False).subjects
    (block,) = bare.blocks
    assert block.mean_rank_ci == {}
    assert block.tilt is not None and block.tilt["peer"].ci is None


def _reference(values: np.ndarray, middle: float, unit: float) -> tuple[float, float, float, float]:
    """One group's estimate, written out as a weighted sample: its m raters (weight 1) and half
    a rater per step (`unit`) at `middle`; returns the center, the squared standard error, the
    floor of the half-width and m."""
    m = len(values)
    x = np.append(values, middle)
    w = np.append(np.ones(m), 0.5 * unit)
    center = float(np.average(x, weights=w))
    spread = float((w * (x - center) ** 2).sum() / (w.sum() - 1))
    return center, spread / w.sum(), unit * (1 - 0.025 ** (1 / m)), m


def test_all_cells_at_once_are_each_cells_own() -> None:
    """Mean-rank and tilt intervals of every cell at once equal, to rounding, each cell's own
    computed from its raters alone (scipy's t, a weighted sample); and each holds the cell's own
    mean."""
    rng = np.random.default_rng(11)
    rows = [
        (f"L{s}", group, list(rng.permutation(12) + 1.0))
        for s in range(8)
        for group, n in (("self", 1), ("manager", 1), ("peer", 2 + s % 4), ("direct_report", 4))
        for _ in range(n)
    ]
    all_cells = cells(dataset_for(rows))
    head, tail = FAMILIES[0]
    means = mean_rank_intervals(all_cells, np.full(K, 12.0))
    tilts = tilt_intervals(all_cells, head, tail)
    checked = 0
    for s, g in itertools.product(*map(range, all_cells.counts.shape)):
        cell = all_cells.rows(s, g)
        if len(cell) < 3:
            assert np.isnan(means[s, g]).all() and np.isnan(tilts[s, g]).all()
            continue
        t = sp.t.ppf(0.975, len(cell) - 1)
        for d in range(K):
            center, error, floor, _ = _reference(cell[:, d], 6.5, 1.0)
            half = max(t * np.sqrt(error), floor)
            expected = np.clip([center - half, center + half], 1, 12)
            assert means[s, g, d] == pytest.approx(expected, abs=1e-5), (s, g, d)
            assert means[s, g, d, 0] <= cell[:, d].mean() <= means[s, g, d, 1]
        values = cell[:, tail].mean(axis=1) - cell[:, head].mean(axis=1)
        center, error, floor, _ = _reference(values, 0.0, 1 / 6 + 1 / 6)
        half = max(t * np.sqrt(error), floor)
        assert tilts[s, g] == pytest.approx(
            np.clip([center - half, center + half], -6, 6), abs=1e-5
        )
        checked += 1
    assert checked == 6 + 8 + 8  # peers (from 3 on), direct reports, the pooled groups


@pytest.mark.parametrize("seed", range(4))
def test_gap_interval_is_welchs_on_each_groups_estimate(seed: int) -> None:
    """Welch's interval with scipy's t at the fractional degrees of freedom, written out per
    dimension; ours is at least as wide (its t never lower) and at most 0.5% wider."""
    rng = np.random.default_rng(seed)
    a = np.array([rng.permutation(K) + 1.0 for _ in range(int(rng.integers(3, 9)))])
    b = np.array([rng.permutation(K) + 1.0 for _ in range(int(rng.integers(3, 9)))])
    a[:, 0] = 1.0  # one dimension every rater of a ranks first
    found = gap_interval(a, b, K - 1)
    assert found is not None
    for d in range(K):
        (ca, ea, fa, ma), (cb, eb, fb, mb) = (_reference(x[:, d], 6.5, 1.0) for x in (a, b))
        ea = max(ea, (fa / sp.t.ppf(0.975, ma - 1)) ** 2)  # each group's floored error
        eb = max(eb, (fb / sp.t.ppf(0.975, mb - 1)) ** 2)
        df = (ea + eb) ** 2 / (ea**2 / (ma - 1) + eb**2 / (mb - 1))
        half = sp.t.ppf(0.975, df) * np.sqrt(ea + eb)
        low, high = found[d]
        assert cb - ca - half * 1.005 <= low <= cb - ca - half + 1e-9 or low == -(K - 1)
        assert cb - ca + half - 1e-9 <= high <= cb - ca + half * 1.005 or high == K - 1


def test_t_quantiles_match_scipy_and_never_fall_below() -> None:
    whole = np.arange(1, 200)
    assert t975(whole) == pytest.approx(sp.t.ppf(0.975, whole), rel=1e-6)
    fractional = np.concatenate([np.linspace(1, 60, 3001), [2.5, 30.5, 1e3, 1e6]])
    exact = sp.t.ppf(0.975, fractional)
    found = t975(fractional)
    assert (found >= exact).all()
    assert (found <= exact * np.where(fractional >= 2, 1.005, 1.03)).all()
    assert float(t975(7)) == pytest.approx(2.364624, abs=2e-6)
    assert np.isnan(t975(np.nan))
