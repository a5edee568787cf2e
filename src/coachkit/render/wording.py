"""Sentences a reader sees that name groups or families, built from the instrument's own labels
and roles, so that a report on another instrument never speaks of managers or competencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachkit.text import in_sentence

if TYPE_CHECKING:
    from coachkit.model import Focus, InstrumentInfo, SubjectChange, TiltContrast

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


def ordinal(rank: float) -> str:
    """A consensus rank in words: `1st`, `12th`, `tied 2.5`."""
    if rank != int(rank):
        return f"tied {rank:g}"
    n = int(rank)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def focus_reason(info: InstrumentInfo, focus: Focus) -> str:
    """Why a dimension is in the coaching focus, and what chance says of it: beyond what random
    rankings produce, or a gap to explore that random rankings often produce too."""
    from coachkit.text import format_p

    who = info.groups[focus.group]
    own = _group(info, info.self_group)
    size = (
        f"{who} ranks it {ordinal(focus.group_rank)}, {own} {ordinal(focus.self_rank)}: "
        f"{focus.gap:.1f} places higher ({focus.level} gap)"
    )
    if focus.beyond_chance:
        return f"{size}; beyond what random rankings produce ({format_p(focus.p_value)})"
    return (
        f"{size}; a gap to explore: gaps this large arise by chance in "
        f"{_percent(focus.p_value)} of random pairs"
    )


def _percent(p: float) -> str:
    return "under 1%" if p < 0.005 else f"{p:.0%}"


def tilt_contrast(info: InstrumentInfo, contrast: TiltContrast) -> str:
    """The tilts of self and the focus group in one or two sentences; "may be looking for growth"
    only when the difference is beyond chance (p <= .05)."""
    from coachkit.text import format_p

    first, second = (label.lower() for label in info.tilt or ("", ""))
    own, other = info.groups[contrast.a], _group(info, contrast.b)
    places = abs(contrast.difference)
    opening = (
        f"{own} puts {first} ahead of {second} by {contrast.a_tilt:+.1f} places "
        f"({format_p(contrast.a_p)}), the {other} by {contrast.b_tilt:+.1f} "
        f"({format_p(contrast.b_p)})"
    )
    if contrast.p_value <= 0.05:
        leaning = first if contrast.difference > 0 else second
        wants = second if contrast.difference > 0 else first
        return (
            f"{opening}: {in_sentence(own)} leans {places:.1f} places further toward {leaning} "
            f"({format_p(contrast.p_value)} for the difference), so the {other} may be looking "
            f"for growth in {wants}. A hypothesis to explore in the session, not a verdict."
        )
    return (
        f"{opening}: a difference of {places:.1f} place{'s' * (abs(places - 1) > 1e-9)}, which "
        f"random rankings produce often ({format_p(contrast.p_value)})."
    )


def gap_legend(notable: float, major: float) -> str:
    """What the notable and major marks are: sizes, not evidence."""
    return (
        f"* notable (>= {notable:g} places), ** major (>= {major:g}): sizes, not evidence; "
        "p says how often random rankings differ this much"
    )


def chance_line(expected: float, shown: int) -> str:
    """How many notable gaps random rankings would show for these group sizes."""
    return (
        f"Random rankings would show about {expected:.1f} notable gaps for these group sizes; "
        f"this report shows {shown}."
    )


FOCUS_NOTE = (
    "Gaps and tilts are hypotheses to explore in the session, not verdicts: the gaps of one "
    "ranking are not independent findings."
)


def self_standing(
    info: InstrumentInfo, label: str, self_rank: float, group: str, counts: tuple[int, int, int]
) -> str:
    """Where self stands among a group's raters on one dimension, in words a coach can say aloud:
    "self ranks Personal ethics 9th; 10 of 11 others rank it higher"."""
    higher, same, lower = counts
    total = higher + same + lower
    who = "others" if group == info.pooled else _group(info, group)
    parts = [f"{higher} of {total} {who} rank it higher"]
    if same:
        parts.append(f"{same} the same")
    own = info.groups[info.self_group]
    return f"{own} ranks {label} {ordinal(self_rank)}; " + ", ".join(parts)


def change_summary(info: InstrumentInfo, change: SubjectChange) -> str:
    """One leader's re-assessment in a sentence: agreement, gaps that moved, tilts."""
    me, other = info.self_group, info.focus_groups[0]
    pair = f"{in_sentence(info.groups[me])}-{in_sentence(info.groups[other])}"
    was, now = change.self_manager_spearman
    if was is None or now is None:
        agreement = f"{pair} agreement not available in both assessments"
    else:
        verb = "rose" if now > was + 0.005 else "fell" if now < was - 0.005 else "held"
        agreement = f"{pair} agreement {verb} from {was:+.2f} to {now:+.2f}"
    closed, opened, turned = len(change.closed), len(change.opened), len(change.reversed)
    gaps = f"{closed} gap{'s' * (closed != 1)} closed, {opened} opened"
    parts = [agreement, gaps + (f", {turned} reversed" if turned else "")]
    for group in (me, other):
        if group in change.tilt:
            start, end = change.tilt[group]
            parts.append(f"{in_sentence(info.groups[group])} tilt {start:+.1f} -> {end:+.1f}")
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def withheld_change(info: InstrumentInfo, groups: tuple[str, ...], min_raters: int) -> list[str]:
    """Why a comparison shows no change for some groups."""
    if not groups:
        return []
    names = ", ".join(info.groups[g] for g in groups)
    return [
        f"not compared: {names} (the number of raters changed by fewer than {min_raters}, "
        "so the change would come close to a few raters' own rankings)"
    ]


def focus_change(change: SubjectChange, labels: dict[str, str]) -> str:
    """Last time's coaching focus, this time: closed, still open, new."""

    def listed(dims: tuple[str, ...]) -> str:
        return ", ".join(labels[d] for d in dims) or "none"

    return (
        f"Last time's focus: closed: {listed(change.focus_closed)}; still open: "
        f"{listed(change.focus_open)}; new: {listed(change.focus_new)}"
    )


PLAN_PROMPTS = (
    "What will you start doing?",
    "What will you stop doing?",
    "What will you continue?",
    "Who can help?",
    "How will progress show, and by when?",
)


COMMENTS_NOTE = (
    "Comments of the groups shown above, in no particular order, e-mail addresses and phone "
    "numbers masked. Read them before handing the report on: a comment can still give its "
    "writer away"
)
