"""Run a reader that an untrusted file could crash, hang or bloat in a child process: a forked
child with a memory cap (RLIMIT_AS) and a time limit, whose abort, runaway or timeout becomes one
error for that file while the run (and a batch) goes on.

python-calamine allocates a sheet's dense range from its cell references before coachkit can
check any limit, and a broken workbook can make it abort the interpreter; both end in the child.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from typing import TypeVar, cast

from coachkit.errors import InputError

T = TypeVar("T")

MEMORY_BYTES = 1 << 30  # what a child may allocate beyond what the parent already holds
SECONDS = 25.0  # how long a child may take


def _virtual_size() -> int:
    """This process's address space in bytes (0 where /proc does not tell)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:  # noqa: PTH123
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def isolated(work: Callable[[], T], name: str, seconds: float = SECONDS) -> T:
    """`work()`'s result, computed in a forked child; an `InputError` it raises is raised here,
    and a crash, a memory overrun or a timeout becomes an `InputError` naming `name`."""
    if not hasattr(os, "fork"):  # not on this platform: read in process
        return work()
    import signal
    import time

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(work, write_end)
    os.close(write_end)
    chunks, timed_out = _received(read_end, time.monotonic() + seconds)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return cast(T, _outcome(chunks, timed_out, status, name, seconds))


def _child(work: Callable[[], object], write_end: int) -> None:
    """In the forked child: run `work` with stderr silenced and memory capped, send its outcome
    (a result, an `InputError`'s message, a memory overrun, another exception in one line) up
    the pipe, and exit without returning."""
    status = 0
    try:
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 2)  # a reader's own crash report is not for the user's terminal
        _cap_memory()
        try:
            outcome: tuple[str, object] = ("ok", work())
        except InputError as exc:
            outcome = ("error", str(exc))
        except MemoryError:
            outcome = ("memory", "")
        except Exception as exc:  # a reader's own exception, told as one line
            outcome = ("failed", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as out:
            out.write(data)
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _received(read_end: int, deadline: float) -> tuple[list[bytes], bool]:
    """What the child sent until it closed the pipe, and whether the deadline came first."""
    import select
    import time

    chunks: list[bytes] = []
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return chunks, True
            ready, _, _ = select.select([pipe], [], [], left)
            if not ready:
                continue
            chunk = pipe.read(1 << 20)
            if not chunk:
                return chunks, False
            chunks.append(chunk)


def _outcome(
    chunks: list[bytes], timed_out: bool, status: int, name: str, seconds: float
) -> object:
    """The child's result, or the one-line error its end deserves."""
    if timed_out:
        raise InputError(
            f"{name}: reading took over {seconds:.0f} seconds and was stopped; export CSV, "
            "or re-save the workbook in Excel"
        )
    if not chunks:
        raise InputError(
            f"{name}: the reader stopped on this workbook ({_how(status)}); it may be damaged "
            "or far larger than it looks: re-save it in Excel, or export CSV"
        )
    kind, value = pickle.loads(b"".join(chunks))
    if kind == "ok":
        return value
    if kind == "memory":
        raise InputError(
            f"{name}: reading needs more than {MEMORY_BYTES >> 20} MiB; export CSV, or drop "
            "unused rows and columns"
        )
    if kind == "error":
        raise InputError(str(value))
    raise InputError(f"{name}: not a readable Excel workbook ({value}); re-save it in Excel")


def _cap_memory() -> None:
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    limit = _virtual_size() + MEMORY_BYTES
    if _virtual_size():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.WEXITSTATUS(status)}"
