"""The command line: every format, -o, exit codes, and one `error:` line for each kind of bad input."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coachkit.cli import app
from coachkit.errors import InputError
from coachkit.render import Format
from conftest import (
    ALIASES,
    EXAMPLES,
    FORMATS,
    IDENTITY,
    REVERSED,
    ROOT,
    run,
    write_tidy,
    write_wide,
)

WIDE = str(EXAMPLES / "acme-wide.xlsx")


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_every_command_has_help_an_example_and_a_readme_entry() -> None:
    code, out, _ = run("--version")
    assert (code, out) == (0, "coachkit 0.2.0\n")
    readme = (ROOT / "README.md").read_text("utf-8")
    commands = [
        c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands
    ]
    assert set(commands) == {
        "analyze",
        "validate",
        "inspect",
        "batch",
        "org",
        "compare",
        "dimensions",
    }
    for command in commands:
        code, out, _ = run(command, "--help")
        assert code == 0 and "Example: coachkit" in out, command
        assert f"| `coachkit {command}" in readme, command
        titles = [line for line in out.splitlines() if line.endswith("options:")]
        order = ["Input options:", "Analysis options:", "Output options:", "Other options:"]
        assert titles == [t for t in order if t in titles] and "Other options:" in titles, command


def test_help_groups_options_by_what_they_decide() -> None:
    _, out, _ = run("analyze", "-h")
    sections = out.split("\n\n")
    analysis = next(s for s in sections if s.startswith("Analysis options:"))
    assert (
        "--min-raters" in analysis and "--no-intervals" in analysis and "--format" not in analysis
    )
    output = next(s for s in sections if s.startswith("Output options:"))
    assert "--format" in output and "--paper" in output and "--instrument" not in output


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format(fmt: Format) -> None:
    result = CliRunner().invoke(app, ["analyze", WIDE, "--format", fmt.value, "-q"])
    assert result.exit_code == 0, result.stderr
    if fmt is Format.xlsx:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(result.stdout_bytes))
        assert book["Summary"]["A2"].value == "Dana Whitfield"
        return
    if fmt is Format.pdf:
        assert result.stdout_bytes.startswith(b"%PDF-")
        return
    assert "Dana Whitfield" in result.stdout
    if fmt is Format.json:
        assert json.loads(result.stdout)["schema_version"] == 3


@pytest.mark.parametrize(
    ("suffix", "marker"),
    [
        (".json", '"schema_version": 3'),
        (".md", "# Leadership priorities"),
        (".csv", "subject,block,group"),
        (".txt", "Dana Whitfield"),
    ],
)
def test_output_file_format_from_suffix(tmp_path: Path, suffix: str, marker: str) -> None:
    target = tmp_path / f"report{suffix}"
    code, out, _ = run("analyze", WIDE, "-o", str(target))
    assert code == 0 and out == ""
    assert marker in target.read_text("utf-8")
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left behind


def test_output_never_overwrites_an_input(tmp_path: Path) -> None:
    survey = write_wide(tmp_path / "s.csv", [("Ann", "r1", "Self", IDENTITY)])
    before = survey.read_bytes()
    code, _, err = run("analyze", str(survey), "-o", str(survey), "--format", "json")
    assert code == 1 and err.startswith("error: ") and "over an input file" in err
    assert survey.read_bytes() == before
    code, _, err = run("analyze", str(survey), "-o", str(tmp_path / "missing" / "r.json"))
    assert code == 1 and "does not exist" in err


def test_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    for fmt in Format:
        if fmt is Format.pdf:  # a PDF engine stamps its own creation time
            continue
        first, second = tmp_path / f"a.{fmt.value}", tmp_path / f"b.{fmt.value}"
        assert run("analyze", WIDE, "-f", fmt.value, "-o", str(first))[0] == 0
        assert run("analyze", WIDE, "-f", fmt.value, "-o", str(second))[0] == 0
        assert first.read_bytes() == second.read_bytes(), fmt


def test_several_files_are_one_dataset(tmp_path: Path) -> None:
    a = write_wide(tmp_path / "a.csv", [("Ann", "r1", "Self", IDENTITY)])
    b = write_tidy(tmp_path / "b.csv", [("Ann", "r2", "Manager", REVERSED)])
    code, out, _ = run("analyze", str(a), str(b), "-f", "json")
    document = json.loads(out)
    assert code == 0
    assert [i["source_format"] for i in document["inputs"]] == ["wide", "tidy"]
    assert document["subjects"][0]["blocks"][0]["comparisons"][0]["spearman"] == -1.0


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    noise = tmp_path / "noise.xlsx"
    noise.write_bytes(bytes(range(256)) * 8)
    html = tmp_path / "export.xls"
    html.write_text("<html><body><table><tr><td>Leader</td></tr></table></body></html>")
    prose = tmp_path / "notes.csv"
    prose.write_text("Dear coach, thanks for the session.\nSee you next week.\n")
    unknown_dim = write_wide(
        tmp_path / "dim.csv",
        [("Ann", "r1", "Self", IDENTITY)],
        headers=[
            *(f"Q - {label}" for label in ALIASES[:11]),
            "Q - Empathy",
        ],
    )
    unknown_group = write_wide(tmp_path / "group.csv", [("Ann", "r1", "Mentor", IDENTITY)])
    csv_as_xlsx = tmp_path / "renamed.xlsx"
    csv_as_xlsx.write_text("Leader,Relationship\nAnn,Self\n")
    return {
        "empty": (empty, "the file is empty"),
        "random bytes": (noise, "not an Excel workbook"),
        "html": (html, "HTML or XML page, not an Excel workbook"),
        "prose": (prose, "no survey columns found"),
        "unknown dimension": (unknown_dim, "unknown dimension 'Empathy'"),
        "unknown group": (unknown_group, "unknown rater group 'Mentor'"),
        "missing": (tmp_path / "missing.csv", "no such file"),
        "folder": (tmp_path, "is a folder"),
        "csv named xlsx": (
            csv_as_xlsx,
            "plain text, not an Excel workbook; if it is CSV, rename it",
        ),
    }


@pytest.mark.parametrize("command", ["analyze", "validate"])
def test_bad_input_gives_one_error_line(tmp_path: Path, command: str) -> None:
    for name, (path, message) in _bad_inputs(tmp_path).items():
        code, out, err = run(command, str(path))
        assert code == 1, name
        assert out == "", name
        assert err.count("\n") == 1 and err.startswith(f"error: {path}"), (name, err)
        assert message in err, (name, err)
        assert "Traceback" not in err


def test_debug_shows_the_exception(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["analyze", str(tmp_path / "missing.csv"), "--debug"])
    assert isinstance(result.exception, InputError)


def test_usage_errors_exit_2() -> None:
    assert run("analyze")[0] == 2
    assert run("analyze", WIDE, "--format", "docx")[0] == 2
    assert run("analyze", WIDE, "--group-map", "nonsense")[0] == 2
    assert run("analyze", WIDE, "--group-map", "Coach=mentor")[0] == 2
    assert run("validate", WIDE, "--format", "markdown")[0] == 2
    assert run("frobnicate")[0] == 2


def test_format_names_in_any_case_and_md_for_markdown() -> None:
    markdown = run("analyze", WIDE, "-f", "markdown", "-q")[1]
    assert markdown.startswith("# ")
    for name in ("md", "MD", "Markdown"):
        code, out, err = run("analyze", WIDE, "-f", name, "-q")
        assert (code, out) == (0, markdown), (name, err)
    document = run("analyze", WIDE, "-f", "json", "-q")[1]
    assert run("analyze", WIDE, "-f", "JSON", "-q")[1] == document
    assert run("validate", WIDE, "-f", "JSON", "-q")[1] == run("validate", WIDE, "-f", "json")[1]
    code, _, err = run("analyze", WIDE, "-f", "mdx")
    assert code == 2 and "'mdx' is not one of table, markdown, json" in err
    import coachkit

    assert coachkit.analyze(WIDE).render("MD") == markdown


def test_group_map_option(tmp_path: Path) -> None:
    survey = write_wide(
        tmp_path / "s.csv", [("Ann", "r1", "Self", IDENTITY), ("Ann", "r2", "Mentor", REVERSED)]
    )
    code, out, _ = run("analyze", str(survey), "--group-map", "Mentor=manager", "-f", "json")
    assert code == 0
    assert json.loads(out)["subjects"][0]["groups"][1] == {
        "group": "manager",
        "n": 1,
        "reported": True,
    }


def test_min_raters_below_three_warns(tmp_path: Path) -> None:
    code, out, err = run("analyze", WIDE, "--min-raters", "2", "-f", "json")
    assert code == 0 and err.startswith("warning: --min-raters 2 is below 3")
    assert json.loads(out)["settings"]["min_raters"] == 2
    assert run("analyze", WIDE, "--min-raters", "2", "-f", "json", "--quiet")[2] == ""


def test_validate_reports_exclusions_and_exit_code() -> None:
    code, out, _ = run("validate", WIDE)
    assert code == 1
    assert (
        "examples/acme-wide.xlsx row 5 (Dana Whitfield): rank 6 is given more than once"
        in out.replace(str(EXAMPLES) + "/", "examples/")
    )
    code, out, _ = run("validate", str(EXAMPLES / "acme-tidy.csv"), "-f", "json")
    assert code == 0
    document = json.loads(out)
    assert document["subjects"][0] == {
        "subject": "Tomas Lindqvist",
        "responses": {"self": 1, "manager": 1, "peer": 3, "direct_report": 6},
        "not_reported": {},
    }


def test_dimensions_lists_families_and_aliases() -> None:
    code, out, _ = run("dimensions")
    assert code == 0
    assert (
        "Competencies (what a leader does)" in out
        and "judgement_decision_making" in out
        and "Boss" not in out
    )
    assert "boss" in out
    document = json.loads(run("dimensions", "-f", "json")[1])
    assert len(document["dimensions"]) == 12
    assert {d["family"] for d in document["dimensions"]} == {"competency", "characteristic"}


def test_custom_template(tmp_path: Path) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text("{% for s in subjects %}{{ s.subject | md }}: {{ s.raters }}\n{% endfor %}")
    code, out, _ = run("analyze", WIDE, "-f", "markdown", "--template", str(template))
    assert code == 0
    assert out.splitlines()[0].startswith("Dana Whitfield: Self 1, Manager 1")
    template.write_text("{% for s in subjects %}")
    code, _, err = run("analyze", WIDE, "-f", "markdown", "--template", str(template))
    assert code == 1 and "template error" in err


def test_no_color_when_not_a_terminal() -> None:
    out = run("analyze", WIDE)[1]
    assert "\x1b[" not in out


def test_stdout_carries_results_only(tmp_path: Path) -> None:
    legacy = write_wide(
        tmp_path / "legacy.csv", [("Zoë", "r1", "Self", IDENTITY)], encoding="cp1252"
    )
    code, out, err = run("analyze", str(legacy), "-f", "json")
    assert code == 0
    assert "warning: " in err and "Windows-1252" in err
    assert all(line.startswith(("note: ", "warning: ")) for line in err.splitlines())
    assert json.loads(out)["subjects"][0]["subject"] == "Zoë"


@pytest.mark.skipif(os.name != "posix", reason="uses the installed console script")
def test_readme_quick_start_matches_ci() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    block = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()]
    assert len(commands) == 2
    for command in commands:
        assert command in ci


def test_readme_shows_real_output() -> None:
    """Every `$ coachkit ...` session in the README is what `scripts/readme.py` regenerates from
    the command itself (run it to update them)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("readme", ROOT / "scripts" / "readme.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = (ROOT / "README.md").read_text("utf-8")
    assert readme.count("<!-- session: ") >= 5
    assert module.regenerated(readme) == readme, "run: python scripts/readme.py"


def test_readme_python_blocks_run() -> None:
    """The README's Python examples run as written (from the repository's root)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = [block.split("```", 1)[0] for block in readme.split("```python\n")[1:]]
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})


def test_option_errors_name_the_flag_on_the_command_line() -> None:
    code, _, err = run("analyze", "examples/acme-wide.xlsx", "--notable-gap", "nan", "-q")
    assert code == 2 and "error: --notable-gap: a number of places above 0" in err
    code, _, err = run("analyze", "examples/acme-wide.xlsx", "--group-map", "Peer=nobody", "-q")
    assert code == 2 and "error: --group-map: 'nobody' is not a group" in err


def test_a_notable_gap_at_or_above_the_major_one_is_warned_of(tmp_path: Path) -> None:
    said = "--notable-gap 7 is not below --major-gap 3"
    for command in (("analyze", WIDE), ("org", WIDE)):
        code, _, err = run(*command, "--notable-gap", "7", "--major-gap", "3", "-f", "json")
        assert code == 0 and said in err, command
        code, _, err = run(*command, "--notable-gap", "2", "--major-gap", "3", "-f", "json")
        assert code == 0 and "is not below" not in err, command
    # one of them given: the other's default (half of 12 dimensions: 6) is the one compared
    err = run("analyze", WIDE, "--notable-gap", "6", "-f", "json")[2]
    assert "--notable-gap 6 is not below --major-gap 6" in err
    assert "is not below" not in run("analyze", WIDE, "--notable-gap", "5.9", "-f", "json")[2]
    err = run("batch", WIDE, "-d", str(tmp_path), "--notable-gap", "7", "--major-gap", "3")[2]
    assert said in err
    import coachkit

    with pytest.warns(coachkit.CoachkitWarning, match="notable_gap 7 is not below major_gap 3"):
        coachkit.analyze(WIDE, notable_gap=7, major_gap=3)


def test_comparing_an_assessment_with_itself_is_warned_of(tmp_path: Path) -> None:
    cohort = str(EXAMPLES / "cohort-2025.csv")
    copy = tmp_path / "copy.csv"
    copy.write_bytes((EXAMPLES / "cohort-2025.csv").read_bytes())
    for second in (cohort, str(copy)):
        code, _, err = run("compare", cohort, second, "-f", "json")
        assert code == 0 and "hold the same data: nothing can have changed" in err
        assert err.count("nothing can have changed") == 1
    code, _, err = run("compare", cohort, str(EXAMPLES / "cohort-2026.csv"), "-f", "json")
    assert code == 0 and "nothing can have changed" not in err
    assert "nothing can have changed" not in run("compare", cohort, cohort, "-q", "-f", "json")[2]
    import coachkit

    with pytest.warns(coachkit.CoachkitWarning, match="nothing can have changed"):
        coachkit.compare(cohort, copy)
