"""Sentences a reader sees that name groups or families, built from the instrument's own labels
and roles, so that a report on another instrument never speaks of managers or competencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachkit.text import in_sentence

if TYPE_CHECKING:
    from coachkit.model import InstrumentInfo

LEADERSHIP_TITLE = "Leadership priorities: 360 report"


def title(info: InstrumentInfo) -> str:
    """The report's heading: the 360 title for the default instrument, else the instrument's name."""
    return LEADERSHIP_TITLE if info.id == "leadership-12" else f"{info.name}: priorities by group"


def _group(info: InstrumentInfo, group: str) -> str:
    return in_sentence(info.groups[group])


def focus_groups(info: InstrumentInfo) -> str:
    """`the manager (or all others)`: the groups whose view the focus follows, in order."""
    first, *rest = [_group(info, g) for g in info.focus_groups if g != info.self_group] or [""]
    return f"the {first}" + "".join(f" (or {g})" for g in rest)


def no_focus(info: InstrumentInfo) -> str:
    """What the focus list says when it is empty."""
    return (
        f"no notable gap where {focus_groups(info)} ranks a dimension above "
        f"{_group(info, info.self_group)}"
    )


def without_self(info: InstrumentInfo) -> str:
    """The line a report shows for a leader with no self-assessment."""
    own = _group(info, info.self_group)
    return f"No {own} response: nothing is compared with {own} for this leader."


def tilt_legend(info: InstrumentInfo) -> str:
    """`Tilt (+: competencies first, -: characteristics first)`, from the tilt's families."""
    first, second = (label.lower() for label in info.tilt or ("", ""))
    return f"Tilt (+: {first} first, -: {second} first)"


def self_and_focus(info: InstrumentInfo) -> str:
    """`self and manager`: the two groups a report sets against each other."""
    focus = next((g for g in info.focus_groups if g != info.self_group), info.pooled)
    return f"{_group(info, info.self_group)} and {_group(info, focus)}"


def pattern_rule(info: InstrumentInfo) -> str:
    """What the organization view counts as the technical-leader pattern, in the tilt's words."""
    return (
        f"{_group(info, info.self_group)} tilt >= +1, and at least 1 place more than "
        f"{focus_groups(info).split(' (or ')[0]}"
    )


def words(info: InstrumentInfo) -> dict[str, str]:
    """The phrases the report templates use, for `{{ words.title }}` and the like."""
    first, second = (label.lower() for label in info.tilt or ("", ""))
    none = no_focus(info)
    return {
        "title": title(info),
        "tilt_first": first,
        "tilt_second": second,
        "self_and_focus": self_and_focus(info),
        "no_focus": none[:1].upper() + none[1:],
    }
