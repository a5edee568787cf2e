"""The terminal report, laid out with rich; plain text when colour is off."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from coachkit.model import Report
from coachkit.render import RenderOptions, wording
from coachkit.render.view import BlockView, Page, SubjectView, subject_view
from coachkit.text import printable


def render_table(report: Report, color: bool = False, width: int = 100) -> str:
    """The terminal report, fitted to `width` columns: long labels wrap, and a table too wide
    for the terminal is split so that every group's numbers are shown."""
    parts = [_subject(subject_view(report, s), width) for s in report.subjects]
    return _print([*parts, _footer(report)], color, width)


def render_pages(pages: list[Page], options: RenderOptions) -> str:
    """The org and compare views: per page a title, a table, and sections of sentences."""
    parts: list[RenderableType] = []
    for page in pages:
        parts.append(Text(printable(page.title), style="bold underline"))
        if page.rows:
            rows = [tuple(printable(c) for c in row) for row in page.rows]
            parts += _fitted(None, page.header[0], page.header[1:], rows, options.width)
        for section in page.sections:
            parts.append(Text(printable(section.title), style="bold"))
            parts += [_indented(printable(line), bullet="- ") for line in section.lines]
            parts.append(Text(""))
    return _print(parts, options.color, options.width)


LABEL_MIN = 14  # the label column never gets narrower than this (it wraps instead)


def _fitted(
    title: str | None,
    first: str,
    others: tuple[str, ...],
    rows: list[tuple[str, ...]],
    width: int,
) -> list[RenderableType]:
    """Tables with a label column and right-aligned number columns that fit `width`: the label
    wraps; number columns keep their width; when they cannot all fit beside the label, they are
    split over several tables, one under another, so that no group is dropped."""
    needs = [
        max([len(str(r[j + 1])) for r in rows] + [max(map(len, h.split()), default=1), 3])
        for j, h in enumerate(others)
    ]
    label = min(max([len(r[0]) for r in rows] + [len(first), 1]), max(LABEL_MIN, width // 3))
    chunks: list[list[int]] = [[]]
    used = label
    for j, need in enumerate(needs):
        if chunks[-1] and used + need + 2 > width:
            chunks.append([])
            used = label
        chunks[-1].append(j)
        used += need + 2
    tables: list[RenderableType] = []
    for n, columns in enumerate(chunks):
        room = width - sum(needs[j] + 2 for j in columns)
        table = Table(
            title=title if n == 0 else None,
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        table.add_column(printable(first), overflow="fold", max_width=max(room, LABEL_MIN))
        for j in columns:
            table.add_column(
                printable(others[j]),
                justify="right",
                min_width=needs[j],
                max_width=needs[j],
                overflow="fold",
            )
        for row in rows:
            table.add_row(row[0], *(row[j + 1] for j in columns))
        tables.append(table)
    return tables


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


def _subject(view: SubjectView, width: int) -> RenderableType:
    parts: list[RenderableType] = [
        Text(printable(view.subject), style="bold underline"),
        Text(printable(f"Raters: {view.raters}")),
    ]
    if view.suppressed:
        parts.append(Text(printable(f"Not reported: {view.suppressed}"), style="yellow"))
    if view.without_self:
        parts.append(Text(printable(view.without_self), style="yellow"))
    for block in view.blocks:
        parts += _block(block, width, view.chance if block is view.blocks[-1] else "")
    if view.coaching:
        parts.append(Text("\nCoaching focus", style="bold"))
        if view.no_findings:
            parts.append(_indented(printable(view.no_findings)))
        parts += [_indented(printable(line), bullet="- ") for line in view.focus]
        parts += [_indented(printable(line + ".")) for line in view.standing]
        if view.differences:
            parts.append(_indented(printable(wording.DIFFERENCES_HEADING)))
            parts += [_indented(printable(line), bullet="- ") for line in view.differences]
        parts += [_indented(printable(line)) for line in view.contrasts]
        if view.strengths:
            parts.append(_indented(printable(f"Strengths to build on: {view.strengths}")))
        parts.append(_indented(printable(view.focus_note)))
    if view.comments:
        parts.append(Text("\nIn their own words", style="bold"))
        parts.append(_indented(printable(wording.COMMENTS_NOTE + ".")))
        for group, texts in view.comments:
            parts.append(_indented(printable(group)))
            parts += [_indented(printable(text), bullet="- ") for text in texts]
    parts.append(Text(""))
    return Group(*parts)


def _block(block: BlockView, width: int, chance: str = "") -> list[RenderableType]:
    """A block's tables and sentences; `chance` (how many notable gaps random rankings show)
    under its gap table."""
    parts: list[RenderableType] = []
    rows: list[tuple[str, ...]] = []
    for row in block.priorities:
        if row.family:
            rows.append((printable(row.family), *[""] * len(block.groups)))
        rows.append((f"  {printable(row.label)}", *row.consensus))
    title = f"{block.title}: consensus rank by group (1 = top priority)"
    parts += _fitted(title, "Dimension", block.groups, rows, width)
    if block.pairs:
        title = f"Gaps in places (+: the first group ranks it higher; {block.gap_legend})"
        gap_rows = [(printable(g.label), *g.cells) for g in block.gaps]
        parts += _fitted(title, "Dimension", block.pairs, gap_rows, width)
        parts.append(_indented(printable(block.adjusted)))
        if chance:
            parts.append(_indented(printable(chance)))
        parts.append(Text(""))
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
        shown = report.excluded[: wording.MAX_EXCLUDED_SHOWN]
        lines.append(Text("Excluded responses", style="bold"))
        lines += [
            _indented(
                f"{printable(e.path)} row {e.row} ({printable(e.subject) or 'no subject'}): {printable(e.reason)}"
            )
            for e in shown
        ]
        if len(report.excluded) > len(shown):
            lines.append(_indented(wording.excluded_more(len(report.excluded) - len(shown))))
    return Group(*lines)


def _indented(line: str, bullet: str = "") -> RenderableType:
    """A line indented by two spaces (after an optional bullet); wrapped lines keep the indent."""
    grid = Table.grid()
    grid.add_column(width=2 + len(bullet), no_wrap=True)
    grid.add_column()
    grid.add_row(Text("  " + bullet), Text(line))
    return grid
