"""The JSON report: SPEC section 6 keys, floats to 4 decimals, sorted keys, byte-identical.

Documents are indented for people. A top-level list longer than `PRETTY_ITEMS` (the subjects of
an organization-wide file, say) has one compact item per line instead: still valid JSON, easy to
grep. orjson writes the text, byte for byte what the standard library would.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, fields, is_dataclass
from typing import TYPE_CHECKING, Any

from coachkit.policy import beyond_chance
from coachkit.render import wording

if TYPE_CHECKING:
    from coachkit.model import (
        Block,
        Comparison,
        Focus,
        InstrumentInfo,
        Report,
        SubjectResult,
        TiltContrast,
    )

SCHEMA_VERSION = 3
PRETTY_ITEMS = 100


_ROUNDED: dict[float, float] = {}  # a report holds few distinct numbers, many times over


def r4(value: float) -> float:
    """A float to 4 decimals, never -0.0 (each distinct value rounded once)."""
    found = _ROUNDED.get(value)
    if found is None:
        if len(_ROUNDED) >= 1_000_000:
            _ROUNDED.clear()
        found = _ROUNDED[value] = round(value, 4) + 0.0
    return found


def p4(p: float) -> float:
    """A p-value to 4 decimals that never reads 0: a positive p below .00005 is written .0001."""
    return max(r4(p), 0.0001) if p > 0 else 0.0


def clean(value: Any) -> Any:
    """Round floats to 4 decimals (no -0.0), recurse into containers and dataclasses."""
    if isinstance(value, float):
        return r4(value)
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: clean(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def _encode(value: Any, indent: bool) -> str:
    """JSON text by orjson: the same bytes as the standard library's `json.dumps(value,
    sort_keys=True, ensure_ascii=False)` (indented by 2, or compact) for floats rounded to 4
    decimals, several times faster."""
    return _encoded(value, indent).decode("utf-8")


def _encoded(value: Any, indent: bool) -> bytes:
    """`_encode`'s text as UTF-8."""
    import orjson

    option = orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS
    if indent:
        option |= orjson.OPT_INDENT_2
    return orjson.dumps(value, option=option)


def dumps(document: dict[str, Any], rounded: bool = False) -> str:
    """Serialize a document; `rounded` says its floats are rounded already."""
    if not rounded:
        document = clean(document)
    long = {k for k, v in document.items() if isinstance(v, list) and len(v) > PRETTY_ITEMS}
    if not long:
        return _encode(document, indent=True) + "\n"
    parts = []
    for key in sorted(document):
        value = document[key]
        if key in long:  # joined as bytes, decoded once: a report may run to 100 MB and more
            items = b",\n    ".join(_encoded(item, indent=False) for item in value)
            text = f"[\n    {items.decode('utf-8')}\n  ]"
        else:
            text = _encode(value, indent=True).replace("\n", "\n  ")
        parts.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def document_head(result: Any) -> dict[str, Any]:
    """What every view's document opens with (the organization view, the journey): versions,
    the instrument's dimensions, the settings, the inputs and the excluded responses."""
    return {
        "schema_version": SCHEMA_VERSION,
        "coachkit_version": result.coachkit_version,
        "instrument": {
            "id": result.instrument.id,
            "dimensions": [asdict(d) for d in result.instrument.dimensions],
        },
        "settings": asdict(result.settings),
        "inputs": [{k: v for k, v in asdict(i).items() if v is not None} for i in result.inputs],
        "excluded": [asdict(e) for e in result.excluded],
    }


def report_document(report: Report) -> dict[str, Any]:
    """The report as JSON-ready data, floats rounded."""
    instrument = report.instrument
    return {
        "schema_version": SCHEMA_VERSION,
        "coachkit_version": report.coachkit_version,
        "instrument": {
            "id": instrument.id,
            "name": instrument.name,
            "dimensions": [asdict(d) for d in instrument.dimensions],
        },
        "settings": clean(asdict(report.settings)),
        "inputs": [{k: v for k, v in asdict(i).items() if v is not None} for i in report.inputs],
        "excluded": [
            {"path": e.path, "row": e.row, "subject": e.subject, "reason": e.reason}
            for e in report.excluded
        ],
        "subjects": [
            _subject(s, instrument, report.settings.rated, report.attribute_columns)
            for s in report.subjects
        ],
    }


def _subject(
    subject: SubjectResult,
    info: InstrumentInfo,
    rated: bool = False,
    roster: tuple[str, ...] = (),
) -> dict[str, Any]:
    groups = []
    for g in subject.groups:
        entry: dict[str, Any] = {"group": g.group, "n": g.n, "reported": g.reported}
        if g.reason is not None:
            entry["reason"] = g.reason
        groups.append(entry)
    return {
        "subject": subject.subject,
        # with an HR roster only: the leader's attributes (null: no roster row for them)
        **({"attributes": subject.attributes} if roster else {}),
        "groups": groups,
        "blocks": [_block(b) for b in subject.blocks],
        "evidence": _evidence(subject),
        "coaching_focus": [_focus(f, subject, info, rated) for f in subject.coaching_focus],
        "tilt_contrast": _contrast(subject.tilt_contrast, info),
        "tilt_contrasts": [_contrast(c, info) for c in subject.tilt_contrasts],
        "strengths": [
            {"dimension": s.dimension, "p_value": p4(s.p_value)} for s in subject.strengths
        ],
        "notable_by_chance": r4(subject.notable_by_chance),
        # with --comments only: the comments of each group the report shows
        **(
            {"comments": {c.group: list(c.texts) for c in subject.comments}}
            if subject.comments
            else {}
        ),
    }


def _evidence(subject: SubjectResult) -> dict[str, Any] | None:
    """Whose rankings the focus tests self against, and the gap a finding needs."""
    if subject.evidence is None:
        return None
    n = next(g.n for g in subject.groups if g.group == subject.evidence)
    share = subject.critical_share
    return {
        "group": subject.evidence,
        "n": n,
        "critical_share": None if share is None or share != share or share > 1 else r4(share),
    }


def _focus(
    focus: Focus, subject: SubjectResult, info: InstrumentInfo, rated: bool = False
) -> dict[str, Any]:
    n = next(g.n for g in subject.groups if g.group == focus.group)
    document: dict[str, Any] = {
        "dimension": focus.dimension,
        "direction": focus.direction,
        "group": focus.group,
        "gap": r4(focus.gap),
        "level": focus.level,
        "self_rank": r4(focus.self_rank),
        "group_rank": r4(focus.group_rank),
        "p_value": p4(focus.p_value),
        "beyond_chance": focus.beyond_chance,
        "reason": wording.focus_reason(info, focus, n, rated),
    }
    if focus.reference is not None:
        document["manager"] = {
            "group": focus.reference.group,
            "rank": r4(focus.reference.rank),
            "gap": r4(focus.reference.gap),
        }
    return document


def _contrast(contrast: TiltContrast | None, info: InstrumentInfo) -> dict[str, Any] | None:
    if contrast is None:
        return None
    return {
        "a": contrast.a,
        "b": contrast.b,
        "a_tilt": r4(contrast.a_tilt),
        "a_p_value": p4(contrast.a_p),
        "b_tilt": r4(contrast.b_tilt),
        "b_p_value": p4(contrast.b_p),
        "b_n": contrast.b_n,
        "difference": r4(contrast.difference),
        "p_value": p4(contrast.p_value),
        "beyond_chance": beyond_chance(contrast.p_value),
        "text": wording.tilt_contrast(info, contrast),
    }


def _pair(values: tuple[float, float]) -> list[float]:
    return [r4(values[0]), r4(values[1])]


def _rounded(values: Mapping[str, float]) -> dict[str, float]:
    return {k: r4(v) for k, v in values.items()}


def _comparison(c: Comparison) -> dict[str, Any]:
    return {
        "a": c.a,
        "b": c.b,
        "spearman": None if c.spearman is None else r4(c.spearman),
        "gaps": _rounded(c.gaps),
        "notable": [
            {
                "dimension": n.dimension,
                "gap": r4(n.gap),
                "level": n.level,
                "p_value": p4(n.p_value),
                "p_adjusted": p4(n.p_adjusted),
            }
            for n in c.notable
        ],
        **({"gaps_ci": {d: _pair(v) for d, v in c.gaps_ci.items()}} if c.gaps_ci else {}),
    }


def _block(block: Block) -> dict[str, Any]:
    document = {
        "block": block.block,
        "dimensions": list(block.dimensions),
        "mean_rank": {g: _rounded(v) for g, v in block.mean_rank.items()},
        "consensus_rank": {g: _rounded(v) for g, v in block.consensus_rank.items()},
        "comparisons": [_comparison(c) for c in block.comparisons],
        "concordance": {
            g: {
                "kendall_w": r4(c.kendall_w),
                "chi2": r4(c.chi2),
                "p_value": p4(c.p_value),
                "m": c.m,
            }
            for g, c in block.concordance.items()
        },
        "mean_rank_ci": {
            g: {d: _pair(v) for d, v in cis.items()} for g, cis in block.mean_rank_ci.items()
        },
        "self_among": {
            g: {
                d: dict(zip(("higher", "same", "lower"), v, strict=True)) for d, v in counts.items()
            }
            for g, counts in block.self_among.items()
        },
    }
    if block.tilt is not None:
        document["tilt"] = {
            g: {
                "value": r4(t.value),
                "p_value": p4(t.p_value),
                "m": t.m,
                **({"ci": _pair(t.ci)} if t.ci else {}),
            }
            for g, t in block.tilt.items()
        }
    return document


def render_json(report: Report) -> str:
    """The JSON report (SPEC section 6)."""
    return dumps(report_document(report), rounded=True)
