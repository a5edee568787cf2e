"""The report of every leader: group sizes and anonymity, mean ranks, gaps, agreement, tilt, focus."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from coachkit import __version__
from coachkit.analysis import stats
from coachkit.analysis.arrays import Tables, compute, spearman_rows
from coachkit.analysis.focus import coaching_focus, strengths, tilt_contrast
from coachkit.memory import collection_paused
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
    settings = settings_for(dataset, min_raters, notable_gap, major_gap)
    tables = compute(dataset, min_raters)
    with collection_paused():
        subjects = tuple(_subjects(tables, instrument, dataset.blocks, settings))
    return Report(
        coachkit_version=__version__,
        instrument=instrument_info(instrument),
        settings=settings,
        inputs=dataset.inputs,
        excluded=dataset.excluded,
        subjects=subjects,
        warnings=dataset.warnings,
    )


def settings_for(
    dataset: Dataset, min_raters: int, notable_gap: float | None, major_gap: float | None
) -> Settings:
    """The thresholds in force: gaps default to a quarter and half of the block size."""
    k = len(dataset.blocks[0][1])
    return Settings(
        min_raters,
        notable_gap if notable_gap is not None else k / 4,
        major_gap if major_gap is not None else k / 2,
        dataset.scheme.value,
        dataset.values.value,
        dataset.allow_partial,
    )


def instrument_info(instrument: Instrument) -> InstrumentInfo:
    """The instrument as a result carries it: labels, families, roles and the tilt's families."""
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


@dataclass(frozen=True)
class _BlockLists:
    """One block's numbers for every subject, as Python lists (cheap to index per subject)."""

    block: str
    dims: tuple[str, ...]
    cols: list[int]
    gaps: list[list[list[float]]]  # (S, pairs, k)
    rho: list[list[float]]  # (S, pairs), NaN when undefined
    w: list[list[float]]  # (S, G), NaN when undefined
    chi2: list[list[float]]
    p: list[list[float]]
    notable: dict[tuple[int, int], tuple[NotableGap, ...]]  # (subject, pair) -> notable gaps


def _subjects(
    tables: Tables,
    instrument: Instrument,
    blocks: tuple[tuple[str, tuple[str, ...]], ...],
    settings: Settings,
) -> Iterator[SubjectResult]:
    """Turn the arrays into one result per subject; every number was computed in `tables`."""
    dims = list(instrument.dimension_ids)
    groups = tables.groups
    index = {g: i for i, g in enumerate(groups)}
    pairs = [(a, b) for a, b in instrument.pairs if a in index and b in index]
    a_idx = [index[a] for a, _ in pairs]
    b_idx = [index[b] for _, b in pairs]
    lists = []
    for block, block_dims in blocks:
        cols = [dims.index(d) for d in block_dims]
        gaps = tables.means[:, b_idx][..., cols] - tables.means[:, a_idx][..., cols]
        rho = spearman_rows(
            tables.consensus[:, a_idx][..., cols], tables.consensus[:, b_idx][..., cols]
        )
        w, chi2, p = (x.tolist() for x in tables.concordance[block])
        notable = _notable(gaps, block_dims, settings)
        lists.append(
            _BlockLists(block, block_dims, cols, gaps.tolist(), rho.tolist(), w, chi2, p, notable)
        )
    counts = tables.counts.tolist()
    reported = tables.reported.tolist()
    means = tables.means.tolist()
    consensus = tables.consensus.tolist()
    tilt = tables.tilt.tolist() if tables.tilt is not None else None
    tilt_p = tables.tilt_p.tolist() if tables.tilt_p is not None else None

    for s, name in enumerate(tables.subjects):
        shown = [(g, index[g]) for g in groups if reported[s][index[g]]]
        result_blocks = []
        for b in lists:
            comparisons = tuple(
                Comparison(
                    a,
                    bb,
                    None if rho != rho else rho,
                    dict(zip(b.dims, gap, strict=True)),
                    b.notable.get((s, j), ()),
                )
                for j, ((a, bb), gap, rho) in enumerate(
                    zip(pairs, b.gaps[s], b.rho[s], strict=True)
                )
                if reported[s][a_idx[j]] and reported[s][b_idx[j]]
            )
            result_blocks.append(
                Block(
                    rho_critical=stats.rho_critical(len(b.dims)),
                    block=b.block,
                    dimensions=b.dims,
                    mean_rank={
                        g: {d: means[s][i][c] for d, c in zip(b.dims, b.cols, strict=True)}
                        for g, i in shown
                    },
                    consensus_rank={
                        g: {d: consensus[s][i][c] for d, c in zip(b.dims, b.cols, strict=True)}
                        for g, i in shown
                    },
                    comparisons=comparisons,
                    concordance={
                        g: Concordance(b.w[s][i], b.chi2[s][i], b.p[s][i], counts[s][i])
                        for g, i in shown
                        if b.w[s][i] == b.w[s][i]  # not NaN: m >= 2
                    },
                    tilt=None
                    if tilt is None or tilt_p is None or b is not lists[0]
                    else {g: Tilt(tilt[s][i], tilt_p[s][i], counts[s][i]) for g, i in shown},
                )
            )
        subject_blocks = tuple(result_blocks)
        yield SubjectResult(
            subject=name,
            groups=tuple(
                GroupCount(g, counts[s][i], reported[s][i], tables.reasons[s][i])
                for i, g in enumerate(groups)
            ),
            blocks=subject_blocks,
            coaching_focus=coaching_focus(subject_blocks, instrument, settings),
            tilt_contrast=tilt_contrast(subject_blocks, instrument),
            strengths=strengths(subject_blocks, instrument),
        )


def _notable(
    gaps: np.ndarray, dims: tuple[str, ...], settings: Settings
) -> dict[tuple[int, int], tuple[NotableGap, ...]]:
    """The notable gaps of every subject s and pair j, keyed (s, j), for gaps of shape (S, P, k).

    Each carries how often two random rankings differ that much: (k - d)(k - d + 1) / k^2 for
    the whole number of places d the gap reaches.
    """
    k = gaps.shape[-1]
    size = np.abs(gaps)
    places = np.ceil(size - 1e-9)
    chance = np.where(places >= k, 0.0, (k - places) * (k - places + 1) / (k * k))
    found: dict[tuple[int, int], list[NotableGap]] = {}
    hits = np.nonzero(size >= settings.notable_gap)
    rows = zip(
        *(h.tolist() for h in hits),
        gaps[hits].tolist(),
        (size[hits] >= settings.major_gap).tolist(),
        chance[hits].tolist(),
        strict=True,
    )
    for s, j, d, gap, major, p in rows:
        found.setdefault((s, j), []).append(
            NotableGap(dims[d], gap, "major" if major else "notable", p)
        )
    return {key: tuple(value) for key, value in found.items()}
