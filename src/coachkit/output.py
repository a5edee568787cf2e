"""Writing results: stdout, or a file replaced atomically that is never one of the inputs."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from coachkit.errors import OutputError


def check_output(output: Path | None, inputs: Iterable[Path]) -> None:
    """Refuse, before any work, to write over an input or into a missing folder."""
    if output is None:
        return
    target = output.resolve()
    names = [str(f) for f in inputs]
    if any(target == Path(f).resolve() for f in names if f != "-") or (
        "-" in names and _is_stdin(target)
    ):
        raise OutputError(
            f"{output}: refusing to write the report over an input file; choose another -o"
        )
    if not target.parent.is_dir():
        raise OutputError(f"{output}: the folder {output.parent} does not exist")


def _is_stdin(target: Path) -> bool:
    """Whether standard input is this very file (`coachkit analyze - -o in.csv < in.csv`)."""
    import os

    try:
        given, there = os.fstat(sys.stdin.fileno()), target.stat()
    except (OSError, ValueError, AttributeError):  # no such file yet, or no real stdin
        return False
    return (given.st_dev, given.st_ino) == (there.st_dev, there.st_ino)


def write_all(stream: BinaryIO, data: bytes) -> None:
    """Write every byte, or raise: a write can stop short without an error (a file-size limit,
    `ulimit -f`, lets a write fill the file to it and says so only on the next one), so the rest
    is written until the system refuses it."""
    view = memoryview(data)
    while view:
        written = stream.write(view)
        if not written:
            raise OSError(28, "the output could not be written in full")
        view = view[written:]


def write_output(text: str | bytes, output: Path | None, inputs: Iterable[Path] = ()) -> None:
    """Print to stdout, or write atomically to a file that is not one of the inputs: a temporary
    file of its own (mkstemp, in the target's folder) renamed over the target. A target that is
    not a regular file (a device, a pipe) is refused; a failed write is an error, never silent."""
    import os
    import tempfile

    data = text.encode("utf-8") if isinstance(text, str) else text
    if output is None:
        if isinstance(text, bytes) and sys.stdout.isatty():
            raise OutputError("a workbook or a PDF is not for the terminal; write it with -o FILE")
        try:
            # UTF-8 whatever the console's encoding: a report never fails on a leader's name.
            stream = getattr(sys.stdout, "buffer", None)
            if stream is None:
                sys.stdout.write(data.decode("utf-8", errors="replace"))
                sys.stdout.flush()
            else:
                sys.stdout.flush()
                write_all(stream, data)
                stream.flush()
        except OSError as exc:  # a full disk, a closed pipe: the report did not arrive
            raise OutputError(
                f"cannot write the report to standard output ({exc.strerror or exc}); "
                "write it to a file with -o"
            ) from exc
        return
    check_output(output, inputs)
    if output.is_symlink():  # writing through it would replace whatever it points at
        raise OutputError(
            f"{output}: is a symbolic link; coachkit never writes through one: remove it or "
            "choose another name"
        )
    target = output.parent.resolve() / output.name
    if target.is_dir():
        raise OutputError(f"{output}: is a folder; give -o a file name inside it")
    if target.exists() and not target.is_file():
        raise OutputError(
            f"{output}: is not a regular file (a device or a pipe); choose a file name for -o"
        )
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{output}: cannot write the report ({exc.strerror})") from exc
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            write_all(stream, data)
        temporary.chmod(0o644)
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise OutputError(f"{output}: cannot write the report ({exc.strerror})") from exc
