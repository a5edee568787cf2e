"""Limits and checks that keep an untrusted file from hanging coachkit or eating the machine's memory.

The limits leave room for organization-wide exports: a million-row CSV is about 50 MB and 15
million cells; a workbook's XML is typically 5-20 times its zipped size.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from coachkit.errors import InputError

MAX_FILE_BYTES = 1 << 30  # 1 GiB on disk
MAX_CELLS = 60_000_000  # cells in one sheet or CSV file
MAX_COLUMNS = 16_384  # columns in one sheet or CSV file (Excel's own limit; exports hold far fewer)
MAX_UNCOMPRESSED = 2 << 30  # 2 GiB of XML inside one workbook
MAX_RATIO = 200  # a part that expands more than this ...
RATIO_FLOOR = 16 << 20  # ... and to more than 16 MiB is a zip bomb
MAX_PARTS = 10_000  # files inside one workbook
_PROLOG = 4096  # bytes of each XML part read to look for a DTD

UNSUPPORTED = {
    ".numbers": "an Apple Numbers document; export it as CSV or Excel",
    ".pdf": "a PDF document; export the survey from its platform as CSV or Excel",
    ".zip": "a zip archive; unpack it and name the survey files inside",
    ".json": "a JSON file; coachkit reads CSV and Excel exports",
}


def _size(n: int) -> str:
    return f"{n / (1 << 30):.1f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MiB"


def check_suffix(file: Path, suffixes: set[str]) -> None:
    """Refuse a file whose name says it is something coachkit does not read."""
    suffix = file.suffix.lower()
    if suffix in UNSUPPORTED:
        raise InputError(f"{file}: is {UNSUPPORTED[suffix]}")
    if suffix and suffix not in suffixes and not suffix[1:].isdigit():
        known = ", ".join(sorted(suffixes))
        raise InputError(
            f"{file}: {suffix} files are not read; coachkit reads {known} (rename a CSV to .csv)"
        )


def check_size(name: object, size: int) -> None:
    """Refuse a file over the size limit before reading it."""
    if size > MAX_FILE_BYTES:
        raise InputError(
            f"{name}: {_size(size)} is over the {_size(MAX_FILE_BYTES)} limit; split the file by leader"
        )


def check_cells(name: object, rows: int, columns: int) -> None:
    """Refuse a sheet or CSV over the cell or column limit before building it."""
    if columns > MAX_COLUMNS:
        raise InputError(
            f"{name}: a row of {columns:,} columns is over the limit of {MAX_COLUMNS:,}; "
            "drop unused columns, or check the delimiter"
        )
    if rows * columns > MAX_CELLS:
        raise InputError(
            f"{name}: {rows:,} rows x {columns:,} columns is over the limit of {MAX_CELLS:,} cells; "
            "drop unused columns or split the file"
        )


def check_workbook_zip(file: Path, sheets: bool = False) -> None:
    """Refuse zip containers that are not workbooks (.xlsx, .xlsm, .xlsb, .ods) or whose name
    says another kind, zip bombs and XML with a DTD; with `sheets`, then sheets that reach
    beyond the cell limits (`check_sheet_extents`), in the archive already open."""
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(
            f"{file}: a damaged workbook ({exc}); open and re-save it in Excel"
        ) from exc
    with archive:
        parts = archive.infolist()
        names = {p.filename for p in parts}
        ods = "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]
        kind = ".ods" if ods else ".xlsb" if "xl/workbook.bin" in names else ".xlsx"
        if kind == ".xlsx" and "xl/workbook.xml" not in names:
            raise InputError(
                f"{file}: a zip archive, not an Excel workbook; export the survey as .xlsx or CSV"
            )
        suffix = file.suffix.lower()
        if kind != suffix and not (kind == ".xlsx" and suffix in (".xlsm", ".xls")):
            name = "an OpenDocument spreadsheet" if ods else f"a {kind} workbook"
            raise InputError(
                f"{file}: is {name} under a {suffix or 'bare'} name; rename it to {kind}"
            )
        if len(parts) > MAX_PARTS:
            raise InputError(f"{file}: holds {len(parts):,} parts, over the limit of {MAX_PARTS:,}")
        total = sum(p.file_size for p in parts)
        if total > MAX_UNCOMPRESSED:
            raise InputError(
                f"{file}: expands to {_size(total)}, over the {_size(MAX_UNCOMPRESSED)} limit; "
                "export CSV or split the workbook"
            )
        for part in parts:
            if part.file_size > RATIO_FLOOR and part.file_size > MAX_RATIO * max(
                part.compress_size, 1
            ):
                raise InputError(
                    f"{file}: part {part.filename} expands {part.file_size // max(part.compress_size, 1):,} "
                    "times its size, as a zip bomb does; refusing it"
                )
            if part.filename.endswith((".xml", ".rels")):
                try:
                    with archive.open(part) as handle:
                        prolog = handle.read(_PROLOG)
                except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                    raise InputError(
                        f"{file}: part {part.filename} cannot be read ({exc})"
                    ) from exc
                if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
                    raise InputError(
                        f"{file}: part {part.filename} declares XML entities (a DTD), which Excel never "
                        "writes and XML bombs use; refusing it"
                    )
        if sheets:
            _check_extents(file, archive)


EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
_REFERENCE = re.compile(
    rb'<(?:c|dimension)\b[^>]*?\s(?:r|ref)="(?:[A-Z]{1,3}\d{1,10}:)?([A-Z]{1,7})(\d{1,12})"'
)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def check_sheet_extents(file: Path) -> None:
    """Refuse a workbook whose sheets reach beyond the cell limits, from the cell references in
    their XML (read in pieces), before any reader builds the sheets' dense ranges."""
    with zipfile.ZipFile(file) as archive:
        _check_extents(file, archive)


def _check_extents(file: Path, archive: zipfile.ZipFile) -> None:
    for part in archive.infolist():
        if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
            continue
        rows = columns = 0
        tail = b""
        with archive.open(part) as handle:
            while chunk := handle.read(1 << 20):
                text = tail + chunk
                found = _REFERENCE.findall(text)
                if found:  # the farthest of the distinct column letters and row numbers
                    letters, numbers = zip(*found, strict=True)
                    columns = max(columns, *map(_column_number, set(letters)))
                    rows = max(rows, *map(int, set(numbers)))
                tail = text[-256:]
        name = f"{file} ({part.filename.rsplit('/', 1)[-1][:-4]})"
        if rows > EXCEL_ROWS or columns > EXCEL_COLUMNS:
            raise InputError(
                f"{name}: refers to a cell beyond Excel's own limits (row {rows:,}, column "
                f"{columns:,}); the workbook is damaged or crafted: re-save it in Excel"
            )
        check_cells(name, rows, columns)
