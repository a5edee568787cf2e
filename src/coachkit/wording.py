"""Sentences a reader sees that name groups or families, built from the instrument's own labels
and roles, so that a report on another instrument never speaks of managers or competencies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coachkit.text import format_p, in_sentence

if TYPE_CHECKING:
    from coachkit.model import (
        Exclusion,
        Focus,
        InstrumentInfo,
        Segments,
        Settings,
        SubjectChange,
        TiltContrast,
    )

from coachkit.policy import ALPHA, beyond_chance


def title(info: InstrumentInfo) -> str:
    """The report's heading: the instrument's own title (the 360 report's for the default)."""
    return info.title or f"{info.name}: priorities by group"


def _group(info: InstrumentInfo, group: str) -> str:
    return in_sentence(info.groups[group])


def who(info: InstrumentInfo, group: str) -> str:
    """A group as a sentence names it: `all other raters` for the pooled group, `self`, `the
    manager`, `the peers`."""
    if group == info.pooled:
        return "all other raters"
    if group == info.self_group:
        return _group(info, group)
    return f"the {_group(info, group)}"


def _rank(value: float, n: int = 1) -> str:
    """A rank as a sentence gives it: `11th` or `tied 11.5` for one rater, else `7.5 on
    average`."""
    if n <= 1:  # one rater: a whole rank, or one tied with another (scores, partial rankings)
        return ordinal(value)
    return f"{value:.1f} on average"


def signed(value: float, digits: int = 1) -> str:
    """A signed number that never reads -0.0."""
    return f"{round(value, digits) + 0.0:+.{digits}f}"


def no_focus(info: InstrumentInfo) -> str:
    """What the focus list says when no other group is reported beside self."""
    return (
        f"no group reported beside {_group(info, info.self_group)}: nothing to set "
        f"{_group(info, info.self_group)} against"
    )


def without_self(info: InstrumentInfo) -> str:
    """The line a report shows for a leader with no self-assessment."""
    own = _group(info, info.self_group)
    return f"No {own} response: nothing is compared with {own} for this leader."


def without_reference(info: InstrumentInfo) -> str:
    """The line a report shows for a leader with no response from the reference role (the
    manager): the one person's view set beside each finding is missing."""
    boss = _group(info, info.reference or info.counterpart)
    return (
        f"No {boss} response: the {boss}'s view, and every comparison with it, is missing for "
        "this leader."
    )


def tilt_legend(info: InstrumentInfo) -> str:
    """`Tilt (+: competencies first, -: characteristics first)`, from the tilt's families."""
    first, second = (label.lower() for label in info.tilt or ("", ""))
    return f"Tilt (+: {first} first, -: {second} first)"


def self_and_focus(info: InstrumentInfo) -> str:
    """`self and manager`: the two groups a chart joins by a line."""
    return f"{_group(info, info.self_group)} and {_group(info, info.counterpart)}"


def pattern_rule(info: InstrumentInfo) -> str:
    """What the organization view counts as the technical-leader pattern, in the tilt's words."""
    return (
        f"{_group(info, info.self_group)} tilt >= +1, and at least 1 place more than "
        f"{who(info, info.counterpart)}"
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
        "self": _group(info, info.self_group),
        "no_focus": none[:1].upper() + none[1:],
    }


def ordinal(rank: float) -> str:
    """A consensus rank in words: `1st`, `12th`, `tied 2.5`."""
    if rank != int(rank):
        return f"tied {rank:g}"
    n = int(rank)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _places(value: float) -> str:
    return f"{value:.1f} place{'s' * (f'{value:.1f}' != '1.0')}"


def _chance(p: float, single: bool) -> str:
    """How often random rankings produce a figure, in words that never say "100%"."""
    from coachkit.text import format_p

    among = "random pairs of rankings" if single else "random rankings of these group sizes"
    if beyond_chance(p):
        return f"beyond what {among} produce ({format_p(p)})"
    common = "common" if p >= 0.2 else "not rare"
    return f"{common} among {among} ({format_p(p)})"


def focus_reason(info: InstrumentInfo, focus: Focus, n: int = 1, rated: bool = False) -> str:
    """A focus item in a sentence: who ranks it where, by how much, and what chance says; a
    finding only when beyond chance (the words "major" and "to grow" are for findings). `n` is
    the evidence group's raters; `rated`: they gave ratings, which became ranks, and the
    sentence says who rates it higher, the ranks being each rater's rating order."""
    own, them = _group(info, info.self_group), who(info, focus.group)
    plural = n > 1 or focus.group == info.pooled
    verb = "rank" if plural else "ranks"
    mine, theirs = _rank(focus.self_rank), _rank(focus.group_rank, n)
    if rated and focus.direction == "others_higher":
        where = (
            f"{them} {'rate' if plural else 'rates'} it higher than {own}: {theirs} against "
            f"{mine} in rating order, {_places(focus.gap)} higher"
        )
    elif rated:
        where = (
            f"{own} rates it higher than {them}: {mine} against {theirs} in rating order, "
            f"{_places(-focus.gap)} higher"
        )
    elif focus.direction == "others_higher":
        where = f"{them} {verb} it {theirs}, {own} {mine}: {_places(focus.gap)} higher than {own}"
    else:
        where = f"{own} ranks it {mine}, {them} {theirs}: {_places(-focus.gap)} higher than {them}"
    size = f" (a {focus.level} gap)" if focus.beyond_chance else ""
    text = f"{where}{size}; {_chance(focus.p_value, n <= 1)}"
    if focus.reference is not None:
        view = focus.reference
        boss = who(info, view.group)
        boss = f"{boss[:1].upper()}{boss[1:]}"
        text += (
            f". {boss}'s ratings put it {_rank(view.rank)}: one person's view"
            if rated
            else f". {boss} ranks it {_rank(view.rank)}: one person's view"
        )
    return text + "."


def focus_difference(info: InstrumentInfo, label: str, focus: Focus, n: int = 1) -> str:
    """A focus item within chance, shortly, under a heading that says so: who ranks it where,
    the size and its p, and the manager's rank."""
    from coachkit.text import format_p

    own, them = _group(info, info.self_group), who(info, focus.group)
    text = (
        f"{label}: {own} {_rank(focus.self_rank)}, {them} {_rank(focus.group_rank, n)} "
        f"({_places(abs(focus.gap))} apart, {format_p(focus.p_value)})"
    )
    if focus.reference is not None:
        text += f"; {who(info, focus.reference.group)} {_rank(focus.reference.rank)}"
    return text


def adjusted_gaps(found: list[tuple[str, str, float, float]], tested: int, focus: bool) -> str:
    """The gaps beyond chance once every gap the report tests is paid for (Holm), each with its
    adjusted p; or the one line that says there are none. `found`: pair, label, gap, p; `focus`:
    whether the report has coaching-focus findings, which pay for fewer gaps."""
    from coachkit.text import format_p

    if found:
        listed = "; ".join(
            f"{pair}: {label} {signed(gap)} (adjusted {format_p(p)})"
            for pair, label, gap, p in found
        )
        text = f"† Beyond chance after paying for all {tested} gaps tested (Holm): {listed}."
    else:
        text = (
            f"After paying for all {tested} gaps tested (Holm), every adjusted p is above "
            f"{alpha_text()}."
        )
    if focus:
        text += (
            " The coaching focus below tests self against all other raters alone, paying for "
            "that comparison's gaps only."
        )
    return text


def plan_topic(info: InstrumentInfo, label: str, focus: Focus, rated: bool = False) -> str:
    """A finding as a development-plan heading: to grow, or to rethink, with its p (`rated`:
    the raters gave ratings, so they rate it higher)."""
    from coachkit.text import format_p

    verb = "rate" if rated else "rank"
    if focus.direction == "others_higher":
        return (
            f"{label} (to grow: {who(info, focus.group)} {verb} it higher, "
            f"{format_p(focus.p_value)})"
        )
    own = _group(info, info.self_group)
    return f"{label} (to rethink or hand over: {own} {verb}s it higher, {format_p(focus.p_value)})"


def growth_topics(info: InstrumentInfo, contrasts: list[TiltContrast]) -> list[str]:
    """Tilt contrasts beyond chance as development-plan headings: one per family wanted, naming
    everyone who may be looking for it, each with the p of their difference."""
    from coachkit.text import format_p

    first, second = (label for label in info.tilt or ("", ""))
    wanted: dict[str, list[str]] = {}
    for c in contrasts:
        wants = second if c.difference > 0 else first
        wanted.setdefault(wants, []).append(f"{who(info, c.b)} ({format_p(c.p_value)})")
    return [
        f"{family} (to grow: {' and '.join(whom)} may be looking for it)"
        for family, whom in wanted.items()
    ]


def difference_size(info: InstrumentInfo, focus: Focus) -> str:
    """A focus item's size in words that carry its direction, never a sign: `self 6.1 places
    higher`, `all other raters 4.2 places higher`."""
    higher = info.self_group if focus.direction == "self_higher" else focus.group
    return f"{who(info, higher)} {_places(abs(focus.gap))} higher"


def no_findings(info: InstrumentInfo, group: str, n: int, needed: float | None, k: int) -> str:
    """The one line a summary says when no difference between self and the others is beyond
    chance: what a gap would need, for these group sizes."""
    own = _group(info, info.self_group)
    text = (
        f"No single dimension stands out beyond chance: every difference between {own} and "
        f"{who(info, group)} is within what random rankings of these group sizes often produce"
    )
    if needed is None or needed != needed or needed > k - 1:
        reason = (
            "one person's ranking against another's is always within what chance produces"
            if n <= 1
            else "with these group sizes any gap is within what chance produces"
        )
        return f"{text} ({reason})."
    return (
        f"{text} (with {n} rater{'s' * (n != 1)}, random rankings reach gaps of about "
        f"{needed:.1f} of {k} places one time in twenty)."
    )


def _leaning(info: InstrumentInfo, tilt: float) -> str:
    """`competencies first`, `characteristics first` or `about balanced`, for a tilt."""
    first, second = (label.lower() for label in info.tilt or ("", ""))
    if abs(tilt) < 0.5:
        return "about balanced"
    return f"{first if tilt > 0 else second} first"


def tilt_contrast(info: InstrumentInfo, contrast: TiltContrast, with_self: bool = True) -> str:
    """Self's tilt against another group's in one or two sentences, naming whose view it is;
    "may be looking for growth" only when the difference is beyond chance (p <= ALPHA). Without
    `with_self`, self's own tilt is taken as said (a second contrast)."""
    from coachkit.text import format_p

    first, second = (label.lower() for label in info.tilt or ("", ""))
    own, other = info.groups[contrast.a], who(info, contrast.b)
    raters = f"; {contrast.b_n} raters" if contrast.b_n > 1 else ""
    places = abs(contrast.difference)
    theirs = (
        f"{signed(contrast.b_tilt)} ({_leaning(info, contrast.b_tilt)}; "
        f"{format_p(contrast.b_p)}{raters})"
    )
    if with_self:
        owner = f"{other}'" if other.endswith("s") else f"{other}'s"
        opening = (
            f"{own}'s tilt is {signed(contrast.a_tilt)} ({_leaning(info, contrast.a_tilt)}; "
            f"{format_p(contrast.a_p)}); {owner} is {theirs}"
        )
    else:
        opening = f"Against {other}, tilt {theirs}"
    if beyond_chance(contrast.p_value):
        leaning = first if contrast.difference > 0 else second
        wants = second if contrast.difference > 0 else first
        whose = "one person's view" if contrast.b_n <= 1 else f"the view of {contrast.b_n} raters"
        return (
            f"{opening}: {in_sentence(own)} leans {_places(places)} further toward {leaning} "
            f"({format_p(contrast.p_value)} for the difference), so {other} may be looking "
            f"for growth in {wants} ({whose}). A hypothesis to explore in the session, not a "
            "verdict."
        )
    return f"{opening}: a difference of {_places(places)}, {_chance(contrast.p_value, contrast.b_n <= 1)}."


def gap_legend(notable: float, major: float) -> str:
    """What the notable and major marks are: sizes, not evidence."""
    return (
        f"* notable (>= {notable:g} places), ** major (>= {major:g}): sizes, not evidence; "
        f"† adjusted p <= {alpha_text()} after paying for every gap the report tests (Holm), "
        "listed below the table"
    )


def alpha_text() -> str:
    """The significance level as a report writes it: `.05`."""
    return f"{ALPHA:g}".lstrip("0")


def chance_line(expected: float, shown: int) -> str:
    """How many notable gaps random rankings would show for these group sizes."""
    return (
        f"Random rankings would show about {expected:.1f} notable gaps for these group sizes; "
        f"this report shows {shown}."
    )


DIFFERENCES_HEADING = "Largest differences, within chance: sizes to ask about"

FOCUS_NOTE = (
    "Gaps and tilts are hypotheses to explore in the session, not verdicts: raising one "
    "dimension in a ranking lowers another, so its gaps are not independent of each other."
)


def self_standing(
    info: InstrumentInfo,
    label: str,
    self_rank: float,
    group: str,
    counts: tuple[int, int, int],
    rated: bool = False,
) -> str:
    """Where self stands among a group's raters on one dimension, in words a coach can say aloud:
    "self ranks Personal ethics 9th; 10 of 11 others rank it higher" (with ratings: "self's
    ratings put Personal ethics 9th; 10 of 11 others rate it higher")."""
    higher, same, lower = counts
    total = higher + same + lower
    who = "others" if group == info.pooled else _group(info, group)
    parts = [f"{higher} of {total} {who} {'rate' if rated else 'rank'} it higher"]
    if same:
        parts.append(f"{same} the same")
    own = info.groups[info.self_group]
    if rated:
        return f"{own}'s ratings put {label} {ordinal(self_rank)}; " + ", ".join(parts)
    return f"{own} ranks {label} {ordinal(self_rank)}; " + ", ".join(parts)


def values_note(settings: Settings) -> str:
    """The one line a report of ratings says, in every format: what the raters gave and how it
    became the ranks shown ("" for rankings)."""
    if not settings.rated:
        return ""
    given = "ratings"
    if settings.scale is not None:
        low, high = settings.scale
        given = f"{low:g}\u2013{high:g} ratings"
    return (
        f"Raters gave {given}, not rankings: each rater's ratings became ranks (the highest "
        "rating first; ties share a rank)."
    )


def gap_sign(rated: bool) -> str:
    """What a positive gap means, for a gap table's heading."""
    return f"the first group {'rates' if rated else 'ranks'} it higher"


def change_summary(info: InstrumentInfo, change: SubjectChange) -> str:
    """One leader's re-assessment in a sentence: agreement, gaps that moved, tilts."""
    me, other = info.self_group, info.counterpart
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


MOVED_GAPS_TITLE = "Appendix: the gaps that moved, leader by leader"


def moved_gaps(count: int) -> tuple[str, str]:
    """What stands for a leader's gaps that moved, listed on request: the label that opens them
    (HTML), and the line that sends a reader to the appendix (the printed and text formats)."""
    label = f"The {count} gap{'s' * (count != 1)} that moved by the notable size or more"
    return label, f"{label}: listed in the appendix"


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
    """Last time's coaching-focus findings (beyond chance), this time: closed, still open, new."""

    def listed(dims: tuple[str, ...]) -> str:
        return ", ".join(labels[d] for d in dims) or "none"

    return (
        f"Last time's findings: closed: {listed(change.focus_closed)}; still open: "
        f"{listed(change.focus_open)}; new: {listed(change.focus_new)}"
    )


MAX_EXCLUDED_SHOWN = 25  # excluded responses a report lists one by one


def excluded_by_reason(excluded: tuple[Exclusion, ...]) -> tuple[str, ...]:
    """Excluded responses by reason, when there are more than a report lists one by one: a
    line per reason with its count and first rows ("1,152 responses: identical to an earlier
    response (rows 5, 6, 7, ...)")."""
    from coachkit.model import exclusion_reasons

    if len(excluded) <= MAX_EXCLUDED_SHOWN:
        return ()
    lines = []
    for found in exclusion_reasons(excluded):
        rows = ", ".join(str(e.row) for e in found.first)
        more = ", ..." if found.count > len(found.first) else ""
        plural = "s" * (found.count != 1)
        lines.append(f"{found.count:,} response{plural}: {found.reason} (row{plural} {rows}{more})")
    return tuple(lines)


def excluded_more(count: int) -> str:
    """The line that stands for the excluded responses a report does not list one by one."""
    return (
        f"... and {count:,} more excluded response{'s' * (count != 1)}: every one is listed, "
        "with its file, row and reason, in --format json and --format xlsx"
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


def tilt_difference_legend(info: InstrumentInfo) -> str:
    """What the segments' first row means: self's tilt minus the manager's, per leader."""
    first = (info.tilt or ("the first family",))[0].lower()
    me, boss = _group(info, info.self_group), _group(info, info.counterpart)
    return (
        f"{info.groups[info.self_group]} tilt minus {boss}'s: per leader, how many places further "
        f"{me} puts {first} first than the {boss} does, averaged over the segment's leaders."
    )


def segment_contrast(info: InstrumentInfo, segments: Segments) -> str:
    """What the permutation test over leaders says about the segments' tilt differences: which
    segment's leaders lean further toward the first family than their manager, or that the
    segments do not differ beyond chance."""
    contrast = segments.contrast
    shown = sorted(
        (s for s in segments.segments if s.tilt_difference is not None),
        key=lambda s: -(s.tilt_difference or 0.0),
    )
    if contrast is None or len(shown) < 2:
        return (
            f"Too few segments have leaders with both {self_and_focus(info)} tilts to compare them."
        )
    first, second = (label.lower() for label in info.tilt or ("the first family", ""))
    boss = _group(info, info.counterpart)
    how = (
        f"all {contrast.splits:,} ways to split these {contrast.leaders} leaders"
        if contrast.exact
        else f"{contrast.splits:,} seeded random splits of {contrast.leaders} leaders"
    )
    p = f"{format_p(contrast.p_value)}; {how}"
    high, low = shown[0], shown[-1]
    a, b = high.tilt_difference or 0.0, low.tilt_difference or 0.0
    if not contrast.beyond_chance:
        return (
            f"The segments do not differ beyond chance in how far leaders lean toward {first} "
            f"beyond their {boss}: {a:+.2f} places in {high.value} against {b:+.2f} in "
            f"{low.value} ({p})."
        )
    if len(shown) > 2:
        return (
            f"The segments differ in how far leaders lean toward {first} beyond their {boss} "
            f"({p}): most in {high.value} ({a:+.2f} places), least in {low.value} ({b:+.2f})."
        )
    lean = f"further toward {first}" if a > 0 else f"less far toward {second}"
    if _named(high.value) and _named(low.value):
        who, other = f"{high.value} leaders", f"in {low.value}"
    else:  # yes/no, numbers: say which attribute they are values of
        attribute = in_sentence(segments.by)
        who, other = f"Leaders whose {attribute} is {high.value}", f"where it is {low.value}"
    return f"{who} lean {lean} than their {boss}s: {a:+.2f} places against {b:+.2f} {other} ({p})."


def _named(value: str) -> bool:
    """Whether a segment's value reads as a name before "leaders" (Engineering, not yes or 3)."""
    return value.casefold() not in {"yes", "no", "true", "false", "y", "n"} and any(
        c.isalpha() for c in value
    )
