"""What the words of a report stand for: the one significance level every sentence, table and
field compares against (one way), and the bands that put a size into words."""

from __future__ import annotations

from dataclasses import dataclass

ALPHA = 0.05  # "beyond chance", "may be looking for growth", a strength, an adjusted gap


def beyond_chance(p: float) -> bool:
    """Whether a p-value is beyond chance: p <= ALPHA, never p < ALPHA."""
    return p <= ALPHA


@dataclass(frozen=True)
class Bands:
    """Where a size changes its words: agreement between two groups (Spearman's rho), agreement
    within a group (Kendall's W), a tilt too small to name a side, and a change of alignment too
    small to name a direction."""

    strong_rho: float = 0.8  # rho at least this: strong agreement (at most minus: opposite)
    some_rho: float = 0.3  # at least this: some agreement (above minus: little agreement)
    strong_w: float = 0.6
    moderate_w: float = 0.3
    weak_w: float = 0.1
    balanced_tilt: float = 0.5  # a tilt below this, either way, is about balanced
    held_rho: float = 0.05  # a group's alignment with a vision moving less than this has held

    def agreement(self, rho: float) -> str:
        """Spearman's rho between two groups' priorities, in words."""
        if rho >= self.strong_rho:
            return "strong agreement"
        if rho >= self.some_rho:
            return "some agreement"
        if rho > -self.some_rho:
            return "little agreement on priorities"
        if rho > -self.strong_rho:
            return "leaning toward opposite priorities"
        return "opposite priorities"

    def concordance(self, w: float) -> str:
        """The strength of Kendall's W: strong, moderate, weak or no agreement."""
        if w >= self.strong_w:
            return "strong"
        if w >= self.moderate_w:
            return "moderate"
        return "weak" if w >= self.weak_w else "no"


BANDS = Bands()
