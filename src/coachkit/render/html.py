"""The HTML report: one self-contained page (inline CSS and SVG, nothing fetched), printable.

Each leader gets a dot plot ("dumbbell") of every reported group's consensus rank per dimension,
self and manager joined by a line, notable and major gaps highlighted; the tilt of each group on
its scale (-6..+6 for twelve dimensions in two families of six); agreement and concordance in
words; and the coaching focus as the conclusion.
Groups differ by marker shape and label as well as colour (Okabe-Ito palette), so the chart
survives grayscale printing and colour blindness. All data reaches the page through Jinja2 with
autoescaping on.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from coachkit import wording
from coachkit.render import marks
from coachkit.render.colors import COLORS, group_styles
from coachkit.render.story import GapChart, Quadrant, gap_chart, quadrant
from coachkit.render.view import Page, SlopeChart, SubjectView, subject_view, tilt_scale

if TYPE_CHECKING:
    import jinja2

    from coachkit.model import Block, Report

LEFT, RIGHT, TOP, ROW, FAMILY_GAP = 200, 70, 34, 26, 18
WIDTH = 720


class Marker(NamedTuple):
    """A group's marker in the dot plot (a named tuple: a page of thousands of leaders makes
    hundreds of thousands of them)."""

    group: str
    shape: str
    color: str
    points: str  # SVG geometry: "cx cy" for circles, polygon points otherwise
    x: float
    y: float
    rank: float
    # the 95% interval of the group's mean rank over its raters, as x positions (3+ raters)
    whisker: tuple[float, float] | None = None
    whisker_y: float = 0.0


class ChartRow(NamedTuple):
    """One dimension's row in the dot plot."""

    label: str
    y: float
    family_start: str  # the family's label on its first row, else ""
    line: tuple[float, float] | None  # self to manager
    level: str  # "major", "notable" or ""
    markers: tuple[Marker, ...]


@dataclass(frozen=True)
class Chart:
    """The dot plot of one block."""

    title: str
    width: int
    height: int
    ticks: tuple[tuple[float, int], ...]
    rows: tuple[ChartRow, ...]
    legend: tuple[tuple[str, str, str, str], ...]  # label, shape, colour, points at the origin


@dataclass(frozen=True)
class TiltMark:
    """A group's tilt on its scale (-6..+6 for twelve dimensions in two families of six)."""

    label: str
    x: float
    text: str


@dataclass(frozen=True)
class LeaderPage:
    """What the HTML shows for one leader."""

    view: SubjectView
    charts: tuple[Chart, ...]
    tilts: tuple[TiltMark, ...]
    gaps: GapChart | None = None  # the story first: self against the focus group, sorted
    quadrant: Quadrant | None = None
    # the gap chart's two sides, self's (left) and the focus group's (right), each drawn in its
    # group's colour with its marker beside the words that name it
    gap_sides: tuple[GapSide, GapSide] | None = None


@dataclass(frozen=True)
class GapSide:
    """One side of the gap chart: the group that ranks a dimension higher there, its colour, and
    its marker (shape and SVG geometry) at the head of the chart."""

    label: str
    color: str
    shape: str
    points: str


@lru_cache(maxsize=1 << 14)
def _shape_points(shape: str, x: float, y: float, r: float = 6.0) -> str:
    """A marker's SVG geometry at (x, y): its polygon's corners, or "cx cy" for a circle. The
    same few places come back leader after leader (whole and half ranks, the rows), so each is
    written once."""
    corners = _corners(shape, r)
    if corners is None:
        return f"{x:.1f} {y:.1f}"
    pattern, offsets = corners
    return pattern.format(*[c for dx, dy in offsets for c in (x + dx, y + dy)])


@lru_cache(maxsize=64)
def _corners(shape: str, r: float) -> tuple[str, tuple[tuple[float, float], ...]] | None:
    """A polygon marker's corners about its centre, and the pattern that writes them ("x,y"
    pairs, one decimal); None for a circle."""
    corners = {
        "square": [(-r, -r), (r, -r), (r, r), (-r, r)],
        "diamond": [(0, -r * 1.3), (r * 1.3, 0), (0, r * 1.3), (-r * 1.3, 0)],
        "triangle": [(0, -r * 1.2), (r * 1.1, r * 0.9), (-r * 1.1, r * 0.9)],
        "down": [(-r * 1.1, -r * 0.9), (r * 1.1, -r * 0.9), (0, r * 1.2)],
        "cross": [
            (-r, -2),
            (-2, -2),
            (-2, -r),
            (2, -r),
            (2, -2),
            (r, -2),
            (r, 2),
            (2, 2),
            (2, r),
            (-2, r),
            (-2, 2),
            (-r, 2),
        ],
    }
    if shape not in corners:
        return None
    offsets = tuple(corners[shape])
    return " ".join(["{:.1f},{:.1f}"] * len(offsets)), offsets


def _chart(report: Report, block: Block, title: str, findings: dict[str, str]) -> Chart:
    """A block's dot plot; the rows of `findings` (dimension -> level) shaded."""
    info = report.instrument
    groups = [g for g in info.groups if g in block.consensus_rank]
    style = group_styles(info.groups)
    k = len(block.dimensions)
    span = WIDTH - LEFT - RIGHT

    def x_of(rank: float) -> float:
        return LEFT + (rank - 1) / max(k - 1, 1) * span

    me, boss = info.self_group, info.counterpart
    levels = findings
    families = {d.id: d.family for d in info.dimensions}
    labels = {d.id: d.label for d in info.dimensions}
    consensus, intervals = block.consensus_rank, block.mean_rank_ci
    lanes = {g: n for n, g in enumerate(g for g in groups if g in intervals)}  # under markers
    rows = []
    offset = 0
    for i, dim in enumerate(block.dimensions):
        first = i == 0 or families[dim] != families[block.dimensions[i - 1]]
        offset += FAMILY_GAP if first and block.block == "overall" else 0
        y = TOP + offset + i * ROW + ROW / 2
        line = None
        if me in consensus and boss in consensus:
            line = (x_of(consensus[me][dim]), x_of(consensus[boss][dim]))
        ranks = {g: consensus[g][dim] for g in groups}
        shift = _spread(groups, ranks)
        markers = []
        for g in groups:
            shape, color = style[g]
            x, at = x_of(ranks[g]), y + shift[g]
            interval = intervals[g][dim] if g in intervals else None
            markers.append(
                Marker(
                    info.groups[g],
                    shape,
                    color,
                    _shape_points(shape, x, at),
                    x,
                    at,
                    ranks[g],
                    None if interval is None else (x_of(interval[0]), x_of(interval[1])),
                    y + 8 + 2.2 * lanes[g] if g in lanes else y,  # a lane per group
                )
            )
        family = info.families.get(families[dim], "") if first and block.block == "overall" else ""
        rows.append(ChartRow(labels[dim], y, family, line, levels.get(dim, ""), tuple(markers)))
    legend = tuple(
        (info.groups[g], style[g][0], style[g][1], _shape_points(style[g][0], 8, 8)) for g in groups
    )
    return Chart(
        title=title,
        width=WIDTH,
        height=int(TOP + offset + k * ROW + 10),
        ticks=tuple((x_of(r), r) for r in range(1, k + 1)),
        rows=tuple(rows),
        legend=legend,
    )


def _spread(groups: list[str], ranks: dict[str, float]) -> dict[str, float]:
    """Vertical offsets that keep markers at the same rank from covering each other."""
    shift = {}
    for g in groups:
        same = [h for h in groups if abs(ranks[h] - ranks[g]) < 0.26]
        shift[g] = (same.index(g) - (len(same) - 1) / 2) * min(6.0, 12.0 / max(len(same) - 1, 1))
    return shift


def _tilts(report: Report, block: Block) -> tuple[TiltMark, ...]:
    from coachkit.render.view import tilt_reading

    if not block.tilt:
        return ()
    span = WIDTH - LEFT - RIGHT
    scale = tilt_scale(report.instrument)
    return tuple(
        TiltMark(
            report.instrument.groups[g],
            LEFT + (t.value + scale) / (2 * scale) * span,
            tilt_reading(t, report.instrument),
        )
        for g, t in block.tilt.items()
    )


def leader_pages(report: Report) -> list[LeaderPage]:
    """Each leader's page of the HTML report."""
    pages = []
    for subject in report.subjects:
        view = subject_view(report, subject)
        findings = {f.dimension: f.level for f in subject.coaching_focus if f.beyond_chance}
        charts = tuple(
            _chart(report, b, v.title, findings)
            for b, v in zip(subject.blocks, view.blocks, strict=True)
        )
        pages.append(
            LeaderPage(
                view,
                charts,
                _tilts(report, subject.blocks[0]),
                gap_chart(report, subject),
                quadrant(report, subject),
                _gap_sides(report, subject.evidence),
            )
        )
    return pages


def _gap_sides(report: Report, other: str | None) -> tuple[GapSide, GapSide] | None:
    """Self's side of the gap chart (left) and the focus group's (right), in the groups' own
    colours and markers, as the dot plot's legend draws them."""
    if other is None:
        return None
    info = report.instrument
    style = group_styles(info.groups)
    me = info.self_group
    (own_shape, own_color), (their_shape, their_color) = style[me], style[other]
    return (
        GapSide(info.groups[me], own_color, own_shape, _shape_points(own_shape, 22, 10, 4.5)),
        GapSide(
            info.groups[other], their_color, their_shape, _shape_points(their_shape, 398, 10, 4.5)
        ),
    )


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("coachkit.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_html(report: Report, paper: str = "A4") -> str:
    """The HTML report: one self-contained page (printed on `paper`, A4 or Letter)."""
    from coachkit.text import printable

    template = _environment().get_template("report.html.j2")
    return template.render(
        report=report,
        leaders=leader_pages(report),
        dotplot=marks.dotplot,
        gap_bars=marks.gap_bars,
        quadrant_points=marks.quadrant_points,
        clean=printable,
        name=_file_name,
        width=WIDTH,
        left=LEFT,
        words=wording.words(report.instrument),
        tilt_scale=f"{tilt_scale(report.instrument):g}",
        paper=paper,
        prompts=wording.PLAN_PROMPTS,
        comments_note=wording.COMMENTS_NOTE,
        differences_heading=wording.DIFFERENCES_HEADING,
        values_note=wording.values_note(report.settings),
        max_excluded=wording.MAX_EXCLUDED_SHOWN,
        excluded_more=wording.excluded_more,
        excluded_by_reason=wording.excluded_by_reason,
    )


@dataclass(frozen=True)
class SlopeLine:
    """One measure's line in a slope chart, with its labels moved apart so none overlap."""

    label: str
    color: str
    y: tuple[float, float]  # before, after
    label_y: tuple[float, float]
    text: tuple[str, str]


@dataclass(frozen=True)
class SlopeLayout:
    """A slope chart placed on the page: before (or now) on the left, after on the right."""

    title: str
    height: int
    axis: tuple[tuple[float, str], ...]  # y and text of the scale's top, middle and bottom
    lines: tuple[SlopeLine, ...]
    ends: tuple[str, str] = ("before", "after")
    marks: tuple[float | None, ...] = ()  # per line, the y of its target on the right
    mark_label: str = ""


SLOPE_TOP, SLOPE_SPAN, SLOPE_LABEL = 30, 150, 13


def _apart(ys: list[float]) -> list[float]:
    """Label positions at least a label's height apart, each as close to its line as it can be."""
    order = sorted(range(len(ys)), key=ys.__getitem__)
    placed = list(ys)
    for previous, current in itertools.pairwise(order):
        placed[current] = max(placed[current], placed[previous] + SLOPE_LABEL)
    return placed


def slope_layout(chart: SlopeChart) -> SlopeLayout:
    """Where each line of a slope chart goes (the template draws it)."""

    bottom_value, top_value = min(chart.low, chart.high), max(chart.low, chart.high)

    def y(value: float) -> float:
        clamped = min(max(value, bottom_value), top_value)
        return SLOPE_TOP + (chart.high - clamped) / (chart.high - chart.low) * SLOPE_SPAN

    def number(value: float) -> str:
        return f"{value:+.2f}" if chart.signed else f"{value:.1f}"

    ends = [(y(s.before), y(s.after)) for s in chart.slopes]
    left = _apart([b for b, _ in ends])
    right = _apart([a for _, a in ends])
    lines = tuple(
        SlopeLine(
            s.label,
            COLORS[i % len(COLORS)],
            ends[i],
            (left[i] + 4, right[i] + 4),
            (f"{s.label} {number(s.before)}", number(s.after)),
        )
        for i, s in enumerate(chart.slopes)
    )
    middle = (chart.low + chart.high) / 2
    axis = tuple(
        (y(v), (f"{v:+g}" if v else "0") if chart.signed else f"{v:g}")
        for v in (chart.high, middle, chart.low)
    )
    bottom = max([SLOPE_TOP + SLOPE_SPAN, *left, *right])
    marks = tuple(None if m is None else y(m) for m in chart.marks)
    return SlopeLayout(
        chart.title, int(bottom) + 16, axis, lines, chart.ends, marks, chart.mark_label
    )


def render_pages_html(pages: list[Page], title: str, paper: str = "A4") -> str:
    """One-page views (organization, comparison) as a self-contained page."""
    from coachkit.text import printable

    return (
        _environment()
        .get_template("page.html.j2")
        .render(pages=pages, title=title, clean=printable, paper=paper, slopes=slope_layout)
    )


def _file_name(path: str) -> str:
    """A file's name without its folders: a report handed on carries no local paths."""
    from coachkit.text import printable

    return printable(path.replace("\\", "/").rsplit("/", 1)[-1])
