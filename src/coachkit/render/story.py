"""The story at the top of each leader's HTML (and PDF) page: a gap chart of self against the focus
group, sorted by the gap, and a quadrant of self's ranks against the others' mean ranks. Numbers
only; the template draws them as inline SVG sized to stay readable on a phone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coachkit.model import Report, SubjectResult

SIZE = 420  # both charts are drawn in a 420-unit box: at a phone's width they shrink little
BAR_ROW = 34  # a label above each bar
MARGIN = 16


@dataclass(frozen=True)
class GapBar:
    """One dimension's gap between self and the focus group, as a bar from the middle."""

    label: str
    gap: float  # positive: the focus group ranks it higher than self
    x: float  # where the bar starts
    width: float
    y: float
    level: str  # "major", "notable" or ""
    whisker: tuple[float, float] | None


@dataclass(frozen=True)
class GapChart:
    """Self against the focus group, every dimension, the largest gaps first."""

    group: str  # the focus group's label
    own: str  # self's label
    height: int
    middle: float
    guides: tuple[tuple[float, str], ...]  # x and its label: the notable and major sizes
    bars: tuple[GapBar, ...]


@dataclass(frozen=True)
class QuadrantPoint:
    """A dimension placed by self's rank (x) and the others' mean rank (y)."""

    label: str
    x: float
    y: float
    quadrant: str


@dataclass(frozen=True)
class Quadrant:
    """Self's ranks against the others': shared priorities, blind spots, hidden priorities."""

    others: str
    own: str
    points: tuple[QuadrantPoint, ...]
    k: int


def _short(label: str, size: int = 22) -> str:
    return label if len(label) <= size else label[: size - 1].rstrip() + "…"


def gap_chart(report: Report, subject: SubjectResult) -> GapChart | None:
    """The gap chart of a leader with a self and a focus group reported; None otherwise."""
    info = report.instrument
    me = info.self_group
    blocks = subject.blocks
    other = next((g for g in info.focus_groups if g in blocks[0].mean_rank and g != me), None)
    if other is None or me not in blocks[0].mean_rank:
        return None
    labels = {d.id: d.label for d in info.dimensions}
    rows = []
    for block in blocks:
        k = len(block.dimensions)
        levels = {
            n.dimension: n.level
            for c in block.comparisons
            if (c.a, c.b) == (me, other)
            for n in c.notable
        }
        intervals = next(
            (c.gaps_ci for c in block.comparisons if (c.a, c.b) == (me, other) and c.gaps_ci),
            None,
        )
        for dim in block.dimensions:
            gap = block.mean_rank[me][dim] - block.mean_rank[other][dim]
            rows.append((gap / k, dim, gap, k, levels.get(dim, ""), intervals, block))
    rows.sort(key=lambda r: (-abs(r[0]), -r[0]))
    middle = SIZE / 2
    half = SIZE / 2 - MARGIN
    k_max = max(len(b.dimensions) for b in blocks)
    scale = half / max(k_max - 1, 1)
    bars = []
    for n, (_, dim, gap, _k, level, intervals, _block) in enumerate(rows):
        y = 30 + n * BAR_ROW
        whisker = None
        if intervals and dim in intervals:
            lo, hi = intervals[dim]  # mean_rank[other] - mean_rank[self]: the other sign
            whisker = (middle - hi * scale, middle - lo * scale)
        bars.append(
            GapBar(
                _short(labels[dim], 40),
                gap,
                middle if gap >= 0 else middle + gap * scale,
                abs(gap) * scale,
                y,
                level,
                whisker,
            )
        )
    settings = report.settings
    guides = tuple(
        (middle + sign * size * scale, f"{size:g}")
        for size in (settings.notable_gap, settings.major_gap)
        for sign in (-1, 1)
        if size * scale <= half
    )
    return GapChart(
        info.groups[other],
        info.groups[me],
        int(30 + len(bars) * BAR_ROW + 6),
        middle,
        guides,
        tuple(bars),
    )


def quadrant(report: Report, subject: SubjectResult) -> Quadrant | None:
    """Self's consensus rank against the others' mean rank, for an overall ranking with self and
    all others (else the focus group) reported."""
    info = report.instrument
    block = subject.blocks[0]
    if len(subject.blocks) != 1 or info.self_group not in block.mean_rank:
        return None
    others = next(
        (
            g
            for g in (info.pooled, *info.focus_groups)
            if g in block.mean_rank and g != info.self_group
        ),
        None,
    )
    if others is None:
        return None
    k = len(block.dimensions)
    span = SIZE - 2 * MARGIN - 20
    labels = {d.id: d.label for d in info.dimensions}
    cut = (k + 1) / 2
    points = []
    for dim in block.dimensions:
        own, theirs = block.consensus_rank[info.self_group][dim], block.mean_rank[others][dim]
        high_own, high_theirs = own <= cut, theirs <= cut
        name = (
            "shared priority"
            if high_own and high_theirs
            else "blind spot"
            if high_theirs
            else "hidden priority"
            if high_own
            else "shared low priority"
        )
        points.append(
            QuadrantPoint(
                _short(labels[dim], 18),
                MARGIN + 20 + (own - 1) / max(k - 1, 1) * span,
                MARGIN + (theirs - 1) / max(k - 1, 1) * span,
                name,
            )
        )
    return Quadrant(info.groups[others], info.groups[info.self_group], tuple(points), k)
