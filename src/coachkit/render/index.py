"""The batch index: one line per report written, and the files that failed."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from coachkit.options import Format
from coachkit.render.json import SCHEMA_VERSION, dumps
from coachkit.render.markdown import md
from coachkit.text import in_sentence

if TYPE_CHECKING:
    from coachkit.batch import BatchResult
    from coachkit.render import Renderer, RenderOptions


def _json(result: BatchResult, options: RenderOptions) -> str:
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "reports": [dataclasses.asdict(e) for e in result.reports],
        "failed": [{"input": i, "error": e} for i, e in result.failed],
    }
    return dumps(document)


def _markdown(result: BatchResult, options: RenderOptions) -> str:

    def number(value: float | None, sign: str = "+") -> str:
        return "-" if value is None else f"{value:{sign}.2f}"

    me, manager = result.roles
    lines = ["# coachkit batch reports", ""]
    if result.reports:
        lines += [
            f"| Leader | Input | Raters | {me}-{in_sentence(manager)} rho | {me} tilt | {manager} tilt | Report |",
            "|---|---|---|---:|---:|---:|---|",
        ]
        for e in result.reports:
            raters = ", ".join(f"{g} {n}" for g, n in e.groups.items())
            tilts = list(e.tilt.values())
            lines.append(
                f"| {md(e.subject)} | {md(e.input)} | {md(raters)} | {number(e.self_manager_spearman)} "
                f"| {number(tilts[0])} | {number(tilts[1])} | [{md(e.path)}](<{e.path}>) |"
            )
    if result.failed:
        lines += ["", "## Files that failed", ""]
        lines += [f"- {md(i)}: {md(error)}" for i, error in result.failed]
    return "\n".join(lines) + "\n"


RENDERERS: dict[Format, Renderer] = {Format.markdown: _markdown, Format.json: _json}
