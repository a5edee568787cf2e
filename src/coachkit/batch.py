"""Batch reports: one report per leader per file, safe file names, and an index of them all."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
import struct
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from coachkit.errors import CoachkitError
from coachkit.io.files import SURVEY_SUFFIXES
from coachkit.model import BatchResult, IndexEntry, Report, SubjectResult
from coachkit.output import write_output
from coachkit.render import Format, RenderOptions, render

EXTENSIONS = {
    Format.table: "txt",
    Format.markdown: "md",
    Format.json: "json",
    Format.csv: "csv",
    Format.html: "html",
    Format.xlsx: "xlsx",
    Format.pdf: "pdf",
}
# Names Windows reserves for devices, whatever the extension.
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}
_UNSAFE = re.compile(r"[\W_]+")  # anything but letters and digits (of any script)
MAX_SLUG = 80


def slug(name: str) -> str:
    """A safe file name: letters (of any script), digits and dashes; never empty, a device name
    or a path. A name with no letter or digit gets a short hash of itself."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    text = _UNSAFE.sub("-", folded).strip("-")[:MAX_SLUG].strip("-")
    if not text:
        text = "leader-" + hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:8]
    return f"{text}-" if text in _RESERVED else text


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name-2`, `name-3`... whichever is not taken yet (and take it)."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate)
    return candidate


def discover(paths: Iterable[Path], output_dir: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The survey files named, and those inside the folders named (not inside the output
    folder, not hidden), in a stable order; and the folders that could not be read, with why."""
    import os

    found: list[Path] = []
    unreadable: list[tuple[str, str]] = []
    out = output_dir.resolve()

    def refused(error: OSError) -> None:
        unreadable.append((str(error.filename), f"cannot be searched ({error.strerror})"))

    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        for folder, folders, files in os.walk(path, onerror=refused):
            folders[:] = sorted(d for d in folders if not d.startswith("."))
            for name in sorted(files):
                file = Path(folder) / name
                if (
                    not name.startswith(".")
                    and file.suffix.lower() in SURVEY_SUFFIXES
                    and file.is_file()
                    and not file.resolve().is_relative_to(out)
                ):
                    found.append(file)
    return found, unreadable


def default_jobs() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


Rendered = tuple[Report, list["str | bytes | CoachkitError"]]
_HEADER = struct.Struct("<Q")  # each result on a worker's pipe: its length, then a pickle


def _captured(task: Callable[[Path], Rendered], file: Path) -> tuple[Rendered | CoachkitError, str]:
    """Run the task on a file; its notes on stderr come back with its result, to be shown in
    the order of the files."""
    import contextlib
    import io

    captured = io.StringIO()
    with contextlib.redirect_stderr(captured):
        try:
            result: Rendered | CoachkitError = task(file)
        except CoachkitError as exc:
            result = exc
    return result, captured.getvalue()


def _in_order(
    task: Callable[[Path], Rendered], files: list[Path], jobs: int
) -> Iterator[Rendered | CoachkitError]:
    """Each file's result in the order of the files: in this process, or with `jobs` > 1 the
    first here and the rest in that many forked workers, dealt them in turn (the first worker
    the 2nd, 4th, 6th... of two), each sending its results back down its own pipe; a worker
    that stops fails the files it had left. The first file, done here, imports and warms what
    every file needs once, before the workers are forked: each of them importing it at once
    took longer than one import."""
    if jobs <= 1 or len(files) <= 1 or not hasattr(os, "fork"):
        for file in files:
            try:
                yield task(file)
            except CoachkitError as exc:
                yield exc
        return
    try:
        yield task(files[0])
    except CoachkitError as exc:
        yield exc
    yield from _in_workers(task, files[1:], jobs)


def _in_workers(
    task: Callable[[Path], Rendered], files: list[Path], jobs: int
) -> Iterator[Rendered | CoachkitError]:
    """The files' results, in order, from up to `jobs` forked workers."""
    count = min(jobs, len(files))
    workers: list[tuple[int, BinaryIO]] = []
    finished = False
    sys.stdout.flush()  # nothing buffered here is written a second time by a worker
    sys.stderr.flush()
    try:
        for n in range(count):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker: never returns
                os.close(read_end)
                for _, pipe in workers:
                    pipe.close()
                _work(task, files[n::count], write_end)
            os.close(write_end)
            workers.append((pid, os.fdopen(read_end, "rb")))
        for i, file in enumerate(files):
            outcome = _received(workers[i % count][1])
            if outcome is None:
                yield CoachkitError(
                    f"{file}: the worker analyzing it stopped; run again with --jobs 1"
                )
                continue
            result, notes = outcome
            sys.stderr.write(notes)
            yield result
        finished = True
    finally:
        _end(workers, finished)


def _work(task: Callable[[Path], Rendered], files: list[Path], out: int) -> None:
    """In a forked worker: each file's outcome up the pipe, in order; then exit."""
    import pickle

    from coachkit.io.isolate import reader_pool

    status = 0
    try:
        with os.fdopen(out, "wb") as pipe, reader_pool():
            for file in files:
                data = pickle.dumps(_captured(task, file), protocol=pickle.HIGHEST_PROTOCOL)
                pipe.write(_HEADER.pack(len(data)) + data)
                pipe.flush()
    except BaseException:  # the files left fail in the parent, each with its name
        status = 1
    finally:
        os._exit(status)


def _received(pipe: BinaryIO) -> tuple[Rendered | CoachkitError, str] | None:
    """The next outcome a worker sent; None when it stopped before sending it whole."""
    import pickle

    head = pipe.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(head)
    data = pipe.read(size)
    if len(data) < size:
        return None
    outcome: tuple[Rendered | CoachkitError, str] = pickle.loads(data)
    return outcome


def _end(workers: list[tuple[int, BinaryIO]], finished: bool) -> None:
    """Close the workers' pipes and wait for them; stopped first when the run ended early."""
    import signal

    for pid, pipe in workers:
        pipe.close()
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def run_batch(
    files: list[Path],
    analyze_file: Callable[[Path], Report],
    fmt: Format,
    output_dir: Path,
    options: RenderOptions,
    advance: Callable[[str], None] = lambda _: None,
    failed_before: Iterable[tuple[str, str]] = (),
    jobs: int = 1,
) -> BatchResult:
    """Analyze each file on its own and write one report per leader, then the index. A file
    that cannot be read or written fails alone (listed in the index), the others go on. With
    `jobs` > 1, files are read, analyzed and rendered in forked workers; what is written, and in
    which order, is the same."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CoachkitError(
            f"{output_dir}: cannot create the output folder ({exc.strerror}); choose another"
        ) from exc

    def task(file: Path) -> Rendered:
        report = analyze_file(file)
        rendered: list[str | bytes | CoachkitError] = []
        for subject in report.subjects:
            try:
                rendered.append(render(_alone(report, subject), fmt, options))
            except CoachkitError as exc:
                rendered.append(exc)
        return report, rendered

    protected = {file.resolve() for file in files}
    seen: dict[str, tuple[Path, SubjectResult]] = {}  # leader -> the first file that showed them
    folders: set[str] = set()
    last: Report | None = None
    entries: list[IndexEntry] = []
    failed: list[tuple[str, str]] = list(failed_before)
    for file, outcome in zip(files, _in_order(task, files, jobs), strict=True):
        advance(str(file))
        if isinstance(outcome, CoachkitError):
            failed.append((str(file), " ".join(str(outcome).split())))
            continue
        report, rendered = outcome
        last = report
        folder = unique(slug(file.stem), folders)
        names: set[str] = set()
        for subject, content in zip(report.subjects, rendered, strict=True):
            name = f"{unique(slug(subject.subject), names)}.{EXTENSIONS[fmt]}"
            target = output_dir / folder / name
            try:
                if isinstance(content, CoachkitError):
                    raise content
                _check_not_a_rerun(file, subject, seen, report)
                if target.parent.is_symlink():  # a planted link would carry the reports away
                    raise CoachkitError(
                        f"{target.parent}: is a symbolic link; coachkit never writes through "
                        "one: remove it or choose another --output-dir"
                    )
                target.parent.mkdir(exist_ok=True)
                _check_not_input(target, protected)
                write_output(content, target)
            except (CoachkitError, OSError) as exc:
                failed.append((str(file), " ".join(str(exc).split())))
                continue
            entries.append(_entry(file, subject, f"{folder}/{name}", report))
    index_format = fmt if fmt in (Format.json, Format.html) else Format.markdown
    index = output_dir / f"index.{ {Format.json: 'json', Format.html: 'html'}.get(fmt, 'md') }"
    roles = _roles(last)
    roster = last.attribute_columns if last is not None else ()
    labels = dict(last.instrument.groups) if last is not None else {}
    result = BatchResult(
        tuple(entries),
        tuple(failed),
        index,
        roles,
        group_labels=labels,
        attribute_columns=roster,
    )
    try:
        _check_not_input(index, protected)
        write_output(render(result, index_format, options), index)
    except CoachkitError as exc:  # the reports' own failures must not be lost with the index
        failed.append((str(index), " ".join(str(exc).split())))
        return dataclasses.replace(result, failed=tuple(failed), index_written=False)
    return result


def _alone(report: Report, subject: SubjectResult) -> Report:
    """The report of one leader of a file: their results, and only their excluded responses."""
    return dataclasses.replace(
        report,
        subjects=(subject,),
        excluded=tuple(e for e in report.excluded if e.subject == subject.subject),
    )


def _check_not_a_rerun(
    file: Path, subject: SubjectResult, seen: dict[str, tuple[Path, SubjectResult]], report: Report
) -> None:
    """Refuse a leader's second report in one batch (an export and its later re-export, say)
    when an anonymous group of theirs moved by 1 to min-raters - 1 raters between the two: set
    side by side, the reports would give those raters away, as `compare` knows and withholds."""
    from coachkit.text import leader_key

    key = leader_key(subject.subject)
    if key not in seen:
        seen[key] = (file, subject)
        return
    earlier, first = seen[key]
    before = {g.group: g.n for g in first.groups if g.reported}
    moved = [
        g.group
        for g in subject.groups
        if g.reported
        and g.group in report.instrument.anonymous
        and 0 < abs(g.n - before.get(g.group, 0)) < report.settings.min_raters
        and g.group in before
    ]
    if moved:
        names = ", ".join(report.instrument.groups[g] for g in moved)
        raise CoachkitError(
            f"{subject.subject!r} is in {earlier.name} too, and their {names} differ by fewer "
            f"than {report.settings.min_raters} raters: side by side the two reports would give "
            f"them away; this one is not written (run `coachkit compare {earlier.name} "
            f"{file.name}` to see what changed)"
        )


def _check_not_input(target: Path, inputs: set[Path]) -> None:
    if target.resolve() in inputs:
        raise CoachkitError(f"{target}: would overwrite an input file; choose another --output-dir")


def _roles(report: Report | None) -> tuple[str, str]:
    if report is None:
        return ("Self", "Manager")
    info = report.instrument
    return info.groups[info.self_group], info.groups[info.counterpart]


def _entry(file: Path, subject: SubjectResult, path: str, report: Report) -> IndexEntry:
    roles = report.instrument
    me, manager = roles.self_group, roles.counterpart
    tilt = subject.blocks[0].tilt or {}
    return IndexEntry(
        input=str(file),
        subject=subject.subject,
        path=path,
        groups={g.group: g.n for g in subject.groups if g.n and g.group != roles.pooled},
        self_manager_spearman=subject.counterpart_spearman,
        tilt={g: (tilt[g].value if g in tilt else None) for g in (me, manager)},
        attributes=subject.attributes,
    )
