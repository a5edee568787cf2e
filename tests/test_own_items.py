"""Any ranking in one command: a ranking whose items no shipped instrument holds is analyzed with
its own items as the instrument and the usual rater groups, a note saying so; a shipped
instrument that fits is chosen without --instrument."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import EXAMPLES, run, write_rows

ITEMS = ["Hiring", "Onboarding", "Developer tooling", "Security", "Documentation"]


def _rankings(n: int, seed: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    return [[int(v) for v in rng.permutation(len(ITEMS)) + 1] for _ in range(n)]


def _analyze(*args: str) -> tuple[dict[str, Any], str]:
    code, out, err = run("analyze", *args, "--format", "json", "--min-raters", "3")
    assert code == 0, err
    return json.loads(out), err


def _means(document: dict[str, Any], group: str) -> list[float]:
    block = document["subjects"][0]["blocks"][0]
    dims = [d["id"] for d in document["instrument"]["dimensions"]]
    return [block["mean_rank"][group][d] for d in dims]


def test_a_ranking_of_other_items_is_analyzed_with_its_own_items(tmp_path: Path) -> None:
    peers = _rankings(4, 1)
    header: list[object] = [
        "Leader",
        "Relationship",
        *(f"Rank our priorities [{i}]" for i in ITEMS),
    ]
    rows: list[list[object]] = [header, ["Ann", "Self", 1, 2, 3, 4, 5]]
    rows.append(["Ann", "Manager", 5, 4, 3, 2, 1])
    rows += [["Ann", "Peer", *r] for r in peers]
    path = write_rows(tmp_path / "priorities.csv", rows)
    document, err = _analyze(str(path))
    assert [d["label"] for d in document["instrument"]["dimensions"]] == ITEMS
    assert "its 5 items are the instrument, with the usual 360 rater groups" in err
    assert "--draft-instrument > my.toml` writes it out" in err
    assert _means(document, "peer") == pytest.approx(np.mean(peers, axis=0).tolist(), abs=1e-4)
    assert _means(document, "manager") == [5.0, 4.0, 3.0, 2.0, 1.0]
    block = document["subjects"][0]["blocks"][0]
    assert not block.get("tilt")  # no families, so no tilt
    code, out, _ = run("inspect", str(path))
    assert code == 0 and f"run:         coachkit analyze {path}\n" in out


def test_ranked_positions_of_other_items_in_one_command(tmp_path: Path) -> None:
    raters = _rankings(3, 2)
    header: list[object] = [
        "Leader",
        "Relationship",
        *(f"Priorities [Rank {n}]" for n in range(1, 6)),
    ]
    rows: list[list[object]] = [header]
    for group, ranks in zip(
        ("Self", "Direct report", "Direct report", "Direct report"),
        [[1, 2, 3, 4, 5], *raters],
        strict=True,
    ):
        placed = sorted(range(len(ITEMS)), key=lambda i: ranks[i])
        rows.append(["Ann", group, *(ITEMS[i] for i in placed)])
    document, _ = _analyze(str(write_rows(tmp_path / "positions.csv", rows)))
    labels = [d["label"] for d in document["instrument"]["dimensions"]]
    expected = np.mean([[r[ITEMS.index(label)] for label in labels] for r in raters], axis=0)
    assert _means(document, "direct_report") == pytest.approx(expected.tolist(), abs=1e-4)


def test_a_team_ranking_with_its_own_groups_needs_only_the_subject() -> None:
    path = EXAMPLES / "exports" / "team-priorities.csv"
    document, err = _analyze(str(path), "--subject", "Platform roadmap")
    assert "with the file's groups" in err
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    items = [h.split("[")[1].rstrip("]") for h in rows[0][2:]]
    labels = [d["label"] for d in document["instrument"]["dimensions"]]
    assert labels == items
    for team in ("Engineering", "Product", "Design"):
        ranks = [[float(v) for v in r[2:]] for r in rows[1:] if r[1] == team]
        assert _means(document, team.lower()) == pytest.approx(
            np.mean(ranks, axis=0).tolist(), abs=1e-4
        )


def test_a_given_instrument_is_never_replaced(tmp_path: Path) -> None:
    header: list[object] = [
        "Leader",
        "Relationship",
        *(f"Rank our priorities [{i}]" for i in ITEMS),
    ]
    path = write_rows(tmp_path / "p.csv", [header, ["Ann", "Self", 1, 2, 3, 4, 5]])
    code, _, err = run("analyze", str(path), "--instrument", "leadership-12")
    assert code == 1 and "--draft-instrument" in err


def test_a_shipped_instrument_that_fits_is_chosen_without_the_option() -> None:
    path = str(EXAMPLES / "it-archetypes.csv")
    document, err = _analyze(path)
    assert document["instrument"]["id"] == "it-archetypes"
    assert "read with the shipped instrument it-archetypes" in err
    explicit, _ = _analyze(path, "--instrument", "it-archetypes")
    assert document["subjects"] == explicit["subjects"]


def test_two_rankings_of_other_items_ask_which_one(tmp_path: Path) -> None:
    first, second = ["Hiring", "Security", "Docs"], ["Speed", "Cost", "Quality"]
    header: list[object] = ["Leader", "Relationship"]
    header += [f"Rank our team priorities [{i}]" for i in first]
    header += [f"Rank the vendor criteria [{i}]" for i in second]
    path = write_rows(tmp_path / "two.csv", [header, ["Ann", "Self", 1, 2, 3, 3, 2, 1]])
    code, _, err = run("analyze", str(path))
    assert code == 1 and "2 questions rank items" in err and "choose one with --question" in err
    document, _ = _analyze(str(path), "--question", "vendor")
    assert [d["label"] for d in document["instrument"]["dimensions"]] == second
    assert _means(document, "self") == [3.0, 2.0, 1.0]
