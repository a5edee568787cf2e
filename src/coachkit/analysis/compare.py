"""Re-assessment: what changed for each leader between two 360s."""

from __future__ import annotations

from coachkit.analysis.chance import TOLERANCE
from coachkit.model import (
    CompareReport,
    GapChange,
    GroupJourneyChange,
    InstrumentInfo,
    JourneyCompareReport,
    JourneyReport,
    Report,
    Settings,
    SubjectChange,
    SubjectJourney,
    SubjectJourneyChange,
    SubjectResult,
)
from coachkit.text import leader_key


def compare_reports(before: Report, after: Report) -> CompareReport:
    """What changed per leader between two reports (leaders matched by name, case, accents
    and spacing aside)."""
    earlier = {leader_key(s.subject): s for s in before.subjects}
    later = {leader_key(s.subject): s for s in after.subjects}
    roles = after.instrument
    changes = tuple(
        _change(earlier[key], later[key], after.settings, roles) for key in later if key in earlier
    )
    return CompareReport(
        coachkit_version=after.coachkit_version,
        instrument=after.instrument,
        settings=after.settings,
        before=before.inputs,
        after=after.inputs,
        subjects=changes,
        unmatched_before=tuple(s.subject for k, s in earlier.items() if k not in later),
        unmatched_after=tuple(s.subject for k, s in later.items() if k not in earlier),
    )


def _change(
    before: SubjectResult, after: SubjectResult, settings: Settings, roles: InstrumentInfo
) -> SubjectChange:
    """One leader's changes: gaps that closed, opened or reversed, agreement and tilt; an
    anonymous group whose rater count moved by fewer than --min-raters shows no change."""
    counts = {g.group: g.n for g in before.groups}
    withheld = tuple(
        g.group
        for g in after.groups
        if g.group in roles.anonymous
        and 0 < abs(g.n - counts.get(g.group, 0)) < settings.min_raters
        and g.reported
        and counts.get(g.group, 0) > 0
    )
    closed: list[GapChange] = []
    opened: list[GapChange] = []
    turned: list[GapChange] = []
    notable = settings.notable_gap - TOLERANCE
    blocks_before = {b.block: b for b in before.blocks}
    for block in after.blocks:
        old_block = blocks_before.get(block.block)
        if old_block is None:
            continue
        old_pairs = {(c.a, c.b): c for c in old_block.comparisons}
        for comparison in block.comparisons:
            old = old_pairs.get((comparison.a, comparison.b))
            if old is None or {comparison.a, comparison.b} & set(withheld):
                continue
            for dim in block.dimensions:
                was, now = old.gaps[dim], comparison.gaps[dim]
                change = GapChange(f"{comparison.a}-{comparison.b}", block.block, dim, was, now)
                if was * now < 0 and min(abs(was), abs(now)) >= notable:
                    turned.append(change)  # the other group now puts it higher: a reversal
                elif abs(was) - abs(now) >= notable:
                    closed.append(change)
                elif abs(now) - abs(was) >= notable:
                    opened.append(change)
    tilt_before = before.blocks[0].tilt or {}
    tilt_after = after.blocks[0].tilt or {}
    tilt = {
        g: (tilt_before[g].value, t.value)
        for g, t in tilt_after.items()
        if g in tilt_before and g not in withheld
    }
    # findings only: an item within chance neither opens nor closes
    was_focus = [f.dimension for f in before.coaching_focus if f.beyond_chance]
    now_focus = [f.dimension for f in after.coaching_focus if f.beyond_chance]
    me, pooled = roles.self_group, roles.pooled
    self_manager = (before.counterpart_spearman, after.counterpart_spearman)
    self_others = (pair_spearman(before, me, pooled), pair_spearman(after, me, pooled))
    if pooled in withheld:
        self_others = (None, None)
    return SubjectChange(
        subject=after.subject,
        self_manager_spearman=self_manager,
        self_all_others_spearman=self_others,
        tilt=tilt,
        closed=tuple(closed),
        opened=tuple(opened),
        reversed=tuple(turned),
        withheld=withheld,
        focus_closed=tuple(d for d in was_focus if d not in now_focus),
        focus_open=tuple(d for d in was_focus if d in now_focus),
        focus_new=tuple(d for d in now_focus if d not in was_focus),
    )


def pair_spearman(subject: SubjectResult, a: str, b: str) -> float | None:
    """Spearman's rho between two groups of one leader; the mean over blocks when there are two."""
    values = [
        c.spearman
        for block in subject.blocks
        for c in block.comparisons
        if (c.a, c.b) == (a, b) and c.spearman is not None
    ]
    return sum(values) / len(values) if values else None


def compare_journeys(before: JourneyReport, after: JourneyReport) -> JourneyCompareReport:
    """Per leader (or organization) and group: the alignment with the vision, the raters who
    share it and the stage, before and after (leaders matched by name)."""
    earlier = {leader_key(s.subject): s for s in before.subjects}
    later = {leader_key(s.subject): s for s in after.subjects}
    anonymous = set(after.instrument.anonymous) | {after.instrument.pooled}
    return JourneyCompareReport(
        coachkit_version=after.coachkit_version,
        instrument=after.instrument,
        settings=after.settings,
        before=before.inputs,
        after=after.inputs,
        vision=after.vision,
        subjects=tuple(
            _journey_change(earlier[key], later[key], anonymous, after.settings.min_raters)
            for key in later
            if key in earlier
        ),
        unmatched_before=tuple(s.subject for k, s in earlier.items() if k not in later),
        unmatched_after=tuple(s.subject for k, s in later.items() if k not in earlier),
    )


def _journey_change(
    before: SubjectJourney, after: SubjectJourney, anonymous: set[str], min_raters: int
) -> SubjectJourneyChange:
    """The groups shown both times; an anonymous one whose raters changed by 1 to
    min_raters - 1 is withheld (the difference would come close to those raters' answers)."""
    earlier = {g.group: g for g in before.groups if g.reported}
    groups, withheld = [], []
    for g in after.groups:
        first = earlier.get(g.group)
        if first is None or not g.reported:
            continue
        moved = max(abs(g.n_now - first.n_now), abs(g.n_future - first.n_future))
        if g.group in anonymous and 0 < moved < min_raters:
            withheld.append(g.group)
            continue
        groups.append(
            GroupJourneyChange(
                group=g.group,
                raters=(first.n_future, g.n_future),
                alignment=(first.alignment, g.alignment),
                raters_aligned=(first.raters_aligned, g.raters_aligned),
                stage=(first.stage, g.stage),
            )
        )
    return SubjectJourneyChange(after.subject, tuple(groups), tuple(withheld))
