"""The statistics of every subject at once, as arrays: one numpy pass over all responses.

Axes: S subjects (in order of first appearance), G rater groups (the instrument's groups, then the
pooled group), K dimensions. Per-subject Python only turns these arrays into result objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from coachkit.analysis import chance, stats
from coachkit.keys import distinct

if TYPE_CHECKING:
    from coachkit.instruments import Group, Instrument
    from coachkit.validate import Dataset


@dataclass(frozen=True)
class Tables:
    """Every statistic of every subject as arrays: the analysis before it becomes result objects."""

    subjects: list[str]
    groups: list[str]
    counts: np.ndarray  # (S, G) raters
    reported: np.ndarray  # (S, G) bool
    reasons: list[list[str | None]]  # (S, G): why a group is not reported, None when it is
    means: np.ndarray  # (S, G, K) mean rank
    consensus: np.ndarray  # (S, G, K) rank of the mean ranks within each block
    concordance: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # block -> W, chi2, p (S, G)
    tilt: np.ndarray | None  # (S, G) mean tilt
    tilt_p: np.ndarray | None  # (S, G)


def minimum(group: Group, min_raters: int) -> int:
    """The raters a group needs to be reported: 1 for a named group; for an anonymous one
    `--min-raters` or the instrument's own minimum for it, whichever is stricter."""
    return group.least(min_raters)


def reporting(
    instrument: Instrument, counts: np.ndarray, min_raters: int
) -> tuple[np.ndarray, list[list[str | None]]]:
    """Which groups are reported, and why the others are not, for counts of shape (S, G).

    Named groups from 1 rater, anonymous groups from `min_raters` or the group's own minimum,
    whichever is stricter, the pooled group from `min_raters` + 1, and not at all when subtracting
    the reported groups from it would reveal fewer suppressed raters than the strictest minimum
    of the groups they come from.
    """
    needs = [minimum(group, min_raters) for group in instrument.groups]
    needs.append(min_raters + 1)
    reported = counts >= np.array(needs)
    pooled_in = np.array(
        [g.id not in instrument.pooled_excludes for g in instrument.groups] + [False]
    )
    suppressed = ~reported & pooled_in & (counts > 0)
    hidden = np.where(suppressed, counts, 0).sum(axis=1)
    strictest = np.where(suppressed, np.array(needs), min_raters).max(axis=1)
    revealing = (hidden > 0) & (hidden < np.maximum(strictest, min_raters))
    reported[:, -1] &= ~revealing

    reasons = np.full(counts.shape, None, dtype=object)
    for g, need in enumerate(needs):
        reasons[~reported[:, g] & (counts[:, g] > 0), g] = f"fewer than {need} raters"
    for hide in distinct(hidden[revealing & (counts[:, -1] >= needs[-1])]).tolist():
        reasons[revealing & (hidden == hide) & (counts[:, -1] >= needs[-1]), -1] = (
            f"would reveal the {hide} suppressed rater{'s' * (hide > 1)} by subtraction"
        )
    reasons[counts == 0] = "no raters"
    return reported, reasons.tolist()


def rank_rows(x: np.ndarray) -> np.ndarray:
    """Average ranks along the last axis (ties share their mean rank), for any leading shape."""
    k = x.shape[-1]
    # Per value: how many are below it plus how many are at or below it (itself included),
    # which is twice its average rank minus one. One pass per position keeps arrays small.
    twice = np.zeros(x.shape, dtype=np.int8 if 2 * k < 128 else np.int32)
    for j in range(k):
        other = x[..., j : j + 1]
        twice += other < x
        twice += other <= x
    return np.asarray((twice + 1) / 2.0, dtype=np.float64)


def spearman_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Spearman's rho between rank vectors along the last axis; NaN where either is constant."""
    ra, rb = a - a.mean(axis=-1, keepdims=True), b - b.mean(axis=-1, keepdims=True)
    denominator = np.sqrt((ra * ra).sum(axis=-1) * (rb * rb).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = (ra * rb).sum(axis=-1) / denominator
    return np.where(denominator > 1e-12, np.clip(rho, -1.0, 1.0), np.nan)


@dataclass(frozen=True)
class Sums:
    """What the statistics need, added up per subject and group (the pooled group included).

    Everything here is a sum, so subjects pool by adding: the organization is `pool(sums)`.
    """

    subjects: list[str]
    counts: np.ndarray  # (S, G) raters
    ranks: np.ndarray  # (S, G, K) rank sums
    ties: dict[str, np.ndarray]  # block -> (S, G) sum over raters of sum(t^3 - t) over tie groups
    with_tilt: bool  # whether tilts are wanted (a tilt is a difference of family rank sums)


def compute(dataset: Dataset, min_raters: int) -> Tables:
    """Every statistic of every subject in the dataset, as arrays."""
    return tables(add_up(dataset), dataset.instrument, dataset.blocks, min_raters)


def _tilt_families(instrument: Instrument) -> list[list[int]]:
    """The dimensions' positions in the two families a tilt compares; empty without a tilt."""
    dims = list(instrument.dimension_ids)
    families = [
        [dims.index(d) for d in instrument.family_members(f)] for f in instrument.tilt or ()
    ]
    return families if families and sum(map(len, families)) == len(dims) else []


def add_up(dataset: Dataset) -> Sums:
    """One pass over the dataset's responses: per subject and group, the sums the statistics
    need (tie terms only when some response can tie ranks)."""
    instrument, ranks = dataset.instrument, dataset.ranks
    dims = list(instrument.dimension_ids)
    group_ids = [g.id for g in instrument.groups]
    n_subjects, n_groups = len(dataset.subjects), len(group_ids) + 1
    pooled_in = [g for g, group in enumerate(group_ids) if group not in instrument.pooled_excludes]
    keys = dataset.subject_codes * n_groups + dataset.group_codes

    def by_cell(weights: np.ndarray | None = None) -> np.ndarray:
        """Sum of `weights` (or a count) per subject and group, the pooled group included."""
        out = np.bincount(keys, weights, minlength=n_subjects * n_groups).reshape(
            n_subjects, n_groups
        )
        out[:, -1] = out[:, pooled_in].sum(axis=1)
        return out

    return Sums(
        subjects=list(dataset.subjects),
        counts=by_cell().astype(np.int64),
        ranks=np.stack([by_cell(ranks[:, d]) for d in range(len(dims))], axis=-1),
        ties={
            block: by_cell(tie_terms(ranks[:, [dims.index(d) for d in block_dims]]))
            if dataset.tied
            else np.zeros((n_subjects, n_groups))
            for block, block_dims in dataset.blocks
        },
        with_tilt=dataset.scheme == "overall",
    )


def reported_only(sums: Sums, reported: np.ndarray, reuse: bool = False) -> Sums:
    """The sums of the (subject, group) cells a subject's own report shows; the others zeroed.
    With `reuse` (a caller done with `sums`), the rank sums are zeroed where they are: the rank
    sums of a million responses' leaders take tens of megabytes, fresh memory a while to touch."""
    shown = reported.astype(np.float64)
    return Sums(
        subjects=sums.subjects,
        counts=np.where(reported, sums.counts, 0),
        ranks=np.multiply(sums.ranks, shown[..., None], out=sums.ranks if reuse else None),
        ties={block: t * shown for block, t in sums.ties.items()},
        with_tilt=sums.with_tilt,
    )


def subset(sums: Sums, rows: np.ndarray) -> Sums:
    """The sums of some subjects only (`rows`: their indices)."""
    return Sums(
        subjects=[sums.subjects[i] for i in rows.tolist()],
        counts=sums.counts[rows],
        ranks=sums.ranks[rows],
        ties={block: t[rows] for block, t in sums.ties.items()},
        with_tilt=sums.with_tilt,
    )


def pool(sums: Sums) -> Sums:
    """Every subject as one (named ""): the sums added over subjects."""

    def total(x: np.ndarray) -> np.ndarray:
        return np.asarray(x.sum(axis=0, keepdims=True))

    return Sums(
        subjects=[""],
        counts=total(sums.counts),
        ranks=total(sums.ranks),
        ties={block: total(t) for block, t in sums.ties.items()},
        with_tilt=sums.with_tilt,
    )


def tables(
    sums: Sums,
    instrument: Instrument,
    blocks: tuple[tuple[str, tuple[str, ...]], ...],
    min_raters: int,
    detail: bool = True,
) -> Tables:
    """Means, consensus, concordance, tilt and anonymity from the sums. Without `detail` (for
    a summary across leaders, which picks what it needs): no consensus ranks (NaN), no
    concordance and no tilt p-values."""
    dims = list(instrument.dimension_ids)
    counts = sums.counts
    reported, reasons = reporting(instrument, counts, min_raters)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = sums.ranks / counts[..., None]
    consensus = (  # without detail a read-only NaN that takes no memory (a million responses'
        # leaders would fill tens of megabytes with it)
        consensus_ranks(means, instrument, blocks)
        if detail
        else np.broadcast_to(np.float64(np.nan), means.shape)
    )
    concordance = {}
    for block, block_dims in blocks:
        cols = [dims.index(d) for d in block_dims]
        if detail:
            w, chi2, p = kendall(sums.ranks[..., cols], counts, sums.ties[block])
            # below 8 raters the chi-square is poor: a permutation p where no ranks tie (tied
            # groups are permuted rater by rater where the raters are at hand)
            small = (counts < chance.EXACT_W_RATERS) & (sums.ties[block] == 0)
            p = np.where(small & ~np.isnan(w), chance.kendall_p(w, counts, len(cols)), p)
            concordance[block] = (w, chi2, p)
    tilt = tilt_p = None
    families = _tilt_families(instrument) if sums.with_tilt else []
    if families:  # a rater's tilt is linear in their ranks, so the group's comes from its sums
        head, tail = families
        first = sums.ranks[..., head].sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            tilt = (sums.ranks[..., tail].sum(axis=-1) / len(tail) - first / len(head)) / counts
        tilt_p = rank_sum_p_values(first, counts, len(head), len(dims)) if detail else None
    return Tables(
        subjects=sums.subjects,
        groups=[*(g.id for g in instrument.groups), instrument.pooled.id],
        counts=counts,
        reported=reported,
        reasons=reasons,
        means=means,
        consensus=consensus,
        concordance=concordance,
        tilt=tilt,
        tilt_p=tilt_p,
    )


def consensus_ranks(
    means: np.ndarray, instrument: Instrument, blocks: tuple[tuple[str, tuple[str, ...]], ...]
) -> np.ndarray:
    """Each dimension's consensus rank: the rank of its mean rank within its block. Means are
    compared to 9 decimals, so that means equal in exact arithmetic (sums of filled-in partial
    ranks, say) tie rather than differ in their last bit."""
    means = np.round(means, 9)
    dims = list(instrument.dimension_ids)
    consensus = np.full_like(means, np.nan)
    for _, block_dims in blocks:
        cols = [dims.index(d) for d in block_dims]
        if cols == list(range(len(dims))):  # one block of every dimension: no copies
            return rank_rows(means)
        consensus[..., cols] = rank_rows(means[..., cols])
    return consensus


def tie_terms(ranks: np.ndarray) -> np.ndarray:
    """Per rater: sum of t^3 - t over the groups of t tied ranks (0 for a ranking without ties)."""
    ordered = np.sort(ranks, axis=1)
    tied = np.flatnonzero((ordered[:, 1:] == ordered[:, :-1]).any(axis=1))
    terms = np.zeros(len(ranks))
    if len(tied):  # count each value's copies in the rows that have any
        x = ranks[tied]
        equal = (x[:, None, :] == x[:, :, None]).sum(axis=-1)  # per cell: the size t of its group
        terms[tied] = (equal * equal - 1).sum(axis=1)  # t cells each adding t^2 - 1
    return terms


def kendall(
    sums: np.ndarray, counts: np.ndarray, ties: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kendall's W with tie correction from rank sums (.., k), rater counts and tie terms; NaN
    where undefined (m < 2)."""
    k = sums.shape[-1]
    spread = ((sums - sums.mean(axis=-1, keepdims=True)) ** 2).sum(axis=-1)
    m = counts.astype(np.float64)
    denominator = m * m * (k**3 - k) - m * ties
    valid = (counts >= 2) & (denominator > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(valid, np.clip(12.0 * spread / denominator, 0.0, 1.0), np.nan)
    chi2 = m * (k - 1) * w
    return w, chi2, chi2_sf_array(chi2, k - 1)


def chi2_sf_array(x: np.ndarray, df: int) -> np.ndarray:
    """P(X >= x) for chi-square with whole df, elementwise (closed forms for integer df)."""
    import math

    half = np.where(np.isnan(x), 0.0, np.maximum(x, 0.0)) / 2.0
    if df % 2 == 0:
        term = np.ones_like(half)
        total = np.ones_like(half)
        for j in range(1, df // 2):
            term = term * half / j
            total = total + term
        out = np.exp(-half) * total
    else:
        root = np.sqrt(half)
        out = np.array([math.erfc(v) for v in root.ravel().tolist()], dtype=np.float64).reshape(
            root.shape
        )
        term = np.sqrt(half) / math.gamma(1.5)
        total = term.copy()
        for j in range(1, (df - 1) // 2):
            term = term * half / (j + 0.5)
            total = total + term
        if df > 1:
            out = out + np.exp(-half) * total
    return np.where(np.isnan(x), np.nan, np.clip(out, 0.0, 1.0))


@lru_cache(maxsize=256)
def _tail(size: int, k: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Deviations from the expected rank sum, largest first, and P(|deviation| >= each)."""
    null = stats.rank_sum_null(size, k, m)
    deviation = np.abs(np.arange(len(null)) - m * size * (k + 1) / 2.0)
    order = np.argsort(-deviation, kind="stable")
    return deviation[order], np.cumsum(null[order])


def rank_sum_p_values(totals: np.ndarray, counts: np.ndarray, size: int, k: int) -> np.ndarray:
    """Exact two-sided p of the first family's rank sum, for every cell, one null per rater count."""
    p = np.full(totals.shape, np.nan)
    for m in distinct(counts[counts > 0]).tolist():
        cells = counts == m
        observed = np.abs(totals[cells] - m * size * (k + 1) / 2.0) - 1e-9
        if m > stats.EXACT_RATERS:
            p[cells] = np.minimum(stats.rank_sum_normal_p(observed, size, k, int(m)), 1.0)
            continue
        deviation, cumulative = _tail(size, k, int(m))
        at = np.searchsorted(-deviation, -observed, side="right") - 1
        p[cells] = np.minimum(cumulative[np.maximum(at, 0)], 1.0)
    return p
