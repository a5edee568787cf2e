"""The organization view: every rater group pooled over all leaders, and patterns across leaders."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from coachkit.analysis import group_counts, group_tilt, stats, tilt_columns
from coachkit.model import (
    Concordance,
    GroupAgreement,
    OrgGroup,
    OrgReport,
    Report,
    RhoSummary,
    SubjectResult,
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
    responses = dataset.responses
    dims = list(instrument.dimension_ids)
    ranks = responses[dims].to_numpy(dtype=np.float64)
    group_of = responses["group"].to_numpy(dtype=object)
    masks = {g.id: group_of == g.id for g in instrument.groups}
    masks[instrument.pooled.id] = ~np.isin(group_of, list(instrument.pooled_excludes))
    counts = {g: int(mask.sum()) for g, mask in masks.items()}
    tilt_spec = tilt_columns(instrument) if dataset.scheme == "overall" else None

    groups = []
    for count in group_counts(instrument, counts, report.settings.min_raters):
        if not count.reported:
            groups.append(OrgGroup(count.group, count.n, False, count.reason, {}, {}, None, {}))
            continue
        members = ranks[masks[count.group]]
        means = members.mean(axis=0)
        consensus = np.empty(len(dims))
        concordance = {}
        for block, block_dims in dataset.blocks:
            cols = [dims.index(d) for d in block_dims]
            consensus[cols] = stats.rank_average(means[cols])
            w = stats.kendall_w(members[:, cols])
            if w is not None:
                concordance[block] = Concordance(w[0], w[1], w[2], len(members))
        groups.append(
            OrgGroup(
                group=count.group,
                n=count.n,
                reported=True,
                reason=None,
                mean_rank=dict(zip(dims, means.tolist(), strict=True)),
                consensus_rank=dict(zip(dims, consensus.tolist(), strict=True)),
                tilt=group_tilt(members, *tilt_spec) if tilt_spec else None,
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
