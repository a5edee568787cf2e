"""Renderers of one-page views (organization, comparison): a titled table and sections of
sentences in every layout format; JSON and CSV come from the result itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from coachkit.options import Format

if TYPE_CHECKING:
    from coachkit.render import Renderer, RenderOptions
    from coachkit.render.view import Page


def page_renderers(shown: Callable[[Any], Page | list[Page]]) -> dict[Format, Renderer]:
    """A format table for a result shown as `shown(result)`: a page, or pages one after another;
    its JSON and CSV are the result's own document and table (`coachkit.document`)."""

    def pages(result: Any) -> list[Page]:
        found = shown(result)
        return found if isinstance(found, list) else [found]

    def table(result: Any, options: RenderOptions) -> str:
        from coachkit.render.table import render_pages

        return render_pages(pages(result), options)

    def markdown(result: Any, options: RenderOptions) -> str:
        from coachkit.render.markdown import render_template

        return render_template("page.md.j2", options.template, pages=pages(result), report=result)

    def json(result: Any, options: RenderOptions) -> str:
        from coachkit.render.json import render_json

        return render_json(result)

    def csv(result: Any, options: RenderOptions) -> str:
        from coachkit.render.csv import render_csv

        return render_csv(result)

    def html(result: Any, options: RenderOptions) -> str:
        from coachkit.render.html import render_pages_html

        found = pages(result)
        return render_pages_html(found, found[0].title, options.paper)

    def pdf(result: Any, options: RenderOptions) -> bytes:
        from coachkit.render.pdf import html_to_pdf

        return html_to_pdf(html(result, options))

    def xlsx(result: Any, options: RenderOptions) -> bytes:
        from coachkit.render.xlsx import render_pages_xlsx

        return render_pages_xlsx(pages(result))

    return {
        Format.table: table,
        Format.markdown: markdown,
        Format.json: json,
        Format.csv: csv,
        Format.html: html,
        Format.xlsx: xlsx,
        Format.pdf: pdf,
    }
