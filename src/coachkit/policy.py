"""The one significance level every sentence, table and field compares against, one way."""

from __future__ import annotations

ALPHA = 0.05  # "beyond chance", "may be looking for growth", a strength, an adjusted gap


def beyond_chance(p: float) -> bool:
    """Whether a p-value is beyond chance: p <= ALPHA, never p < ALPHA."""
    return p <= ALPHA
