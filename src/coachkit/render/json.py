"""The JSON report: SPEC section 6 keys, floats to 4 decimals, sorted keys, byte-identical."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, fields, is_dataclass
from typing import Any

from coachkit.model import Block, Report, SubjectResult

SCHEMA_VERSION = 1


def clean(value: Any) -> Any:
    """Round floats to 4 decimals (no -0.0), recurse into containers and dataclasses."""
    if isinstance(value, float):
        rounded = round(value, 4)
        return 0.0 if rounded == 0 else rounded
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: clean(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(clean(document), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def report_document(report: Report) -> dict[str, Any]:
    instrument = report.instrument
    return {
        "schema_version": SCHEMA_VERSION,
        "coachkit_version": report.coachkit_version,
        "instrument": {
            "id": instrument.id,
            "name": instrument.name,
            "dimensions": [asdict(d) for d in instrument.dimensions],
        },
        "settings": asdict(report.settings),
        "inputs": [asdict(i) for i in report.inputs],
        "excluded": [asdict(e) for e in report.excluded],
        "subjects": [_subject(s) for s in report.subjects],
    }


def _subject(subject: SubjectResult) -> dict[str, Any]:
    groups = []
    for g in subject.groups:
        entry: dict[str, Any] = {"group": g.group, "n": g.n, "reported": g.reported}
        if g.reason is not None:
            entry["reason"] = g.reason
        groups.append(entry)
    return {
        "subject": subject.subject,
        "groups": groups,
        "blocks": [_block(b) for b in subject.blocks],
        "coaching_focus": [asdict(f) for f in subject.coaching_focus],
        "tilt_contrast": subject.tilt_contrast,
        "strengths": list(subject.strengths),
    }


def _block(block: Block) -> dict[str, Any]:
    document = {
        "block": block.block,
        "dimensions": list(block.dimensions),
        "mean_rank": block.mean_rank,
        "consensus_rank": block.consensus_rank,
        "comparisons": [asdict(c) for c in block.comparisons],
        "concordance": {g: asdict(c) for g, c in block.concordance.items()},
    }
    if block.tilt is not None:
        document["tilt"] = {g: asdict(t) for g, t in block.tilt.items()}
    return document


def render_json(report: Report) -> str:
    return dumps(report_document(report))
