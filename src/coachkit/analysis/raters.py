"""The individual raters behind each subject's groups, for the figures that need more than sums:
intervals over raters (bootstrap), where self stands among a group's raters, and Kendall's W of
tied rankings. Nothing here leaves the analysis but counts and intervals.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from coachkit.analysis.chance import rng_for
from coachkit.keys import distinct

if TYPE_CHECKING:
    from coachkit.validate import Dataset

MIN_INTERVAL_RATERS = 3  # groups of this many raters or more get intervals
CHUNK_BYTES = 64 << 20  # bootstrap arrays are built this much at a time
# Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t975(df: int) -> float:
    """Student's t quantile at 0.975 (a close approximation beyond 30 degrees of freedom)."""
    return _T975[df - 1] if df <= len(_T975) else 1.959964 + 2.4 / df


def widening(m: int) -> float:
    """How much a percentile interval over m raters is widened so that it keeps its 95% with few
    raters: Student's t over the normal quantile, and the bootstrap's sqrt((m - 1) / m) shrinkage
    undone (the expanded percentile bootstrap)."""
    return t975(m - 1) / 1.959964 * math.sqrt(m / (m - 1))


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


@lru_cache(maxsize=512)
def _weights(m: int, resamples: int, stream: int = 0) -> np.ndarray:
    """How often each of m raters is drawn in each resample (the same for every cell of m, so
    drawn once per run)."""
    rng = rng_for(m, resamples, stream, 7)
    return rng.multinomial(m, np.full(m, 1.0 / m), size=resamples).astype(np.float64)


@lru_cache(maxsize=512)
def _distinct_weights(m: int, resamples: int, stream: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of `_weights` and how many resamples drew each: m raters can be drawn
    in only C(2m - 1, m) ways (10 for 3 raters, 126 for 5), so a small group's resamples repeat."""
    rows, counts = np.unique(_weights(m, resamples, stream), axis=0, return_counts=True)
    return rows, counts


def _few_draws(m: int, resamples: int, stream: int = 0) -> bool:
    """Whether a group of m raters has so few distinct resamples that computing each once and
    counting it as often as it was drawn beats computing every resample."""
    return len(_distinct_weights(m, resamples, stream)[1]) * 4 <= resamples


def _interval(
    estimate: np.ndarray,
    boot: np.ndarray,
    m: int,
    low: float,
    high: float,
    halves: int = 0,
    drawn: np.ndarray | None = None,
) -> np.ndarray:
    """The widened 95% percentile interval around `estimate` from bootstrap values (the last
    axis, where partitioning is fastest; each drawn `drawn[j]` times when given), clipped to
    [low, high]; shape (..., 2)."""
    lo, hi = percentiles(boot, halves=halves, drawn=drawn)
    factor = widening(m)
    widened = [estimate - (estimate - lo) * factor, estimate + (hi - estimate) * factor]
    return np.asarray(np.clip(np.stack(widened, -1), low, high))


def percentiles(
    values: np.ndarray,
    q: tuple[float, float] = (0.025, 0.975),
    halves: int = 0,
    drawn: np.ndarray | None = None,
) -> np.ndarray:
    """`np.quantile(values, q, axis=-1)` (its default, linear method: the very same numbers),
    several times faster. With `halves` = m, `values` are sums of m raters' whole or half ranks,
    and the quantiles are of their means: the order statistics are found among the integers
    2 x sum, which is exact, and so is dividing after. With `drawn`, value j stands for
    `drawn[j]` equal values (the quantiles of the repeated values)."""
    if drawn is not None and np.isnan(values).any():
        values, drawn = np.repeat(values, drawn, axis=-1), None
    if np.isnan(values).any():
        return np.asarray(np.nanquantile(values / max(halves, 1), q, axis=-1))
    n = values.shape[-1] if drawn is None else int(drawn.sum())
    virtual = (n - 1) * np.asarray(q)
    below = np.floor(virtual).astype(np.intp)
    above = np.minimum(below + 1, n - 1)
    gamma = virtual - below
    kth = distinct(np.concatenate([below, above])).tolist()
    part = _order_statistics((2 * values).astype(np.int32) if halves else values, kth, drawn)
    if halves:
        part = {k: found.astype(np.float64) / 2 / halves for k, found in part.items()}
    out = []
    for i, t in enumerate(gamma.tolist()):
        a, b = part[int(below[i])], part[int(above[i])]
        diff = b - a
        # numpy's lerp: from the nearer end, so that the result never leaves [a, b]
        out.append(b - diff * (1 - t) if t >= 0.5 else a + diff * t)
    return np.stack(out)


def _order_statistics(
    values: np.ndarray, kth: list[int], drawn: np.ndarray | None
) -> dict[int, np.ndarray]:
    """The k-th smallest of the last axis (0-based), for each k: read off running counts when
    values stand for several (`drawn`) or are integers of a narrow range, else by partitioning
    the last, contiguous axis."""
    if drawn is not None:  # sort the distinct values, count up to each
        order = np.argsort(values, axis=-1)
        ordered = np.take_along_axis(values, order, axis=-1)
        running = np.cumsum(drawn[order], axis=-1)
        return {k: _nth(ordered, running, k) for k in kth}
    n = values.shape[-1]
    rows = values.size // max(n, 1)
    low, bins = 0, n + 1
    if values.dtype.kind == "i" and values.size:
        low = int(values.min())
        bins = int(values.max()) - low + 1
    if bins <= n and rows * bins < 2**31:  # integers of a narrow range: a histogram per row
        index = (values - low).reshape(rows, n)
        index += (np.arange(rows, dtype=index.dtype) * bins)[:, None]
        counts = np.bincount(index.ravel(), minlength=rows * bins).reshape(rows, bins)
        running = np.cumsum(counts, axis=-1)
        return {
            k: ((running <= k).sum(axis=-1) + low).astype(values.dtype).reshape(values.shape[:-1])
            for k in kth
        }
    found = np.partition(values, kth, axis=-1)
    return {k: found[..., k] for k in kth}


def _nth(ordered: np.ndarray, running: np.ndarray, k: int) -> np.ndarray:
    """The k-th smallest of sorted values whose running counts are `running`."""
    at = (running <= k).sum(axis=-1, keepdims=True)  # the first value whose count passes k
    found: np.ndarray = np.take_along_axis(ordered, at, axis=-1)[..., 0]
    return found


def boot_means(rows: np.ndarray, resamples: int, stream: int = 0) -> np.ndarray:
    """Bootstrap mean ranks of cells of m raters: rows (C, m, K) -> (C, K, resamples), by one
    matrix product (BLAS; einsum's loop was twenty times slower)."""
    m = rows.shape[1]
    return np.asarray(rows.transpose(0, 2, 1) @ _weights(m, resamples, stream).T / m)


def stacks(all_cells: Cells, per_cell_bytes: int) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """The cells of `MIN_INTERVAL_RATERS` raters or more, by their number m of raters: m, the
    (subject, group) of each cell (C, 2), and their raters' ranks (C, m, K); in chunks of
    `CHUNK_BYTES` at most for a bootstrap of `per_cell_bytes` per cell."""
    counts = all_cells.counts
    for m in distinct(counts[counts >= MIN_INTERVAL_RATERS]).tolist():
        where = np.argwhere(counts == m)
        per_chunk = max(1, CHUNK_BYTES // max(per_cell_bytes, 1))
        for begin in range(0, len(where), per_chunk):
            chunk = where[begin : begin + per_chunk]
            index = all_cells.start[chunk[:, 0], chunk[:, 1]][:, None] + np.arange(m)
            yield m, chunk, all_cells.ranks[index]


def mean_rank_intervals(all_cells: Cells, resamples: int, bounds: np.ndarray) -> np.ndarray:
    """Per cell and dimension, the 95% interval of the mean rank over raters, (S, G, K, 2); NaN
    for cells of fewer than `MIN_INTERVAL_RATERS` raters. `bounds` is each dimension's largest
    rank (its block's size)."""
    counts = all_cells.counts
    k = all_cells.ranks.shape[1]
    out = np.full((*counts.shape, k, 2), np.nan)
    if resamples <= 0:
        return out
    twice = 2 * all_cells.ranks
    largest = float(np.abs(twice).max(initial=0.0)) * max(int(counts.max(initial=0)), 1)
    whole_or_half = bool(np.array_equal(twice, np.round(twice))) and largest < 2**31
    for m, chunk, rows in stacks(all_cells, resamples * k * 8):
        estimate = rows.mean(axis=1)
        if whole_or_half and _few_draws(m, resamples):  # each distinct resample once
            draws, drawn = _distinct_weights(m, resamples)
            sums = rows.transpose(0, 2, 1) @ draws.T
            interval = _interval(estimate, sums, m, 1.0, np.inf, halves=m, drawn=drawn)
        elif whole_or_half:  # sums of whole or half ranks: quantiles found among integers
            sums = rows.transpose(0, 2, 1) @ _weights(m, resamples).T
            interval = _interval(estimate, sums, m, 1.0, np.inf, halves=m)
        else:
            interval = _interval(estimate, boot_means(rows, resamples), m, 1.0, np.inf)
        out[chunk[:, 0], chunk[:, 1]] = np.minimum(interval, bounds[:, None])
    return out


def tilt_intervals(
    all_cells: Cells, resamples: int, head: list[int], tail: list[int]
) -> np.ndarray:
    """Per cell, the 95% interval of the tilt (mean rank of the `tail` family minus that of the
    `head` family) over raters, (S, G, 2); NaN below `MIN_INTERVAL_RATERS` raters; all cells of m
    raters at once, each cell's numbers as its own bootstrap would give them."""
    out = np.full((*all_cells.counts.shape, 2), np.nan)
    if resamples <= 0:
        return out
    k = all_cells.ranks.shape[1]
    bound = (2 * k - len(tail) + 1) / 2 - (1 + len(head)) / 2  # the largest tilt there is
    for m, chunk, rows in stacks(all_cells, resamples * 8):
        values = rows[:, :, tail].mean(axis=2) - rows[:, :, head].mean(axis=2)  # (C, m)
        boot = (_weights(m, resamples, 1) @ values[..., None])[..., 0] / m  # (C, B)
        interval = _interval(values.mean(axis=1), boot, m, -bound, bound)
        out[chunk[:, 0], chunk[:, 1]] = interval
    return out


def w_intervals(all_cells: Cells, resamples: int, cols: list[int]) -> np.ndarray:
    """Per cell, the 95% percentile interval of Kendall's W (tie-corrected) over raters in the
    block of `cols`, (S, G, 2); NaN below `MIN_INTERVAL_RATERS` raters."""
    from coachkit.analysis.arrays import tie_terms

    out = np.full((*all_cells.counts.shape, 2), np.nan)
    if resamples <= 0:
        return out
    k = len(cols)
    twice = 2 * all_cells.ranks[:, cols]
    whole_or_half = bool(np.array_equal(twice, np.round(twice)))  # sums exact in any order
    for m, chunk, rows in stacks(all_cells, resamples * k * 8):
        block = rows[:, :, cols]  # (C, m, k)
        weights, drawn = _weights(m, resamples, 4), None
        if whole_or_half and _few_draws(m, resamples, 4):  # each distinct resample once
            weights, drawn = _distinct_weights(m, resamples, 4)
        sums = weights @ block  # (C, B, k): each cell's product, as one cell's
        ties = (weights @ tie_terms(block.reshape(-1, k)).reshape(-1, m)[..., None])[..., 0]
        spread = ((sums - sums.mean(axis=2, keepdims=True)) ** 2).sum(axis=2)
        denominator = m * m * (k**3 - k) - m * ties
        with np.errstate(invalid="ignore", divide="ignore"):
            w = np.where(denominator > 0, np.clip(12.0 * spread / denominator, 0.0, 1.0), np.nan)
        interval = np.full((len(w), 2), np.nan)
        gaps = np.isnan(w).any(axis=1)
        if (~gaps).any():
            interval[~gaps] = percentiles(w[~gaps], drawn=drawn).T
        for i in np.flatnonzero(gaps).tolist():  # W undefined in some resamples: nanquantile
            interval[i] = percentiles(w[i], drawn=drawn)
        out[chunk[:, 0], chunk[:, 1]] = interval
    return out


def gap_interval(a: np.ndarray, b: np.ndarray, resamples: int, limit: float) -> np.ndarray | None:
    """Per dimension, the 95% interval of mean_rank(b) - mean_rank(a) over both groups' raters
    (each resampled on its own), (K, 2); None unless both have 3 or more raters."""
    if min(len(a), len(b)) < MIN_INTERVAL_RATERS or resamples <= 0:
        return None
    boot = boot_means(b[None], resamples, 2)[0] - boot_means(a[None], resamples, 3)[0]
    estimate = b.mean(axis=0) - a.mean(axis=0)
    m = min(len(a), len(b))
    return np.asarray(_interval(estimate[None], boot[None], m, -limit, limit)[0])


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
