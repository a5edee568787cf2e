"""Platform exports: the same responses written in each platform's shape read back identically."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import platform_files as pf
from coachkit.errors import InputError
from coachkit.io import Layout, ReadOptions, ValueKind, read_source
from coachkit.validate import Dataset, validate
from conftest import IDENTITY, INSTRUMENT, LABELS, REVERSED, run, write_tidy

_rng = random.Random(7)


def _perm() -> list[int | None]:
    ranks: list[int | None] = list(range(1, 13))
    _rng.shuffle(ranks)
    return ranks


PARTIAL: list[int | None] = [*IDENTITY[:11], None]
RESPONSES: list[pf.Response] = [
    ("Ann Lee", "R_a1", "Self", IDENTITY),
    ("Ann Lee", "R_a2", "Manager", REVERSED),
    *(("Ann Lee", f"R_a{n}", "Peer", _perm()) for n in range(3, 6)),
    ("Ann Lee", "R_a6", "Direct report", PARTIAL),
    ("Bo Chen", "R_b1", "Self", _perm()),
    ("Bo Chen", "R_b2", "Boss", _perm()),
    *(("Bo Chen", f"R_b{n}", "Direct Report", _perm()) for n in range(3, 6)),
]


def dataset(path: Path, **options: object) -> tuple[str, Dataset]:
    source = read_source(str(path), INSTRUMENT, ReadOptions(**options))  # type: ignore[arg-type]
    return source.source_format, validate([source], INSTRUMENT)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    path = write_tidy(
        tmp_path_factory.mktemp("ref") / "tidy.csv",
        [(s, r, g, ["" if v is None else v for v in ranks]) for s, r, g, ranks in RESPONSES],
    )
    fmt, data = dataset(path)
    assert fmt == "tidy"
    assert len(data.excluded) == 1  # the partial ranking
    return data


def same(data: Dataset, reference: Dataset) -> None:
    assert data.values is ValueKind.ranks
    pd.testing.assert_frame_equal(data.responses, reference.responses)
    assert [(e.subject, e.reason) for e in data.excluded] == [
        (e.subject, e.reason) for e in reference.excluded
    ]


CASES: dict[str, tuple[str, str, Callable[[Path], Path]]] = {
    "qualtrics numeric": ("qualtrics", "q.csv", lambda p: pf.qualtrics(p, RESPONSES)),
    "qualtrics choice text": (
        "qualtrics",
        "q.csv",
        lambda p: pf.qualtrics(p, RESPONSES, numeric=False, seed=3),
    ),
    "qualtrics multi-line question": (
        "qualtrics",
        "q.csv",
        lambda p: pf.qualtrics(p, RESPONSES, multiline=True),
    ),
    "qualtrics -99 partials": (
        "qualtrics",
        "q.csv",
        lambda p: pf.qualtrics(p, RESPONSES, unranked="-99"),
    ),
    "qualtrics legacy two rows": (
        "qualtrics",
        "q.csv",
        lambda p: pf.qualtrics(p, RESPONSES, legacy=True),
    ),
    "qualtrics tsv": ("qualtrics", "q.tsv", lambda p: pf.qualtrics(p, RESPONSES, seed=5)),
    "qualtrics xlsx": ("qualtrics", "q.xlsx", lambda p: pf.qualtrics(p, RESPONSES, seed=9)),
    "surveymonkey csv": ("surveymonkey", "sm.csv", lambda p: pf.surveymonkey(p, RESPONSES)),
    "surveymonkey xlsx": ("surveymonkey", "sm.xlsx", lambda p: pf.surveymonkey(p, RESPONSES)),
    "google forms numbers": ("google-forms", "g.csv", lambda p: pf.google_forms(p, RESPONSES)),
    "google forms ordinals": (
        "google-forms",
        "g.csv",
        lambda p: pf.google_forms(p, RESPONSES, ordinal=True),
    ),
    "google forms french": (
        "google-forms",
        "g.csv",
        lambda p: pf.google_forms(p, RESPONSES, timestamp="Horodateur"),
    ),
    "microsoft forms": ("microsoft-forms", "ms.xlsx", lambda p: pf.microsoft_forms(p, RESPONSES)),
    "microsoft forms trailing ;": (
        "microsoft-forms",
        "ms.xlsx",
        lambda p: pf.microsoft_forms(p, RESPONSES, trailing=True),
    ),
    "microsoft forms quiz": (
        "microsoft-forms",
        "ms.xlsx",
        lambda p: pf.microsoft_forms(p, RESPONSES, quiz=True),
    ),
    "limesurvey ; BOM CRLF": ("limesurvey", "ls.csv", lambda p: pf.limesurvey(p, RESPONSES)),
    "limesurvey comma": (
        "limesurvey",
        "ls.csv",
        lambda p: pf.limesurvey(p, RESPONSES, delimiter=","),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_round_trip(case: str, tmp_path: Path, reference: Dataset) -> None:
    expected_format, name, write = CASES[case]
    fmt, data = dataset(write(tmp_path / name))
    assert fmt == expected_format
    same(data, reference)
    forced_fmt, forced = dataset(tmp_path / name, layout=Layout(expected_format))
    assert forced_fmt == expected_format
    same(forced, reference)


def test_microsoft_forms_anonymous(tmp_path: Path, reference: Dataset) -> None:
    # Every Email is "anonymous": that must not make all responses look like one rater's.
    fmt, data = dataset(pf.microsoft_forms(tmp_path / "ms.xlsx", RESPONSES, anonymous=True))
    assert fmt == "microsoft-forms"
    same(data, reference)


def test_qualtrics_previews_are_excluded(tmp_path: Path, reference: Dataset) -> None:
    for numeric in (True, False):
        _, data = dataset(pf.qualtrics(tmp_path / "q.csv", RESPONSES, numeric=numeric, previews=2))
        pd.testing.assert_frame_equal(data.responses, reference.responses)
        assert [e.reason for e in data.excluded].count("a survey preview") == 2


def test_limesurvey_incomplete_and_codes(tmp_path: Path, reference: Dataset) -> None:
    _, data = dataset(pf.limesurvey(tmp_path / "ls.csv", RESPONSES, incomplete=1))
    assert data.excluded[0].reason == "incomplete response (no submit date)"
    assert len(data.responses) == len(reference.responses) - 1
    codes = {f"A{n}": label for n, label in enumerate(LABELS, start=1)}
    path = pf.limesurvey(tmp_path / "codes.csv", RESPONSES, codes=codes)
    with pytest.raises(InputError, match="unknown dimension 'A1'"):
        dataset(path)
    _, coded = dataset(path, codes=codes)
    same(coded, reference)
    table = tmp_path / "codes-table.csv"
    table.write_text("code,label\n" + "".join(f"{c},{label}\n" for c, label in codes.items()))
    code, out, err = run("analyze", str(path), "--codes", str(table), "-f", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["inputs"][0]["source_format"] == "limesurvey"
    assert [s["subject"] for s in document["subjects"]] == ["Ann Lee", "Bo Chen"]


def test_forced_platform_that_does_not_fit(tmp_path: Path) -> None:
    path = pf.google_forms(tmp_path / "g.csv", RESPONSES)
    with pytest.raises(InputError, match="not a qualtrics export: expected"):
        dataset(path, layout=Layout.qualtrics)


def test_subject_and_group_columns_by_name(tmp_path: Path, reference: Dataset) -> None:
    rows = [["Rater code", "Coachee", "Rater type 2026", *(f"Rank [{label}]" for label in LABELS)]]
    for subject, rater, group, ranks in RESPONSES:
        rows.append([rater, subject, group, *("" if r is None else str(r) for r in ranks)])
    path = tmp_path / "custom.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n")
    with pytest.raises(InputError, match="no subject column"):
        dataset(path)
    _, data = dataset(path, subject_column="Coachee", group_column="rater type 2026")
    same(data, reference)
    code, _, err = run("analyze", str(path), "--subject-column", "Nope")
    assert code == 1 and "no column headed 'Nope' for --subject-column" in err


PRIVATE = (
    "@example.org",
    "Secretname",
    "Secret Person",
    "secret comment",
    "10.0.",
    "192.168.",
    "R_a1",
    "R_b2",
    "secret R_",
)


@pytest.mark.parametrize(
    "case",
    [
        "qualtrics numeric",
        "surveymonkey csv",
        "google forms numbers",
        "microsoft forms",
        "limesurvey ; BOM CRLF",
    ],
)
def test_identifying_columns_never_reach_output(case: str, tmp_path: Path) -> None:
    _, name, write = CASES[case]
    path = write(tmp_path / name)
    for fmt in ("table", "markdown", "json", "csv"):
        for command in ("analyze", "org"):
            code, out, err = run(command, str(path), "-f", fmt, "--min-raters", "3")
            assert code == 0, err
            for secret in PRIVATE:
                assert secret not in out, (command, fmt, secret)


def test_files_from_two_platforms_merge(tmp_path: Path, reference: Dataset) -> None:
    selves = [r for r in RESPONSES if r[2] == "Self"]
    others = [r for r in RESPONSES if r[2] != "Self"]
    a = pf.google_forms(tmp_path / "self.csv", selves)
    b = pf.microsoft_forms(tmp_path / "raters.xlsx", others)
    sources = [read_source(str(p), INSTRUMENT, ReadOptions()) for p in (a, b)]
    data = validate(sources, INSTRUMENT)
    assert [s.source_format for s in sources] == ["google-forms", "microsoft-forms"]
    merged = data.responses.sort_values(["subject", "group"], kind="stable").reset_index(drop=True)
    expected = reference.responses.sort_values(["subject", "group"], kind="stable").reset_index(
        drop=True
    )
    pd.testing.assert_frame_equal(merged, expected)


def test_items_named_twice_make_a_response_unusable(tmp_path: Path) -> None:
    twice: list[pf.Response] = [("Ann Lee", "R_x", "Self", IDENTITY)]
    path = pf.limesurvey(tmp_path / "ls.csv", twice)
    text = path.read_text("utf-8-sig").replace('"Job competence"', '"Vision and strategy"', 1)
    path.write_text(text, encoding="utf-8")
    _, data = dataset(path)
    assert data.excluded[0].reason == "Vision and strategy is ranked twice"
    forms = pf.microsoft_forms(tmp_path / "ms.xlsx", twice)
    from openpyxl import load_workbook

    book = load_workbook(forms)
    sheet = book.active
    column = next(
        c for c in range(1, sheet.max_column + 1) if sheet.cell(1, c).value == pf.QUESTION
    )
    sheet.cell(2, column).value = "Execution;Execution;" + ";".join(LABELS[:5])
    book.save(forms)
    _, data = dataset(forms)
    assert data.excluded[0].reason == "Execution is listed twice"


def _csv_rows(path: Path, delimiter: str = ",") -> list[list[str]]:
    import csv

    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def _csv_write(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def _same_ranks(data: Dataset, reference: Dataset) -> None:
    """The same leaders, groups and ranks (rater ids aside: a trimmed export may have none)."""
    pd.testing.assert_frame_equal(data.responses, reference.responses)


def test_surveymonkey_without_its_metadata_columns(tmp_path: Path, reference: Dataset) -> None:
    rows = _csv_rows(pf.surveymonkey(tmp_path / "full.csv", RESPONSES))
    trimmed = _csv_write(tmp_path / "trimmed.csv", [r[9:] for r in rows])  # no ids, dates, IPs
    for layout in (Layout.auto, Layout.surveymonkey):
        fmt, data = dataset(trimmed, layout=layout)
        assert fmt == "surveymonkey"
        _same_ranks(data, reference)


@pytest.mark.parametrize("style", ["full question text", "question code & question text"])
def test_limesurvey_heading_styles(tmp_path: Path, reference: Dataset, style: str) -> None:
    rows = _csv_rows(pf.limesurvey(tmp_path / "codes.csv", RESPONSES), delimiter=";")
    texts = {
        "id": "Response ID",
        "submitdate": "Date submitted",
        "lastpage": "Last page",
        "startlanguage": "Start language",
        "seed": "Seed",
        "leader": "Leader",
        "relationship": "Relationship",
        "comment": "Anything else?",
    }
    header = []
    for code in rows[0]:
        text = texts.get(code) or f"Please rank these [Ranking {code[3:-1]}]"
        header.append(text if style == "full question text" else f"{code}. {text}")
    path = _csv_write(tmp_path / "styled.csv", [header, *rows[1:]], delimiter=";")
    for layout in (Layout.auto, Layout.limesurvey):
        fmt, data = dataset(path, layout=layout)
        assert fmt == "limesurvey"
        _same_ranks(data, reference)


def test_qualtrics_with_its_first_header_row_deleted(tmp_path: Path, reference: Dataset) -> None:
    rows = _csv_rows(pf.qualtrics(tmp_path / "full.csv", RESPONSES))
    path = _csv_write(tmp_path / "cut.csv", rows[1:])
    fmt, data = dataset(path)
    assert fmt == "qualtrics"
    _same_ranks(data, reference)


def test_forced_source_says_what_it_expected(tmp_path: Path) -> None:
    path = write_tidy(tmp_path / "t.csv", [("Ann", "r", "Self", IDENTITY)])
    for layout, expected in (
        (Layout.surveymonkey, "questions in row 1 over items or 'Response' in row 2"),
        (Layout.limesurvey, "submitdate (or 'Date submitted')"),
    ):
        with pytest.raises(InputError, match=re.escape(expected)):
            read_source(str(path), INSTRUMENT, ReadOptions(layout=layout))
