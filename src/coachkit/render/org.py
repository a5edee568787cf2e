"""The organization view in every format."""

from __future__ import annotations

from coachkit import wording
from coachkit.model import OrgReport, Segment
from coachkit.render.pages import page_renderers
from coachkit.render.view import (
    Page,
    Section,
    Slope,
    SlopeChart,
    concordance_reading,
    tilt_reading,
    tilt_scale,
)
from coachkit.text import format_p, in_sentence


def org_page(org: OrgReport) -> Page:
    """The org view as a table of consensus ranks and sections of sentences."""
    names = org.instrument.groups
    labels = {d.id: d.label for d in org.instrument.dimensions}
    reported = [g for g in org.groups if g.reported]
    rho = org.self_manager_spearman
    if rho.n_subjects:
        spread = (
            f"median {rho.median:+.2f} (quartiles {rho.q1:+.2f} to {rho.q3:+.2f}) over "
            f"{rho.n_subjects} leaders; {rho.share_below_critical:.0%} below {rho.critical:.3f}, "
            f"the agreement needed for p <= {wording.alpha_text()}"
        )
    else:
        spread = f"no leader has both {wording.self_and_focus(org.instrument)} rankings"
    pattern = org.technical_leader_pattern
    sections = {
        "Not reported (anonymity)": [
            f"{names[g.group]} ({g.n}): {g.reason}" for g in org.groups if not g.reported and g.n
        ],
        wording.tilt_legend(org.instrument): [
            f"{names[g.group]}: {tilt_reading(g.tilt, org.instrument)}" for g in reported if g.tilt
        ],
        "Agreement within groups": [
            f"{names[g.group]} ({c.m} raters){'' if b == 'overall' else f', {b}'}: "
            f"W = {c.kendall_w:.2f}, {format_p(c.p_value)}: {concordance_reading(c.kendall_w, c.p_value)}"
            for g in reported
            for b, c in g.concordance.items()
        ],
        "Agreement between groups (Spearman's rho of the mean ranks)": [
            f"{names[a.a]} vs {names[a.b]}{'' if a.block == 'overall' else f' ({a.block})'}: "
            + ("rho undefined" if a.spearman is None else f"rho = {a.spearman:+.2f}")
            for a in org.agreement
        ],
        "Across leaders": [
            f"{names[org.instrument.self_group]}-{in_sentence(names[org.instrument.counterpart])} agreement: {spread}.",
            *(
                [
                    f"{org.instrument.pattern} ({wording.pattern_rule(org.instrument)}): "
                    f"{len(pattern)} of {org.pattern_assessed} leaders"
                    + (f" ({', '.join(pattern)})" if pattern else "")
                    + f"; random rankings show it for {org.pattern_expected_share:.0%} of leaders "
                    f"of these group sizes ({format_p(org.pattern_p_value or 1.0)} for "
                    "this many or more)."
                ]
                if org.pattern_expected_share is not None
                else []
            ),
        ],
        "Where all other raters rank a dimension well above self "
        f"(p <= {wording.alpha_text()}), across leaders": [
            f"{labels[d]}: {n} leader{'s' * (n != 1)}"
            for d, n in sorted(org.coaching_focus_frequency.items(), key=lambda item: -item[1])
        ],
    }
    families = org.instrument.families
    rows: list[tuple[str, ...]] = []
    headings: list[int] = []
    for i, d in enumerate(org.instrument.dimensions):
        if len(families) > 1 and (i == 0 or org.instrument.dimensions[i - 1].family != d.family):
            headings.append(len(rows))  # a family's label above its first dimension
            rows.append((families.get(d.family, d.family), *[""] * len(reported)))
        rows.append((d.label, *(f"{g.consensus_rank[d.id]:g}" for g in reported)))
    return Page(
        heat=len(org.instrument.dimensions),
        title=f"Organization view: {org.n_subjects} leader{'s' * (org.n_subjects != 1)}",
        header=("Dimension", *(f"{names[g.group]} ({g.n})" for g in reported)),
        rows=tuple(rows),
        sections=tuple(Section(t, tuple(lines)) for t, lines in sections.items() if lines),
        headings=tuple(headings),
        note=wording.values_note(org.settings),
    )


def tilt_of(segment: Segment, group: str) -> float | None:
    """A segment's pooled tilt of one group (None where it is not shown)."""
    found = next((g for g in segment.groups if g.group == group), None)
    return found.tilt.value if found is not None and found.reported and found.tilt else None


def org_pages(org: OrgReport) -> list[Page]:
    """The organization view, then (with `--by`) its segments side by side."""
    return [org_page(org), *segment_pages(org)]


def segment_pages(org: OrgReport) -> list[Page]:
    """The segments of `org --by` side by side: a page of tilts and the pattern with the test
    of whether segments differ, and a heatmap of how all other raters rank the dimensions."""
    split = org.segments
    if split is None:
        return []
    info = org.instrument
    names = info.groups
    shown = [s for s in split.segments if s.reported]
    me, boss = names[info.self_group], in_sentence(names[info.counterpart])

    def tilt(s: Segment, group: str) -> str:
        found = next((g for g in s.groups if g.group == group), None)
        if found is None or not found.reported or found.tilt is None:
            return "-"
        return f"{found.tilt.value:+.2f} ({found.n})"

    def pattern(s: Segment) -> str:
        if s.pattern_expected_share is None:
            return "-"
        return f"{s.pattern_count} of {s.pattern_assessed} (chance {s.pattern_expected_share:.0%})"

    rows = [
        ("Leaders", *(str(s.n_leaders) for s in shown)),
        (
            f"{me} tilt minus {boss}'s",
            *(f"{s.tilt_difference:+.2f}" if s.tilt_difference is not None else "-" for s in shown),
        ),
        ("Leaders with both tilts", *(str(s.tilt_leaders) for s in shown)),
        (info.pattern or "Pattern", *(pattern(s) for s in shown)),
        *(
            (f"{names[g]} tilt (raters)", *(tilt(s, g) for s in shown))
            for g in names
            if any(tilt(s, g) != "-" for s in shown)
        ),
    ]
    withheld = [
        f"{s.value} ({s.n_leaders} leader{'s' * (s.n_leaders != 1)}): {s.reason}"
        for s in split.segments
        if not s.reported
    ]
    unassigned = list(split.unassigned)
    sections = {
        "Do the segments differ?": [wording.segment_contrast(info, split)],
        wording.tilt_legend(info): [wording.tilt_difference_legend(info)],
        "Not reported (anonymity)": withheld,
        f"In no segment (no {split.by})": [", ".join(unassigned)] if unassigned else [],
    }
    charts: tuple[SlopeChart, ...] = ()
    pairs = [(s.value, tilt_of(s, info.self_group), tilt_of(s, info.counterpart)) for s in shown]
    lines = [Slope(v, a, b) for v, a, b in pairs if a is not None and b is not None]
    if lines:
        scale = tilt_scale(info)
        charts = (
            SlopeChart(
                f"{me} tilt and {boss} tilt, per segment",
                -scale,
                scale,
                tuple(lines),
                ends=(me.lower(), boss),
            ),
        )
    summary = Page(
        title=f"Segments by {split.by}: {sum(s.n_leaders for s in shown)} leaders in "
        f"{len(shown)} segments",
        header=(split.by, *(s.value for s in shown)),
        rows=tuple(rows),
        sections=tuple(
            Section(t, tuple(found), charts if t.startswith("Do the") else ())
            for t, found in sections.items()
            if found
        ),
    )
    others = [next((g for g in s.groups if g.group == info.pooled), None) for s in shown]
    if not shown or not all(g is not None and g.reported for g in others):
        return [summary]
    ranks = Page(
        heat=len(info.dimensions),
        title=f"How {wording.who(info, info.pooled)} rank the dimensions, by {split.by}",
        header=(
            "Dimension",
            *(f"{s.value} ({g.n})" for s, g in zip(shown, others, strict=True) if g),
        ),
        rows=tuple(
            (d.label, *(f"{g.consensus_rank[d.id]:g}" for g in others if g))
            for d in info.dimensions
        ),
        sections=(),
    )
    return [summary, ranks]


RENDERERS = page_renderers(org_pages)
