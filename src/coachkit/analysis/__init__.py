"""Per-subject analysis: group sizes and anonymity, mean ranks, gaps, agreement, tilt, coaching focus."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from coachkit import __version__
from coachkit.analysis import stats
from coachkit.analysis.focus import coaching_focus, strengths, tilt_contrast
from coachkit.model import (
    Block,
    Comparison,
    Concordance,
    DimensionInfo,
    GroupCount,
    InstrumentInfo,
    NotableGap,
    Report,
    Settings,
    SubjectResult,
    Tilt,
)

if TYPE_CHECKING:
    from coachkit.instruments import Instrument
    from coachkit.validate import Dataset


def analyze(
    dataset: Dataset,
    min_raters: int = 3,
    notable_gap: float | None = None,
    major_gap: float | None = None,
) -> Report:
    """Analyze every subject in the dataset into a `Report`."""
    instrument = dataset.instrument
    k = len(dataset.blocks[0][1])
    notable = notable_gap if notable_gap is not None else k / 4
    major = major_gap if major_gap is not None else k / 2
    responses = dataset.responses
    ranks = responses[list(instrument.dimension_ids)].to_numpy(dtype=np.float64)
    subjects = responses["subject"].to_numpy(dtype=object)
    tilt_spec = tilt_columns(instrument) if dataset.scheme == "overall" else None

    order = list(dict.fromkeys(subjects))
    members: dict[str, dict[str, np.ndarray]] = {s: {} for s in order}
    indices: dict[Any, Any] = responses.groupby(["subject", "group"], sort=False).indices
    for (subject, group), index in indices.items():
        members[subject][group] = np.asarray(index)
    settings = Settings(
        min_raters,
        notable,
        major,
        dataset.scheme.value,
        dataset.values.value,
        dataset.allow_partial,
    )
    results = tuple(
        _subject(name, members[name], ranks, instrument, dataset.blocks, settings, tilt_spec)
        for name in order
    )
    return Report(
        coachkit_version=__version__,
        instrument=instrument_info(instrument),
        settings=settings,
        inputs=dataset.inputs,
        excluded=dataset.excluded,
        subjects=results,
        warnings=dataset.warnings,
    )


def instrument_info(instrument: Instrument) -> InstrumentInfo:
    return InstrumentInfo(
        id=instrument.id,
        name=instrument.name,
        dimensions=tuple(DimensionInfo(d.id, d.label, d.family) for d in instrument.dimensions),
        groups={g: instrument.group(g).label for g in instrument.group_ids},
        families={f.id: f.label for f in instrument.families},
        tilt=_tilt_labels(instrument),
        self_group=instrument.self_group,
        focus_groups=instrument.focus_groups,
        pooled=instrument.pooled.id,
    )


def _tilt_labels(instrument: Instrument) -> tuple[str, str] | None:
    if instrument.tilt is None:
        return None
    first, second = instrument.tilt
    return instrument.family(first).label, instrument.family(second).label


def group_counts(
    instrument: Instrument, counts: dict[str, int], min_raters: int
) -> tuple[GroupCount, ...]:
    """Who is reported: named groups at n >= 1, anonymous ones at n >= min, the pool at min + 1.

    The pool is also withheld when subtracting the reported groups from it would reveal the
    rankings of fewer than `min_raters` suppressed raters.
    """
    result: list[GroupCount] = []
    hidden = 0
    for group in instrument.groups:
        n = counts.get(group.id, 0)
        need = group.min_raters or (min_raters if group.anonymous else 1)
        if n == 0:
            result.append(GroupCount(group.id, 0, False, "no raters"))
        elif n < need:
            result.append(GroupCount(group.id, n, False, f"fewer than {need} raters"))
            hidden += n if group.id not in instrument.pooled_excludes else 0
        else:
            result.append(GroupCount(group.id, n, True))
    pooled = instrument.pooled.id
    n = counts.get(pooled, 0)
    if n < min_raters + 1:
        reason = "no raters" if n == 0 else f"fewer than {min_raters + 1} raters"
        result.append(GroupCount(pooled, n, False, reason))
    elif 0 < hidden < min_raters:
        reason = f"would reveal the {hidden} suppressed rater{'s' * (hidden > 1)} by subtraction"
        result.append(GroupCount(pooled, n, False, reason))
    else:
        result.append(GroupCount(pooled, n, True))
    return tuple(result)


def tilt_columns(instrument: Instrument) -> tuple[list[int], list[int]] | None:
    """Column positions of the tilt's first and second family, when the instrument defines a tilt."""
    if instrument.tilt is None:
        return None
    dims = list(instrument.dimension_ids)
    first, second = ([dims.index(d) for d in instrument.family_members(f)] for f in instrument.tilt)
    if len(first) + len(second) != len(dims):
        return None
    return first, second


def _subject(
    name: str,
    members: dict[str, np.ndarray],
    ranks: np.ndarray,
    instrument: Instrument,
    blocks: tuple[tuple[str, tuple[str, ...]], ...],
    settings: Settings,
    tilt_spec: tuple[list[int], list[int]] | None,
) -> SubjectResult:
    pooled = [
        i for g, index in members.items() if g not in instrument.pooled_excludes for i in index
    ]
    rows = {**members, instrument.pooled.id: np.asarray(sorted(pooled), dtype=np.intp)}
    counts = {g: len(index) for g, index in rows.items()}
    groups = group_counts(instrument, counts, settings.min_raters)
    reported = [g.group for g in groups if g.reported]
    dims = list(instrument.dimension_ids)
    result_blocks = []
    for block_id, block_dims in blocks:
        cols = [dims.index(d) for d in block_dims]
        result_blocks.append(
            _block(
                block_id,
                block_dims,
                {g: ranks[rows[g]][:, cols] for g in reported},
                instrument,
                settings,
            )
        )
    if tilt_spec is not None:
        tilts = {g: group_tilt(ranks[rows[g]], *tilt_spec) for g in reported}
        first = result_blocks[0]
        result_blocks[0] = Block(
            first.block,
            first.dimensions,
            first.mean_rank,
            first.consensus_rank,
            first.comparisons,
            first.concordance,
            tilts,
        )
    subject_blocks = tuple(result_blocks)
    return SubjectResult(
        subject=name,
        groups=groups,
        blocks=subject_blocks,
        coaching_focus=coaching_focus(subject_blocks, instrument, settings),
        tilt_contrast=tilt_contrast(subject_blocks, instrument),
        strengths=strengths(subject_blocks, instrument),
    )


def _block(
    block_id: str,
    block_dims: tuple[str, ...],
    group_ranks: dict[str, np.ndarray],
    instrument: Instrument,
    settings: Settings,
) -> Block:
    k = len(block_dims)
    means = {g: r.mean(axis=0) for g, r in group_ranks.items()}
    comparisons = []
    for a, b in instrument.pairs:
        if a not in means or b not in means:
            continue
        gaps = means[b] - means[a]
        notable = tuple(
            NotableGap(
                d,
                float(gap),
                "major" if abs(gap) >= settings.major_gap else "notable",
                stats.gap_chance(gap, k),
            )
            for d, gap in zip(block_dims, gaps, strict=True)
            if abs(gap) >= settings.notable_gap
        )
        comparisons.append(
            Comparison(a, b, stats.spearman(means[a], means[b]), _by_dim(block_dims, gaps), notable)
        )
    concordance = {}
    for g, r in group_ranks.items():
        w = stats.kendall_w(r)
        if w is not None:
            concordance[g] = Concordance(w[0], w[1], w[2], len(r))
    return Block(
        block=block_id,
        dimensions=block_dims,
        mean_rank={g: _by_dim(block_dims, v) for g, v in means.items()},
        consensus_rank={g: _by_dim(block_dims, stats.rank_average(v)) for g, v in means.items()},
        comparisons=tuple(comparisons),
        concordance=concordance,
        tilt=None,
    )


def group_tilt(group_ranks: np.ndarray, first: list[int], second: list[int]) -> Tilt:
    """Mean over raters of (mean rank of the second family - mean rank of the first), with its p."""
    m = len(group_ranks)
    per_rater = group_ranks[:, second].mean(axis=1) - group_ranks[:, first].mean(axis=1)
    total = float(group_ranks[:, first].sum())
    p = stats.rank_sum_p_value(total, len(first), len(first) + len(second), m)
    return Tilt(float(per_rater.mean()), p, m)


def _by_dim(dims: tuple[str, ...], values: np.ndarray) -> dict[str, float]:
    return {d: float(v) for d, v in zip(dims, values, strict=True)}
