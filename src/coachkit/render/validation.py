"""What `validate` and `dimensions` print: plain text or JSON, no analysis needed."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from coachkit.model import exclusion_reasons
from coachkit.render import Format
from coachkit.render.json import SCHEMA_VERSION, dumps
from coachkit.text import printable

if TYPE_CHECKING:
    from coachkit.validate import Dataset


def validation_document(dataset: Dataset, min_raters: int = 3) -> dict[str, Any]:
    """What `validate` found, as JSON-ready data: per leader the responses of each group and the
    anonymous groups too small to be reported (`not_reported`: group -> raters)."""
    subjects: dict[str, dict[str, int]] = {}
    instrument = dataset.instrument
    groups = [g.id for g in instrument.groups]
    for s, g in zip(dataset.subject_codes.tolist(), dataset.group_codes.tolist(), strict=True):
        counts = subjects.setdefault(dataset.subjects[s], {})
        counts[groups[g]] = counts.get(groups[g], 0) + 1
    return {
        "schema_version": SCHEMA_VERSION,
        "scheme": dataset.scheme.value,
        "values": dataset.values.value,
        "min_raters": min_raters,
        "inputs": [asdict(i) for i in dataset.inputs],
        "subjects": [
            {
                "subject": s,
                "responses": g,
                "not_reported": {
                    group: n
                    for group, n in g.items()
                    if n < instrument.group(group).least(min_raters)
                },
            }
            for s, g in subjects.items()
        ],
        "excluded": [asdict(e) for e in dataset.excluded],
        "excluded_by_reason": [
            {"reason": r.reason, "count": r.count, "first": [asdict(e) for e in r.first]}
            for r in exclusion_reasons(dataset.excluded)
        ],
    }


def render_validation(dataset: Dataset, fmt: Format, min_raters: int = 3) -> str:
    """What `validate` found, as text or JSON."""
    document = validation_document(dataset, min_raters)
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
        small = entry["not_reported"]
        groups = ", ".join(
            f"{instrument.group(g).label} {n}"
            + (
                f": not reported (fewer than {instrument.group(g).least(min_raters)})"
                * (g in small)
            )
            for g, n in sorted(
                entry["responses"].items(), key=lambda item: instrument.group_ids.index(item[0])
            )
        )
        lines.append(f"{printable(entry['subject'])}: {groups}")
    if dataset.excluded:
        reasons = exclusion_reasons(dataset.excluded)
        if len(dataset.excluded) > len(reasons):  # a summary says more than the list
            width = len(f"{reasons[0].count:,}")
            lines += ["", f"Excluded responses by reason ({len(dataset.excluded):,}):"]
            lines += [
                f"  {r.count:>{width},}  {r.reason}: row{'s' * (r.count > 1)} "
                + ", ".join(str(e.row) for e in r.first)
                + (", ..." if r.count > len(r.first) else "")
                for r in reasons
            ]
        lines += ["", f"Excluded responses ({len(dataset.excluded):,}):"]
        lines += [
            f"  {printable(e.path)} row {e.row} ({printable(e.subject) or 'no subject'}): {e.reason}"
            for e in dataset.excluded
        ]
    else:
        lines += ["", "No response excluded."]
    return "\n".join(lines) + "\n"
