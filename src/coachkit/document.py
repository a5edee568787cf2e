"""A result's plain forms, built from its dataclasses: the JSON document (SPEC section 6 keys,
floats to 4 decimals, never -0.0) and the tidy table (one row per measure, numbers as numbers).

`to_dict()` and `to_frame()` of a result return these; the JSON and CSV renderers only serialize
them. Nothing here imports a renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, fields, is_dataclass
from typing import TYPE_CHECKING, Any

from coachkit import wording
from coachkit.policy import beyond_chance

if TYPE_CHECKING:
    from coachkit.model import (
        Block,
        CompareReport,
        Comparison,
        Focus,
        InstrumentInfo,
        JourneyCompareReport,
        JourneyGroup,
        JourneyReport,
        OrgGroup,
        OrgReport,
        Report,
        Segment,
        Segments,
        SubjectChange,
        SubjectResult,
        TiltContrast,
    )

SCHEMA_VERSION = 3


class _Rounded(dict[float, float]):
    """Each distinct float to 4 decimals, never -0.0, rounded once: a report holds few distinct
    numbers many times over, and a lookup that finds one costs no Python call."""

    def __missing__(self, value: float) -> float:
        if len(self) >= 1_000_000:
            self.clear()
        found = self[value] = self.rounded(value)
        return found

    @staticmethod
    def rounded(value: float) -> float:
        return round(value, 4) + 0.0


class _PValues(_Rounded):
    """p-values to 4 decimals that never read 0: a positive p below .00005 is written .0001."""

    @staticmethod
    def rounded(value: float) -> float:
        return max(round(value, 4) + 0.0, 0.0001) if value > 0 else 0.0


# A float to 4 decimals, never -0.0; a p-value likewise, never 0 when positive (lookups).
r4: Callable[[float], float] = _Rounded().__getitem__
p4: Callable[[float], float] = _PValues().__getitem__


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


def report_document(report: Report, subjects: bool = True) -> dict[str, Any]:
    """The report as JSON-ready data, floats rounded (`subjects=False`: all but the leaders,
    whose parts `subject_documents` gives one at a time)."""
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
        "subjects": list(subject_documents(report)) if subjects else [],
    }


def subject_documents(report: Report) -> Iterator[dict[str, Any]]:
    """Each leader's part of the report's document, in order."""
    for s in report.subjects:
        yield _subject(s, report.instrument, report.settings.rated, report.attribute_columns)


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
        **_contrasts(subject, info),
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


def _contrasts(subject: SubjectResult, info: InstrumentInfo) -> dict[str, Any]:
    """`tilt_contrast` (self against the reference role) and `tilt_contrasts` (against the
    reference, then the others), the first one worded once when it opens the list."""
    contrasts = [_contrast(c, info) for c in subject.tilt_contrasts]
    first = subject.tilt_contrast
    if first is not None and subject.tilt_contrasts and first == subject.tilt_contrasts[0]:
        return {"tilt_contrast": dict(contrasts[0] or {}), "tilt_contrasts": contrasts}
    return {"tilt_contrast": _contrast(first, info), "tilt_contrasts": contrasts}


def _pair(values: tuple[float, float]) -> list[float]:
    return list(map(r4, values))


def _pairs(values: Mapping[str, tuple[float, float]]) -> dict[str, list[float]]:
    return {k: [r4(low), r4(high)] for k, (low, high) in values.items()}


def _rounded(values: Mapping[str, float]) -> dict[str, float]:
    return dict(zip(values, map(r4, values.values()), strict=True))


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
        **({"gaps_ci": _pairs(c.gaps_ci)} if c.gaps_ci else {}),
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
        "mean_rank_ci": {g: _pairs(cis) for g, cis in block.mean_rank_ci.items()},
        "self_among": {
            g: {d: {"higher": h, "same": s, "lower": lo} for d, (h, s, lo) in counts.items()}
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


def org_document(org: OrgReport) -> dict[str, Any]:
    """The organization view as JSON-ready data."""
    document = document_head(org) | {
        "n_subjects": org.n_subjects,
        "groups": [_group(g, org) for g in org.groups],
        "agreement": [asdict(a) for a in org.agreement],
        "self_manager_spearman": asdict(org.self_manager_spearman),
        "technical_leader_pattern": None
        if org.pattern_expected_share is None
        else {
            "count": len(org.technical_leader_pattern),
            "subjects": list(org.technical_leader_pattern),
            "assessed": org.pattern_assessed,
            "expected_share": org.pattern_expected_share,
            "p_value": org.pattern_p_value,
        },
        "coaching_focus_frequency": dict(org.coaching_focus_frequency),
    }
    if org.segments is not None:  # with --by only
        document["segments"] = _segments(org.segments, org)
    return document


def _group(g: OrgGroup, org: OrgReport) -> dict[str, Any]:
    entry: dict[str, Any] = {"group": g.group, "n": g.n, "reported": g.reported}
    if not g.reported:
        entry["reason"] = g.reason
        return entry
    concordance = {b: asdict(c) for b, c in g.concordance.items()}
    return entry | {
        "mean_rank": g.mean_rank,
        "consensus_rank": g.consensus_rank,
        "tilt": asdict(g.tilt) if g.tilt else None,
        # one block in the default scheme: its concordance; by family: one per block
        "concordance": next(iter(concordance.values()), None)
        if len(concordance) <= 1 and org.settings.scheme == "overall"
        else concordance,
    }


def _segments(segments: Segments, org: OrgReport) -> dict[str, Any]:
    """The segments of `org --by`: each one pooled, and the test of whether they differ."""

    def segment(s: Segment) -> dict[str, Any]:
        entry: dict[str, Any] = {"value": s.value, "n_leaders": s.n_leaders, "reported": s.reported}
        if not s.reported:
            return entry | {"reason": s.reason}
        return entry | {
            "tilt_difference": s.tilt_difference,
            "tilt_leaders": s.tilt_leaders,
            "technical_leader_pattern": None
            if s.pattern_expected_share is None
            else {
                "count": s.pattern_count,
                "assessed": s.pattern_assessed,
                "expected_share": s.pattern_expected_share,
            },
            "groups": [_group(g, org) for g in s.groups],
        }

    contrast = segments.contrast
    return {
        "by": segments.by,
        "segments": [segment(s) for s in segments.segments],
        # a permutation test over leaders of self's tilt minus the reference role's
        "contrast": None
        if contrast is None
        else {
            "statistic": "between-segments sum of squares of the self-minus-"
            f"{org.instrument.counterpart} tilt",
            "p_value": contrast.p_value,
            "beyond_chance": contrast.beyond_chance,
            "leaders": contrast.leaders,
            "method": "exact" if contrast.exact else "seeded random permutations",
            "permutations": contrast.splits,
        },
        "unassigned": list(segments.unassigned),
    }


def _delta(pair: tuple[float | None, float | None]) -> float | None:
    before, after = pair
    return None if before is None or after is None else after - before


def compare_document(report: CompareReport) -> dict[str, Any]:
    """The comparison as JSON-ready data."""

    def subject(change: SubjectChange) -> dict[str, Any]:
        return {
            "subject": change.subject,
            "before": {
                "self_manager_spearman": change.self_manager_spearman[0],
                "self_all_others_spearman": change.self_all_others_spearman[0],
                "tilt": {g: t[0] for g, t in change.tilt.items()},
            },
            "after": {
                "self_manager_spearman": change.self_manager_spearman[1],
                "self_all_others_spearman": change.self_all_others_spearman[1],
                "tilt": {g: t[1] for g, t in change.tilt.items()},
            },
            "delta": {
                "self_manager_spearman": _delta(change.self_manager_spearman),
                "self_all_others_spearman": _delta(change.self_all_others_spearman),
                "tilt": {g: after - before for g, (before, after) in change.tilt.items()},
            },
            "closed": [asdict(c) for c in change.closed],
            "opened": [asdict(c) for c in change.opened],
            "reversed": [asdict(c) for c in change.reversed],
            "withheld": list(change.withheld),
            "focus": {
                "closed": list(change.focus_closed),
                "still_open": list(change.focus_open),
                "new": list(change.focus_new),
            },
            "summary": wording.change_summary(report.instrument, change),
        }

    return {
        "schema_version": SCHEMA_VERSION,
        "coachkit_version": report.coachkit_version,
        "settings": asdict(report.settings),
        "inputs": {
            "before": [asdict(i) for i in report.before],
            "after": [asdict(i) for i in report.after],
        },
        "subjects": [subject(s) for s in report.subjects],
        "unmatched": {
            "before": list(report.unmatched_before),
            "after": list(report.unmatched_after),
        },
    }


def journey_document(report: JourneyReport) -> dict[str, Any]:
    """The journey as JSON-ready data: only groups shown for both questions carry numbers."""

    def group(g: JourneyGroup) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "group": g.group,
            "n_now": g.n_now,
            "n_future": g.n_future,
            "reported": g.reported,
        }
        if not g.reported:
            return entry | {"reason": g.reason}
        return entry | {
            "now": g.now,
            "future": g.future,
            "shift": g.shift,
            "shift_p": g.shift_p,
            "moves": list(g.moves),
            "stage": g.stage,
            "alignment": g.alignment,
            "raters_aligned": g.raters_aligned,
        }

    return document_head(report) | {
        "journey": {
            "now_question": report.now_question,
            "future_question": report.future_question,
            "vision": report.vision,
            "aligned_rho": report.aligned_rho,
        },
        "subjects": [
            {"subject": s.subject, "groups": [group(g) for g in s.groups]} for s in report.subjects
        ],
    }


def change_document(report: JourneyCompareReport) -> dict[str, Any]:
    """Two journeys side by side as JSON-ready data."""
    return {
        "schema_version": SCHEMA_VERSION,
        "coachkit_version": report.coachkit_version,
        "instrument": {"id": report.instrument.id},
        "settings": asdict(report.settings),
        "before": [{k: v for k, v in asdict(i).items() if v is not None} for i in report.before],
        "after": [{k: v for k, v in asdict(i).items() if v is not None} for i in report.after],
        "vision": report.vision,
        "subjects": [
            {
                "subject": s.subject,
                "groups": [
                    {
                        "group": g.group,
                        "raters": list(g.raters),
                        "alignment": list(g.alignment),
                        "raters_aligned": list(g.raters_aligned),
                        "stage": list(g.stage),
                    }
                    for g in s.groups
                ],
                "withheld": list(s.withheld),
            }
            for s in report.subjects
        ],
        "unmatched_before": list(report.unmatched_before),
        "unmatched_after": list(report.unmatched_after),
    }


def document(result: Any) -> dict[str, Any]:
    """A result's JSON document as Python data (`to_dict()`), floats rounded to 4 decimals."""
    if type(result).__name__ == "Report":
        return report_document(result)
    build: Callable[[Any], dict[str, Any]] = _DOCUMENTS[type(result).__name__]
    rounded: dict[str, Any] = clean(build(result))
    return rounded


_DOCUMENTS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "OrgReport": org_document,
    "CompareReport": compare_document,
    "JourneyReport": journey_document,
    "JourneyCompareReport": change_document,
}


# The tidy tables: (column names, rows). Numbers stay numbers (to 4 decimals); a missing value is
# None or NaN, which the CSV writes as an empty cell and a DataFrame holds as NaN.
Table = tuple[tuple[str, ...], Iterator[tuple[Any, ...]]]

TIDY_COLUMNS = (
    "subject",
    "block",
    "group",
    "n",
    "dimension",
    "label",
    "family",
    "mean_rank",
    "consensus_rank",
    "mean_rank_ci_low",  # the 95% interval over raters, for groups of 3 or more
    "mean_rank_ci_high",
)


def table(result: Any) -> Table:
    """A result's tidy table (`to_frame()` and `--format csv`)."""
    return _TABLES[type(result).__name__](result)


def report_columns(report: Report) -> tuple[str, ...]:
    """`TIDY_COLUMNS`, then the HR roster's columns (`leader_` before a name they share)."""
    return TIDY_COLUMNS + tuple(
        f"leader_{c}" if c in TIDY_COLUMNS else c for c in report.attribute_columns
    )


def report_table(report: Report) -> Table:
    """One row per leader, block, reported group and dimension: NaN where a group has no
    interval (fewer than 3 raters) or a leader has no roster attribute."""
    return report_columns(report), _report_rows(report)


def _report_rows(report: Report) -> Iterator[tuple[Any, ...]]:
    nan = float("nan")
    dims = {d.id: d for d in report.instrument.dimensions}
    for subject in report.subjects:
        counts = {g.group: g.n for g in subject.groups}
        found = subject.attributes or {}
        attributes = tuple(
            nan if found.get(c) is None else found[c] for c in report.attribute_columns
        )
        for block in subject.blocks:
            for group in report.instrument.groups:
                if group not in block.mean_rank:
                    continue
                intervals = block.mean_rank_ci.get(group, {})
                for d in block.dimensions:
                    low, high = (
                        (round(intervals[d][0], 4), round(intervals[d][1], 4))
                        if d in intervals
                        else (nan, nan)
                    )
                    yield (
                        subject.subject,
                        block.block,
                        group,
                        counts[group],
                        d,
                        dims[d].label,
                        dims[d].family,
                        round(block.mean_rank[group][d], 4),
                        block.consensus_rank[group][d],
                        low,
                        high,
                        *attributes,
                    )


def org_table(org: OrgReport) -> Table:
    """One row per reported group and dimension, pooled over the organization."""
    columns = ("group", "n", "dimension", "label", "family", "mean_rank", "consensus_rank")
    rows = (
        (g.group, g.n, d.id, d.label, d.family, round(g.mean_rank[d.id], 4), g.consensus_rank[d.id])
        for g in org.groups
        if g.reported
        for d in org.instrument.dimensions
    )
    return columns, rows


def compare_table(report: CompareReport) -> Table:
    """One row per leader and measure: agreement, tilt, and each gap that closed or opened."""
    columns = ("subject", "measure", "pair", "block", "dimension", "before", "after")
    return columns, (
        tuple(round(v, 4) if isinstance(v, float) else v for v in row)
        for s in report.subjects
        for row in _change_rows(report.instrument, s)
    )


def _change_rows(info: InstrumentInfo, s: SubjectChange) -> Iterator[tuple[Any, ...]]:
    me, manager = info.self_group, info.counterpart
    yield (s.subject, "spearman", f"{me}-{manager}", "", "", *s.self_manager_spearman)
    yield (s.subject, "spearman", f"{me}-{info.pooled}", "", "", *s.self_all_others_spearman)
    for g, t in s.tilt.items():
        yield (s.subject, "tilt", g, "", "", *t)
    for measure, changes in (
        ("gap_closed", s.closed),
        ("gap_opened", s.opened),
        ("gap_reversed", s.reversed),
    ):
        for c in changes:
            yield (s.subject, measure, c.pair, c.block, c.dimension, c.before, c.after)


JOURNEY_COLUMNS = (
    "subject",
    "group",
    "n_now",
    "n_future",
    "dimension",
    "label",
    "now",
    "future",
    "shift",
    "shift_p",
)


def journey_table(report: JourneyReport) -> Table:
    """One row per leader, group shown for both questions, and item."""
    labels = {d.id: d.label for d in report.instrument.dimensions}
    rows = (
        (
            s.subject,
            g.group,
            g.n_now,
            g.n_future,
            d,
            labels[d],
            round(g.now[d], 4),
            round(g.future[d], 4),
            round(g.shift[d], 4),
            round(g.shift_p[d], 4),
        )
        for s in report.subjects
        for g in s.groups
        if g.reported
        for d in g.now
    )
    return JOURNEY_COLUMNS, rows


def change_table(report: JourneyCompareReport) -> Table:
    """One row per leader and group of two journeys: raters, alignment and stage, before and
    after."""
    columns = (
        "subject",
        "group",
        "raters_before",
        "raters_after",
        "alignment_before",
        "alignment_after",
        "aligned_before",
        "aligned_after",
        "stage_before",
        "stage_after",
    )
    rows = (
        (s.subject, g.group, *g.raters, *g.alignment, *g.raters_aligned, *g.stage)
        for s in report.subjects
        for g in s.groups
    )
    return columns, rows


_TABLES: dict[str, Callable[[Any], Table]] = {
    "Report": report_table,
    "OrgReport": org_table,
    "CompareReport": compare_table,
    "JourneyReport": journey_table,
    "JourneyCompareReport": change_table,
}
