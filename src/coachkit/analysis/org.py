"""The organization view: every rater group pooled over all leaders, and patterns across leaders."""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from coachkit.analysis import chance, stats
from coachkit.analysis.arrays import (
    Tables,
    add_up,
    pool,
    rank_rows,
    reported_only,
    spearman_rows,
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
    Tilt,
)
from coachkit.version import __version__

if TYPE_CHECKING:
    from coachkit.instruments import Instrument
    from coachkit.validate import Dataset


def analyze_org(
    dataset: Dataset,
    min_raters: int = 3,
    notable_gap: float | None = None,
    major_gap: float | None = None,
) -> OrgReport:
    """Pool each rater group over the organization, and summarize the leaders' own results."""
    instrument = dataset.instrument
    dims = list(instrument.dimension_ids)
    settings = settings_for(dataset, min_raters, notable_gap, major_gap)
    sums = add_up(dataset)
    leaders = tables(sums, instrument, dataset.blocks, min_raters, detail=False)
    # The whole organization as one subject: the same statistics, pooled over every leader, from
    # the raters whose group each leader's own report shows (a suppressed group never enters the
    # pool, so no subtraction of one report from the organization view reveals it).
    org = tables(
        pool(reported_only(sums, leaders.reported)), instrument, dataset.blocks, min_raters
    )
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
        groups=tuple(groups),
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
    )


def _pattern_chance(
    leaders: Tables, instrument: Instrument, summaries: Summaries
) -> tuple[int, float | None, float | None]:
    """How many leaders could show the technical-leader pattern (self and the reference role both
    with a tilt), the share random rankings would show for their group sizes, and the chance of
    at least as many such leaders as show it (Poisson-binomial over the leaders' own chances)."""
    boss = summaries.reference
    if leaders.tilt is None or instrument.tilt is None or boss is None:
        return 0, None, None
    me = leaders.groups.index(instrument.self_group)
    both = leaders.reported[:, me] & leaders.reported[:, boss]
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
    count = int(summaries.pattern.sum())
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
