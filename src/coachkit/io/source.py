"""What every reader produces: a `Source` of responses as arrays, and the options it reads by.

A source holds, per response: the spreadsheet row a user sees, the subject (a number for each
distinct name), the rater id (empty when the file has none), the group (the index of a
canonical group, -1 for none), a note (why the response cannot be used, empty when it can),
and the raw rank or score of each dimension (NaN when unranked).
`Source.responses` shows them as one table, with the columns `path`, `row`, `subject`,
`rater`, `group`, `note` and one per dimension id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from coachkit.options import Layout, ValueKind

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class ReadOptions:
    """What a reader needs to know beyond the file: forced layout, sheet, and the columns or values a user named."""

    layout: Layout = Layout.auto
    sheet: str | None = None
    subject: str | None = None
    group_map: dict[str, str] = field(default_factory=dict)
    subject_column: str | None = None
    group_column: str | None = None
    codes: dict[str, str] = field(default_factory=dict)  # answer code -> item label
    group: str | None = None  # every response's rater group (a group id), instead of a column
    rater_column: str | None = None
    question: str | None = None  # the ranking question, by id or words of its text
    comments: bool = False  # read the free-text comment columns too (`--comments`)


@dataclass(frozen=True)
class Source:
    """One input file, read: its responses (arrays of one item per response) and what the
    reader learned about them."""

    path: str
    source_format: str
    rows: int  # data rows read
    row_numbers: np.ndarray  # per response: the spreadsheet row,
    subject_codes: np.ndarray  # the subject (an index into `subject_names`),
    raters: np.ndarray  # the rater id as the file holds it,
    group_codes: np.ndarray  # the group (an index into `group_ids`, -1 for none),
    notes: np.ndarray  # why it cannot be used ("" when it can),
    values: np.ndarray  # and its ranks or scores, a column per dimension
    subject_names: np.ndarray  # the distinct subjects ("" when a row names none)
    group_ids: tuple[str, ...]  # the instrument's groups
    dimensions: tuple[str, ...]  # the dimension ids, in the order of `values`' columns
    values_hint: ValueKind | None = None
    warnings: tuple[str, ...] = ()
    understood: str = ""  # what the reader took from where ("question Q5; leader: 'Name'")
    # per response, its free-text comments (a tuple of texts); None unless comments were asked for
    comments: np.ndarray | None = None
    # per response, the group its label names where --group-map moved it elsewhere (-1: not
    # moved); None when no --group-map applies
    moved_from: np.ndarray | None = None
    # per response, the instrument's alias its group label names the group by ("" where the
    # label is the group's id or label, or --group-map names it); None when no label is an alias
    aliases: np.ndarray | None = None
    group_given: str | None = None  # the group `--group` gave every response of the file
    # with it, per response, the group the file's own group column names where it is another
    # (-1 where it is not); None when the file has no such column, or it names no other group
    given_over: np.ndarray | None = None

    @cached_property
    def responses(self) -> pd.DataFrame:
        """The responses as one table (see the module's description)."""
        from coachkit.io.columns import responses_frame

        return responses_frame(self)
