"""What to take into the coaching session, for every leader at once: the coaching focus (self
against every other rater, in both directions), the tilt contrasts, shared strengths and the
technical-leader pattern, each with the chance that random rankings produce it. Computed here
once, as arrays over leaders, and read by the report, the organization view, compare and batch
(numbers only; the words are the renderers')."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from coachkit.analysis import chance
from coachkit.policy import ALPHA

if TYPE_CHECKING:
    from coachkit.analysis.arrays import Tables
    from coachkit.instruments import Instrument
    from coachkit.model import Settings

MAX_FOCUS = 3  # items listed in each direction
TOP = 3  # a strength is among the first this many of self and of the others

# The technical-leader pattern: self puts the tilt's first family ahead by at least this many
# places, and at least this many places more than the reference role (the manager) does.
PATTERN_SELF_TILT = 1.0
PATTERN_CONTRAST = 1.0

OTHERS_HIGHER, SELF_HIGHER = "others_higher", "self_higher"


@dataclass(frozen=True)
class Contrast:
    """Self's tilt against one other group's, for every leader: (S,) arrays, NaN where either
    group is not reported."""

    group: np.ndarray  # (S,) the other group's index, -1 where there is none
    difference: np.ndarray  # self's tilt minus the other's
    p: np.ndarray  # the exact two-sided p of the difference under random ranking


@dataclass(frozen=True)
class Summaries:
    """Every leader's coaching figures as arrays: S leaders, K dimensions in instrument order."""

    evidence: np.ndarray  # (S,) the index of the group self is tested against, -1 for none
    gap: np.ndarray  # (S, K) self's mean rank minus the evidence group's: > 0 they rank it higher
    p: np.ndarray  # (S, K) chance the largest gap of all, either way, reaches this one's share
    critical: np.ndarray  # (S,) the share of a block's size a gap needs to be beyond chance
    listed: np.ndarray  # (S, K) the focus items: notable gaps, the largest MAX_FOCUS each way
    strength_p: np.ndarray  # (S, K) chance random raters put any item this near the top
    strength: np.ndarray  # (S, K) strengths: both near the top, the others beyond chance
    reference: (
        int | None
    )  # the reference role's group index (the manager), if the instrument has one
    contrasts: tuple[Contrast, ...]  # self against the reference, then against the evidence group
    pattern: np.ndarray  # (S,) the technical-leader pattern
    rho: np.ndarray  # (S,) Spearman's rho of self and the reference role (NaN unless both shown)

    def focus_counts(self) -> np.ndarray:
        """How many leaders have each dimension as a beyond-chance focus item the others rank
        higher, (K,)."""
        hits = self.listed & (self.p <= ALPHA) & (self.gap > 0)
        return np.asarray(hits.sum(axis=0))


def evidence_groups(tables: Tables, instrument: Instrument) -> np.ndarray:
    """Per leader, the group self is tested against: the pooled others when reported, else the
    largest reported group (the first in the instrument's order among equals); -1 without self
    or without another reported group."""
    index = {g: i for i, g in enumerate(tables.groups)}
    me, pooled = index[instrument.self_group], index[instrument.pooled.id]
    shown = tables.reported.copy()
    shown[:, me] = False
    sizes = np.where(shown, tables.counts, -1)
    largest = sizes.argmax(axis=1)
    found = np.where(shown[:, pooled], pooled, np.where(sizes.max(axis=1) > 0, largest, -1))
    return np.where(tables.reported[:, me], found, -1)


def summarize(
    tables: Tables,
    instrument: Instrument,
    blocks: tuple[tuple[str, tuple[str, ...]], ...],
    settings: Settings,
) -> Summaries:
    """Every leader's focus, strengths, tilt contrasts and pattern, from the arrays."""
    dims = list(instrument.dimension_ids)
    index = {g: i for i, g in enumerate(tables.groups)}
    me = index[instrument.self_group]
    subjects = np.arange(len(tables.subjects))
    evidence = evidence_groups(tables, instrument)
    has = evidence >= 0
    size = np.empty(len(dims))  # each dimension's block size
    order = np.empty(len(dims))  # each dimension's place in the report: block, then position
    placed = [dims.index(d) for _, block_dims in blocks for d in block_dims]
    order[placed] = np.arange(len(placed))
    for _, block_dims in blocks:
        size[[dims.index(d) for d in block_dims]] = len(block_dims)
    theirs = tables.means[subjects, np.maximum(evidence, 0)]
    gap = np.where(has[:, None], tables.means[:, me] - theirs, np.nan)
    share = gap / size
    m = tables.counts[:, me]
    n = tables.counts[subjects, np.maximum(evidence, 0)]
    sizes = tuple(len(block_dims) for _, block_dims in blocks)
    p = np.full(gap.shape, np.nan)
    critical = np.full(len(subjects), np.nan)
    top_p = np.full(gap.shape, np.nan)
    for mi, ni in _pairs(m[has], n[has]):
        rows = has & (m == mi) & (n == ni)
        null, correction = chance.largest_gap_null(mi, ni, sizes)
        p[rows] = chance.at_least(null, np.abs(share[rows]) - correction)
        critical[rows] = _critical_share(mi, ni, sizes)
        low, add = chance.top_consensus_null(ni, sizes)
        top_p[rows] = chance.at_most(low, (theirs[rows] - (size + 1) / 2) / size + add)
    notable = np.abs(gap) >= settings.notable_gap - chance.TOLERANCE
    listed = _largest_each_way(share, notable, order)
    own_rank, their_rank = (
        tables.consensus[:, me],
        tables.consensus[subjects, np.maximum(evidence, 0)],
    )
    near_top = has[:, None] & (own_rank <= TOP) & (their_rank <= TOP)
    strength = near_top & (top_p <= ALPHA)
    counterpart = instrument.counterpart
    ref = None if counterpart is None else index[counterpart]
    contrasts = _contrasts(tables, instrument, ref, evidence)
    return Summaries(
        evidence=evidence,
        gap=gap,
        p=p,
        critical=critical,
        listed=listed,
        strength_p=np.where(near_top, top_p, np.nan),
        strength=strength,
        reference=ref,
        contrasts=contrasts,
        pattern=_pattern(tables, me, ref),
        rho=_reference_rho(tables, blocks, instrument, me, ref),
    )


def _pairs(m: np.ndarray, n: np.ndarray) -> list[tuple[int, int]]:
    """The distinct (m, n) group sizes, in order."""
    return sorted(set(zip(m.tolist(), n.tolist(), strict=True)))


@lru_cache(maxsize=512)
def _critical_share(m: int, n: int, blocks: tuple[int, ...]) -> float:
    """The smallest share beyond chance for a group of m against one of n, once per sizes: it
    weighs the whole null, which a batch of small files would otherwise do again per file."""
    null, correction = chance.largest_gap_null(m, n, blocks)
    return _critical(null) + correction


def _critical(null: np.ndarray) -> float:
    """The smallest share whose simulated p is at most ALPHA."""
    p = chance.at_least(null, null)  # each simulated value's own p (sorted: p falls along it)
    beyond = np.flatnonzero(p <= ALPHA)
    return float(null[beyond[0]]) if len(beyond) else float("inf")


def _largest_each_way(share: np.ndarray, notable: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The focus items: per leader the MAX_FOCUS notable gaps of largest share the others rank
    higher, and the MAX_FOCUS self ranks higher (equal shares in the report's order)."""
    listed = np.zeros(share.shape, dtype=bool)
    rows = np.arange(share.shape[0])[:, None]
    for sign in (1.0, -1.0):
        score = np.where(notable & (sign * share > 0), sign * share, -np.inf)
        ranked = np.lexsort((np.broadcast_to(order, score.shape), -score), axis=1)
        top = ranked[:, :MAX_FOCUS]
        listed[rows, top] = np.isfinite(score[rows, top])
    return listed


def _contrasts(
    tables: Tables, instrument: Instrument, ref: int | None, evidence: np.ndarray
) -> tuple[Contrast, ...]:
    """Self's tilt against the reference role's, then against the evidence group's (where that
    is another group), each with the exact p of the difference."""
    if tables.tilt is None or instrument.tilt is None:
        return ()
    index = {g: i for i, g in enumerate(tables.groups)}
    me = index[instrument.self_group]
    head, tail = (len(instrument.family_members(f)) for f in instrument.tilt)
    k = len(instrument.dimensions)
    subjects = np.arange(len(tables.subjects))
    others = [] if ref is None else [np.full(len(subjects), ref)]
    others.append(evidence if ref is None else np.where(evidence == ref, -1, evidence))
    found = []
    for other in others:
        shown = (other >= 0) & tables.reported[:, me]
        shown &= tables.reported[subjects, np.maximum(other, 0)]
        difference = np.where(
            shown, tables.tilt[:, me] - tables.tilt[subjects, np.maximum(other, 0)], np.nan
        )
        p = np.full(len(subjects), np.nan)
        m, n = tables.counts[:, me], tables.counts[subjects, np.maximum(other, 0)]
        for mi, ni in _pairs(m[shown], n[shown]):
            rows = shown & (m == mi) & (n == ni)
            p[rows] = chance.tilt_difference_p(difference[rows], mi, ni, head, tail, k)
        found.append(Contrast(np.where(shown, other, -1), difference, p))
    return tuple(found)


def _pattern(tables: Tables, me: int, ref: int | None) -> np.ndarray:
    """The technical-leader pattern per leader: self's tilt at least PATTERN_SELF_TILT, and at
    least PATTERN_CONTRAST more than the reference role's (both reported)."""
    if tables.tilt is None or ref is None:
        return np.zeros(len(tables.subjects), dtype=bool)
    both = tables.reported[:, me] & tables.reported[:, ref]
    own, boss = tables.tilt[:, me], tables.tilt[:, ref]
    near = chance.TOLERANCE
    return np.asarray(
        both & (own >= PATTERN_SELF_TILT - near) & (own - boss >= PATTERN_CONTRAST - near)
    )


def _reference_rho(
    tables: Tables,
    blocks: tuple[tuple[str, tuple[str, ...]], ...],
    instrument: Instrument,
    me: int,
    ref: int | None,
) -> np.ndarray:
    """Per leader, Spearman's rho between the consensus ranks of self and the reference role,
    the mean over blocks; NaN unless both are reported (or where either ranks all alike)."""
    import warnings

    from coachkit.analysis.arrays import consensus_ranks, spearman_rows

    if ref is None:
        return np.full(len(tables.subjects), np.nan)
    dims = list(instrument.dimension_ids)
    both = tables.reported[:, me] & tables.reported[:, ref]
    ranked = consensus_ranks(tables.means[:, [me, ref]], instrument, blocks)
    rhos = []
    for _, block_dims in blocks:
        cols = [dims.index(d) for d in block_dims]
        rhos.append(spearman_rows(ranked[:, 0][:, cols], ranked[:, 1][:, cols]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows stay NaN
        return np.asarray(np.where(both, np.nanmean(np.stack(rhos), axis=0), np.nan))
