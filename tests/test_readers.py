"""Readers: tidy and wide layouts from CSV, TSV and Excel, with the header variants of real exports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from coachkit.errors import InputError
from coachkit.instruments import Instrument
from coachkit.io import Layout, ReadOptions, files, read_source
from conftest import (
    ALIASES,
    IDENTITY,
    INSTRUMENT,
    LABELS,
    REVERSED,
    run,
    write_tidy,
    write_wide,
)

ROWS = [
    ("Ann", "r1", "Self", IDENTITY),
    ("Ann", "r2", "Boss", REVERSED),
    ("Bo", "r3", "Colleague", IDENTITY),
]


def ranks(source_path: Path, instrument: Instrument, **options: object) -> np.ndarray:
    source = read_source(str(source_path), instrument, ReadOptions(**options))  # type: ignore[arg-type]
    return source.responses[list(instrument.dimension_ids)].to_numpy()


def test_wide_csv(tmp_path: Path, instrument: Instrument) -> None:
    source = read_source(str(write_wide(tmp_path / "s.csv", ROWS)), instrument, ReadOptions())
    assert source.source_format == "wide"
    assert source.rows == 3
    frame = source.responses
    assert list(frame["row"]) == [2, 3, 4]
    assert list(frame["subject"]) == ["Ann", "Ann", "Bo"]
    assert list(frame["group"]) == ["self", "manager", "peer"]
    np.testing.assert_array_equal(
        frame[list(instrument.dimension_ids)].to_numpy(), [IDENTITY, REVERSED, IDENTITY]
    )


def test_tidy_matches_wide(tmp_path: Path, instrument: Instrument) -> None:
    wide = read_source(
        str(write_wide(tmp_path / "w.csv", ROWS)), instrument, ReadOptions()
    ).responses
    tidy_source = read_source(str(write_tidy(tmp_path / "t.csv", ROWS)), instrument, ReadOptions())
    assert tidy_source.source_format == "tidy"
    assert tidy_source.rows == 36
    tidy = tidy_source.responses
    dims = list(instrument.dimension_ids)
    np.testing.assert_array_equal(tidy[dims].to_numpy(), wide[dims].to_numpy())
    assert list(tidy["row"]) == [2, 14, 26]  # the first row of each response
    assert list(tidy["group"]) == list(wide["group"])


@pytest.mark.parametrize(
    "headers",
    [
        [f"Q5 - {label}" for label in LABELS],
        [f"Rank the priorities [{label}]" for label in LABELS],
        [f"{i}. {label.upper()}" for i, label in enumerate(LABELS, 1)],
        ALIASES,
    ],
)
def test_wide_header_variants(tmp_path: Path, instrument: Instrument, headers: list[str]) -> None:
    path = write_wide(tmp_path / "s.csv", ROWS, headers=headers)
    np.testing.assert_array_equal(ranks(path, instrument)[0], IDENTITY)


@pytest.mark.parametrize(
    ("delimiter", "suffix"), [(";", ".csv"), ("\t", ".tsv"), ("\t", ".txt"), (",", ".txt")]
)
def test_delimiters(tmp_path: Path, instrument: Instrument, delimiter: str, suffix: str) -> None:
    path = write_wide(tmp_path / f"s{suffix}", ROWS, delimiter=delimiter)
    np.testing.assert_array_equal(ranks(path, instrument)[1], REVERSED)


def test_bom_and_cp1252(tmp_path: Path, instrument: Instrument) -> None:
    bom = write_wide(tmp_path / "bom.csv", [("Zoë", "r1", "Self", IDENTITY)], encoding="utf-8-sig")
    assert read_source(str(bom), instrument, ReadOptions()).responses["subject"][0] == "Zoë"
    legacy = write_wide(
        tmp_path / "legacy.csv", [("Zoë", "r1", "Self", IDENTITY)], encoding="cp1252"
    )
    source = read_source(str(legacy), instrument, ReadOptions())
    assert source.responses["subject"][0] == "Zoë"
    assert any("Windows-1252" in w for w in source.warnings)


def test_quoted_newlines_keep_row_numbers(tmp_path: Path, instrument: Instrument) -> None:
    path = tmp_path / "s.csv"
    header = ",".join(["Leader", "Rater", "Relationship", "Comment", *LABELS])
    body = [
        f'Ann,r1,Self,"two\nlines",{",".join(map(str, IDENTITY))}',
        f'Ann,r2,Manager,"",{",".join(map(str, REVERSED))}',
    ]
    path.write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    source = read_source(str(path), instrument, ReadOptions())
    assert list(source.responses["row"]) == [2, 3]
    assert "two" not in source.responses.to_string()


def _workbook(path: Path, sheets: dict[str, Sequence[Sequence[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_excel_first_sheet_with_survey_columns(tmp_path: Path, instrument: Instrument) -> None:
    rows: list[Sequence[object]] = [
        ["Leader", "Relationship", *LABELS],
        ["Ann", "Self", *IDENTITY],
        ["Ann", "Manager", *REVERSED],
    ]
    path = _workbook(tmp_path / "s.xlsx", {"Cover": [["Exported 2026"]], "Data": rows})
    np.testing.assert_array_equal(ranks(path, instrument), [IDENTITY, REVERSED])
    assert read_source(str(path), instrument, ReadOptions()).responses["row"].tolist() == [2, 3]


def test_excel_sheet_option_and_errors(tmp_path: Path, instrument: Instrument) -> None:
    path = _workbook(tmp_path / "s.xlsx", {"Cover": [["nothing"]], "Other": [["a", "b"], [1, 2]]})
    with pytest.raises(
        InputError, match=r"no sheet holds survey columns.*'Cover', 'Other'.*--sheet"
    ):
        read_source(str(path), instrument, ReadOptions())
    with pytest.raises(InputError, match="no sheet named 'Nope'; the sheets are 'Cover', 'Other'"):
        read_source(str(path), instrument, ReadOptions(sheet="Nope"))


def test_subject_option_for_single_leader_files(tmp_path: Path, instrument: Instrument) -> None:
    path = tmp_path / "one.csv"
    path.write_text(
        "Relationship," + ",".join(LABELS) + "\nSelf," + ",".join(map(str, IDENTITY)) + "\n"
    )
    with pytest.raises(InputError, match=r"no subject column.*--subject"):
        read_source(str(path), instrument, ReadOptions())
    source = read_source(str(path), instrument, ReadOptions(subject="Ann Lee"))
    assert source.responses["subject"].tolist() == ["Ann Lee"]


def test_unknown_dimension_names_the_label_and_suggests(
    tmp_path: Path, instrument: Instrument
) -> None:
    headers = [f"Rank the priorities [{label}]" for label in LABELS]
    headers[5] = "Rank the priorities [Exekution]"
    with pytest.raises(
        InputError, match=r"column I.*unknown dimension 'Exekution' \(closest: 'Execution'\)"
    ):
        read_source(
            str(write_wide(tmp_path / "s.csv", ROWS, headers=headers)), instrument, ReadOptions()
        )
    tidy = write_tidy(tmp_path / "t.csv", ROWS)
    tidy.write_text(tidy.read_text().replace("Building teams", "Buildng teams", 1))
    with pytest.raises(
        InputError, match=r"row 13: unknown dimension 'Buildng teams' \(closest: 'Building teams'\)"
    ):
        read_source(str(tidy), instrument, ReadOptions())


def test_missing_dimension_column(tmp_path: Path, instrument: Instrument) -> None:
    rows = [(s, r, g, v[:11]) for s, r, g, v in ROWS]
    with pytest.raises(InputError, match=r"no column for Building teams.*11 of 12"):
        read_source(
            str(write_wide(tmp_path / "s.csv", rows, headers=LABELS[:11])),
            instrument,
            ReadOptions(),
        )


def test_unknown_group_and_group_map(tmp_path: Path, instrument: Instrument) -> None:
    path = write_wide(tmp_path / "s.csv", [*ROWS, ("Ann", "r9", "Mentor", IDENTITY)])
    with pytest.raises(
        InputError, match=r"row 5: unknown rater group 'Mentor'.*--group-map \"Mentor=GROUP\""
    ):
        read_source(str(path), instrument, ReadOptions())
    source = read_source(str(path), instrument, ReadOptions(group_map={"mentor": "other"}))
    assert source.responses["group"].tolist()[-1] == "other"


def test_layout_forced_and_undetectable(tmp_path: Path, instrument: Instrument) -> None:
    prose = tmp_path / "notes.txt"
    prose.write_text("Dear coach,\nhere are my thoughts on the leadership offsite.\n")
    with pytest.raises(InputError, match="no survey columns found"):
        read_source(str(prose), instrument, ReadOptions())
    wide = write_wide(tmp_path / "s.csv", ROWS)
    with pytest.raises(InputError, match="tidy file needs a dimension column"):
        read_source(str(wide), instrument, ReadOptions(layout=Layout.tidy))


def test_values_hints(tmp_path: Path, instrument: Instrument) -> None:
    tidy_scores = write_tidy(tmp_path / "t.csv", ROWS, value_header="Rating")
    assert read_source(str(tidy_scores), instrument, ReadOptions()).values_hint == "scores"
    rank_headers = [f"Rank the priorities [{label}]" for label in LABELS]
    wide = write_wide(tmp_path / "w.csv", ROWS, headers=rank_headers)
    assert read_source(str(wide), instrument, ReadOptions()).values_hint == "ranks"
    assert (
        read_source(
            str(write_wide(tmp_path / "p.csv", ROWS)), instrument, ReadOptions()
        ).values_hint
        is None
    )


def test_cells_read_as_ranks(tmp_path: Path, instrument: Instrument) -> None:
    values: list[object] = ["1st", "2nd", "3", "N/A", "-99", "", "x", *IDENTITY[7:]]
    source = read_source(
        str(write_wide(tmp_path / "s.csv", [("Ann", "r1", "Self", values)])),
        instrument,
        ReadOptions(),
    )
    row = source.responses[list(instrument.dimension_ids)].to_numpy()[0]
    np.testing.assert_array_equal(row[:3], [1, 2, 3])
    assert np.isnan(row[3:7]).all()
    assert (
        source.responses["note"][0]
        == "text (1 character) in Leadership image is not a rank or score"
    )


def test_blank_lines_and_ragged_rows(tmp_path: Path, instrument: Instrument) -> None:
    path = tmp_path / "s.csv"
    header = ",".join(["Leader", "Rater", "Relationship", *LABELS])
    path.write_text(
        "\n\n"
        + header
        + "\nAnn,r1,Self,"
        + ",".join(map(str, IDENTITY))
        + ",\n\nAnn,r2,Boss,"
        + ",".join(map(str, REVERSED))
        + "\n"
    )
    source = read_source(str(path), instrument, ReadOptions())
    assert source.responses["row"].tolist() == [4, 6]  # spreadsheet rows, blank lines counted
    np.testing.assert_array_equal(ranks(path, instrument), [IDENTITY, REVERSED])


def test_legacy_xls_and_xlsm(tmp_path: Path, instrument: Instrument) -> None:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Survey")
    cells: list[Sequence[object]] = [
        ["Leader", "Relationship", *LABELS],
        ["Ann", "Self", *IDENTITY],
        ["Ann", "Boss", *REVERSED],
    ]
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "old.xls"))
    np.testing.assert_array_equal(ranks(tmp_path / "old.xls", instrument), [IDENTITY, REVERSED])
    macro = _workbook(tmp_path / "macro.xlsm", {"Data": cells[:2]})
    np.testing.assert_array_equal(ranks(macro, instrument), [IDENTITY])


def _long_file(tmp_path: Path, odd: list[object], encoding: str = "utf-8") -> Path:
    """A wide file longer than the head read as text, with `odd` cells placed past the head."""
    rows: list[tuple[str, str, str, Sequence[object]]] = [
        (f"L{i // 12}", f"r{i}", "Peer", IDENTITY if i % 2 else REVERSED) for i in range(600)
    ]
    for n, cell in enumerate(odd):
        values: list[object] = list(IDENTITY)
        values[n % 12] = cell
        rows[files.HEAD_ROWS + 10 * n] = ("Ümit", f"odd{n}", " Self ", values)
    return write_wide(tmp_path / "long.csv", rows, encoding=encoding)


@pytest.mark.parametrize(
    ("odd", "encoding"),
    [
        ([], "utf-8"),  # every rank cell a number: parsed as floats
        (["", "-99", "inf", " 3 "], "utf-8"),  # blanks, Qualtrics' -99, infinity, spaces
        (["N/A", "2nd", "x", "", "3.5"], "utf-8"),  # text in a rank column: parsed as text
        (["", "7"], "cp1252"),  # decoded in memory rather than parsed from the file
    ],
)
def test_numbers_parsed_as_numbers_read_like_text(
    tmp_path: Path,
    instrument: Instrument,
    monkeypatch: pytest.MonkeyPatch,
    odd: list[object],
    encoding: str,
) -> None:
    path = str(_long_file(tmp_path, odd, encoding))
    typed = read_source(path, instrument, ReadOptions()).responses
    as_text = files._TextRows.rows
    monkeypatch.setattr(
        files._TextRows, "rows", lambda self, start, numeric: as_text(self, start, ())
    )
    text = read_source(path, instrument, ReadOptions()).responses
    pd.testing.assert_frame_equal(typed, text)
    assert len(typed) == 600 and typed["row"].iloc[-1] == 601
    spots = typed[typed["rater"].str.startswith("odd")]
    assert len(spots) == len(odd) and set(spots["subject"]) <= {"Ümit"}
    assert set(spots["group"]) <= {"self"}


def test_a_ragged_row_past_the_head(tmp_path: Path, instrument: Instrument) -> None:
    path = _long_file(tmp_path, [])
    lines = path.read_text().splitlines()
    lines[files.HEAD_ROWS + 50] += ",extra"
    path.write_text("\n".join(lines) + "\n")
    source = read_source(str(path), instrument, ReadOptions())
    assert len(source.responses) == 600
    assert (source.responses["note"] == "").all()


@pytest.mark.parametrize(
    "template",
    [
        "{} (rating 1-5)",
        "Q3. {}",
        "{}: priority for this role (1-5)",
        "Rank the priorities - {} (most important = 1)",
        "Please rank {} here",
    ],
)
def test_a_label_inside_other_words_is_found(tmp_path: Path, template: str) -> None:
    rows = [("Ann", "a", "Self", IDENTITY), ("Ann", "b", "Manager", REVERSED)]
    path = write_wide(tmp_path / "w.csv", rows, headers=[template.format(x) for x in LABELS])
    code, out, err = run("analyze", str(path), "-f", "json")
    assert code == 0, err
    means = json.loads(out)["subjects"][0]["blocks"][0]["mean_rank"]
    assert [means["manager"][d] for d in INSTRUMENT.dimension_ids] == REVERSED


def test_headers_naming_two_or_no_dimension_are_named(tmp_path: Path) -> None:
    rows = [("Ann", "a", "Self", IDENTITY)]
    headers = [f"Rank these [{x}]" for x in LABELS]
    headers[0] = "Rank these [Vision and strategy, then Execution]"
    code, _, err = run("analyze", str(write_wide(tmp_path / "two.csv", rows, headers=headers)))
    assert code == 1 and "names both 'Vision and strategy' and 'Execution'" in err
    headers = [*LABELS[:5], "Excecution", *LABELS[6:]]
    code, _, err = run("analyze", str(write_wide(tmp_path / "typo.csv", rows, headers=headers)))
    assert code == 1 and "no column for Execution" in err
    assert "column I ('Excecution') is close to 'Execution'" in err


def test_ratings_are_told_by_their_values_whatever_the_headers_say(tmp_path: Path) -> None:
    scores = [[1 + (i * 7 + r) % 5 for i in range(12)] for r in range(4)]
    rows = [
        ("Ann", f"r{n}", g, s)
        for n, (g, s) in enumerate(zip(["Self", *["Peer"] * 3], scores, strict=True))
    ]
    headers = [f"Priority of {x} (1-5)" for x in LABELS]
    code, out, err = run(
        "analyze", str(write_wide(tmp_path / "s.csv", rows, headers=headers)), "-f", "json"
    )
    assert code == 0, err
    assert json.loads(out)["settings"]["values"] == "scores"
    code, _, err = run("analyze", str(tmp_path / "s.csv"), "--values", "ranks")
    assert code == 1 and "these look like ratings: add --values scores" in err


def test_title_rows_and_blank_lines_above_the_header(tmp_path: Path) -> None:
    rows = [("Ann", "a", "Self", IDENTITY), ("Ann", "b", "Manager", REVERSED)]
    plain = write_wide(tmp_path / "plain.csv", rows).read_text("utf-8")
    titled = tmp_path / "titled.csv"
    titled.write_text("Acme 360 export, autumn cycle\n\n" + plain, "utf-8")
    book = Workbook()
    sheet = book.active
    sheet.append(["Leadership 360: responses as of 1 November"])
    sheet.append([])
    for line in plain.splitlines():
        sheet.append([int(c) if c.isdigit() else c for c in line.split(",")])
    book.save(tmp_path / "titled.xlsx")
    for path in (titled, tmp_path / "titled.xlsx"):
        code, out, err = run("analyze", str(path), "-f", "json")
        assert code == 0, err
        document = json.loads(out)
        means = document["subjects"][0]["blocks"][0]["mean_rank"]["manager"]
        assert [means[d] for d in INSTRUMENT.dimension_ids] == REVERSED
        assert [e["row"] for e in document["excluded"]] == []
    code, out, _ = run("validate", str(titled), "-f", "json")
    assert code == 0


def test_a_runaway_quote_names_the_row_it_opened_on(tmp_path: Path) -> None:
    good = ["Ann", "r", "Peer", *map(str, IDENTITY)]
    lines = [",".join(["Leader", "Rater", "Relationship", *LABELS])]
    lines += [",".join(good)] * 2 + ['Ann,"r9 unclosed,Peer,1,2'] + [",".join(good)] * 60
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    code, _, err = run("analyze", str(path))
    assert code == 1 and "row 4: a quote opened here runs to the end of the file" in err
    # closed at last, 60 lines on: still a runaway
    path.write_text("\n".join([*lines, 'x",r,Peer']) + "\n", "utf-8")
    code, _, err = run("analyze", str(path))
    assert code == 1 and "row 4: a quote opened here runs over 61 lines" in err


@pytest.mark.parametrize("command", ["analyze", "validate", "inspect"])
def test_a_stray_quote_near_the_end_is_an_error_not_a_leak(tmp_path: Path, command: str) -> None:
    rows = [("Ann", "ann@example.com", "Self", IDENTITY)]
    rows += [("Ann", f"peer{n}@example.com", "Peer", REVERSED) for n in range(4)]
    path = write_wide(tmp_path / "stray.csv", rows)
    lines = path.read_text("utf-8").splitlines()
    lines[-3] = '"' + lines[-3]  # a quote opens the leader cell three rows from the end
    path.write_text("\n".join(lines) + "\n", "utf-8")
    code, out, err = run(command, str(path))
    assert code == 1 and "a quote opened here runs to the end of the file" in err
    assert f"row {len(lines) - 2}" in err
    assert "@example.com" not in out + err


def test_a_leader_cell_that_is_not_a_name_is_described_never_printed(tmp_path: Path) -> None:
    secret = ["boss@example.com", "Ann\nr9,Peer,1,2,3", "x" * 300]
    rows = [
        (name, f"r{i}{g}", group, IDENTITY)
        for i, name in enumerate(secret)
        for g, group in enumerate(["Self", "Manager"])
    ]
    path = write_wide(tmp_path / "leaders.csv", rows)
    for fmt in ("table", "json", "csv", "markdown", "html"):
        code, out, err = run("analyze", str(path), "-f", fmt)
        assert code == 0, err
        for text in [*secret, "r9,Peer", "x" * 201]:
            assert text not in out and text not in err
        assert "leader 1 (an e-mail address)" in out.replace("&#39;", "'")
    assert "a leader cell holds an e-mail address" in err
    assert "a leader cell holds text over 2 lines" in err
    assert "a leader cell holds text of 300 characters" in err


def _ods(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    """A minimal OpenDocument spreadsheet, written from the format's description."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value: object) -> str:
        if isinstance(value, int):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Responses">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


def test_opendocument_spreadsheets_are_read(tmp_path: Path) -> None:
    rows: list[Sequence[object]] = [["Leader", "Rater", "Relationship", *LABELS]]
    rows += [["Ann", "a", "Self", *IDENTITY], ["Ann", "b", "Manager", *REVERSED]]
    code, out, err = run("analyze", str(_ods(tmp_path / "survey.ods", rows)), "-f", "json")
    assert code == 0, err
    means = json.loads(out)["subjects"][0]["blocks"][0]["mean_rank"]["manager"]
    assert [means[d] for d in INSTRUMENT.dimension_ids] == REVERSED


def test_a_workbook_on_standard_input_is_refused_clearly() -> None:
    from typer.testing import CliRunner

    from coachkit.cli import app

    data = (Path(__file__).parent.parent / "examples" / "acme-wide.xlsx").read_bytes()
    result = CliRunner().invoke(app, ["analyze", "-"], input=data)
    assert result.exit_code == 1
    assert "pass the workbook's file name instead of -" in result.stderr


def test_semicolon_csv_with_decimal_commas(tmp_path: Path) -> None:
    """A German Excel CSV: `;` between cells, `2,5` for two and a half."""
    from scipy.stats import rankdata

    ratings = [
        [4.5, 3.0, 2.5, 5.0, 1.0, 3.5, 2.0, 4.0, 1.5, 4.5, 3.0, 2.5],
        [1.0, 2.0, 3.5, 4.0, 5.0, 4.5, 3.0, 2.5, 2.0, 1.5, 1.0, 3.0],
        [3.0, 3.0, 3.0, 4.5, 2.5, 2.0, 1.0, 5.0, 4.0, 3.5, 2.0, 1.5],
    ]
    lines = [";".join(["Zeitstempel", "Führungskraft", "Beziehung", *LABELS])]
    for n, row in enumerate(ratings):
        cells = [f"{v:g}".replace(".", ",") for v in row]
        lines.append(";".join([f"01.11.2026 10:0{n}", "Jürgen Müller", "Peer", *cells]))
    path = tmp_path / "umfrage.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    code, out, err = run(
        "analyze", str(path), "-f", "json", "--subject-column", "Führungskraft", "--min-raters", "3"
    )
    assert code == 0, err
    document = json.loads(out)
    assert document["settings"]["values"] == "scores"
    means = document["subjects"][0]["blocks"][0]["mean_rank"]["peer"]
    expected = np.mean([rankdata([-v for v in row]) for row in ratings], axis=0)
    assert [means[d] for d in INSTRUMENT.dimension_ids] == pytest.approx(expected, abs=1e-4)


def test_a_rater_id_is_never_taken_from_a_questions_words(tmp_path: Path) -> None:
    photo = (
        "Please upload a photo of yourself that we may use in emails, on social media and on "
        "our website"
    )
    lines = [",".join(["Respondent ID", "Leader", "Relationship", f'"{photo}"', *LABELS])]
    groups = ["Self", "Manager", "Peer", "Peer", "Peer", "Direct report", "Direct report"]
    for n, group in enumerate(groups):
        ranks = IDENTITY if n % 2 else REVERSED
        lines.append(",".join([f"9{n:03d}", "Ann", group, "headshot.jpg", *map(str, ranks)]))
    path = tmp_path / "monkey.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    code, out, err = run("analyze", str(path), "-f", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["excluded"] == []  # no respondent "superseded" by another's upload
    assert document["inputs"][0]["responses_used"] == len(groups)
    code, out, _ = run("inspect", str(path))
    assert code == 0 and "rater id:    column A ('Respondent ID')" in out


def test_an_empty_file_name_is_named_as_such() -> None:
    import coachkit

    with pytest.raises(coachkit.CoachkitError, match="an empty file name was given"):
        coachkit.read("")  # not "the current folder is a folder"
