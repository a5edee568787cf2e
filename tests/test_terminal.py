"""The terminal report as a person at a real terminal sees it: every example run in a
pseudo-terminal of 80 and 120 columns (the width read from the terminal, not from COLUMNS), the
summary first under each leader's name, labels wrapped between words, nothing past the edge."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachkit.instruments import load_instrument
from coachkit.text import wrap_label
from conftest import ROOT, run

SUMMARY_WITHIN = 8  # lines under a leader's name by which the first summary line shows

# Every example in examples/, with the options its `coachkit inspect` names (team-priorities is
# a ranking of other items: its instrument is drafted first, as the README shows).
EXAMPLES = [
    ["examples/acme-wide.xlsx"],
    ["examples/acme-tidy.csv"],
    ["examples/by-family.csv"],
    ["examples/ratings.csv"],
    ["examples/cohort-2025.csv"],
    ["examples/cohort-2026.csv"],
    ["examples/it-archetypes.csv", "--instrument", "it-archetypes"],
    ["examples/exports/qualtrics-360.csv"],
    ["examples/exports/limesurvey-positions.csv"],
    ["examples/exports/google-forms-two-rankings.csv", "--question", "today"],
    [
        *(f"examples/exports/surveymonkey-{g}.csv" for g in ("self", "manager", "peers")),
        "examples/exports/surveymonkey-direct-reports.csv",
        "--group",
        "surveymonkey-self.csv=self",
        "--group",
        "surveymonkey-manager.csv=manager",
        "--group",
        "surveymonkey-peers.csv=peer",
        "--group",
        "surveymonkey-direct-reports.csv=direct_report",
    ],
    ["examples/exports/team-priorities.csv", "--instrument", "TEAM", "--subject", "Platform"],
    # one question of a journey survey is a report like any other
    ["examples/it-journey.csv", "--instrument", "it-archetypes", "--question", "should"],
    [
        "examples/exports/qualtrics-it-journey.csv",
        "--instrument",
        "it-archetypes",
        "--question",
        "Q2",
    ],
]
# Both questions of the journey surveys: the journey view, checked for its lines alone.
JOURNEYS = [
    ["examples/it-journey.csv", "--instrument", "it-archetypes"],
    ["examples/exports/qualtrics-it-journey.csv", "--instrument", "it-archetypes"],
]
# The organization and comparison views, whose tables wrap the same way.
VIEWS = [
    ["org", "examples/cohort-2026.csv"],
    ["compare", "examples/cohort-2025.csv", "examples/cohort-2026.csv"],
]
_MARK = "=== coachkit "
# The child: runs each command of argv's JSON in this process, whose stdout is the terminal.
_CHILD = f"""
import json, sys
from coachkit.cli import app
for args in json.loads(sys.argv[1]):
    print({_MARK!r} + " ".join(args), flush=True)
    try:
        app(args, standalone_mode=False)
    except SystemExit:
        pass
    sys.stdout.flush()
"""
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _in_terminal(commands: list[list[str]], columns: int) -> dict[str, list[str]]:
    """What each command prints to a pseudo-terminal `columns` wide (colour codes removed), by
    command."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    env["PYTHONPATH"] = str(ROOT / "src")
    env["TERM"] = "xterm-256color"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, json.dumps(commands)],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closed with the child
            break
        if not data:
            break
        chunks.append(data)
    child.wait(timeout=600)
    os.close(leader)
    text = b"".join(chunks).decode("utf-8").replace("\r\n", "\n")
    assert "\x1b[" in text  # a real terminal: the report is in colour
    out: dict[str, list[str]] = {}
    lines: list[str] = []
    for line in text.split("\n"):
        if line.startswith(_MARK):
            lines = out.setdefault(line[len(_MARK) :], [])
        else:
            lines.append(line)
    return {command: [_ANSI.sub("", line) for line in lines] for command, lines in out.items()}


def _cells(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def _words(instrument: str | None) -> set[str]:
    """The words of the instrument's labels: dimensions, families and groups."""
    info = load_instrument(instrument)
    labels = [d.label for d in info.dimensions] + [g.label for g in info.groups]
    labels += [f.label for f in info.families]
    return {w.lower() for label in labels for w in re.findall(r"[^\W\d_]+", label)}


def _broken(lines: list[str], words: set[str]) -> list[str]:
    """Places where a word of a label ends one line and goes on at the start of the next:
    the end of each cell (text before a run of two spaces, or the line's end) against the
    first word of the next line."""
    found = []
    for line, below in itertools.pairwise(lines):
        first = re.match(r"\s*([^\W\d_]+)", below)
        if not first:
            continue
        for cell in re.split(r"\s{2,}", line.strip()):
            tail = re.search(r"([^\W\d_]+)$", cell)
            if tail:
                joined = (tail[1] + first[1]).lower()
                if joined in words and tail[1].lower() not in words:
                    found.append(f"{line!r} / {below!r}")
    return found


@pytest.fixture(scope="module")
def terminal(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, list[str]]]:
    """Every example's report at 80 and at 120 columns, and its JSON (for the subjects)."""
    team = tmp_path_factory.mktemp("team") / "team.toml"
    code, out, err = run(
        "inspect", str(ROOT / "examples/exports/team-priorities.csv"), "--draft-instrument"
    )
    assert code == 0, err
    team.write_text(out, "utf-8")
    commands = [
        ["analyze", *(str(team) if a == "TEAM" else a for a in args)]
        for args in [*EXAMPLES, *JOURNEYS]
    ]
    commands += VIEWS
    return {columns: _in_terminal(commands, columns) for columns in (80, 120)}


def _instrument(args: list[str]) -> str | None:
    return args[args.index("--instrument") + 1] if "--instrument" in args else None


@pytest.mark.parametrize("columns", [80, 120])
def test_every_example_opens_each_leader_with_the_summary(
    terminal: dict[int, dict[str, list[str]]], columns: int
) -> None:
    shown = {c: lines for c, lines in terminal[columns].items() if c.startswith("analyze")}
    assert len(shown) == len(EXAMPLES) + len(JOURNEYS)
    journeys = {" ".join(["analyze", *args]) for args in JOURNEYS}
    for command, lines in shown.items():
        if command in journeys:
            assert "where we are and where we should go" in " ".join(lines), command
            continue
        args = command.split()[1:]
        code, out, err = run("analyze", *args, "-f", "json", "-q")
        assert code == 0, (command, err)
        document = json.loads(out)
        labels = {d["id"]: d["label"] for d in document["instrument"]["dimensions"]}
        assert document["subjects"], command
        at = 0
        for subject in document["subjects"]:
            at = lines.index(subject["subject"], at)  # the leader's name, on a line of its own
            below = lines[at + 1 : at + 1 + SUMMARY_WITHIN]
            assert "In short" in below, (command, subject["subject"], below)
            first = below[below.index("In short") + 1]
            findings = [f for f in subject["coaching_focus"] if f["beyond_chance"]]
            if findings:  # the first finding, by its label
                assert first.startswith(f"  - {labels[findings[0]['dimension']]}: "), first
            elif subject["coaching_focus"]:
                assert first.startswith("  - No single dimension stands out beyond chance"), first
            else:  # no notable gap at all: within chance, or no one to compare with
                assert first.startswith("  - No "), first


@pytest.mark.parametrize("columns", [80, 120])
def test_no_line_passes_the_edge_or_ends_in_spaces_or_breaks_a_word(
    terminal: dict[int, dict[str, list[str]]], columns: int
) -> None:
    assert len(terminal[columns]) == len(EXAMPLES) + len(JOURNEYS) + len(VIEWS)
    for command, lines in terminal[columns].items():
        words = _words(_instrument(command.split()))
        assert lines, command
        assert all(_cells(line) <= columns for line in lines), command
        assert [line for line in lines if line != line.rstrip()] == [], command
        assert _broken(lines, words) == [], command


def test_the_word_check_finds_a_broken_label() -> None:
    words = _words(None)
    lines = ["   Judgement/decision-maki      8         5", "   ng"]
    assert _broken(lines, words) == [f"{lines[0]!r} / {lines[1]!r}"]
    assert _broken(["   Judgement/decision-      8", "   making"], words) == []


def test_a_judgement_label_at_80_columns_reads_whole(
    terminal: dict[int, dict[str, list[str]]],
) -> None:
    text = "\n".join(terminal[80]["analyze examples/acme-tidy.csv"])
    assert "Judgement/decision-making" in text
    assert "decision-maki\n" not in text


def test_batch_writes_brief_terminal_reports(tmp_path: Path) -> None:
    code, _, err = run("batch", "examples/acme-wide.xlsx", "-d", str(tmp_path), "-f", "table")
    assert code == 0, err
    full = (tmp_path / "acme-wide" / "dana-whitfield.txt").read_text("utf-8")
    brief_dir = tmp_path / "brief"
    args = ("batch", "examples/acme-wide.xlsx", "-d", str(brief_dir), "-f", "table", "--brief")
    code, _, err = run(*args)
    assert code == 0, err
    brief = (brief_dir / "acme-wide" / "dana-whitfield.txt").read_text("utf-8")
    assert full.startswith(brief.rstrip()) and "consensus rank" not in brief
    assert run("batch", "examples/acme-wide.xlsx", "-d", str(brief_dir), "--brief")[0] == 2


def test_brief_prints_the_summaries_only() -> None:
    code, full, _ = run("analyze", "examples/acme-wide.xlsx", "-q")
    code, brief, err = run("analyze", "examples/acme-wide.xlsx", "-q", "--brief")
    assert code == 0, err
    document = json.loads(run("analyze", "examples/acme-wide.xlsx", "-q", "-f", "json")[1])
    names = [s["subject"] for s in document["subjects"]]
    lines = brief.splitlines()
    assert [line for line in lines if line in names] == names
    assert "consensus rank" not in brief and "consensus rank" in full
    # each leader's part of the brief is the start of the full report's part, word for word
    for name, after in zip(names, [*names[1:], None], strict=True):
        part = brief[brief.index(name) : brief.index(after) if after else None].rstrip()
        assert full[full.index(name) :].startswith(part)
        assert len(part.splitlines()) <= 24  # one screen
    code, _, err = run("analyze", "examples/acme-wide.xlsx", "--brief", "-f", "json")
    assert code == 2 and "--brief" in err


def _rejoined(lines: list[str]) -> str:
    """Wrapped lines put back together: a line that ends in `/` or `-` runs on (as does one that
    starts with it: a word that fits without its `/`), others were broken at a space."""
    text = lines[0]
    for line in lines[1:]:
        text += line if text.endswith(("/", "-")) or line.startswith(("/", "-")) else " " + line
    return text


@given(
    st.lists(st.sampled_from(["Judgement", "decision", "making", "a", "of", "Communication"]))
    .map(lambda ws: "".join(w + s for w, s in zip(ws, "/- -/  " * 9, strict=False)).strip(" /-"))
    .filter(bool),
    st.integers(min_value=13, max_value=40),
)
def test_a_label_wraps_only_between_words(label: str, width: int) -> None:
    lines = wrap_label(label, width)
    assert all(len(line) <= width for line in lines)
    assert _rejoined(lines) == " ".join(label.split())


def test_a_label_keeps_its_indent_on_every_line() -> None:
    assert wrap_label("  Judgement/decision-making", 14) == [
        "  Judgement/",
        "  decision-",
        "  making",
    ]
    assert wrap_label("Developing a following", 14) == ["Developing a", "following"]


def test_rejoined_lines_show_where_a_word_was_cut() -> None:
    assert _rejoined(["Judgement/decision-maki", "ng"]) != "Judgement/decision-making"


def test_the_examples_list_is_every_example() -> None:
    listed = {Path(a).name for args in EXAMPLES for a in args if a.startswith("examples/")}
    files = {p.name for p in (ROOT / "examples").rglob("*") if p.suffix in (".csv", ".xlsx")}
    files.discard("cohort-roster.csv")  # an HR roster, read with a survey (--leaders)
    assert listed == files


def test_markdown_opens_each_leader_with_the_same_summary_as_the_terminal() -> None:
    brief = run("analyze", "examples/acme-wide.xlsx", "-q", "--brief")[1]
    markdown = run("analyze", "examples/acme-wide.xlsx", "-q", "-f", "md")[1]
    said = [" ".join(x.split()) for x in brief.split("\n  - ")[1:]]
    said = [x.split(" Marcus Oyelaran")[0].split(" Priya Raman")[0] for x in said]
    parts = [p.split("\n\n### ")[0] for p in markdown.split("**In short**\n\n")[1:]]
    listed = [" ".join(x.split()) for p in parts for x in p.split("\n- ")]
    assert len(parts) == 3 and [x.removeprefix("- ") for x in listed] == said


@pytest.mark.parametrize("width", [40, 80, 120])
def test_the_plain_report_is_the_coloured_one_without_colour(width: int) -> None:
    """Without colour the report is laid out by coachkit (fast for thousands of leaders); with
    colour, by rich: the lines must be the same."""
    import warnings

    import coachkit
    from coachkit.render import Format, RenderOptions, render

    ansi = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = [
            coachkit.analyze(ROOT / "examples/acme-wide.xlsx", comments=True),
            coachkit.analyze(ROOT / "examples/ratings.csv", values="scores"),
            coachkit.org(
                ROOT / "examples/cohort-2026.csv",
                leaders=ROOT / "examples/cohort-roster.csv",
                by="technical role",
            ),
            coachkit.compare(ROOT / "examples/cohort-2025.csv", ROOT / "examples/cohort-2026.csv"),
        ]
    for result in results:
        plain = render(result, Format.table, RenderOptions(color=False, width=width))
        coloured = render(result, Format.table, RenderOptions(color=True, width=width))
        assert "\x1b[" in str(coloured)
        stripped = "".join(
            ansi.sub("", line).rstrip() + "\n" for line in str(coloured).splitlines()
        )
        assert plain == stripped, type(result).__name__
