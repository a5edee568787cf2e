"""A report of ratings says so: once in every format, the scale the raters used carried on the
result, and sentences that say who rates a dimension higher rather than who ranks it 1st."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

import coachkit
from conftest import EXAMPLES, IDENTITY, run, write_wide

NOTE = "Raters gave"


def _scores_file(tmp_path: Path, low: int, high: int) -> Path:
    """Two leaders rated by self, a manager and three peers on a `low`..`high` scale, with ties:
    self and the manager see it the opposite way round."""
    span = high - low
    up = [low + round(span * (r - 1) / 11) for r in IDENTITY]  # rises with the dimension
    down = list(reversed(up))
    rows = []
    for leader in ("Ann Lee", "Bo Chen"):
        rows += [(leader, f"{leader}-s", "Self", up), (leader, f"{leader}-m", "Manager", down)]
        rows += [(leader, f"{leader}-p{n}", "Peer", down) for n in range(3)]
    return write_wide(tmp_path / "scores.csv", rows)


def test_the_scale_is_the_lowest_and_highest_rating_given() -> None:
    with (EXAMPLES / "ratings.csv").open(encoding="utf-8") as handle:
        cells = [float(v) for row in list(csv.reader(handle))[1:] for v in row[3:] if v.strip()]
    report = coachkit.analyze(EXAMPLES / "ratings.csv")
    assert report.settings.values == "scores" and report.settings.rated
    assert report.settings.scale == (min(cells), max(cells)) == (1.0, 5.0)
    ranked = coachkit.analyze(EXAMPLES / "acme-wide.xlsx").settings
    assert ranked.scale is None and not ranked.rated


@pytest.mark.parametrize(("low", "high"), [(1, 5), (0, 10)])
def test_every_format_says_once_that_raters_gave_ratings(
    tmp_path: Path, low: int, high: int
) -> None:
    path = _scores_file(tmp_path, low, high)
    said = f"Raters gave {low}\u2013{high} ratings, not rankings"
    for fmt in ("table", "markdown", "html"):
        code, out, err = run("analyze", str(path), "--values", "scores", "-f", fmt, "-q")
        assert code == 0, err
        assert out.count(NOTE) == 1 and out.count(said) == 1, fmt
        assert "ties share a rank" in out, fmt
    code, out, _ = run("analyze", str(path), "--values", "scores", "-f", "json", "-q")
    settings = json.loads(out)["settings"]
    assert settings["values"] == "scores" and settings["scale"] == [low, high]
    workbook = tmp_path / "r.xlsx"
    code, _, err = run("analyze", str(path), "--values", "scores", "-o", str(workbook), "-q")
    assert code == 0, err
    book = load_workbook(workbook)
    texts = [str(c.value) for ws in book.worksheets for r in ws.iter_rows() for c in r if c.value]
    assert sum(said in t for t in texts) == 1


def test_a_report_of_rankings_says_nothing_of_ratings(tmp_path: Path) -> None:
    for fmt in ("table", "markdown", "html"):
        out = run("analyze", str(EXAMPLES / "acme-wide.xlsx"), "-f", fmt, "-q")[1]
        assert NOTE not in out and "rates it higher" not in out, fmt
        assert "ranks it" in out or fmt == "html", fmt
    document = json.loads(run("analyze", str(EXAMPLES / "acme-wide.xlsx"), "-f", "json")[1])
    assert document["settings"]["scale"] is None


def test_sentences_about_ratings_say_who_rates_it_higher() -> None:
    document = json.loads(run("analyze", str(EXAMPLES / "ratings.csv"), "-f", "json", "-q")[1])
    focus = document["subjects"][0]["coaching_focus"]
    assert focus
    for item in focus:
        reason = item["reason"]
        assert " ranks it" not in reason and " rank it" not in reason, reason
        higher = "self" if item["direction"] == "self_higher" else "all other raters"
        assert re.match(rf"{higher} rates? it higher than ", reason), reason
        # the places in the sentence are the gap's size
        assert f"{abs(item['gap']):.1f} places higher" in reason
    markdown = run("analyze", str(EXAMPLES / "ratings.csv"), "-f", "markdown", "-q")[1]
    assert "(to grow: all other raters rate it higher" in markdown
    assert "(to rethink or hand over: self rates it higher" in markdown
    assert "Positive: the first group rates it higher" in markdown


def test_a_single_raters_tied_rank_reads_tied(tmp_path: Path) -> None:
    # self rates two dimensions 5 (the highest): they share ranks 1 and 2, 1.5 each, and two 1
    # (ranks 11 and 12: 11.5 each); one person's rank is tied, never "on average"
    scores = [5, 5, 4, 4, 4, 3, 3, 3, 2, 2, 1, 1]
    rows = [("Ann", "s", "Self", scores), ("Ann", "m", "Manager", list(reversed(scores)))]
    rows += [("Ann", f"p{n}", "Peer", list(reversed(scores))) for n in range(3)]
    path = write_wide(tmp_path / "ties.csv", rows)
    out = " ".join(run("analyze", str(path), "--values", "scores", "-q")[1].split())
    assert "self rates it higher than all other raters: tied 1.5 against" in out
    assert "rate it higher than self: 1.5 on average against tied 11.5" in out  # 4 raters, then 1
    assert "The manager's ratings put it tied 1.5" in out


def test_the_note_is_a_field_the_result_carries_not_the_renderers_guess() -> None:
    from dataclasses import replace

    from coachkit.render import Format, render

    report = coachkit.analyze(EXAMPLES / "acme-wide.xlsx")
    told = replace(report, settings=replace(report.settings, values="scores", scale=(2.0, 7.0)))
    out = render(told, Format.table)
    assert isinstance(out, str) and "Raters gave 2\u20137 ratings" in out
    assert io.StringIO(out).readline().startswith(NOTE)  # said first, before any leader


def test_the_organization_and_comparison_views_of_ratings_say_so_once(tmp_path: Path) -> None:
    path = str(_scores_file(tmp_path, 1, 5))
    later = tmp_path / "later.csv"
    later.write_text(Path(path).read_text("utf-8").replace("Ann Lee-p0", "Ann Lee-q0"), "utf-8")
    for command in (("org", path), ("compare", path, str(later))):
        for fmt in ("table", "markdown", "html"):
            code, out, err = run(*command, "--values", "scores", "-f", fmt, "-q")
            assert code == 0, err
            assert out.count("Raters gave 1\u20135 ratings, not rankings") == 1, (command, fmt)
    for command in (
        ("org", str(EXAMPLES / "cohort-2026.csv")),
        ("compare", str(EXAMPLES / "cohort-2025.csv"), str(EXAMPLES / "cohort-2026.csv")),
    ):
        assert NOTE not in run(*command, "-q")[1]
