"""What to take into the coaching session: focus dimensions, the tilt contrast, shared strengths."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachkit.analysis import stats
from coachkit.model import Block, Focus, Settings
from coachkit.text import format_p, in_sentence

if TYPE_CHECKING:
    from coachkit.instruments import Instrument

MAX_FOCUS = 3
TOP = 3


def focus_group(blocks: tuple[Block, ...], instrument: Instrument) -> str | None:
    """The first focus group (manager, else all others) reported alongside self, if any."""
    reported = blocks[0].mean_rank
    if instrument.self_group not in reported:
        return None
    # a group is never set against itself (an instrument whose only group is its self group)
    return next(
        (g for g in instrument.focus_groups if g in reported and g != instrument.self_group), None
    )


def ordinal(rank: float) -> str:
    """A consensus rank in words: `1st`, `12th`, `tied 2.5`."""
    if rank != int(rank):
        return f"tied {rank:g}"
    n = int(rank)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def coaching_focus(
    blocks: tuple[Block, ...], instrument: Instrument, settings: Settings
) -> tuple[Focus, ...]:
    """Up to three dimensions the focus group ranks highest above self, notable gaps only."""
    other = focus_group(blocks, instrument)
    if other is None:
        return ()
    me = instrument.self_group
    label, own = instrument.group(other).label, in_sentence(instrument.group(me).label)
    found: list[tuple[float, int, Focus]] = []
    for block in blocks:
        k = len(block.dimensions)
        for position, dim in enumerate(block.dimensions):
            gap = block.mean_rank[me][dim] - block.mean_rank[other][dim]
            if gap < settings.notable_gap:
                continue
            level = "major" if gap >= settings.major_gap else "notable"
            chance = stats.gap_chance(gap, k)
            reason = (
                f"{label} ranks it {ordinal(block.consensus_rank[other][dim])}, {own} "
                f"{ordinal(block.consensus_rank[me][dim])}: {gap:.1f} places higher ({level} gap; "
                f"two random rankings differ this much {chance:.0%} of the time)"
            )
            found.append((-gap / k, position, Focus(dim, gap, reason)))
    found.sort(key=lambda item: (item[0], item[1]))
    return tuple(focus for _, _, focus in found[:MAX_FOCUS])


def tilt_contrast(blocks: tuple[Block, ...], instrument: Instrument) -> str | None:
    """A sentence on how self and the focus group differ in tilt, when by at least one place."""
    tilt = blocks[0].tilt
    other = focus_group(blocks, instrument)
    if tilt is None or other is None or instrument.tilt is None:
        return None
    me = tilt.get(instrument.self_group)
    them = tilt.get(other)
    if me is None or them is None or abs(me.value - them.value) < 1:
        return None
    first, second = (instrument.family(f).label.lower() for f in instrument.tilt)
    label = in_sentence(instrument.group(other).label)
    own = instrument.group(instrument.self_group).label
    difference = me.value - them.value
    leaning = first if difference > 0 else second
    wants = second if difference > 0 else first
    return (
        f"{own} puts {first} ahead of {second} by {me.value:+.1f} places ({format_p(me.p_value)}), "
        f"{label} by {them.value:+.1f} ({format_p(them.p_value)}): {in_sentence(own)} leans {abs(difference):.1f} "
        f"places further toward {leaning}, so {label} may be looking for growth in {wants}. "
        "A hypothesis to explore in the session, not a verdict."
    )


def strengths(blocks: tuple[Block, ...], instrument: Instrument) -> tuple[str, ...]:
    """Dimensions both self and the focus group put in their top three."""
    other = focus_group(blocks, instrument)
    if other is None:
        return ()
    me = instrument.self_group
    return tuple(
        dim
        for block in blocks
        for dim in block.dimensions
        if block.consensus_rank[me][dim] <= TOP and block.consensus_rank[other][dim] <= TOP
    )
