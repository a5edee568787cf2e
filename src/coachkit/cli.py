"""The command line: parse options, call the library, pick a renderer, write, set the exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from coachkit import __version__
from coachkit.errors import CoachkitError, OutputError
from coachkit.io import Layout, ReadOptions, ValueKind
from coachkit.render import Format, RenderOptions
from coachkit.validate import Scheme

if TYPE_CHECKING:
    from coachkit.instruments import Instrument
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
        help="Survey files (CSV, TSV, TXT, XLSX, XLSM, XLS); several are one dataset.",
        show_default=False,
    ),
]
InstrumentOpt = Annotated[
    str | None,
    typer.Option("--instrument", help="Built-in instrument id or a TOML file.", show_default=False),
]
LayoutOpt = Annotated[Layout, typer.Option("--layout", help="File layout; detected by default.")]
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
PartialOpt = Annotated[
    bool,
    typer.Option(
        "--allow-partial", help="Keep partial rankings; unranked items share the unused positions."
    ),
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No warnings on stderr.")]


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


def _group_map(pairs: list[str] | None, instrument: Instrument) -> dict[str, str]:
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


def _load(
    files: list[Path],
    instrument_name: str | None,
    layout: Layout,
    sheet: str | None,
    subject: str | None,
    group_map: list[str] | None,
    values: ValueKind | None,
    scheme: Scheme | None,
    allow_partial: bool,
    quiet: bool,
) -> Dataset:
    from coachkit.instruments import load_instrument
    from coachkit.io import read_source
    from coachkit.validate import validate

    instrument = load_instrument(instrument_name)
    options = ReadOptions(layout, sheet, subject, _group_map(group_map, instrument))
    sources = [read_source(str(f), instrument, options) for f in files]
    dataset = validate(sources, instrument, values, scheme, allow_partial)
    for message in dataset.warnings:
        _warn(message, quiet)
    return dataset


def _color(output: Path | None) -> bool:
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _width() -> int:
    try:
        return max(60, int(os.environ.get("COLUMNS", "100")))
    except ValueError:
        return 100


def write_output(text: str, output: Path | None, inputs: list[Path]) -> None:
    """Print to stdout, or write atomically to a file that is not one of the inputs."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = output.resolve()
    if any(target == f.resolve() for f in inputs):
        raise OutputError(
            f"{output}: refusing to write the report over an input file; choose another -o"
        )
    if not target.parent.is_dir():
        raise OutputError(f"{output}: the folder {output.parent} does not exist")
    temporary = target.with_name(f".{target.name}.coachkit-tmp")
    try:
        temporary.write_text(text, encoding="utf-8", newline="")
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutputError(f"{output}: cannot write the report ({exc.strerror})") from exc


@app.command()
def analyze(
    files: Files,
    format: Annotated[
        Format | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format (default: table, or from the -o suffix).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the report to this file instead of stdout.",
            show_default=False,
        ),
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template", help="A Jinja2 template for --format markdown.", show_default=False
        ),
    ] = None,
    min_raters: Annotated[
        int, typer.Option("--min-raters", min=1, help="Smallest anonymous group that is reported.")
    ] = 3,
    notable_gap: Annotated[
        float | None,
        typer.Option(
            "--notable-gap",
            min=0,
            help="Places that make a gap notable (default: a quarter of the block size).",
            show_default=False,
        ),
    ] = None,
    major_gap: Annotated[
        float | None,
        typer.Option(
            "--major-gap",
            min=0,
            help="Places that make a gap major (default: half the block size).",
            show_default=False,
        ),
    ] = None,
    instrument: InstrumentOpt = None,
    layout: LayoutOpt = Layout.auto,
    sheet: SheetOpt = None,
    subject: SubjectOpt = None,
    group_map: GroupMapOpt = None,
    values: ValuesOpt = None,
    scheme: SchemeOpt = None,
    allow_partial: PartialOpt = False,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Analyze survey files into a report per leader.

    Example: coachkit analyze examples/acme-wide.xlsx --format markdown -o report.md
    """

    def run() -> int:
        from coachkit.analysis import analyze as analyze_dataset
        from coachkit.render import format_for_path, render

        fmt = format or (format_for_path(output) if output else None) or Format.table
        if min_raters < 3:
            _warn(
                f"--min-raters {min_raters} is below 3: the anonymity of raters is weakened", quiet
            )
        dataset = _load(
            files,
            instrument,
            layout,
            sheet,
            subject,
            group_map,
            values,
            scheme,
            allow_partial,
            quiet,
        )
        if dataset.responses.empty:
            raise CoachkitError(
                f"{', '.join(map(str, files))}: no usable responses ({len(dataset.excluded)} excluded); run `coachkit validate` to see why"
            )
        report = analyze_dataset(dataset, min_raters, notable_gap, major_gap)
        text = render(
            report, fmt, RenderOptions(color=_color(output), width=_width(), template=template)
        )
        write_output(text, output, files)
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
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Read and check survey files without analyzing them.

    Lists responses per leader and rater group and every excluded response with its row and
    reason. Exits 1 when any response is excluded or a file is unusable.

    Example: coachkit validate examples/acme-tidy.csv
    """

    def run() -> int:
        from coachkit.render.validation import render_validation

        if format not in (Format.table, Format.json):
            raise typer.BadParameter("validate writes table or json", param_hint="--format")
        dataset = _load(
            files,
            instrument,
            layout,
            sheet,
            subject,
            group_map,
            values,
            scheme,
            allow_partial,
            quiet,
        )
        write_output(render_validation(dataset, format), None, files)
        return 1 if dataset.excluded else 0

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
        from coachkit.render.validation import render_instrument

        if format not in (Format.table, Format.json):
            raise typer.BadParameter("dimensions writes table or json", param_hint="--format")
        write_output(render_instrument(load_instrument(instrument), format), None, [])
        return 0

    _guard(debug, run)


def main() -> None:
    app()
