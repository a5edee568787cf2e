"""The few statistics coachkit needs, in numpy and the standard library (no scipy at run time)."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from coachkit.policy import ALPHA

# Exact two-sided 5% critical values of Spearman's rho for small k, as the largest sum of squared
# rank differences D with P(|rho| >= 1 - 6D / (k^3 - k)) <= .05 under random ranking (k <= 10 by
# enumeration; 11 and 12 from the published tables, 0.618 and 0.587).
_CRITICAL_D = {5: 0, 6: 4, 7: 12, 8: 22, 9: 36, 10: 58, 11: 84, 12: 118}


def rho_critical(k: int) -> float:
    """|rho| needed for p <= .05 two-sided with k items (exact for k <= 12, t approximation above)."""
    if k in _CRITICAL_D:
        return 1 - 6 * _CRITICAL_D[k] / (k**3 - k)
    if k < 5:
        return math.inf
    t = 1.96 + 2.4 / (k - 2)  # close to the t quantile at 0.975 for these degrees of freedom
    return t / math.sqrt(k - 2 + t * t)


@lru_cache(maxsize=64)
def _subset_sum_null(size: int, k: int) -> np.ndarray:
    """P(sum = s) for the sum of `size` positions drawn at random from 1..k, indexed by s."""
    # counts[j][s]: subsets of j positions from those seen so far with sum s.
    top = size * k
    counts = np.zeros((size + 1, top + 1), dtype=np.float64)
    counts[0, 0] = 1.0
    for position in range(1, k + 1):
        counts[1:, position:] += counts[:-1, : top + 1 - position].copy()
    return np.asarray(counts[size] / counts[size].sum(), dtype=np.float64)


@lru_cache(maxsize=256)
def rank_sum_null(size: int, k: int, m: int) -> np.ndarray:
    """P(total = s) for the sum over m independent random rankings of one family's rank sum."""
    one = _subset_sum_null(size, k)
    result = np.array([1.0])
    power = one
    while m:
        if m & 1:
            result = _convolve(result, power)
        m >>= 1
        if m:
            power = _convolve(power, power)
    return result


def _convolve(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if min(len(a), len(b)) < 512:
        return np.convolve(a, b)
    n = len(a) + len(b) - 1
    size = 1 << (n - 1).bit_length()
    out = np.fft.irfft(np.fft.rfft(a, size) * np.fft.rfft(b, size), size)[:n]
    return np.clip(out, 0.0, None)


# Above this many raters the rank-sum null is all but normal; its exact convolution is not computed.
EXACT_RATERS = 1000


def rank_sum_normal_p(deviation: np.ndarray, size: int, k: int, m: int) -> np.ndarray:
    """Two-sided p of |rank sum - expected| >= deviation by the normal approximation.

    One rater's rank sum has variance size (k - size) (k + 1) / 12; m raters add up. The
    continuity correction of half a place matches the exact null closely from a few hundred raters.
    """
    sd = math.sqrt(m * size * (k - size) * (k + 1) / 12.0)
    z = np.maximum(np.asarray(deviation, dtype=np.float64) - 0.5, 0.0) / (sd * math.sqrt(2.0))
    return np.array([math.erfc(v) for v in z.ravel().tolist()]).reshape(z.shape)


def gap_chance(gap: float, k: int) -> float:
    """P(|gap| >= d) between two random rankings of k items: (k - d)(k - d + 1) / k^2, d whole."""
    d = math.ceil(abs(gap) - 1e-9)
    if d <= 0:
        return 1.0
    if d >= k:
        return 0.0
    return (k - d) * (k - d + 1) / (k * k)


@lru_cache(maxsize=32)
def _rho_null(k: int) -> tuple[np.ndarray, np.ndarray]:
    """Spearman's rho between a ranking and a random permutation of k items: values and their
    probabilities, by enumerating every permutation (k <= 8)."""
    from itertools import permutations

    base = np.arange(k)
    squares = np.array([int(((np.array(p) - base) ** 2).sum()) for p in permutations(range(k))])
    values, counts = np.unique(squares, return_counts=True)
    return 1 - 6 * values / (k**3 - k), counts / counts.sum()


def mean_rho_critical(sizes: tuple[int, ...]) -> float:
    """|mean rho| needed for p <= ALPHA two-sided, for the mean of independent Spearman rhos of
    blocks of these sizes (the by-family scheme's agreement): exact for blocks of up to 8 items,
    the normal approximation beyond."""
    if len(sizes) == 1:
        return rho_critical(sizes[0])
    if max(sizes) > 8:
        return 1.959964 * math.sqrt(sum(1 / (k - 1) for k in sizes)) / len(sizes)
    values, probabilities = np.array([0.0]), np.array([1.0])
    for k in sizes:
        rho, p = _rho_null(k)
        values = (values[:, None] + rho[None, :]).ravel()
        probabilities = (probabilities[:, None] * p[None, :]).ravel()
    size = np.round(np.abs(values / len(sizes)), 9)
    levels, where = np.unique(size, return_inverse=True)
    at_least = np.cumsum(np.bincount(where, probabilities)[::-1])[::-1]  # P(|mean| >= level)
    ok = levels[at_least <= ALPHA + 1e-12]
    return float(ok.min()) if len(ok) else math.inf


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment of each row's p-values (S, T), NaN where a row has no test:
    the i-th smallest of a row's M p-values times (M - i + 1), never below the one before it,
    at most 1."""
    p = np.asarray(p, dtype=np.float64)
    tested = ~np.isnan(p)
    order = np.argsort(np.where(tested, p, np.inf), axis=1, kind="stable")
    ordered = np.take_along_axis(p, order, axis=1)
    factor = tested.sum(axis=1, keepdims=True) - np.arange(p.shape[1])[None, :]
    stepped = np.fmax.accumulate(np.where(np.isnan(ordered), 0.0, ordered * factor), axis=1)
    adjusted = np.empty_like(p)
    np.put_along_axis(adjusted, order, np.minimum(stepped, 1.0), axis=1)
    return np.where(tested, adjusted, np.nan)
