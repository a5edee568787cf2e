"""Renderers: every output format is a pure function from a `Report` to text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coachkit.options import Format

__all__ = ["BINARY", "SUFFIXES", "Format", "RenderOptions", "format_for_path", "render"]

if TYPE_CHECKING:
    from coachkit.model import Report


SUFFIXES = {
    ".txt": Format.table,
    ".md": Format.markdown,
    ".markdown": Format.markdown,
    ".json": Format.json,
    ".csv": Format.csv,
    ".html": Format.html,
    ".htm": Format.html,
    ".xlsx": Format.xlsx,
}
BINARY = {Format.xlsx}


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    width: int = 100
    template: Path | None = None


def render(report: Report, fmt: Format, options: RenderOptions | None = None) -> str | bytes:
    """Render the report in one format (bytes for the binary ones). Every `Format` has one."""
    from coachkit.memory import collection_paused

    with collection_paused():  # renderers build many small objects, none of them cyclic
        return _render(report, fmt, options or RenderOptions())


def _render(report: Report, fmt: Format, options: RenderOptions) -> str | bytes:
    if fmt is Format.table:
        from coachkit.render.table import render_table

        return render_table(report, color=options.color, width=options.width)
    if fmt is Format.markdown:
        from coachkit.render.markdown import render_markdown

        return render_markdown(report, options.template)
    if fmt is Format.json:
        from coachkit.render.json import render_json

        return render_json(report)
    if fmt is Format.csv:
        from coachkit.render.csv import render_csv

        return render_csv(report)
    if fmt is Format.html:
        from coachkit.render.html import render_html

        return render_html(report)
    if fmt is Format.xlsx:
        from coachkit.render.xlsx import render_xlsx

        return render_xlsx(report)
    raise AssertionError(f"no renderer for {fmt}")


def format_for_path(path: Path) -> Format | None:
    return SUFFIXES.get(path.suffix.lower())
