"""Check responses against the ranking rules and turn them into ranks; list every exclusion."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from coachkit.errors import InputError
from coachkit.io.columns import rater_codes
from coachkit.keys import (
    descending_ranks,
    earlier_repeats,
    factorize,
    objects,
    rows_factorize,
)
from coachkit.model import Exclusion, InputSummary
from coachkit.options import Scheme, ValueKind

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from coachkit.instruments import Instrument
    from coachkit.io import Source


# Identical rankings of one leader and group without rater ids count once when a ranking has at
# least this many possible orders (8 items: 40,320); below it, agreeing raters match too often.
IDENTICAL_IS_A_REPEAT = 40_320


@dataclass(frozen=True)
class Move:
    """Usable responses an option or an input put in their group (or under their leader): set
    against a run without it, a few of them come close to their own rankings."""

    by: str  # the option or input, as a warning names it ("--group-map", "b.csv")
    rows: np.ndarray  # per usable response, whether it moved
    # per usable response, its group without the move (-1: none); None: the move adds them
    came_from: np.ndarray | None = None
    # per usable response, those whose group does not depend on the move: where given, a move
    # counts only into a group that holds some of them (a run without it still shows the group)
    beside: np.ndarray | None = None


@dataclass(frozen=True)
class Dataset:
    """Usable responses as ranks (rank 1 = top priority within each block), and what was left out."""

    instrument: Instrument
    scheme: Scheme
    values: ValueKind
    allow_partial: bool
    blocks: tuple[tuple[str, tuple[str, ...]], ...]  # (block id, dimension ids)
    subjects: tuple[str, ...]  # in order of their first usable response
    subject_codes: np.ndarray  # per usable response: its subject (an index into `subjects`),
    group_codes: np.ndarray  # its rater group (an index into `instrument.groups`),
    ranks: np.ndarray  # and its ranks, a column per dimension in the instrument's order
    tied: bool  # whether any response ties ranks (scores, or partial rankings filled in)
    excluded: tuple[Exclusion, ...]
    inputs: tuple[InputSummary, ...]
    warnings: tuple[str, ...]
    # per usable response, its free-text comments (a tuple of texts); None unless asked for
    comments: np.ndarray | None = None
    # what options and inputs put responses where they are (--allow-partial, --group-map, a
    # second file, an instrument's alias, merged spellings of a leader's name)
    moves: tuple[Move, ...] = ()
    # per subject, its HR roster attributes (None: no roster row), and the roster's columns;
    # empty without a roster
    attributes: tuple[Mapping[str, str | None] | None, ...] = ()
    attribute_columns: tuple[str, ...] = ()
    # with scores: the lowest and highest score the usable responses gave (None: ranks)
    scale: tuple[float, float] | None = None

    @cached_property
    def responses(self) -> pd.DataFrame:
        """The usable responses as a table: subject, group, and a rank column per dimension."""
        import numpy as np
        import pandas as pd

        groups = np.array([g.id for g in self.instrument.groups], dtype=object)
        frame = pd.DataFrame(self.ranks, columns=list(self.instrument.dimension_ids))
        frame.insert(0, "group", groups[self.group_codes])
        frame.insert(0, "subject", np.array(self.subjects, dtype=object)[self.subject_codes])
        return frame


def blocks_for(instrument: Instrument, scheme: Scheme) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The blocks of a scheme: one of every dimension, or one per family."""
    if scheme is Scheme.overall:
        return (("overall", instrument.dimension_ids),)
    return tuple((f.id, instrument.family_members(f.id)) for f in instrument.families)


def validate(
    sources: list[Source],
    instrument: Instrument,
    values: ValueKind | None = None,
    scheme: Scheme | None = None,
    allow_partial: bool = False,
    merge_names: bool = True,
    keep_identical: bool = False,
) -> Dataset:
    """Check every response against the ranking rules and turn them into ranks; list every exclusion."""
    import numpy as np

    def joined(column: str) -> np.ndarray:
        """One array of every source's responses, in the order read."""
        arrays = [getattr(source, column) for source in sources]
        return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)

    sizes = [len(source.notes) for source in sources]
    origin = np.repeat(np.arange(len(sources)), sizes)  # the source of each response
    row_numbers = joined("row_numbers")
    reason = joined("notes").astype(object)  # a copy: reasons are added below
    subject_codes, subject_names = _subjects(sources)
    notes: list[str] = []
    subject_names = _described_leaders(subject_names, notes)
    merged = np.zeros(len(subject_codes), dtype=bool)
    if merge_names:
        subject_codes, subject_names, merged = _merge_spellings(
            subject_codes, subject_names, row_numbers, notes
        )

    def where(i: int) -> str:
        """A response's file (its name: reasons travel in reports) and row."""
        name = sources[origin[i]].path.replace("\\", "/").rsplit("/", 1)[-1]
        return f"{name}, row {row_numbers[i]}"

    raters = rater_codes(joined("raters"))
    _supersede(raters, subject_codes, subject_names, reason, where)

    groups = joined("group_codes")
    self_index = [g.id for g in instrument.groups].index(instrument.self_group)
    if not instrument.groups[self_index].anonymous:  # one self-assessment per leader: the last
        _keep_last(
            (reason == "") & (groups == self_index) & (subject_names[subject_codes] != ""),
            subject_codes,
            reason,
            lambda kept: (
                f"an earlier self-assessment of this leader; the later one counts ({where(kept)})"
            ),
        )

    raw = joined("values").astype(np.float64, copy=False)
    open_rows = reason == ""
    every = _facts(raw)  # of the block of every dimension
    # With nothing left to analyze, which kind the values are does not matter.
    kind = values or (
        _detect_values(
            _rows(raw, open_rows),
            (_rows(every[0], open_rows), _rows(every[1], open_rows), _rows(every[2], open_rows)),
            sources,
            instrument,
        )
        if open_rows.any()
        else ValueKind.ranks
    )
    if scheme is None:
        scheme = (
            _detect_scheme(_rows(raw, open_rows), instrument)
            if kind is ValueKind.ranks
            else Scheme.overall
        )
    blocks = blocks_for(instrument, scheme)

    ranks = _all_ranks(raw, every, blocks, kind, allow_partial, instrument, open_rows, reason)

    repeats = (
        _identical((reason == "") & (raters < 0), subject_codes, groups, raw)
        if kind is ValueKind.ranks
        else []
    )
    # With many possible rankings an identical one is a resubmission, not a second rater who
    # agrees: it counts once. With few (6 items: 720), raters who agree often match, so it is
    # only pointed out.
    orderings = math.prod(math.factorial(len(members)) for _, members in blocks)
    once = repeats and not keep_identical and orderings >= IDENTICAL_IS_A_REPEAT
    for later, first in repeats if once else []:
        reason[later] = (
            f"identical to {where(first)} with no rater id: counted once "
            "(--keep-identical keeps both)"
        )
    if repeats:
        first, later = repeats[0][1], repeats[0][0]
        notes.append(
            f"{where(first)} and {where(later)}"
            + (f" (and {len(repeats) - 1} more)" if len(repeats) > 1 else "")
            + ": identical complete rankings of the same leader and group with no rater id, "
            + (
                "far more likely a resubmission than chance: counted once (--keep-identical "
                "keeps them)"
                if once
                else "both counted: add a rater id column (--rater-column) if they are one person"
            )
        )
    used = reason == ""
    completed = used & np.isnan(raw).any(axis=1) if allow_partial else np.zeros_like(used)
    excluded = tuple(
        Exclusion(
            sources[origin[i]].path,
            int(row_numbers[i]),
            str(subject_names[subject_codes[i]]),
            str(reason[i]),
        )
        for i in np.flatnonzero(~used).tolist()
    )
    used_per_source = np.bincount(origin[used], minlength=len(sources)).tolist()
    completed_per_source = np.bincount(origin[completed], minlength=len(sources)).tolist()
    inputs = tuple(
        InputSummary(
            path=source.path,
            source_format=source.source_format,
            rows=source.rows,
            responses_used=n_used,
            responses_excluded=size - n_used,
            responses_completed=n_completed if allow_partial else None,
        )
        for source, size, n_used, n_completed in zip(
            sources, sizes, used_per_source, completed_per_source, strict=True
        )
    )
    warnings = (*(w for s in sources for w in s.warnings), *notes)
    warnings += tuple(
        f"{i.path}: --allow-partial completed {i.responses_completed} partial "
        f"ranking{'s' * (i.responses_completed != 1)} (unranked items share the unused positions)"
        for i in inputs
        if i.responses_completed
    )
    warnings += _without_role(used, subject_codes, subject_names, groups, self_index, instrument)
    group_ids = [g.id for g in instrument.groups]
    if instrument.reference in group_ids:
        reference = group_ids.index(instrument.reference)
        warnings += _without_role(used, subject_codes, subject_names, groups, reference, instrument)
    # Subjects numbered in order of their first usable response (a subject may have none).
    codes, first_seen = factorize(_rows(subject_codes, used))
    return Dataset(
        instrument,
        scheme,
        kind,
        allow_partial,
        blocks,
        subjects=tuple(str(name) for name in subject_names[first_seen]),
        subject_codes=codes,
        group_codes=_rows(groups, used),
        ranks=_rows(ranks, used),
        # Full rankings of distinct ranks tie nothing; scores and filled-in rankings can.
        tied=kind is not ValueKind.ranks or bool(np.isnan(_rows(raw, used)).any()),
        excluded=excluded,
        inputs=inputs,
        warnings=warnings,
        comments=_rows(_comments(sources), used)
        if any(s.comments is not None for s in sources)
        else None,
        moves=_moves(sources, used, completed if allow_partial else None, merged),
        scale=_scale(_rows(raw, used)) if kind is ValueKind.scores else None,
    )


def _moves(
    sources: list[Source], used: np.ndarray, completed: np.ndarray | None, merged: np.ndarray
) -> tuple[Move, ...]:
    """What put each usable response where it is: --allow-partial completed it; --group-map
    moved it from the group its label names; `--group` moved it from the group its file's own
    column names; its file (one of several; named as `--group FILE=GROUP` where that gave the
    file's group) added it beside the other files' raters; its label names the group by an
    alias of the instrument, beside raters named by the group's own name; or its leader's name
    is one spelling of a name merged with others."""
    import numpy as np

    def joined(arrays: list[np.ndarray]) -> np.ndarray:
        return _rows(np.concatenate(arrays), used)

    def moved(column: str) -> np.ndarray:
        """Per usable response, the group it was moved from by an option (-1: not moved)."""
        return joined(
            [
                np.full(len(s.notes), -1, dtype=np.int64)
                if getattr(s, column) is None
                else getattr(s, column)
                for s in sources
            ]
        )

    moves = []
    if completed is not None:
        moves.append(Move("--allow-partial", _rows(completed, used)))
    if any(s.moved_from is not None for s in sources):
        came_from = moved("moved_from")
        moves.append(Move("--group-map", came_from >= 0, came_from))
    origin = joined([np.full(len(s.notes), i) for i, s in enumerate(sources)])
    over = moved("given_over")
    for i, source in enumerate(sources):
        name = source.path.replace("\\", "/").rsplit("/", 1)[-1]
        by = name if source.group_given is None else f"--group {name}={source.group_given}"
        mine = origin == i
        if source.given_over is not None:  # raters --group took from their column's group
            moves.append(Move(by, mine & (over >= 0), over))
        if len(sources) > 1:  # raters the file adds beside the other files'
            moves.append(Move(by, mine & (over < 0), beside=~mine))
    if any(s.aliases is not None for s in sources):
        named = joined(
            [objects([""] * len(s.notes)) if s.aliases is None else s.aliases for s in sources]
        )
        for alias in sorted(set(named.tolist()) - {""}):
            moves.append(
                Move(f"the instrument's alias {alias!r}", named == alias, beside=named == "")
            )
    if merged.any():
        moves.append(Move("merging the spellings of the leader's name", _rows(merged, used)))
    return tuple(moves)


def _comments(sources: list[Source]) -> np.ndarray:
    """Every response's comments, in the order read (none for a file that holds no comments)."""
    import numpy as np

    return np.concatenate(
        [objects([()] * len(s.notes)) if s.comments is None else s.comments for s in sources]
    )


def _supersede(
    raters: np.ndarray,
    subject_codes: np.ndarray,
    subject_names: np.ndarray,
    reason: np.ndarray,
    where: Callable[[int], str],
) -> None:
    """Duplicates, the same rater about the same leader: the last one read wins, each earlier
    one gets its reason (naming the row that counts)."""
    import numpy as np

    keyed = np.flatnonzero(
        (raters >= 0) & ~np.isin(subject_codes, np.flatnonzero(subject_names == ""))
    )
    if not len(keyed):
        return
    keys = subject_codes[keyed].astype(np.int64) * (int(raters.max()) + 1) + raters[keyed]
    superseded = earlier_repeats(keys)
    if not superseded.any():  # the usual case: no rater answered twice about one leader
        return
    repeated = set(keys[superseded].tolist())
    last = {k: i for k, i in zip(keys.tolist(), keyed.tolist(), strict=True) if k in repeated}
    for key, i in zip(keys[superseded].tolist(), keyed[superseded].tolist(), strict=True):
        kept = last[key]  # the last row of that rater and leader
        reason[i] = f"superseded by a later response of the same rater ({where(kept)})"


def _keep_last(
    candidates: np.ndarray, keys: np.ndarray, reason: np.ndarray, why: Callable[[int], str]
) -> None:
    """Among `candidates`, every response but the last of its key gets the reason `why(last)`."""
    import numpy as np

    rows = np.flatnonzero(candidates)
    if len(rows) < 2:
        return
    earlier = earlier_repeats(keys[rows])
    if not earlier.any():
        return
    last = dict(zip(keys[rows].tolist(), rows.tolist(), strict=True))  # the last row wins
    for i in rows[earlier].tolist():
        reason[i] = why(last[int(keys[i])])


def _merge_spellings(
    codes: np.ndarray, names: np.ndarray, rows: np.ndarray, notes: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Leader names that differ only in accents, case or spacing become one (the most frequent
    spelling), with a note that lists the spellings; and per response, whether it came under a
    spelling merged into another."""
    import numpy as np

    from coachkit.text import leader_keys

    keys = leader_keys([str(n) for n in names.tolist()])
    if len(set(keys)) == len(keys):
        return codes, names, np.zeros(len(codes), dtype=bool)
    counts = np.bincount(codes, minlength=len(names))
    target = list(range(len(names)))
    spellings: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        spellings.setdefault(key, []).append(i)
    for key, same in spellings.items():
        if len(same) < 2 or not key:
            continue
        main = max(same, key=lambda i: (counts[i], -i))
        for i in same:
            target[i] = main
        listed = ", ".join(
            f"{str(names[i])!r} (row{'s' * int(counts[i] > 1)} "
            + ", ".join(map(str, rows[codes == i][:3].tolist()))
            + (", ..." if counts[i] > 3 else "")
            + ")"
            for i in same
        )
        notes.append(
            f"leader names that differ only in accents, case or spacing are taken as one, "
            f"{str(names[main])!r}: {listed}; if they are different people, --no-merge-names "
            "keeps them apart (hand out the report of one run only: set side by side, two runs "
            "can give a rater away)"
        )
    merged = np.asarray(target)[codes]
    return merged, names, merged != codes


def _without_role(
    used: np.ndarray,
    subjects: np.ndarray,
    names: np.ndarray,
    groups: np.ndarray,
    role: int,
    instrument: Instrument,
) -> tuple[str, ...]:
    """A note naming the leaders with usable responses but none from a role (self, or the
    reference role: the manager)."""

    import numpy as np

    rated = np.bincount(subjects[used], minlength=len(names)) > 0
    assessed = np.bincount(subjects[used & (groups == role)], minlength=len(names)) > 0
    missing = [str(names[i]) for i in np.flatnonzero(rated & ~assessed).tolist() if str(names[i])]
    if not missing:
        return ()
    label = instrument.groups[role].label.lower()
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
    return (
        f"{len(missing)} leader{'s have' if len(missing) > 1 else ' has'} no {label} "
        f"response: {shown}; nothing is compared with {label} for "
        f"{'them' if len(missing) > 1 else 'this leader'}",
    )


def _identical(
    candidates: np.ndarray, subjects: np.ndarray, groups: np.ndarray, raw: np.ndarray
) -> list[tuple[int, int]]:
    """Among `candidates` (complete rankings only), each response with the same leader, group and
    ranks as an earlier one, paired with that earlier one."""
    import numpy as np

    rows = np.flatnonzero(candidates & ~np.isnan(raw).any(axis=1))
    if len(rows) < 2:
        return []
    first = rows_factorize([*raw[rows].T, subjects[rows], groups[rows]])
    seen: dict[int, int] = {}
    pairs = []
    for row, key in zip(rows.tolist(), first.tolist(), strict=True):
        if key in seen:
            pairs.append((row, seen[key]))
        else:
            seen[key] = row
    return pairs


MAX_LEADER_CHARS = 200  # a leader cell longer than this is text swallowed from elsewhere


# what makes `_described_leaders` look at a name: a line break or another control character, an
# escape, an invisible or bidi mark (what `printable` takes out), an e-mail's @
_SUSPECT = re.compile(
    r"[@\x01-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\U000e0000-\U000e007f]"
)


def _plain_names(names: list[str]) -> bool:
    """Whether no name is long or holds anything `_described_leaders` replaces a name for."""
    try:
        joined = "\x00".join(names)
    except TypeError:  # not all text
        return False
    return (
        joined.count("\x00") == len(names) - 1
        and not _SUSPECT.search(joined)
        and max(map(len, names), default=0) <= MAX_LEADER_CHARS
    )


def _described_leaders(names: np.ndarray, notes: list[str]) -> np.ndarray:
    """The leaders' names, each one that holds a line break, an e-mail address or more than
    `MAX_LEADER_CHARS` characters replaced by a description (`leader 1 (an e-mail address)`):
    such a cell is more likely other rows or a person's address than a name, and is never
    printed. A note says so for each."""
    from coachkit.text import printable

    found = names
    listed: list[str] = names.tolist()
    if _plain_names(listed):  # the usual case, found in one search of them all
        return names
    for i, name in enumerate(listed):
        text = str(name)
        lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
        shown = printable(text)
        if lines == 1 and shown != text.strip() and shown:  # escapes, bidi or tag characters
            if found is names:
                found = names.copy()
            found[i] = shown
            notes.append(f"a leader name held control or invisible characters; shown as {shown!r}")
            continue
        if "@" in text:
            what = "an e-mail address"
        elif lines > 1:
            what = f"text over {lines} lines"
        elif len(text) > MAX_LEADER_CHARS:
            what = f"text of {len(text):,} characters"
        else:
            continue
        if found is names:
            found = names.copy()
        found[i] = f"leader {i + 1} ({what})"
        notes.append(
            f"a leader cell holds {what}: reported as {found[i]!r}; put the leader's name in "
            "that column"
        )
    return found


def _subjects(sources: list[Source]) -> tuple[np.ndarray, np.ndarray]:
    """Every response's subject as a number, and the distinct names, over all sources."""
    import numpy as np

    if len(sources) == 1:
        return sources[0].subject_codes, sources[0].subject_names
    offsets = np.cumsum([0, *(len(s.subject_names) for s in sources[:-1])])
    merged, names = factorize(np.concatenate([s.subject_names for s in sources]))
    codes = np.concatenate(
        [s.subject_codes + offset for s, offset in zip(sources, offsets.tolist(), strict=True)]
    )
    return merged[codes], np.asarray(names, dtype=object)


def _rows(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """`x[mask]`, without the copy when the mask keeps every row."""
    return x if mask.all() else x[mask]


# Problem codes, in the order they are reported.
_EMPTY, _NOT_WHOLE, _OUT_OF_RANGE, _REPEATED, _INCOMPLETE = range(5)


def _all_ranks(
    raw: np.ndarray,
    every: _Facts,
    blocks: tuple[tuple[str, tuple[str, ...]], ...],
    kind: ValueKind,
    allow_partial: bool,
    instrument: Instrument,
    open_rows: np.ndarray,
    reason: np.ndarray,
) -> np.ndarray:
    """Every response's ranks, block by block; a response that breaks a block's rules gets the
    reason in `reason` and leaves `open_rows`."""
    import numpy as np

    dims = list(instrument.dimension_ids)
    ranks: np.ndarray | None = None  # made only for blocks to write into: a million rows'
    # worth of fresh memory takes a while to touch
    for block_id, members in blocks:
        cols = [dims.index(d) for d in members]
        whole = cols == list(range(len(dims)))  # one block of every dimension: no copies
        block_ranks, problems = (
            _block_ranks(raw, kind, allow_partial, every)
            if whole
            else _block_ranks(raw[:, cols], kind, allow_partial)
        )
        if whole:
            ranks = block_ranks
        else:
            if ranks is None:
                ranks = np.full_like(raw, np.nan)
            ranks[:, cols] = block_ranks
        prefix = "" if len(blocks) == 1 else f"{instrument.family(block_id).label.lower()}: "
        for i in np.flatnonzero(open_rows & (problems >= 0)):
            reason[i] = prefix + _describe(
                int(problems[i]), raw[i, cols], [instrument.label(d) for d in members], kind
            )
        open_rows &= reason == ""

    return ranks if ranks is not None else np.full_like(raw, np.nan)  # no block at all


def _block_ranks(
    x: np.ndarray, kind: ValueKind, allow_partial: bool, facts: _Facts | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Ranks within one block, and per row the first problem code (-1 for none). `facts` are
    the block's `_facts`, when they are known already."""
    import numpy as np

    k = x.shape[1]
    count, all_valid, distinct = facts or _facts(x)
    problem = np.full(len(x), -1)

    def flag(code: int, mask: np.ndarray) -> None:
        problem[(problem < 0) & mask] = code

    flag(_EMPTY, count == 0)
    if kind is ValueKind.ranks:
        odd = np.flatnonzero(~all_valid)  # rows with a cell that is no rank 1..k: which kind?
        cells = x[odd]
        not_whole = (~np.isnan(cells) & (cells != np.round(cells))).any(axis=1)
        problem[odd] = np.where(not_whole, _NOT_WHOLE, _OUT_OF_RANGE)
        flag(_REPEATED, distinct < count)
        ranks = x  # copied below before anything is written into it
    else:
        ranks = descending_ranks(x)
    if not allow_partial:
        flag(_INCOMPLETE, count < k)
    rejected = problem >= 0
    if rejected.any():  # before any arithmetic: rejected cells may hold anything
        ranks = np.where(rejected[:, None], np.nan, ranks)
    missing = k - count
    if (missing[~rejected] > 0).any():  # unranked items share the positions nobody took
        used_sum = np.nansum(ranks, axis=1)
        fill = np.divide(
            k * (k + 1) / 2 - used_sum, missing, out=np.zeros(len(x)), where=missing > 0
        )
        ranks = np.where(np.isnan(x), fill[:, None], ranks)
        ranks[rejected] = np.nan
    return ranks, problem


def _describe(code: int, row: np.ndarray, labels: list[str], kind: ValueKind) -> str:
    import numpy as np

    present = ~np.isnan(row)
    k = len(row)
    if code == _EMPTY:
        return "nothing ranked" if kind is ValueKind.ranks else "nothing rated"
    if code == _NOT_WHOLE:
        value = next(v for v in row[present] if v != round(v))
        return f"rank {value:g} is not a whole number"
    if code == _OUT_OF_RANGE:
        value = next(v for v in row[present] if v < 1 or v > k)
        return f"rank {value:g} is outside 1-{k}"
    if code == _REPEATED:
        values, counts = np.unique(row[present], return_counts=True)
        return f"rank {values[counts > 1][0]:g} is given more than once"
    blank = [label for label, p in zip(labels, present, strict=True) if not p]
    shown = ", ".join(blank[:3]) + (f" and {len(blank) - 3} more" if len(blank) > 3 else "")
    verb = "unranked" if kind is ValueKind.ranks else "not rated"
    return f"{len(blank)} of {k} {verb} ({shown}); --allow-partial keeps partial rankings"


def _detect_values(
    raw: np.ndarray, facts: _Facts, sources: list[Source], instrument: Instrument
) -> ValueKind:
    """Ranks or scores: from the values first (rows that are rankings, or that repeat values well
    below the number of items), then from the headers when they agree, then from the values' weaker
    signs. `facts` are the rows' `_facts`."""
    import numpy as np

    hints = {s.values_hint for s in sources}
    hint = next(iter(hints)) if len(hints) == 1 else None
    k = raw.shape[1]
    count, all_valid, distinct = facts
    full = count == k
    if full.any() and (all_valid & (distinct == k))[full].mean() >= 0.5:
        return ValueKind.ranks
    complete = raw[full]
    if len(complete):
        whole = bool((complete == np.round(complete)).all())
        permutations = _is_permutation(complete, instrument)
        share = float(permutations.mean())
        ties = float(_repeats(complete).mean())
        beyond = float((complete > k).any(axis=1).mean())
        if share >= 0.5:
            return ValueKind.ranks
        if share == 0 and ties >= 0.5 and float(np.max(complete)) <= 0.75 * k:
            return ValueKind.scores  # a rating scale, whatever the headers say
        if hint is not None:
            return hint
        if share == 0 and (ties >= 0.5 or beyond >= 0.5 or not whole):
            return ValueKind.scores
        detail = (
            f"{int(permutations.sum())} of {len(complete)} complete responses are full rankings"
        )
    elif hint is not None:
        return hint
    else:
        answered = raw[(~np.isnan(raw)).sum(axis=1) >= 2]
        repeats = _repeats(answered)
        seen = answered[~np.isnan(answered)]
        rank_like = len(seen) > 0 and bool(
            ((seen == np.round(seen)) & (seen >= 1) & (seen <= k)).all()
        )
        if rank_like and repeats.mean() < 0.5:
            return ValueKind.ranks
        if len(answered) and repeats.mean() >= 0.5:
            return ValueKind.scores
        detail = "no response rates or ranks every dimension"
    paths = ", ".join(dict.fromkeys(s.path for s in sources))
    raise InputError(
        f"{paths}: cannot tell whether the file holds ranks or scores ({detail}); say which with --values ranks or --values scores"
    )


def _scale(scores: np.ndarray) -> tuple[float, float] | None:
    """The lowest and highest score given (None when none is)."""
    import numpy as np

    seen = scores[~np.isnan(scores)]
    return (float(seen.min()), float(seen.max())) if len(seen) else None


def _is_permutation(x: np.ndarray, instrument: Instrument) -> np.ndarray:
    import numpy as np

    overall = _permutations(x)
    dims = list(instrument.dimension_ids)
    by_family = np.ones(len(x), dtype=bool)
    for _, members in blocks_for(instrument, Scheme.by_family):
        by_family &= _permutations(x[:, [dims.index(d) for d in members]])
    return np.asarray(overall | (by_family if len(instrument.families) > 1 else overall))


# Blocks of up to this many values are checked as bit sets, one bit per value, not sorted.
_BITS = 62
_FACT_ROWS = 1 << 16  # rows of a block looked at per step


_Facts = tuple["np.ndarray", "np.ndarray", "np.ndarray"]


def _facts(x: np.ndarray) -> _Facts:
    """Per row of a block of k values: how many are present, whether every present one is a
    whole number 1..k (a rank), and how many different ranks there are. A million rows are
    looked at in slices: the arrays of each step stay small, where arrays the size of the
    whole block would each take fresh memory (slow to touch for the first time)."""
    import numpy as np

    if len(x) > _FACT_ROWS:
        parts = [_facts(x[i : i + _FACT_ROWS]) for i in range(0, len(x), _FACT_ROWS)]
        count, all_valid, distinct = (np.concatenate(p) for p in zip(*parts, strict=True))
        return count, all_valid, distinct
    k = x.shape[1]
    present = ~np.isnan(x)
    valid = (x == np.round(x)) & (x >= 1) & (x <= k)
    all_valid = (valid == present).all(axis=1)
    if k > _BITS:
        ordered = np.sort(np.where(valid, x, np.inf), axis=1)
        fresh = np.isfinite(ordered) & np.hstack(
            [np.ones((len(x), 1), bool), ordered[:, 1:] != ordered[:, :-1]]
        )
        return present.sum(axis=1), all_valid, fresh.sum(axis=1)
    unsigned = np.uint16 if k < 16 else np.uint32 if k < 32 else np.uint64
    shift = np.where(valid, x, 0).astype(unsigned)  # rank r sets bit r - 1; 0 sets none
    bits = np.left_shift(unsigned(1), shift) >> unsigned(1)
    distinct = np.bitwise_count(np.bitwise_or.reduce(bits, axis=1))
    return present.sum(axis=1), all_valid, distinct


def _permutations(x: np.ndarray) -> np.ndarray:
    """Per row: is it a permutation of 1..k (k the row length)?"""
    import numpy as np

    count, all_valid, distinct = _facts(x)
    k = x.shape[1]
    return np.asarray((count == k) & all_valid & (distinct == k))


def _detect_scheme(raw: np.ndarray, instrument: Instrument) -> Scheme:
    """`by-family` when most responses rank each family separately, else `overall` (a stray cell
    in one response excludes that response, and decides nothing)."""
    import numpy as np

    if len(instrument.families) < 2:
        return Scheme.overall
    dims = list(instrument.dimension_ids)
    family_blocks = [
        [dims.index(d) for d in members] for _, members in blocks_for(instrument, Scheme.by_family)
    ]
    largest = max(len(cols) for cols in family_blocks)
    if np.isnan(raw).all():
        return Scheme.overall
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-blank rows
        within = ~(np.nanmax(raw, axis=1) > largest)  # ranks no family's size can hold
    if within.mean() < 0.5:
        return Scheme.overall
    complete = ~np.isnan(raw).any(axis=1)
    rows = raw[complete] if complete.any() else raw[(~np.isnan(raw)).sum(axis=1) >= 2]
    if complete.any():
        fits = np.ones(len(rows), dtype=bool)
        for cols in family_blocks:
            fits &= _permutations(rows[:, cols])
    else:
        # Partial rankings only: the same rank in two families, never twice within one.
        fits = _repeats(rows) & ~np.any([_repeats(rows[:, cols]) for cols in family_blocks], axis=0)
        fits &= ~(np.nanmax(rows, axis=1) > largest)
    return Scheme.by_family if len(rows) and fits.mean() >= 0.5 else Scheme.overall


def _repeats(x: np.ndarray) -> np.ndarray:
    """Per row: does any value (NaN aside) occur more than once?"""
    import numpy as np

    count, all_valid, distinct = _facts(x)
    repeats = all_valid & (distinct < count)
    rest = np.flatnonzero(~all_valid)  # scores, fractions, large numbers: compare sorted neighbours
    if len(rest):
        ordered = np.sort(np.where(np.isnan(x[rest]), np.inf, x[rest]), axis=1)
        repeats[rest] = ((ordered[:, 1:] == ordered[:, :-1]) & np.isfinite(ordered[:, 1:])).any(
            axis=1
        )
    return np.asarray(repeats)
