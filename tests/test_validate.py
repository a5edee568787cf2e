"""Validation: permutation rules, exclusions with rows and reasons, duplicates, partials, scores."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import rankdata

from coachkit.errors import InputError
from coachkit.instruments import Instrument
from coachkit.io import ReadOptions, ValueKind, read_source
from coachkit.io.columns import rater_codes
from coachkit.options import Scheme
from coachkit.validate import validate
from conftest import IDENTITY, LABELS, REVERSED, write_tidy, write_wide


def dataset(path: Path, instrument: Instrument, **options: object):  # type: ignore[no-untyped-def]
    return validate([read_source(str(path), instrument, ReadOptions())], instrument, **options)  # type: ignore[arg-type]


def test_every_bad_response_is_excluded_with_row_and_reason(
    tmp_path: Path, instrument: Instrument
) -> None:
    bad: dict[str, tuple[str, Sequence[object], str]] = {
        "blank": ("r2", ["", *IDENTITY[1:]], "1 of 12 unranked (Vision and strategy)"),
        "na": (
            "r3",
            ["N/A", "-99", *IDENTITY[2:]],
            "2 of 12 unranked (Vision and strategy, Job competence)",
        ),
        "repeat": ("r4", [1, 1, *IDENTITY[2:]], "rank 1 is given more than once"),
        "range": ("r5", [13, *IDENTITY[1:]], "rank 13 is outside 1-12"),
        "fraction": ("r6", [1.5, *IDENTITY[1:]], "rank 1.5 is not a whole number"),
        "empty": ("r7", [""] * 12, "nothing ranked"),
        "text": (
            "r8",
            ["first", *IDENTITY[1:]],
            "text (5 characters) in Vision and strategy is not a rank or score",
        ),
    }
    rows: list[tuple[str, str, str, Sequence[object]]] = [("Ann", "r1", "Self", IDENTITY)]
    rows += [("Ann", r, "Peer", v) for r, v, _ in bad.values()]
    rows.append(("", "r9", "Peer", IDENTITY))
    rows += [("Ann", f"p{i}", "Direct report", IDENTITY) for i in range(4)]
    result = dataset(write_wide(tmp_path / "s.csv", rows), instrument)
    reasons = {e.row: e.reason for e in result.excluded}
    for row, (_, _, reason) in enumerate(bad.values(), start=3):
        assert reasons[row].startswith(reason)
    assert reasons[10] == "no subject (leader) named"
    assert len(result.responses) == 5
    summary = result.inputs[0]
    assert (summary.rows, summary.responses_used, summary.responses_excluded) == (13, 5, 8)


def test_duplicates_keep_the_latest(tmp_path: Path, instrument: Instrument) -> None:
    first = write_wide(
        tmp_path / "a.csv", [("Ann", "r1", "Peer", IDENTITY), ("Ann", "r2", "Self", IDENTITY)]
    )
    second = write_wide(tmp_path / "b.csv", [("Ann", "r1", "Peer", REVERSED)])
    result = validate(
        [read_source(str(p), instrument, ReadOptions()) for p in (first, second)], instrument
    )
    assert [(e.path, e.row) for e in result.excluded] == [(str(first), 2)]
    assert (
        result.excluded[0].reason
        == f"superseded by a later response of the same rater ({second.name}, row 2)"
    )
    peer = result.responses[result.responses["group"] == "peer"]
    np.testing.assert_array_equal(peer[list(instrument.dimension_ids)].to_numpy()[0], REVERSED)


def test_allow_partial_gives_unranked_items_the_average_unused_position(
    tmp_path: Path, instrument: Instrument
) -> None:
    values: list[object] = [1, 2, 3, *[""] * 9]
    result = dataset(
        write_wide(tmp_path / "s.csv", [("Ann", "r1", "Self", values)]),
        instrument,
        allow_partial=True,
    )
    row = result.responses[list(instrument.dimension_ids)].to_numpy()[0]
    np.testing.assert_array_equal(row[:3], [1, 2, 3])
    np.testing.assert_allclose(row[3:], np.mean(range(4, 13)))
    assert row.sum() == pytest.approx(78)
    assert not result.excluded


def test_partial_with_a_repeat_is_still_excluded(tmp_path: Path, instrument: Instrument) -> None:
    values: list[object] = [1, 1, *[""] * 10]
    path = write_wide(tmp_path / "s.csv", [("Ann", "r1", "Self", values)])
    result = dataset(path, instrument, allow_partial=True, values=ValueKind.ranks)
    assert result.excluded[0].reason == "rank 1 is given more than once"


def test_scores_become_ranks_with_average_ties(tmp_path: Path, instrument: Instrument) -> None:
    scores = [5, 4, 4, 3, 3, 3, 2, 2, 1, 1, 5, 2]
    path = write_tidy(tmp_path / "s.csv", [("Ann", "r1", "Self", scores)], value_header="Rating")
    result = dataset(path, instrument)
    assert result.values is ValueKind.scores
    row = result.responses[list(instrument.dimension_ids)].to_numpy()[0]
    np.testing.assert_allclose(row, rankdata([-s for s in scores]))


def test_values_are_detected_or_asked_for(tmp_path: Path, instrument: Instrument) -> None:
    ranked = dataset(write_wide(tmp_path / "r.csv", [("Ann", "r1", "Self", IDENTITY)]), instrument)
    assert ranked.values is ValueKind.ranks
    likert = [("Ann", "r1", "Self", [3, 4, 5, 3, 2, 1, 3, 4, 5, 2, 2, 1])]
    assert dataset(write_wide(tmp_path / "l.csv", likert), instrument).values is ValueKind.scores
    mixed = [
        ("Ann", "r1", "Self", IDENTITY),
        ("Ann", "r2", "Peer", [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]),
        ("Ann", "r3", "Peer", [2, 2, 1, 1, 3, 3, 4, 4, 5, 5, 6, 6]),
    ]
    with pytest.raises(
        InputError,
        match=r"ranks or scores \(1 of 3 complete responses are full rankings\).*--values",
    ):
        dataset(write_wide(tmp_path / "m.csv", mixed), instrument)
    forced = dataset(write_wide(tmp_path / "m.csv", mixed), instrument, values=ValueKind.scores)
    assert not forced.excluded


def test_by_family_scheme_is_detected(tmp_path: Path, instrument: Instrument) -> None:
    six = [1, 2, 3, 4, 5, 6]
    rows = [
        ("Ann", "r1", "Self", six + six),
        ("Ann", "r2", "Manager", six[::-1] + six),
        ("Ann", "r3", "Peer", [*six, 1, 1, 2, 3, 4, 5]),
    ]
    result = dataset(write_wide(tmp_path / "s.csv", rows), instrument)
    assert result.scheme is Scheme.by_family
    assert [b for b, _ in result.blocks] == ["competency", "characteristic"]
    assert result.excluded[0].reason == "characteristics: rank 1 is given more than once"
    assert (
        dataset(
            write_wide(tmp_path / "o.csv", [("Ann", "r1", "Self", IDENTITY)]), instrument
        ).scheme
        is Scheme.overall
    )


def test_forced_overall_scheme_excludes_family_rankings(
    tmp_path: Path, instrument: Instrument
) -> None:
    six = [1, 2, 3, 4, 5, 6]
    result = dataset(
        write_wide(tmp_path / "s.csv", [("Ann", "r1", "Self", six + six)]),
        instrument,
        scheme=Scheme.overall,
    )
    assert result.excluded[0].reason == "rank 1 is given more than once"


def test_tidy_repeated_dimension_and_mixed_groups(tmp_path: Path, instrument: Instrument) -> None:
    path = tmp_path / "t.csv"
    lines = ["Subject,Rater,Group,Item,Rank"]
    lines += [f"Ann,r1,Self,{label},{rank}" for label, rank in zip(LABELS, IDENTITY, strict=True)]
    lines += [f"Ann,r2,Peer,{label},{rank}" for label, rank in zip(LABELS, IDENTITY, strict=True)]
    lines.append("Ann,r2,Peer,Execution,6")
    lines += [
        f"Ann,r3,{'Peer' if rank < 6 else 'Manager'},{label},{rank}"
        for label, rank in zip(LABELS, IDENTITY, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    result = dataset(path, instrument)
    assert {e.row: e.reason for e in result.excluded} == {
        14: "Execution is given twice",
        27: "its rows name different rater groups",
    }


def test_rater_ids_compared_without_spaces_and_anonymous_ones_ignored() -> None:
    ids = np.array(["r1", " r1 ", "Anonymous", "", "r2", "ANONYME"], dtype=object)
    codes = rater_codes(ids)
    assert codes[0] == codes[1] >= 0 and codes[4] >= 0 and codes[4] != codes[0]
    assert list(codes[[2, 3, 5]]) == [-1, -1, -1]
