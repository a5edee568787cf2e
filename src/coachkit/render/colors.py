"""One colour and one marker per rater group, the same in every chart and format.

The Okabe-Ito palette, safe for the common kinds of colour blindness; in the default instrument's
order self is blue, the manager vermillion, peers green, direct reports purple, other raters sky
blue and all other raters pooled orange, so that the pair a summary sets side by side (self
against all other raters) is blue against orange. A marker shape goes with each colour, so that
no chart relies on colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable

COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00", "#000000")
SHAPES = ("circle", "square", "diamond", "triangle", "down", "cross", "ring")


def group_styles(groups: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Each group's (shape, colour), by its place in the instrument's order of groups."""
    return {g: (SHAPES[i % len(SHAPES)], COLORS[i % len(COLORS)]) for i, g in enumerate(groups)}
