"""Chance under the random-ranking null: every rater ranks at random, each independently.

Each figure a report attaches a p-value to gets the null distribution of exactly what it shows,
for the actual group sizes:
- a gap between two groups' mean ranks on one dimension: exact, from the sums of m and n
  uniform ranks (`gap_p`);
- the largest gap in either direction over every dimension, which is what coaching focus picks,
  and the highest consensus a group gives any item, which is what a strength picks: seeded
  simulation, rater by rater (`largest_gap_null`, `top_consensus_null`);
- the difference of two groups' tilts: exact, from the Wilcoxon null of a family's rank sum
  (`tilt_difference_p`);
- Kendall's W of fewer than `EXACT_W_RATERS` raters: seeded simulation (`kendall_p`).
Everything is cached per group size and deterministic: the same input gives the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np

from coachkit.analysis.stats import rank_sum_null
from coachkit.keys import distinct

TOLERANCE = 1e-9  # a gap that equals a threshold, computed in floats, counts as reaching it
DRAWS = 20_000  # simulated draws for the figures without a closed form
EXACT_PAIRS = 4_000_000  # largest joint support computed exactly; beyond, the normal approximation
EXACT_W_RATERS = 8  # below this many raters Kendall's W is simulated; from it on, chi-square
SAMPLED_MEANS = 8  # up to this many raters a group's mean ranks are drawn from permutations


@lru_cache(maxsize=1024)
def _difference_tail(
    size: int, k: int, n1: int, y: int, n2: int, x: int
) -> tuple[np.ndarray, np.ndarray]:
    """|x S2 - y S1| for independent S1, S2 (sums over n1 and n2 raters of one rater's rank sum
    over `size` items of k): its values, largest first, and P(|.| >= each value)."""
    p1, p2 = rank_sum_null(size, k, n1), rank_sum_null(size, k, n2)
    values = np.abs(x * np.arange(len(p2))[None, :] - y * np.arange(len(p1))[:, None]).ravel()
    probabilities = (p1[:, None] * p2[None, :]).ravel()
    order = np.argsort(-values, kind="stable")
    return values[order].astype(np.float64), np.cumsum(probabilities[order])


def _tail_p(observed: np.ndarray, values: np.ndarray, cumulative: np.ndarray) -> np.ndarray:
    at = np.searchsorted(-values, -(observed - TOLERANCE), side="right") - 1
    return np.where(at >= 0, cumulative[np.maximum(at, 0)], 0.0)


def _normal_p(observed: np.ndarray, variance: float) -> np.ndarray:
    import math

    z = np.asarray(observed, dtype=np.float64) / math.sqrt(2.0 * variance)
    return np.array([math.erfc(v) for v in z.ravel().tolist()]).reshape(z.shape)


def _sum_difference_p(
    observed: np.ndarray, size: int, k: int, n1: int, y: int, n2: int, x: int
) -> np.ndarray:
    """P(|x S2 - y S1| >= observed), exactly where the joint support is small enough."""
    if (n1 * size * k + 1) * (n2 * size * k + 1) <= EXACT_PAIRS:
        return np.asarray(
            np.minimum(_tail_p(observed, *_difference_tail(size, k, n1, y, n2, x)), 1.0)
        )
    one = size * (k - size) * (k + 1) / 12.0  # the variance of one rater's rank sum
    return np.asarray(np.minimum(_normal_p(observed, (x * x * n2 + y * y * n1) * one), 1.0))


def gap_p(gaps: np.ndarray, m: int, n: int, k: int, nested: bool = False) -> np.ndarray:
    """Two-sided p of each gap (mean rank of one group minus another's, on one dimension) under
    random ranking: groups of m and n raters, disjoint, or with the first group's m raters among
    the second's n (`nested`, as when a group is compared with the pooled group holding it)."""
    scaled = np.abs(np.asarray(gaps, dtype=np.float64)) * m * n
    if nested:  # n = m + r: gap * m * n = m * S_rest - r * S_first
        return _sum_difference_p(scaled, 1, k, m, n - m, n - m, m)
    return _sum_difference_p(scaled, 1, k, m, n, n, m)


def tilt_difference_p(
    differences: np.ndarray, m: int, n: int, head: int, tail: int, k: int
) -> np.ndarray:
    """Exact two-sided p of differences of two disjoint groups' tilts (m and n raters), where a
    rater's tilt is the mean rank of the `tail` family minus that of the `head` family."""
    per_rank = 1.0 / head + 1.0 / tail  # a tilt falls by this much per place of head rank sum
    scaled = np.abs(np.asarray(differences, dtype=np.float64)) / per_rank * m * n
    return _sum_difference_p(scaled, head, k, m, n, n, m)


def rng_for(*key: int) -> np.random.Generator:
    """A generator seeded from a key (group sizes, say): the same draws on every run."""
    return np.random.default_rng(np.random.SeedSequence([20261128, *key]))


def random_ranks(rng: np.random.Generator, draws: int, raters: int, k: int) -> np.ndarray:
    """Rankings of k items by random raters, per draw: 1.0..k in a random order each. The ranks
    of uniform draws (what `x.argsort().argsort() + 1` gives), set by one sort and one scatter."""
    order = rng.random((draws, raters, k)).argsort(axis=-1)
    ranks = np.empty(order.shape)
    np.put_along_axis(ranks, order, np.arange(1.0, k + 1), axis=-1)
    return ranks


def _group_means(rng: np.random.Generator, draws: int, raters: int, k: int) -> np.ndarray:
    """Mean ranks of a group of random raters over k items, per draw: sums of permutations for
    small groups; above `SAMPLED_MEANS` raters the multivariate normal with the exact covariance
    of a permutation's ranks, ((k+1)/12)(k I - J), over the raters."""
    if raters <= SAMPLED_MEANS:
        return np.asarray(random_ranks(rng, draws, raters, k).mean(axis=1))
    z = rng.standard_normal((draws, k))
    centered = z - z.mean(axis=1, keepdims=True)
    return np.asarray((k + 1) / 2.0 + centered * np.sqrt(k * (k + 1) / 12.0 / raters))


EXACT_RATERS = 64  # up to this many raters a group's rank sums are drawn rater by rater
_STREAM_SUMS: dict[tuple[int, int, int], np.ndarray] = {}
SELF_STREAM, OTHERS_STREAM = 1, 2


def stream_sums(k: int, stream: int, sizes: tuple[int, ...]) -> list[np.ndarray]:
    """Rank sums of the first n random raters of a stream, (DRAWS, k) for each n of `sizes`
    (n <= `EXACT_RATERS`): rater i always draws from its own seed, so the sums of n raters are the
    same whichever other sizes a run asks for, and one pass serves every size."""
    missing = sorted({n for n in sizes if (k, stream, n) not in _STREAM_SUMS})
    if missing:
        if len(_STREAM_SUMS) > 512:
            _STREAM_SUMS.clear()
        total = np.zeros((DRAWS, k), dtype=np.int32)
        wanted = set(missing)
        for i in range(1, missing[-1] + 1):
            total += random_ranks(rng_for(k, stream, i), DRAWS, 1, k)[:, 0].astype(np.int32)
            if i in wanted:
                _STREAM_SUMS[(k, stream, i)] = total.copy()
    return [_STREAM_SUMS[(k, stream, n)] for n in sizes]


def _correction(*sizes: int) -> float:
    """Half a step of the lattice a mean-rank difference lives on (1 / (m n)), where a normal
    draw stands in for a group's sums: the continuity correction that keeps the p conservative."""
    if max(sizes) <= EXACT_RATERS:
        return 0.0
    return 0.5 / math.prod(sizes)


STORED_RATERS = 40  # the nulls of one self against up to this many others are stored
STORED_BLOCKS = ((12,), (6, 6), (6,))  # for the block layouts of the built-in instruments


def simulated_largest_gaps(m: int, n: int, blocks: tuple[int, ...]) -> np.ndarray:
    """Per draw, the largest gap either way between a group of m and one of n random raters, as
    a share of its block's size, over every dimension of every block: |n S_a - m S_b| / (m n k)
    from exact rank sums (a normal with a permutation's covariance above `EXACT_RATERS`)."""
    largest = np.zeros(DRAWS)
    for b, k in enumerate(blocks):
        if max(m, n) <= EXACT_RATERS:
            (own,) = stream_sums(k, SELF_STREAM + 2 * b, (m,))
            (theirs,) = stream_sums(k, OTHERS_STREAM + 2 * b, (n,))
            lattice = np.abs(n * own.astype(np.int64) - m * theirs.astype(np.int64))
            share = lattice.max(axis=1) / (m * n * k)
        else:
            own = _group_means(rng_for(k, SELF_STREAM + 2 * b, m), DRAWS, m, k)
            theirs = _group_means(rng_for(k, OTHERS_STREAM + 2 * b, n), DRAWS, n, k)
            share = np.abs(own - theirs).max(axis=1) / k
        largest = np.maximum(largest, share)
    return largest


def simulated_lowest_sums(n: int, k: int, blocks: int) -> np.ndarray:
    """Per draw, the smallest rank sum n random raters give any item of `blocks` blocks of k."""
    lowest = np.full(DRAWS, np.iinfo(np.int64).max)
    for b in range(blocks):
        (sums,) = stream_sums(k, OTHERS_STREAM + 2 * b, (n,))
        lowest = np.minimum(lowest, sums.min(axis=1))
    return lowest


@lru_cache(maxsize=512)
def largest_gap_null(m: int, n: int, blocks: tuple[int, ...]) -> tuple[np.ndarray, float]:
    """The largest gap in either direction between a group of m and one of n random raters, as a
    share of its block's size, over every dimension of every block: the sorted simulated values
    (one self against up to `STORED_RATERS` others from `focus_nulls`, the same draws stored; a
    test checks), and the continuity correction to take off an observed share (0 when every
    draw is exact)."""
    from coachkit.analysis.focus_nulls import LARGEST

    stored = LARGEST.get((n, blocks)) if m == 1 else None
    if stored is not None:
        lattice, counts = stored
        null = np.repeat(np.array(lattice, dtype=np.int64), counts) / (m * n * max(blocks))
    else:
        null = np.sort(simulated_largest_gaps(m, n, blocks))
    return null, _correction(m, n) / max(blocks)


@lru_cache(maxsize=512)
def top_consensus_null(n: int, blocks: tuple[int, ...]) -> tuple[np.ndarray, float]:
    """How far toward the top n random raters put their highest item on average: per draw the
    smallest (mean rank - middle) / block size over every dimension of every block, sorted
    (stored in `focus_nulls` like `largest_gap_null`); and the continuity correction to add to
    an observed value."""
    from coachkit.analysis.focus_nulls import LOWEST

    k = max(blocks)
    stored = LOWEST.get((n, blocks))
    if stored is not None:
        sums, counts = stored
        lowest = np.repeat(np.array(sums, dtype=np.int64), counts)
        return (lowest - n * (k + 1) / 2) / (n * k), 0.0
    if len(set(blocks)) == 1 and n <= EXACT_RATERS:
        lowest = np.sort(simulated_lowest_sums(n, k, len(blocks)))
        return (lowest - n * (k + 1) / 2) / (n * k), 0.0
    smallest = np.full(DRAWS, np.inf)
    for b, size in enumerate(blocks):
        if n <= EXACT_RATERS:
            means = stream_sums(size, OTHERS_STREAM + 2 * b, (n,))[0] / n
        else:
            means = _group_means(rng_for(size, OTHERS_STREAM + 2 * b, n), DRAWS, n, size)
        smallest = np.minimum(smallest, (means.min(axis=1) - (size + 1) / 2) / size)
    return np.sort(smallest), _correction(n) / k


def write_focus_nulls() -> str:
    """The source of `focus_nulls.py`: the largest-gap and lowest-sum nulls of one self against
    1 to `STORED_RATERS` others, for the built-in instruments' block layouts."""

    def counted(values: np.ndarray) -> tuple[tuple[int, ...], tuple[int, ...]]:
        found, counts = np.unique(values, return_counts=True)
        return tuple(int(v) for v in found), tuple(int(c) for c in counts)

    largest, lowest = [], []
    for blocks in STORED_BLOCKS:
        k = max(blocks)
        for n in range(1, STORED_RATERS + 1):
            lattice = np.rint(simulated_largest_gaps(1, n, blocks) * n * k).astype(np.int64)
            largest.append(f"    ({n}, {blocks}): {counted(lattice)},\n")
            lowest.append(
                f"    ({n}, {blocks}): {counted(simulated_lowest_sums(n, k, len(blocks)))},\n"
            )
    return (
        '"""The coaching focus\'s nulls for one self against 1 to 40 others, as '
        "`chance.simulated_largest_gaps`\nand `chance.simulated_lowest_sums` draw them, stored "
        "for the built-in instruments' block\nlayouts: per (others, blocks), each distinct value "
        "(the largest gap times n k; the lowest rank\nsum) and how many draws gave it. Written by "
        '`chance.write_focus_nulls()`; a test checks it\nagainst the simulation."""\n\n'
        "LARGEST: dict[tuple[int, tuple[int, ...]], tuple[tuple[int, ...], tuple[int, ...]]] = {\n"
        f"{''.join(largest)}}}  # fmt: skip\n\n"
        "LOWEST: dict[tuple[int, tuple[int, ...]], tuple[tuple[int, ...], tuple[int, ...]]] = {\n"
        f"{''.join(lowest)}}}  # fmt: skip\n"
    )


def at_least(null: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """The share of a sorted simulated null at or above each observed value, with the +1 that
    keeps a simulated p from reaching 0."""
    count = len(null) - np.searchsorted(null, np.asarray(observed) - TOLERANCE, side="left")
    return np.asarray((count + 1) / (len(null) + 1))


def at_most(null: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """The share of a sorted simulated null at or below each observed value (the +1 again)."""
    count = np.searchsorted(null, np.asarray(observed) + TOLERANCE, side="right")
    return np.asarray((count + 1) / (len(null) + 1))


def simulated_spreads(m: int, k: int) -> np.ndarray:
    """Per draw of m random rankings of k items, the spread of the rank sums (the numerator of
    Kendall's W): sum((S_i - mean S)^2), a multiple of 1/4."""
    sums = random_ranks(rng_for(m, k, 0), DRAWS, m, k).sum(axis=1)
    return np.asarray(((sums - sums.mean(axis=1, keepdims=True)) ** 2).sum(axis=1))


@lru_cache(maxsize=256)
def _kendall_null(m: int, k: int) -> np.ndarray:
    """Simulated Kendall's W of m random rankings of k items, sorted. The sizes the built-in
    instruments ask for come from `w_nulls.SPREADS`, the very same draws stored (a test checks)."""
    from coachkit.analysis.w_nulls import SPREADS

    stored = SPREADS.get((m, k))
    if stored is not None:
        quarters, counts = stored
        spread = np.repeat(np.array(quarters, dtype=np.float64) / 4, counts)
    else:
        spread = simulated_spreads(m, k)
    return np.sort(12.0 * spread / (m * m * (k**3 - k)))


def stored_spreads(m: int, k: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """`simulated_spreads` as `w_nulls.SPREADS` stores it: each distinct 4 x spread, ascending,
    and how many draws gave it."""
    quarters, counts = np.unique(np.rint(4 * simulated_spreads(m, k)), return_counts=True)
    return tuple(int(q) for q in quarters), tuple(int(c) for c in counts)


def write_w_nulls() -> str:
    """The source of `w_nulls.py`: the spreads of 2 to 7 raters over 6 or 12 items."""
    tables = "".join(
        f"    ({m}, {k}): {stored_spreads(m, k)},\n"
        for k in (6, 12)
        for m in range(2, EXACT_W_RATERS)
    )
    return (
        '"""Kendall\'s W of random rankings, as `chance.simulated_spreads` draws them, stored for '
        "the sizes\nthe built-in instruments ask for (2 to 7 raters over 6 or 12 items): per "
        "(raters, items), each\ndistinct 4 x spread and how many of the draws gave it. Written "
        'by `chance.write_w_nulls()`; a test\nchecks it against the simulation."""\n\n'
        "SPREADS: dict[tuple[int, int], tuple[tuple[int, ...], tuple[int, ...]]] = {\n"
        f"{tables}}}  # fmt: skip\n"
    )


def kendall_p(w: np.ndarray, m: np.ndarray, k: int) -> np.ndarray:
    """Permutation p of Kendall's W for groups of fewer than `EXACT_W_RATERS` raters (NaN
    elsewhere): the share of simulated random groups of the same size with W at least as high."""
    p = np.full(np.shape(w), np.nan)
    for size in distinct(m[(m >= 2) & (m < EXACT_W_RATERS)]).tolist():
        cells = (m == size) & ~np.isnan(w)
        null = _kendall_null(int(size), k)
        at_least = len(null) - np.searchsorted(null, w[cells] - TOLERANCE, side="left")
        p[cells] = (at_least + 1) / (len(null) + 1)
    return p


@lru_cache(maxsize=256)
def pattern_chance(
    m: int, n: int, head: int, tail: int, k: int, own: float, contrast: float
) -> float:
    """P(T_a >= own and T_a - T_b >= contrast) for the tilts of two disjoint groups of m and n
    random raters: how often the technical-leader pattern arises by chance."""
    pa, pb = rank_sum_null(head, k, m), rank_sum_null(head, k, n)
    total = k * (k + 1) / 2.0

    def tilts(raters: int, sums: np.ndarray) -> np.ndarray:
        mean_head = sums / raters
        return (total - mean_head) / tail - mean_head / head

    ta, tb = tilts(m, np.arange(len(pa))), tilts(n, np.arange(len(pb)))
    hit = (ta[:, None] >= own - TOLERANCE) & (ta[:, None] - tb[None, :] >= contrast - TOLERANCE)
    return float((pa[:, None] * pb[None, :])[hit].sum())


SEQUENTIAL_TRIALS = 1_000  # up to this many trials the distribution is built trial by trial


def at_least_p(count: int, chances: list[float]) -> float:
    """P(X >= count) for X the number of successes of independent trials with these chances
    (the Poisson-binomial; the binomial when the chances are equal). Many trials share few
    chances (leaders with the same group sizes): beyond `SEQUENTIAL_TRIALS`, the binomial of
    each distinct chance is convolved with the others'."""
    distribution = np.array([1.0])
    if len(chances) <= SEQUENTIAL_TRIALS:
        for p in chances:
            distribution = np.convolve(distribution, [1.0 - p, p])
    else:
        values, sizes = np.unique(np.asarray(chances, dtype=np.float64), return_counts=True)
        for p, n in zip(values.tolist(), sizes.tolist(), strict=True):
            distribution = _convolved(distribution, binomial_pmf(int(n), p))
    return float(np.clip(distribution[count:].sum(), 0.0, 1.0))


def binomial_pmf(n: int, p: float) -> np.ndarray:
    """P(X = 0..n) for X binomial with n trials of chance p, in logs (no overflow)."""
    k = np.arange(n + 1, dtype=np.float64)
    if p <= 0.0 or p >= 1.0:
        return np.asarray(k == (n if p >= 1.0 else 0), dtype=np.float64)
    log_choose = np.concatenate([[0.0], np.cumsum(np.log(n - k[1:] + 1) - np.log(k[1:]))])
    return np.asarray(np.exp(log_choose + k * math.log(p) + (n - k) * math.log1p(-p)))


def _convolved(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The distribution of a sum of two independent counts: directly, or by FFT when long."""
    if len(a) * len(b) <= 10_000_000:
        return np.convolve(a, b)
    size = len(a) + len(b) - 1
    spectrum = np.fft.rfft(a, size) * np.fft.rfft(b, size)
    return np.clip(np.fft.irfft(spectrum, size), 0.0, None)


PERMUTATIONS = 20_000  # labelings drawn when there are more than this many to enumerate


@dataclass(frozen=True)
class Permutation:
    """A permutation test's p, and how it was found: from every distinct labeling (`exact`) or
    from seeded random ones; `labelings` says how many."""

    p_value: float
    labelings: int
    exact: bool


def between_groups_p(values: np.ndarray, labels: np.ndarray) -> Permutation:
    """Whether the groups `labels` marks differ in their mean `values`, by permutation: the
    chance that relabeling the values at random spreads the group means at least as far (the
    between-groups sum of squares, which for two groups orders labelings as |mean a - mean b|
    does). Exact over every distinct labeling up to `PERMUTATIONS` of them; beyond, seeded
    random labelings, p = (1 + as extreme) / (1 + draws)."""
    values = np.asarray(values, dtype=np.float64)
    codes = np.unique(labels, return_inverse=True)[1].astype(np.int64)
    k = int(codes.max()) + 1
    sizes = np.bincount(codes, minlength=k)
    observed = _spread(values, codes[None, :], k)[0]
    if _labelings(sizes.tolist()) <= PERMUTATIONS:
        every = _every_labeling(sizes.tolist())
        spread = _spread(values, every, k)
        return Permutation(float((spread >= observed - 1e-9).mean()), len(every), True)
    rng = rng_for(len(values), k)
    extreme = 0
    for start in range(0, PERMUTATIONS, 1_000):
        block = rng.permuted(np.tile(codes, (min(1_000, PERMUTATIONS - start), 1)), axis=1)
        extreme += int((_spread(values, block, k) >= observed - 1e-9).sum())
    return Permutation((1 + extreme) / (1 + PERMUTATIONS), PERMUTATIONS, False)


def _spread(values: np.ndarray, labelings: np.ndarray, k: int) -> np.ndarray:
    """Per labeling (rows), sum over groups of size x (group mean - grand mean)^2."""
    grand = values.mean()
    total = np.zeros(len(labelings))
    for g in range(k):
        member = labelings == g
        n = member.sum(axis=1)
        s = member @ values
        with np.errstate(invalid="ignore", divide="ignore"):
            total += np.where(n > 0, n * (s / np.maximum(n, 1) - grand) ** 2, 0.0)
    return total


def _labelings(sizes: list[int]) -> int:
    """How many distinct ways to label len = sum(sizes) values with groups of these sizes."""
    count, left = 1, sum(sizes)
    for size in sizes:
        count *= math.comb(left, size)
        left -= size
    return count


def _every_labeling(sizes: list[int]) -> np.ndarray:
    """Every distinct labeling of sum(sizes) positions with groups of these sizes, one per row."""
    n = sum(sizes)
    rows = [np.full(n, -1, dtype=np.int64)]
    for g, size in enumerate(sizes):
        grown = []
        for row in rows:
            free = np.flatnonzero(row < 0)
            for chosen in combinations(free.tolist(), size):
                new = row.copy()
                new[list(chosen)] = g
                grown.append(new)
        rows = grown
    return np.array(rows)
