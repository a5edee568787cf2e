"""The renderers of a leader report (`coachkit analyze`), one per format."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachkit.options import Format

if TYPE_CHECKING:
    from coachkit.model import Report
    from coachkit.render import Renderer, RenderOptions


def _table(report: Report, options: RenderOptions) -> str:
    from coachkit.render.table import render_table

    return render_table(report, color=options.color, width=options.width, brief=options.brief)


def _markdown(report: Report, options: RenderOptions) -> str:
    from coachkit.render.markdown import render_markdown

    return render_markdown(report, options.template)


def _json(report: Report, options: RenderOptions) -> str:
    from coachkit.render.json import render_json

    return render_json(report)


def _csv(report: Report, options: RenderOptions) -> str:
    from coachkit.render.csv import render_csv

    return render_csv(report)


def _html(report: Report, options: RenderOptions) -> str:
    from coachkit.render.html import render_html

    return render_html(report, options.paper)


def _pdf(report: Report, options: RenderOptions) -> bytes:
    from coachkit.render.html import render_html
    from coachkit.render.pdf import html_to_pdf

    return html_to_pdf(render_html(report, options.paper))


def _xlsx(report: Report, options: RenderOptions) -> bytes:
    from coachkit.render.xlsx import render_xlsx

    return render_xlsx(report)


RENDERERS: dict[Format, Renderer] = {
    Format.table: _table,
    Format.markdown: _markdown,
    Format.json: _json,
    Format.csv: _csv,
    Format.html: _html,
    Format.xlsx: _xlsx,
    Format.pdf: _pdf,
}
