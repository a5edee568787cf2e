"""What `validate` and `dimensions` print: plain text or JSON, no analysis needed."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from coachkit.render import Format
from coachkit.render.json import SCHEMA_VERSION, dumps
from coachkit.text import in_sentence, printable

if TYPE_CHECKING:
    from coachkit.instruments import Instrument
    from coachkit.validate import Dataset


def validation_document(dataset: Dataset) -> dict[str, Any]:
    subjects: dict[str, dict[str, int]] = {}
    groups = [g.id for g in dataset.instrument.groups]
    for s, g in zip(dataset.subject_codes.tolist(), dataset.group_codes.tolist(), strict=True):
        counts = subjects.setdefault(dataset.subjects[s], {})
        counts[groups[g]] = counts.get(groups[g], 0) + 1
    return {
        "schema_version": SCHEMA_VERSION,
        "scheme": dataset.scheme.value,
        "values": dataset.values.value,
        "inputs": [asdict(i) for i in dataset.inputs],
        "subjects": [{"subject": s, "responses": g} for s, g in subjects.items()],
        "excluded": [asdict(e) for e in dataset.excluded],
    }


def render_validation(dataset: Dataset, fmt: Format) -> str:
    document = validation_document(dataset)
    if fmt is Format.json:
        return dumps(document)
    instrument = dataset.instrument
    lines = [f"Values: {dataset.values.value}; scheme: {dataset.scheme.value}", ""]
    for source in dataset.inputs:
        lines.append(
            f"{printable(source.path)}: read as {source.source_format}, {source.rows} rows, "
            f"{source.responses_used} responses usable, {source.responses_excluded} excluded"
        )
    lines.append("")
    for entry in document["subjects"]:
        groups = ", ".join(
            f"{instrument.group(g).label} {n}"
            for g, n in sorted(
                entry["responses"].items(), key=lambda item: instrument.group_ids.index(item[0])
            )
        )
        lines.append(f"{printable(entry['subject'])}: {groups}")
    if dataset.excluded:
        lines += ["", f"Excluded responses ({len(dataset.excluded)}):"]
        lines += [
            f"  {printable(e.path)} row {e.row} ({printable(e.subject) or 'no subject'}): {e.reason}"
            for e in dataset.excluded
        ]
    else:
        lines += ["", "No response excluded."]
    return "\n".join(lines) + "\n"


def render_instrument(instrument: Instrument, fmt: Format) -> str:
    if fmt is Format.json:
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
        need = group.min_raters or (3 if group.anonymous else 1)
        source = "" if group.min_raters or not group.anonymous else " (--min-raters)"
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
    return "\n".join(lines) + "\n"
