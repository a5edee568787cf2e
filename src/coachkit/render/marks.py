"""The SVG marks the HTML report draws many of per leader (the dot plot's rows and markers, the
gap chart's bars, the quadrant's points), written as strings here rather than in the template: a
page of thousands of leaders draws hundreds of thousands of them, and a template pays for each
field of a mark what a format string pays for the whole mark. The template places each piece
where its loop used to be, so the page's bytes are the ones the loops wrote (golden tests hold
them). Text reaches the page escaped, as the template's autoescaping did."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markupsafe import Markup

    from coachkit.render.html import Chart, GapSide
    from coachkit.render.story import GapChart, Quadrant

NEXT_LINE = ' dy="13"'  # a label's second line, one line below its first
LABEL_END = 190  # where the dot plot's dimension labels end: its left margin less 10


def dotplot(chart: Chart) -> Markup:
    """The inside of a block's dot plot: the shaded rows, the rank grid, and per dimension its
    label, the self-to-manager line, each group's interval and marker."""
    from markupsafe import Markup, escape

    width, height = chart.width, chart.height
    parts = [
        f'<rect class="gap-{escape(row.level)}" x="0" y="{row.y - 13}" width="{width}" '
        f'height="26" fill="{"#fbe3d6" if row.level == "major" else "#fff3c4"}"/>'
        for row in chart.rows
        if row.level
    ]
    for x, r in chart.ticks:
        parts.append(
            f'    <line x1="{x:.1f}" y1="22" x2="{x:.1f}" y2="{height - 8}" stroke="#e3e3e3"/>\n'
            f'    <text x="{x:.1f}" y="16" text-anchor="middle">{r}</text>\n'
        )
    label_x = LABEL_END
    for row in chart.rows:
        y = row.y
        if row.family_start:
            parts.append(
                f'<text class="family" x="4" y="{y - 17}">{escape(row.family_start.upper())}</text>'
            )
        parts.append(
            f'    <text x="{label_x}" y="{y + 4}" text-anchor="end">{escape(row.label)}</text>\n'
        )
        if row.level:
            parts.append(
                f'<text class="level" x="{width - 60}" y="{y + 4}">{escape(row.level)}</text>'
            )
        if row.line:
            parts.append(
                f'<line class="self-focus" x1="{row.line[0]:.1f}" y1="{y}" x2="{row.line[1]:.1f}" '
                f'y2="{y}" stroke="#333" stroke-width="2"/>'
            )
        marks = [(m, *_escaped(m.group, m.color)) for m in row.markers]  # (marker, name, colour)
        for m, group, color in marks:
            if m.whisker:
                parts.append(
                    f'<line class="whisker" x1="{m.whisker[0]:.1f}" y1="{m.whisker_y:.1f}" '
                    f'x2="{m.whisker[1]:.1f}" y2="{m.whisker_y:.1f}" stroke="{color}" '
                    f'stroke-width="1.5" stroke-opacity="0.8"><title>{group}: 95% interval of '
                    "the mean rank</title></line>\n"
                )
        for m, group, color in marks:
            if m.shape == "circle":
                parts.append(
                    f'<circle class="marker" cx="{m.x:.1f}" cy="{m.y:.1f}" r="6" fill="{color}">'
                    f"<title>{group}: {m.rank}</title></circle>\n"
                )
            elif m.shape == "ring":
                parts.append(
                    f'<circle class="marker" cx="{m.x:.1f}" cy="{m.y:.1f}" r="5" fill="none" '
                    f'stroke="{color}" stroke-width="2.5"><title>{group}: {m.rank}</title>'
                    "</circle>\n"
                )
            else:
                parts.append(
                    f'<polygon class="marker" points="{m.points}" fill="{color}" '
                    f'fill-opacity="0.9"><title>{group}: {m.rank}</title></polygon>'
                )
    return Markup("".join(parts))


@lru_cache(maxsize=256)
def _escaped(group: str, color: str) -> tuple[str, str]:
    """A group's name and colour escaped for the page, once: they come back on every row of
    every leader. (Numbers, a rank or a marker's corners, need no escaping.)"""
    from markupsafe import escape

    return escape(group), escape(color)


def gap_bars(chart: GapChart, sides: tuple[GapSide, GapSide]) -> Markup:
    """The gap chart's bars, the largest gap first: each one's label above it (at the chart's
    edge when too long for its half), the bar in its side's colour, solid for a finding, and
    its 95% interval."""
    from markupsafe import Markup, escape

    own, their = sides
    middle = chart.middle
    room = 414 - middle
    group, me = escape(chart.group), escape(chart.own)
    own_color, their_color = escape(own.color), escape(their.color)
    parts = []
    for b in chart.bars:
        label, gap, level = escape(b.label), b.gap, b.level
        size = f"{abs(gap):.1f}"
        if gap < 0:
            start = f'<text x="16" y="{b.y + 2}" class="barlabel" text-anchor="start">'
        elif (len(b.label) + 8) * 6.6 > room:  # too long for the right half: ends at the edge
            start = f'<text x="414" y="{b.y + 2}" class="barlabel" text-anchor="end">'
        else:
            start = f'<text x="{middle + 4}" y="{b.y + 2}" class="barlabel">'
        found = f" ({escape(level)})" if level else ""
        parts.append(
            f"      {start}{label} ({size})</text>\n"
            f'      <rect class="bar {escape(level)}" x="{b.x:.1f}" y="{b.y + 6}" '
            f'width="{max(b.width, 1):.1f}" height="12" '
            f'fill="{their_color if gap >= 0 else own_color}" '
            f'fill-opacity="{1 if level else 0.45}"><title>{label}: {size} places higher for '
            f"{group if gap >= 0 else me}{found}</title></rect>\n"
        )
        if b.whisker:
            parts.append(
                f'<line x1="{b.whisker[0]:.1f}" y1="{b.y + 12}" x2="{b.whisker[1]:.1f}" '
                f'y2="{b.y + 12}" stroke="#222" stroke-width="1.5"/>'
            )
    return Markup("".join(parts))


def quadrant_points(chart: Quadrant) -> Markup:
    """The quadrant's points: each dot (dark for a finding or a shared strength), its label in
    one or two lines, and a thin line to a label nudged far from its dot."""
    from markupsafe import Markup, escape

    parts = []
    for p in chart.points:
        label = escape(p.label)
        lx, ly = f"{p.label_x:.1f}", f"{p.label_y:.1f}"
        if p.leader:
            parts.append(
                f'<line x1="{p.x:.1f}" y1="{p.y:.1f}" x2="{lx}" y2="{p.label_y - 4:.1f}" '
                'stroke="#999" stroke-width="0.8"/>'
            )
        fill = "#999" if p.quadrant == "within chance" else "#222"
        anchor = ' text-anchor="end"' if p.anchor == "end" else ""
        lines = "".join(
            f'<tspan x="{lx}"{NEXT_LINE if n else ""}>{escape(line)}</tspan>'
            for n, line in enumerate(p.lines or [p.label])
        )
        parts.append(
            f'<circle cx="{p.x:.1f}" cy="{p.y:.1f}" r="4.5" fill="{fill}"><title>{label}: '
            f'{escape(p.quadrant)}</title></circle><text x="{lx}" y="{ly}"{anchor} '
            f'class="pointlabel"><title>{label}</title>{lines}</text>'
        )
    return Markup("".join(parts))
