"""The story at the top of each leader's HTML (and PDF) page: a gap chart of self against the focus
group, sorted by the gap, and a quadrant of self's ranks against the others' mean ranks. Numbers
only; the template draws them as inline SVG sized to stay readable on a phone."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from coachkit.model import Report, SubjectResult

SIZE = 420  # both charts are drawn in a 420-unit box: at a phone's width they shrink little
BAR_ROW = 34  # a label above each bar
MARGIN = 16
# A 12 px label's box, estimated: its width per character (wide enough for capitals), and how
# far it reaches above and below its baseline.
CHAR_WIDTH = 7.0
ASCENT, DESCENT = 10.0, 3.0
DOT = 4.5  # a point's radius
# A label starts this far beside its dot, its baseline level with the dot's middle or, where
# that is taken, nudged up or down by one of these (the nearest free one); a label nudged
# further than `LEADER` gets a thin line to its dot.
GAP = 7.0
LEADER = 10.0
# The plot's square (its coloured quadrants), from TOP to BOTTOM and LEFT to RIGHT.
TOP, BOTTOM, LEFT, RIGHT = 16.0, 384.0, 36.0, 404.0
# The quadrants' names outside the square, above and below its corners, where no dot can lie:
# text, baseline x and y, anchor.
CORNERS = (
    ("both rank it high", LEFT, 11.0, "start"),
    ("others rank it higher", RIGHT, 11.0, "end"),
    ("self ranks it higher", LEFT, 399.0, "start"),
    ("both rank it low", RIGHT, 399.0, "end"),
)
LINE = 13.0  # from one line of a wrapped label to the next
LABEL_CHARS = 16  # a label longer than this wraps onto a second line (never cut mid-word)
_NUDGES = (0.0, *(d for n in range(7, 50, 7) for d in (-float(n), float(n))))


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
    guides: tuple[tuple[float, str], ...]  # x and its label: where a gap is beyond chance
    bars: tuple[GapBar, ...]
    guide_note: str = ""  # what the dashed lines mark


@dataclass(frozen=True)
class QuadrantPoint:
    """A dimension placed by self's rank (x) and the others' mean rank (y), its label's baseline
    at (label_x, label_y), anchored at its start or end."""

    label: str  # the full name (the tooltip's)
    x: float
    y: float
    quadrant: str
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "start"
    lines: tuple[str, ...] = ()  # the name as drawn: one line, or two wrapped between words

    @property
    def leader(self) -> bool:
        """Whether the label stands far enough from its dot to need a line to it."""
        return abs(self.label_y - (self.y + 4.0)) > LEADER


@dataclass(frozen=True)
class Quadrant:
    """Self's ranks against the others': shared priorities, blind spots, hidden priorities."""

    others: str
    own: str
    points: tuple[QuadrantPoint, ...]
    k: int
    corners: tuple[tuple[str, float, float, str], ...] = CORNERS
    band: str = ""  # SVG points of the diagonal band within chance ("" when none is drawn)


def _short(label: str, size: int = 22) -> str:
    return label if len(label) <= size else label[: size - 1].rstrip() + "…"


def gap_chart(report: Report, subject: SubjectResult) -> GapChart | None:
    """The gap chart of a leader with self and the evidence group (the other raters pooled)
    reported; None otherwise. Findings (beyond chance) are solid bars, the rest pale."""
    info = report.instrument
    me, other = info.self_group, subject.evidence
    blocks = subject.blocks
    if other is None:
        return None
    labels = {d.id: d.label for d in info.dimensions}
    findings = {f.dimension: f.level for f in subject.coaching_focus if f.beyond_chance}
    rows = []
    for block in blocks:
        k = len(block.dimensions)
        intervals = next(
            (c.gaps_ci for c in block.comparisons if (c.a, c.b) == (me, other) and c.gaps_ci),
            None,
        )
        for dim in block.dimensions:
            gap = block.mean_rank[me][dim] - block.mean_rank[other][dim]
            rows.append((gap / k, dim, gap, intervals))
    rows.sort(key=lambda r: (-abs(r[0]), -r[0]))
    middle = SIZE / 2
    half = SIZE / 2 - MARGIN
    k_max = max(len(b.dimensions) for b in blocks)
    scale = half / max(k_max - 1, 1)
    bars = []
    for n, (_, dim, gap, intervals) in enumerate(rows):
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
                findings.get(dim, ""),
                whisker,
            )
        )
    needed = (subject.critical_share or float("inf")) * k_max
    guides: tuple[tuple[float, str], ...] = ()
    note = "With these group sizes, random rankings can produce any gap here."
    if needed <= k_max - 1:
        guides = tuple((middle + sign * needed * scale, f"{needed:.1f}") for sign in (-1, 1))
        note = (
            f"Dashed lines: {needed:.1f} places, the gap random rankings of these group sizes "
            "reach less than 5% of the time."
        )
    return GapChart(
        info.groups[other],
        info.groups[me],
        int(30 + len(bars) * BAR_ROW + 6),
        middle,
        guides,
        tuple(bars),
        note,
    )


def quadrant(report: Report, subject: SubjectResult) -> Quadrant | None:
    """Self's consensus rank against the evidence group's mean rank, for an overall ranking. A
    dimension is named a blind spot, hidden or shared priority only where the evidence is (a
    finding, a strength); the rest lie in the band around the diagonal, within chance."""
    info = report.instrument
    block = subject.blocks[0]
    others = subject.evidence
    if len(subject.blocks) != 1 or others is None:
        return None
    k = len(block.dimensions)
    span = SIZE - 2 * MARGIN - 20
    labels = {d.id: d.label for d in info.dimensions}
    named = {
        f.dimension: "blind spot" if f.direction == "others_higher" else "hidden priority"
        for f in subject.coaching_focus
        if f.beyond_chance
    }
    named |= {s.dimension: "shared priority" for s in subject.strengths}

    def at(own: float, theirs: float) -> tuple[float, float]:
        return (
            MARGIN + 20 + (own - 1) / max(k - 1, 1) * span,
            MARGIN + (theirs - 1) / max(k - 1, 1) * span,
        )

    points = [
        QuadrantPoint(
            labels[dim],
            *at(block.consensus_rank[info.self_group][dim], block.mean_rank[others][dim]),
            named.get(dim, "within chance"),
            lines=label_lines(labels[dim]),
        )
        for dim in block.dimensions
    ]
    width = min((subject.critical_share or float("inf")) * k, k - 1.0)
    corners = [(1, 1), (1, 1 + width), (k - width, k), (k, k), (k, k - width), (1 + width, 1)]
    band = " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(a, b) for a, b in corners))
    placed = placed_labels(points)
    names: tuple[tuple[str, float, float, str], ...] = CORNERS
    if report.settings.rated:  # the raters gave ratings: they rate it high or low
        names = tuple((t.replace("rank", "rate"), x, y, a) for t, x, y, a in CORNERS)
    return Quadrant(
        info.groups[others], info.groups[info.self_group], placed, k, corners=names, band=band
    )


Box = tuple[float, float, float, float]  # left, top, right, bottom


@lru_cache(maxsize=1024)  # the instrument's few labels, on every leader's quadrant
def label_lines(label: str) -> tuple[str, ...]:
    """A quadrant label as drawn: whole on one line when short, else wrapped between words (at
    a space, `/` or `-`) onto two lines, the second shortened with "…" only when a name needs
    three (the tooltip keeps it whole)."""
    from coachkit.text import wrap_label

    if len(label) <= LABEL_CHARS:
        return (label,)
    lines = wrap_label(label, LABEL_CHARS)
    if len(lines) > 2:
        rest = " ".join(lines[1:])
        lines = [lines[0], _short(rest, LABEL_CHARS)]
    return tuple(lines)


def label_box(x: float, y: float, text: str | tuple[str, ...], anchor: str) -> Box:
    """The estimated box of a label (a line, or lines `LINE` apart) whose first baseline starts
    (or ends) at (x, y)."""
    lines = (text,) if isinstance(text, str) else text
    width = CHAR_WIDTH * max(len(line) for line in lines)
    left = x if anchor == "start" else x - width
    return left, y - ASCENT, left + width, y + DESCENT + LINE * (len(lines) - 1)


def placed_labels(points: list[QuadrantPoint]) -> tuple[QuadrantPoint, ...]:
    """Each point with its label beside its dot (right of it in the left half, left of it in the
    right half, the other side when that is taken), nudged up or down as little as frees it from
    every other label, dot and corner caption inside the chart; where no place is free, the one
    that covers least. Labels are placed one by one, from the top, the bottom, the left or the
    right; the order that leaves least covered wins (the first of equals)."""
    by_y = sorted(range(len(points)), key=lambda i: (points[i].y, points[i].x))
    by_x = sorted(range(len(points)), key=lambda i: (points[i].x, points[i].y))
    orders = [by_y, by_y[::-1], by_x, by_x[::-1]]
    places = _places(points)
    best: tuple[float, list[tuple[float, float, str]]] | None = None
    for order in orders:
        found = _greedy(points, places, order)
        if best is None or found[0] < best[0]:
            best = found
        if best[0] == 0:  # nothing covered: no later order can do better, and ties go first
            break
    assert best is not None
    layout = best[1]
    return tuple(
        QuadrantPoint(p.label, p.x, p.y, p.quadrant, x, y, a, p.lines)
        for p, (x, y, a) in zip(points, layout, strict=True)
    )


@dataclass(frozen=True)
class _Places:
    """A label's candidate places, in the order they are tried: each nudge, on the label's own
    side first, then the other; their baselines, whether each starts there (else ends), the
    label's box at each, and how far each box reaches outside the chart."""

    xs: np.ndarray
    ys: np.ndarray
    starts: np.ndarray
    boxes: np.ndarray
    outside: np.ndarray


def _places(points: list[QuadrantPoint]) -> list[_Places]:
    """The places each point's label may take (the same whatever order the labels are placed
    in), worked out for every point at once."""
    import numpy as np

    nudges, first_side = _candidates()
    x = np.array([p.x for p in points])[:, None]
    starts = np.where(x < SIZE / 2, first_side, ~first_side)
    xs = np.where(starts, x + GAP, x + -GAP)
    ys = (np.array([p.y for p in points]) + 4.0)[:, None] + nudges
    # `label_box` of every place at once: each label one text, so one width and height
    shapes = [p.lines or (p.label,) for p in points]
    width = CHAR_WIDTH * np.array([max(map(len, lines)) for lines in shapes], dtype=float)[:, None]
    below = DESCENT + LINE * (np.array([len(lines) for lines in shapes]) - 1)[:, None]
    left = np.where(starts, xs, xs - width)
    boxes = np.stack([left, ys - ASCENT, left + width, ys + below], axis=-1)
    # inside the chart's width, and within the square's height (the corner names and the axis
    # lie above and below it)
    outside = np.maximum(0.0, np.maximum(-boxes[..., 0], TOP - 3 - boxes[..., 1])) + np.maximum(
        0.0, np.maximum(boxes[..., 2] - SIZE, boxes[..., 3] - BOTTOM - 3)
    )
    outside = outside * 100
    return [_Places(xs[n], ys[n], starts[n], boxes[n], outside[n]) for n in range(len(points))]


def _greedy(
    points: list[QuadrantPoint], places: list[_Places], order: list[int]
) -> tuple[float, list[tuple[float, float, str]]]:
    """Labels placed one by one in `order`, each at its least covering place left (the first
    of its candidate places, in order, that covers least): how much they cover in all, and
    each point's label baseline and anchor. The candidates of a label are weighed together,
    as arrays."""
    import numpy as np

    taken = np.empty((len(CORNERS) + len(points), 4))
    taken[: len(CORNERS)] = [label_box(x, y, text, anchor) for text, x, y, anchor in CORNERS]
    count = len(CORNERS)
    dots = np.array([(p.x - DOT, p.y - DOT, p.x + DOT, p.y + DOT) for p in points])
    everyone = np.ones(len(points), dtype=bool)
    placed: dict[int, tuple[float, float, str]] = {}
    total = 0.0
    for i in order:
        p, where = points[i], places[i]
        everyone[i] = False
        others = np.concatenate([taken[:count], dots[everyone]])
        everyone[i] = True
        cost = where.outside + _overlaps(where.boxes, others).sum(axis=1)
        best = int(np.argmin(cost))
        x, y = float(where.xs[best]), float(where.ys[best])
        anchor = "start" if where.starts[best] else "end"
        total += float(cost[best])
        taken[count] = label_box(x, y, p.lines or p.label, anchor)
        count += 1
        placed[i] = (x, y, anchor)
    return total, [placed[i] for i in range(len(points))]


@lru_cache(maxsize=1)
def _candidates() -> tuple[np.ndarray, np.ndarray]:
    """The nudge of each candidate place, in the order they are tried, and whether it is on the
    label's own side (each nudge is tried on both sides before the next)."""
    import numpy as np

    return np.repeat(_NUDGES, 2), np.tile([True, False], len(_NUDGES))


def _overlaps(boxes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """The area each box (rows) shares with each other box (columns)."""
    import numpy as np

    width = np.minimum(boxes[:, None, 2], others[None, :, 2]) - np.maximum(
        boxes[:, None, 0], others[None, :, 0]
    )
    height = np.minimum(boxes[:, None, 3], others[None, :, 3]) - np.maximum(
        boxes[:, None, 1], others[None, :, 1]
    )
    return np.asarray(np.maximum(0.0, width) * np.maximum(0.0, height))
