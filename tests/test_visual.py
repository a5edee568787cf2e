"""The HTML report and the Excel workbook: structure, self-containment, escaping, a real browser."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import EXAMPLES, IDENTITY, LABELS, REVERSED, ROOT, run, write_wide

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _html(*args: str) -> str:
    code, out, err = run(*args, "-f", "html", "-q")
    assert code == 0, err
    return out


def test_html_report_has_a_chart_per_leader_and_block() -> None:
    page = _html("analyze", "examples/acme-wide.xlsx")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count('<section class="leader">') == 3
    assert page.count('class="dotplot"') == 3
    # Dana: 6 reported groups x 12 dimensions; the self-manager line on every row
    dana = page.split('<section class="leader">')[1]
    assert dana.count('class="marker"') == 6 * 12
    assert dana.count('class="self-focus"') == 12
    assert dana.count('class="tilt-marker"') == 6
    assert "Coaching focus" in dana
    assert "Job competence: self ranks it 1st, all other raters 9.2 on average" in dana  # a finding
    assert "Personal ethics: self 9th, all other raters 2.7 on average" in dana  # within chance
    marcus = page.split('<section class="leader">')[2]
    assert "Not reported (anonymity)" in marcus and "Peers (fewer than 3 raters)" in marcus
    family = _html("analyze", "examples/by-family.csv")
    assert family.count('class="dotplot"') == 2 and 'class="tilt"' not in family


def test_html_is_self_contained_and_printable() -> None:
    for args in (
        ["analyze", "examples/acme-wide.xlsx"],
        ["org", "examples/cohort-2026.csv"],
        ["compare", "examples/cohort-2025.csv", "examples/cohort-2026.csv"],
    ):
        page = _html(*args)
        assert not re.search(
            r"https?://|<script|<link|@import|url\(|<img|<iframe", page, re.IGNORECASE
        ), args
        assert "@media print" in page and "page-break-after" in page


def test_html_escapes_data(tmp_path: Path) -> None:
    survey = write_wide(
        tmp_path / "s.csv", [(HOSTILE, "r1", "Self", IDENTITY), (HOSTILE, "r2", "Boss", REVERSED)]
    )
    page = _html("analyze", str(survey))
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_workbook(tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    code, out, err = run("analyze", "examples/acme-wide.xlsx", "-o", str(target), "-q")
    assert (code, out) == (0, ""), err
    book = load_workbook(target)
    assert book.sheetnames == [
        "Summary",
        "Dana Whitfield",
        "Marcus Oyelaran",
        "Priya Raman",
        "Excluded",
        "Data",
    ]
    assert book.properties.creator == "coachkit"
    summary = book["Summary"]
    assert summary.freeze_panes == "B2"
    header = [c.value for c in summary[1]]
    assert header[0] == "Leader" and "Self-manager rho" in header
    dana = [c.value for c in summary[2]]
    assert dana[0] == "Dana Whitfield"
    assert isinstance(dana[header.index("Self-manager rho")], float)
    source = load_workbook(EXAMPLES / "acme-wide.xlsx", read_only=True)
    own = next(
        r
        for r in source["Responses"].iter_rows(min_row=2, values_only=True)
        if r[2] == "Dana Whitfield" and r[3] == "Self"
    )
    source.close()
    ranks = list(own[4:16])  # six competencies, then six characteristics
    assert dana[header.index("Self tilt")] == pytest.approx(sum(ranks[6:]) / 6 - sum(ranks[:6]) / 6)
    assert dana[header.index("Peers raters")] == 3
    sheet = book["Dana Whitfield"]
    # frozen under the first table's header (row 4: title, raters, a blank row above it)
    assert sheet["A4"].value == "Dimension" and sheet.freeze_panes == "B5"
    # every table narrow enough for a landscape page at a readable size, headers wrapped
    widths = [
        max(c.column for c in r if c.value is not None)
        for r in sheet.iter_rows()
        if any(c.value is not None for c in r) and r[0].font.bold
    ]
    assert max(widths) <= 10, widths
    assert sheet["C4"].alignment.wrap_text
    data = book["Data"]
    assert data.auto_filter.ref == data.dimensions
    import coachkit

    assert data.max_row - 1 == len(coachkit.analyze(EXAMPLES / "acme-wide.xlsx").to_frame())
    assert len(sheet.conditional_formatting) >= 1
    rules = [r for cf in sheet.conditional_formatting for r in cf.rules]
    assert {r.formula[0].split(">=")[1] for r in rules} == {"6.0", "3.0"}
    excluded = book["Excluded"]
    assert [c.value for c in excluded[1]] == ["File", "Row", "Leader", "Reason"]
    assert excluded.max_row == 4
    assert isinstance(excluded["B2"].value, int)


def test_workbook_keeps_formulas_as_text(tmp_path: Path) -> None:
    name = '=HYPERLINK("http://x","y")'
    survey = write_wide(tmp_path / "s.csv", [(name, "r1", "Self", IDENTITY)])
    target = tmp_path / "r.xlsx"
    assert run("analyze", str(survey), "-o", str(target), "-q")[0] == 0
    cell = load_workbook(target)["Summary"]["A2"]
    assert cell.value == name and cell.data_type == "s"
    with zipfile.ZipFile(target) as archive:
        assert not any(
            "<f>" in archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml")
        )


def test_org_and_compare_workbooks(tmp_path: Path) -> None:
    for args in (
        ["org", "examples/cohort-2026.csv"],
        ["compare", "examples/cohort-2025.csv", "examples/cohort-2026.csv"],
    ):
        target = tmp_path / f"{args[0]}.xlsx"
        assert run(*args, "-o", str(target), "-q")[0] == 0
        sheet = load_workbook(target).worksheets[0]
        assert sheet.max_row > 10 and isinstance(sheet["B2"].value, float | int)


def test_batch_writes_html_and_xlsx(tmp_path: Path) -> None:
    for fmt in ("html", "xlsx"):
        out = tmp_path / fmt
        assert run("batch", "examples/acme-tidy.csv", "-d", str(out), "-f", fmt, "-q")[0] == 0
        assert sorted(p.name for p in (out / "acme-tidy").iterdir()) == [
            f"aiko-tanaka.{fmt}",
            f"rafael-moreno.{fmt}",
            f"tomas-lindqvist.{fmt}",
        ]


def test_workbook_not_written_to_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from coachkit.errors import OutputError
    from coachkit.output import write_output

    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    with pytest.raises(OutputError, match="not for the terminal"):
        write_output(b"PK", None)


BROWSER = (
    shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
)


@pytest.mark.slow  # a real browser: seconds each (CI runs them)
@pytest.mark.skipif(
    BROWSER is None,
    reason="no headless Chromium on this machine (.ci/run installs Debian's chromium)",
)
def test_html_in_a_real_browser(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    survey = write_wide(
        tmp_path / "s.csv", [(HOSTILE, "r1", "Self", IDENTITY), (HOSTILE, "r2", "Boss", REVERSED)]
    )
    combined = _html("analyze", str(EXAMPLES / "acme-wide.xlsx"), str(survey))
    page.write_text(combined, "utf-8")
    assert BROWSER is not None
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
    ]
    dom = subprocess.run(
        [BROWSER, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('class="dotplot"') == 4
    assert HOSTILE not in dom.stdout and "alert(1)" in dom.stdout  # shown as text, never run
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [BROWSER, *flags, "--window-size=900,1400", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and shot.stat().st_size > 20_000
    assert io.BytesIO(shot.read_bytes()).read(8) == b"\x89PNG\r\n\x1a\n"


def _quadrants(
    *args: str,
) -> list[tuple[str, list[tuple[float, float, float, float, str, tuple[str, ...]]]]]:
    """Each leader's quadrant as the HTML draws it: per point, its dot (x, y), its label's
    baseline (x, y), anchor and text."""
    html = _html(*args)
    found = []
    for svg in re.findall(r'<svg class="quadrant".*?</svg>', html, re.DOTALL):
        points = re.findall(
            r'<circle cx="([\d.]+)" cy="([\d.]+)" r="4.5" fill="#[29]+"><title>[^<]*</title>'
            r'</circle><text x="([\d.]+)" y="([\d.]+)"( text-anchor="end")? class="pointlabel">'
            r"<title>[^<]*</title>((?:<tspan[^>]*>[^<]*</tspan>)+)</text>",
            svg,
        )
        found.append(
            (
                svg,
                [
                    (
                        float(x),
                        float(y),
                        float(lx),
                        float(ly),
                        "end" if end else "start",
                        tuple(re.findall(r"<tspan[^>]*>([^<]*)</tspan>", spans)),
                    )
                    for x, y, lx, ly, end, spans in points
                ],
            )
        )
    return found


def test_quadrant_labels_sit_beside_their_dots_and_apart() -> None:
    """Every label starts (or ends) just beside its own dot, nudged up or down by at most 49
    units (a line joins the far ones to their dot), inside the chart; by the estimated boxes no two labels overlap and none covers a dot,
    for every leader of the examples (points crowd in the cohorts' 14 leaders)."""
    from coachkit.render.story import DOT, GAP, SIZE, label_box

    quadrants = _quadrants(
        "analyze", "examples/acme-wide.xlsx", "examples/cohort-2025.csv", "examples/cohort-2026.csv"
    )
    assert len(quadrants) >= 10
    for _, points in quadrants:
        assert len(points) == 12
        boxes = [
            label_box(lx, ly, tuple(t.replace("&amp;", "&") for t in text), a)
            for _, _, lx, ly, a, text in points
        ]
        for (x, y, lx, ly, anchor, _), box in zip(points, boxes, strict=True):
            assert lx == pytest.approx(x + GAP if anchor == "start" else x - GAP, abs=0.06)
            assert -49.06 <= ly - (y + 4) <= 49.06
            assert box[0] >= 0 and box[2] <= SIZE and box[3] <= SIZE
        dots = [(x - DOT, y - DOT, x + DOT, y + DOT) for x, y, *_ in points]
        for i, a in enumerate(boxes):
            for j, b in enumerate(boxes):
                if i < j:
                    assert min(a[2], b[2]) <= max(a[0], b[0]) or min(a[3], b[3]) <= max(a[1], b[1])
            for j, d in enumerate(dots):
                if i != j:
                    assert min(a[2], d[2]) <= max(a[0], d[0]) or min(a[3], d[3]) <= max(a[1], d[1])


def test_quadrant_names_are_whole_and_the_corner_names_clear_of_every_dot() -> None:
    """A long name wraps between words onto a second line, never cut ("Communication ski…");
    the corner names stand outside the square, where no dot, at any rank, can cover them."""
    from coachkit.render.story import BOTTOM, DOT, TOP, label_box

    html = _html("analyze", "examples/acme-wide.xlsx", "examples/cohort-2026.csv")
    labels = {d.casefold() for d in LABELS}
    quadrants = _quadrants("analyze", "examples/acme-wide.xlsx", "examples/cohort-2026.csv")
    assert len(quadrants) >= 10
    for svg, points in quadrants:
        names = re.findall(r'class="pointlabel"><title>([^<]*)</title>', svg)
        assert sorted(n.casefold() for n in names) == sorted(labels)
        for name, (*_, lines) in zip(names, points, strict=True):
            assert "…" not in "".join(lines) and len(lines) <= 2
            # the lines put back together are the name: broken only after a space, / or -
            joined = lines[0]
            for line in lines[1:]:
                joined += line if joined.endswith(("/", "-")) else " " + line
            assert joined == name
        corners = re.findall(
            r'<text x="(\d+)" y="(\d+)" class="axis"( text-anchor="end")?>'
            r"([^<]*rank[^<]*)</text>",
            svg,
        )
        assert len(corners) == 4
        for x, y, end, text in corners:
            assert float(y) < TOP or float(y) > BOTTOM  # above or below the square
            box = label_box(float(x), float(y), text, "end" if end else "start")
            for dx, dy, *_ in points:
                dot = (dx - DOT, dy - DOT, dx + DOT, dy + DOT)
                assert min(box[3], dot[3]) <= max(box[1], dot[1]) or min(box[2], dot[2]) <= max(
                    box[0], dot[0]
                )
    assert "Communication ski…" not in html and "Developing a foll…" not in html


@pytest.mark.slow  # a real browser: seconds each (CI runs them)
@pytest.mark.skipif(BROWSER is None, reason="no headless Chromium on this machine")
def test_quadrant_labels_do_not_overlap_in_a_real_browser(tmp_path: Path) -> None:
    """The same, measured: Chromium lays the labels out in its own font and a script reports
    every pair of label boxes (and label and foreign dot) that overlap by more than a pixel."""
    html = _html(
        "analyze", "examples/acme-wide.xlsx", "examples/cohort-2025.csv", "examples/cohort-2026.csv"
    )
    probe = """<script>
    const clash = (a, b) => Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x) > 1
      && Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y) > 1;
    const found = [];
    for (const svg of document.querySelectorAll("svg.quadrant")) {
      const labels = [...svg.querySelectorAll("text.pointlabel")].map(t => t.getBBox());
      const dots = [...svg.querySelectorAll("circle")].map(c => c.getBBox());
      labels.forEach((a, i) => {
        labels.forEach((b, j) => { if (i < j && clash(a, b)) found.push("labels " + i + "," + j); });
        dots.forEach((d, j) => { if (i !== j && clash(a, d)) found.push("dot " + i + "," + j); });
      });
    }
    const out = document.createElement("pre");
    out.id = "overlaps";
    out.textContent = "checked " + document.querySelectorAll("svg.quadrant").length + ": " + found.join(";");
    document.body.appendChild(out);
    </script>"""
    page = tmp_path / "report.html"
    page.write_text(html.replace("</body>", probe + "</body>"), "utf-8")
    assert BROWSER is not None
    dom = subprocess.run(
        [
            BROWSER,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'p'}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = re.search(r'<pre id="overlaps">checked (\d+): ([^<]*)</pre>', dom.stdout)
    assert result is not None, dom.stderr[-1000:]
    assert int(result.group(1)) >= 10
    assert result.group(2) == ""


@pytest.mark.slow  # a real browser: seconds each (CI runs them)
@pytest.mark.skipif(BROWSER is None, reason="no Chromium to print with (.ci/run installs it)")
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_pdf_has_a_page_per_leader_and_page_numbers(tmp_path: Path, paper: str) -> None:
    import shutil
    import subprocess

    out = tmp_path / "acme.pdf"
    code, _, err = run("analyze", "examples/acme-wide.xlsx", "-q", "-o", str(out), "--paper", paper)
    assert code == 0, err
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("no pdftotext to read the PDF back (.ci/run installs poppler-utils)")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    leaders = ["Dana Whitfield", "Marcus Oyelaran", "Priya Raman"]
    starts = [next(i for i, p in enumerate(pages) if name in p) for name in leaders]
    assert starts == sorted(starts) and len(set(starts)) == 3  # each leader on a page of its own
    assert "In short" in pages[starts[0]] and "Gaps: Self against All others" in pages[starts[0]]
    total = len([p for p in pages if p.strip()])
    assert f"Page 1 of {total}" in pages[0]
    closing = next(p for p in pages if "Excluded responses" in p)
    assert "Dana Whitfield" not in closing.split("Excluded responses")[0].split("\n")[-1]
    assert "examples/" not in closing  # file names, never local paths
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    size = "(A4)" if paper == "a4" else "(letter)"
    assert size in info


@pytest.mark.slow  # a real browser: seconds each (CI runs them)
@pytest.mark.skipif(BROWSER is None, reason="no Chromium to print with (.ci/run installs it)")
def test_a_pdf_is_the_same_bytes_on_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first, second = tmp_path / "1.pdf", tmp_path / "2.pdf"
    for out in (first, second):  # a second apart at least: the engine's clock moves on
        code, _, err = run("analyze", "examples/by-family.csv", "-q", "-o", str(out))
        assert code == 0, err
    assert first.read_bytes() == second.read_bytes()
    assert b"/CreationDate (D:20000101000000+00'00')" in first.read_bytes()


def test_the_pdf_dates_are_fixed_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    from coachkit.render.pdf import stamped

    pdf = b"<</Producer (Skia/PDF m156)\n/CreationDate (D:20261205075405+00'00')\n/ModDate (D:20261205075411+00'00')>>"
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    fixed = stamped(pdf)
    assert len(fixed) == len(pdf)  # the cross-reference table's offsets still hold
    assert fixed.count(b"(D:20000101000000+00'00')") == 2
    # 1700000000 seconds after 1970-01-01: 19675 days (to 2023-11-14) and 80,000 seconds (22:13:20)
    assert 19675 * 86400 + 22 * 3600 + 13 * 60 + 20 == 1700000000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert stamped(pdf).count(b"(D:20231114221320+00'00')") == 2
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    assert stamped(pdf) == fixed


def test_pdf_without_an_engine_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from coachkit.render import pdf

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(pdf, "BROWSERS", ())
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if the pdf extra were not there
    with pytest.raises(Exception, match="pip install 'coachkit\\[pdf\\]'"):
        pdf.html_to_pdf("<p>x</p>")


def test_the_workbook_is_one_an_analyst_keeps(tmp_path: Path) -> None:
    out = tmp_path / "acme.xlsx"
    assert run("analyze", "examples/acme-wide.xlsx", "-q", "-o", str(out))[0] == 0
    book = load_workbook(out)
    for sheet in book.worksheets:
        assert sheet.freeze_panes is not None, sheet.title
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        fonts = {c.font.name for row in sheet.iter_rows() for c in row if c.value is not None}
        assert fonts == {"Calibri"}, sheet.title
    summary = book["Summary"]
    assert [c.number_format for c in summary[2][1:8]] == ["0"] * 6 + ["0.00"]
    dana = book["Dana Whitfield"]
    formats: dict[str, int] = {}
    for row in dana.iter_rows():
        for cell in row:
            if isinstance(cell.value, float):
                formats.setdefault(cell.number_format, 0)
                formats[cell.number_format] += 1
    assert {"0.0", "0.00", "0.000"} <= set(formats)
    assert len(dana._charts) == 1  # the gaps as a native bar chart


@pytest.mark.slow  # prints a dozen PDFs (CI runs it)
@pytest.mark.skipif(BROWSER is None, reason="no Chromium to print with (.ci/run installs it)")
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no pdftotext (poppler-utils)")
@pytest.mark.parametrize(
    "name", ["acme-wide.xlsx", "acme-tidy.csv", "cohort-2026.csv", "ratings.csv", "by-family.csv"]
)
def test_printed_pages_keep_charts_with_their_headings_and_are_never_near_empty(
    tmp_path: Path, name: str
) -> None:
    """Each page's text, as a reader of the PDF gets it: no page but the last holds fewer than
    8 lines, and every "where each group puts each dimension" heading shares its page with the
    chart's first row."""
    import subprocess

    pdf = tmp_path / "report.pdf"
    code, _, err = run("analyze", f"examples/{name}", "--comments", "-q", "-o", str(pdf))
    assert code == 0, err
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    if not pages[-1].strip():
        pages.pop()
    counts = [sum(1 for line in page.splitlines() if line.strip()) for page in pages]
    assert all(n >= 8 for n in counts[:-1]), counts
    first_rows = {"Vision and strategy", "Vision & strategy"}
    for page in pages:
        if "where each group puts each dimension" in page:
            below = page.split("where each group puts each dimension", 1)[1]
            assert any(row in below for row in first_rows) or "Job competence" in below, page[:400]
