"""Fuzzing: whatever the bytes, coachkit ends in a report or in its own error, never another exception."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coachkit.analysis import analyze
from coachkit.analysis.org import analyze_org
from coachkit.errors import CoachkitError
from coachkit.io import ReadOptions, read_source
from coachkit.render import Format, RenderOptions, render
from coachkit.validate import validate
from conftest import EXAMPLES, INSTRUMENT, LABELS

pytestmark = pytest.mark.slow  # `python -m pytest -m slow` runs them; CI does

CORPUS = Path(__file__).parent / "corpus"
SUFFIXES = [".csv", ".tsv", ".txt", ".xlsx", ".xls", ".xlsm"]
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def pipeline(path: Path) -> None:
    """Read, validate, analyze and render in every format; only coachkit's own errors may escape."""
    try:
        source = read_source(str(path), INSTRUMENT, ReadOptions())
        dataset = validate([source], INSTRUMENT)
        counted = sum(i.responses_used + i.responses_excluded for i in dataset.inputs)
        assert counted == len(source.responses)  # every response analyzed or listed as excluded
        if dataset.responses.empty:
            return
        report = analyze(dataset)
        for fmt in Format:
            render(report, fmt)
            render(analyze_org(dataset), fmt, RenderOptions())
    except CoachkitError as exc:
        assert str(exc)


# Corpus files a person would expect to read: (responses used, excluded).
READABLE = {
    "blank-lines-before-header.csv": (2, 0),
    "bom-semicolon-crlf.csv": (1, 0),
    "huge-cell.csv": (1, 0),
    "mixed-encoding.csv": (2, 0),
    "nul-bytes.csv": (1, 0),
    "ragged-rows.csv": (1, 1),
    "formulas-as-values.csv": (1, 1),
}


@pytest.mark.parametrize("case", sorted(CORPUS.iterdir()), ids=lambda p: p.name)
def test_corpus_replays(case: Path) -> None:
    pipeline(case)
    if case.name in READABLE:
        source = read_source(str(case), INSTRUMENT, ReadOptions())
        inputs = validate([source], INSTRUMENT).inputs[0]
        assert (inputs.responses_used, inputs.responses_excluded) == READABLE[case.name]


@FUZZ
@given(data=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str) -> None:
    path = tmp_path_factory.mktemp("bytes") / f"f{suffix}"
    path.write_bytes(data)
    pipeline(path)


@FUZZ
@given(
    name=st.sampled_from(["acme-wide.xlsx", "acme-tidy.csv", "by-family.csv", "ratings.csv"]),
    cut=st.floats(0, 1),
)
def test_truncated_examples(
    tmp_path_factory: pytest.TempPathFactory, name: str, cut: float
) -> None:
    data = (EXAMPLES / name).read_bytes()
    path = tmp_path_factory.mktemp("cut") / name
    path.write_bytes(data[: int(len(data) * cut)])
    pipeline(path)


CELLS = st.one_of(
    st.text(max_size=12),
    st.integers(-100, 100).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        ["", "N/A", "-99", "=1+1", "@SUM(A1)", "+1", "1st", "\x00", "\x1b[31m", "x" * 5000]
    ),
)
HEADERS = st.one_of(
    st.sampled_from([*LABELS, "Leader", "Rater", "Relationship", "", "Leader", "Item", "Rank"]),
    st.text(max_size=10),
)


@FUZZ
@given(
    header=st.lists(HEADERS, min_size=1, max_size=18),
    rows=st.lists(st.lists(CELLS, max_size=20), max_size=8),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_random_csv_shapes(
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str],
    rows: list[list[str]],
    delimiter: str,
) -> None:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("shape") / "f.csv"
    path.write_text(out.getvalue(), encoding="utf-8", errors="surrogatepass")
    pipeline(path)


@FUZZ
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["Ann", "Bo", "", " ", "Zoë"]),
            st.sampled_from(["Self", "Boss", "Peer", "Direct report", "Customer", ""]),
            st.lists(st.one_of(st.integers(-2, 14).map(str), CELLS), min_size=12, max_size=12),
        ),
        min_size=1,
        max_size=12,
    )
)
@example(rows=[("Ann", "Self", [str(i) for i in range(1, 13)])])
def test_random_cells_in_a_valid_layout(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str, list[str]]]
) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Leader", "Relationship", *LABELS])
    for subject, group, cells in rows:
        writer.writerow([subject, group, *cells])
    path = tmp_path_factory.mktemp("cells") / "f.csv"
    path.write_text(out.getvalue(), encoding="utf-8", errors="surrogatepass")
    pipeline(path)


def test_mutated_files_in_a_subprocess_end_in_a_report_or_one_error(tmp_path: Path) -> None:
    """Each reader on mutated examples, as its own process: an abort (a signal, exit 134) or a
    traceback would be a failure here, where an in-process test could not even see it."""
    import random
    import subprocess
    import sys

    rng = random.Random(5)
    sources = ["acme-wide.xlsx", "acme-tidy.csv", "by-family.csv", "exports/qualtrics-360.csv"]
    for n in range(24):
        name = sources[n % len(sources)]
        data = bytearray((EXAMPLES / name).read_bytes())
        for _ in range(rng.randint(1, 6)):  # flip, drop or repeat a few bytes
            at = rng.randrange(len(data))
            choice = rng.random()
            if choice < 0.4:
                data[at] = rng.randrange(256)
            elif choice < 0.7:
                del data[at : at + rng.randint(1, 64)]
            else:
                data[at:at] = data[at : at + rng.randint(1, 64)] * rng.randint(1, 4)
        path = tmp_path / f"m{n}{Path(name).suffix}"
        path.write_bytes(bytes(data))
        done = subprocess.run(
            [sys.executable, "-m", "coachkit", "validate", str(path), "-q"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode in (0, 1), (name, done.returncode, done.stderr[-300:])
        assert "Traceback" not in done.stderr, (name, done.stderr[-300:])
        if done.returncode == 1 and not done.stdout:
            assert done.stderr.strip().splitlines()[-1].startswith("error: "), done.stderr
