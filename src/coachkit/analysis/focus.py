"""What to take into the coaching session: focus dimensions, the tilt contrast, shared strengths,
each with the chance that random rankings produce it (numbers only; the words are the
renderers')."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from coachkit.analysis import chance
from coachkit.model import Block, Focus, Settings, TiltContrast

if TYPE_CHECKING:
    from coachkit.instruments import Instrument

MAX_FOCUS = 3
TOP = 3
ALPHA = 0.05  # "beyond chance" and the "may be looking for growth" wording need p <= this


def focus_group(blocks: tuple[Block, ...], instrument: Instrument) -> str | None:
    """The first focus group (manager, else all others) reported alongside self, if any."""
    reported = blocks[0].mean_rank
    if instrument.self_group not in reported:
        return None
    # a group is never set against itself (an instrument whose only group is its self group)
    return next(
        (g for g in instrument.focus_groups if g in reported and g != instrument.self_group), None
    )


def coaching_focus(
    blocks: tuple[Block, ...], instrument: Instrument, settings: Settings, counts: Mapping[str, int]
) -> tuple[Focus, ...]:
    """Up to three dimensions the focus group ranks highest above self, notable gaps only, each
    with the chance that the largest gap in that direction over every dimension reaches it."""
    other = focus_group(blocks, instrument)
    if other is None:
        return ()
    me = instrument.self_group
    sizes = tuple(len(block.dimensions) for block in blocks)
    found: list[tuple[float, int, str, float, Block]] = []
    for block in blocks:
        k = len(block.dimensions)
        for position, dim in enumerate(block.dimensions):
            gap = block.mean_rank[me][dim] - block.mean_rank[other][dim]
            if gap >= settings.notable_gap - chance.TOLERANCE:
                found.append((-gap / k, position, dim, gap, block))
    found.sort(key=lambda item: (item[0], item[1]))
    items = []
    for score, _, dim, gap, block in found[:MAX_FOCUS]:
        p = chance.largest_gap_p(-score, counts[me], counts[other], sizes)
        major = gap >= settings.major_gap - chance.TOLERANCE
        items.append(
            Focus(
                dimension=dim,
                gap=gap,
                level="major" if major else "notable",
                group=other,
                self_rank=block.consensus_rank[me][dim],
                group_rank=block.consensus_rank[other][dim],
                p_value=p,
                beyond_chance=p <= ALPHA,
            )
        )
    return tuple(items)


def tilt_contrast(
    blocks: tuple[Block, ...], instrument: Instrument, counts: Mapping[str, int]
) -> TiltContrast | None:
    """Self's and the focus group's tilts and the exact p of their difference."""
    tilt = blocks[0].tilt
    other = focus_group(blocks, instrument)
    if tilt is None or other is None or instrument.tilt is None:
        return None
    me = instrument.self_group
    if me not in tilt or other not in tilt:
        return None
    head, tail = (len(instrument.family_members(f)) for f in instrument.tilt)
    difference = tilt[me].value - tilt[other].value
    p = chance.tilt_difference_p(
        difference, counts[me], counts[other], head, tail, len(instrument.dimensions)
    )
    return TiltContrast(
        me,
        other,
        tilt[me].value,
        tilt[me].p_value,
        tilt[other].value,
        tilt[other].p_value,
        difference,
        p,
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
