"""The report of every leader: group sizes and anonymity, mean ranks, gaps, agreement, tilt, focus."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from coachkit.analysis import chance, stats
from coachkit.analysis.arrays import Tables, compute, spearman_rows, tie_terms
from coachkit.analysis.comments import with_comments
from coachkit.analysis.focus import (
    OTHERS_HIGHER,
    SELF_HIGHER,
    Summaries,
    summarize,
)
from coachkit.analysis.raters import (
    MIN_INTERVAL_RATERS,
    Cells,
    cells,
    gap_interval,
    kendall_tied_p,
    mean_rank_intervals,
    self_among,
    tilt_intervals,
)
from coachkit.memory import collection_paused
from coachkit.model import (
    Block,
    Comparison,
    Concordance,
    DimensionInfo,
    Focus,
    GroupCount,
    InstrumentInfo,
    NotableGap,
    ReferenceView,
    Report,
    Settings,
    Strength,
    SubjectResult,
    Tilt,
    TiltContrast,
)
from coachkit.policy import ALPHA
from coachkit.version import __version__

if TYPE_CHECKING:
    from coachkit.instruments import Instrument
    from coachkit.validate import Dataset


def analyze(
    dataset: Dataset,
    min_raters: int = 3,
    notable_gap: float | None = None,
    major_gap: float | None = None,
    intervals: bool = True,
) -> Report:
    """Analyze every subject in the dataset into a `Report`, with 95% intervals over raters for
    groups of 3+ unless `intervals` is False."""
    instrument = dataset.instrument
    settings = settings_for(dataset, min_raters, notable_gap, major_gap, intervals)
    tables = compute(dataset, min_raters)
    detail = _Detail.of(dataset, tables, intervals)
    summaries = summarize(tables, instrument, dataset.blocks, settings)
    with collection_paused():
        subjects = tuple(_subjects(tables, instrument, dataset.blocks, settings, detail, summaries))
    subjects = with_comments(subjects, dataset)
    if dataset.attribute_columns:
        subjects = tuple(
            replace(s, attributes=a) for s, a in zip(subjects, dataset.attributes, strict=True)
        )
    return Report(
        coachkit_version=__version__,
        instrument=instrument_info(instrument),
        settings=settings,
        inputs=dataset.inputs,
        excluded=dataset.excluded,
        subjects=subjects,
        warnings=dataset.warnings,
        attribute_columns=dataset.attribute_columns,
    )


def settings_for(
    dataset: Dataset,
    min_raters: int,
    notable_gap: float | None,
    major_gap: float | None,
    intervals: bool = True,
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
        intervals,
        dataset.scale,
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
        reference=instrument.reference,
        counterpart=instrument.counterpart or instrument.pooled.id,
        anonymous=(*(g.id for g in instrument.groups if g.anonymous), instrument.pooled.id),
        title=instrument.title or f"{instrument.name}: priorities by group",
        pattern=_pattern_name(instrument),
    )


def _pattern_name(instrument: Instrument) -> str:
    """The instrument's name for self's tilt well above the reference's, or a plain one."""
    labels = _tilt_labels(instrument)
    if labels is None:
        return ""
    return instrument.pattern_name or f"{labels[0]}-first pattern"


def _tilt_labels(instrument: Instrument) -> tuple[str, str] | None:
    if instrument.tilt is None:
        return None
    first, second = instrument.tilt
    return instrument.family(first).label, instrument.family(second).label


@dataclass(frozen=True)
class _Detail:
    """What comes from the individual raters rather than the sums: the cells of raters, the
    intervals of mean ranks, and whether rankings tie."""

    cells: Cells
    mean_ci: np.ndarray  # (S, G, K, 2), NaN below 3 raters or without intervals
    intervals: bool  # whether the report has intervals over raters
    tied: bool
    tilt_ci: np.ndarray | None  # (S, G, 2), NaN below 3 raters; None without a tilt or intervals
    self_counts: np.ndarray  # (S, G, K, 3): raters ranking a dimension above, with, below self

    @staticmethod
    def of(dataset: Dataset, tables: Tables, intervals: bool) -> _Detail:
        instrument = dataset.instrument
        dims = list(instrument.dimension_ids)
        bounds = np.empty(len(dims))
        for _, block_dims in dataset.blocks:
            bounds[[dims.index(d) for d in block_dims]] = len(block_dims)
        all_cells = cells(dataset)
        families = [
            [dims.index(d) for d in instrument.family_members(f)] for f in instrument.tilt or ()
        ]
        shape = (*all_cells.counts.shape, len(dims), 2)
        return _Detail(
            all_cells,
            mean_rank_intervals(all_cells, bounds) if intervals else np.full(shape, np.nan),
            intervals,
            dataset.tied,
            tilt_intervals(all_cells, *families) if len(families) == 2 and intervals else None,
            self_among(all_cells, instrument.group_ids.index(instrument.self_group)),
        )


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
    by_chance: list[float]  # (S,) notable gaps random rankings would show, on average


def _subjects(
    tables: Tables,
    instrument: Instrument,
    blocks: tuple[tuple[str, tuple[str, ...]], ...],
    settings: Settings,
    detail: _Detail,
    summaries: Summaries,
) -> Iterator[SubjectResult]:
    """Turn the arrays into one result per subject; the sums' numbers come from `tables`, the
    raters' (intervals, where self stands, W of tied rankings) from `detail`."""
    dims = list(instrument.dimension_ids)
    groups = tables.groups
    index = {g: i for i, g in enumerate(groups)}
    pairs = [(a, b) for a, b in instrument.pairs if a in index and b in index]
    a_idx = [index[a] for a, _ in pairs]
    b_idx = [index[b] for _, b in pairs]
    # a pair of a group and the pooled group that holds it: the gap's null differs
    nested = [
        b == instrument.pooled.id and a not in (*instrument.pooled_excludes, b) for a, b in pairs
    ]
    counts_array = tables.counts
    both = tables.reported[:, a_idx] & tables.reported[:, b_idx]
    computed = []
    for _, block_dims in blocks:
        cols = [dims.index(d) for d in block_dims]
        gaps = tables.means[:, b_idx][..., cols] - tables.means[:, a_idx][..., cols]
        m, n = counts_array[:, a_idx], counts_array[:, b_idx]
        computed.append((cols, gaps, *_gap_chances(gaps, settings, m, n, nested, both)))
    # Holm over every gap the leader's report tests, in every block and pair
    adjusted = stats.holm(np.concatenate([p.reshape(len(p), -1) for _, _, p, _ in computed], 1))
    lists = []
    for (block, block_dims), (cols, gaps, p, by_chance) in zip(blocks, computed, strict=True):
        width = p.shape[1] * p.shape[2]
        p_adjusted, adjusted = adjusted[:, :width].reshape(p.shape), adjusted[:, width:]
        rho = spearman_rows(
            tables.consensus[:, a_idx][..., cols], tables.consensus[:, b_idx][..., cols]
        )
        w, chi2, w_p = tables.concordance[block]
        w_p = _kendall_p(w, w_p, counts_array, cols, detail)
        lists.append(
            _BlockLists(
                block,
                block_dims,
                cols,
                gaps.tolist(),
                rho.tolist(),
                w.tolist(),
                chi2.tolist(),
                w_p.tolist(),
                _notable(gaps, p, p_adjusted, block_dims, settings, both),
                by_chance.tolist(),
            )
        )
    counts = counts_array.tolist()
    reported = tables.reported.tolist()
    means = tables.means.tolist()
    consensus = tables.consensus.tolist()
    tilt = tables.tilt.tolist() if tables.tilt is not None else None
    tilt_p = tables.tilt_p.tolist() if tables.tilt_p is not None else None
    families = [
        [dims.index(d) for d in instrument.family_members(f)] for f in instrument.tilt or ()
    ]
    me = index.get(instrument.self_group)
    coaching = _focus_items(summaries, tables, instrument, settings)
    strong = _strength_items(summaries, instrument)
    contrasts = _contrast_items(summaries, tables, instrument)
    reference = instrument.counterpart
    evidence = summaries.evidence.tolist()
    critical = summaries.critical.tolist()
    rho = summaries.rho.tolist()
    mean_ci = detail.mean_ci.tolist()  # nested lists index faster than arrays, cell by cell
    tilt_ci = None if detail.tilt_ci is None else detail.tilt_ci.tolist()

    for s, name in enumerate(tables.subjects):
        shown = [(g, index[g]) for g in groups if reported[s][index[g]]]
        rows = {g: detail.cells.rows(s, i) for g, i in shown}
        result_blocks = []
        for b in lists:
            k = len(b.dims)
            comparisons = tuple(
                Comparison(
                    a,
                    bb,
                    None if rho != rho else rho,
                    dict(zip(b.dims, gap, strict=True)),
                    b.notable.get((s, j), ()),
                    None
                    if nested[j]
                    else _gap_ci(rows[a][:, b.cols], rows[bb][:, b.cols], b.dims, detail, k),
                )
                for j, ((a, bb), gap, rho) in enumerate(
                    zip(pairs, b.gaps[s], b.rho[s], strict=True)
                )
                if reported[s][a_idx[j]] and reported[s][b_idx[j]]
            )
            block_tilt = None
            if tilt is not None and tilt_p is not None and b is lists[0] and len(families) == 2:
                block_tilt = {
                    g: Tilt(
                        tilt[s][i],
                        tilt_p[s][i],
                        counts[s][i],
                        _interval(tilt_ci, s, i),
                    )
                    for g, i in shown
                }
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
                    tilt=block_tilt,
                    mean_rank_ci={
                        g: {
                            d: (mean_ci[s][i][c][0], mean_ci[s][i][c][1])
                            for d, c in zip(b.dims, b.cols, strict=True)
                        }
                        for g, i in shown
                        if counts[s][i] >= MIN_INTERVAL_RATERS and detail.intervals
                    },
                    self_among=_self_among(
                        instrument, rows, b, detail.self_counts[s], me in dict(shown).values()
                    ),
                )
            )
        yield SubjectResult(
            subject=name,
            groups=tuple(
                GroupCount(g, counts[s][i], reported[s][i], tables.reasons[s][i])
                for i, g in enumerate(groups)
            ),
            blocks=tuple(result_blocks),
            coaching_focus=coaching[s],
            tilt_contrast=next((c for c in contrasts[s] if c.b == reference), None),
            strengths=strong[s],
            notable_by_chance=sum(b.by_chance[s] for b in lists),
            tilt_contrasts=contrasts[s],
            evidence=None if evidence[s] < 0 else groups[evidence[s]],
            critical_share=None if evidence[s] < 0 else critical[s],
            counterpart_spearman=None if rho[s] != rho[s] else rho[s],
        )


def _focus_items(
    summaries: Summaries, tables: Tables, instrument: Instrument, settings: Settings
) -> list[tuple[Focus, ...]]:
    """Each leader's focus items: the others' higher first, then self's, the largest first."""
    dims = instrument.dimension_ids
    groups = tables.groups
    # the manager's view beside each item: a named role's, never an anonymous group's
    reference = summaries.reference if instrument.reference is not None else None
    me = groups.index(instrument.self_group)
    listed = summaries.listed.tolist()
    gap, p = summaries.gap.tolist(), summaries.p.tolist()
    means = tables.means.tolist()
    shown = tables.reported.tolist()
    evidence = summaries.evidence.tolist()
    found = []
    for s, row in enumerate(listed):
        items = []
        e = evidence[s]
        with_reference = reference is not None and reference != e and shown[s][reference]
        for d in sorted(
            (d for d, hit in enumerate(row) if hit), key=lambda d: (gap[s][d] < 0, -abs(gap[s][d]))
        ):
            size = abs(gap[s][d])
            view = None
            if with_reference:
                assert reference is not None
                view = ReferenceView(
                    groups[reference],
                    means[s][reference][d],
                    means[s][me][d] - means[s][reference][d],
                )
            items.append(
                Focus(
                    dimension=dims[d],
                    direction=OTHERS_HIGHER if gap[s][d] > 0 else SELF_HIGHER,
                    group=groups[e],
                    gap=gap[s][d],
                    level="major" if size >= settings.major_gap - chance.TOLERANCE else "notable",
                    self_rank=means[s][me][d],
                    group_rank=means[s][e][d],
                    p_value=p[s][d],
                    beyond_chance=p[s][d] <= ALPHA,
                    reference=view,
                )
            )
        found.append(tuple(items))
    return found


def _strength_items(summaries: Summaries, instrument: Instrument) -> list[tuple[Strength, ...]]:
    """Each leader's strengths, in instrument order, with their chance."""
    dims = instrument.dimension_ids
    p = summaries.strength_p.tolist()
    return [
        tuple(Strength(dims[d], p[s][d]) for d, hit in enumerate(row) if hit)
        for s, row in enumerate(summaries.strength.tolist())
    ]


def _contrast_items(
    summaries: Summaries, tables: Tables, instrument: Instrument
) -> list[tuple[TiltContrast, ...]]:
    """Each leader's tilt contrasts: self against the reference role, then the others."""
    found: list[list[TiltContrast]] = [[] for _ in tables.subjects]
    if tables.tilt is None or tables.tilt_p is None:
        return [()] * len(found)
    me = tables.groups.index(instrument.self_group)
    tilt, tilt_p, counts = tables.tilt.tolist(), tables.tilt_p.tolist(), tables.counts.tolist()
    for contrast in summaries.contrasts:
        rows = zip(
            contrast.group.tolist(), contrast.difference.tolist(), contrast.p.tolist(), strict=True
        )
        for s, (g, difference, p) in enumerate(rows):
            if g >= 0:
                found[s].append(
                    TiltContrast(
                        instrument.self_group,
                        tables.groups[g],
                        tilt[s][me],
                        tilt_p[s][me],
                        tilt[s][g],
                        tilt_p[s][g],
                        difference,
                        p,
                        counts[s][g],
                    )
                )
    return [tuple(items) for items in found]


def _interval(table: list[list[list[float]]] | None, s: int, g: int) -> tuple[float, float] | None:
    """One cell's interval from a (S, G, 2) table; None where it has none."""
    if table is None or table[s][g][0] != table[s][g][0]:  # NaN: fewer than 3 raters
        return None
    return table[s][g][0], table[s][g][1]


def _gap_ci(
    a: np.ndarray, b: np.ndarray, dims: tuple[str, ...], detail: _Detail, k: int
) -> dict[str, tuple[float, float]] | None:
    interval = gap_interval(a, b, k - 1) if detail.intervals else None
    if interval is None:
        return None
    return {d: (float(lo), float(hi)) for d, (lo, hi) in zip(dims, interval.tolist(), strict=True)}


def _self_among(
    instrument: Instrument,
    rows: dict[str, np.ndarray],
    block: _BlockLists,
    counts: np.ndarray,
    has_self: bool,
) -> dict[str, dict[str, tuple[int, int, int]]]:
    """Where self stands among each reported anonymous group's raters (counts only, from the
    subject's (G, K, 3) `counts`), when the leader has one self-assessment."""
    me = instrument.self_group
    if not has_self or len(rows.get(me, ())) != 1:
        return {}
    anonymous = {g.id for g in instrument.groups if g.anonymous} | {instrument.pooled.id}
    found = {}
    for g in rows:
        if g in anonymous and g != me:
            table = counts[instrument.group_ids.index(g), block.cols].tolist()
            found[g] = {
                d: (h, same, lo) for d, (h, same, lo) in zip(block.dims, table, strict=True)
            }
    return found


def _kendall_p(
    w: np.ndarray, p: np.ndarray, counts: np.ndarray, cols: list[int], detail: _Detail
) -> np.ndarray:
    """Kendall's W p-values of groups below `EXACT_W_RATERS` raters whose rankings tie: each
    rater's own ranks permuted (the untied ones are simulated with the sums already)."""
    small = (counts >= 2) & (counts < chance.EXACT_W_RATERS) & ~np.isnan(w)
    if not detail.tied or not small.any():
        return p
    p = p.copy()
    for s, g in np.argwhere(small).tolist():
        rows = detail.cells.rows(s, g)[:, cols]
        if tie_terms(rows).any():
            p[s, g] = kendall_tied_p(rows, float(w[s, g]))
    return p


def _gap_chances(
    gaps: np.ndarray,
    settings: Settings,
    m: np.ndarray,
    n: np.ndarray,
    nested: list[bool],
    both: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Each gap's two-sided p under random ranking for its group sizes (m and n raters, (S, P)),
    for gaps of shape (S, P, k), NaN where the pair is not reported; and per subject how many
    notable gaps random rankings would show, on average."""
    k = gaps.shape[-1]
    p = np.full(gaps.shape, np.nan)
    expected = np.zeros(gaps.shape[0])
    threshold = np.array([settings.notable_gap])
    for j, inside in enumerate(nested):
        shown = both[:, j]
        for mj, nj in sorted(set(zip(m[shown, j].tolist(), n[shown, j].tolist(), strict=True))):
            rows = shown & (m[:, j] == mj) & (n[:, j] == nj)
            p[rows, j] = chance.gap_p(gaps[rows, j], mj, nj, k, inside)
            expected[rows] += k * float(chance.gap_p(threshold, mj, nj, k, inside)[0])
    return p, expected


def _notable(
    gaps: np.ndarray,
    p: np.ndarray,
    p_adjusted: np.ndarray,
    dims: tuple[str, ...],
    settings: Settings,
    both: np.ndarray,
) -> dict[tuple[int, int], tuple[NotableGap, ...]]:
    """The notable gaps of every subject s and pair j, keyed (s, j), for gaps of shape (S, P, k),
    each with its p and its Holm-adjusted p."""
    size = np.abs(gaps)
    where = np.nonzero(both[..., None] & (size >= settings.notable_gap - chance.TOLERANCE))
    rows = zip(
        *(h.tolist() for h in where),
        gaps[where].tolist(),
        (size[where] >= settings.major_gap - chance.TOLERANCE).tolist(),
        p[where].tolist(),
        p_adjusted[where].tolist(),
        strict=True,
    )
    found: dict[tuple[int, int], list[NotableGap]] = {}
    for s, j, d, gap, major, pv, adjusted in rows:
        found.setdefault((s, j), []).append(
            NotableGap(dims[d], gap, "major" if major else "notable", pv, adjusted)
        )
    return {key: tuple(value) for key, value in found.items()}
