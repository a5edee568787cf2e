"""Errors that name the next step: a ranking of other items points to a drafted instrument,
answer codes to --codes, every unknown group label at once, ranks typed with their words, a
document under a survey file's name, a close miss of a file name."""

from __future__ import annotations

import json
import shlex
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import IDENTITY, INSTRUMENT, REVERSED, run, write_rows, write_wide


def _error(*args: str) -> str:
    code, out, err = run(*args)
    assert code == 1 and out == "", err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err
    return lines[0]


def test_a_ranking_of_other_items_points_to_a_drafted_instrument(tmp_path: Path) -> None:
    items = ["Hiring", "Security", "Docs", "Tooling"]
    rows: list[list[object]] = [["Leader", "Relationship", *(f"Rank [{n}]" for n in range(1, 5))]]
    rows += [["Ann", "Self", *items], ["Ann", "Peer", *items[::-1]]]
    path = write_rows(tmp_path / "positions.csv", rows)
    error = _error("analyze", str(path), "--instrument", "leadership-12")  # no own items
    assert "--draft-instrument" in error and "--codes" not in error
    command = error.split("`")[1]  # the command the error names runs
    words = shlex.split(command.split(" > ")[0])
    code, toml, err = run(*words[1:])
    assert code == 0 and 'label = "Hiring"' in toml, err


def test_answer_codes_in_ranked_positions_point_to_codes(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Leader", "Relationship", *(f"Rank [{n}]" for n in range(1, 4))]]
    rows += [["Ann", "Self", "A1", "A2", "A3"], ["Ann", "Peer", "A2", "A1", "A3"]]
    error = _error("analyze", str(write_rows(tmp_path / "codes.csv", rows)))
    assert "--codes FILE" in error


def test_every_unknown_group_label_in_one_error_with_its_closest(tmp_path: Path) -> None:
    rows = [("Ann", "a", "Self", IDENTITY), ("Ann", "b", "Mangaer", REVERSED)]
    rows += [("Ann", "c", "Colleage", IDENTITY), ("Ann", "d", "Direct reprt", REVERSED)]
    error = _error("analyze", str(write_wide(tmp_path / "g.csv", rows)))
    assert "3 unknown rater groups" in error
    for label, group in (("Mangaer", "manager"), ("Colleage", "peer")):
        assert f"'{label}' (row" in error and f'--group-map "{label}={group}"' in error
    assert "'Direct reprt' (row 5, closest: direct_report)" in error


@pytest.mark.parametrize("style", ["Rank {}", "{}{}", "#{}", "No. {}"])
def test_ranks_typed_with_their_words_are_read(tmp_path: Path, style: str) -> None:
    def typed(rank: int) -> str:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(rank, "th")
        return style.format(rank, suffix) if style == "{}{}" else style.format(rank)

    rng = np.random.default_rng(3)
    ranks = [rng.permutation(12) + 1 for _ in range(3)]
    rows = [("Ann", "s", "Self", [typed(int(r)) for r in IDENTITY])]
    rows += [
        ("Ann", f"p{n}", "Peer", [typed(int(r)) for r in rank]) for n, rank in enumerate(ranks)
    ]
    path = write_wide(tmp_path / "typed.csv", rows)
    code, out, err = run("analyze", str(path), "-f", "json", "--min-raters", "3")
    assert code == 0, err
    document = json.loads(out)
    assert document["excluded"] == []
    means = document["subjects"][0]["blocks"][0]["mean_rank"]["peer"]
    expected = np.mean(np.asarray(ranks, dtype=float), axis=0)
    assert [means[d] for d in INSTRUMENT.dimension_ids] == pytest.approx(
        expected.tolist(), abs=1e-4
    )


def test_a_renamed_pdf_or_word_file_is_named_as_such(tmp_path: Path) -> None:
    pdf = tmp_path / "survey.csv"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    assert "is a PDF document" in _error("analyze", str(pdf))
    word = tmp_path / "survey.xlsx"
    with zipfile.ZipFile(word, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    error = _error("inspect", str(word))
    assert "is a Word document" in error and "CSV or Excel" in error


def test_a_missing_file_names_the_close_one(tmp_path: Path) -> None:
    write_wide(tmp_path / "survey-2026.csv", [("Ann", "a", "Self", IDENTITY)])
    error = _error("analyze", str(tmp_path / "survey-2062.csv"))
    assert f"did you mean {tmp_path / 'survey-2026.csv'}?" in error
    assert "did you mean" not in _error("analyze", str(tmp_path / "other.csv"))


def test_a_renamed_item_is_mapped_with_dimension_map(tmp_path: Path) -> None:
    from conftest import LABELS

    header: list[object] = ["Leader", "Relationship", "Strategic thinking", *LABELS[1:]]
    ranks = [list(range(1, 13)), list(range(12, 0, -1))]
    rows: list[list[object]] = [header]
    rows += [["Ann", group, *r] for group, r in zip(("Self", "Manager"), ranks, strict=True)]
    path = str(write_rows(tmp_path / "renamed.csv", rows))
    error = _error("analyze", path)
    assert '--dimension-map "Strategic thinking=vision_strategy"' in error
    flag = ["--dimension-map", "Strategic thinking=vision_strategy"]
    code, out, err = run("analyze", path, *flag, "-f", "json")
    assert code == 0, err
    means = json.loads(out)["subjects"][0]["blocks"][0]["mean_rank"]["manager"]
    assert means["vision_strategy"] == 12.0 and means["building_teams"] == 1.0
    code, out, _ = run("inspect", path, *flag)
    command = next(line.split("run:", 1)[1].strip() for line in out.splitlines() if "run:" in line)
    assert code == 0 and "--dimension-map 'Strategic thinking=vision_strategy'" in command
    assert run(*shlex.split(command)[1:])[0] == 0
    code, _, err = run("analyze", path, "--dimension-map", "Strategic thinking=nowhere")
    assert code == 2 and "is not LABEL=dimension" in err
