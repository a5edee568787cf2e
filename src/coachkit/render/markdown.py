"""The Markdown report, from a Jinja2 template (the shipped one, or a coach's own)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coachkit import wording
from coachkit.errors import CoachkitError
from coachkit.render.view import subject_view
from coachkit.text import printable

if TYPE_CHECKING:
    import jinja2

    from coachkit.model import Report

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
_LINE_START = re.compile(r"^([#>+])")


def md(text: object) -> str:
    """Escape text for Markdown, table cells included: no markup, HTML or line breaks survive."""
    return _md(str(text))


@lru_cache(maxsize=8192)  # labels and numbers repeat across a report's cells
def _md(text: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", printable(text))
    return _LINE_START.sub(r"\\\1", _HTML_START.sub("&lt;", escaped))


def render_markdown(report: Report, template: Path | None = None) -> str:
    """The Markdown report, from the shipped template or a user's."""
    views = [subject_view(report, s) for s in report.subjects]
    words = wording.words(report.instrument)
    return render_template(
        "report.md.j2",
        template,
        report=report,
        subjects=views,
        words=words,
        prompts=wording.PLAN_PROMPTS,
        comments_note=wording.COMMENTS_NOTE,
        differences_heading=wording.DIFFERENCES_HEADING,
        values_note=wording.values_note(report.settings),
        max_excluded=wording.MAX_EXCLUDED_SHOWN,
        excluded_more=wording.excluded_more,
        excluded_by_reason=wording.excluded_by_reason,
    )


def _settings() -> dict[str, Any]:
    """What every Markdown environment shares: text as written, strict about unknown names."""
    import jinja2

    return {
        "autoescape": False,
        "keep_trailing_newline": True,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "undefined": jinja2.StrictUndefined,
    }


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    """One Jinja2 environment per process: a batch compiles each template once."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("coachkit.render", "templates"),
        **_settings(),
    )
    env.filters["md"] = md
    return env


@lru_cache(maxsize=1)
def _sandbox() -> jinja2.Environment:
    """The environment for a user's template: Jinja2's sandbox, so that a template can read the
    report but run no Python (no attribute walks to `os`, no calls of unsafe methods)."""
    import jinja2
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Bounded(ImmutableSandboxedEnvironment):
        """The sandbox, refusing a multiplication or power whose value would be too large for
        a report before computing it (one such step is no piece of output the limits see)."""

        intercepted_binops = frozenset({"*", "**"})

        def call_binop(
            self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any
        ) -> Any:
            if _too_large(operator, left, right):
                raise jinja2.exceptions.SecurityError(
                    f"the value of {operator} would be too large for a report"
                )
            return super().call_binop(context, operator, left, right)

    # no loader of files: `{% include %}` and `{% import %}` find nothing, and say so; no
    # folding of constants while compiling (`"x"|center(10**9)` would be computed there, with
    # no limit on its time or memory)
    env = Bounded(loader=jinja2.DictLoader({}), optimized=False, **_settings())
    env.filters["md"] = md
    return env


_MAX_NUMBER_BITS = 1 << 15  # about 10,000 digits, more than Python prints (4,300)


def _too_large(operator: str, left: object, right: object) -> bool:
    """Whether `left operator right` (`*` or `**`) would build a value past the template's
    output limit, or a whole number of more than `_MAX_NUMBER_BITS` bits."""
    whole = (int, bool)
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | list | tuple) and isinstance(times, whole):
                return len(seq) * int(times) > MAX_TEMPLATE_OUTPUT
        if isinstance(left, whole) and isinstance(right, whole):
            return int(left).bit_length() + int(right).bit_length() > _MAX_NUMBER_BITS
        return False
    if isinstance(left, whole) and isinstance(right, whole) and abs(int(left)) > 1:
        return int(right) * int(left).bit_length() > _MAX_NUMBER_BITS
    return False


@lru_cache(maxsize=8)
def _compiled(name: str, source: str | None) -> jinja2.Template:
    """The shipped template `name`, or a user's template text (sandboxed), compiled once."""
    if source is None:
        return _environment().get_template(name)
    return _sandbox().from_string(source)


MAX_TEMPLATE_OUTPUT = 64 << 20  # characters a user's template may write
MAX_TEMPLATE_SECONDS = 10.0  # CPU seconds it may take
MAX_TEMPLATE_MEMORY = 1 << 30  # bytes it may allocate beyond what the process holds


def render_template(name: str, template: Path | None, **context: object) -> str:
    """Render a shipped template, or the user's `template` file in its place, with the `md`
    filter. A user's template is read by the option files' rules and runs sandboxed, within
    `MAX_TEMPLATE_OUTPUT` characters and `MAX_TEMPLATE_SECONDS` of CPU time; whatever stops it
    is one line naming the file."""
    import jinja2

    from coachkit.text import read_option_file

    source = None if template is None else read_option_file(template, "template")
    try:
        if template is None:
            return _compiled(name, source).render(**context)
        return _bounded(name, source, context, template)
    except jinja2.TemplateNotFound as exc:
        raise CoachkitError(
            f"{template}: the template includes or imports {exc.name!r}; a report template is "
            "one file"
        ) from exc
    except jinja2.exceptions.SecurityError as exc:
        raise CoachkitError(
            f"{template}: the template tried something a report template may not ({exc})"
        ) from exc
    except jinja2.TemplateError as exc:
        where = f"line {exc.lineno}: " if isinstance(exc, jinja2.TemplateSyntaxError) else ""
        raise CoachkitError(f"{template or name}: template error: {where}{exc}") from exc
    except (RecursionError, MemoryError, ArithmeticError, ValueError, TypeError) as exc:
        raise CoachkitError(
            f"{template}: the template stopped ({type(exc).__name__}: {exc}); simplify it"
        ) from None


def _bounded(name: str, source: str | None, context: dict[str, object], template: Path) -> str:
    """A user's template compiled and rendered piece by piece, stopped past the output limit,
    the processor time limit (a timer that fires inside loops that write nothing, where the
    main thread can take a signal) or the memory limit."""
    import time

    over = CoachkitError(
        f"{template}: the template writes over {MAX_TEMPLATE_OUTPUT >> 20} MB or runs over "
        f"{MAX_TEMPLATE_SECONDS:g} CPU seconds; simplify it"
    )
    parts, size = [], 0
    deadline = time.process_time() + MAX_TEMPLATE_SECONDS
    with _processor_timer(MAX_TEMPLATE_SECONDS, over), _memory_cap(MAX_TEMPLATE_MEMORY):
        for part in _compiled(name, source).generate(**context):
            parts.append(part)
            size += len(part)
            if size > MAX_TEMPLATE_OUTPUT or time.process_time() > deadline:
                raise over
    return "".join(parts)


@contextmanager
def _processor_timer(seconds: float, error: Exception) -> Iterator[None]:
    """Raise `error` once this process has used `seconds` more processor time (SIGPROF), on
    the main thread of a platform that has the timer; elsewhere, nothing."""
    import signal
    import threading

    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise error

    before = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, before)


@contextmanager
def _memory_cap(budget: int) -> Iterator[None]:
    """Let this process allocate at most `budget` more bytes of address space in the block (an
    allocation past it is a MemoryError), where the platform can say and set it."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:  # noqa: PTH123
            held = int(statm.read().split()[0]) * resource.getpagesize()
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError, IndexError):
        yield
        return
    limit = held + budget
    if (soft != resource.RLIM_INFINITY and soft <= limit) or (
        hard != resource.RLIM_INFINITY and hard < limit
    ):
        yield  # a lower limit is already set
        return
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
