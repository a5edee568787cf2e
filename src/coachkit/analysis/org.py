"""The organization view: every rater group pooled over all leaders, and patterns across leaders."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from coachkit.analysis import stats
from coachkit.analysis.arrays import compute
from coachkit.model import (
    Concordance,
    GroupAgreement,
    OrgGroup,
    OrgReport,
    Report,
    RhoSummary,
    SubjectResult,
    Tilt,
)

if TYPE_CHECKING:
    from coachkit.validate import Dataset

# The technical-leader pattern: self puts competencies first by at least this many places, and
# at least this many places more than the manager does.
PATTERN_SELF_TILT = 1.0
PATTERN_CONTRAST = 1.0


def analyze_org(dataset: Dataset, report: Report) -> OrgReport:
    """Pool each rater group over the organization; summarize the per-leader results in `report`."""
    instrument = dataset.instrument
    dims = list(instrument.dimension_ids)
    # The whole organization as one subject: the same statistics, pooled over every leader.
    tables = compute(
        dataset.responses.assign(subject=""),
        instrument,
        dataset.blocks,
        report.settings.min_raters,
        dataset.scheme == "overall",
    )
    groups = []
    for i, group in enumerate(tables.groups):
        n = int(tables.counts[0, i])
        if not tables.reported[0, i]:
            groups.append(OrgGroup(group, n, False, tables.reasons[0][i], {}, {}, None, {}))
            continue
        concordance = {
            block: Concordance(float(w[0, i]), float(chi2[0, i]), float(p[0, i]), n)
            for block, (w, chi2, p) in tables.concordance.items()
            if not np.isnan(w[0, i])
        }
        tilt = None
        if tables.tilt is not None and tables.tilt_p is not None:
            tilt = Tilt(float(tables.tilt[0, i]), float(tables.tilt_p[0, i]), n)
        groups.append(
            OrgGroup(
                group=group,
                n=n,
                reported=True,
                reason=None,
                mean_rank=dict(zip(dims, tables.means[0, i].tolist(), strict=True)),
                consensus_rank=dict(zip(dims, tables.consensus[0, i].tolist(), strict=True)),
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
            stats.spearman(
                np.array([a.mean_rank[d] for d in block_dims]),
                np.array([b.mean_rank[d] for d in block_dims]),
            ),
        )
        for block, block_dims in dataset.blocks
        for a, b in combinations(reported, 2)
    )
    k = len(dataset.blocks[0][1])
    me = instrument.self_group
    manager = instrument.focus_groups[0]
    focus = Counter(f.dimension for s in report.subjects for f in s.coaching_focus)
    return OrgReport(
        coachkit_version=report.coachkit_version,
        instrument=report.instrument,
        settings=report.settings,
        inputs=report.inputs,
        excluded=report.excluded,
        n_subjects=len(report.subjects),
        groups=tuple(groups),
        agreement=agreement,
        self_manager_spearman=rho_summary(
            [pair_spearman(s, me, manager) for s in report.subjects], stats.rho_critical(k)
        ),
        technical_leader_pattern=tuple(
            s.subject for s in report.subjects if technical_pattern(s, me, manager)
        ),
        coaching_focus_frequency={d: focus[d] for d in dims if focus[d]},
    )


def pair_spearman(subject: SubjectResult, a: str, b: str) -> float | None:
    """Spearman's rho between two groups of one leader; the mean over blocks when there are two."""
    values = [
        c.spearman
        for block in subject.blocks
        for c in block.comparisons
        if (c.a, c.b) == (a, b) and c.spearman is not None
    ]
    return float(np.mean(values)) if values else None


def rho_summary(values: list[float | None], critical: float) -> RhoSummary:
    present = np.array([v for v in values if v is not None])
    if len(present) == 0:
        return RhoSummary(None, None, None, None, 0, critical)
    q1, median, q3 = np.percentile(present, [25, 50, 75])
    below = float((present < critical).mean())
    return RhoSummary(float(median), float(q1), float(q3), below, len(present), critical)


def technical_pattern(subject: SubjectResult, me: str, manager: str) -> bool:
    """Self tilts toward competencies by >= 1 place, and >= 1 place more than the manager."""
    tilt = subject.blocks[0].tilt
    if not tilt or me not in tilt or manager not in tilt:
        return False
    own = tilt[me].value
    return own >= PATTERN_SELF_TILT and own - tilt[manager].value >= PATTERN_CONTRAST
