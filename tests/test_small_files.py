"""A text file up to `SMALL_TEXT_BYTES` is parsed by the csv module (no pandas), a larger one by
pandas' C parser with rank columns typed as numbers: both give the same responses and dataset."""

from __future__ import annotations

import csv
import dataclasses
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachkit.errors import CoachkitError
from coachkit.io import ReadOptions, files, read_source
from coachkit.validate import validate
from conftest import EXAMPLES, INSTRUMENT, LABELS
from test_fuzz import CELLS, FUZZ, HEADERS

CORPUS = Path(__file__).parent / "corpus"
TEXT_FILES = sorted(
    p
    for folder in (EXAMPLES, EXAMPLES / "exports", CORPUS)
    for p in folder.iterdir()
    if p.suffix in (".csv", ".tsv", ".txt")
)


def _plain(value: Any) -> Any:
    """A value with its arrays as (dtype kind, shape, items), comparable with ==."""
    if isinstance(value, np.ndarray):
        kind = "f" if value.dtype.kind == "f" else value.dtype.kind
        items = value.tolist()
        if kind == "f":  # NaN == NaN for this comparison
            items = [None if x != x else x for x in value.ravel().tolist()]
        return (kind, value.shape, items)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "instrument"
        }
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _outcome(path: Path) -> Any:
    """What reading and validating a file gives: the source and the dataset, or the error."""
    try:
        source = read_source(str(path), INSTRUMENT, ReadOptions())
        return _plain(source), _plain(validate([source], INSTRUMENT))
    except CoachkitError as exc:
        return type(exc).__name__, str(exc)


def _both_paths(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    small = _outcome(path)
    with monkeypatch.context() as patched:
        patched.setattr(files, "SMALL_TEXT_BYTES", -1)  # every file goes to pandas
        large = _outcome(path)
    return small, large


@pytest.mark.parametrize("path", TEXT_FILES, ids=lambda p: p.name)
def test_every_text_fixture_reads_alike_either_way(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small, large = _both_paths(path, monkeypatch)
    assert small == large


def test_the_paths_are_compared_on_files_that_read() -> None:
    read = [p for p in TEXT_FILES if not isinstance(_outcome(p)[0], str)]
    assert len(read) >= 10  # the comparison above is not all errors


@FUZZ
@given(
    header=st.lists(HEADERS, min_size=1, max_size=16),
    rows=st.lists(st.lists(CELLS, max_size=18), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
    blank_lines=st.integers(0, 2),
)
def test_random_files_read_alike_either_way(
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str],
    rows: list[list[str]],
    delimiter: str,
    blank_lines: int,
) -> None:
    out = io.StringIO()
    out.write("\n" * blank_lines)
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("paths") / "f.csv"
    path.write_text(out.getvalue(), encoding="utf-8", errors="surrogatepass")
    with pytest.MonkeyPatch.context() as monkeypatch:
        small, large = _both_paths(path, monkeypatch)
    assert small == large


@FUZZ
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["Ann", "Bo", " Bo", "", "Zoë"]),
            st.sampled_from(["r1", "r2", "r3", "", "anonymous"]),
            st.sampled_from(["Self", "Manager", "Peer", "Direct report", ""]),
            st.lists(st.one_of(st.integers(-2, 14).map(str), CELLS), min_size=12, max_size=12),
        ),
        min_size=1,
        max_size=14,
    ),
    tidy=st.booleans(),
)
def test_random_surveys_read_alike_either_way(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str, str, list[str]]],
    tidy: bool,
) -> None:
    """Readable surveys (wide or tidy) with odd cells, repeated raters and blank keys."""
    out = io.StringIO()
    writer = csv.writer(out)
    if tidy:
        writer.writerow(["Leader", "Rater", "Relationship", "Dimension", "Rank"])
        for subject, rater, group, cells in rows:
            writer.writerows(
                [subject, rater, group, label, cell]
                for label, cell in zip(LABELS, cells, strict=True)
            )
    else:
        writer.writerow(["Leader", "Rater", "Relationship", *LABELS])
        writer.writerows([subject, rater, group, *cells] for subject, rater, group, cells in rows)
    path = tmp_path_factory.mktemp("surveys") / "f.csv"
    path.write_text(out.getvalue(), encoding="utf-8", errors="surrogatepass")
    with pytest.MonkeyPatch.context() as monkeypatch:
        small, large = _both_paths(path, monkeypatch)
    assert small == large


def test_a_small_workbook_is_analyzed_without_importing_pandas(tmp_path: Path) -> None:
    book = EXAMPLES / "acme-wide.xlsx"
    out = tmp_path / "r.json"
    code = (
        "import sys\n"
        f"sys.argv = ['coachkit', 'analyze', {str(book)!r}, '--format', 'json', '-o', {str(out)!r}]\n"
        "from coachkit.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False", done.stderr
    assert out.stat().st_size > 1000
