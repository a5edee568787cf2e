"""Run a reader that an untrusted file could crash, hang or bloat in a child process: a forked
child with a memory cap (RLIMIT_AS) and a processor-time cap (RLIMIT_CPU), whose abort, runaway
or overrun becomes one error for that file while the run (and a batch) goes on. The cap counts
processor time, so the outcome does not depend on how busy the machine is; a wall-clock limit
of `WALL_FACTOR` times as long stops a child that waits without working.

python-calamine allocates a sheet's dense range from its cell references before coachkit can
check any limit, and a broken workbook can make it abort the interpreter; both end in the child.

One run forks a child per file. Inside `reader_pool()` (a batch), each process keeps one reading
child and sends it file after file, forking a new one only when a file took the last one down:
a fork of a process that has loaded pandas costs more than reading a small workbook.
"""

from __future__ import annotations

import os
import pickle
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from coachkit.errors import InputError

T = TypeVar("T")

MEMORY_BYTES = 1 << 30  # what a child may allocate beyond what the parent already holds
SECONDS = 25.0  # the processor time a child may take for one file
WALL_FACTOR = 4  # and the wall-clock time, as a multiple of that: a child that only waits
_HEADER = struct.Struct("<Q")  # each message on a pipe: its length, then a pickle


def _virtual_size() -> int:
    """This process's address space in bytes (0 where /proc does not tell)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:  # noqa: PTH123
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def isolated(
    function: Callable[..., T], args: tuple[Any, ...], name: str, seconds: float = SECONDS
) -> T:
    """`function(*args)`'s result, computed in a child process; an `InputError` it raises is
    raised here, and a crash, a memory overrun or a time overrun becomes an `InputError` naming
    `name`. `function` must be a module-level function (the reusable reader receives it by
    name)."""
    if not hasattr(os, "fork"):  # not on this platform: read in process
        return function(*args)
    if _POOLED:
        return cast(T, _pooled(function, args, name, seconds))
    import signal
    import time

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(function, args, write_end, seconds)
    os.close(write_end)
    with os.fdopen(read_end, "rb", buffering=0) as pipe:
        message, timed_out = _message(pipe, time.monotonic() + seconds * WALL_FACTOR)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return cast(T, _outcome(message, timed_out, status, name, seconds))


def _child(
    function: Callable[..., object], args: tuple[Any, ...], out: int, seconds: float
) -> None:
    """In a forked child: run the reader once, send its outcome up the pipe, exit."""
    status = 0
    try:
        _quiet_and_capped()
        _cap_cpu(seconds)
        _send(out, _run(function, args))
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _quiet_and_capped() -> None:
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)  # a reader's own crash report is not for the user's terminal
    _cap_memory()


def _run(function: Callable[..., object], args: tuple[Any, ...]) -> tuple[str, object]:
    """The reader's outcome as data: a result, an `InputError`'s message, a memory overrun, or
    another exception in one line."""
    try:
        return ("ok", function(*args))
    except InputError as exc:
        return ("error", str(exc))
    except MemoryError:
        return ("memory", "")
    except Exception as exc:  # a reader's own exception, told as one line
        return ("failed", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")


def _send(out: int, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(out, view) :]


def _message(pipe: Any, deadline: float) -> tuple[bytes | None, bool]:
    """One message from the child (None when it closed the pipe first), and whether the
    deadline came first."""
    import select
    import time

    buffer = bytearray()
    size: int | None = None
    while size is None or len(buffer) < size + _HEADER.size:
        left = deadline - time.monotonic()
        if left <= 0:
            return None, True
        ready, _, _ = select.select([pipe], [], [], min(left, 3600.0))
        if not ready:
            continue
        chunk = pipe.read(1 << 20)
        if not chunk:
            return None, False
        buffer += chunk
        if size is None and len(buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer)
    return bytes(buffer[_HEADER.size : _HEADER.size + size]), False


def _outcome(
    message: bytes | None, timed_out: bool, status: int, name: str, seconds: float
) -> object:
    """The child's result, or the one-line error its end deserves."""
    import signal

    overrun = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU
    if timed_out or (message is None and overrun):
        took = (
            f"{seconds:.0f} seconds of processor time"
            if overrun
            else f"{seconds * WALL_FACTOR:.0f} seconds"
        )
        raise InputError(
            f"{name}: reading took over {took} and was stopped; export CSV, or re-save the "
            "workbook in Excel"
        )
    if message is None:
        raise InputError(
            f"{name}: the reader stopped on this workbook ({_how(status)}); it may be damaged "
            "or far larger than it looks: re-save it in Excel, or export CSV"
        )
    kind, value = pickle.loads(message)
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


def _cap_cpu(seconds: float) -> None:
    """Let this process use `seconds` more processor time (SIGXCPU ends it beyond)."""
    try:
        import math
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(used.ru_utime + used.ru_stime + seconds)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.WEXITSTATUS(status)}"


# The reusable reader of `reader_pool()`.

_POOLED = False


@dataclass
class _Reader:
    """A child that reads file after file: requests down one pipe, outcomes up the other."""

    owner: int  # the process that forked it (a forked batch worker makes its own)
    pid: int
    requests: int
    results: Any  # a binary file over the results pipe


_READER: _Reader | None = None


@contextmanager
def reader_pool() -> Iterator[None]:
    """Within this block, every process reads its workbooks through one reusable child."""
    global _POOLED
    _POOLED = True
    try:
        yield
    finally:
        _POOLED = False
        _stop()


def _reader() -> _Reader:
    global _READER
    if _READER is not None and _READER.owner == os.getpid():
        return _READER
    _READER = None  # a reader forked by another process is not this one's to use
    requests_read, requests_write = os.pipe()
    results_read, results_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(requests_write)
        os.close(results_read)
        _serve(requests_read, results_write)
    os.close(requests_read)
    os.close(results_write)
    _READER = _Reader(os.getpid(), pid, requests_write, os.fdopen(results_read, "rb", buffering=0))
    return _READER


def _serve(requests: int, results: int) -> None:
    """The reusable reader's loop: a request (function, arguments, seconds) at a time, until
    the pipe closes."""
    status = 0
    try:
        _quiet_and_capped()
        with os.fdopen(requests, "rb", buffering=0) as pipe:
            while True:
                request, _ = _message(pipe, float("inf"))
                if request is None:
                    break
                function, args, seconds = pickle.loads(request)
                _cap_cpu(seconds)
                _send(results, _run(function, args))
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _pooled(
    function: Callable[..., object], args: tuple[Any, ...], name: str, seconds: float
) -> object:
    """A reading by the reusable reader; one that takes it down ends it (the next file forks a
    new one) and becomes that file's error."""
    import signal
    import time

    reader = _reader()
    try:
        _send(reader.requests, (function, args, seconds))
        message, timed_out = _message(reader.results, time.monotonic() + seconds * WALL_FACTOR)
    except OSError:  # the reader is gone already
        message, timed_out = None, False
    if message is not None:
        return _outcome(message, False, 0, name, seconds)
    if timed_out:
        os.kill(reader.pid, signal.SIGKILL)
    status = _stop()
    return _outcome(None, timed_out, status, name, seconds)


def _stop() -> int:
    """End this process's reusable reader (if it has one); its exit status."""
    global _READER
    reader, _READER = _READER, None
    if reader is None or reader.owner != os.getpid():
        return 0
    os.close(reader.requests)  # the reader's loop ends at the closed pipe
    reader.results.close()
    _, status = os.waitpid(reader.pid, 0)
    return status
