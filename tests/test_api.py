"""The public Python API: the same results as the command line, from paths or DataFrames."""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import coachkit
from coachkit.pipeline import Analysis, Options, Reading, ReadingOptions
from conftest import EXAMPLES, IDENTITY, LABELS, REVERSED, run, write_wide
from test_journey import FUTURE, NOW


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("acme-wide.xlsx", {}),
        ("acme-tidy.csv", {"min_raters": 2}),
        ("by-family.csv", {"notable_gap": 2.0}),
        ("it-archetypes.csv", {"instrument": "it-archetypes"}),
    ],
)
def test_to_dict_is_the_command_lines_json(name: str, options: Options) -> None:
    args = [f"--{k.replace('_', '-')}={v}" for k, v in options.items()]
    code, out, err = run("analyze", str(EXAMPLES / name), "-f", "json", "-q", *args)
    assert code == 0, err
    report = coachkit.analyze(EXAMPLES / name, **options)
    assert report.to_dict() == json.loads(out)
    code, out, _ = run("analyze", str(EXAMPLES / name), "-f", "csv", "-q", *args)
    frame = report.to_frame()
    assert frame.to_csv(index=False, lineterminator="\n") == out


def test_a_wide_dataframe_reads_like_its_file(tmp_path: Path) -> None:
    rows = [("Ann", "a", "Self", IDENTITY), ("Ann", "b", "Manager", REVERSED)]
    path = write_wide(tmp_path / "w.csv", rows)
    from_file = coachkit.analyze(path).to_dict()
    from_frame = coachkit.analyze(pd.read_csv(path)).to_dict()
    assert from_frame["subjects"] == from_file["subjects"]
    assert from_frame["inputs"][0]["path"] == "<DataFrame 1>"


def test_org_and_compare_from_paths() -> None:
    _, out, _ = run("org", str(EXAMPLES / "cohort-2026.csv"), "-f", "json", "-q")
    assert coachkit.org(EXAMPLES / "cohort-2026.csv").to_dict() == json.loads(out)
    _, out, _ = run(
        "compare",
        str(EXAMPLES / "cohort-2025.csv"),
        str(EXAMPLES / "cohort-2026.csv"),
        "-f",
        "json",
    )
    change = coachkit.compare(EXAMPLES / "cohort-2025.csv", EXAMPLES / "cohort-2026.csv")
    assert change.to_dict() == json.loads(out)


_ROSTER = str(EXAMPLES / "cohort-roster.csv")
_KINDS: dict[str, tuple[list[str], Callable[[], Any]]] = {
    "report": (
        ["analyze", "cohort-2026.csv", "--leaders", _ROSTER],
        lambda: coachkit.analyze(EXAMPLES / "cohort-2026.csv", leaders=_ROSTER),
    ),
    "org": (
        ["org", "cohort-2026.csv", "--leaders", _ROSTER, "--by", "level"],
        lambda: coachkit.org(EXAMPLES / "cohort-2026.csv", leaders=_ROSTER, by="level"),
    ),
    "compare": (
        ["compare", "cohort-2025.csv", str(EXAMPLES / "cohort-2026.csv")],
        lambda: coachkit.compare(EXAMPLES / "cohort-2025.csv", EXAMPLES / "cohort-2026.csv"),
    ),
    "journey": (
        ["analyze", "it-journey.csv"],
        lambda: coachkit.analyze(
            EXAMPLES / "it-journey.csv", instrument="it-archetypes", now=NOW, future=FUTURE
        ),
    ),
    "journeys": (
        ["compare", "it-journey.csv", str(EXAMPLES / "it-journey.csv")],
        lambda: coachkit.compare(
            EXAMPLES / "it-journey.csv",
            EXAMPLES / "it-journey.csv",
            instrument="it-archetypes",
            now=NOW,
            future=FUTURE,
        ),
    ),
}


@pytest.mark.parametrize("kind", _KINDS)
def test_every_results_plain_forms_are_what_the_command_line_writes(kind: str) -> None:
    """`to_dict()` and `to_frame()` are built from the result's fields, not parsed back from a
    renderer's text; they hold what `-f json` and `-f csv` write, numbers as numbers."""
    (command, first, *rest), build = _KINDS[kind]
    code, out, err = run(command, str(EXAMPLES / first), *rest, "-f", "json", "-q")
    assert code == 0, err
    _, text, _ = run(command, str(EXAMPLES / first), *rest, "-f", "csv", "-q")
    with warnings.catch_warnings():  # a leader the roster lacks; the same file twice
        warnings.simplefilter("ignore", coachkit.CoachkitWarning)
        result = build()
    assert result.to_dict() == json.loads(out)
    frame = result.to_frame()
    written = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    assert list(frame.columns) == list(written.columns)
    assert len(frame) == len(written) > 0
    for column in written.columns:
        if pd.api.types.is_numeric_dtype(written[column]):
            assert pd.api.types.is_numeric_dtype(frame[column]), column
            np.testing.assert_allclose(frame[column], written[column], atol=1e-4)
        else:
            shown = written[column].fillna("").astype(str)
            assert frame[column].fillna("").astype(str).tolist() == shown.tolist(), column


def test_the_plain_forms_load_no_renderer() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, coachkit\n"
        f"r = coachkit.analyze({str(EXAMPLES / 'acme-wide.xlsx')!r})\n"
        "r.to_dict(); r.to_frame()\n"
        "print(sorted(m for m in sys.modules if m.startswith('coachkit.render')))"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert shown.stdout.strip() == "[]", shown.stderr


def test_errors_and_warnings_of_the_library(tmp_path: Path) -> None:
    with pytest.raises(coachkit.CoachkitError, match="no survey columns"):
        coachkit.analyze(pd.DataFrame({"notes": ["nothing to see"]}))
    with pytest.raises(coachkit.CoachkitError, match="unknown option 'min_rater'"):
        coachkit.analyze(EXAMPLES / "acme-wide.xlsx", min_rater=3)  # type: ignore[call-overload]
    # the library names a keyword, the command line the flag (test_cli checks that side)
    with pytest.raises(coachkit.CoachkitError, match=r"^notable_gap: a number of places above 0"):
        coachkit.analyze(EXAMPLES / "acme-wide.xlsx", notable_gap=float("nan"))
    with pytest.raises(coachkit.CoachkitError, match=r"^min_raters: at least 1"):
        coachkit.analyze(EXAMPLES / "acme-wide.xlsx", min_raters=0)
    rows = [("Ann Lee", "a", "Self", IDENTITY), ("ann lee", "b", "Manager", REVERSED)]
    with pytest.warns(coachkit.CoachkitWarning, match="taken as one"):
        report = coachkit.analyze(write_wide(tmp_path / "w.csv", rows))
    assert [s.subject for s in report.subjects] == ["Ann Lee"]
    with pytest.raises(coachkit.CoachkitError, match="format 'docx' is not one of"):
        report.render("docx")


def test_the_api_is_listed_and_a_dataset_refuses_reading_options() -> None:
    assert {"read", "analyze", "org", "compare", "Report", "CoachkitError"} <= set(dir(coachkit))
    data = coachkit.read(EXAMPLES / "acme-wide.xlsx")
    assert coachkit.analyze(data, min_raters=4).settings.min_raters == 4
    with pytest.raises(coachkit.CoachkitError, match="instrument: a reading option"):
        coachkit.analyze(data, instrument="it-archetypes")  # would have been dropped unseen
    with pytest.raises(coachkit.CoachkitError, match="allow_partial: a reading option"):
        coachkit.org(data, allow_partial=True)


def test_to_frame_holds_numbers_as_numbers() -> None:
    frame = coachkit.analyze(EXAMPLES / "acme-wide.xlsx").to_frame()
    for column in ("n", "mean_rank", "consensus_rank", "mean_rank_ci_low", "mean_rank_ci_high"):
        assert pd.api.types.is_numeric_dtype(frame[column]), column
    single = frame[frame["n"] < 3]  # self and the manager: one rater, no interval
    assert len(single) and single["mean_rank_ci_low"].isna().all()
    assert frame.loc[frame["n"] >= 3, "mean_rank_ci_low"].notna().all()
    assert (frame["mean_rank_ci_low"] <= frame["mean_rank"]).where(frame["n"] >= 3, True).all()


def test_the_api_lists_its_keywords_with_the_command_lines_defaults() -> None:
    """`inspect.signature`, `help()` and type checkers see every option as a keyword; the
    typed keywords and their defaults are the settings dataclasses' own."""
    import dataclasses
    import inspect

    journey = ("now", "future")  # keywords of analyze and compare alone
    reading = [f.name for f in dataclasses.fields(Reading) if f.name not in journey]
    analysis = [f.name for f in dataclasses.fields(Analysis)]
    assert list(ReadingOptions.__annotations__) == reading
    assert list(Options.__annotations__) == reading + analysis
    for function, names in (
        (coachkit.read, reading),
        (coachkit.analyze, ["now", "future", *reading, *analysis]),
        (coachkit.org, ["by", *reading, *analysis]),
        (coachkit.compare, ["now", "future", *reading, *analysis]),
    ):
        keywords = {
            p.name: p.default
            for p in inspect.signature(function).parameters.values()
            if p.kind is p.KEYWORD_ONLY
        }
        assert list(keywords) == names, function.__name__
        assert keywords["merge_names"] is True and keywords["group_map"] == {}
        if "min_raters" in keywords:
            assert (keywords["min_raters"], keywords["intervals"]) == (3, True)


def test_the_library_names_options_as_a_call_writes_them(tmp_path: Path) -> None:
    """An error or warning the readers word for the command line names keywords when it
    reaches a notebook (`subject_column`, `keep_identical=True`); the command line keeps its
    flags."""
    import warnings

    survey = tmp_path / "no-leader.csv"
    survey.write_text(
        "Rater,Relationship,"
        + ",".join(LABELS)
        + "\nr1,Self,"
        + ",".join(map(str, IDENTITY))
        + "\n",
        "utf-8",
    )
    with pytest.raises(coachkit.CoachkitError) as caught:
        coachkit.analyze(survey)
    assert "subject_column" in str(caught.value) and "--" not in str(caught.value)
    code, _, err = run("analyze", str(survey))
    assert code == 1 and "--subject-column" in err
    twice = tmp_path / "twice.csv"
    row = "Ann,,Peer," + ",".join(map(str, IDENTITY))
    twice.write_text(
        "Leader,Rater,Relationship," + ",".join(LABELS) + "\n" + f"{row}\n{row}\n", "utf-8"
    )
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        coachkit.read(twice)
    said = " ".join(str(w.message) for w in seen)
    assert "keep_identical=True" in said and "--keep-identical" not in said
