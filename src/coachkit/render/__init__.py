"""Renderers: every output format is a pure function of a result; one registry for every command.

Each kind of result (a report, the organization view, a comparison, a batch index) has a table
from `Format` to its renderer, in the module named in `REGISTRIES`; `render` looks the format up
there and refuses one the table lacks. Renderers return text (bytes for workbooks), never print.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from coachkit.options import Format

__all__ = ["SUFFIXES", "Format", "RenderOptions", "format_for_path", "formats_for", "render"]

SUFFIXES = {
    ".txt": Format.table,
    ".md": Format.markdown,
    ".markdown": Format.markdown,
    ".json": Format.json,
    ".csv": Format.csv,
    ".html": Format.html,
    ".htm": Format.html,
    ".xlsx": Format.xlsx,
    ".pdf": Format.pdf,
}
# The kind of result (its class name) -> the module whose `RENDERERS` table renders it (or
# `module:NAME` for a module with two tables).
REGISTRIES = {
    "Report": "coachkit.render.report",
    "OrgReport": "coachkit.render.org",
    "CompareReport": "coachkit.render.compare",
    "JourneyReport": "coachkit.render.journey",
    "JourneyCompareReport": "coachkit.render.journey:CHANGE_RENDERERS",
    "BatchResult": "coachkit.render.index",
}


@dataclass(frozen=True)
class RenderOptions:
    """How to render: colour, width, a user's Markdown template, the PDF's paper, and whether a
    terminal report shows the summaries only."""

    color: bool = False
    width: int = 100
    template: Path | None = None
    paper: str = "A4"  # A4 or Letter
    brief: bool = False  # the terminal report: each leader's "In short" only


Renderer = Callable[[Any, RenderOptions], str | bytes]


def renderers(kind: str) -> Mapping[Format, Renderer]:
    """The format table of a kind of result ("Report", "OrgReport"...)."""
    module, _, name = REGISTRIES[kind].partition(":")
    table: Mapping[Format, Renderer] = getattr(import_module(module), name or "RENDERERS")
    return table


def formats_for(kind: str) -> tuple[Format, ...]:
    """The formats a kind of result is written in."""
    return tuple(renderers(kind))


def render(result: object, fmt: Format, options: RenderOptions | None = None) -> str | bytes:
    """Render a result in one format (bytes for workbooks); a format its kind lacks is a usage
    error that names the ones it has."""
    from coachkit.errors import UsageError
    from coachkit.memory import collection_paused

    kind = type(result).__name__
    table = renderers(kind)
    renderer = table.get(fmt)
    if renderer is None:
        known = ", ".join(f.value for f in table)
        raise UsageError(f"{fmt.value} is not written for this command; use {known}", "format")
    with collection_paused():  # renderers build many small objects, none of them cyclic
        return renderer(result, options or RenderOptions())


def format_for_path(path: Path) -> Format | None:
    """The format an output file's suffix names, if any."""
    return SUFFIXES.get(path.suffix.lower())
