"""The batch index: one line per report written, and the files that failed."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from coachkit.options import Format
from coachkit.render.json import SCHEMA_VERSION, dumps
from coachkit.render.markdown import md
from coachkit.text import in_sentence

if TYPE_CHECKING:
    from coachkit.model import BatchResult, IndexEntry
    from coachkit.render import Renderer, RenderOptions


def _json(result: BatchResult, options: RenderOptions) -> str:
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "reports": [_entry(e, result.attribute_columns) for e in result.reports],
        "failed": [{"input": i, "error": e} for i, e in result.failed],
    }
    return dumps(document)


def _entry(entry: IndexEntry, roster: tuple[str, ...]) -> dict[str, Any]:
    """An index line as JSON: the entry, its roster attributes only when a roster was given."""
    found = dataclasses.asdict(entry)
    if not roster:
        del found["attributes"]
    return found


def _attributes(entry: IndexEntry, roster: tuple[str, ...]) -> list[str]:
    found = entry.attributes or {}
    return [found.get(c) or "-" for c in roster]


def _groups(result: BatchResult) -> list[tuple[str, str]]:
    """The groups some report counts raters in, as (id, label), in the instrument's order: a
    column each."""
    seen = {g for e in result.reports for g in e.groups}
    known = [(g, label) for g, label in result.group_labels.items() if g in seen]
    return known + [(g, g) for g in sorted(seen - set(result.group_labels))]


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"


def _markdown(result: BatchResult, options: RenderOptions) -> str:
    me, manager = result.roles
    roster = result.attribute_columns
    groups = _groups(result)
    lines = ["# coachkit batch reports", ""]
    if result.reports:
        heads = [md(label) for _, label in groups]
        lines += [
            f"| Leader | Input | {' | '.join(heads)} | {me}-{in_sentence(manager)} rho "
            f"| {me} tilt | {manager} tilt | "
            + "".join(f"{md(c)} | " for c in roster)
            + "Report |",
            "|---|---|" + "---:|" * (len(groups) + 3) + "---|" * len(roster) + "---|",
        ]
        for e in result.reports:
            counts = " | ".join(str(e.groups.get(g, "-")) for g, _ in groups)
            tilts = list(e.tilt.values())
            lines.append(
                f"| {md(e.subject)} | {md(e.input)} | {counts} | {_number(e.self_manager_spearman)} "
                f"| {_number(tilts[0])} | {_number(tilts[1])} | "
                + "".join(f"{md(v)} | " for v in _attributes(e, roster))
                + f"[{md(e.path)}](<{e.path}>) |"
            )
    if result.failed:
        lines += ["", "## Files that failed", ""]
        lines += [f"- {md(i)}: {md(error)}" for i, error in result.failed]
    return "\n".join(lines) + "\n"


def _html(result: BatchResult, options: RenderOptions) -> str:
    """The index as a page linking every report (for `batch --format html`): a column of rater
    counts per group, numbers aligned right."""
    from html import escape

    me, manager = result.roles
    groups = _groups(result)
    rows = "".join(
        f'<tr><td><a href="{escape(e.path)}">{escape(e.subject)}</a></td>'
        f"<td>{escape(e.input.replace(chr(92), '/').rsplit('/', 1)[-1])}</td>"
        + "".join(f'<td class="n">{e.groups.get(g, "-")}</td>' for g, _ in groups)
        + f'<td class="n">{_number(e.self_manager_spearman)}</td>'
        + "".join(f'<td class="n">{_number(t)}</td>' for t in list(e.tilt.values())[:2])
        + "".join(f"<td>{escape(v)}</td>" for v in _attributes(e, result.attribute_columns))
        + "</tr>"
        for e in result.reports
    )
    failed = "".join(
        f"<li>{escape(i.replace(chr(92), '/').rsplit('/', 1)[-1])}: {escape(error)}</li>"
        for i, error in result.failed
    )
    heads = "".join(f'<th class="n">{escape(label)}</th>' for _, label in groups)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>coachkit batch reports</title><style>body{font:15px/1.45 system-ui,sans-serif;"
        "max-width:960px;margin:0 auto;padding:20px}table{border-collapse:collapse}"
        "th,td{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left}"
        ".n{text-align:right;font-variant-numeric:tabular-nums}</style></head>"
        f"<body><h1>coachkit batch reports</h1><table><thead><tr><th>Leader</th><th>Input</th>"
        f'{heads}<th class="n">{escape(me)}-{escape(in_sentence(manager))} rho</th>'
        f'<th class="n">{escape(me)} tilt</th><th class="n">{escape(manager)} tilt</th>'
        + "".join(f"<th>{escape(c)}</th>" for c in result.attribute_columns)
        + "</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        + (f"<h2>Files that failed</h2><ul>{failed}</ul>" if failed else "")
        + "</body></html>\n"
    )


RENDERERS: dict[Format, Renderer] = {
    Format.markdown: _markdown,
    Format.json: _json,
    Format.html: _html,
}
