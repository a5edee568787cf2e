"""The terminal report, laid out with rich; plain text when colour is off."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from coachkit.model import Report
from coachkit.render import RenderOptions
from coachkit.render.view import BlockView, Page, SubjectView, subject_view
from coachkit.text import printable


def render_table(report: Report, color: bool = False, width: int = 100) -> str:
    """The terminal report."""
    parts = [_subject(subject_view(report, s)) for s in report.subjects]
    return _print([*parts, _footer(report)], color, width)


def render_pages(pages: list[Page], options: RenderOptions) -> str:
    """The org and compare views: per page a title, a table, and sections of sentences."""
    parts: list[RenderableType] = []
    for page in pages:
        parts.append(Text(printable(page.title), style="bold underline"))
        if page.rows:
            table = _table(None, page.header[0], page.header[1:])
            for row in page.rows:
                table.add_row(*(printable(c) for c in row))
            parts.append(table)
        for section in page.sections:
            parts.append(Text(printable(section.title), style="bold"))
            parts += [_indented(printable(line), bullet="- ") for line in section.lines]
            parts.append(Text(""))
    return _print(parts, options.color, options.width)


def _table(title: str | None, first: str, others: tuple[str, ...]) -> Table:
    """A table with a label column and right-aligned number columns."""
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column(printable(first), no_wrap=True)
    for heading in others:
        table.add_column(printable(heading), justify="right")
    return table


def _print(parts: list[RenderableType], color: bool, width: int) -> str:
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    for part in parts:
        console.print(part)
    return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


def _subject(view: SubjectView) -> RenderableType:
    parts: list[RenderableType] = [
        Text(printable(view.subject), style="bold underline"),
        Text(printable(f"Raters: {view.raters}")),
    ]
    if view.suppressed:
        parts.append(Text(printable(f"Not reported: {view.suppressed}"), style="yellow"))
    if view.without_self:
        parts.append(Text(printable(view.without_self), style="yellow"))
    for block in view.blocks:
        parts += _block(block)
    if any(block.pairs for block in view.blocks):
        parts.append(_indented(printable(view.chance)))
    if view.focus or view.tilt_contrast or view.strengths:
        parts.append(Text("\nCoaching focus", style="bold"))
        focus = view.focus or (view.no_focus,)
        parts += [_indented(printable(line), bullet="- ") for line in focus]
        parts += [_indented(printable(line)) for line in view.standing]
        if view.tilt_contrast:
            parts.append(_indented(printable(view.tilt_contrast)))
        if view.strengths:
            parts.append(_indented(printable(f"Strengths to build on: {view.strengths}")))
        parts.append(_indented(printable(view.focus_note)))
    parts.append(Text(""))
    return Group(*parts)


def _block(block: BlockView) -> list[RenderableType]:
    parts: list[RenderableType] = []
    priorities = _table(
        f"{block.title}: consensus rank by group (1 = top priority)", "Dimension", block.groups
    )
    for row in block.priorities:
        if row.family:
            priorities.add_row(Text(printable(row.family), style="bold"), *[""] * len(block.groups))
        priorities.add_row(f"  {printable(row.label)}", *row.consensus)
    parts.append(priorities)
    if block.pairs:
        title = f"Gaps in places (+: the first group ranks it higher; {block.gap_legend})"
        gaps = _table(title, "Dimension", block.pairs)
        for gap_row in block.gaps:
            gaps.add_row(printable(gap_row.label), *gap_row.cells)
        parts.append(gaps)
    spacer = ""  # the tables end with a blank line of their own
    for title, lines in (
        (f"Agreement between groups ({block.agreement_note})", block.agreement),
        ("Agreement within groups", block.concordance),
        (block.tilt_legend, block.tilt),
    ):
        if lines:
            parts.append(Text(spacer + title, style="bold"))
            parts += [_indented(printable(line)) for line in lines]
            spacer = "\n"
    return parts


def _footer(report: Report) -> RenderableType:
    lines: list[RenderableType] = []
    for source in report.inputs:
        lines.append(
            Text(
                f"{printable(source.path)}: read as {source.source_format}, {source.rows} rows, "
                f"{source.responses_used} responses used, {source.responses_excluded} excluded"
            )
        )
    if report.excluded:
        lines.append(Text("Excluded responses", style="bold"))
        lines += [
            _indented(
                f"{printable(e.path)} row {e.row} ({printable(e.subject) or 'no subject'}): {printable(e.reason)}"
            )
            for e in report.excluded
        ]
    return Group(*lines)


def _indented(line: str, bullet: str = "") -> RenderableType:
    """A line indented by two spaces (after an optional bullet); wrapped lines keep the indent."""
    grid = Table.grid()
    grid.add_column(width=2 + len(bullet), no_wrap=True)
    grid.add_column()
    grid.add_row(Text("  " + bullet), Text(line))
    return grid
