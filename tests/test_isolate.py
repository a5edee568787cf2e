"""The reading child: one per file, or one reused over a batch (`reader_pool`), whose crash,
runaway or overrun is one file's error while the next file is read by a fresh child."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coachkit.errors import InputError
from coachkit.io import isolate
from coachkit.io.files import _read_workbook as _real_read
from coachkit.io.isolate import isolated, reader_pool


def _pid(tag: str) -> tuple[str, int]:
    return tag, os.getpid()


def _abort(tag: str) -> object:
    os.abort()


def _spin(tag: str) -> object:
    while True:  # processor time, not waiting: only the CPU cap stops it
        pass


def _refuse(tag: str) -> object:
    raise InputError(f"{tag}: not a survey")


def test_a_pool_reuses_one_reader_and_replaces_one_that_died() -> None:
    with reader_pool():
        first = isolated(_pid, ("a",), "a.xlsx")
        second = isolated(_pid, ("b",), "b.xlsx")
        assert first[0] == "a" and second[0] == "b"
        assert first[1] == second[1] != os.getpid()  # one child read both
        with pytest.raises(
            InputError, match=r"c.xlsx: the reader stopped on this workbook \(signal 6\)"
        ):
            isolated(_abort, ("c",), "c.xlsx")
        with pytest.raises(InputError, match="d: not a survey"):
            isolated(_refuse, ("d",), "d.xlsx")  # a reader's own error passes as it is
        third = isolated(_pid, ("e",), "e.xlsx")
        assert third[1] not in (first[1], os.getpid())  # a new child after the crash
    assert isolate._READER is None  # the block ends its reader


@pytest.mark.slow  # a second of processor time spent on purpose, twice (CI runs it)
@pytest.mark.parametrize("pooled", [False, True])
def test_the_time_limit_counts_processor_time(pooled: bool) -> None:
    """A reader that computes without end is stopped by its processor-time cap, whatever the
    machine's load; the wall clock (four times as long) only stops one that waits."""
    with pytest.raises(InputError, match="took over 1 seconds of processor time and was stopped"):
        if pooled:
            with reader_pool():
                isolated(_spin, ("x",), "x.xlsx", seconds=1.0)
        else:
            isolated(_spin, ("x",), "x.xlsx", seconds=1.0)


def _abort_on_bad(file: Path, sheet: str | None) -> object:
    if "bad" in file.name:
        os.abort()
    return _real_read(file, sheet)


def test_a_batch_goes_on_past_a_workbook_that_kills_its_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from coachkit.io import files
    from conftest import EXAMPLES, run

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a.xlsx", "bad.xlsx", "c.xlsx"):
        shutil.copy(EXAMPLES / "acme-wide.xlsx", folder / name)
    monkeypatch.setattr(files, "_read_workbook", _abort_on_bad)
    code, out, err = run("batch", str(folder), "-d", str(tmp_path / "out"), "-j", "1", "-q")
    assert code == 1
    assert "bad.xlsx: the reader stopped on this workbook (signal 6)" in err
    written = {Path(p).parent.name for p in out.splitlines() if not p.endswith("index.md")}
    assert written == {"a", "c"}  # the files before and after the crash
