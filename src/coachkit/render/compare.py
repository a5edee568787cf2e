"""The before/after comparison in every format."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from coachkit.model import CompareReport, GapChange, SubjectChange
from coachkit.render import wording
from coachkit.render.csv import safe_cell
from coachkit.render.json import SCHEMA_VERSION
from coachkit.render.pages import page_renderers
from coachkit.render.view import Page, Section, Slope, SlopeChart, tilt_scale


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


def _slope_charts(report: CompareReport, change: SubjectChange) -> tuple[SlopeChart, ...]:
    """Agreement with the self-assessment and each group's tilt, before -> after."""
    info = report.instrument
    names = info.groups
    me = names[info.self_group]
    agreement = tuple(
        Slope(f"{me}-{names[other]}", before, after)
        for other, (before, after) in (
            (info.counterpart, change.self_manager_spearman),
            (info.pooled, change.self_all_others_spearman),
        )
        if before is not None and after is not None
    )
    tilt = tuple(Slope(names[g], before, after) for g, (before, after) in change.tilt.items())
    charts = (
        SlopeChart("Agreement with the self-assessment (Spearman rho)", -1.0, 1.0, agreement),
        SlopeChart(wording.tilt_legend(info), -tilt_scale(info), tilt_scale(info), tilt),
    )
    return tuple(c for c in charts if c.slopes)


def _moved(
    change: SubjectChange, gap: Callable[[GapChange], str]
) -> tuple[tuple[str, ...], str, str]:
    """A leader's gaps that moved, one line each, and the label and note that stand for them."""
    lines = (
        *(f"closed: {gap(c)}" for c in change.closed),
        *(f"opened: {gap(c)}" for c in change.opened),
        *(f"reversed: {gap(c)}" for c in change.reversed),
    )
    return (lines, *wording.moved_gaps(len(lines))) if lines else ((), "", "")


def compare_page(report: CompareReport) -> Page:
    """The comparison as a one-page view."""
    names = report.instrument.groups
    labels = {d.id: d.label for d in report.instrument.dimensions}

    def rho(value: float | None) -> str:
        return "-" if value is None else f"{value:+.2f}"

    def gap(change: GapChange) -> str:
        a, b = change.pair.split("-", 1)
        return (
            f"{names[a]} vs {names[b]}, {labels[change.dimension]}: "
            f"{change.before:+.1f} -> {change.after:+.1f}"
        )

    sections = [
        Section(
            s.subject,
            (
                wording.change_summary(report.instrument, s),
                wording.focus_change(s, labels),
                *(
                    wording.withheld_change(
                        report.instrument, s.withheld, report.settings.min_raters
                    )
                ),
            ),
            _slope_charts(report, s),
            *_moved(s, gap),
        )
        for s in report.subjects
    ]
    unmatched = [f"only before: {name}" for name in report.unmatched_before]
    unmatched += [f"only after: {name}" for name in report.unmatched_after]
    if unmatched:
        sections.append(Section("Leaders in only one assessment", tuple(unmatched)))
    me, manager, pooled = (
        names[report.instrument.self_group],
        names[report.instrument.counterpart],
        names[report.instrument.pooled],
    )
    return Page(
        title=f"Re-assessment: {len(report.subjects)} leaders in both assessments "
        f"(gaps that moved by {report.settings.notable_gap:g}+ places)",
        header=(
            "Leader",
            f"{me}-{manager} rho before",
            "after",
            f"{me}-{pooled} rho before",
            "after",
            "gaps closed",
            "opened",
            "reversed",
        ),
        rows=tuple(
            (
                s.subject,
                rho(s.self_manager_spearman[0]),
                rho(s.self_manager_spearman[1]),
                rho(s.self_all_others_spearman[0]),
                rho(s.self_all_others_spearman[1]),
                str(len(s.closed)),
                str(len(s.opened)),
                str(len(s.reversed)),
            )
            for s in report.subjects
        ),
        sections=tuple(sections),
        details_title=wording.MOVED_GAPS_TITLE,
        note=wording.values_note(report.settings),
    )


def _csv(report: CompareReport) -> str:
    """One row per leader and measure: agreement, tilt, and each gap that closed or opened."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["subject", "measure", "pair", "block", "dimension", "before", "after"])
    info = report.instrument
    me, manager = info.self_group, info.counterpart
    for s in report.subjects:
        rows: list[list[object]] = [
            [s.subject, "spearman", f"{me}-{manager}", "", "", *s.self_manager_spearman],
            [s.subject, "spearman", f"{me}-{info.pooled}", "", "", *s.self_all_others_spearman],
            *([s.subject, "tilt", g, "", "", *t] for g, t in s.tilt.items()),
            *(
                [s.subject, "gap_closed", c.pair, c.block, c.dimension, c.before, c.after]
                for c in s.closed
            ),
            *(
                [s.subject, "gap_opened", c.pair, c.block, c.dimension, c.before, c.after]
                for c in s.opened
            ),
            *(
                [s.subject, "gap_reversed", c.pair, c.block, c.dimension, c.before, c.after]
                for c in s.reversed
            ),
        ]
        for row in rows:
            writer.writerow([safe_cell(round(v, 4) if isinstance(v, float) else v) for v in row])
    return out.getvalue()


RENDERERS = page_renderers(compare_page, compare_document, _csv)
