"""Figures over a group's own raters: closed-form 95% intervals, where self stands, tied W."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from coachkit.analysis.chance import rng_for

if TYPE_CHECKING:
    from coachkit.validate import Dataset

MIN_INTERVAL_RATERS = 3  # groups of this many raters or more get intervals
# Intervals over raters count this many raters more per step of the value (a place), at the
# middle of its range (`_estimate`). Calibrated by exact enumeration under Mallows, Plackett-Luce
# and Thurstone populations from near-unanimous to random, in blocks of 6 and 12: the worst
# dimension's mean-rank interval covers at least 93% from 3 to 30 raters (85% without them).
PSEUDO_RATERS = 0.5
# The floor of a half-width: a group's raters all agree, yet a share 1 - MISS ** (1 / m) of the
# population could differ by a place (Clopper-Pearson, the rule of three).
MISS = 0.025
# Student's t quantile at 0.975 for 1..30 degrees of freedom, rounded up at the sixth decimal.
_T975 = (
    12.706205, 4.302653, 3.182447, 2.776446, 2.570582, 2.446912,
    2.364625, 2.306005, 2.262158, 2.228139, 2.200986, 2.178813,
    2.160369, 2.144787, 2.131450, 2.119906, 2.109816, 2.100923,
    2.093025, 2.085964, 2.079614, 2.073874, 2.068658, 2.063899,
    2.059539, 2.055530, 2.051831, 2.048408, 2.045230, 2.042273,
)  # fmt: skip
_LOG_T975 = np.log(np.array(_T975))
_Z = 1.959963984540054  # the normal quantile at 0.975
# The Cornish-Fisher expansion of t in powers of 1/df (Abramowitz & Stegun 26.7.5), at _Z.
_CORNISH_FISHER = (
    (_Z**3 + _Z) / 4,
    (5 * _Z**5 + 16 * _Z**3 + 3 * _Z) / 96,
    (3 * _Z**7 + 19 * _Z**5 + 17 * _Z**3 - 15 * _Z) / 384,
    (79 * _Z**9 + 776 * _Z**7 + 1482 * _Z**5 - 1920 * _Z**3 - 945 * _Z) / 92160,
)


def t975(df: np.ndarray | float) -> np.ndarray:
    """Student's t quantile at 0.975 for any real degrees of freedom from 1 on (Welch's too),
    never below the exact one. Up to 30: log t interpolated linearly in 1/df between whole
    degrees of freedom, which errs upward (log t is convex in 1/df; by 0.5% at most from 2 df
    on, 3% between 1 and 2); beyond: the Cornish-Fisher expansion to 1/df^4, lifted by 1e-7
    over its truncation (3e-8 at 30 df, less beyond)."""
    nu = np.asarray(df, dtype=np.float64)
    last = len(_T975)
    whole = np.clip(np.floor(np.nan_to_num(nu, nan=1.0)), 1, last - 1)
    at = whole.astype(np.intp) - 1
    share = (1 / whole - 1 / np.clip(nu, whole, last)) * whole * (whole + 1)  # of the step in 1/df
    interpolated = np.exp(_LOG_T975[at] + share * (_LOG_T975[at + 1] - _LOG_T975[at]))
    inverse = 1 / np.maximum(nu, last)
    c1, c2, c3, c4 = _CORNISH_FISHER
    expansion = _Z + 1e-7 + inverse * (c1 + inverse * (c2 + inverse * (c3 + inverse * c4)))
    return np.where(nu > last, expansion, interpolated)


def _estimate(
    mean: np.ndarray,
    squares: np.ndarray,
    m: np.ndarray | int,
    middle: float | np.ndarray,
    unit: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The center and squared standard error of a group's mean of a value over its m raters,
    from their `mean` and sum of squared deviations `squares`, as if c raters more had given
    `middle` (the middle of the range, a random rater's expectation); n = m + c:
        center = (m mean + c middle) / n,  s2 = (squares + m c / n (mean - middle)^2) / (n - 1),
        error^2 = s2 / n.
    It is Agresti and Coull's device for a bounded mean: near an end of the range a rank is
    skewed inward and a few raters miss its tail, so the center moves inward and the spread
    grows with the distance to the middle; both fade as 1/m, and the interval always holds the
    raters' own mean. c = `PSEUDO_RATERS` times `unit`, the value's smallest step: half a rater
    for a rank (a place), a sixth for a tilt of two families of 6 (a third of a place), whose
    finer steps leave a thinner tail. The error is floored so that the half-width
    t975(m - 1) * error is at least `unit` times 1 - MISS^(1/m): m raters who all agree leave
    room for that share of the population differing by a step (Clopper-Pearson), so that no
    interval is a point."""
    pseudo = PSEUDO_RATERS * unit
    n = m + pseudo
    center = mean + pseudo / n * (middle - mean)
    spread = (squares + m * pseudo / n * (mean - middle) ** 2) / (n - 1)
    floor = (unit * (1 - MISS ** (1 / np.asarray(m, dtype=np.float64))) / t975(m - 1)) ** 2
    return center, np.maximum(spread / n, floor)


def _bounded(
    center: np.ndarray, half: np.ndarray, low: float, high: float | np.ndarray
) -> np.ndarray:
    """center -/+ half, clipped to [low, high]; shape (..., 2)."""
    return np.asarray(np.clip(np.stack([center - half, center + half], -1), low, high))


@dataclass(frozen=True)
class Cells:
    """Every (subject, group) cell's raters, the pooled group included: rows of `ranks` sorted by
    cell, and within a cell in a canonical order (so no output depends on the order of rows)."""

    ranks: np.ndarray  # (R', K): the raters' ranks, cell by cell
    start: np.ndarray  # (S, G): where each cell's rows begin
    counts: np.ndarray  # (S, G): how many rows it has

    def rows(self, s: int, g: int) -> np.ndarray:
        """One cell's raters."""
        begin = int(self.start[s, g])
        return self.ranks[begin : begin + int(self.counts[s, g])]


def cells(dataset: Dataset) -> Cells:
    """Group the dataset's responses by subject and group, the pooled group's as well."""
    instrument = dataset.instrument
    group_ids = [g.id for g in instrument.groups]
    n_groups = len(group_ids) + 1
    pooled_in = np.array([g not in instrument.pooled_excludes for g in group_ids], dtype=bool)
    pooled_rows = np.flatnonzero(pooled_in[dataset.group_codes])
    keys = np.concatenate(
        [
            dataset.subject_codes * n_groups + dataset.group_codes,
            dataset.subject_codes[pooled_rows] * n_groups + (n_groups - 1),
        ]
    )
    ranks = np.concatenate([dataset.ranks, dataset.ranks[pooled_rows]])
    order = np.lexsort((*ranks.T[::-1], keys))  # by cell, then by the ranks themselves
    keys, ranks = keys[order], ranks[order]
    size = len(dataset.subjects) * n_groups
    counts = np.bincount(keys, minlength=size)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])
    shape = (len(dataset.subjects), n_groups)
    return Cells(ranks, start.reshape(shape), counts.reshape(shape))


def _moments(
    all_cells: Cells, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per cell of `MIN_INTERVAL_RATERS` raters or more: its flat index into (S, G), its number
    m of raters, and the mean and the sum of squared deviations of their `values` (a row per
    rater, in the order of `all_cells.ranks`); every cell at once, by np.add.reduceat."""
    counts = all_cells.counts.ravel()
    where = np.flatnonzero(counts >= MIN_INTERVAL_RATERS)
    filled = np.flatnonzero(counts)
    if not len(where):
        empty = np.empty((0, *values.shape[1:]))
        return where, counts[where], empty, empty
    m = counts[filled].reshape(-1, *([1] * (values.ndim - 1)))
    starts = all_cells.start.ravel()[filled]
    mean = np.add.reduceat(values, starts, axis=0) / m
    deviations = np.repeat(mean, counts[filled], axis=0)  # each rater's cell mean, then
    np.subtract(values, deviations, out=deviations)  # the rater's deviation from it
    squares = np.add.reduceat(np.square(deviations, out=deviations), starts, axis=0)
    keep = counts[filled] >= MIN_INTERVAL_RATERS
    return where, counts[where], mean[keep], squares[keep]


def mean_rank_intervals(all_cells: Cells, bounds: np.ndarray) -> np.ndarray:
    """Per cell and dimension, the 95% interval of the population's mean rank from the cell's
    raters, (S, G, K, 2): Student's t on `_estimate`, clipped to [1, bound]; NaN for cells of
    fewer than `MIN_INTERVAL_RATERS` raters. `bounds` is each dimension's largest rank (its
    block's size)."""
    counts = all_cells.counts
    k = all_cells.ranks.shape[1]
    out = np.full((counts.size, k, 2), np.nan)
    where, m, mean, squares = _moments(all_cells, all_cells.ranks)
    center, error = _estimate(mean, squares, m[:, None], (1 + bounds) / 2, 1.0)
    half = t975(m - 1)[:, None] * np.sqrt(error)
    out[where] = _bounded(center, half, 1.0, bounds[:, None])
    return out.reshape(*counts.shape, k, 2)


def tilt_intervals(all_cells: Cells, head: list[int], tail: list[int]) -> np.ndarray:
    """Per cell, the 95% interval of the population's tilt (per rater: the mean rank of the
    `tail` family minus that of the `head` family; a group's: its raters' mean) from the cell's
    raters, (S, G, 2): Student's t on `_estimate`, whose middle is a tilt of 0 and whose
    smallest step is 1/|head| + 1/|tail| (two neighbors of either family swapped), clipped to
    the tilts there are; NaN below `MIN_INTERVAL_RATERS` raters."""
    out = np.full((all_cells.counts.size, 2), np.nan)
    k = all_cells.ranks.shape[1]
    high = (2 * k - len(tail) + 1) / 2 - (1 + len(head)) / 2  # tail last, head first
    low = (1 + len(tail)) / 2 - (2 * k - len(head) + 1) / 2  # and the other way round
    ranks = all_cells.ranks
    values = ranks[:, tail].mean(axis=1) - ranks[:, head].mean(axis=1)
    where, m, mean, squares = _moments(all_cells, values)
    unit = 1 / len(head) + 1 / len(tail)
    center, error = _estimate(mean, squares, m, (low + high) / 2, unit)
    out[where] = _bounded(center, t975(m - 1) * np.sqrt(error), low, high)
    return out.reshape(*all_cells.counts.shape, 2)


def gap_interval(a: np.ndarray, b: np.ndarray, limit: float) -> np.ndarray | None:
    """Per dimension, the 95% interval of the population's gap mean_rank(b) - mean_rank(a)
    from two disjoint groups' raters (rows), (K, 2): Welch's t on each group's `_estimate`
    (ranks of a block of limit + 1, whose middle is (limit + 2) / 2), clipped to +/- `limit`;
    None unless both have `MIN_INTERVAL_RATERS` raters or more."""
    if min(len(a), len(b)) < MIN_INTERVAL_RATERS:
        return None
    means = np.stack([a.mean(axis=0), b.mean(axis=0)])
    squares = np.stack(
        [((x - mean) ** 2).sum(axis=0) for x, mean in zip((a, b), means, strict=True)]
    )
    m = np.array([[len(a)], [len(b)]])
    (center_a, center_b), (error_a, error_b) = _estimate(means, squares, m, (limit + 2) / 2, 1.0)
    error = error_a + error_b
    df = error**2 / (error_a**2 / (len(a) - 1) + error_b**2 / (len(b) - 1))
    return _bounded(center_b - center_a, t975(df) * np.sqrt(error), -limit, limit)


def kendall_tied_p(rows: np.ndarray, w: float) -> float:
    """Permutation p of Kendall's W for raters whose rankings tie (scores, filled-in partial
    rankings): each rater's own ranks are shuffled, which keeps their ties."""
    from coachkit.analysis.arrays import tie_terms
    from coachkit.analysis.chance import DRAWS, TOLERANCE

    m, k = rows.shape
    rng = rng_for(m, k, 5)
    shuffled = rng.permuted(np.broadcast_to(rows, (DRAWS, m, k)), axis=-1)
    sums = shuffled.sum(axis=1)
    spread = ((sums - sums.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
    denominator = m * m * (k**3 - k) - m * tie_terms(rows).sum()
    null = 12.0 * spread / denominator
    return float(((null >= w - TOLERANCE).sum() + 1) / (DRAWS + 1))


def self_among(all_cells: Cells, me: int) -> np.ndarray:
    """Per cell and dimension, how many of the cell's raters rank it higher than the subject's
    one self-assessment, the same, lower: (S, G, K, 3) counts; zeros for a subject without
    exactly one self-assessment (in group `me`)."""
    counts = all_cells.counts
    subjects, groups = counts.shape
    k = all_cells.ranks.shape[1]
    out = np.zeros((subjects * groups, k, 3), dtype=np.int64)
    one = counts[:, me] == 1
    own = np.full((subjects, k), np.nan)
    own[one] = all_cells.ranks[all_cells.start[one, me]]
    filled = counts.ravel() > 0
    if not filled.any():
        return out.reshape(subjects, groups, k, 3)
    mine = own[np.repeat(np.arange(subjects * groups) // groups, counts.ravel())]  # per row
    starts = all_cells.start.ravel()[filled]
    higher = np.add.reduceat(all_cells.ranks < mine - 1e-9, starts, axis=0, dtype=np.int64)
    lower = np.add.reduceat(all_cells.ranks > mine + 1e-9, starts, axis=0, dtype=np.int64)
    out[filled] = np.stack(
        [higher, counts.ravel()[filled][:, None] - higher - lower, lower], axis=-1
    )
    return out.reshape(subjects, groups, k, 3)
