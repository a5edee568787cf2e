"""The words and numbers of a report, shared by the terminal and Markdown renderers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from coachkit import wording
from coachkit.model import Block, Comparison, InstrumentInfo, Report, SubjectResult, Tilt
from coachkit.policy import BANDS, beyond_chance
from coachkit.text import format_p

# Gap markers: the same in every text format.
MARK = {"notable": "*", "major": "**"}
MAX_DIFFERENCES = 4  # the largest differences within chance a report lists
ADJUSTED_MARK = "†"  # beyond chance after Holm's adjustment over every gap the report tests


@dataclass(frozen=True)
class PriorityRow:
    """One dimension's consensus and mean ranks across groups."""

    family: str  # the family's label on its first row, empty below it
    label: str
    consensus: tuple[str, ...]  # per reported group
    mean: tuple[str, ...]


@dataclass(frozen=True)
class GapRow:
    """One dimension's gaps across comparisons."""

    label: str
    cells: tuple[str, ...]  # per comparison: signed gap with its marker


@dataclass(frozen=True)
class BlockView:
    """A block's tables and sentences, worded for the text formats. Its two tables (priorities,
    gaps) are worded when a format first asks for them: the HTML page, which draws them as
    charts, never does, for thousands of leaders."""

    title: str
    groups: tuple[str, ...]  # labels of the reported groups with n
    pairs: tuple[str, ...]  # "Self vs Manager"
    agreement: tuple[str, ...]
    agreement_note: str
    concordance: tuple[str, ...]
    tilt: tuple[str, ...]
    tilt_legend: str
    gap_legend: str
    adjusted: str = ""  # the gaps beyond chance after paying for every gap tested, with their p
    gap_sign: str = wording.gap_sign(rated=False)  # what a positive gap means
    tables_of: tuple[Report, Block] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def priorities(self) -> tuple[PriorityRow, ...]:
        """Per dimension, each reported group's consensus and mean rank."""
        return () if self.tables_of is None else _priorities(*self.tables_of)

    @cached_property
    def gaps(self) -> tuple[GapRow, ...]:
        """Per dimension, each comparison's signed gap with its markers."""
        return () if self.tables_of is None else _gap_rows(*self.tables_of)


@dataclass(frozen=True)
class SubjectView:
    """A leader's report, worded for the text formats."""

    subject: str
    raters: str
    suppressed: str
    without_self: str  # a line when the leader has no self-assessment ("" otherwise)
    without_reference: str  # a line when the reference role (the manager) did not respond
    blocks: tuple[BlockView, ...]
    focus: tuple[str, ...]  # the findings: focus items beyond chance
    contrasts: tuple[str, ...]  # self's tilt against the manager's, then the other raters'
    strengths: str
    no_focus: str  # what the focus says when no group is reported beside self
    chance: str  # how many notable gaps random rankings would show, against how many there are
    standing: tuple[str, ...]  # where self stands among the raters, on each finding
    plan: tuple[str, ...] = ()  # the development plan's topics: findings, then strengths
    focus_note: str = wording.FOCUS_NOTE
    comments: tuple[tuple[str, tuple[str, ...]], ...] = ()  # group label, its comments
    no_findings: str = ""  # the one line said when no difference is beyond chance
    differences: tuple[str, ...] = ()  # the largest differences within chance: sizes to ask about
    in_short: tuple[str, ...] = ()  # the summary at the top: findings first, else the one line

    @property
    def coaching(self) -> bool:
        """Whether the leader has a coaching section: self set against another group."""
        return bool(self.focus or self.no_findings or self.differences or self.contrasts)


def subject_view(report: Report, subject: SubjectResult) -> SubjectView:
    """Word a leader's results for the text formats."""
    info = report.instrument
    names = info.groups
    reported = [g for g in subject.groups if g.reported]
    suppressed = [g for g in subject.groups if not g.reported and g.n > 0]
    labels = {d.id: d.label for d in info.dimensions}
    n = next((g.n for g in subject.groups if g.group == subject.evidence), 0)
    findings = [f for f in subject.coaching_focus if f.beyond_chance]
    within = sorted(
        (f for f in subject.coaching_focus if not f.beyond_chance), key=lambda f: f.p_value
    )[:MAX_DIFFERENCES]
    rated = report.settings.rated
    focus = tuple(
        f"{labels[f.dimension]}: {wording.focus_reason(info, f, n, rated)}" for f in findings
    )
    contrasts = tuple(
        wording.tilt_contrast(info, c, with_self=i == 0)
        for i, c in enumerate(subject.tilt_contrasts)
    )
    strengths = ", ".join(
        f"{labels[s.dimension]} ({format_p(s.p_value)})" for s in subject.strengths
    )
    no_findings = ""
    if subject.evidence is not None and not findings:
        k = len(subject.blocks[0].dimensions)
        needed = None if subject.critical_share is None else subject.critical_share * k
        no_findings = wording.no_findings(info, subject.evidence, n, needed, k)
    grows = [c for c in subject.tilt_contrasts if beyond_chance(c.p_value)]
    in_short = (
        *(focus or (no_findings,) * bool(no_findings)),
        *(
            [
                "Largest differences to ask about: "
                + "; ".join(
                    f"{labels[f.dimension]} ({wording.difference_size(info, f)})" for f in within
                )
                + "."
            ]
            if within and not findings
            else []
        ),
        *(wording.tilt_contrast(info, c, with_self=c is grows[0]) for c in grows),
        *([f"Strengths to build on: {strengths}"] if strengths else []),
    )
    return SubjectView(
        subject=subject.subject,
        raters=", ".join(f"{names[g.group]} {g.n}" for g in reported) or "none",
        suppressed="; ".join(f"{names[g.group]} ({g.reason})" for g in suppressed),
        without_self=wording.without_self(info)
        if not any(g.group == info.self_group and g.n for g in subject.groups)
        else "",
        without_reference=wording.without_reference(info)
        if info.reference is not None
        and not any(g.group == info.reference and g.n for g in subject.groups)
        else "",
        blocks=tuple(_block_view(report, subject, block) for block in subject.blocks),
        focus=focus,
        contrasts=contrasts,
        strengths=strengths,
        no_focus=wording.no_focus(info),
        standing=_standing(report, subject),
        plan=tuple(
            dict.fromkeys(
                [
                    *(wording.plan_topic(info, labels[f.dimension], f, rated) for f in findings),
                    *wording.growth_topics(info, grows),
                    *(
                        f"{labels[s.dimension]} (a strength to build on, {format_p(s.p_value)})"
                        for s in subject.strengths
                    ),
                ]
            )
        ),
        chance=wording.chance_line(
            subject.notable_by_chance,
            sum(len(c.notable) for b in subject.blocks for c in b.comparisons),
        ),
        comments=tuple((names[c.group], c.texts) for c in subject.comments),
        no_findings=no_findings,
        differences=tuple(
            wording.focus_difference(info, labels[f.dimension], f, n) for f in within
        ),
        in_short=in_short,
    )


def _block_view(report: Report, subject: SubjectResult, block: Block) -> BlockView:
    instrument = report.instrument
    names = instrument.groups
    counts = {g.group: g.n for g in subject.groups}
    groups = tuple(g for g in names if g in block.mean_rank)
    families = instrument.families
    labels = {d.id: d.label for d in instrument.dimensions}
    tested = sum(len(c.gaps) for b in subject.blocks for c in b.comparisons)
    adjusted = wording.adjusted_gaps(
        [
            (f"{names[c.a]} vs {names[c.b]}", labels[n.dimension], n.gap, n.p_adjusted)
            for c in block.comparisons
            for n in c.notable
            if beyond_chance(n.p_adjusted)
        ],
        tested,
        any(f.beyond_chance for f in subject.coaching_focus),
    )
    k = len(block.dimensions)
    title = "All dimensions" if block.block == "overall" else families.get(block.block, block.block)
    return BlockView(
        title=title,
        groups=tuple(f"{names[g]} ({counts[g]})" for g in groups),
        pairs=tuple(f"{names[c.a]} vs {names[c.b]}" for c in block.comparisons),
        agreement=tuple(
            f"{names[c.a]} vs {names[c.b]}: {agreement_reading(c, block.rho_critical)}"
            for c in block.comparisons
        ),
        agreement_note=f"Spearman's rho of the mean ranks; p <= {wording.alpha_text()} needs |rho| >= {block.rho_critical:.3f} with {k} dimensions",
        concordance=tuple(
            f"{names[g]} ({c.m} raters): W = {c.kendall_w:.2f}, {format_p(c.p_value)}: {concordance_reading(c.kendall_w, c.p_value)}"
            for g, c in ((g, block.concordance[g]) for g in names if g in block.concordance)
        ),
        tilt=tuple(
            f"{names[g]}: {tilt_reading(t, report.instrument)}"
            for g, t in ((g, (block.tilt or {})[g]) for g in names if g in (block.tilt or {}))
        ),
        tilt_legend=wording.tilt_legend(instrument),
        gap_legend=wording.gap_legend(report.settings.notable_gap, report.settings.major_gap),
        gap_sign=wording.gap_sign(report.settings.rated),
        adjusted=adjusted,
        tables_of=(report, block),
    )


def _priorities(report: Report, block: Block) -> tuple[PriorityRow, ...]:
    instrument = report.instrument
    groups = tuple(g for g in instrument.groups if g in block.mean_rank)
    families = instrument.families
    dims = {d.id: d for d in instrument.dimensions}

    def family_heading(i: int) -> str:
        """The family label above the first dimension of each family, in a mixed block."""
        family = dims[block.dimensions[i]].family
        starts = i == 0 or family != dims[block.dimensions[i - 1]].family
        return families.get(family, family) if block.block == "overall" and starts else ""

    return tuple(
        PriorityRow(
            family_heading(i),
            dims[d].label,
            tuple(f"{block.consensus_rank[g][d]:g}" for g in groups),
            tuple(f"{block.mean_rank[g][d]:.1f}" for g in groups),
        )
        for i, d in enumerate(block.dimensions)
    )


def _gap_rows(report: Report, block: Block) -> tuple[GapRow, ...]:
    labels = {d.id: d.label for d in report.instrument.dimensions}
    marks = [{n.dimension: MARK[n.level] for n in c.notable} for c in block.comparisons]
    for c, m in zip(block.comparisons, marks, strict=True):
        for n in c.notable:
            if beyond_chance(n.p_adjusted):
                m[n.dimension] += ADJUSTED_MARK
    return tuple(
        GapRow(
            labels[d],
            tuple(
                f"{wording.signed(c.gaps[d])}{m.get(d, '')}"
                for c, m in zip(block.comparisons, marks, strict=True)
            ),
        )
        for d in block.dimensions
    )


def _standing(report: Report, subject: SubjectResult) -> tuple[str, ...]:
    """For each finding, where self stands among the evidence group's raters (or, without it,
    the first reported anonymous group's): counts only, and only where they say something (self
    ranking it first or last leaves every other rater below or above)."""
    info = report.instrument
    labels = {d.id: d.label for d in info.dimensions}
    lines = []
    for focus in subject.coaching_focus:
        if not focus.beyond_chance:
            continue
        block = next(b for b in subject.blocks if focus.dimension in b.dimensions)
        among = block.self_among
        group = subject.evidence if subject.evidence in among else next(iter(among), None)
        own = block.mean_rank[info.self_group][focus.dimension]
        if group is None or own in (1, len(block.dimensions)):
            continue
        counts = among[group][focus.dimension]
        lines.append(
            wording.self_standing(
                info, labels[focus.dimension], own, group, counts, report.settings.rated
            )
        )
    return tuple(lines)


def agreement_reading(comparison: Comparison, critical: float) -> str:
    """Spearman's rho in words, by its size, with whether it reaches the |rho| that p <= ALPHA
    needs (`critical`); "beyond chance" is kept for the coaching findings."""
    rho = comparison.spearman
    if rho is None:
        return "rho undefined (one side ranks every dimension alike)"
    words = BANDS.agreement(rho)
    level = wording.alpha_text()
    reached = f"p <= {level}" if abs(rho) >= critical else f"p > {level}"
    return f"rho = {wording.signed(rho, 2)}, {words} ({reached})"


def concordance_reading(w: float, p: float) -> str:
    """Kendall's W in words: its size, and whether random rankings often agree as much. A small
    W with a small p (a large group) is weak agreement, never "no agreement"."""
    strength = BANDS.concordance(w)
    if not beyond_chance(p):
        return f"{strength} agreement within the group, as random rankings often show"
    return f"{'weak' if strength == 'no' else strength} agreement within the group"


def tilt_reading(tilt: Tilt, instrument: InstrumentInfo) -> str:
    """A tilt in words, with its p-value."""
    first, second = instrument.tilt or ("", "")
    lead = (first if tilt.value > 0 else second).lower()
    direction = f"{lead} first" if abs(tilt.value) >= BANDS.balanced_tilt else "about balanced"
    return f"{wording.signed(tilt.value, 2)} ({direction}; {format_p(tilt.p_value)})"


def tilt_scale(info: InstrumentInfo) -> float:
    """The largest tilt there is: the first family ranked at the very top, the second at the
    very bottom (6 for twelve dimensions in two families of six)."""
    if info.tilt is None:
        return 0.0
    family = {label: fid for fid, label in info.families.items()}
    first, second = (sum(d.family == family[label] for d in info.dimensions) for label in info.tilt)
    k = len(info.dimensions)
    return (2 * k - second + 1) / 2 - (1 + first) / 2


@dataclass(frozen=True)
class Slope:
    """One measure before and after: a line from the left column to the right in a slope chart."""

    label: str
    before: float
    after: float


@dataclass(frozen=True)
class SlopeChart:
    """Measures on one scale (`high` drawn at the top, `low` at the bottom: for ranks, 1 on top
    means low = k, high = 1), each drawn from the left end to the right."""

    title: str
    low: float
    high: float
    slopes: tuple[Slope, ...]
    ends: tuple[str, str] = ("before", "after")
    signed: bool = True  # numbers with their sign (tilts, rho); False for ranks
    # per slope, a target on the right end (the vision's rank), drawn as a hollow diamond
    marks: tuple[float | None, ...] = ()
    mark_label: str = ""


@dataclass(frozen=True)
class Share:
    """How many of a group's raters something holds for: a bar of `count` in `total`."""

    label: str
    count: int
    total: int


@dataclass(frozen=True)
class ShareChart:
    """Bars of shares, one per group (how many of its raters share a vision, say)."""

    title: str
    shares: tuple[Share, ...]


@dataclass(frozen=True)
class Section:
    """A titled list of sentences on a one-page view, with the charts the HTML draws above them."""

    title: str
    lines: tuple[str, ...]
    charts: tuple[SlopeChart | ShareChart, ...] = ()
    # lines a reader opens on request: a count stands for them among `lines`; the HTML folds them
    # under the section, the printed and text formats list them in an appendix at the end
    details: tuple[str, ...] = ()
    details_label: str = ""  # what opens the details (HTML)
    details_note: str = ""  # the line that sends a reader to the appendix (text, print)


@dataclass(frozen=True)
class Page:
    """A titled table with sections of sentences: the layout of the org and compare views."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    sections: tuple[Section, ...]
    heat: int = 0  # the table's numbers are ranks from 1 to this: drawn as a heatmap (0: not)
    details_title: str = ""  # the appendix that lists the sections' details
    headings: tuple[int, ...] = ()  # rows that head a family (a label, no numbers)
    note: str = ""  # said once under the title: that the raters gave ratings ("" for rankings)

    @property
    def appendix(self) -> tuple[Section, ...]:
        """The sections that have details, as the appendix lists them."""
        return tuple(Section(s.title, s.details) for s in self.sections if s.details)
