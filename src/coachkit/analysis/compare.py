"""Re-assessment: what changed for each leader between two 360s."""

from __future__ import annotations

from coachkit.analysis.chance import TOLERANCE
from coachkit.analysis.org import pair_spearman
from coachkit.model import (
    CompareReport,
    GapChange,
    InstrumentInfo,
    Report,
    SubjectChange,
    SubjectResult,
)
from coachkit.text import in_sentence


def match_key(name: str) -> str:
    """Leaders match across assessments regardless of case and spacing."""
    return " ".join(name.casefold().split())


def compare_reports(before: Report, after: Report) -> CompareReport:
    """What changed per leader between two reports (leaders matched by name, case and spacing aside)."""
    earlier = {match_key(s.subject): s for s in before.subjects}
    later = {match_key(s.subject): s for s in after.subjects}
    roles = after.instrument
    changes = tuple(
        _change(earlier[key], later[key], after.settings.notable_gap, roles)
        for key in later
        if key in earlier
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
    before: SubjectResult, after: SubjectResult, threshold: float, roles: InstrumentInfo
) -> SubjectChange:
    closed: list[GapChange] = []
    opened: list[GapChange] = []
    turned: list[GapChange] = []
    notable = threshold - TOLERANCE
    blocks_before = {b.block: b for b in before.blocks}
    for block in after.blocks:
        old_block = blocks_before.get(block.block)
        if old_block is None:
            continue
        old_pairs = {(c.a, c.b): c for c in old_block.comparisons}
        for comparison in block.comparisons:
            old = old_pairs.get((comparison.a, comparison.b))
            if old is None:
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
    tilt = {g: (tilt_before[g].value, t.value) for g, t in tilt_after.items() if g in tilt_before}
    me, manager, pooled = roles.self_group, roles.focus_groups[0], roles.pooled
    self_manager = (pair_spearman(before, me, manager), pair_spearman(after, me, manager))
    self_others = (pair_spearman(before, me, pooled), pair_spearman(after, me, pooled))
    return SubjectChange(
        subject=after.subject,
        self_manager_spearman=self_manager,
        self_all_others_spearman=self_others,
        tilt=tilt,
        closed=tuple(closed),
        opened=tuple(opened),
        summary=_summary(self_manager, len(closed), len(opened), len(turned), tilt, roles),
        reversed=tuple(turned),
    )


def _summary(
    rho: tuple[float | None, float | None],
    closed: int,
    opened: int,
    turned: int,
    tilt: dict[str, tuple[float, float]],
    roles: InstrumentInfo,
) -> str:
    me, manager = roles.self_group, roles.focus_groups[0]
    pair = f"{in_sentence(roles.groups[me])}-{in_sentence(roles.groups[manager])}"
    was, now = rho
    if was is None or now is None:
        agreement = f"{pair} agreement not available in both assessments"
    else:
        verb = "rose" if now > was + 0.005 else "fell" if now < was - 0.005 else "held"
        agreement = f"{pair} agreement {verb} from {was:+.2f} to {now:+.2f}"
    gaps = f"{closed} gap{'s' * (closed != 1)} closed, {opened} opened"
    parts = [agreement, gaps + (f", {turned} reversed" if turned else "")]
    for group in (me, manager):
        if group in tilt:
            start, end = tilt[group]
            parts.append(f"{in_sentence(roles.groups[group])} tilt {start:+.1f} -> {end:+.1f}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
