"""The organization view: every rater group pooled over all leaders, and patterns across leaders."""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from coachkit.analysis import chance, stats
from coachkit.analysis.arrays import (
    Sums,
    Tables,
    add_up,
    pool,
    rank_rows,
    reported_only,
    spearman_rows,
    subset,
    tables,
)
from coachkit.analysis.focus import PATTERN_CONTRAST, PATTERN_SELF_TILT, Summaries, summarize
from coachkit.analysis.report import instrument_info, settings_for
from coachkit.model import (
    Concordance,
    GroupAgreement,
    OrgGroup,
    OrgReport,
    RhoSummary,
    Segment,
    SegmentContrast,
    Segments,
    Tilt,
)
from coachkit.policy import beyond_chance
from coachkit.version import __version__

if TYPE_CHECKING:
    from coachkit.instruments import Instrument
    from coachkit.validate import Dataset


def analyze_org(
    dataset: Dataset,
    min_raters: int = 3,
    notable_gap: float | None = None,
    major_gap: float | None = None,
    by: str | None = None,
) -> OrgReport:
    """Pool each rater group over the organization, and summarize the leaders' own results;
    with `by` (a roster attribute), the same per segment of leaders that share its value."""
    instrument = dataset.instrument
    dims = list(instrument.dimension_ids)
    settings = settings_for(dataset, min_raters, notable_gap, major_gap)
    sums = add_up(dataset)
    leaders = tables(sums, instrument, dataset.blocks, min_raters, detail=False)
    # The whole organization as one subject: the same statistics, pooled over every leader, from
    # the raters whose group each leader's own report shows (a suppressed group never enters the
    # pool, so no subtraction of one report from the organization view reveals it).
    shown = reported_only(sums, leaders.reported, reuse=True)  # `sums` is not used after
    org = tables(pool(shown), instrument, dataset.blocks, min_raters)
    groups = _groups(org, dims)
    reported = [g for g in groups if g.reported]
    agreement = tuple(
        GroupAgreement(
            block,
            a.group,
            b.group,
            _rho(
                np.array([a.mean_rank[d] for d in block_dims]),
                np.array([b.mean_rank[d] for d in block_dims]),
            ),
        )
        for block, block_dims in dataset.blocks
        for a, b in combinations(reported, 2)
    )
    summaries = summarize(leaders, instrument, dataset.blocks, settings)
    rho = summaries.rho
    pattern, focus = summaries.pattern, summaries.focus_counts()
    assessed, expected, pattern_p = _pattern_chance(leaders, instrument, summaries)
    return OrgReport(
        coachkit_version=__version__,
        instrument=instrument_info(instrument),
        settings=settings,
        inputs=dataset.inputs,
        excluded=dataset.excluded,
        n_subjects=len(leaders.subjects),
        groups=groups,
        agreement=agreement,
        self_manager_spearman=rho_summary(
            [None if v != v else v for v in rho.tolist()],
            stats.mean_rho_critical(tuple(len(block_dims) for _, block_dims in dataset.blocks)),
        ),
        technical_leader_pattern=tuple(
            s for s, hit in zip(leaders.subjects, pattern.tolist(), strict=True) if hit
        ),
        coaching_focus_frequency={d: n for d, n in zip(dims, focus.tolist(), strict=True) if n},
        pattern_assessed=assessed,
        pattern_expected_share=expected,
        pattern_p_value=pattern_p,
        segments=None
        if by is None
        else _segments(dataset, by, shown, leaders, summaries, min_raters),
    )


MIN_SEGMENT_LEADERS = 3  # a segment of fewer leaders is not reported


def _segments(
    dataset: Dataset,
    by: str,
    shown: Sums,
    leaders: Tables,
    summaries: Summaries,
    min_raters: int,
) -> Segments:
    """The organization split by a roster attribute: per segment of at least
    `MIN_SEGMENT_LEADERS` leaders the pooled groups (from what each leader's own report shows),
    the self-minus-reference tilt and the technical-leader pattern; and whether the segments
    differ in that tilt difference, by permutation over leaders."""
    instrument = dataset.instrument
    dims = list(instrument.dimension_ids)
    values = [None if a is None else a.get(by) for a in dataset.attributes]
    keys = [None if v is None else " ".join(v.casefold().split()) for v in values]
    named: dict[str, str] = {}
    for key, value in zip(keys, values, strict=True):
        if key is not None and value is not None:
            named.setdefault(key, value)  # the first spelling names the segment
    difference = _tilt_difference(leaders, instrument, summaries)
    segments, members = [], []
    for key, value in sorted(named.items(), key=lambda item: item[1].casefold()):
        rows = np.array([i for i, k in enumerate(keys) if k == key], dtype=np.int64)
        if len(rows) < MIN_SEGMENT_LEADERS:
            reason = f"fewer than {MIN_SEGMENT_LEADERS} leaders"
            segments.append(Segment(value, len(rows), False, reason))
            continue
        pooled = tables(pool(subset(shown, rows)), instrument, dataset.blocks, min_raters)
        own = difference[rows]
        present = own[~np.isnan(own)]
        assessed, expected, _ = _pattern_chance(leaders, instrument, summaries, rows)
        segments.append(
            Segment(
                value=value,
                n_leaders=len(rows),
                reported=True,
                reason=None,
                groups=_groups(pooled, dims),
                tilt_difference=float(present.mean()) if len(present) else None,
                tilt_leaders=len(present),
                pattern_count=int(summaries.pattern[rows].sum()),
                pattern_assessed=assessed,
                pattern_expected_share=expected,
            )
        )
        members.append(rows)
    return Segments(
        by=by,
        segments=tuple(segments),
        contrast=_contrast(difference, members),
        unassigned=tuple(s for s, k in zip(dataset.subjects, keys, strict=True) if k is None),
    )


def _tilt_difference(leaders: Tables, instrument: Instrument, summaries: Summaries) -> np.ndarray:
    """Per leader, self's tilt minus the reference role's (NaN unless both are shown)."""
    boss = summaries.reference
    if leaders.tilt is None or boss is None:
        return np.full(len(leaders.subjects), np.nan)
    me = leaders.groups.index(instrument.self_group)
    both = leaders.reported[:, me] & leaders.reported[:, boss]
    return np.where(both, leaders.tilt[:, me] - leaders.tilt[:, boss], np.nan)


def _contrast(difference: np.ndarray, members: list[np.ndarray]) -> SegmentContrast | None:
    """Whether the reported segments differ in their leaders' tilt differences (None unless
    two segments have a leader with one)."""
    values, labels = [], []
    for label, rows in enumerate(members):
        own = difference[rows]
        own = own[~np.isnan(own)]
        values.append(own)
        labels.append(np.full(len(own), label))
    if sum(len(v) > 0 for v in values) < 2:
        return None
    test = chance.between_groups_p(np.concatenate(values), np.concatenate(labels))
    leaders = sum(map(len, values))
    return SegmentContrast(
        test.p_value, leaders, test.labelings, test.exact, beyond_chance(test.p_value)
    )


def _groups(org: Tables, dims: list[str]) -> tuple[OrgGroup, ...]:
    """Each group of a pooled subject (row 0 of `org`): its mean ranks, tilt and agreement."""
    groups = []
    for i, group in enumerate(org.groups):
        n = int(org.counts[0, i])
        if not org.reported[0, i]:
            groups.append(OrgGroup(group, n, False, org.reasons[0][i], {}, {}, None, {}))
            continue
        concordance = {
            block: Concordance(float(w[0, i]), float(chi2[0, i]), float(p[0, i]), n)
            for block, (w, chi2, p) in org.concordance.items()
            if not np.isnan(w[0, i])
        }
        tilt = None
        if org.tilt is not None and org.tilt_p is not None:
            tilt = Tilt(float(org.tilt[0, i]), float(org.tilt_p[0, i]), n)
        groups.append(
            OrgGroup(
                group=group,
                n=n,
                reported=True,
                reason=None,
                mean_rank=dict(zip(dims, org.means[0, i].tolist(), strict=True)),
                consensus_rank=dict(zip(dims, org.consensus[0, i].tolist(), strict=True)),
                tilt=tilt,
                concordance=concordance,
            )
        )
    return tuple(groups)


def _pattern_chance(
    leaders: Tables,
    instrument: Instrument,
    summaries: Summaries,
    rows: np.ndarray | None = None,
) -> tuple[int, float | None, float | None]:
    """How many leaders (of `rows`, or all) could show the technical-leader pattern (self and
    the reference role both with a tilt), the share random rankings would show for their group
    sizes, and the chance of at least as many such leaders as show it (Poisson-binomial over
    the leaders' own chances)."""
    boss = summaries.reference
    if leaders.tilt is None or instrument.tilt is None or boss is None:
        return 0, None, None
    me = leaders.groups.index(instrument.self_group)
    both = leaders.reported[:, me] & leaders.reported[:, boss]
    if rows is not None:
        both &= np.isin(np.arange(len(both)), rows)
    head, tail = (len(instrument.family_members(f)) for f in instrument.tilt)
    k = len(instrument.dimensions)
    chances = [
        chance.pattern_chance(m, n, head, tail, k, PATTERN_SELF_TILT, PATTERN_CONTRAST)
        for m, n in zip(
            leaders.counts[both, me].tolist(), leaders.counts[both, boss].tolist(), strict=True
        )
    ]
    if not chances:
        return 0, None, None
    count = int(summaries.pattern[both].sum())
    return len(chances), float(np.mean(chances)), chance.at_least_p(count, chances)


def rho_summary(values: list[float | None], critical: float) -> RhoSummary:
    """The spread of a rho across leaders: quartiles, and the share below the critical value."""
    present = np.array([v for v in values if v is not None])
    if len(present) == 0:
        return RhoSummary(None, None, None, None, 0, critical)
    q1, median, q3 = np.percentile(present, [25, 50, 75])
    below = float((present < critical).mean())
    return RhoSummary(float(median), float(q1), float(q3), below, len(present), critical)


def _rho(a: np.ndarray, b: np.ndarray) -> float | None:
    """Spearman's rho between two groups' mean ranks (None when either is constant)."""
    rho = float(spearman_rows(rank_rows(a), rank_rows(b)))
    return None if rho != rho else rho
