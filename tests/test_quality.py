"""Messy data is flagged, never taken silently: spellings of one leader, two self-assessments, a
leader without one, placeholder rater ids, partial rankings filled in."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from conftest import IDENTITY, INSTRUMENT, REVERSED, run, write_wide

SHIFTED = [*IDENTITY[1:], IDENTITY[0]]
DIMS = INSTRUMENT.dimension_ids


def _json(*args: str) -> tuple[dict[str, Any], str]:
    code, out, err = run("analyze", *args, "-f", "json")
    assert code == 0, err
    return json.loads(out), err


def test_spellings_of_one_leader_are_merged_with_a_warning(tmp_path: Path) -> None:
    rows = [
        ("Jürgen Müller", "a", "Self", IDENTITY),
        ("Jurgen Muller", "b", "Manager", REVERSED),
        ("jürgen  müller ", "c", "Peer", SHIFTED),
        ("Jürgen Müller", "d", "Peer", SHIFTED),
        ("Jürgen Müller", "e", "Peer", IDENTITY),
    ]
    path = str(write_wide(tmp_path / "s.csv", rows))
    document, err = _json(path)
    subjects = document["subjects"]
    assert [s["subject"] for s in subjects] == ["Jürgen Müller"]
    groups = {g["group"]: g["n"] for g in subjects[0]["groups"]}
    assert (groups["self"], groups["manager"], groups["peer"]) == (1, 1, 3)
    assert "taken as one, 'Jürgen Müller'" in err and "'Jurgen Muller' (row 3)" in err
    assert "--no-merge-names" in err
    document, _ = _json(path, "--no-merge-names")
    assert len(document["subjects"]) == 3


def test_two_self_assessments_the_later_counts(tmp_path: Path) -> None:
    rows = [
        ("Ann", "a", "Self", IDENTITY),
        ("Ann", "b", "Manager", REVERSED),
        ("Ann", "c", "Self", SHIFTED),  # a second self-assessment, under another id
    ]
    document, _ = _json(str(write_wide(tmp_path / "s.csv", rows)))
    means = document["subjects"][0]["blocks"][0]["mean_rank"]["self"]
    assert [means[d] for d in DIMS] == SHIFTED  # not the average of the two
    [excluded] = document["excluded"]
    assert excluded["row"] == 2 and "earlier self-assessment" in excluded["reason"]
    assert "row 4" in excluded["reason"]


def test_a_leader_without_self_assessment_is_named(tmp_path: Path) -> None:
    rows = [("Ann", "b", "Manager", REVERSED), ("Bo", "c", "Self", IDENTITY)]
    path = str(write_wide(tmp_path / "s.csv", rows))
    code, _, err = run("validate", path)
    assert code == 0 and "1 leader has no self response: Ann" in err
    code, out, _ = run("analyze", path, "-q")
    assert code == 0
    ann = out.split("Bo\n")[0]
    assert "No self response: nothing is compared with self for this leader." in ann


def test_placeholder_rater_ids_are_missing_ids_not_one_rater(tmp_path: Path) -> None:
    rows = [("Ann", "N/A", "Peer", r) for r in (IDENTITY, REVERSED, SHIFTED)]
    rows += [("Ann", "-", "Peer", [*IDENTITY[::-1][1:], 12])]
    rows.append(("Ann", "", "Self", IDENTITY))
    document, _ = _json(str(write_wide(tmp_path / "s.csv", rows)))
    groups = {g["group"]: g["n"] for g in document["subjects"][0]["groups"]}
    assert groups["peer"] == 4 and document["excluded"] == []  # none "superseded"


def test_allow_partial_says_how_many_rankings_it_completed(tmp_path: Path) -> None:
    partial: list[object] = [*IDENTITY[:10], "", ""]
    rows: list[tuple[str, str, str, Sequence[object]]] = [
        ("Ann", "a", "Self", partial),
        ("Ann", "b", "Manager", REVERSED),
    ]
    path = str(write_wide(tmp_path / "s.csv", rows))
    document, err = _json(path, "--allow-partial")
    assert document["inputs"][0]["responses_completed"] == 1
    assert "--allow-partial completed 1 partial ranking " in err
    means = document["subjects"][0]["blocks"][0]["mean_rank"]["self"]
    assert [means[d] for d in DIMS] == [*IDENTITY[:10], 11.5, 11.5]  # (11 + 12) / 2 each
    document, _ = _json(path)
    assert "responses_completed" not in document["inputs"][0]
