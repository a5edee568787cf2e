"""The Markdown report, from a Jinja2 template (the shipped one, or a coach's own)."""

from __future__ import annotations

import re
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

    # no loader of files: `{% include %}` and `{% import %}` find nothing, and say so
    env = ImmutableSandboxedEnvironment(loader=jinja2.DictLoader({}), **_settings())
    env.filters["md"] = md
    return env


@lru_cache(maxsize=8)
def _compiled(name: str, source: str | None) -> jinja2.Template:
    """The shipped template `name`, or a user's template text (sandboxed), compiled once."""
    if source is None:
        return _environment().get_template(name)
    return _sandbox().from_string(source)


MAX_TEMPLATE_OUTPUT = 64 << 20  # characters a user's template may write
MAX_TEMPLATE_SECONDS = 60.0  # CPU seconds it may take


def render_template(name: str, template: Path | None, **context: object) -> str:
    """Render a shipped template, or the user's `template` file in its place, with the `md`
    filter. A user's template is read by the option files' rules and runs sandboxed, within
    `MAX_TEMPLATE_OUTPUT` characters and `MAX_TEMPLATE_SECONDS` of CPU time; whatever stops it
    is one line naming the file."""
    import jinja2

    from coachkit.text import read_option_file

    source = None if template is None else read_option_file(template, "template")
    try:
        compiled = _compiled(name, source)
        if template is None:
            return compiled.render(**context)
        return _bounded(compiled, context, template)
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
    except (RecursionError, OverflowError, MemoryError, ArithmeticError) as exc:
        raise CoachkitError(
            f"{template}: the template stopped ({type(exc).__name__}: {exc}); simplify it"
        ) from None


def _bounded(compiled: jinja2.Template, context: dict[str, object], template: Path) -> str:
    """A user's template rendered piece by piece, stopped past the output or time limit."""
    import time

    parts, size = [], 0
    deadline = time.process_time() + MAX_TEMPLATE_SECONDS
    for part in compiled.generate(**context):
        parts.append(part)
        size += len(part)
        if size > MAX_TEMPLATE_OUTPUT or time.process_time() > deadline:
            raise CoachkitError(
                f"{template}: the template writes over {MAX_TEMPLATE_OUTPUT >> 20} MB or runs over "
                f"{MAX_TEMPLATE_SECONDS:.0f} CPU seconds; simplify it"
            )
    return "".join(parts)
