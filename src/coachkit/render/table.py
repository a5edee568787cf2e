"""The terminal report, laid out with rich; plain text when colour is off."""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.text import Text

from coachkit import wording
from coachkit.model import Report
from coachkit.render import RenderOptions
from coachkit.render.view import BlockView, Page, SubjectView, subject_view
from coachkit.text import printable, wrap_label


def render_table(report: Report, color: bool = False, width: int = 100, brief: bool = False) -> str:
    """The terminal report, fitted to `width` columns: under each leader's name the summary
    ("In short"), then the tables and the coaching focus; long labels wrap at a space, `/` or
    `-`, and a table too wide for the terminal is split so that every group's numbers are
    shown. `brief`: the summaries only, one short screen per leader."""
    parts: list[RenderableType] = [
        _subject(subject_view(report, s), width, brief) for s in report.subjects
    ]
    note = wording.values_note(report.settings)
    if note:  # said once, before the first leader
        parts.insert(0, Text(note + "\n", style="italic"))
    return _print(parts if brief else [*parts, _footer(report)], color, width)


def render_pages(pages: list[Page], options: RenderOptions) -> str:
    """The org and compare views: per page a title, a table, and sections of sentences."""
    parts: list[RenderableType] = []
    for page in pages:
        parts.append(Text(printable(page.title), style="bold underline"))
        if page.note:
            parts.append(Text(printable(page.note), style="italic"))
        if page.rows:
            rows = [tuple(printable(c) for c in row) for row in page.rows]
            if page.headings:  # a family's rows indented under its label
                rows = [
                    r if i in page.headings else (f"  {r[0]}", *r[1:]) for i, r in enumerate(rows)
                ]
            parts += _fitted(None, page.header[0], page.header[1:], rows, options.width)
        for section in page.sections:
            parts.append(Text(printable(section.title), style="bold"))
            parts += [_indented(printable(line), bullet="- ") for line in section.lines]
            if section.details_note:
                parts.append(_indented(printable(section.details_note), bullet="- "))
            parts.append(Text(""))
        if page.appendix:
            parts.append(Text(printable(page.details_title), style="bold underline"))
            for section in page.appendix:
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
    tables: list[RenderableType] = []
    if title:
        tables.append(Text(printable(title), style="italic"))
    edges = 2  # the table's blank left and right edges; a number column costs 3 more than its
    # numbers (the blank line between columns and a space either side)
    chunks: list[list[int]] = [[]]
    used = label + edges
    for j, need in enumerate(needs):
        if chunks[-1] and used + need + 3 > width:
            chunks.append([])
            used = label + edges
        chunks[-1].append(j)
        used += need + 3
    for columns in chunks:
        room = max(width - edges - sum(needs[j] + 3 for j in columns), LABEL_MIN)
        labels = [wrap_label(row[0], room) for row in rows]
        widest = max(len(line) for lines in labels for line in lines)
        label_width = min(room, max(widest, len(printable(first))))
        tables.append(
            _Grid(
                (printable(first), *(printable(others[j]) for j in columns)),
                (label_width, *(needs[j] for j in columns)),
                [
                    (lines, [row[j + 1] for j in columns])
                    for lines, row in zip(labels, rows, strict=True)
                ],
            )
        )
    return tables


class _Grid:
    """A table of a label column and right-aligned number columns, drawn as rich draws a
    `box.SIMPLE_HEAD` table without edge padding (a blank line, the header with its cells
    wrapped and set on their last line, a rule, the rows, a blank line), at a fraction of the
    cost: a report of thousands of leaders draws thousands of these."""

    def __init__(
        self,
        header: tuple[str, ...],
        widths: tuple[int, ...],
        rows: list[tuple[list[str], list[str]]],
    ) -> None:
        self.header = header
        self.widths = widths
        self.rows = rows  # per row: the label's lines, then the numbers

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = self.lines(_wrapped)
        header = len(lines) - 3 - sum(len(label) for label, _ in self.rows)
        for i, line in enumerate(lines):
            yield Text(line, style="bold" if 0 < i <= header else "")

    def lines(self, wrap: Callable[[str, int], list[str]]) -> list[str]:
        """The table's lines, its header cells wrapped by `wrap`."""
        widths = self.widths
        cells = [wrap(h, w) for h, w in zip(self.header, widths, strict=True)]
        height = max(len(c) for c in cells)
        out = [""]
        for at in range(height):
            parts = []
            for i, (found, w) in enumerate(zip(cells, widths, strict=True)):
                k = at - (height - len(found))  # set on the header's last line
                text = found[k] if k >= 0 else ""
                parts.append(text.ljust(w) if i == 0 else text.rjust(w))
            out.append(" " + "   ".join(parts))
        out.append(" " + "─" * (sum(widths) + 3 * (len(widths) - 1)))
        for label, numbers in self.rows:
            for at, line in enumerate(label):
                shown = [
                    n.rjust(w) if at == 0 else " " * w
                    for n, w in zip(numbers, widths[1:], strict=True)
                ]
                out.append(" " + "   ".join([line.ljust(widths[0]), *shown]))
        out.append("")
        return out

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        total = 2 + sum(self.widths) + 3 * (len(self.widths) - 1)
        return Measurement(total, total)


def _print(parts: list[RenderableType], color: bool, width: int) -> str:
    if not color:  # the same lines, wrapped by rich's own rule, without rich's rendering
        return "".join(line.rstrip() + "\n" for part in parts for line in _lines(part, width))
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
    return "".join(_unpadded(line) + "\n" for line in out.getvalue().splitlines())


def _wrapped(text: str, width: int) -> list[str]:
    """`text` wrapped as rich wraps a `Text` (its own line division), trailing spaces aside."""
    from rich._wrap import divide_line

    lines = []
    for line in text.split("\n"):
        cuts = [0, *divide_line(line, max(width, 1)), len(line)]
        lines += [line[a:b].rstrip() for a, b in itertools.pairwise(cuts)]
    return lines


def _lines(part: RenderableType, width: int) -> list[str]:
    """The plain lines of one part of the report, as rich would print them without colour."""
    if isinstance(part, Group):
        return [line for inner in part.renderables for line in _lines(inner, width)]
    if isinstance(part, _Indented):
        body = _wrapped(part.text.plain, max(width - len(part.lead), 1))
        pad = " " * len(part.lead)
        return [(part.lead if i == 0 else pad) + line for i, line in enumerate(body)]
    if isinstance(part, _Grid):
        return part.lines(_wrapped)
    assert isinstance(part, Text), type(part)
    return _wrapped(part.plain, width)


# A line's end of spaces and style codes (rich pads styled cells to their width): the codes
# stay, the spaces go, so that no line carries trailing spaces, coloured or not.
_END = re.compile(r"(?:\s|\x1b\[[0-9;]*m)+$")
_CODE = re.compile(r"\x1b\[[0-9;]*m")


def _unpadded(line: str) -> str:
    end = _END.search(line)
    return line if end is None else line[: end.start()] + "".join(_CODE.findall(end.group()))


def _subject(view: SubjectView, width: int, brief: bool = False) -> RenderableType:
    """A leader's report: the name and summary first; with `brief`, nothing else."""
    parts = _summary(view)
    parts.append(Text(""))
    if brief:
        return Group(*parts)
    for block in view.blocks:
        parts += _block(block, width, view.chance if block is view.blocks[-1] else "")
    if view.coaching:
        parts += _coaching(view)
    if view.comments:
        parts.append(Text("\nIn their own words", style="bold"))
        parts.append(_indented(printable(wording.COMMENTS_NOTE + ".")))
        for group, texts in view.comments:
            parts.append(_indented(printable(group)))
            parts += [_indented(printable(text), bullet="- ") for text in texts]
    parts.append(Text(""))
    return Group(*parts)


def _summary(view: SubjectView) -> list[RenderableType]:
    """The leader's name, raters, and "In short": the HTML's summary, read first."""
    parts: list[RenderableType] = [
        Text(printable(view.subject), style="bold underline"),
        Text(printable(f"Raters: {view.raters}")),
    ]
    if view.suppressed:
        parts.append(Text(printable(f"Not reported: {view.suppressed}"), style="yellow"))
    if view.without_self:
        parts.append(Text(printable(view.without_self), style="yellow"))
    if view.without_reference:
        parts.append(Text(printable(view.without_reference), style="yellow"))
    summary = view.in_short
    if not summary and not view.without_self:  # self alone: nothing to set self against
        summary = (view.no_focus[:1].upper() + view.no_focus[1:] + ".",)
    if summary:
        parts.append(Text("In short", style="bold"))
        parts += [_indented(printable(line), bullet="- ") for line in summary]
    return parts


def _coaching(view: SubjectView) -> list[RenderableType]:
    """The coaching focus in full: findings, where self stands, differences within chance,
    tilt contrasts and strengths."""
    parts: list[RenderableType] = [Text("\nCoaching focus", style="bold")]
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
    return parts


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
        title = f"Gaps in places (+: {block.gap_sign}; {block.gap_legend})"
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
        by_reason = wording.excluded_by_reason(report.excluded)
        lines += [_indented(printable(line), bullet="- ") for line in by_reason]
        if by_reason:
            lines.append(_indented("The first of them:"))
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
    return _Indented(line, "  " + bullet)


class _Indented:
    """Text wrapped by rich to the width left beside its lead (an indent, a bullet), later lines
    under the first's text: what a two-column grid would print, without a table per line (a
    report of thousands of leaders prints hundreds of thousands of these)."""

    def __init__(self, line: str, lead: str) -> None:
        self.text = Text(line)
        self.lead = lead

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        room = max(options.max_width - len(self.lead), 1)
        pad = " " * len(self.lead)
        for i, part in enumerate(self.text.wrap(console, room)):
            yield Text(self.lead if i == 0 else pad) + part

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(len(self.lead) + 1, len(self.lead) + self.text.cell_len)
