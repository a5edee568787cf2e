"""Re-assessment: what changed for each leader between two 360s."""

from __future__ import annotations

from coachkit.analysis.chance import TOLERANCE
from coachkit.model import (
    CompareReport,
    GapChange,
    InstrumentInfo,
    Report,
    Settings,
    SubjectChange,
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
