"""The before/after comparison in every format."""

from __future__ import annotations

from collections.abc import Callable

from coachkit import wording
from coachkit.model import CompareReport, GapChange, SubjectChange
from coachkit.render.pages import page_renderers
from coachkit.render.view import Page, Section, Slope, SlopeChart, tilt_scale


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


RENDERERS = page_renderers(compare_page)
