"""Headers as survey builders write them: numbered items with a description after the label."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import rankdata

from conftest import INSTRUMENT, LABELS, run

DIMS = INSTRUMENT.dimension_ids
# A description that names another dimension: the label before it decides.
DESCRIPTION = "Skilled: turns the vision and strategy into results, without damaging relationships"


def _described(path: Path, header_of: list[str]) -> tuple[Path, list[list[int]]]:
    rng = np.random.default_rng(5)
    scores = [[int(v) for v in rng.integers(1, 6, size=12)] for _ in range(4)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Leader", "Relationship", *header_of])
        writer.writerow(["Ann", "Self", *scores[0]])
        for row in scores[1:]:
            writer.writerow(["Ann", "Peer", *row])
    return path, scores


@pytest.mark.parametrize(
    "style",
    [
        "{n}. {label} - " + DESCRIPTION,  # numbered, " - ", then the description
        "{label}: " + DESCRIPTION.replace("Skilled: ", "") + " - and more",
        "Q{n}. {label} - Skilled",
    ],
)
def test_numbered_described_headers_are_one_question_of_their_labels(
    tmp_path: Path, style: str
) -> None:
    header = [style.format(n=n, label=label) for n, label in enumerate(LABELS, start=1)]
    path, scores = _described(tmp_path / "ratings.csv", header)
    code, out, err = run("analyze", str(path), "-f", "json", "--min-raters", "3")
    assert code == 0, err
    document = json.loads(out)
    assert document["settings"]["values"] == "scores"
    means = document["subjects"][0]["blocks"][0]["mean_rank"]["peer"]
    expected = np.mean([rankdata([-v for v in row]) for row in scores[1:]], axis=0)
    assert [means[d] for d in DIMS] == pytest.approx(expected.tolist(), abs=1e-4)
    code, out, _ = run("inspect", str(path), "--format", "json")
    questions = json.loads(out)["files"][0]["questions"]
    assert code == 0 and len(questions) == 1 and questions[0]["chosen"]
    assert questions[0]["instruments"] == ["leadership-12"]


def test_a_split_at_a_dash_whose_left_part_repeats_is_a_question(tmp_path: Path) -> None:
    header = [f"Rank for today - {label}" for label in LABELS]
    header += [f"Rank for next year - {label}" for label in LABELS]
    path = tmp_path / "two.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Leader", "Relationship", *header])
        writer.writerow(["Ann", "Self", *range(1, 13), *range(12, 0, -1)])
    _, out, _ = run("inspect", str(path), "--format", "json")
    keys = [q["key"] for q in json.loads(out)["files"][0]["questions"]]
    assert keys == ["Rank for today", "Rank for next year"]


def test_a_qualtrics_matrix_of_numbered_described_items(tmp_path: Path) -> None:
    """Qualtrics joins the question and the item with " - ", and the item holds one itself."""
    rng = np.random.default_rng(9)
    scores = [[int(v) for v in rng.integers(1, 6, size=12)] for _ in range(4)]
    ids = ["StartDate", "Status", "ResponseId", "Leader", "Relationship"]
    ids += [f"Q5_{n}" for n in range(1, 13)]
    texts = ["Start Date", "Response Type", "Response ID", "Leader", "Relationship"]
    texts += [
        f"How important is each for the organization? - {n}. {label} - {DESCRIPTION}"
        for n, label in enumerate(LABELS, start=1)
    ]
    path = tmp_path / "q.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerows([ids, texts])
        for n, (group, row) in enumerate(
            zip(("Self", "Peer", "Peer", "Peer"), scores, strict=True)
        ):
            writer.writerow(["2026-11-01", "IP Address", f"R_{n}", "Ann", group, *row])
    code, out, err = run("analyze", str(path), "-f", "json", "--min-raters", "3")
    assert code == 0, err
    means = json.loads(out)["subjects"][0]["blocks"][0]["mean_rank"]["peer"]
    expected = np.mean([rankdata([-v for v in row]) for row in scores[1:]], axis=0)
    assert [means[d] for d in DIMS] == pytest.approx(expected.tolist(), abs=1e-4)
