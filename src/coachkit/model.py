"""The computed result every renderer draws from: frozen dataclasses, no pandas, no rich.

A result (`Report`, `OrgReport`, `CompareReport`, the journeys) also gives its plain forms for
notebooks: `to_dict()` is the JSON document of `--format json` and `to_frame()` the table of
`--format csv`, both built from the fields by `coachkit.document`, which the JSON and CSV
renderers only serialize. `render(format)` writes any format; the renderers are imported only
then, on request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


class Rendered:
    """What every result offers besides its fields."""

    def render(
        self, format: str = "table", *, width: int = 100, template: str | Path | None = None
    ) -> str | bytes:
        """The result in one format, as the command line writes it (bytes for xlsx)."""
        from coachkit.errors import UsageError
        from coachkit.options import Format
        from coachkit.render import RenderOptions, render

        try:
            fmt = Format(format)
        except ValueError:
            known = ", ".join(f.value for f in Format)
            raise UsageError(f"format {format!r} is not one of {known}") from None
        options = RenderOptions(width=width, template=None if template is None else Path(template))
        return render(self, fmt, options)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of `--format json` as Python data, built from the result's fields
        (floats to 4 decimals)."""
        from coachkit.document import document

        return document(self)

    def to_frame(self) -> pd.DataFrame:
        """The tidy table of `--format csv` as a DataFrame, built from the result's fields:
        numbers as numbers (to 4 decimals), NaN where a value is missing."""
        import pandas as pd

        from coachkit.document import table

        columns, rows = table(self)
        return pd.DataFrame(list(rows), columns=list(columns))


@dataclass(frozen=True)
class DimensionInfo:
    """A dimension as results carry it."""

    id: str
    label: str
    family: str


@dataclass(frozen=True)
class InstrumentInfo:
    """The instrument as results carry it: what a renderer needs to word a report."""

    id: str
    name: str
    dimensions: tuple[DimensionInfo, ...]
    groups: Mapping[str, str]  # group id -> label, in report order
    families: Mapping[str, str]  # family id -> label
    self_group: str
    focus_groups: tuple[str, ...]  # whose view coaching focus follows, in order of preference
    pooled: str
    reference: str | None = None  # the one person set beside the evidence (the manager)
    tilt: tuple[str, str] | None = None  # labels of the families a tilt compares, first one first
    anonymous: tuple[str, ...] = ()  # the groups reported only from --min-raters raters
    # the group a summary sets against self: the reference role, else the first focus group
    # that is not self (resolved once, by `Instrument.counterpart`)
    counterpart: str = "manager"
    title: str = ""  # a report's heading
    pattern: str = ""  # the name of self's tilt well above the counterpart's ("": no tilt)


@dataclass(frozen=True)
class Settings:
    """The options the analysis ran with."""

    min_raters: int
    notable_gap: float
    major_gap: float
    scheme: str
    values: str
    allow_partial: bool
    intervals: bool = True  # 95% intervals over raters for groups of 3+
    # with values "scores": the lowest and highest rating the raters gave (each rater's ratings
    # became ranks, the highest first, ties sharing the average rank); None for rankings
    scale: tuple[float, float] | None = None

    @property
    def rated(self) -> bool:
        """Whether the raters gave ratings (turned into ranks) rather than rankings."""
        return self.values == "scores"


@dataclass(frozen=True)
class InputSummary:
    """One input: rows read, responses used, excluded and (with --allow-partial) completed."""

    path: str
    source_format: str
    rows: int
    responses_used: int
    responses_excluded: int
    responses_completed: int | None = None  # partial rankings filled in (with --allow-partial)


@dataclass(frozen=True)
class Exclusion:
    """A response left out, with its file, row, leader and reason."""

    path: str
    row: int
    subject: str
    reason: str


@dataclass(frozen=True)
class ExclusionReason:
    """Excluded responses that share one reason (its row-specific details aside): how many, and
    the first few of them."""

    reason: str  # the reason, its numbers and rows in parentheses generalized (`rank N ...`)
    count: int
    first: tuple[Exclusion, ...]  # the first few, in the order read


_ROWS_NOTE = re.compile(r"\s*\([^()]*\brow \d+[^()]*\)")
_IDENTICAL_TO = re.compile(r"^identical to .*?, row \d+ ")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def exclusion_reasons(
    excluded: tuple[Exclusion, ...], shown: int = 3
) -> tuple[ExclusionReason, ...]:
    """Excluded responses by reason, the most frequent first (then in order of first seen): a
    report of five rankings among a thousand excluded test responses names each reason once,
    with its count and first rows."""
    groups: dict[str, list[Exclusion]] = {}
    for e in excluded:
        reason = _IDENTICAL_TO.sub("identical to an earlier response ", e.reason)
        reason = _NUMBER.sub("N", _ROWS_NOTE.sub("", reason))
        groups.setdefault(reason, []).append(e)
    ordered = sorted(groups.items(), key=lambda item: -len(item[1]))  # stable: first seen first
    return tuple(ExclusionReason(r, len(rows), tuple(rows[:shown])) for r, rows in ordered)


@dataclass(frozen=True)
class GroupCount:
    """A group's raters for one leader, and whether (and why not) it is reported."""

    group: str
    n: int
    reported: bool
    reason: str | None = None


@dataclass(frozen=True)
class NotableGap:
    """A gap of at least the notable threshold between two groups on one dimension."""

    dimension: str
    gap: float
    level: str  # "notable" | "major": a size, not evidence
    p_value: float  # two-sided, under random ranking, for this dimension and these group sizes
    p_adjusted: float = 1.0  # Holm's adjustment over every gap the leader's report tests


@dataclass(frozen=True)
class Comparison:
    """Two reported groups compared: their agreement and their gaps."""

    a: str
    b: str
    spearman: float | None
    gaps: Mapping[str, float]  # mean_rank[b] - mean_rank[a]: positive when a prioritizes it more
    notable: tuple[NotableGap, ...]
    gaps_ci: Mapping[str, tuple[float, float]] | None = None  # both groups of 3+ raters


@dataclass(frozen=True)
class Concordance:
    """Agreement within a group: Kendall's W, its chi-square and p-value."""

    kendall_w: float
    chi2: float
    p_value: float  # a permutation p below 8 raters, the chi-square's from 8 on
    m: int


@dataclass(frozen=True)
class Tilt:
    """A group's tilt between the tilt's two families, with its exact p-value."""

    value: float
    p_value: float
    m: int
    ci: tuple[float, float] | None = None  # groups of 3+ raters


@dataclass(frozen=True)
class Block:
    """The statistics of one block of dimensions (all of them, or one family)."""

    block: str
    dimensions: tuple[str, ...]
    mean_rank: Mapping[str, Mapping[str, float]]
    consensus_rank: Mapping[str, Mapping[str, float]]
    comparisons: tuple[Comparison, ...]
    concordance: Mapping[str, Concordance]
    tilt: Mapping[str, Tilt] | None
    rho_critical: float = 0.0  # |rho| two groups need for p <= .05 with this block's size
    mean_rank_ci: Mapping[str, Mapping[str, tuple[float, float]]] = field(default_factory=dict)
    # where self stands among each reported anonymous group's raters: per group and dimension,
    # how many rank it higher, the same and lower than self (counts only)
    self_among: Mapping[str, Mapping[str, tuple[int, int, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReferenceView:
    """The reference role's (the manager's) view of a focus item: one person's, as context."""

    group: str
    rank: float  # their mean rank of the dimension (one manager: their own rank)
    gap: float  # self's mean rank minus theirs: > 0 when they rank it higher than self


@dataclass(frozen=True)
class Focus:
    """A coaching-focus item: a dimension where self and the evidence group (every other rater,
    pooled) differ most, in one direction or the other."""

    dimension: str
    direction: str  # "others_higher" (a candidate to grow) | "self_higher" (to rethink)
    group: str  # the evidence group: the pooled others, else the largest reported group
    gap: float  # self's mean rank minus the group's: > 0 when the group ranks it higher
    level: str  # "notable" | "major": a size, not evidence
    self_rank: float  # mean ranks of self and the group: gap = self_rank - group_rank
    group_rank: float
    p_value: float  # chance the largest gap of all, either way, reaches this one's share
    beyond_chance: bool  # p_value <= ALPHA
    reference: ReferenceView | None = None  # where the manager is reported beside the others


@dataclass(frozen=True)
class Strength:
    """A dimension self and the others both put near the top, the others' consensus on it
    beyond chance (the chance that random raters put any item this near the top)."""

    dimension: str
    p_value: float


@dataclass(frozen=True)
class TiltContrast:
    """How self and another group differ in tilt, with the exact p of the difference."""

    a: str  # self
    b: str  # the reference role, or the pooled others
    a_tilt: float
    a_p: float
    b_tilt: float
    b_p: float
    difference: float  # a_tilt - b_tilt: positive when self leans further to the first family
    p_value: float
    b_n: int = 1  # raters behind the other group's tilt


@dataclass(frozen=True)
class GroupComments:
    """The free-text comments of one reported group about a leader, in an order that says
    nothing about who wrote which (`--comments`)."""

    group: str
    texts: tuple[str, ...]


@dataclass(frozen=True)
class SubjectResult:
    """Everything about one leader: groups, blocks, coaching focus, tilt contrast, strengths."""

    subject: str
    groups: tuple[GroupCount, ...]
    blocks: tuple[Block, ...]
    coaching_focus: tuple[Focus, ...]
    tilt_contrast: TiltContrast | None  # self against the reference role (the manager)
    strengths: tuple[Strength, ...]
    notable_by_chance: float = 0.0  # notable gaps random rankings would show, on average
    tilt_contrasts: tuple[TiltContrast, ...] = ()  # against the reference, then the others
    # the group the focus tests self against, and the share of a block's size a gap needs to be
    # beyond chance for these group sizes (None without one)
    evidence: str | None = None
    critical_share: float | None = None
    # Spearman's rho of self and the reference role (the manager), the mean over blocks
    counterpart_spearman: float | None = None
    comments: tuple[GroupComments, ...] = ()  # only with --comments, only of reported groups
    # with an HR roster only: the leader's attributes (None: the roster has no row for them)
    attributes: Mapping[str, str | None] | None = None

    def reported(self) -> tuple[str, ...]:
        """The groups reported for this leader."""
        return tuple(g.group for g in self.groups if g.reported)


@dataclass(frozen=True)
class Report(Rendered):
    """The report of `coachkit analyze`: every leader of the dataset."""

    coachkit_version: str
    instrument: InstrumentInfo
    settings: Settings
    inputs: tuple[InputSummary, ...]
    excluded: tuple[Exclusion, ...]
    subjects: tuple[SubjectResult, ...]
    warnings: tuple[str, ...] = ()
    attribute_columns: tuple[str, ...] = ()  # the HR roster's columns (empty: no roster)


@dataclass(frozen=True)
class OrgGroup:
    """One rater group pooled over every leader in the organization."""

    group: str
    n: int
    reported: bool
    reason: str | None
    mean_rank: Mapping[str, float]
    consensus_rank: Mapping[str, float]
    tilt: Tilt | None
    concordance: Mapping[str, Concordance]  # per block


@dataclass(frozen=True)
class GroupAgreement:
    """Spearman's rho between two groups pooled over the organization."""

    block: str
    a: str
    b: str
    spearman: float | None  # of the two groups' mean-rank vectors within the block


@dataclass(frozen=True)
class RhoSummary:
    """A rho's spread over leaders."""

    median: float | None
    q1: float | None
    q3: float | None
    share_below_critical: float | None
    n_subjects: int
    critical: float


@dataclass(frozen=True)
class Segment:
    """The leaders who share one value of a roster attribute, pooled like the organization."""

    value: str
    n_leaders: int
    reported: bool  # False below MIN_SEGMENT_LEADERS leaders: then nothing else is filled in
    reason: str | None
    groups: tuple[OrgGroup, ...] = ()
    # the mean over the segment's leaders of self's tilt minus the reference role's, and how
    # many leaders have both (None: no leader has)
    tilt_difference: float | None = None
    tilt_leaders: int = 0
    pattern_count: int = 0  # leaders showing the technical-leader pattern
    pattern_assessed: int = 0  # leaders who could (self and the reference role both shown)
    pattern_expected_share: float | None = None  # the share random rankings would show


@dataclass(frozen=True)
class SegmentContrast:
    """Whether the segments differ in the self-minus-reference tilt: a permutation test over
    leaders, from every way to split them into segments of their sizes (`exact`) or from
    `splits` seeded random ones."""

    p_value: float
    leaders: int
    splits: int
    exact: bool
    beyond_chance: bool


@dataclass(frozen=True)
class Segments:
    """The organization split by one roster attribute (`org --by`)."""

    by: str
    segments: tuple[Segment, ...]
    contrast: SegmentContrast | None
    unassigned: tuple[str, ...]  # leaders with no value of the attribute (or no roster row)


@dataclass(frozen=True)
class OrgReport(Rendered):
    """The organization view of `coachkit org`."""

    coachkit_version: str
    instrument: InstrumentInfo
    settings: Settings
    inputs: tuple[InputSummary, ...]
    excluded: tuple[Exclusion, ...]
    n_subjects: int
    groups: tuple[OrgGroup, ...]
    agreement: tuple[GroupAgreement, ...]
    self_manager_spearman: RhoSummary
    technical_leader_pattern: tuple[str, ...]
    coaching_focus_frequency: Mapping[str, int]
    # the pattern under random ranking (None without a tilt): how many leaders could show it,
    # the share expected by chance for their group sizes, and the chance of this many or more
    pattern_assessed: int = 0
    pattern_expected_share: float | None = None
    pattern_p_value: float | None = None
    segments: Segments | None = None  # with `--by` only


@dataclass(frozen=True)
class JourneyGroup:
    """One rater group's journey: where it ranks the items now and in the future."""

    group: str
    n_now: int
    n_future: int
    reported: bool  # shown for both questions; else `reason` says which one withholds it
    reason: str | None
    now: Mapping[str, float] = field(default_factory=dict)  # mean ranks, now
    future: Mapping[str, float] = field(default_factory=dict)  # and in the future
    shift: Mapping[str, float] = field(default_factory=dict)  # future - now: < 0 should rise
    shift_p: Mapping[str, float] = field(default_factory=dict)  # under random ranking
    moves: tuple[str, ...] = ()  # items whose shift is beyond chance (Holm over the items)
    stage: str | None = None  # the item the group ranks first now: where it places us today
    alignment: float | None = None  # Spearman's rho of its future mean ranks with the vision's
    raters_aligned: int | None = None  # its raters whose future is within rho >= .5 of it


@dataclass(frozen=True)
class SubjectJourney:
    """The journey of one leader's (or organization's) raters, group by group."""

    subject: str
    groups: tuple[JourneyGroup, ...]


@dataclass(frozen=True)
class JourneyReport(Rendered):
    """The result of `coachkit analyze --now Q --future Q`: from now to the future, and who
    shares the vision."""

    coachkit_version: str
    instrument: InstrumentInfo
    settings: Settings
    inputs: tuple[InputSummary, ...]
    excluded: tuple[Exclusion, ...]
    now_question: str
    future_question: str
    vision: str  # the group whose future is the vision (the CIO)
    aligned_rho: float  # the rho at which a rater counts as sharing the vision
    subjects: tuple[SubjectJourney, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class GroupJourneyChange:
    """How one group's view of the journey moved between two surveys: before, after."""

    group: str
    raters: tuple[int, int]  # the future question's raters
    alignment: tuple[float | None, float | None]
    raters_aligned: tuple[int | None, int | None]
    stage: tuple[str | None, str | None]


@dataclass(frozen=True)
class SubjectJourneyChange:
    """Whether a leader's (or organization's) raters moved toward the vision."""

    subject: str
    groups: tuple[GroupJourneyChange, ...]
    # anonymous groups whose raters changed by fewer than --min-raters: withheld, since the
    # change in who shares the vision would tell how those few raters answered
    withheld: tuple[str, ...] = ()


@dataclass(frozen=True)
class JourneyCompareReport(Rendered):
    """`coachkit compare` of two journeys: did the team move toward the vision?"""

    coachkit_version: str
    instrument: InstrumentInfo
    settings: Settings
    before: tuple[InputSummary, ...]
    after: tuple[InputSummary, ...]
    vision: str
    subjects: tuple[SubjectJourneyChange, ...]
    unmatched_before: tuple[str, ...]
    unmatched_after: tuple[str, ...]


@dataclass(frozen=True)
class GapChange:
    """A gap that closed or opened between two assessments."""

    pair: str  # "<a>-<b>", group ids
    block: str
    dimension: str
    before: float
    after: float


@dataclass(frozen=True)
class SubjectChange:
    """What changed for one leader between two assessments."""

    subject: str
    self_manager_spearman: tuple[float | None, float | None]  # before, after
    self_all_others_spearman: tuple[float | None, float | None]
    tilt: Mapping[str, tuple[float, float]]  # group -> (before, after)
    closed: tuple[GapChange, ...]
    opened: tuple[GapChange, ...]
    reversed: tuple[GapChange, ...] = ()  # notable both times, in opposite directions
    # anonymous groups whose changes are withheld: their rater count changed by fewer than
    # --min-raters, so "after x n - before x n" would come close to a few raters' own rankings
    withheld: tuple[str, ...] = ()
    # last time's coaching focus: dimensions no longer in it, still in it, and new to it
    focus_closed: tuple[str, ...] = ()
    focus_open: tuple[str, ...] = ()
    focus_new: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompareReport(Rendered):
    """The result of `coachkit compare`."""

    coachkit_version: str
    instrument: InstrumentInfo
    settings: Settings
    before: tuple[InputSummary, ...]
    after: tuple[InputSummary, ...]
    subjects: tuple[SubjectChange, ...]
    unmatched_before: tuple[str, ...]
    unmatched_after: tuple[str, ...]


@dataclass(frozen=True)
class IndexEntry:
    """One report a batch wrote: its leader, input, path and headline numbers."""

    input: str
    subject: str
    path: str  # relative to the output folder
    groups: dict[str, int]
    self_manager_spearman: float | None
    tilt: dict[str, float | None]
    attributes: Mapping[str, str | None] | None = None  # with an HR roster: the leader's


@dataclass(frozen=True)
class BatchResult:
    """What a batch did: the reports written, the files that failed, the index."""

    reports: tuple[IndexEntry, ...]
    failed: tuple[tuple[str, str], ...]  # (input, error)
    index: Path
    roles: tuple[str, str] = ("Self", "Manager")  # labels of the self and the manager group
    index_written: bool = True  # False when the index itself could not be written
    attribute_columns: tuple[str, ...] = ()  # the HR roster's columns (empty: no roster)
    group_labels: Mapping[str, str] = field(default_factory=dict)  # id -> label, report order
