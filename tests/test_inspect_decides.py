"""`inspect` and `analyze` of one mind: inspect exits 1 whenever analyze would fail, naming why;
every `run:` line it prints runs; only the analyzed question is marked; Qualtrics' timing and
display-order blocks are no questions; `--question` chooses what `--draft-instrument` drafts."""

from __future__ import annotations

import csv
import json
import shlex
from pathlib import Path

import pytest

from conftest import EXAMPLES, LABELS, ROOT, run
from test_platforms import CASES

SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xls", ".ods"}
FILES = sorted(
    str(p.relative_to(ROOT))
    for folder in (EXAMPLES, ROOT / "tests" / "corpus")
    for p in folder.rglob("*")
    if p.suffix in SUFFIXES
)


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _run_lines(path: str) -> tuple[int, list[str], str]:
    code, out, err = run("inspect", path)
    return (
        code,
        [line.split("run:", 1)[1].strip() for line in out.splitlines() if "  run:" in line],
        out + err,
    )


def _runs(command: str) -> None:
    """Run a printed command (its `> FILE` redirect dropped) and expect success."""
    words = shlex.split(command.split(" > ")[0])
    assert words[0] == "coachkit"
    code, out, err = run(*words[1:])
    assert code == 0, f"{command}: {err}"
    if "--draft-instrument" in words:
        assert "[[dimensions]]" in out


def _agree(path: str) -> None:
    code, commands, shown = _run_lines(path)
    analyzed, _, err = run("analyze", path, "--quiet")
    assert (code == 0) == (analyzed == 0), f"inspect {code}, analyze {analyzed}: {err}\n{shown}"
    if code == 1:
        assert "problem:" in shown or shown.startswith("error:"), shown
    for command in commands:
        _runs(command)


@pytest.mark.parametrize("path", FILES)
def test_inspect_and_analyze_agree_and_every_run_line_runs_on_examples(path: str) -> None:
    _agree(path)


@pytest.mark.parametrize("case", sorted(CASES))
def test_inspect_and_analyze_agree_on_every_platform_shape(tmp_path: Path, case: str) -> None:
    _, name, write = CASES[case]
    _agree(str(write(tmp_path / name)))


def _qualtrics(path: Path, *, timing: bool, items_only: bool = False) -> Path:
    """A Qualtrics export with a ranking of non-leadership items, a timing block and a
    display-order column; `items_only`: the text row holds only the item labels."""
    items = ["Hiring", "Onboarding", "Tooling", "Security"]
    ids = ["StartDate", "Status", "ResponseId", "Q1", "Q2"]
    texts = ["Start Date", "Response Type", "Response ID", "Leader", "Relationship"]
    ids += [f"Q5_{n}" for n in range(1, 5)]
    texts += items if items_only else [f"Rank our priorities - {i}" for i in items]
    ids += ["Q5_DO"]
    texts += ["Rank our priorities - Display Order"]
    if timing:
        clicks = ["First Click", "Last Click", "Page Submit", "Click Count"]
        ids += [f"Q9_{c}" for c in clicks]
        texts += [f"Timing - {c}" for c in clicks]
    rows = [ids, texts]
    for n, (group, ranks) in enumerate((("Self", "1234"), ("Peer", "4321"), ("Peer", "2143"))):
        row = ["2026-11-01", "IP Address", f"R_{n}", "Ann", group, *ranks, "1|2|3|4"]
        rows.append(row + (["1.2", "30.5", "31.0", "4"] if timing else []))
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_timing_and_display_order_are_no_questions(tmp_path: Path) -> None:
    path = _qualtrics(tmp_path / "q.csv", timing=True)
    code, out, _ = run("inspect", str(path), "--format", "json")
    keys = [q["key"] for q in json.loads(out)["files"][0]["questions"]]
    assert keys == ["Q5"] and code == 0  # read with its own items
    code, toml, err = run("inspect", str(path), "--draft-instrument")
    assert code == 0 and 'label = "Hiring"' in toml and "Click" not in toml, err


def test_a_question_whose_text_row_holds_only_item_labels_is_listed(tmp_path: Path) -> None:
    path = _qualtrics(tmp_path / "q.csv", timing=False, items_only=True)
    _, out, _ = run("inspect", str(path), "--format", "json")
    questions = json.loads(out)["files"][0]["questions"]
    assert [(q["key"], q["items"]) for q in questions] == [
        ("Q5", ["Hiring", "Onboarding", "Tooling", "Security"])
    ]


def test_only_the_analyzed_question_is_marked_under_a_custom_instrument(tmp_path: Path) -> None:
    path = _qualtrics(tmp_path / "q.csv", timing=True)
    _, toml, _ = run("inspect", str(path), "--draft-instrument")
    instrument = tmp_path / "mine.toml"
    instrument.write_text(toml, "utf-8")
    code, out, err = run("inspect", str(path), "--instrument", str(instrument), "--format", "json")
    view = json.loads(out)["files"][0]
    assert [q["key"] for q in view["questions"] if q["chosen"]] == ["Q5"], err
    assert code == 0 and view["problem"] == ""


def test_question_chooses_what_draft_instrument_drafts(tmp_path: Path) -> None:
    """Two rankings no instrument holds: the `run:` line names one, and it drafts that one."""
    first = ["Hiring", "Security", "Docs"]
    second = ["Speed", "Cost", "Quality"]
    header = ["Leader", "Relationship"]
    header += [f"Rank our team priorities [{i}]" for i in first]
    header += [f"Rank the vendor criteria [{i}]" for i in second]
    path = tmp_path / "two.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerows([header, ["Ann", "Self", 1, 2, 3, 3, 2, 1]])
    code, out, err = run("inspect", str(path), "--question", "vendor", "--draft-instrument")
    assert code == 0 and 'label = "Speed"' in out and "Hiring" not in out, err
    code, commands, _ = _run_lines(str(path))
    assert code == 1 and len(commands) == 1
    _runs(commands[0])


def test_a_leader_no_column_names_is_a_step_to_fill_in_not_a_run_line(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Relationship", *LABELS])
        writer.writerow(["Self", *range(1, 13)])
    code, out, _ = run("inspect", str(path))
    assert code == 1 and "  run:" not in out
    assert f"  next:        coachkit analyze {path} --subject 'LEADER NAME'" in out


def test_a_misspelt_item_beside_questions_that_mention_its_words(tmp_path: Path) -> None:
    """Two short questions mention "following" (an alias of "Developing a following") and the
    item itself is misspelt: inspect exits 1 naming the misspelt column, as analyze does."""
    items = [
        label if label != "Developing a following" else "Developing a folowing" for label in LABELS
    ]
    path = tmp_path / "misspelt.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["Leader", "Relationship", "Which of the following?", *items, "The following?"]
        )
        for group in ("Self", "Manager"):
            writer.writerow(["Ann", group, "Yes", *range(1, 13), "No"])
    code, out, _ = run("inspect", str(path))
    assert code == 1 and "  run:" not in out
    assert "column K ('Developing a folowing') is close to 'Developing a following'" in out
    code, _, err = run("analyze", str(path))
    assert code == 1 and "column K ('Developing a folowing')" in err
    mapped = ["--dimension-map", "Developing a folowing=developing_following"]
    assert run("analyze", str(path), *mapped)[0] == 0


def test_files_of_one_link_each_inspected_together() -> None:
    """`--group FILE=GROUP` for several files: each is checked with its own group."""
    exports = "examples/exports/surveymonkey-"
    names = ["self", "manager", "peers", "direct-reports"]
    groups = ["self", "manager", "peer", "direct_report"]
    args = [f"{exports}{n}.csv" for n in names]
    for name, group in zip(names, groups, strict=True):
        args += ["--group", f"surveymonkey-{name}.csv={group}"]
    code, out, _ = run("inspect", *args)
    assert code == 0 and "problem:" not in out
    lines = [line.split("run:", 1)[1].strip() for line in out.splitlines() if "  run:" in line]
    assert len(lines) == 4
    for line in lines:
        _runs(line)


def test_several_files_are_also_checked_as_the_one_dataset_analyze_reads() -> None:
    path = "examples/by-family.csv"
    code, out, _ = run("inspect", path, path)
    assert code == 1 and "analyzed together:" in out and "holds the same data" in out
    assert run("analyze", path, path)[0] == 1
