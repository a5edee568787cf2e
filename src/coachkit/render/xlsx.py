"""The Excel workbook: a summary sheet, one sheet per leader, and the excluded responses.

Numbers are stored as numbers, header rows are frozen, gaps are shaded by conditional formatting
(notable and major), and text that Excel would run as a formula is stored as text.
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

from coachkit import wording

if TYPE_CHECKING:
    from collections.abc import Callable

    from openpyxl.worksheet.worksheet import Worksheet

    from coachkit.model import Block, InstrumentInfo, Report, SubjectResult
    from coachkit.render.view import Page

_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\']")
NOTABLE_FILL, MAJOR_FILL = "FFF3C4", "FBE3D6"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # what a worksheet cannot hold


def _put(sheet: Worksheet, row: int, values: list[Any]) -> None:
    """Write a row; strings are always text (never formulas, never numbers: a leader named `1e5`
    or `0012` stays as written), without the control characters a worksheet cannot hold."""
    for column, value in enumerate(values, start=1):
        text = isinstance(value, str)
        cell = sheet.cell(row=row, column=column, value=_CONTROL.sub(" ", value) if text else value)
        if text:
            cell.data_type = "s"


def _header(sheet: Worksheet, row: int, values: list[str]) -> None:
    from openpyxl.styles import Alignment, Font

    _put(sheet, row, values)
    for column in range(1, len(values) + 1):
        cell = sheet.cell(row=row, column=column)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")  # wrapped, never cut


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def sheet_name(name: str, taken: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\', unique in the workbook. A
    title too long for a tab is named by its words before a colon ("Re-assessment"), or cut
    at a word."""
    name = name.replace(": ", " - ")  # a colon is not allowed in a tab's name
    if len(name) > 31:
        head = name.split(" - ", 1)[0].strip()
        name = head if head and len(head) <= 31 else name[:32].rsplit(" ", 1)[0]
    base = _CONTROL.sub(" ", _SHEET_UNSAFE.sub("_", name)).strip() or "Leader"
    candidate, n = base[:31], 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{base[: 31 - len(str(n)) - 1]}~{n}"
    taken.add(candidate.lower())
    return candidate


def render_xlsx(report: Report) -> bytes:
    """The workbook: a summary sheet, a sheet per leader, the excluded responses."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = "Summary"
    info = report.instrument
    me, boss = info.self_group, info.counterpart
    groups = list(info.groups)
    _header(
        summary,
        1,
        [
            "Leader",
            *report.attribute_columns,  # with an HR roster only
            *(f"{info.groups[g]} raters" for g in groups),
            f"{info.groups[me]}-{info.groups[boss].lower()} rho",
            f"{info.groups[me]} tilt",
            f"{info.groups[boss]} tilt",
            "Findings (beyond chance)",
        ],
    )
    labels = {d.id: d.label for d in info.dimensions}
    taken = {"summary", "excluded", "data"}
    for row, subject in enumerate(report.subjects, start=2):
        counts = {g.group: g.n for g in subject.groups}
        first = subject.blocks[0]
        rho = next((c.spearman for c in first.comparisons if (c.a, c.b) == (me, boss)), None)
        tilt = first.tilt or {}
        _put(
            summary,
            row,
            [
                subject.subject,
                *((subject.attributes or {}).get(c) for c in report.attribute_columns),
                *(counts.get(g, 0) for g in groups),
                rho,
                tilt[me].value if me in tilt else None,
                tilt[boss].value if boss in tilt else None,
                ", ".join(labels[f.dimension] for f in subject.coaching_focus if f.beyond_chance)
                or None,
            ],
        )
        _leader_sheet(book.create_sheet(sheet_name(subject.subject, taken)), report, subject)
    note = wording.values_note(report.settings)
    if note:  # said once, under the leaders
        _put(summary, len(report.subjects) + 3, [note])
    summary.freeze_panes = "B2"
    roster = [16] * len(report.attribute_columns)
    _widths(summary, [28, *roster, *[12] * len(groups), 16, 12, 12, 28])
    excluded = book.create_sheet("Excluded")
    _header(excluded, 1, ["File", "Row", "Leader", "Reason"])
    for row, e in enumerate(report.excluded, start=2):
        _put(excluded, row, [e.path, e.row, e.subject, e.reason])
    excluded.freeze_panes = "A2"
    _widths(excluded, [40, 8, 28, 70])
    _data_sheet(book.create_sheet("Data"), report)
    summary.auto_filter.ref = summary.dimensions
    return _saved(book)


def _data_sheet(sheet: Worksheet, report: Report) -> None:
    """The tidy table of `--format csv`, one row per leader, block, group and dimension, with
    an autofilter: the sheet an analyst sorts and pivots."""
    from coachkit.document import report_table

    names, rows = report_table(report)
    columns = list(names)
    _header(sheet, 1, columns)
    for row, values in enumerate(rows, start=2):
        _put(sheet, row, [None if v != v else v for v in values])  # NaN: a blank cell
    sheet.auto_filter.ref = sheet.dimensions
    sheet.freeze_panes = "A2"
    _widths(sheet, [24, 10, 14, 6, 24, 26, 14, *[12] * (len(columns) - 7)])


def _leader_sheet(sheet: Worksheet, report: Report, subject: SubjectResult) -> None:
    """A leader's sheet: the raters, then per block its priorities, gaps and agreement, then
    the coaching focus."""
    info = report.instrument
    row = 1
    _header(sheet, row, [subject.subject])
    row += 1
    _put(
        sheet,
        row,
        [
            "Raters: "
            + ", ".join(f"{info.groups[g.group]} {g.n}" for g in subject.groups if g.reported)
        ],
    )
    hidden = [
        f"{info.groups[g.group]} ({g.reason})" for g in subject.groups if not g.reported and g.n
    ]
    if hidden:
        row += 1
        _put(sheet, row, ["Not reported: " + "; ".join(hidden)])
    sheet.freeze_panes = f"B{row + 3}"  # below the first table's header, beside its labels
    for block in subject.blocks:
        row = _priorities(sheet, row, info, block)
        if block.comparisons:
            row = _gaps(sheet, row, report, block)
        row = _within_groups(sheet, row, info, block)
    if subject.coaching_focus:
        row = _focus(sheet, row, info, subject, report.settings.rated)
    _widths(sheet, [30, 18, *[14] * 12])


def _priorities(sheet: Worksheet, row: int, info: InstrumentInfo, block: Block) -> int:
    """A block's consensus ranks, mean ranks and the 95% intervals of groups of 3+, as tables
    narrow enough to print on a landscape page at a readable size; the last row."""
    labels = {d.id: d.label for d in info.dimensions}
    families = {d.id: info.families.get(d.family, d.family) for d in info.dimensions}
    groups = [g for g in info.groups if g in block.mean_rank]
    with_ci = [g for g in groups if g in block.mean_rank_ci]
    tables: list[tuple[list[str], Callable[[str], list[object]]]] = [
        (
            ["Dimension", "Family", *(f"{info.groups[g]} consensus" for g in groups)],
            lambda d: [labels[d], families[d], *(block.consensus_rank[g][d] for g in groups)],
        ),
        (
            ["Mean rank", *(f"{info.groups[g]} mean" for g in groups)],
            lambda d: [labels[d], *(round(block.mean_rank[g][d], 4) for g in groups)],
        ),
    ]
    for end, at in (("low", 0), ("high", 1)):
        if with_ci:
            tables.append(
                (
                    [f"95% interval, {end}", *(f"{info.groups[g]} {end}" for g in with_ci)],
                    lambda d, at=at: [  # type: ignore[misc]
                        labels[d],
                        *(round(block.mean_rank_ci[g][d][at], 4) for g in with_ci),
                    ],
                )
            )
    for header, values in tables:
        row += 2
        _header(sheet, row, header)
        for dim in block.dimensions:
            row += 1
            _put(sheet, row, values(dim))
    return row


def _gaps(sheet: Worksheet, row: int, report: Report, block: Block) -> int:
    """A block's gaps (shaded by size, with a chart), its notable gaps with their p and
    adjusted p, and the agreement between groups; the last row."""
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, PatternFill
    from openpyxl.utils import get_column_letter

    info = report.instrument
    labels = {d.id: d.label for d in info.dimensions}
    row += 2
    _header(
        sheet,
        row,
        ["Gap (places)", *(f"{info.groups[c.a]} vs {info.groups[c.b]}" for c in block.comparisons)],
    )
    start = row + 1
    for dim in block.dimensions:
        row += 1
        _put(sheet, row, [labels[dim], *(round(c.gaps[dim], 4) for c in block.comparisons)])
    cells = f"B{start}:{get_column_letter(1 + len(block.comparisons))}{row}"
    if block.comparisons:
        first = block.comparisons[0]
        _gap_chart(sheet, start, row, len(block.comparisons), info, (first.a, first.b))
    for size, fill, stop in (
        (report.settings.major_gap, MAJOR_FILL, True),
        (report.settings.notable_gap, NOTABLE_FILL, None),
    ):
        rule = FormulaRule(
            formula=[f"ABS(B{start})>={size}"],
            fill=PatternFill("solid", fgColor=fill),
            stopIfTrue=stop,
        )
        sheet.conditional_formatting.add(cells, rule)
    marked = [(c, n) for c in block.comparisons for n in c.notable]
    if marked:
        row += 2
        _header(sheet, row, ["Notable gap", "groups", "gap", "size", "p", "adjusted p"])
        for c, n in marked:
            row += 1
            pair = f"{info.groups[c.a]} vs {info.groups[c.b]}"
            values = [
                labels[n.dimension],
                pair,
                round(n.gap, 4),
                n.level,
                round(n.p_value, 4),
                round(n.p_adjusted, 4),
            ]
            _put(sheet, row, values)
            sheet.cell(row=row, column=4).alignment = Alignment(horizontal="center")
    row += 2
    _header(sheet, row, ["Agreement", "Spearman rho"])
    for c in block.comparisons:
        row += 1
        _put(sheet, row, [f"{info.groups[c.a]} vs {info.groups[c.b]}", c.spearman])
    return row


def _within_groups(sheet: Worksheet, row: int, info: InstrumentInfo, block: Block) -> int:
    """A block's concordance and tilt per group; the last row."""
    if block.concordance:
        row += 2
        _header(sheet, row, ["Concordance", "Kendall W", "chi2", "p", "raters"])
        for g, w in block.concordance.items():
            row += 1
            _put(sheet, row, [info.groups[g], w.kendall_w, w.chi2, w.p_value, w.m])
    if block.tilt:
        row += 2
        _header(sheet, row, ["Tilt", "value", "p", "raters", "95% low", "high"])
        for g, t in block.tilt.items():
            row += 1
            _put(sheet, row, [info.groups[g], t.value, t.p_value, t.m, *(t.ci or ())])
    return row


def _focus(
    sheet: Worksheet, row: int, info: InstrumentInfo, subject: SubjectResult, rated: bool = False
) -> int:
    """The coaching focus, both directions, with p and whether beyond chance; the last row."""
    labels = {d.id: d.label for d in info.dimensions}
    row += 2
    _header(sheet, row, ["Coaching focus", "gap", "p", "beyond chance", "reason"])
    raters = next((g.n for g in subject.groups if g.group == subject.evidence), 1)
    for f in subject.coaching_focus:
        row += 1
        _put(
            sheet,
            row,
            [
                labels[f.dimension],
                round(f.gap, 4),
                round(f.p_value, 4),
                "yes" if f.beyond_chance else "no",
                wording.focus_reason(info, f, raters, rated),
            ],
        )
    return row


def render_pages_xlsx(pages: list[Page]) -> bytes:
    """The org and compare views: one sheet per page, its table and then its sections."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for page in pages:
        sheet = book.create_sheet(sheet_name(page.title, taken))
        _header(sheet, 1, list(page.header))
        # a row of numbers per line, ready to sort and filter: the family headings stay out
        data = [r for i, r in enumerate(page.rows) if i not in page.headings]
        for row, values in enumerate(data, start=2):
            _put(sheet, row, [values[0], *(_number(v) for v in values[1:])])  # a name stays text
        row = len(data) + 2
        for section in page.sections:
            row += 1
            _header(sheet, row, [section.title])
            for line in (*section.lines, *section.details):  # a workbook lists them all
                row += 1
                _put(sheet, row, [line])
        if page.note:  # said once, under the sections
            _put(sheet, row + 2, [page.note])
        sheet.freeze_panes = "B2"
        _widths(sheet, [30, *[16] * (len(page.header) - 1)])
    return _saved(book)


_DECIMAL = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?")


def _number(text: str) -> object:
    """Table cells of the views are text; numbers as the views write them (`+0.13`, `12`, `2.5`)
    go back to being numbers, anything else (`Nan`, `1e5`, `0012`) stays text."""
    return float(text) if _DECIMAL.fullmatch(text) else text


_STAMP = re.compile(rb"<dcterms:(created|modified)([^>]*)>[^<]*</dcterms:\1>")


FONT = "Calibri"
# Number formats by the header above a number: p-values to 3 decimals, rho, W and tilts to 2,
# counts whole, ranks and gaps to 1.
_FORMATS = (
    (re.compile(r"^p$|^p |p-value|\bp\b"), "0.000"),
    (re.compile(r"rho|\bw\b|kendall|chi2|tilt|value|low|high", re.IGNORECASE), "0.00"),
    (re.compile(r"raters|\brow\b|leaders|\bn\b|gaps closed|opened|reversed", re.IGNORECASE), "0"),
)


def _finish(book: Any) -> None:
    """What every sheet gets: one named font, number formats from the headers, frozen headers,
    landscape pages fitted to the width; and the document's properties name coachkit."""
    from openpyxl.styles import Font

    from coachkit.version import __version__

    book.properties.creator = "coachkit"
    book.properties.lastModifiedBy = "coachkit"
    book.properties.title = "coachkit report"
    book.properties.keywords = f"coachkit {__version__}"

    for sheet in book.worksheets:
        headers: dict[int, str] = {}
        for row in sheet.iter_rows():
            bold = any(c.font is not None and c.font.bold for c in row if c.value is not None)
            for cell in row:
                if cell.value is None:
                    continue
                cell.font = Font(name=FONT, bold=bool(cell.font and cell.font.bold))
                if bold and isinstance(cell.value, str):
                    headers[cell.column] = cell.value
                elif isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    cell.number_format = _format_for(headers.get(cell.column, ""))
        if sheet.freeze_panes is None:
            sheet.freeze_panes = "A2"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = "1:1"


def _format_for(header: str) -> str:
    for pattern, number_format in _FORMATS:
        if pattern.search(header):
            return number_format
    return "0.0"


def _gap_chart(
    sheet: Worksheet, start: int, end: int, pairs: int, info: InstrumentInfo, pair: tuple[str, str]
) -> None:
    """A native bar chart of the first comparison's gaps (self against the manager, by default)
    beside the gap table, read as the HTML's gap chart reads: a bar to the left when the first
    group ranks the dimension higher, in that group's colour; to the right, in the second
    group's colour (the value axis runs from high to low, as a positive gap is the first
    group's). The category labels stand at the chart's edge, clear of the bars."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.marker import DataPoint
    from openpyxl.chart.shapes import GraphicalProperties
    from openpyxl.utils import get_column_letter

    from coachkit.render.colors import group_styles

    style = group_styles(info.groups)
    first, second = (info.groups[g] for g in pair)
    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = f"Gaps: {sheet.cell(row=start - 1, column=2).value}"
    chart.y_axis.title = f"places: <- {first} ranks it higher | {second} ranks it higher ->"
    chart.y_axis.scaling.orientation = "maxMin"  # + (the first group higher) to the left
    chart.x_axis.tickLblPos = "high"  # the labels at the left edge, where + ends
    chart.add_data(
        Reference(sheet, min_col=2, min_row=start - 1, max_row=end), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=start, max_row=end))
    series = chart.series[0]
    for i in range(end - start + 1):
        gap = sheet.cell(row=start + i, column=2).value
        color = style[pair[0] if isinstance(gap, int | float) and gap > 0 else pair[1]][1]
        series.dPt.append(
            DataPoint(idx=i, spPr=GraphicalProperties(solidFill=color.lstrip("#").upper()))
        )
    chart.legend = None
    chart.height, chart.width = 9, 14
    sheet.add_chart(chart, f"{get_column_letter(pairs + 3)}{start - 1}")


def _saved(book: Any) -> bytes:
    """The workbook's bytes, the same on every run: fixed timestamps inside and on the zip entries."""
    import zipfile

    _finish(book)
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"<dcterms:\1\2>2000-01-01T00:00:00Z</dcterms:\1>", data)
            target.writestr(
                zipfile.ZipInfo(item.filename, date_time=(2000, 1, 1, 0, 0, 0)),
                data,
                zipfile.ZIP_DEFLATED,
            )
    return out.getvalue()
