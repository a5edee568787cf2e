"""Limits and checks that keep an untrusted file from hanging coachkit or eating the machine's memory.

The limits leave room for organization-wide exports: a million-row CSV is about 50 MB and 15
million cells; a workbook's XML is typically 5-20 times its zipped size.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from coachkit.errors import InputError

MAX_FILE_BYTES = 1 << 30  # 1 GiB on disk
MAX_CELLS = 60_000_000  # cells in one sheet or CSV file
MAX_COLUMNS = 16_384  # columns in one sheet or CSV file (Excel's own limit; exports hold far fewer)
MAX_UNCOMPRESSED = 2 << 30  # 2 GiB of XML inside one workbook
MAX_RATIO = 200  # a part that expands more than this ...
RATIO_FLOOR = 16 << 20  # ... and to more than 16 MiB is a zip bomb
MAX_PARTS = 10_000  # files inside one workbook
_PROLOG = 4096  # bytes of each XML part read at a time to look for a DTD
_MAX_PROLOG = 1 << 20  # before its first element

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
                        declared = _declares_entities(handle)
                except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
                    raise InputError(
                        f"{file}: part {part.filename} cannot be read ({exc})"
                    ) from exc
                if declared:
                    raise InputError(
                        f"{file}: part {part.filename} declares XML entities (a DTD), which Excel never "
                        "writes and XML bombs use; refusing it"
                    )
        if sheets:
            _check_extents(file, archive)


# What may stand before an XML document's first element: a declaration or processing
# instruction, a comment, white space; a DTD is the one thing refused.
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)


def _declares_entities(handle: IO[bytes]) -> bool:
    """Whether an XML part declares a DTD (or entities) before its first element, however long
    the comments and instructions before it; a prolog past `_MAX_PROLOG` bytes counts as one
    (no writer of workbooks puts a megabyte before its content)."""
    text = handle.read(_PROLOG).removeprefix(b"\xef\xbb\xbf")
    at = 0
    while True:
        item = _PROLOG_ITEM.match(text, at)
        if item is not None and item.end() < len(text):
            at = item.end()
            continue
        if text.startswith((b"<!DOCTYPE", b"<!ENTITY"), at):
            return True
        if text.startswith(b"<", at) and not text.startswith((b"<?", b"<!"), at):
            return False  # the first element
        more = handle.read(max(_PROLOG, len(text)))  # doubling: each byte matched a few times
        if not more or len(text) > _MAX_PROLOG:
            return bool(more) or b"<!DOCTYPE" in text[at:] or b"<!ENTITY" in text[at:]
        text += more


EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
# A cell that holds something: its reference, and an opening tag followed by content (a value,
# inline text, a formula). A dimension tag, a row tag or an empty cell (`<c r="XFD1"/>`) is a
# reference only: no reader builds a range for it. Attributes are bounded, so that text of
# `<c` without a `>` costs one pass, not one per `<c`.
_REAL_CELL = re.compile(
    rb'<c\b[^>]{0,256}?\sr="([A-Z]{1,7})(\d{1,12})"[^>]{0,256}(?<!/)>\s*(?!</c>)'
)
SPARSE_RANGE = 1 << 22  # a used range over this many cells ...
SPARSE_SHARE = 1_000  # ... with fewer than one filled cell in this many holds a stray far cell


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _real_cells(handle: IO[bytes]) -> Iterator[list[tuple[bytes, bytes]]]:
    """The (column letters, row digits) of the cells that hold something in a sheet's XML, a
    list per piece of a MiB read; a piece ends before its last tag but one, so every tag is seen
    whole, once."""
    tail = b""
    while chunk := handle.read(1 << 20):
        text = tail + chunk
        cut = text.rfind(b"<", 0, max(text.rfind(b"<"), 0))
        if cut < 0 or len(text) - cut > 4096:
            cut = max(0, len(text) - 256)
        yield [(m[1], m[2]) for m in _REAL_CELL.finditer(text) if m.start() < cut]
        tail = text[cut:]
    yield _REAL_CELL.findall(tail)


def _used_range(
    handle: IO[bytes],
) -> tuple[int, tuple[int, int, int, int], tuple[str, str]]:
    """A sheet's filled cells: how many, their range (top, left, bottom, right) and a cell in
    its last row and one in its last column."""
    top = left = 1 << 62
    bottom = right = cells = 0
    lowest = rightmost = ""
    for found in _real_cells(handle):
        if not found:
            continue
        cells += len(found)
        # the distinct letters and numbers of a piece: far fewer than its cells
        columns = {_column_number(c): c for c in {c for c, _ in found}}
        rows = {int(r): r for r in {r for _, r in found}}
        left, top = min(left, *columns), min(top, *rows)
        if max(rows) > bottom:
            bottom = max(rows)
            lowest = next(f"{c.decode()}{r.decode()}" for c, r in found if r == rows[bottom])
        if max(columns) > right:
            right = max(columns)
            rightmost = next(f"{c.decode()}{r.decode()}" for c, r in found if c == columns[right])
    return cells, (top, left, bottom, right), (lowest, rightmost)


def check_sheet_extents(file: Path) -> None:
    """Refuse a workbook whose sheets' used ranges reach beyond the cell limits, before any
    reader builds them. The used range spans the cells that hold something, as calamine's does:
    a far reference without a value costs nothing, and a value far from all the others (a range
    of millions of cells, almost all of them empty) is named."""
    with zipfile.ZipFile(file) as archive:
        _check_extents(file, archive)


def _check_extents(file: Path, archive: zipfile.ZipFile) -> None:
    for part in archive.infolist():
        if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
            continue
        with archive.open(part) as handle:
            cells, (top, left, bottom, right), (lowest, rightmost) = _used_range(handle)
        if not cells:
            continue
        name = f"{file} ({part.filename.rsplit('/', 1)[-1][:-4]})"
        if bottom > EXCEL_ROWS or right > EXCEL_COLUMNS:
            raise InputError(
                f"{name}: refers to a cell beyond Excel's own limits (row {bottom:,}, column "
                f"{right:,}); the workbook is damaged or crafted: re-save it in Excel"
            )
        rows, columns = bottom - top + 1, right - left + 1
        check_cells(name, rows, right)  # the rows read, each from column A
        if rows * columns > SPARSE_RANGE and cells * SPARSE_SHARE < rows * columns:
            farthest = lowest if rows >= columns else rightmost
            raise InputError(
                f"{name}: a value at {farthest} lies far from the others ({cells:,} cells "
                f"filled in a range of {rows:,} rows x {columns:,} columns); delete the "
                "stray cell, or copy the survey's rows to a new workbook"
            )
