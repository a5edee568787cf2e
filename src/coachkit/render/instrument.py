"""What `dimensions` prints: the instrument as plain text or JSON (kept light: it runs at start-up
speed, so no renderer package and no JSON module unless JSON is asked for)."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

from coachkit.options import Format
from coachkit.text import in_sentence, printable

if TYPE_CHECKING:
    from coachkit.instruments import Instrument


def render_instrument(instrument: Instrument, fmt: Format) -> str:
    """The instrument (`coachkit dimensions`) as text or JSON."""
    if fmt is Format.json:
        from coachkit.render.json import SCHEMA_VERSION, dumps

        return dumps(
            {
                "schema_version": SCHEMA_VERSION,
                "id": instrument.id,
                "name": instrument.name,
                "families": [asdict(f) for f in instrument.families],
                "dimensions": [asdict(d) for d in instrument.dimensions],
                "groups": [asdict(g) for g in (*instrument.groups, instrument.pooled)],
            }
        )
    lines = [f"{instrument.name} ({instrument.id})", ""]
    for family in instrument.families:
        title = f"{family.label} ({family.description})" if family.description else family.label
        lines.append(title)
        for dim in instrument.dimensions:
            if dim.family == family.id:
                lines.append(f"  {dim.id:<28} {dim.label}")
                if dim.aliases:
                    lines.append(f"  {'':<28} also: {', '.join(dim.aliases)}")
        lines.append("")
    lines.append("Rater groups")
    for group in instrument.groups:
        need = max(3, group.min_raters or 0) if group.anonymous else 1
        source = " (--min-raters, or more)" if group.anonymous else ""
        lines.append(
            f"  {group.id:<28} {group.label}; reported from {need} rater{'s' * (need > 1)}{source}"
        )
        if group.aliases:
            lines.append(f"  {'':<28} also: {', '.join(group.aliases)}")
    left_out = ", ".join(in_sentence(instrument.group(g).label) for g in instrument.pooled_excludes)
    lines.append(
        f"  {instrument.pooled.id:<28} {instrument.pooled.label}; every rater but {left_out}, "
        "reported from 4 raters (--min-raters + 1)"
    )
    # labels come from a user's file: no escape sequence reaches the terminal
    return "\n".join(line.rstrip() if not line else _keep_indent(line) for line in lines) + "\n"


def _keep_indent(line: str) -> str:
    body = line.lstrip(" ")
    return " " * (len(line) - len(body)) + printable(body)
