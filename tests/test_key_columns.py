"""Key columns confirmed by their values: a rater id that would merge different rankings is no id,
a group column holds group labels, a leader column holds leaders (not group labels)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import IDENTITY, INSTRUMENT, LABELS, run, write_rows

DIMS = INSTRUMENT.dimension_ids


def _rankings(n: int) -> list[list[int]]:
    """n different complete rankings of the 12 dimensions (fixed seed)."""
    rng = np.random.default_rng(24)
    return [[int(v) for v in rng.permutation(12) + 1] for _ in range(n)]


def _json(*args: str) -> tuple[dict[str, Any], str]:
    code, out, err = run("analyze", *args, "--format", "json", "--min-raters", "3")
    assert code == 0, err
    return json.loads(out), err


def _peers_are(document: dict[str, Any], ranks: Sequence[Sequence[int]]) -> None:
    """The peers' mean ranks in the report are those of these rankings."""
    subject = document["subjects"][0]
    means = subject["blocks"][0]["mean_rank"]["peer"]
    expected = np.mean(np.asarray(ranks, dtype=float), axis=0)
    assert [means[d] for d in DIMS] == pytest.approx(expected.tolist(), abs=1e-4)


def test_a_column_that_merges_different_rankings_is_no_rater_id(tmp_path: Path) -> None:
    """ "Respondent location" reads like a rater column, but five peers in Berlin are five raters."""
    ranks = _rankings(5)
    rows: list[list[object]] = [["Leader", "Relationship", "Respondent location", *LABELS]]
    rows.append(["Ann", "Self", "Berlin", *IDENTITY])
    rows += [["Ann", "Peer", "Berlin", *r] for r in ranks]
    document, err = _json(str(write_rows(tmp_path / "f.csv", rows)))
    assert document["excluded"] == []
    _peers_are(document, ranks)
    assert "column C ('Respondent location') is not a rater id: rows 2 and 3" in err
    code, out, _ = run("inspect", str(tmp_path / "f.csv"))
    assert code == 0 and "rater id:    none in the file" in out
    assert "note:        " in out and "is not a rater id" in out


def test_a_shared_address_gives_way_to_the_platforms_respondent_id(tmp_path: Path) -> None:
    ranks = _rankings(4)
    rows: list[list[object]] = [["Respondent ID", "Email", "Leader", "Relationship", *LABELS]]
    rows.append(["1001", "ann@acme.example", "Ann", "Self", *IDENTITY])
    rows += [
        [f"10{n + 2:02d}", "team@acme.example", "Ann", "Peer", *r] for n, r in enumerate(ranks)
    ]
    path = str(write_rows(tmp_path / "f.csv", rows))
    document, err = _json(path)
    assert document["excluded"] == []  # none "superseded" by a colleague using the team address
    _peers_are(document, ranks)
    assert "column B ('Email') is not the rater id" in err
    assert "the rater id is column A ('Respondent ID')" in err
    code, out, _ = run("inspect", path)
    assert code == 0 and "rater id:    column A ('Respondent ID'), found by header" in out


def test_an_id_column_that_merges_raters_of_two_groups_stops_the_run(tmp_path: Path) -> None:
    ranks = _rankings(4)
    rows: list[list[object]] = [["Leader", "Relationship", "Email", *LABELS]]
    rows.append(["Ann", "Self", "ann@acme.example", *IDENTITY])
    rows += [["Ann", "Peer", "team@acme.example", *ranks[0]]]
    rows += [["Ann", "Direct report", "team@acme.example", *ranks[1]]]
    rows += [["Ann", "Peer", f"p{n}@acme.example", *r] for n, r in enumerate(ranks[2:])]
    path = str(write_rows(tmp_path / "f.csv", rows))
    code, _, err = run("analyze", path)
    assert code == 1 and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert "column C ('Email') is not a rater id: rows 3 and 4" in err
    assert "--rater-column" in err
    code, out, _ = run("inspect", path)
    assert code == 1 and "problem:" in out and "is not a rater id" in out
    code, _, err = run("analyze", path, "--rater-column", "Email")  # the user's word stands
    assert code == 0, err


def test_a_resubmission_under_one_address_still_keeps_the_later(tmp_path: Path) -> None:
    ranks = _rankings(4)
    rows: list[list[object]] = [["Leader", "Relationship", "Email", *LABELS]]
    rows += [["Ann", "Peer", f"p{n}@acme.example", *r] for n, r in enumerate(ranks[:3])]
    rows.append(["Ann", "Peer", "p0@acme.example", *ranks[3]])
    document, _ = _json(str(write_rows(tmp_path / "f.csv", rows)))
    assert [e["row"] for e in document["excluded"]] == [2]
    _peers_are(document, ranks[1:])


def test_group_labels_win_over_a_question_that_mentions_a_relationship(tmp_path: Path) -> None:
    """The real "Relation to person of focus" column, after a question whose item says
    "relationship" and holds a 1-5 scale."""
    ranks = _rankings(3)
    satisfied = "How satisfied are you [with my relationship/marriage.]"
    rows: list[list[object]] = [["Leader", satisfied, "Relation to person of focus", *LABELS]]
    rows.append(["Ann", "3", "Self", *IDENTITY])
    rows += [["Ann", str(n + 2), "Peer", *r] for n, r in enumerate(ranks)]
    path = str(write_rows(tmp_path / "f.csv", rows))
    document, _ = _json(path)
    _peers_are(document, ranks)
    code, out, _ = run("inspect", path)
    assert code == 0 and "rater group: column C ('Relation to person of focus')" in out


def test_yes_no_answers_are_no_group_labels(tmp_path: Path) -> None:
    ranks = _rankings(3)
    rows: list[list[object]] = [["Leader", "Role", "Q2", *LABELS]]
    rows.append(["Ann", "N/A", "Self", *IDENTITY])
    rows += [
        ["Ann", answer, "Peer", *r] for answer, r in zip(("Yes", "No", "No"), ranks, strict=True)
    ]
    document, _ = _json(str(write_rows(tmp_path / "f.csv", rows)))
    _peers_are(document, ranks)


def test_numbers_under_a_group_header_are_named_in_the_error(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Leader", "Group", *LABELS]]
    rows += [["Ann", "3", *IDENTITY], ["Ann", "3", *IDENTITY[::-1]]]
    code, _, err = run("analyze", str(write_rows(tmp_path / "f.csv", rows)))
    assert code == 1 and "column B ('Group') holds '3', not group labels" in err


def test_a_leader_named_by_a_phrase_beside_a_group_question_naming_the_leader(
    tmp_path: Path,
) -> None:
    ranks = _rankings(3)
    header = ["Your relationship to the leader you are reviewing", "Leader you are reviewing"]
    rows: list[list[object]] = [[*header, *LABELS]]
    rows.append(["Self", "Ann Lee", *IDENTITY])
    rows += [["Peer", "Ann Lee", *r] for r in ranks]
    document, _ = _json(str(write_rows(tmp_path / "f.csv", rows)))
    assert document["subjects"][0]["subject"] == "Ann Lee"
    _peers_are(document, ranks)


def test_a_tidy_item_column_of_codes_gives_way_to_the_column_of_labels(tmp_path: Path) -> None:
    """`Item` holds the platform's codes (`Q5_3`), `Item text` the labels: the labels tell."""
    from conftest import LABELS as ITEM_LABELS

    peers = _rankings(3)
    raters = [("s", "Self", list(IDENTITY)), *((f"p{n}", "Peer", r) for n, r in enumerate(peers))]
    rows: list[list[object]] = [["Leader", "Rater", "Group", "Item", "Item text", "Rank"]]
    for rater, group, ranks in raters:
        rows += [
            ["Ann", rater, group, f"Q5_{n + 1}", label, rank]
            for n, (label, rank) in enumerate(zip(ITEM_LABELS, ranks, strict=True))
        ]
    document, _ = _json(str(write_rows(tmp_path / "tidy.csv", rows)))
    assert document["inputs"][0]["source_format"] == "tidy"
    _peers_are(document, peers)


def test_a_relationship_question_with_labels_of_its_own_is_the_group_column(
    tmp_path: Path,
) -> None:
    """A long-ish header that mentions a relationship, over a few labels of the file's own
    beside a known one: the group column, whose unknown labels are named in one error."""
    header = "What is your working relationship with this person?"
    rows: list[list[object]] = [["Leader", header, *LABELS]]
    rows += [["Ann", label, *IDENTITY] for label in ("Self", "Teammate", "Teammate", "Mentor")]
    code, _, err = run("analyze", str(write_rows(tmp_path / "f.csv", rows)))
    assert code == 1 and "2 unknown rater groups: 'Teammate' (row 3" in err and "'Mentor'" in err
