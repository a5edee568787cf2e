"""The command line: parse options, call the library, pick a renderer, write, set the exit code."""

# Annotations here are evaluated, not postponed (no `from __future__ import annotations`): Typer
# reads every command's signature at start-up, and parsing them from strings cost ~10 ms.
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperCommand

from coachkit.errors import CoachkitError, UsageError
from coachkit.options import Format, Layout, Paper, Scheme, TextFormat, ValueKind
from coachkit.output import check_output, write_output
from coachkit.version import __version__

if TYPE_CHECKING:
    from coachkit.instruments import Instrument
    from coachkit.io.describe import FileView, QuestionView
    from coachkit.model import JourneyReport, Report
    from coachkit.pipeline import Analysis, Loaded, Reading
    from coachkit.render import RenderOptions
    from coachkit.validate import Dataset

app = typer.Typer(
    name="coachkit",
    help="Analyze 360-degree leadership priority rankings: where rater groups agree, where they "
    "diverge, and what to take into the coaching session.",
    no_args_is_help=True,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

# Help lists options in the order a user decides them: what to read, how to judge, what to write.
_SECTIONS = {
    "Analysis options": {"min_raters", "notable_gap", "major_gap", "intervals", "by"},
    "Output options": {
        "format",
        "output",
        "output_dir",
        "template",
        "paper",
        "draft_instrument",
        "comments",
        "brief",
    },
    "Other options": {"jobs", "quiet", "debug", "help"},
}


class _Sectioned(TyperCommand):
    """A command whose help groups its options into input, analysis, output and other."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        sections: dict[str, list[tuple[str, str]]] = {"Arguments": [], "Input options": []}
        sections.update({title: [] for title in _SECTIONS})
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                sections["Arguments"].append(record)
                continue
            title = next((t for t, names in _SECTIONS.items() if param.name in names), None)
            sections[title or "Input options"].append(record)
        for title, records in sections.items():
            if records:
                with formatter.section(title):
                    formatter.write_dl(records)


# Shared options, defined once.


def _file_name(text: str) -> Path:
    """A file argument as given: an empty one would become the current folder (`Path("")` is
    `.`), so it is refused by name."""
    if not text.strip():
        raise typer.BadParameter("an empty file name was given; name the survey file")
    return Path(text)


Files = Annotated[
    list[Path],
    typer.Argument(
        metavar="FILE...",
        help="Survey files (CSV, TSV, TXT, XLSX, XLSM, XLS, XLSB, ODS); several are one dataset.",
        show_default=False,
        parser=_file_name,
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
NowOpt = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="The journey: the question of where things stand today (id or words); with --future.",
        show_default=False,
    ),
]
FutureOpt = Annotated[
    str | None,
    typer.Option(
        "--future",
        help="The journey: the question of where things should go (id or words); with --now.",
        show_default=False,
    ),
]
LeadersOpt = Annotated[
    Path | None,
    typer.Option(
        "--leaders",
        help="An HR roster (CSV or workbook, a row per leader: name or id, then attributes such "
        "as function, level, technical role) joined to the survey's leaders by name or id.",
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
DimensionMapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--dimension-map",
        help="Map an item label to a dimension: 'LABEL=id' (repeatable).",
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
KeepIdenticalOpt = Annotated[
    bool,
    typer.Option(
        "--keep-identical",
        help="Count identical rankings of one leader and group without rater ids each time.",
    ),
]
CommentsOpt = Annotated[
    bool,
    typer.Option(
        "--comments",
        help="Show free-text comments of the groups a report shows (masked, shuffled); read "
        "them yourself before handing the report on.",
    ),
]
BriefOpt = Annotated[
    bool,
    typer.Option(
        "--brief",
        help="Terminal table only: print each leader's summary (In short), not the tables.",
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


def _choice(kind: "type[Format] | type[TextFormat]") -> Callable[[Any], Any]:
    """A format option's parser: any case, and `md` for markdown (exit 2 for anything else)."""

    def parse(value: Any) -> Any:
        try:
            return kind(value)
        except ValueError:
            names = ", ".join(f.value for f in kind)
            raise typer.BadParameter(f"{value!r} is not one of {names}") from None

    return parse


_FORMATS = "[" + "|".join(f.value for f in Format) + "]"
FormatOpt = Annotated[
    Format | None,
    typer.Option(
        "--format",
        "-f",
        parser=_choice(Format),
        metavar=_FORMATS,
        help="Output format (default: table, or from the -o suffix); any case, md for markdown.",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", help="Write to this file instead of stdout.", show_default=False
    ),
]
PaperOpt = Annotated[
    Paper | None,
    typer.Option(
        "--paper",
        help="Paper for PDF (default: Letter in the Americas' locales, else A4).",
        show_default=False,
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
IntervalsOpt = Annotated[
    bool,
    typer.Option(
        "--intervals/--no-intervals",
        help="95% intervals over raters for groups of 3+ (closed form: Student's t).",
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
    from coachkit.text import printable

    typer.echo(printable(f"error: {message}"), err=True)
    raise typer.Exit(code)


def _guard(debug: bool, action: Callable[[], int]) -> None:
    """Run a command; user errors become one `error:` line, never a traceback (unless --debug)."""
    try:
        code = action()
    except UsageError as exc:  # an option named as the command line spells it
        if debug:
            raise
        _fail(" ".join(exc.as_flag().split()), exc.exit_code)
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


def _say(loaded: "Loaded", quiet: bool) -> None:
    """What was read from where, and the warnings, on stderr (unless --quiet)."""
    from coachkit.text import printable

    if quiet:
        return
    for note in loaded.notes:
        typer.echo(printable(f"note: {note}"), err=True)
    for warning in loaded.warnings:
        typer.echo(printable(f"warning: {warning}"), err=True)


def _load(files: list[Path], reading: "Reading", quiet: bool) -> "Loaded":
    from coachkit.pipeline import load

    loaded = load([str(f) for f in files], reading)
    _say(loaded, quiet)
    return loaded


def _analyzed(
    files: list[Path], reading: "Reading", analysis: "Analysis", quiet: bool
) -> "Report | JourneyReport":
    """The report of the files; a journey when --now and --future name two questions, or when
    exactly two questions fit and their words say which is now and which the future."""
    import dataclasses

    from coachkit.errors import AmbiguousQuestions
    from coachkit.pipeline import detected_pair, journey, journey_pair, load_journey, report

    names = [str(f) for f in files]
    pair = journey_pair(reading)
    if pair is None:
        try:
            loaded = _load(files, reading, quiet)
        except AmbiguousQuestions as exc:
            pair = detected_pair(exc, reading)
            if pair is None:
                raise
            if not quiet:
                typer.echo(
                    f"note: two questions rank the same items: {pair[0]!r} (now) and "
                    f"{pair[1]!r} (future); read as a journey (--question chooses one)",
                    err=True,
                )
        else:
            _moved_warnings(loaded.dataset, analysis, quiet)
            return report(loaded, analysis, names)
    now, future = load_journey(names, reading, pair)
    warnings = tuple(dict.fromkeys(now.warnings + future.warnings))
    _say(dataclasses.replace(future, warnings=warnings), quiet)
    _moved_warnings(future.dataset, analysis, quiet)  # the same raters answer both questions
    return journey(now, future, pair, analysis)


def _color(output: Path | None) -> bool:
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _render_options(
    output: Path | None,
    template: Path | None,
    color: bool | None = None,
    paper: Paper | None = None,
    brief: bool = False,
) -> "RenderOptions":
    from coachkit.render import RenderOptions

    return RenderOptions(
        color=_color(output) if color is None else color,
        width=_width(),
        template=template,
        paper="Letter" if (paper or _locale_paper()) is Paper.letter else "A4",
        brief=brief,
    )


def _check_brief(brief: bool, fmt: Format) -> None:
    """`--brief` shortens the terminal table; any other format refuses it (exit 2)."""
    if brief and fmt is not Format.table:
        raise UsageError(
            f"summaries only are written as the terminal table, not {fmt.value}", "brief"
        )


def _locale_paper() -> Paper:
    """Letter where the locale is one of the Americas' that use it, else A4."""
    for name in ("LC_PAPER", "LC_ALL", "LANG"):
        value = os.environ.get(name, "")
        if value:
            region = value.split(".")[0].split("_")[-1].upper()
            letter = {"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "PR", "CR", "PA"}
            return Paper.letter if region in letter else Paper.a4
    return Paper.a4


def _width() -> int:
    """The terminal's width (COLUMNS first); 100 when the output is not a terminal."""
    import shutil

    try:
        columns = shutil.get_terminal_size(fallback=(100, 24)).columns
    except ValueError:  # COLUMNS that is not a number
        columns = 100
    return max(40, columns if columns > 0 else 100)


def _format(fmt: Format | None, output: Path | None) -> Format:
    """The format asked for, else the one `-o`'s suffix names; a suffix no format writes is a
    usage error (a text table under a .pdf name helps nobody)."""
    from coachkit.errors import UsageError
    from coachkit.render import SUFFIXES, format_for_path

    if fmt is not None:
        return fmt
    if output is None or not output.suffix:
        return Format.table
    found = format_for_path(output)
    if found is None:
        raise UsageError(
            f"-o {output}: no format writes {output.suffix} files; use {', '.join(SUFFIXES)} "
            "or name one with --format"
        )
    return found


def _anonymity_warnings(reading: "Reading", analysis: "Analysis", quiet: bool) -> None:
    """Options or an instrument that weaken the raters' anonymity, on stderr."""
    from coachkit.pipeline import anonymity_warnings
    from coachkit.text import printable

    for message in [] if quiet else anonymity_warnings(reading, analysis):
        typer.echo(printable(f"warning: {message}"), err=True)


def _warn(messages: list[str], quiet: bool) -> None:
    """Warnings on stderr (unless --quiet)."""
    from coachkit.text import printable

    for message in [] if quiet else messages:
        typer.echo(printable(f"warning: {message}"), err=True)


def _threshold_warnings(notable: float, major: float, quiet: bool) -> None:
    """A notable gap size at or above the major one, on stderr."""
    from coachkit.pipeline import threshold_warnings

    _warn(threshold_warnings(notable, major), quiet)


def _moved_warnings(dataset: "Dataset", analysis: "Analysis", quiet: bool) -> None:
    """Where an option moves fewer than --min-raters raters into an anonymous group, on stderr."""
    from coachkit.pipeline import moved_raters_warnings
    from coachkit.text import printable

    for message in [] if quiet else moved_raters_warnings(dataset, analysis):
        typer.echo(printable(f"warning: {message}"), err=True)


# The command's parameters that are reading settings, by the setting's name.
_READING = {
    "instrument": "instrument",
    "layout": "source",
    "sheet": "sheet",
    "subject": "subject",
    "group_map": "group_map",
    "dimension_map": "dimension_map",
    "values": "values",
    "scheme": "scheme",
    "allow_partial": "allow_partial",
    "subject_column": "subject_column",
    "group_column": "group_column",
    "rater_column": "rater_column",
    "group": "group",
    "question": "question",
    "codes": "codes",
    "keep_identical": "keep_identical",
    "comments": "comments",
    "leaders": "leaders",
    "now": "now",
    "future": "future",
}


def _reading(parameters: dict[str, Any]) -> "Reading":
    """Reading settings from a command's parameters (those it has; `--no-merge-names` turned
    around): every command builds them the same way."""
    from coachkit.pipeline import Reading

    chosen = {
        setting: parameters[name]
        for name, setting in _READING.items()
        if parameters.get(name) is not None
    }
    return Reading(**chosen, merge_names=not parameters.get("no_merge_names", False))


@app.command(cls=_Sectioned)
def analyze(
    files: Files,
    format: FormatOpt = None,
    output: OutputOpt = None,
    template: TemplateOpt = None,
    paper: PaperOpt = None,
    min_raters: MinRatersOpt = 3,
    notable_gap: NotableOpt = None,
    major_gap: MajorOpt = None,
    intervals: IntervalsOpt = True,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    subject: SubjectOpt = None,
    group_map: GroupMapOpt = None,
    dimension_map: DimensionMapOpt = None,
    values: ValuesOpt = None,
    scheme: SchemeOpt = None,
    allow_partial: PartialOpt = False,
    no_merge_names: NoMergeOpt = False,
    keep_identical: KeepIdenticalOpt = False,
    comments: CommentsOpt = False,
    brief: BriefOpt = False,
    subject_column: SubjectColumnOpt = None,
    group_column: GroupColumnOpt = None,
    rater_column: RaterColumnOpt = None,
    group: GroupOpt = None,
    question: QuestionOpt = None,
    now: NowOpt = None,
    future: FutureOpt = None,
    codes: CodesOpt = None,
    leaders: LeadersOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Analyze survey files into a report per leader. `-` reads CSV from standard input.

        Example: coachkit analyze examples/acme-wide.xlsx --format markdown -o report.md;
    the summaries only: coachkit analyze examples/acme-wide.xlsx --brief
    """
    reading = _reading(locals())

    def run() -> int:
        from coachkit.pipeline import Analysis
        from coachkit.render import render

        fmt = _format(format, output)
        _check_brief(brief, fmt)
        check_output(output, files)
        analysis = Analysis(min_raters, notable_gap, major_gap, intervals)
        _anonymity_warnings(reading, analysis, quiet)
        result = _analyzed(files, reading, analysis, quiet)
        _threshold_warnings(result.settings.notable_gap, result.settings.major_gap, quiet)
        options = _render_options(output, template, paper=paper, brief=brief)
        write_output(render(result, fmt, options), output, files)
        return 0

    _guard(debug, run)


TextFormatOpt = Annotated[
    TextFormat,
    typer.Option(
        "--format",
        "-f",
        parser=_choice(TextFormat),
        metavar="[table|json]",
        help="table (text) or json.",
    ),
]


@app.command(cls=_Sectioned)
def validate(
    files: Files,
    format: TextFormatOpt = TextFormat.table,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    subject: SubjectOpt = None,
    group_map: GroupMapOpt = None,
    dimension_map: DimensionMapOpt = None,
    values: ValuesOpt = None,
    scheme: SchemeOpt = None,
    allow_partial: PartialOpt = False,
    no_merge_names: NoMergeOpt = False,
    keep_identical: KeepIdenticalOpt = False,
    subject_column: SubjectColumnOpt = None,
    group_column: GroupColumnOpt = None,
    rater_column: RaterColumnOpt = None,
    group: GroupOpt = None,
    question: QuestionOpt = None,
    codes: CodesOpt = None,
    min_raters: MinRatersOpt = 3,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Read and check survey files without analyzing them.

    Lists responses per leader and rater group (an anonymous group under --min-raters is marked
    "not reported") and every excluded response with its row and reason. Exits 1 when any
    response is excluded or a file is unusable.

    Example: coachkit validate examples/acme-tidy.csv
    """
    reading = _reading(locals())

    def run() -> int:
        from coachkit.pipeline import Analysis
        from coachkit.render.validation import render_validation

        dataset = _load(files, reading, quiet).dataset
        _moved_warnings(dataset, Analysis(min_raters=min_raters), quiet)  # as analyze will say
        write_output(render_validation(dataset, Format(format.value), min_raters), None, files)
        return 1 if dataset.excluded else 0

    _guard(debug, run)


@app.command(cls=_Sectioned)
def inspect(
    files: Files,
    format: TextFormatOpt = TextFormat.table,
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
    dimension_map: DimensionMapOpt = None,
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
    reading = _reading(locals())

    def run() -> int:
        from dataclasses import replace

        from coachkit.instruments import builtin_names, load_instrument
        from coachkit.io.describe import describe
        from coachkit.pipeline import file_groups
        from coachkit.render.inspect import render_inspect

        given = reading.instrument_to_read()
        known = [given, *(load_instrument(n) for n in builtin_names() if n != given.id)]
        options = reading.read_options(given)
        groups = file_groups(reading.group, [str(f) for f in files], given)
        views = [
            view
            for file in files
            for view in describe(
                str(file), given, replace(options, group=groups.get(str(file))), known
            )
        ]
        if draft_instrument:
            write_output(_draft(views, given, reading.question), None, files)
            return 0
        views = [  # each file as analyze reads it alone, with the group given for it
            _as_analyzed(view, replace(reading, group=groups.get(view.path)), given)
            for view in views
        ]
        if len(files) > 1 and views and not any(v.problem for v in views):
            together = _together_fails([str(f) for f in files], reading)  # analyze merges them
            views[0] = replace(views[0], problem=together) if together else views[0]
        write_output(render_inspect(views, Format(format.value)), None, files)
        return 1 if any(v.problem for v in views) else 0

    _guard(debug, run)


def _as_analyzed(view: "FileView", reading: "Reading", given: "Instrument") -> "FileView":
    """The view as `analyze` sees it: the problem it would stop on as the file stands (reading
    and validation run exactly as `analyze` runs them, so that inspect exits 1 whenever analyze
    would fail), and whether the command shown runs (else it is shown as a step to complete, or
    not at all when it is the very command that fails)."""
    import shlex
    from dataclasses import replace

    if not view.command.startswith("coachkit analyze"):
        return view  # a draft: inspect --draft-instrument runs on any ranking it lists
    view = replace(view, command=view.command + _given_flags(reading))
    own = view.instrument == given.id or bool(view.own_items)  # read so without --instrument
    instrument = reading.instrument if own else view.instrument
    plain = replace(reading, instrument=instrument)
    pair = _journey_of(view.path, plain)
    if pair is not None:  # analyze reads both questions as a journey
        note = f"a journey: {pair[0]!r} now, {pair[1]!r} the future (--question reads one alone)"
        words = ["coachkit", "analyze", view.path]
        words += ["--instrument", instrument] if instrument else []
        return replace(
            view,
            problem="",
            runnable=True,
            command=shlex.join(words) + _given_flags(reading),
            notes=(*view.notes, note),
        )
    problem = view.problem or _analyze_fails(view.path, plain)
    words = shlex.split(view.command)[3:]
    flags = {  # the options the command decides (the rest are the reading's own)
        flag: words[i + 1]
        for i, flag in enumerate(words[:-1])
        if flag in ("--instrument", "--question", "--subject", "--group")
    }
    fixed = replace(
        plain,
        instrument=flags.get("--instrument", plain.instrument),
        question=flags.get("--question", plain.question),
        subject=flags.get("--subject", plain.subject),
        group=flags.get("--group", plain.group),
    )
    fails = problem if fixed == plain else _analyze_fails(view.path, fixed)
    if not view.runnable:
        return replace(view, problem=problem)
    return replace(
        view,
        problem=problem,
        runnable=not fails,
        command="" if fixed == plain and fails else view.command,
    )


def _given_flags(reading: "Reading") -> str:
    """The reading options a user gave inspect that its `run:` line must carry as well (those
    the line does not decide itself: maps, codes, the kind of values...)."""
    import shlex
    from collections.abc import Mapping

    words: list[str] = []
    for flag, pairs in (
        ("--group-map", reading.group_map),
        ("--dimension-map", reading.dimension_map),
    ):
        items = [f"{k}={v}" for k, v in pairs.items()] if isinstance(pairs, Mapping) else pairs
        words += [w for item in items for w in (flag, str(item))]
    for flag, value in (
        ("--source", reading.source if str(reading.source) != "auto" else None),
        ("--values", reading.values),
        ("--scheme", reading.scheme),
        ("--codes", reading.codes if isinstance(reading.codes, str | Path) else None),
    ):
        if value is not None:
            words += [flag, str(getattr(value, "value", value))]
    words += ["--allow-partial"] * reading.allow_partial
    words += ["--keep-identical"] * reading.keep_identical
    words += ["--no-merge-names"] * (not reading.merge_names)
    return "".join(f" {shlex.quote(w)}" for w in words)


def _journey_of(path: str, reading: "Reading") -> tuple[str, str] | None:
    """The now and future questions `analyze PATH` would read as a journey (None: it would
    read one question, or stop)."""
    from coachkit.errors import AmbiguousQuestions
    from coachkit.pipeline import detected_pair, load, load_journey

    if reading.question is not None:
        return None
    try:
        load([path], reading)
    except AmbiguousQuestions as exc:
        pair = detected_pair(exc, reading)
        if pair is None:
            return None
        try:
            load_journey([path], reading, pair)
        except CoachkitError:
            return None
        return pair
    except CoachkitError:
        return None
    return None


def _together_fails(paths: list[str], reading: "Reading") -> str:
    """What `analyze` of several files as one dataset stops on ("" when it runs, or when the
    files hold a journey, which each file's own line shows)."""
    from coachkit.errors import AmbiguousQuestions
    from coachkit.pipeline import load, usable

    try:
        usable(load(paths, reading), paths)
    except AmbiguousQuestions:
        return ""
    except CoachkitError as exc:
        return f"analyzed together: {exc}"
    return ""


def _analyze_fails(path: str, reading: "Reading") -> str:
    """What `analyze PATH` with these reading options stops on ("" when it runs)."""
    from coachkit.pipeline import load, usable

    try:
        usable(load([path], reading), [path])
    except CoachkitError as exc:
        return str(exc)
    return ""


def _draft(views: "list[FileView]", instrument: "Instrument", question: str | None) -> str:
    """The instrument drafted from the one ranking question of the files (or --question's)."""
    from coachkit.instruments.draft import draft_instrument
    from coachkit.text import normalize

    def named(q: "QuestionView") -> bool:
        wanted = normalize(question or "")
        return bool(wanted) and (wanted == normalize(q.key) or wanted in normalize(q.stem or q.key))

    candidates = [
        (view, q)
        for view in views
        for q in view.questions
        if (named(q) if question else q.chosen)
        or (not question and q.values in ("ranks", "item names") and not q.instruments)
    ]
    exact = [c for c in candidates if normalize(c[1].key) == normalize(question or "")]
    chosen = exact or [c for c in candidates if c[1].chosen] or candidates
    if len({(q.key, q.items) for _, q in chosen}) != 1:
        listed = ", ".join(sorted({q.key or "(no question text)" for _, q in candidates})) or "none"
        raise CoachkitError(
            f"--draft-instrument needs one ranking question (found: {listed}); "
            "name it with --question ID"
        )
    view, q = chosen[0]
    return draft_instrument(q.items, q.stem or q.key, view.group_labels, instrument)


@app.command(cls=_Sectioned)
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
        Format,
        typer.Option(
            "--format",
            "-f",
            parser=_choice(Format),
            metavar=_FORMATS,
            help="Format of each report; any case, md for markdown.",
        ),
    ] = Format.markdown,
    template: TemplateOpt = None,
    paper: PaperOpt = None,
    min_raters: MinRatersOpt = 3,
    notable_gap: NotableOpt = None,
    major_gap: MajorOpt = None,
    intervals: IntervalsOpt = True,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    group_map: GroupMapOpt = None,
    dimension_map: DimensionMapOpt = None,
    values: ValuesOpt = None,
    scheme: SchemeOpt = None,
    allow_partial: PartialOpt = False,
    no_merge_names: NoMergeOpt = False,
    keep_identical: KeepIdenticalOpt = False,
    comments: CommentsOpt = False,
    brief: BriefOpt = False,
    subject_column: SubjectColumnOpt = None,
    group_column: GroupColumnOpt = None,
    rater_column: RaterColumnOpt = None,
    group: GroupOpt = None,
    question: QuestionOpt = None,
    codes: CodesOpt = None,
    leaders: LeadersOpt = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            help="Files analyzed at once, each in a worker process (default: the number of cores).",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Analyze each file on its own and write one report per leader, plus an index.

    Reports go to DIR/<file>/<leader>.<ext>; the index to DIR/index.md (index.json with
    --format json). A file that fails is listed at the end and the exit code is 1; the others
    are still written. The paths written are printed on stdout.

    Example: coachkit batch clients/ --output-dir reports
    """
    reading = _reading(locals())

    def run() -> int:
        from coachkit.batch import default_jobs, discover, run_batch
        from coachkit.io.isolate import reader_pool
        from coachkit.io.roster import Roster
        from coachkit.pipeline import Analysis, check_thresholds, unsurveyed_warning
        from coachkit.text import printable

        _check_brief(brief, format)
        analysis = Analysis(min_raters, notable_gap, major_gap, intervals)
        check_thresholds(analysis)
        _anonymity_warnings(reading, analysis, quiet)
        if notable_gap is not None and major_gap is not None:
            _threshold_warnings(notable_gap, major_gap, quiet)
        files, unreadable = discover(paths, output_dir)
        if not files and not unreadable:
            raise CoachkitError(
                f"{', '.join(map(str, paths))}: no survey files found "
                "(.csv, .tsv, .txt, .xlsx, .xlsm, .xls, .xlsb, .ods)"
            )
        if output_dir.exists() and not output_dir.is_dir():
            raise CoachkitError(
                f"{output_dir}: exists and is not a folder; choose another --output-dir"
            )
        options = _render_options(None, template, color=False, paper=paper, brief=brief)
        shared = _shared_roster(reading, quiet)

        analyze_file = _batch_file(shared, analysis, quiet)

        workers = default_jobs() if jobs is None else jobs
        with _progress(len(files), quiet) as advance, reader_pool():
            result = run_batch(
                files, analyze_file, format, output_dir, options, advance, unreadable, workers
            )
        if isinstance(shared.leaders, Roster) and not quiet:
            unsurveyed = shared.leaders.unsurveyed([e.subject for e in result.reports])
            if unsurveyed:
                typer.echo(
                    printable(f"warning: {unsurveyed_warning(shared.leaders, unsurveyed)}"),
                    err=True,
                )
        for entry in result.reports:
            typer.echo(printable(str(output_dir / entry.path)))
        if result.index_written:
            typer.echo(printable(str(result.index)))
        for file, message in result.failed:
            line = message if message.startswith(file) else f"{file}: {message}"
            typer.echo(printable(f"error: {line}"), err=True)
        return 1 if result.failed else 0

    _guard(debug, run)


def _batch_file(
    reading: "Reading", analysis: "Analysis", quiet: bool
) -> Callable[[Path], "Report"]:
    """How a batch analyzes one file: a report of its one question (a journey's two are for
    `analyze`, which the error names)."""
    from coachkit.errors import AmbiguousQuestions
    from coachkit.pipeline import detected_pair, report

    def analyze_file(file: Path) -> "Report":
        try:
            loaded = _load([file], reading, quiet)
            _moved_warnings(loaded.dataset, analysis, quiet)
            return report(loaded, analysis, [str(file)])
        except AmbiguousQuestions as exc:
            pair = detected_pair(exc, reading)
            if pair is None:
                raise
            raise CoachkitError(
                f"{file}: a journey ({pair[0]!r} now, {pair[1]!r} the future), which "
                f"`coachkit analyze {file}` reads; a batch reads one question (--question)"
            ) from None

    return analyze_file


def _shared_roster(reading: "Reading", quiet: bool) -> "Reading":
    """A batch reads its HR roster once, for every file: the reading settings with the roster
    read (and a note of it), or as they were without one."""
    import dataclasses

    from coachkit.io.roster import read_roster
    from coachkit.text import printable

    if reading.leaders is None:
        return reading
    from coachkit.pipeline import contact_warnings

    roster = read_roster(reading.leaders)  # type: ignore[arg-type]
    if not quiet:
        for warning in contact_warnings(roster):
            typer.echo(printable(f"warning: {warning}"), err=True)
        joined = " or ".join(map(repr, roster.key_columns))
        typer.echo(
            printable(
                f"note: {roster.path}: {len(roster.names)} leaders, matched by {joined}; "
                f"attributes {', '.join(map(repr, roster.columns))}"
            ),
            err=True,
        )
    return dataclasses.replace(reading, leaders=roster)


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


@app.command(cls=_Sectioned)
def org(
    files: Files,
    format: FormatOpt = None,
    output: OutputOpt = None,
    template: TemplateOpt = None,
    paper: PaperOpt = None,
    min_raters: MinRatersOpt = 3,
    notable_gap: NotableOpt = None,
    major_gap: MajorOpt = None,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    group_map: GroupMapOpt = None,
    dimension_map: DimensionMapOpt = None,
    values: ValuesOpt = None,
    scheme: SchemeOpt = None,
    allow_partial: PartialOpt = False,
    no_merge_names: NoMergeOpt = False,
    keep_identical: KeepIdenticalOpt = False,
    subject_column: SubjectColumnOpt = None,
    group_column: GroupColumnOpt = None,
    rater_column: RaterColumnOpt = None,
    group: GroupOpt = None,
    question: QuestionOpt = None,
    codes: CodesOpt = None,
    leaders: LeadersOpt = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help="Split the organization by a column of the --leaders roster (function, level, "
            "technical role): per segment the pooled groups, and whether segments differ.",
            show_default=False,
        ),
    ] = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """The organization view: each rater group pooled over all leaders of all files.

    Shows how each group ranks the dimensions, their tilt and agreement, the spread of
    self-manager agreement across leaders, how many leaders show the technical-leader pattern,
    and the most frequent coaching focus.

    Example: coachkit org examples/cohort-2026.csv --format markdown
    """
    reading = _reading(locals())

    def run() -> int:
        from coachkit.pipeline import Analysis, organization
        from coachkit.render import render

        fmt = _format(format, output)
        check_output(output, files)
        analysis = Analysis(min_raters, notable_gap, major_gap)
        _anonymity_warnings(reading, analysis, quiet)
        loaded = _load(files, reading, quiet)
        _moved_warnings(loaded.dataset, analysis, quiet)  # the pool holds each leader's groups
        result = organization(loaded, analysis, by)
        _threshold_warnings(result.settings.notable_gap, result.settings.major_gap, quiet)
        write_output(
            render(result, fmt, _render_options(output, template, paper=paper)), output, files
        )
        return 0

    _guard(debug, run)


@app.command(cls=_Sectioned)
def compare(
    before: Annotated[Path, typer.Argument(help="The earlier assessment.", show_default=False)],
    after: Annotated[Path, typer.Argument(help="The later assessment.", show_default=False)],
    format: FormatOpt = None,
    output: OutputOpt = None,
    template: TemplateOpt = None,
    paper: PaperOpt = None,
    min_raters: MinRatersOpt = 3,
    notable_gap: NotableOpt = None,
    major_gap: MajorOpt = None,
    intervals: IntervalsOpt = True,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    subject: SubjectOpt = None,
    group_map: GroupMapOpt = None,
    dimension_map: DimensionMapOpt = None,
    values: ValuesOpt = None,
    scheme: SchemeOpt = None,
    allow_partial: PartialOpt = False,
    no_merge_names: NoMergeOpt = False,
    keep_identical: KeepIdenticalOpt = False,
    subject_column: SubjectColumnOpt = None,
    group_column: GroupColumnOpt = None,
    rater_column: RaterColumnOpt = None,
    group: GroupOpt = None,
    question: QuestionOpt = None,
    now: NowOpt = None,
    future: FutureOpt = None,
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
    reading = _reading(locals())

    def run() -> int:
        from coachkit.pipeline import Analysis, comparison, same_input_warnings
        from coachkit.render import render

        fmt = _format(format, output)
        check_output(output, [before, after])
        analysis = Analysis(min_raters, notable_gap, major_gap, intervals)
        _anonymity_warnings(reading, analysis, quiet)
        _warn(same_input_warnings(before, after), quiet)
        earlier = _analyzed([before], reading, analysis, quiet)
        later = _analyzed([after], reading, analysis, quiet)
        change = comparison(earlier, later)
        _threshold_warnings(change.settings.notable_gap, change.settings.major_gap, quiet)
        options = _render_options(output, template, paper=paper)
        write_output(render(change, fmt, options), output, [before, after])
        return 0

    _guard(debug, run)


@app.command(cls=_Sectioned)
def dimensions(
    instrument: InstrumentOpt = None,
    format: TextFormatOpt = TextFormat.table,
    debug: DebugOpt = False,
) -> None:
    """List the instrument's dimensions, their families and the labels accepted for each.

    Example: coachkit dimensions --format json
    """

    def run() -> int:
        from coachkit.instruments import load_instrument
        from coachkit.render.instrument import render_instrument

        write_output(render_instrument(load_instrument(instrument), Format(format.value)), None, [])
        return 0

    _guard(debug, run)


def main() -> None:
    """The console script's entry point. Help or a version that cannot be written (a full disk,
    `> /dev/full`) is one line on stderr and exit 1, not a traceback."""
    try:
        app()
    except OSError as exc:
        with suppress(OSError, ValueError):  # stdout is broken: nothing more goes to it at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        typer.echo(f"error: cannot write to standard output ({exc.strerror or exc})", err=True)
        raise SystemExit(1) from None
