"""The computed result every renderer draws from: frozen dataclasses, no pandas, no rich."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class DimensionInfo:
    id: str
    label: str
    family: str


@dataclass(frozen=True)
class InstrumentInfo:
    id: str
    name: str
    dimensions: tuple[DimensionInfo, ...]
    groups: Mapping[str, str]  # group id -> label, in report order
    families: Mapping[str, str]  # family id -> label
    tilt: tuple[str, str] | None = None  # labels of the families a tilt compares, first one first


@dataclass(frozen=True)
class Settings:
    min_raters: int
    notable_gap: float
    major_gap: float
    scheme: str
    values: str
    allow_partial: bool


@dataclass(frozen=True)
class InputSummary:
    path: str
    source_format: str
    rows: int
    responses_used: int
    responses_excluded: int


@dataclass(frozen=True)
class Exclusion:
    path: str
    row: int
    subject: str
    reason: str


@dataclass(frozen=True)
class GroupCount:
    group: str
    n: int
    reported: bool
    reason: str | None = None


@dataclass(frozen=True)
class NotableGap:
    dimension: str
    gap: float
    level: str  # "notable" | "major"
    chance: float  # P(|gap| >= this) between two random rankings


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    spearman: float | None
    gaps: Mapping[str, float]  # mean_rank[b] - mean_rank[a]: positive when a prioritizes it more
    notable: tuple[NotableGap, ...]


@dataclass(frozen=True)
class Concordance:
    kendall_w: float
    chi2: float
    p_value: float
    m: int


@dataclass(frozen=True)
class Tilt:
    value: float
    p_value: float
    m: int


@dataclass(frozen=True)
class Block:
    block: str
    dimensions: tuple[str, ...]
    mean_rank: Mapping[str, Mapping[str, float]]
    consensus_rank: Mapping[str, Mapping[str, float]]
    comparisons: tuple[Comparison, ...]
    concordance: Mapping[str, Concordance]
    tilt: Mapping[str, Tilt] | None


@dataclass(frozen=True)
class Focus:
    dimension: str
    gap: float
    reason: str


@dataclass(frozen=True)
class SubjectResult:
    subject: str
    groups: tuple[GroupCount, ...]
    blocks: tuple[Block, ...]
    coaching_focus: tuple[Focus, ...]
    tilt_contrast: str | None
    strengths: tuple[str, ...]

    def reported(self) -> tuple[str, ...]:
        return tuple(g.group for g in self.groups if g.reported)


@dataclass(frozen=True)
class Report:
    coachkit_version: str
    instrument: InstrumentInfo
    settings: Settings
    inputs: tuple[InputSummary, ...]
    excluded: tuple[Exclusion, ...]
    subjects: tuple[SubjectResult, ...]
    warnings: tuple[str, ...] = ()
