"""Turn a CSV or Excel file into grids of text cells, whatever its encoding, delimiter or format."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import sys
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coachkit.errors import InputError
from coachkit.io import limits

if TYPE_CHECKING:
    import pandas as pd

    from coachkit.io.table import Table

STDIN = "-"
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
SURVEY_SUFFIXES = TEXT_SUFFIXES | EXCEL_SUFFIXES

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_QUOTED = re.compile(r'"[^"]*"')
_LINE_END = re.compile(r"\r\n|\r|\n")


# A text file up to this size is parsed whole by the standard library's csv module, as text (no
# pandas import: that costs more than the parsing). A larger one has its first rows read as text
# to find its header and layout, and the rest parsed by pandas' C parser once the columns are
# known, so that rank columns go straight to floats. Reading a wide file both ways, the two
# meet at about 3 MB (55,000 responses: 0.36 s either way, pandas' import included).
SMALL_TEXT_BYTES = 3_000_000
HEAD_ROWS = 200


@dataclass(frozen=True)
class Grid:
    """One sheet (or a whole CSV) as text cells: column labels 0..n, row i is spreadsheet row i+1.

    `cells` holds every row of a sheet or a small text file, but only the first `HEAD_ROWS` rows
    of a large text file: enough to find the header. `rows_from` gives the rows a reader needs.
    """

    path: str
    sheet: str | None
    cells: Table
    rest: _TextRows | None = None

    @property
    def where(self) -> str:
        """The file (and sheet) for messages."""
        return f"{self.path} (sheet {self.sheet!r})" if self.sheet else self.path

    def rows_from(self, start: int, numeric: Collection[int] = ()) -> Table:
        """The rows from grid row `start` on.

        Cells are text, except that in a large text file each column in `numeric` comes back as
        float64 (blank cells NaN) when all its cells are plain numbers; a reader accepts either.
        """
        if self.rest is None:
            return self.cells.since(start)
        from coachkit.io.table import Table

        return Table.of_frame(self.rest.rows(start, numeric))


def read_grids(
    path: str, sheet: str | None = None, warn: list[str] | None = None
) -> Iterator[Grid]:
    """Yield the grids of a file: one for a text file, one per sheet (or the named sheet) for Excel.

    The path `-` reads CSV from standard input.
    """
    warn = warn if warn is not None else []
    if path == STDIN:
        data = sys.stdin.buffer.read(limits.MAX_FILE_BYTES + 1)
        limits.check_size("<stdin>", len(data))
        if data.startswith((_ZIP, _OLE)):
            raise InputError(
                "<stdin>: holds a workbook, and standard input reads CSV only; "
                "pass the workbook's file name instead of -"
            )
        yield _text_grid(path, Path("<stdin>"), data, "", warn)
        return
    if not str(path).strip():  # Path("") is the current folder: say what was given instead
        raise InputError("an empty file name was given; name the survey file")
    file = Path(path)
    try:
        resolved = file.resolve()
        exists, folder, regular = resolved.exists(), resolved.is_dir(), resolved.is_file()
    except (OSError, ValueError) as exc:  # a name too long, or one the system cannot hold
        raise InputError(f"{path}: cannot be opened ({exc}); rename or move the file") from exc
    if not exists:
        raise InputError(f"{path}: no such file" + _did_you_mean(file))
    if folder:
        raise InputError(f"{path}: is a folder, not a survey file")
    if not regular:  # a pipe would hang the run, a device never end it
        raise InputError(
            f"{path}: is not a regular file (a pipe, a device or a socket); save the survey "
            "to a file and name that"
        )
    limits.check_suffix(file, SURVEY_SUFFIXES)
    try:
        limits.check_size(path, file.stat().st_size)
        with file.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
    suffix = file.suffix.lower()
    _check_document(path, file, head)
    if suffix in EXCEL_SUFFIXES or head.startswith((_ZIP, _OLE)):
        yield from _excel_grids(file, head, sheet)
    else:
        if sheet is not None:
            raise InputError(f"{path}: --sheet applies to Excel workbooks, and this is a text file")
        try:
            with file.open("rb") as handle:  # the limit holds while reading, whatever stat said
                raw = handle.read(limits.MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})") from exc
        limits.check_size(path, len(raw))
        yield _text_grid(path, file, raw, suffix, warn)


def _did_you_mean(file: Path) -> str:
    """` (did you mean NAME?)` for a missing file whose folder holds a survey file named like it."""
    import difflib

    try:
        names = [
            p.name
            for p in sorted(file.parent.iterdir())[:2000]
            if p.suffix.lower() in SURVEY_SUFFIXES and p.is_file()
        ]
    except OSError:
        return ""
    close = difflib.get_close_matches(file.name, names, n=1, cutoff=0.6)
    if not close:
        return ""
    shown = close[0] if str(file.parent) == "." else str(file.parent / close[0])
    return f" (did you mean {shown}?)"


def _check_document(path: str, file: Path, head: bytes) -> None:
    """A PDF or a Word, PowerPoint or OpenDocument text file under a survey file's name is named
    as what it is, not read as a survey that has no columns."""
    kind = "a PDF document" if head.lstrip()[:5] == b"%PDF-" else None
    if kind is None and head.startswith(_ZIP):
        import zipfile

        try:
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()[:5000]
                mime = b""
                if "mimetype" in names:  # read a little: the archive is not trusted yet
                    with archive.open("mimetype") as member:
                        mime = member.read(100)
        except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
            return
        tops = {n.split("/", 1)[0] for n in names}
        if "word" in tops:
            kind = "a Word document"
        elif "ppt" in tops:
            kind = "a PowerPoint presentation"
        elif b"opendocument.text" in mime:
            kind = "an OpenDocument text"
    if kind is not None:
        raise InputError(
            f"{path}: is {kind}, not a survey export (whatever its name says); download the "
            "responses as CSV or Excel from the survey platform"
        )


def _text_grid(path: str, file: Path, raw: bytes, suffix: str, warn: list[str]) -> Grid:
    if not raw[:4096].strip() and not raw.strip():  # the head decides, save for blank files
        raise InputError(f"{file}: the file is empty")
    try:
        # Qualtrics writes TSV as UTF-16 with a byte-order mark.
        utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if utf16 and len(raw) % 2:  # cut off in the middle of a character
            warn.append(
                f"{file}: a UTF-16 file that ends in half a character (was it cut off?); its "
                "last byte is left out: check that its last response is whole"
            )
            raw = raw[:-1]
        text = raw.decode("utf-16") if utf16 else raw.decode("utf-8-sig")
        plain_utf8 = not utf16 and b"\x00" not in raw
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
        plain_utf8 = False
        warn.append(f"{file}: not UTF-8; read as Windows-1252 (cp1252). Check accented names.")
    text = text.replace("\x00", "")
    body = text.lstrip("\r\n")
    leading = text[: len(text) - len(body)].count("\n")  # blank lines before the header
    sep = _sniff_delimiter(body, suffix)
    widest = max((line.count(sep) + 1 for line in _head_lines(body)), default=1)
    lines = body.count("\n") + (
        not body.endswith("\n")
    )  # quoted line breaks count too: an upper bound
    limits.check_cells(file, lines, widest)
    _check_quotes(file, body, sep, leading)
    if len(raw) <= SMALL_TEXT_BYTES:
        rows: list[list[str]] = [[]] * leading + _csv_rows(file, body, sep)
        return Grid(path, None, _cells_from_rows(rows, text=True))
    # The C parser reads a file by its path fastest; text that needed decoding goes through memory.
    on_disk = plain_utf8 and leading == 0 and path != STDIN
    from coachkit.io.table import Table

    rest = _TextRows(file, body, sep, leading, on_disk)
    head = rest.head()
    return Grid(path, None, Table.of_frame(head), None if rest.ragged is not None else rest)


class _TextRows:
    """Parses a text file's rows with the C parser: the head as text, the rest typed on request."""

    def __init__(self, file: Path, text: str, sep: str, leading: int, on_disk: bool) -> None:
        self.file = file
        self.text = text
        self.sep = sep
        self.leading = leading  # blank lines stripped from the top of `text`
        self.on_disk = on_disk  # whether the file itself can be parsed (plain UTF-8 as read)
        self.ragged: pd.DataFrame | None = None
        self.first: pd.DataFrame | None = None  # the head, once read
        self.width = 0

    def head(self) -> pd.DataFrame:
        import pandas as pd

        try:
            cells = self._parse(0, HEAD_ROWS)
        except pd.errors.ParserError:
            return self._ragged()
        except pd.errors.EmptyDataError as exc:
            raise InputError(f"{self.file}: the file is empty") from exc
        self.width = cells.shape[1]
        self.first = cells
        return self._padded(cells)

    def _padded(self, cells: pd.DataFrame) -> pd.DataFrame:
        """Rows as the file has them: the blank lines above the header as empty rows, so that
        grid row i is the file's row i + 1."""
        import pandas as pd

        if not self.leading:
            return cells
        blank = pd.DataFrame("", index=range(self.leading), columns=cells.columns, dtype=object)
        return pd.concat([blank, cells], ignore_index=True)

    def rows(self, start: int, numeric: Collection[int]) -> pd.DataFrame:
        import pandas as pd

        if self.ragged is not None:
            return self.ragged.iloc[start:]
        try:
            return self._parse(start, None, numeric)
        except pd.errors.EmptyDataError:  # nothing below the header
            return (self.first if self.first is not None else self.head()).iloc[0:0]
        except pd.errors.ParserError:  # rows of unequal length
            return self._ragged().iloc[start:]
        except ValueError:  # a rank column holds text: parse its cells as text
            pass
        try:
            return self._parse(start, None)
        except pd.errors.ParserError:
            return self._ragged().iloc[start:]

    def _parse(self, start: int, rows: int | None, numeric: Collection[int] = ()) -> pd.DataFrame:
        """Rows from grid row `start`: text cells, floats in the `numeric` columns."""
        import pandas as pd

        skip = start - self.leading
        columns = range(self.width) if start else None
        numbers = [c for c in numeric if c < self.width]
        types: dict[Any, Any] = {
            c: ("float64" if c in numbers else object) for c in range(self.width)
        }
        blanks: dict[Any, list[str]] = {c: [""] for c in numbers}
        cells = pd.read_csv(
            self.file if self.on_disk else io.StringIO(self.text),
            sep=self.sep,
            header=None,
            names=columns,
            skiprows=skip,
            nrows=rows,
            dtype=types if start else object,
            na_values=blanks,
            keep_default_na=False,
            na_filter=bool(numbers),
            skip_blank_lines=False,
            engine="c",
            encoding="utf-8-sig",
        )
        cells.index = cells.index + start
        return cells

    def _ragged(self) -> pd.DataFrame:
        """Rows padded to the widest one, for files whose rows differ in length."""
        if self.ragged is None:
            cells = self._padded(_ragged_cells(self.file, self.text, self.sep))
            self.ragged = cells
            self.width = cells.shape[1]
        return self.ragged


def _ragged_cells(file: Path, text: str, sep: str) -> pd.DataFrame:
    """Rows padded to the widest one, for files whose rows differ in length."""
    import pandas as pd

    rows = _csv_rows(file, text, sep)
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


def _csv_rows(file: Path, text: str, sep: str) -> list[list[str]]:
    """A text's rows as the csv module parses them (a blank line is an empty row)."""
    csv.field_size_limit(limits.MAX_FILE_BYTES)  # a cell as long as the file may be
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise InputError(
            f"{file}: not a readable table ({exc}); check the delimiter and quotes"
        ) from exc
    limits.check_cells(file, len(rows), max((len(r) for r in rows), default=0))
    return rows


def _lines(text: str) -> Iterator[str]:
    """The lines of a text one by one (any line ending), without splitting all of it."""
    start = 0
    while start < len(text):
        end = _LINE_END.search(text, start)
        if end is None:
            yield text[start:]
            return
        yield text[start : end.start()]
        start = end.end()


# A quoted cell this long, or over this many lines, is an unclosed quote swallowing the rows after it.
MAX_QUOTED_CHARS = 10_000
MAX_QUOTED_LINES = 50


def _check_quotes(file: Path, text: str, sep: str, leading: int) -> None:
    """Stop at a quoted cell that runs away (an unclosed quote), naming the row it opened on: one
    still open at the end of the file, however short, or one that runs over `MAX_QUOTED_LINES`
    lines or `MAX_QUOTED_CHARS` characters (it would swallow the rows after it into one cell)."""
    if '"' not in text:
        return
    opening = re.compile(rf'(?:^|(?<={re.escape(sep)}))"(?:[^"]|"")*(?P<close>"|\Z)', re.MULTILINE)
    for match in opening.finditer(text):
        cell = match.group(0)
        unclosed = not match.group("close")
        if unclosed or len(cell) > MAX_QUOTED_CHARS or cell.count("\n") > MAX_QUOTED_LINES:
            row = leading + text.count("\n", 0, match.start()) + 1
            where = "to the end of the file" if unclosed else f"over {cell.count(chr(10))} lines"
            raise InputError(
                f"{file}, row {row}: a quote opened here runs {where} ({len(cell):,} "
                "characters) without closing; close or remove it and export again"
            )


def _head_lines(text: str, count: int = 20) -> list[str]:
    """The first non-blank lines of a text (a title row may stand above the header)."""
    found = []
    for line in _lines(text):
        if line.strip():
            found.append(line)
            if len(found) == count:
                break
    return found


def _sniff_delimiter(text: str, suffix: str) -> str:
    """Pick `,`, `;` or tab: the one a line among the first holds most often, outside quotes (a
    title row above the header holds few)."""
    bare = [_QUOTED.sub("", line) for line in _head_lines(text)] or [""]
    counts = {sep: max(line.count(sep) for line in bare) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    if counts[best] == 0:
        return "\t" if suffix == ".tsv" else ","
    if suffix == ".tsv" and counts["\t"]:
        return "\t"
    return best


def _excel_grids(file: Path, head: bytes, sheet: str | None) -> Iterator[Grid]:
    """The sheets of a workbook, checked first (zip bombs, DTDs, cell references beyond the
    limits) and then read in a child process that an abort or a runaway cannot take down."""
    from coachkit.io.isolate import isolated

    _check_workbook_bytes(file, head)
    if head.startswith(_ZIP):
        _check_archive(file)
    for name, numbers, rows in isolated(_read_workbook, (file, sheet), str(file)):
        yield Grid(str(file), name, _cells_from_rows(rows, numbers=numbers))


def _check_archive(file: Path) -> None:
    """The zip checks of a workbook; a damaged archive, wherever in it the damage shows (a bad
    header, a truncated part, a corrupt stream), is one line naming the file."""
    import zipfile
    import zlib

    try:
        limits.check_workbook_zip(file, sheets=file.suffix.lower() in (".xlsx", ".xlsm"))
    except InputError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(
            f"{file}: a damaged workbook ({type(exc).__name__}); open and re-save it in Excel, "
            "or export CSV"
        ) from exc
    except (RuntimeError, NotImplementedError, ValueError, KeyError) as exc:  # encrypted, odd
        raise InputError(
            f"{file}: a workbook that cannot be read ({type(exc).__name__}); open and re-save "
            "it in Excel, or export CSV"
        ) from exc


def _read_workbook(file: Path, sheet: str | None) -> list[tuple[str, list[int], list[list[Any]]]]:
    """Every sheet of a workbook (or the one named) as rows of cell values, through calamine."""
    import python_calamine as pc

    try:
        workbook = pc.CalamineWorkbook.from_path(str(file))
    except pc.PasswordError as exc:
        raise InputError(
            f"{file}: the workbook is password-protected; save a copy without a password"
        ) from exc
    except Exception as exc:  # calamine raises several unrelated types for broken workbooks
        raise InputError(
            f"{file}: not a readable Excel workbook ({_first_line(exc)}); re-save it in Excel"
        ) from exc
    names: list[str] = list(workbook.sheet_names)
    if sheet is not None and sheet not in names:
        raise InputError(
            f"{file}: no sheet named {sheet!r}; the sheets are {', '.join(map(repr, names))}"
        )
    sheets = []
    for name in [sheet] if sheet is not None else names:
        try:
            sheets.append((name, *_used_rows(workbook.get_sheet_by_name(name), f"{file}", name)))
        except InputError:
            raise
        except Exception as exc:
            raise InputError(f"{file}: sheet {name!r} cannot be read ({_first_line(exc)})") from exc
    return sheets


def _used_rows(grid: Any, file: str, name: str) -> tuple[list[int], list[list[Any]]]:
    """The rows of a sheet's used range (the cells that hold something) that hold anything,
    each padded from column A, with their grid rows: the empty rows above, between and below
    cost nothing, however far away a cell is."""
    start = grid.start
    if start is None:  # an empty sheet
        return [], []
    top, left = start
    limits.check_cells(f"{file} (sheet {name!r})", grid.height, left + grid.width)
    numbers: list[int] = []
    rows: list[list[Any]] = []
    pad = [""] * left
    for i, row in enumerate(grid.to_python(skip_empty_area=True)):
        if any(cell != "" for cell in row):
            numbers.append(top + i)
            rows.append(pad + row if left else row)
    return numbers, rows


def frame_grid(frame: pd.DataFrame, name: str) -> Grid:
    """A DataFrame as a grid of text cells, its column labels the first row."""
    import pandas as pd

    if frame.shape[1] == 0:
        raise InputError(f"{name}: the DataFrame has no columns")
    limits.check_cells(name, len(frame) + 1, frame.shape[1])
    header = [_cell_text(c) for c in frame.columns]
    rows = frame.astype(object).where(pd.notna(frame), None).to_numpy().tolist()
    return Grid(name, None, _cells_from_rows([header, *rows]))


def _check_workbook_bytes(file: Path, head: bytes) -> None:
    """Say what a file with an Excel name really is, when it is not a workbook."""
    if head.startswith(_ZIP):
        return
    if head.startswith(_OLE):
        if file.suffix.lower() in {".xlsx", ".xlsm"}:
            raise InputError(
                f"{file}: the workbook is encrypted or password-protected (or an old .xls named "
                ".xlsx); open it in Excel, remove the password and save as .xlsx"
            )
        return
    sample = head
    text = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<")):
        raise InputError(
            f"{file}: holds an HTML or XML page, not an Excel workbook (some platforms export that "
            "as .xls); open it in Excel and save as .xlsx, or export CSV"
        )
    if _looks_like_text(sample):
        raise InputError(
            f"{file}: holds plain text, not an Excel workbook; if it is CSV, rename it to .csv"
        )
    raise InputError(
        f"{file}: not an Excel workbook (unrecognized content); export the survey again"
    )


def _looks_like_text(sample: bytes) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return b"\x00" not in sample


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__


def _cells_from_rows(
    rows: Sequence[Sequence[object]], text: bool = False, numbers: Sequence[int] | None = None
) -> Table:
    """Rows of cell values (of text already, with `text`) as a table of text, padded to the
    widest row; `numbers` are their grid rows (by default 0, 1, 2...)."""
    import numpy as np

    from coachkit.io.table import Table

    width = max((len(r) for r in rows), default=0)
    cells = np.full((len(rows), width), "", dtype=object)
    for i, row in enumerate(rows):
        cells[i, : len(row)] = row if text else [_text_of(v) for v in row]
    if numbers is None:
        return Table.of(cells)
    return Table(np.asarray(numbers, dtype=np.int64), {c: cells[:, c] for c in range(width)})


def _text_of(value: object) -> str:
    """`_cell_text`, sooner for the cells most workbooks hold: text, and whole numbers."""
    if type(value) is str:
        return value
    if type(value) is float and value.is_integer():
        return str(int(value))
    return _cell_text(value)


def _cell_text(value: object) -> str:
    """Excel cells as the text a user sees: 3.0 -> `3`, dates in ISO form, empty -> ``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)
