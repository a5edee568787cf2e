"""The journey (`analyze --now Q --future Q`) in every format: per leader or organization, where
each group places things today, where it wants them to go, and who shares the vision."""

from __future__ import annotations

from typing import Any

from coachkit.model import JourneyCompareReport, JourneyGroup, JourneyReport, SubjectJourney
from coachkit.policy import BANDS
from coachkit.render.pages import page_renderers
from coachkit.render.view import Page, Section, Share, ShareChart, Slope, SlopeChart
from coachkit.text import format_p, in_sentence


def journey_pages(report: JourneyReport) -> list[Page]:
    """A page per leader (or organization): the items now -> future per group, the vision's
    future beside them, where each group places things today and who shares the vision."""
    return [_page(report, s) for s in report.subjects]


def _page(report: JourneyReport, subject: SubjectJourney) -> Page:
    info = report.instrument
    names, labels = info.groups, {d.id: d.label for d in info.dimensions}
    shown = [g for g in subject.groups if g.reported]
    vision = next((g for g in shown if g.group == report.vision), None)
    others = [g for g in shown if g.group != report.vision]
    whose = f"the {in_sentence(names[report.vision])}'s"
    k = len(info.dimensions)
    charts = tuple(
        SlopeChart(
            f"{names[g.group]} ({g.n_now} now, {g.n_future} future)",
            low=k,
            high=1,
            slopes=tuple(Slope(labels[d], g.now[d], g.future[d]) for d in g.now),
            ends=("now", "future"),
            signed=False,
            marks=tuple(vision.future[d] for d in g.now) if vision else (),
            mark_label=f"{whose} vision" if vision else "",
        )
        for g in others
    )
    strip = ShareChart(
        f"Raters who share {whose} vision (rho >= {report.aligned_rho:g})",
        tuple(
            Share(names[g.group], g.raters_aligned, g.n_future)
            for g in others
            if g.raters_aligned is not None
        ),
    )
    sections = {
        "Where each group places the organization today": [
            f"{names[g.group]}: {labels[g.stage]} first (mean rank {g.now[g.stage]:.1f})"
            for g in shown
            if g.stage is not None
        ],
        f"Alignment with {whose} vision": [_alignment(report, g) for g in others],
        "What should move (beyond chance, Holm over the items)": [
            _moves(g, labels, names) for g in others if g.moves
        ],
        "Not shown (anonymity)": [
            f"{names[g.group]} ({g.n_now} now, {g.n_future} future): {g.reason}"
            for g in subject.groups
            if not g.reported
        ],
    }
    built = []
    for title, lines in sections.items():
        if title.startswith("Alignment"):
            built.append(
                Section(title, tuple(lines), (*((strip,) if strip.shares else ()), *charts))
            )
        elif lines:
            built.append(Section(title, tuple(lines)))
    return Page(
        title=f"{subject.subject}: where we are and where we should go",
        header=(
            "Item",
            *(f"{names[g.group]} ({g.n_now}/{g.n_future})" for g in others),
            *((f"{names[vision.group]} vision",) if vision else ()),
        ),
        rows=tuple(
            (
                labels[d],
                *(f"{g.now[d]:.1f} -> {g.future[d]:.1f}" for g in others),
                *((f"{vision.future[d]:.1f}",) if vision else ()),
            )
            for d in (vision or others[0]).now
        )
        if vision or others
        else (),
        sections=tuple(built),
    )


def _alignment(report: JourneyReport, g: JourneyGroup) -> str:
    names = report.instrument.groups
    if g.alignment is None:
        return f"{names[g.group]}: no vision to compare with ({names[report.vision]} not shown)"
    shared = (
        f"; {g.raters_aligned} of {g.n_future} raters share it"
        if g.raters_aligned is not None
        else ""
    )
    return f"{names[g.group]}: rho = {g.alignment:+.2f} with the vision's future ranks{shared}"


def _moves(g: JourneyGroup, labels: dict[str, str], names: Any) -> str:
    parts = [
        f"{labels[d]} {'rises' if g.shift[d] < 0 else 'falls'} {abs(g.shift[d]):.1f} places "
        f"({format_p(g.shift_p[d])})"
        for d in sorted(g.moves, key=lambda d: g.shift[d])
    ]
    return f"{names[g.group]}: " + "; ".join(parts)


RENDERERS = page_renderers(journey_pages)


def change_pages(report: JourneyCompareReport) -> list[Page]:
    """A page per leader (or organization): did each group move toward the vision?"""
    info = report.instrument
    names, labels = info.groups, {d.id: d.label for d in info.dimensions}

    def pair(values: tuple[Any, Any], show: Any) -> str:
        return " -> ".join("-" if v is None else show(v) for v in values)

    pages = []
    for s in report.subjects:
        aligned = [g for g in s.groups if None not in g.alignment]
        chart = SlopeChart(
            f"Alignment with the {in_sentence(names[report.vision])}'s vision (rho)",
            low=-1.0,
            high=1.0,
            slopes=tuple(Slope(names[g.group], *g.alignment) for g in aligned),  # type: ignore[arg-type]
        )
        lines = [_moved(names[g.group], g.alignment) for g in aligned]  # type: ignore[arg-type]
        withheld = [
            f"{names[g]}: raters changed by fewer than {report.settings.min_raters}"
            for g in s.withheld
        ]
        sections = [Section("Toward the vision?", tuple(lines), (chart,) if aligned else ())]
        if withheld:
            sections.append(Section("Withheld (anonymity)", tuple(withheld)))
        pages.append(
            Page(
                title=f"{s.subject}: the journey, before and after",
                header=("Group", "Raters", "Alignment (rho)", "Share the vision", "Today"),
                rows=tuple(
                    (
                        names[g.group],
                        pair(g.raters, str),
                        pair(g.alignment, lambda v: f"{v:+.2f}"),
                        pair(g.raters_aligned, str),
                        pair(g.stage, labels.__getitem__),
                    )
                    for g in s.groups
                ),
                sections=tuple(sections),
            )
        )
    return pages


def _moved(group: str, alignment: tuple[float, float]) -> str:
    before, after = alignment
    if abs(after - before) < BANDS.held_rho:
        return f"{group}: held ({before:+.2f} -> {after:+.2f})"
    way = "toward" if after > before else "away from"
    return f"{group}: moved {way} the vision ({before:+.2f} -> {after:+.2f})"


CHANGE_RENDERERS = page_renderers(change_pages)
