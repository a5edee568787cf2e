"""The statistics, checked against scipy (tests only), exact enumeration and hand-worked values."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as sp

from coachkit.analysis import stats
from coachkit.analysis.arrays import (
    chi2_sf_array,
    kendall,
    rank_rows,
    rank_sum_p_values,
    spearman_rows,
    tie_terms,
)
from conftest import dataset_for

RANKINGS = st.permutations(list(range(1, 13)))


def kendall_w(ranks: np.ndarray) -> tuple[float, float, float] | None:
    """Kendall's W of one group of raters, through the vectorized code."""
    ties = np.array([[tie_terms(ranks).sum()]])
    w, chi2, p = kendall(ranks.sum(axis=0)[None, None, :], np.array([[len(ranks)]]), ties)
    return None if np.isnan(w[0, 0]) else (float(w[0, 0]), float(chi2[0, 0]), float(p[0, 0]))


def rank_sum_p_value(total: float, size: int, k: int, m: int) -> float:
    return float(
        rank_sum_p_values(np.array([[total]], dtype=float), np.array([[m]]), size, k)[0, 0]
    )


VECTORS = st.lists(st.integers(1, 6), min_size=12, max_size=12)


@given(VECTORS)
def test_rank_rows_matches_scipy(values: list[int]) -> None:
    np.testing.assert_allclose(rank_rows(np.array(values, float)), sp.rankdata(values))


@given(VECTORS, VECTORS)
def test_spearman_matches_scipy(a: list[int], b: list[int]) -> None:
    rho = float(spearman_rows(rank_rows(np.array(a, float)), rank_rows(np.array(b, float))))
    if len(set(a)) == 1 or len(set(b)) == 1:
        assert rho != rho  # NaN: undefined
    else:
        assert rho == pytest.approx(sp.spearmanr(a, b).statistic, abs=1e-12)


@given(st.lists(RANKINGS, min_size=2, max_size=8))
def test_kendall_w_without_ties_matches_friedman(rankings: list[list[int]]) -> None:
    matrix = np.array(rankings, float)
    result = kendall_w(matrix)
    assert result is not None
    w, chi2, p = result
    friedman = sp.friedmanchisquare(*matrix.T)
    m, k = matrix.shape
    assert w == pytest.approx(friedman.statistic / (m * (k - 1)), abs=1e-12)
    assert chi2 == pytest.approx(friedman.statistic, abs=1e-9)
    assert p == pytest.approx(friedman.pvalue, rel=1e-9, abs=1e-15)
    assert 0 <= w <= 1


def test_kendall_w_with_ties_by_hand() -> None:
    # Three raters, four items; rater 3 ties items 3 and 4 (rank 3.5 each).
    ranks = np.array([[1, 2, 3, 4], [2, 1, 3, 4], [1, 2, 3.5, 3.5]])
    # R = (4, 5, 9.5, 11.5), mean 7.5, S = 12.25 + 6.25 + 4 + 16 = 38.5
    # T = 2^3 - 2 = 6; W = 12 * 38.5 / (9 * 60 - 3 * 6) = 462 / 522
    w, chi2, p = kendall_w(ranks)  # type: ignore[misc]
    assert w == pytest.approx(462 / 522)
    assert chi2 == pytest.approx(3 * 3 * 462 / 522)
    assert p == pytest.approx(sp.chi2.sf(3 * 3 * 462 / 522, 3))
    # scipy's Friedman test applies the same tie correction.
    assert chi2 == pytest.approx(sp.friedmanchisquare(*ranks.T).statistic)


def test_kendall_w_perfect_agreement_and_undefined() -> None:
    same = np.tile(np.arange(1.0, 13.0), (4, 1))
    assert kendall_w(same)[0] == pytest.approx(1.0)  # type: ignore[index]
    assert kendall_w(same[:1]) is None
    assert kendall_w(np.full((3, 12), 6.5)) is None


def _one_rater_null() -> list[int]:
    return [sum(c) for c in itertools.combinations(range(1, 13), 6)]


def test_tilt_p_values_by_hand_count() -> None:
    # Of the 924 ways to place 6 competencies among 12 ranks, 19 have a rank sum <= 26 (and 19 >= 52).
    sums = _one_rater_null()
    assert (sum(s <= 26 for s in sums), sum(s >= 52 for s in sums), sum(s <= 27 for s in sums)) == (
        19,
        19,
        30,
    )
    assert rank_sum_p_value(26, 6, 12, 1) == pytest.approx(38 / 924)
    assert rank_sum_p_value(27, 6, 12, 1) == pytest.approx(60 / 924)
    assert rank_sum_p_value(52, 6, 12, 1) == pytest.approx(38 / 924)
    assert rank_sum_p_value(39, 6, 12, 1) == pytest.approx(1.0)


@pytest.mark.parametrize("total", [21, 26, 30, 39, 45, 57])
def test_tilt_p_value_one_rater_by_enumeration(total: int) -> None:
    sums = _one_rater_null()
    extreme = sum(1 for s in sums if abs(s - 39) >= abs(total - 39))
    assert rank_sum_p_value(total, 6, 12, 1) == pytest.approx(extreme / len(sums))


@pytest.mark.parametrize("total", [50, 60, 66, 78, 100])
def test_tilt_p_value_two_raters_by_enumeration(total: int) -> None:
    sums = np.add.outer(_one_rater_null(), _one_rater_null()).ravel()
    expected = float(np.mean(np.abs(sums - 78) >= abs(total - 78)))
    assert rank_sum_p_value(total, 6, 12, 2) == pytest.approx(expected)


def test_tilt_null_for_many_raters_is_a_distribution() -> None:
    null = stats.rank_sum_null(6, 12, 400)
    assert null.sum() == pytest.approx(1.0)
    mean = float((np.arange(len(null)) * null).sum())
    assert mean == pytest.approx(400 * 39)
    # variance of one rank sum: n1 n2 (N + 1) / 12 = 39; sums of 400 add up
    variance = float(((np.arange(len(null)) - mean) ** 2 * null).sum())
    assert variance == pytest.approx(400 * 39, rel=1e-6)


@pytest.mark.parametrize("k", [6, 12])
def test_gap_chance_by_enumeration(k: int) -> None:
    for d in range(1, k):
        exact = Fraction(sum(1 for a in range(k) for b in range(k) if abs(a - b) >= d), k * k)
        assert stats.gap_chance(d, k) == pytest.approx(float(exact))
    assert stats.gap_chance(6, 12) == pytest.approx(0.2917, abs=1e-4)
    assert stats.gap_chance(8, 12) == pytest.approx(0.1389, abs=1e-4)
    assert stats.gap_chance(6.5, 12) == stats.gap_chance(7, 12)


@pytest.mark.parametrize("k", [6, 7, 8])
def test_rho_critical_by_enumeration(k: int) -> None:
    # Every ranking against a fixed one: |rho| >= critical must happen at most 5% of the time.
    base = np.arange(1, k + 1)
    rhos = np.array(
        [
            1 - 6 * ((base - np.array(p)) ** 2).sum() / (k**3 - k)
            for p in itertools.permutations(base)
        ]
    )
    critical = stats.rho_critical(k)
    assert np.mean(np.abs(rhos) >= critical - 1e-9) <= 0.05
    below = np.abs(rhos)[np.abs(rhos) < critical - 1e-9].max()
    assert np.mean(np.abs(rhos) >= below - 1e-9) > 0.05


def test_rho_critical_for_twelve_is_the_spec_value() -> None:
    assert stats.rho_critical(12) == pytest.approx(0.587, abs=5e-4)
    assert stats.rho_critical(11) == pytest.approx(0.618, abs=5e-4)
    assert math.isfinite(stats.rho_critical(40)) and 0.3 < stats.rho_critical(40) < 0.32


@pytest.mark.parametrize("df", [1, 2, 5, 6, 11])
def test_vectorized_chi2_sf_matches_scipy(df: int) -> None:
    x = np.array([0.0, 0.01, 0.7, 3.0, 11.0, 25.0, 90.0, np.nan])
    np.testing.assert_allclose(
        chi2_sf_array(x, df)[:-1], sp.chi2.sf(x[:-1], df), rtol=1e-9, atol=1e-300
    )
    assert np.isnan(chi2_sf_array(x, df)[-1])


@given(st.lists(VECTORS, min_size=1, max_size=5))
def test_vectorized_ranks_and_rank_sums(rows: list[list[int]]) -> None:
    matrix = np.array(rows, float)
    np.testing.assert_allclose(rank_rows(matrix), sp.rankdata(matrix, axis=1))
    totals = matrix[:, :6].sum(axis=1, keepdims=True) * 3
    counts = np.full_like(totals, 3, dtype=np.int64)
    # The null of three raters by enumeration: the one-rater sums, convolved with numpy.
    one = np.bincount(_one_rater_null()) / 924
    three = np.convolve(np.convolve(one, one), one)
    support = np.arange(len(three))
    expected = [three[np.abs(support - 117) >= abs(t - 117) - 1e-9].sum() for t in totals[:, 0]]
    np.testing.assert_allclose(rank_sum_p_values(totals, counts, 6, 12)[:, 0], expected)


def test_normal_rank_sum_p_beyond_the_exact_range() -> None:
    m = stats.EXACT_RATERS
    for offset in (0, 40, 120, 300):
        total = 39 * m + offset
        exact = rank_sum_p_value(total, 6, 12, m)
        normal = float(stats.rank_sum_normal_p(np.array([offset - 1e-9]), 6, 12, m)[0])
        assert normal == pytest.approx(exact, abs=2e-3)
    assert rank_sum_p_value(39 * 5000 + 10, 6, 12, 5000) == pytest.approx(
        sp.norm.sf((10 - 0.5) / np.sqrt(39 * 5000)) * 2, rel=1e-9
    )


def test_where_self_stands_is_counted_for_every_cell_at_once() -> None:
    """Each cell's raters compared with the leader's one self-assessment, one by one."""
    from coachkit.analysis import raters

    rng = np.random.default_rng(8)
    rows = [
        (f"L{s}", group, list(rng.permutation(12) + 1.0))
        for s in range(7)
        for group, n in (("self", 1 + (s == 3)), ("peer", 2 + s % 3), ("direct_report", s % 2))
        for _ in range(n)
    ]
    dataset = dataset_for(rows)
    all_cells = raters.cells(dataset)
    me = dataset.instrument.group_ids.index("self")
    counted = raters.self_among(all_cells, me)
    for s, g in itertools.product(*map(range, all_cells.counts.shape)):
        own = all_cells.rows(s, me)
        expected = np.zeros((12, 3), dtype=np.int64)
        if len(own) == 1:  # a leader with two self-assessments gets no comparison
            for rater in all_cells.rows(s, g):
                expected[:, 0] += rater < own[0]
                expected[:, 1] += rater == own[0]
                expected[:, 2] += rater > own[0]
        assert np.array_equal(counted[s, g], expected), (s, g)
    assert counted.sum() > 0


@pytest.mark.parametrize(
    ("rho", "words"),
    [
        (0.8, "strong agreement"),
        (0.79, "some agreement"),
        (0.3, "some agreement"),
        (0.29, "little agreement on priorities"),
        (-0.3, "leaning toward opposite priorities"),
        (-0.29, "little agreement on priorities"),
        (-0.8, "opposite priorities"),
        (-0.79, "leaning toward opposite priorities"),
    ],
)
def test_agreement_words_change_at_the_bands_edges(rho: float, words: str) -> None:
    from coachkit.policy import BANDS

    assert BANDS.agreement(rho) == words
