"""The command line: parse options, call the library, pick a renderer, write, set the exit code."""

# Annotations here are evaluated, not postponed (no `from __future__ import annotations`): Typer
# reads every command's signature at start-up, and parsing them from strings cost ~10 ms.
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NamedTuple, NoReturn

import typer

from coachkit import __version__
from coachkit.errors import CoachkitError
from coachkit.options import Format, Layout, Scheme, ValueKind
from coachkit.output import check_output, write_output

if TYPE_CHECKING:
    from coachkit.instruments import Instrument
    from coachkit.io import ReadOptions
    from coachkit.io.describe import FileView
    from coachkit.model import Report
    from coachkit.render import RenderOptions
    from coachkit.validate import Dataset

app = typer.Typer(
    name="coachkit",
    help="Analyze 360-degree leadership priority rankings: where rater groups agree, where they "
    "diverge, and what to take into the coaching session.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

# Shared options, defined once.
Files = Annotated[
    list[Path],
    typer.Argument(
        metavar="FILE...",
        help="Survey files (CSV, TSV, TXT, XLSX, XLSM, XLS, XLSB, ODS); several are one dataset.",
        show_default=False,
    ),
]
InstrumentOpt = Annotated[
    str | None,
    typer.Option("--instrument", help="Built-in instrument id or a TOML file.", show_default=False),
]
LayoutOpt = Annotated[
    Layout,
    typer.Option(
        "--source",
        "--layout",
        help="Where the file comes from: a layout (tidy, wide) or a platform; detected by default.",
    ),
]
SubjectColumnOpt = Annotated[
    str | None,
    typer.Option(
        "--subject-column", help="The header of the column naming the leader.", show_default=False
    ),
]
GroupColumnOpt = Annotated[
    str | None,
    typer.Option(
        "--group-column",
        help="The header of the column naming the rater group.",
        show_default=False,
    ),
]
CodesOpt = Annotated[
    Path | None,
    typer.Option(
        "--codes",
        help="A CSV of answer codes and item labels (code,label) for exports that hold codes.",
        show_default=False,
    ),
]
SheetOpt = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        help="Excel sheet to read (default: the first with survey columns).",
        show_default=False,
    ),
]
SubjectOpt = Annotated[
    str | None,
    typer.Option(
        "--subject",
        help="The leader, for a file about one leader with no subject column.",
        show_default=False,
    ),
]
GroupOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--group",
        help="The rater group of every response, for a file from one group's link: 'peer', or "
        "per file 'peers.csv=peer' (repeatable).",
        show_default=False,
    ),
]
RaterColumnOpt = Annotated[
    str | None,
    typer.Option(
        "--rater-column",
        help="The header of the column identifying the rater (e-mail, respondent id).",
        show_default=False,
    ),
]
QuestionOpt = Annotated[
    str | None,
    typer.Option(
        "--question",
        help="The ranking question, by id (Q5) or words of its text, when several fit.",
        show_default=False,
    ),
]
GroupMapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--group-map",
        help="Map a rater-group label: 'LABEL=group' (repeatable).",
        show_default=False,
    ),
]
ValuesOpt = Annotated[
    ValueKind | None,
    typer.Option(
        "--values",
        help="Whether cells hold ranks or scores; detected when clear.",
        show_default=False,
    ),
]
SchemeOpt = Annotated[
    Scheme | None,
    typer.Option(
        "--scheme",
        help="overall (one ranking of all dimensions) or by-family; detected by default.",
        show_default=False,
    ),
]
NoMergeOpt = Annotated[
    bool,
    typer.Option(
        "--no-merge-names",
        help="Keep leader names that differ only in accents, case or spacing apart.",
    ),
]
PartialOpt = Annotated[
    bool,
    typer.Option(
        "--allow-partial", help="Keep partial rankings; unranked items share the unused positions."
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr.")]
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format (default: table, or from the -o suffix).",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file instead of stdout.", show_default=False
    ),
]
TemplateOpt = Annotated[
    Path | None,
    typer.Option("--template", help="A Jinja2 template for --format markdown.", show_default=False),
]
MinRatersOpt = Annotated[
    int, typer.Option("--min-raters", min=1, help="Smallest anonymous group that is reported.")
]
NotableOpt = Annotated[
    float | None,
    typer.Option(
        "--notable-gap",
        min=0,
        help="Places that make a gap notable (default: a quarter of the block size).",
        show_default=False,
    ),
]
MajorOpt = Annotated[
    float | None,
    typer.Option(
        "--major-gap",
        min=0,
        help="Places that make a gap major (default: half the block size).",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"coachkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """coachkit: leadership 360 priority rankings, analyzed."""


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _guard(debug: bool, action: Callable[[], int]) -> None:
    """Run a command; user errors become one `error:` line, never a traceback (unless --debug)."""
    try:
        code = action()
    except CoachkitError as exc:
        if debug:
            raise
        _fail(" ".join(str(exc).split()), exc.exit_code)
    except (typer.BadParameter, typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except MemoryError:
        _fail("out of memory while reading the input; split the file and try again")
    except Exception as exc:
        if debug:
            raise
        _fail(f"unexpected {type(exc).__name__}: {exc}; run again with --debug and report it")
    raise typer.Exit(code)


def _warn(message: str, quiet: bool) -> None:
    if not quiet:
        typer.echo(f"warning: {message}", err=True)


def _group_map(pairs: list[str] | None, instrument: "Instrument") -> dict[str, str]:
    from coachkit.text import normalize

    mapping: dict[str, str] = {}
    for pair in pairs or []:
        label, sep, group = pair.rpartition("=")
        group = group.strip()
        if not sep or not label.strip():
            raise typer.BadParameter(f"{pair!r} is not LABEL=group", param_hint="--group-map")
        if group not in (g.id for g in instrument.groups):
            known = ", ".join(g.id for g in instrument.groups)
            raise typer.BadParameter(
                f"{group!r} is not a group ({known})", param_hint="--group-map"
            )
        mapping[normalize(label)] = group
    return mapping


def _file_groups(
    values: list[str] | None, files: list[Path], instrument: "Instrument"
) -> dict[str, str]:
    """`--group GROUP` (every file) and `--group FILE=GROUP` (one file) as the group of each file."""
    chosen: dict[str, str] = {}
    everywhere = None
    for value in values or []:
        name, sep, label = value.rpartition("=")
        group = instrument.match_group(label.strip())
        if group is None or group == instrument.pooled.id:
            known = ", ".join(g.id for g in instrument.groups)
            raise typer.BadParameter(f"{label!r} is not a group ({known})", param_hint="--group")
        if not sep:
            everywhere = group
            continue
        named = [f for f in files if str(f) == name or f.name == name]
        if not named:
            raise typer.BadParameter(
                f"{name!r} is not one of the files given; use --group FILE=GROUP",
                param_hint="--group",
            )
        chosen.update({str(f): group for f in named})
    if everywhere is not None:
        chosen = {str(f): chosen.get(str(f), everywhere) for f in files}
    return chosen


class _Reading(NamedTuple):
    """The options every reading command shares."""

    instrument: str | None
    layout: Layout
    sheet: str | None
    subject: str | None
    group_map: list[str] | None
    values: ValueKind | None
    scheme: Scheme | None
    allow_partial: bool
    quiet: bool
    subject_column: str | None = None
    group_column: str | None = None
    codes: Path | None = None
    group: list[str] | None = None
    rater_column: str | None = None
    question: str | None = None
    merge_names: bool = True

    def options(self, instrument: "Instrument") -> "ReadOptions":
        from coachkit.io import ReadOptions

        return ReadOptions(
            layout=self.layout,
            sheet=self.sheet,
            subject=self.subject,
            group_map=_group_map(self.group_map, instrument),
            subject_column=self.subject_column,
            group_column=self.group_column,
            codes=_codes(self.codes),
            rater_column=self.rater_column,
            question=self.question,
        )

    def load(self, files: list[Path]) -> "Dataset":
        from dataclasses import replace

        from coachkit.instruments import load_instrument
        from coachkit.io import read_source
        from coachkit.text import printable
        from coachkit.validate import validate

        instrument = load_instrument(self.instrument)
        options = self.options(instrument)
        groups = _file_groups(self.group, files, instrument)
        sources = []
        for file in files:
            group = groups.get(str(file))
            source = read_source(str(file), instrument, replace(options, group=group))

            if not self.quiet:
                understood = f"; {source.understood}" if source.understood else ""
                typer.echo(
                    printable(
                        f"note: {file}: read as {source.source_format}, {source.rows} rows"
                        f"{understood}"
                    ),
                    err=True,
                )
            sources.append(source)
        dataset = validate(
            sources, instrument, self.values, self.scheme, self.allow_partial, self.merge_names
        )
        for message in dataset.warnings:
            _warn(message, self.quiet)
        return dataset


class _Analysis(NamedTuple):
    """The options that shape an analysis."""

    min_raters: int
    notable_gap: float | None
    major_gap: float | None

    def load(self, reading: _Reading, files: list[Path]) -> "Dataset":
        dataset = reading.load(files)
        if not len(dataset.ranks):
            reasons = {e.reason for e in dataset.excluded}
            ratings = bool(reasons) and all("given more than once" in r for r in reasons)
            hint = (
                "these look like ratings: add --values scores"
                if ratings
                else "run `coachkit validate` to see why"
            )
            raise CoachkitError(
                f"{', '.join(map(str, files))}: no usable responses ({len(dataset.excluded)} "
                f"excluded); {hint}"
            )
        return dataset

    def run(self, reading: _Reading, files: list[Path]) -> "Report":
        from coachkit.analysis import analyze

        return analyze(self.load(reading, files), self.min_raters, self.notable_gap, self.major_gap)


def _codes(path: Path | None) -> dict[str, str]:
    """Answer codes from a two-column CSV (code,label); a header row is allowed."""
    import csv

    if path is None:
        return {}
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CoachkitError(f"{path}: cannot read the codes file ({exc})") from exc
    codes = {}
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if len(row) < 2 or not row[0].strip():
            if row and any(cell.strip() for cell in row):
                raise CoachkitError(f"{path}, row {number}: expected two columns, code and label")
            continue
        codes[row[0].strip()] = row[1].strip()
    return codes


def _color(output: Path | None) -> bool:
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _render_options(
    output: Path | None, template: Path | None, color: bool | None = None
) -> "RenderOptions":
    from coachkit.render import RenderOptions

    return RenderOptions(
        color=_color(output) if color is None else color, width=_width(), template=template
    )


def _width() -> int:
    try:
        return max(60, int(os.environ.get("COLUMNS", "100")))
    except ValueError:
        return 100


def _format(fmt: Format | None, output: Path | None) -> Format:
    from coachkit.render import format_for_path

    return fmt or (format_for_path(output) if output else None) or Format.table


def _min_raters_warning(min_raters: int, quiet: bool) -> None:
    if min_raters < 3:
        _warn(f"--min-raters {min_raters} is below 3: the anonymity of raters is weakened", quiet)


@app.command()
def analyze(
    files: Files,
    format: FormatOpt = None,
    output: OutputOpt = None,
    template: TemplateOpt = None,
    min_raters: MinRatersOpt = 3,
    notable_gap: NotableOpt = None,
    major_gap: MajorOpt = None,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    subject: SubjectOpt = None,
    group_map: GroupMapOpt = None,
    values: ValuesOpt = None,
    scheme: SchemeOpt = None,
    allow_partial: PartialOpt = False,
    no_merge_names: NoMergeOpt = False,
    subject_column: SubjectColumnOpt = None,
    group_column: GroupColumnOpt = None,
    rater_column: RaterColumnOpt = None,
    group: GroupOpt = None,
    question: QuestionOpt = None,
    codes: CodesOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Analyze survey files into a report per leader. `-` reads CSV from standard input.

    Example: coachkit analyze examples/acme-wide.xlsx --format markdown -o report.md
    """
    reading = _Reading(
        instrument=instrument,
        layout=layout,
        sheet=sheet,
        subject=subject,
        group_map=group_map,
        values=values,
        scheme=scheme,
        allow_partial=allow_partial,
        quiet=quiet,
        subject_column=subject_column,
        group_column=group_column,
        codes=codes,
        group=group,
        rater_column=rater_column,
        question=question,
        merge_names=not no_merge_names,
    )

    def run() -> int:
        from coachkit.render import render

        check_output(output, files)
        _min_raters_warning(min_raters, quiet)
        report = _Analysis(min_raters, notable_gap, major_gap).run(reading, files)
        options = _render_options(output, template)
        write_output(render(report, _format(format, output), options), output, files)
        return 0

    _guard(debug, run)


@app.command()
def validate(
    files: Files,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="table (text) or json.")
    ] = Format.table,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    subject: SubjectOpt = None,
    group_map: GroupMapOpt = None,
    values: ValuesOpt = None,
    scheme: SchemeOpt = None,
    allow_partial: PartialOpt = False,
    no_merge_names: NoMergeOpt = False,
    subject_column: SubjectColumnOpt = None,
    group_column: GroupColumnOpt = None,
    rater_column: RaterColumnOpt = None,
    group: GroupOpt = None,
    question: QuestionOpt = None,
    codes: CodesOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Read and check survey files without analyzing them.

    Lists responses per leader and rater group and every excluded response with its row and
    reason. Exits 1 when any response is excluded or a file is unusable.

    Example: coachkit validate examples/acme-tidy.csv
    """
    reading = _Reading(
        instrument=instrument,
        layout=layout,
        sheet=sheet,
        subject=subject,
        group_map=group_map,
        values=values,
        scheme=scheme,
        allow_partial=allow_partial,
        quiet=quiet,
        subject_column=subject_column,
        group_column=group_column,
        codes=codes,
        group=group,
        rater_column=rater_column,
        question=question,
        merge_names=not no_merge_names,
    )

    def run() -> int:
        from coachkit.render.validation import render_validation

        if format not in (Format.table, Format.json):
            raise typer.BadParameter("validate writes table or json", param_hint="--format")
        dataset = reading.load(files)
        write_output(render_validation(dataset, format), None, files)
        return 1 if dataset.excluded else 0

    _guard(debug, run)


@app.command()
def inspect(
    files: Files,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="table (text) or json.")
    ] = Format.table,
    draft_instrument: Annotated[
        bool,
        typer.Option(
            "--draft-instrument",
            help="Print an instrument (TOML) drafted from the ranking question (--question).",
        ),
    ] = False,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    subject: SubjectOpt = None,
    group_map: GroupMapOpt = None,
    subject_column: SubjectColumnOpt = None,
    group_column: GroupColumnOpt = None,
    rater_column: RaterColumnOpt = None,
    group: GroupOpt = None,
    question: QuestionOpt = None,
    codes: CodesOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Show what coachkit understands of survey files, before any analysis.

    For each file: the platform and why, the header rows, the leader, rater-group and rater-id
    columns (and whether their header or their values gave them away), every ranking-like
    question with the instruments it fits, and the `coachkit analyze` command to run. Exits 1
    when a file could not be analyzed as it stands (the problem is shown).

    Example: coachkit inspect survey.csv; for a ranking of anything else:
    coachkit inspect survey.csv --question Q3 --draft-instrument > my.toml
    """
    reading = _Reading(
        instrument=instrument,
        layout=layout,
        sheet=sheet,
        subject=subject,
        group_map=group_map,
        values=None,
        scheme=None,
        allow_partial=False,
        quiet=True,
        subject_column=subject_column,
        group_column=group_column,
        codes=codes,
        group=group,
        rater_column=rater_column,
        question=question,
    )

    def run() -> int:
        from dataclasses import replace

        from coachkit.instruments import builtin_names, load_instrument
        from coachkit.io.describe import describe
        from coachkit.render.inspect import render_inspect

        if format not in (Format.table, Format.json):
            raise typer.BadParameter("inspect writes table or json", param_hint="--format")
        given = load_instrument(reading.instrument)
        known = [given, *(load_instrument(n) for n in builtin_names() if n != given.id)]
        options = reading.options(given)
        groups = _file_groups(reading.group, files, given)
        views = [
            view
            for file in files
            for view in describe(
                str(file), given, replace(options, group=groups.get(str(file))), known
            )
        ]
        if draft_instrument:
            write_output(_draft(views, given), None, files)
            return 0
        write_output(render_inspect(views, format), None, files)
        return 1 if any(v.problem for v in views) else 0

    _guard(debug, run)


def _draft(views: "list[FileView]", instrument: "Instrument") -> str:
    """The instrument drafted from the one ranking question of the files (or --question's)."""
    from coachkit.instruments.draft import draft_instrument

    candidates = [
        (view, q)
        for view in views
        for q in view.questions
        if q.chosen or (q.values in ("ranks", "item names") and not q.instruments)
    ]
    chosen = [c for c in candidates if c[1].chosen] or candidates
    if len({(q.key, q.items) for _, q in chosen}) != 1:
        listed = ", ".join(sorted({q.key or "(no question text)" for _, q in candidates})) or "none"
        raise CoachkitError(
            f"--draft-instrument needs one ranking question (found: {listed}); "
            "name it with --question ID"
        )
    view, q = chosen[0]
    return draft_instrument(q.items, q.stem or q.key, view.group_labels, instrument)


@app.command()
def batch(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Survey files, or folders to search for them.",
            show_default=False,
        ),
    ],
    output_dir: Annotated[
        Path,
        typer.Option(
            "--output-dir", "-d", help="Folder for the reports and the index.", show_default=False
        ),
    ],
    format: Annotated[
        Format, typer.Option("--format", "-f", help="Format of each report.")
    ] = Format.markdown,
    template: TemplateOpt = None,
    min_raters: MinRatersOpt = 3,
    notable_gap: NotableOpt = None,
    major_gap: MajorOpt = None,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    group_map: GroupMapOpt = None,
    values: ValuesOpt = None,
    scheme: SchemeOpt = None,
    allow_partial: PartialOpt = False,
    no_merge_names: NoMergeOpt = False,
    subject_column: SubjectColumnOpt = None,
    group_column: GroupColumnOpt = None,
    rater_column: RaterColumnOpt = None,
    group: GroupOpt = None,
    question: QuestionOpt = None,
    codes: CodesOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Analyze each file on its own and write one report per leader, plus an index.

    Reports go to DIR/<file>/<leader>.<ext>; the index to DIR/index.md (index.json with
    --format json). A file that fails is listed at the end and the exit code is 1; the others
    are still written. The paths written are printed on stdout.

    Example: coachkit batch clients/ --output-dir reports
    """
    reading = _Reading(
        instrument=instrument,
        layout=layout,
        sheet=sheet,
        subject=None,
        group_map=group_map,
        values=values,
        scheme=scheme,
        allow_partial=allow_partial,
        quiet=True,
        subject_column=subject_column,
        group_column=group_column,
        codes=codes,
        group=group,
        rater_column=rater_column,
        question=question,
        merge_names=not no_merge_names,
    )
    analysis = _Analysis(min_raters, notable_gap, major_gap)

    def run() -> int:
        from coachkit.batch import discover, run_batch

        _min_raters_warning(min_raters, quiet)
        files = discover(paths, output_dir)
        if not files:
            raise CoachkitError(
                f"{', '.join(map(str, paths))}: no survey files found (.csv, .tsv, .txt, .xlsx, .xlsm, .xls, .xlsb, .ods)"
            )
        if output_dir.exists() and not output_dir.is_dir():
            raise CoachkitError(
                f"{output_dir}: exists and is not a folder; choose another --output-dir"
            )
        options = _render_options(None, template, color=False)
        with _progress(len(files), quiet) as advance:
            result = run_batch(
                files, lambda f: analysis.run(reading, [f]), format, output_dir, options, advance
            )
        for entry in result.reports:
            typer.echo(str(output_dir / entry.path))
        typer.echo(str(result.index))
        for file, message in result.failed:
            typer.echo(
                f"error: {message}" if message.startswith(file) else f"error: {file}: {message}",
                err=True,
            )
        return 1 if result.failed else 0

    _guard(debug, run)


@contextmanager
def _progress(total: int, quiet: bool) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr at a terminal; otherwise nothing."""
    if quiet or not sys.stderr.isatty():
        yield lambda _: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("analyzing", total=total)

        def advance(name: str) -> None:
            progress.update(task, advance=1, description=name[-40:])

        yield advance


@app.command()
def org(
    files: Files,
    format: FormatOpt = None,
    output: OutputOpt = None,
    template: TemplateOpt = None,
    min_raters: MinRatersOpt = 3,
    notable_gap: NotableOpt = None,
    major_gap: MajorOpt = None,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    group_map: GroupMapOpt = None,
    values: ValuesOpt = None,
    scheme: SchemeOpt = None,
    allow_partial: PartialOpt = False,
    no_merge_names: NoMergeOpt = False,
    subject_column: SubjectColumnOpt = None,
    group_column: GroupColumnOpt = None,
    rater_column: RaterColumnOpt = None,
    group: GroupOpt = None,
    question: QuestionOpt = None,
    codes: CodesOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """The organization view: each rater group pooled over all leaders of all files.

    Shows how each group ranks the dimensions, their tilt and agreement, the spread of
    self-manager agreement across leaders, how many leaders show the technical-leader pattern,
    and the most frequent coaching focus.

    Example: coachkit org examples/cohort-2026.csv --format markdown
    """
    reading = _Reading(
        instrument=instrument,
        layout=layout,
        sheet=sheet,
        subject=None,
        group_map=group_map,
        values=values,
        scheme=scheme,
        allow_partial=allow_partial,
        quiet=quiet,
        subject_column=subject_column,
        group_column=group_column,
        codes=codes,
        group=group,
        rater_column=rater_column,
        question=question,
        merge_names=not no_merge_names,
    )

    def run() -> int:
        from coachkit.analysis.org import analyze_org
        from coachkit.render.org import render_org

        check_output(output, files)
        _min_raters_warning(min_raters, quiet)
        dataset = _Analysis(min_raters, notable_gap, major_gap).load(reading, files)
        org = analyze_org(dataset, min_raters, notable_gap, major_gap)
        text = render_org(org, _format(format, output), _render_options(output, template))
        write_output(text, output, files)
        return 0

    _guard(debug, run)


@app.command()
def compare(
    before: Annotated[Path, typer.Argument(help="The earlier assessment.", show_default=False)],
    after: Annotated[Path, typer.Argument(help="The later assessment.", show_default=False)],
    format: FormatOpt = None,
    output: OutputOpt = None,
    template: TemplateOpt = None,
    min_raters: MinRatersOpt = 3,
    notable_gap: NotableOpt = None,
    major_gap: MajorOpt = None,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    subject: SubjectOpt = None,
    group_map: GroupMapOpt = None,
    values: ValuesOpt = None,
    scheme: SchemeOpt = None,
    allow_partial: PartialOpt = False,
    no_merge_names: NoMergeOpt = False,
    subject_column: SubjectColumnOpt = None,
    group_column: GroupColumnOpt = None,
    rater_column: RaterColumnOpt = None,
    group: GroupOpt = None,
    question: QuestionOpt = None,
    codes: CodesOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Compare two assessments of the same leaders: what moved since the last 360.

    Leaders are matched by name (case and spacing aside); per leader it shows the change in
    self-manager and self-all others agreement, the gaps that closed or opened by at least the
    notable threshold, and the change in tilt.

    Example: coachkit compare examples/cohort-2025.csv examples/cohort-2026.csv
    """
    reading = _Reading(
        instrument=instrument,
        layout=layout,
        sheet=sheet,
        subject=subject,
        group_map=group_map,
        values=values,
        scheme=scheme,
        allow_partial=allow_partial,
        quiet=quiet,
        subject_column=subject_column,
        group_column=group_column,
        codes=codes,
        group=group,
        rater_column=rater_column,
        question=question,
        merge_names=not no_merge_names,
    )

    def run() -> int:
        from coachkit.analysis.compare import compare_reports
        from coachkit.render.compare import render_compare

        check_output(output, [before, after])
        _min_raters_warning(min_raters, quiet)
        analysis = _Analysis(min_raters, notable_gap, major_gap)
        earlier = analysis.run(reading, [before])
        later = analysis.run(reading, [after])
        options = _render_options(output, template)
        text = render_compare(compare_reports(earlier, later), _format(format, output), options)
        write_output(text, output, [before, after])
        return 0

    _guard(debug, run)


@app.command()
def dimensions(
    instrument: InstrumentOpt = None,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="table (text) or json.")
    ] = Format.table,
    debug: DebugOpt = False,
) -> None:
    """List the instrument's dimensions, their families and the labels accepted for each.

    Example: coachkit dimensions --format json
    """

    def run() -> int:
        from coachkit.instruments import load_instrument
        from coachkit.render.instrument import render_instrument

        if format not in (Format.table, Format.json):
            raise typer.BadParameter("dimensions writes table or json", param_hint="--format")
        write_output(render_instrument(load_instrument(instrument), format), None, [])
        return 0

    _guard(debug, run)


def main() -> None:
    app()
