"""Renderers: golden files for the examples, the JSON contract, anonymity and escaping in every format."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from coachkit.render import Format
from conftest import EXAMPLES, IDENTITY, LABELS, REVERSED, ROOT, run, write_wide

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE_FILES = ["acme-wide.xlsx", "acme-tidy.csv", "by-family.csv", "ratings.csv"]


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", [Format.table, Format.markdown])
@pytest.mark.parametrize("example", EXAMPLE_FILES)
def test_golden(example: str, fmt: Format) -> None:
    code, out, err = run("analyze", f"examples/{example}", "--format", fmt.value)
    assert code == 0, err
    golden = GOLDEN / f"{Path(example).stem}.{'md' if fmt is Format.markdown else 'txt'}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out, "utf-8")
    assert out == golden.read_text("utf-8")


# Every example's JSON and CSV, by digest: a change that moves a single byte of them shows here
# (the Markdown and terminal goldens above show what changed in words).
DIGESTED = [
    ("analyze", "examples/acme-wide.xlsx"),
    ("analyze", "examples/acme-tidy.csv"),
    ("analyze", "examples/by-family.csv"),
    ("analyze", "examples/ratings.csv"),
    ("analyze", "examples/cohort-2025.csv"),
    ("analyze", "examples/exports/qualtrics-360.csv"),
    ("analyze", "examples/exports/limesurvey-positions.csv"),
    ("org", "examples/cohort-2026.csv"),
    ("compare", "examples/cohort-2025.csv", "examples/cohort-2026.csv"),
]


def test_every_examples_json_and_csv_stay_byte_for_byte() -> None:
    import hashlib
    import json

    digests = {}
    for command in DIGESTED:
        for fmt in ("json", "csv"):
            code, out, err = run(*command, "--format", fmt)
            assert code == 0, err
            digests[f"{' '.join(command)} --format {fmt}"] = hashlib.sha256(
                out.encode("utf-8")
            ).hexdigest()
    golden = GOLDEN / "digests.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(json.dumps(digests, indent=2) + "\n", "utf-8")
    assert digests == json.loads(golden.read_text("utf-8"))


def test_every_format_has_a_renderer_and_a_suffix() -> None:
    from coachkit.render import SUFFIXES

    assert set(SUFFIXES.values()) == set(Format)


def test_json_contract() -> None:
    document = json.loads(run("analyze", "examples/acme-wide.xlsx", "-f", "json")[1])
    assert set(document) >= {
        "schema_version",
        "coachkit_version",
        "instrument",
        "settings",
        "inputs",
        "excluded",
        "subjects",
    }
    assert set(document["settings"]) >= {"min_raters", "notable_gap", "major_gap", "scheme"}
    assert document["settings"]["notable_gap"] == 3 and document["settings"]["major_gap"] == 6
    assert set(document["inputs"][0]) == {
        "path",
        "source_format",
        "rows",
        "responses_used",
        "responses_excluded",
    }
    assert set(document["excluded"][0]) == {"path", "row", "subject", "reason"}
    subject = document["subjects"][0]
    assert set(subject) >= {"subject", "groups", "blocks", "coaching_focus", "strengths"}
    block = subject["blocks"][0]
    assert set(block) == {
        "block",
        "dimensions",
        "mean_rank",
        "consensus_rank",
        "comparisons",
        "concordance",
        "tilt",
        "mean_rank_ci",
        "self_among",
    }
    assert set(block["comparisons"][0]) == {"a", "b", "spearman", "gaps", "notable"}
    assert set(block["comparisons"][0]["notable"][0]) == {
        "dimension",
        "gap",
        "level",
        "p_value",
        "p_adjusted",
    }
    # no interval on Kendall's W (schema 3): a percentile interval of a biased statistic
    assert set(block["concordance"]["peer"]) == {"kendall_w", "chi2", "p_value", "m"}
    assert set(block["tilt"]["self"]) == {"value", "p_value", "m"}  # one rater: no interval
    assert set(block["tilt"]["peer"]) == {"value", "p_value", "m", "ci"}
    assert set(block["mean_rank_ci"]) == {"peer", "direct_report", "other", "all_others"}
    lo, hi = block["mean_rank_ci"]["peer"]["execution"]
    assert 1 <= lo <= block["mean_rank"]["peer"]["execution"] <= hi <= 12
    assert set(block["self_among"]["peer"]["execution"]) == {"higher", "same", "lower"}
    assert set(subject["coaching_focus"][0]) == {
        "dimension",
        "direction",
        "gap",
        "level",
        "group",
        "self_rank",
        "group_rank",
        "p_value",
        "beyond_chance",
        "manager",
        "reason",
    }
    assert {f["direction"] for f in subject["coaching_focus"]} == {"others_higher", "self_higher"}
    assert set(subject["coaching_focus"][0]["manager"]) == {"group", "rank", "gap"}
    assert subject["evidence"] == {"group": "all_others", "n": 11, "critical_share": 0.6364}
    assert set(subject["tilt_contrast"]) >= {"a", "b", "difference", "p_value", "text"}
    assert [(c["a"], c["b"]) for c in subject["tilt_contrasts"]] == [
        ("self", "manager"),
        ("self", "all_others"),
    ]
    assert subject["tilt_contrasts"][0] == subject["tilt_contrast"]
    assert all(set(s) == {"dimension", "p_value"} for s in subject["strengths"])
    assert document["schema_version"] == 3 and subject["notable_by_chance"] > 0
    floats = [v for c in block["comparisons"] for v in c["gaps"].values()]
    assert all(round(v, 4) == v for v in floats)
    family = json.loads(run("analyze", "examples/by-family.csv", "-f", "json")[1])
    assert [b["block"] for b in family["subjects"][0]["blocks"]] == ["competency", "characteristic"]
    assert all("tilt" not in b for b in family["subjects"][0]["blocks"])


def test_csv_is_tidy() -> None:
    rows = list(
        csv.DictReader(io.StringIO(run("analyze", "examples/acme-tidy.csv", "-f", "csv")[1]))
    )
    tomas = [r for r in rows if r["subject"] == "Tomas Lindqvist"]
    groups = {r["group"] for r in tomas}
    assert groups == {"self", "manager", "peer", "direct_report", "all_others"}
    assert len(tomas) == 12 * len(groups)
    document = json.loads(run("analyze", "examples/acme-tidy.csv", "-f", "json")[1])
    means = document["subjects"][0]["blocks"][0]["mean_rank"]
    for row in tomas:
        assert float(row["mean_rank"]) == means[row["group"]][row["dimension"]]


def _all_outputs(*paths: str) -> dict[str, str]:
    return {fmt.value: run("analyze", *paths, "-f", fmt.value)[1] for fmt in Format} | {
        "validate": run("validate", *paths)[1],
        "validate-json": run("validate", *paths, "-f", "json")[1],
    }


def test_no_output_carries_rater_identity_or_comments() -> None:
    book = load_workbook(EXAMPLES / "acme-wide.xlsx", read_only=True)
    rows = list(book["Responses"].iter_rows(min_row=2, values_only=True))
    book.close()
    secrets = {str(r[0]) for r in rows} | {str(r[1]) for r in rows} | {str(r[-1]) for r in rows}
    tidy_ids = {
        line.split(",")[1] for line in (EXAMPLES / "acme-tidy.csv").read_text().splitlines()[1:]
    }
    outputs = _all_outputs("examples/acme-wide.xlsx") | {
        f"tidy-{k}": v for k, v in _all_outputs("examples/acme-tidy.csv").items()
    }
    for name, text in outputs.items():
        for secret in secrets | tidy_ids:
            assert secret not in text, (name, secret)
        assert "@acme.example" not in text


def test_suppressed_peers_have_no_numbers_in_any_format(tmp_path: Path) -> None:
    # Two peers rank in a pattern no reported group shares; their mean ranks must not surface.
    peer = [7, 8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6]
    rows = [
        ("Ann", "s", "Self", IDENTITY),
        ("Ann", "m", "Manager", REVERSED),
        ("Ann", "p1", "Peer", peer),
        ("Ann", "p2", "Peer", peer),
        *(("Ann", f"d{i}", "Direct report", IDENTITY) for i in range(3)),
    ]
    survey = write_wide(tmp_path / "s.csv", rows)
    document = json.loads(run("analyze", str(survey), "-f", "json")[1])
    subject = document["subjects"][0]
    assert {g["group"]: g["reported"] for g in subject["groups"]}["peer"] is False
    # all_others (n=6) would give away the two peers by subtraction, so it is withheld too.
    assert {g["group"]: g["reported"] for g in subject["groups"]}["all_others"] is False
    block = subject["blocks"][0]
    text = json.dumps(block)
    assert "peer" not in text and "all_others" not in text
    for name, out in _all_outputs(str(survey)).items():
        assert "Peers (2)" not in out, name
        assert "peer,2," not in out, name
        assert "Self vs Peers" not in out, name


def test_data_cannot_inject_markup_or_control_codes(tmp_path: Path) -> None:
    names = [
        "<script>alert(1)</script>",
        '=HYPERLINK("http://x")',
        "Bad|Pipe",
        "\x1b[31mRed\x1b[0m",
        "Line\nBreak",  # described, never printed: a line break in a leader cell
    ]
    rows = [(n, "r", "Self", IDENTITY) for n in names]
    survey = write_wide(
        tmp_path / "s.csv", [(n, f"r{i}", g, v) for i, (n, _, g, v) in enumerate(rows)]
    )
    table = run("analyze", str(survey))[1]
    assert "\x1b" not in table
    markdown = run("analyze", str(survey), "-f", "markdown")[1]
    assert "<script>" not in markdown and "&lt;script>" in markdown
    assert "Bad\\|Pipe" in markdown
    assert "Line" not in markdown and "leader 5 (text over 2 lines)" in markdown
    cells = [row[0] for row in csv.reader(io.StringIO(run("analyze", str(survey), "-f", "csv")[1]))]
    assert '\'=HYPERLINK("http://x")' in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)
    document = json.loads(run("analyze", str(survey), "-f", "json")[1])
    assert document["subjects"][0]["subject"] == names[0]


def test_large_reports_put_one_subject_per_line(tmp_path: Path) -> None:
    rows = [
        (f"Leader {n:03d}", f"r{n}", group, IDENTITY if n % 2 else REVERSED)
        for n in range(120)
        for group in ("Self", "Boss")
    ]
    survey = write_wide(tmp_path / "big.csv", [(s, f"{r}-{g}", g, v) for s, r, g, v in rows])
    out = run("analyze", str(survey), "-f", "json")[1]
    document = json.loads(out)
    assert len(document["subjects"]) == 120
    lines = out.splitlines()
    assert sum(line.startswith('    {"blocks":') for line in lines) == 120
    from coachkit.document import clean
    from coachkit.render.json import PRETTY_ITEMS

    assert len(document["subjects"]) > PRETTY_ITEMS
    assert clean(document) == document  # already rounded: nothing changes
    small = json.loads(run("analyze", "examples/acme-tidy.csv", "-f", "json")[1])
    assert small == clean(small)


@pytest.mark.parametrize("width", [60, 80, 100, 160])
def test_the_terminal_table_fits_and_shows_every_group(width: int, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from coachkit.cli import app

    long = [f"{label} " + "with a long explanation of what it means " * 2 for label in LABELS]
    rows = [("Ann", "a", "Self", IDENTITY), ("Ann", "b", "Manager", REVERSED)]
    rows += [("Ann", f"p{n}", "Peer", IDENTITY) for n in range(3)]
    rows += [("Ann", f"d{n}", "Direct report", REVERSED) for n in range(3)]
    instrument = tmp_path / "long.toml"
    text = (ROOT / "src" / "coachkit" / "instruments" / "leadership-12.toml").read_text("utf-8")
    for label, longer in zip(LABELS, long, strict=True):
        text = text.replace(f'label = "{label}"', f'label = "{longer[:100]}"', 1)
    instrument.write_text(text, "utf-8")
    path = write_wide(tmp_path / "s.csv", rows, headers=[x[:100] for x in long])
    result = CliRunner().invoke(
        app,
        ["analyze", str(path), "--instrument", str(instrument), "-q"],
        env={"COLUMNS": str(width), "NO_COLOR": "1"},
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert max(map(len, lines)) <= width
    for group in ("Self (1)", "Manager (1)", "Peers (3)", "Direct reports (3)", "All others (7)"):
        words = group.split()
        assert all(any(w in line for line in lines) for w in words), (width, group)
    numbers = [line for line in lines if line.strip().endswith(("12", "1"))]
    assert numbers  # the ranks themselves are printed, not only the labels


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(-1e18, 1e18, allow_nan=False).map(lambda x: round(x, 4) + 0.0)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=30,
)


@given(_JSON_VALUES)
def test_json_text_is_the_standard_librarys_byte_for_byte(value: object) -> None:
    import numpy as np

    from coachkit.render.json import _encode

    assert _encode(value, indent=True) == json.dumps(
        value, indent=2, sort_keys=True, ensure_ascii=False
    )
    assert _encode(value, indent=False) == json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    if isinstance(value, float):  # numpy's floats too, as a report's arrays give them
        assert _encode(np.float64(value), indent=False) == json.dumps(value)


def test_the_tilt_scale_is_the_largest_tilt_an_instrument_allows() -> None:
    import dataclasses
    import statistics

    from coachkit.analysis.report import instrument_info
    from coachkit.instruments import load_instrument
    from coachkit.render.view import tilt_scale

    info = instrument_info(load_instrument(None))
    first, second = (
        next(f for f, label in info.families.items() if label == t) for t in info.tilt or ()
    )
    for drop in (0, 1, 2):  # drop dimensions of the second family: 6 against 6, 5, 4
        kept = [d for d in info.dimensions if d.family == first]
        kept += [d for d in info.dimensions if d.family == second][drop:]
        smaller = dataclasses.replace(info, dimensions=tuple(kept))
        head = [d for d in kept if d.family == first]
        ranks = range(1, len(kept) + 1)  # the first family on top, the second at the bottom
        largest = statistics.mean(ranks[len(head) :]) - statistics.mean(ranks[: len(head)])
        assert tilt_scale(smaller) == largest
    assert tilt_scale(info) == 6.0


def test_a_report_lists_a_few_exclusions_and_counts_the_rest(tmp_path: Path) -> None:
    rows = [("Ann", "s", "Self", IDENTITY), ("Ann", "m", "Manager", REVERSED)]
    rows += [("Ann", f"t{n}", "Peer", [1] * 12) for n in range(60)]  # 60 test responses
    path = write_wide(tmp_path / "tests.csv", rows)
    for fmt in ("table", "markdown", "html"):
        code, out, err = run("analyze", str(path), "-f", fmt, "-q", "--values", "ranks")
        assert code == 0, err
        assert "and 35 more excluded responses" in out, fmt
        assert out.count("row 62") + out.count("<td>62</td>") + out.count("| 62 |") == 0, fmt
    document = json.loads(run("analyze", str(path), "-f", "json", "-q", "--values", "ranks")[1])
    assert len(document["excluded"]) == 60  # every one, for scripts


@given(st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([-0.0, 4e-5, 5e-5, 6e-5]))
def test_document_numbers_round_to_4_decimals_and_p_values_never_read_0(x: float) -> None:
    from coachkit.document import p4, r4

    for _ in range(2):  # computed, then looked up
        assert r4(x) == round(x, 4) and str(r4(x)) != "-0.0"
        p = abs(x)
        expected = 0.0 if p == 0 else max(round(p, 4), 0.0001)
        assert p4(p) == expected and (p4(p) > 0) == (p > 0)
