"""Reading exports as platforms write them: the ranking question among others over the same items,
files from one group's link, key columns found by their wording or values, and `inspect`.

Every report is checked number by number against mean ranks computed here straight from the
file's cells with the csv module (no coachkit code in between)."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import pytest

from conftest import EXAMPLES, INSTRUMENT, LABELS, ROOT, run, write_rows

EXPORTS = EXAMPLES / "exports"
DIMS = INSTRUMENT.dimension_ids
GROUPS = {
    "self": "self",
    "manager": "manager",
    "peer": "peer",
    "peers": "peer",
    "direct report": "direct_report",
}

Means = dict[tuple[str, str], list[float]]  # (leader, group id) -> mean rank per dimension


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _means(rows: list[tuple[str, str, list[float]]]) -> Means:
    """Mean ranks of every (leader, group) that a report shows: self and manager always, other
    groups from three raters on."""
    sums: dict[tuple[str, str], list[list[float]]] = defaultdict(list)
    for leader, group, ranks in rows:
        sums[(leader, group)].append(ranks)
    return {
        key: [sum(c) / len(c) for c in zip(*v, strict=True)]
        for key, v in sums.items()
        if key[1] in ("self", "manager") or len(v) >= 3
    }


def _report_means(document: dict[str, object], groups: set[str]) -> Means:
    found: Means = {}
    for subject in document["subjects"]:  # type: ignore[attr-defined]
        block = subject["blocks"][0]
        for group, means in block["mean_rank"].items():
            if group in groups:
                found[(subject["subject"], group)] = [means[d] for d in DIMS]
    return found


def _same(report: Means, expected: Means) -> None:
    assert expected and report.keys() == expected.keys()
    for key, means in expected.items():
        assert report[key] == pytest.approx([round(m, 4) for m in means], abs=1e-4), key


def _analyze(*args: str) -> dict[str, object]:
    code, out, err = run("analyze", *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def _read(path: Path, delimiter: str = ",") -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def test_qualtrics_rank_question_beside_a_matrix_over_the_same_items() -> None:
    rows = _read(EXPORTS / "qualtrics-360.csv")
    ids = rows[0]
    rank_cols = [ids.index(f"Q5_{n}") for n in range(1, 13)]
    kept: dict[tuple[str, str], tuple[str, list[float]]] = {}  # (leader, e-mail): the latest
    for row in rows[3:]:
        if row[ids.index("Status")] == "Survey Preview":
            continue
        leader, label = row[ids.index("Q1")], row[ids.index("Q2")]
        email = row[ids.index("Q3")]
        kept[(leader, email)] = (GROUPS[label.lower()], [float(row[c]) for c in rank_cols])
    expected = _means([(leader, g, r) for (leader, _), (g, r) in kept.items()])
    document = _analyze("examples/exports/qualtrics-360.csv")
    _same(_report_means(document, {"self", "manager", "peer", "direct_report"}), expected)
    reasons = [e["reason"] for e in document["excluded"]]  # type: ignore[attr-defined]
    assert reasons[0] == "a survey preview" and reasons[1].startswith("superseded")


def test_one_file_per_group_link_with_group_per_file() -> None:
    expected_rows = []
    args = []
    for name, group in (
        ("self", "self"),
        ("manager", "manager"),
        ("peers", "peer"),
        ("direct-reports", "direct_report"),
    ):
        path = EXPORTS / f"surveymonkey-{name}.csv"
        rows = _read(path)
        first = rows[0].index(next(h for h in rows[0] if h.startswith("Please rank")))
        for row in rows[2:]:
            expected_rows.append(
                (row[first - 1], group, [float(c) for c in row[first : first + 12]])
            )
        args += [str(path.relative_to(ROOT)), "--group", f"{path.name}={group}"]
    files, groups = args[0::3], [a for a in args if "=" in a]
    options = [w for g in groups for w in ("--group", g)]
    document = _analyze(*files, *options)
    _same(
        _report_means(document, {"self", "manager", "peer", "direct_report"}), _means(expected_rows)
    )


def test_a_file_without_group_column_names_group_first(tmp_path: Path) -> None:
    path = shutil.copy(EXPORTS / "surveymonkey-peers.csv", tmp_path / "peers.csv")
    code, _, err = run("analyze", str(path))
    assert code == 1
    line = err.strip().splitlines()[-1]
    assert line.startswith("error:") and "--group GROUP" in line and len(line) < 200
    code, _, err = run("analyze", str(path), "--group", "peer", "--min-raters", "3")
    assert code == 0, err
    code, _, err = run("analyze", str(path), "--group", "nobody.csv=peer")
    assert code == 2 and "not one of the files" in err
    code, _, err = run("analyze", str(path), "--group", "boss-ish")
    assert code == 2 and "not a group" in err


def test_two_ranking_questions_stop_with_a_short_list_then_question_chooses() -> None:
    path = "examples/exports/google-forms-two-rankings.csv"
    code, _, err = run("analyze", path)
    line = err.strip().splitlines()[-1]
    assert code == 1 and "2 questions fit" in line and "--question" in line
    assert len(line) < 300 and "today" in line and "two years" in line
    rows = _read(ROOT / path)
    header = rows[0]
    # the export lists the items in the instrument's order
    later = [
        i for i, h in enumerate(header) if h.startswith("Rank these for the organization in two")
    ]
    expected = _means(
        [(r[2], GROUPS[r[3].lower()], [float(r[c]) for c in later]) for r in rows[1:]]
    )
    document = _analyze(path, "--question", "two years")
    _same(_report_means(document, {"self", "manager", "peer", "direct_report"}), expected)
    code, _, err = run("analyze", path, "--question", "next decade")
    assert code == 1 and "no question matches --question" in err


def test_positions_of_limesurvey_and_an_unsubmitted_response() -> None:
    rows = _read(EXPORTS / "limesurvey-positions.csv", delimiter=";")
    header = rows[0]
    at = [header.index(f"prio[{n}]") for n in range(1, 13)]
    expected_rows = []
    for row in rows[1:]:
        if not row[1]:
            continue
        ranks = [0.0] * 12
        for position, col in enumerate(at, start=1):
            ranks[DIMS.index(INSTRUMENT.match_dimension(row[col]) or "")] = position
        expected_rows.append((row[6], GROUPS[row[7].lower()], ranks))
    document = _analyze("examples/exports/limesurvey-positions.csv")
    _same(
        _report_means(document, {"self", "manager", "peer", "direct_report"}), _means(expected_rows)
    )
    assert [e["reason"] for e in document["excluded"]] == ["incomplete response (no submit date)"]  # type: ignore[attr-defined]


RANKS = [
    list(range(1, 13)),
    list(range(12, 0, -1)),
    [2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11],
    [12, 1, 11, 2, 10, 3, 9, 4, 8, 5, 7, 6],
    [6, 7, 5, 8, 4, 9, 3, 10, 2, 11, 1, 12],
]


def test_group_column_by_values_and_rater_id_under_a_question(tmp_path: Path) -> None:
    """The group column's header says nothing; the e-mail is asked as "Your Email"."""
    header = ["Submitted", "Name of the person you are rating", "Q2", "Your Email", *LABELS]
    rows: list[Sequence[object]] = [header]
    people = [("Self", "lee@x.org"), ("Manager", "boss@x.org")]
    people += [("Peer", f"p{n}@x.org") for n in range(3)]
    for (label, email), ranks in zip(people, RANKS, strict=True):
        rows.append(["2026-11-01", "Lee Park", label, email, *ranks])
    rows.append(["2026-11-02", "Lee Park", "Peer", "p0@x.org", *RANKS[0]])  # p0 again, later
    path = write_rows(tmp_path / "survey.csv", rows)
    document = _analyze(str(path))
    peers = [RANKS[3], RANKS[4], RANKS[0]]  # p0's later answer replaces the earlier one
    expected = _means([("Lee Park", "peer", [float(v) for v in r]) for r in peers])
    _same(_report_means(document, {"peer"}), expected)
    code, out, _ = run("inspect", str(path), "--format", "json")
    view = json.loads(out)["files"][0]
    columns = {c["role"]: (c["column"], c["how"]) for c in view["columns"]}
    assert columns["rater group"] == ("column C ('Q2')", "values")
    assert columns["rater id"] == ("column D ('Your Email')", "header wording")
    assert columns["leader"][0] == "column B ('Name of the person you are rating')"
    assert code == 0 and view["command"] == f"coachkit analyze {path}"


def test_rater_id_by_its_values_and_identical_rankings_warned(tmp_path: Path) -> None:
    header = ["Leader", "Relationship", "Contact", *LABELS]
    rows: list[Sequence[object]] = [header]
    for n in range(3):
        rows.append(["Lee Park", "Peer", f"p{n}@x.org", *RANKS[n]])
    rows.append(["Lee Park", "Peer", "p1@x.org", *RANKS[3]])  # p1 again
    document = _analyze(str(write_rows(tmp_path / "a.csv", rows)))
    expected = _means(
        [("Lee Park", "peer", [float(v) for v in r]) for r in (RANKS[0], RANKS[2], RANKS[3])]
    )
    _same(_report_means(document, {"peer"}), expected)

    header = ["Leader", "Relationship", *LABELS]
    rows = [header, *(["Lee Park", "Peer", *RANKS[n]] for n in (0, 1, 1))]
    code, _, err = run("analyze", str(write_rows(tmp_path / "b.csv", rows)), "-f", "json")
    assert code == 0
    assert "row 3 and" in err and "row 4: identical complete rankings" in err


def test_embedded_data_named_like_an_item_is_read_past(tmp_path: Path) -> None:
    """A Qualtrics embedded-data field `Execution` beside the ranking question."""
    ids = ["ResponseId", "StartDate", "Status", "Leader", "Relationship"]
    ids += [f"Q5_{n}" for n in range(1, 13)] + ["Execution"]
    texts = ["Response ID", "Start Date", "Response Type", "Leader", "Relationship"]
    texts += [f"Rank these - {label}" for label in LABELS] + ["Execution"]
    imports = [json.dumps({"ImportId": i}) for i in ids]
    rows: list[Sequence[object]] = [ids, texts, imports]
    for n, ranks in enumerate(RANKS[:3]):
        rows.append([f"R_{n}", "2026-11-01", "IP Address", "Lee Park", "Peer", *ranks, "Q4 plan"])
    document = _analyze(str(write_rows(tmp_path / "q.csv", rows)))
    expected = _means([("Lee Park", "peer", [float(v) for v in r]) for r in RANKS[:3]])
    _same(_report_means(document, {"peer"}), expected)


def test_by_family_ranked_in_two_questions(tmp_path: Path) -> None:
    competencies, characteristics = LABELS[:6], LABELS[6:]
    header = ["Leader", "Relationship", "Rater"]
    header += [f"Rank what a leader does [{label}]" for label in competencies]
    header += [f"Rank who a leader is [{label}]" for label in characteristics]
    halves = [[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], [2, 1, 4, 3, 6, 5]]
    rows: list[Sequence[object]] = [header]
    for n, (a, b) in enumerate(zip(halves, halves[::-1], strict=True)):
        rows.append(["Lee Park", "Peer", f"r{n}", *a, *b])
    document = _analyze(str(write_rows(tmp_path / "f.csv", rows)))
    assert document["settings"]["scheme"] == "by-family"  # type: ignore[index]
    blocks = document["subjects"][0]["blocks"]  # type: ignore[index]
    means = {**blocks[0]["mean_rank"]["peer"], **blocks[1]["mean_rank"]["peer"]}
    by_hand = [sum(r[i] for r in halves) / 3 for i in range(6)]
    assert [means[d] for d in DIMS[:6]] == pytest.approx(by_hand, abs=1e-4)


def test_inspect_drafts_an_instrument_that_analyzes(tmp_path: Path) -> None:
    path = "examples/exports/team-priorities.csv"
    code, out, _ = run("inspect", path)
    assert code == 1 and "--draft-instrument > my.toml" in out
    code, toml, err = run("inspect", path, "--draft-instrument")
    assert code == 0, err
    instrument = tmp_path / "team.toml"
    instrument.write_text(toml, "utf-8")
    document = _analyze(path, "--instrument", str(instrument), "--subject", "Roadmap")
    rows = _read(ROOT / path)
    items = [h.split("[")[1].rstrip("]") for h in rows[0][2:]]
    expected: Means = _means(
        [("Roadmap", r[1].lower(), [float(v) for v in r[2:]]) for r in rows[1:]]
    )
    dims = [d["id"] for d in document["instrument"]["dimensions"]]  # type: ignore[index]
    labels = [d["label"] for d in document["instrument"]["dimensions"]]  # type: ignore[index]
    assert labels == items
    block = document["subjects"][0]["blocks"][0]  # type: ignore[index]
    for (_, group), means in expected.items():
        assert [block["mean_rank"][group][d] for d in dims] == pytest.approx(means, abs=1e-4)


def test_inspect_names_the_question_and_the_command() -> None:
    code, out, _ = run("inspect", "examples/exports/qualtrics-360.csv", "--format", "json")
    view = json.loads(out)["files"][0]
    chosen = [q for q in view["questions"] if q["chosen"]]
    assert code == 0 and [q["key"] for q in chosen] == ["Q5"]
    assert {q["key"]: q["values"] for q in view["questions"]} == {"Q5": "ranks", "Q7": "text"}
    assert view["header_rows"] == [1, 2, 3] and view["data_from"] == 4
    assert view["platform"] == "qualtrics"
    assert view["command"] == "coachkit analyze examples/exports/qualtrics-360.csv"


LEADERSHIP_WORDS = ("manager", "competenc", "characteristic", "leadership priorities", "360")


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "csv", "json", "xlsx"])
@pytest.mark.parametrize("command", ["analyze", "org"])
def test_other_instruments_never_speak_of_managers(fmt: str, command: str, tmp_path: Path) -> None:
    """Reports on an instrument other than leadership-12 use its own labels and roles."""
    out = tmp_path / f"report.{fmt if fmt not in ('table', 'markdown') else 'txt'}"
    args = [command, "examples/it-archetypes.csv", "--instrument", "it-archetypes", "-q"]
    code, text, err = run(*args, "-f", fmt, *(["-o", str(out)] if fmt == "xlsx" else []))
    assert code == 0, err
    if fmt == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(out)
        text = "\n".join(  # the words: text cells (numbers may hold any digits)
            cell
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if isinstance(cell, str)
        )
    if fmt == "json":  # keys are the schema; the words are in the values
        text = "\n".join(_strings(json.loads(text)))
    lowered = re.sub(r"[\d.]*\d[\d.]*", " ", text.lower())  # numbers may hold any digits
    assert [w for w in LEADERSHIP_WORDS if w in lowered] == []


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_one_group_instrument_sets_no_group_against_itself(tmp_path: Path) -> None:
    """A drafted instrument with one `respondent` group: no focus, no strengths, no pairs."""
    rows: list[Sequence[object]] = [
        ["Rank these [Alpha]", "Rank these [Beta]", "Rank these [Gamma]"]
    ]
    rows += [[1, 2, 3], [2, 1, 3], [1, 3, 2], [3, 2, 1]]
    path = write_rows(tmp_path / "one.csv", rows)
    code, toml, err = run("inspect", str(path), "--draft-instrument")
    assert code == 0, err
    assert 'id = "respondent"' in toml
    instrument = tmp_path / "one.toml"
    instrument.write_text(toml, "utf-8")
    document = _analyze(str(path), "--instrument", str(instrument), "--subject", "Board")
    subject = document["subjects"][0]  # type: ignore[index]
    assert subject["coaching_focus"] == [] and subject["strengths"] == []
    assert subject["blocks"][0]["comparisons"] == []
    means = subject["blocks"][0]["mean_rank"]["respondent"]
    assert [means[d] for d in ("alpha", "beta", "gamma")] == [7 / 4, 2.0, 9 / 4]


ORDINALS = {
    "words": [
        "First",
        "Second",
        "Third",
        "Fourth",
        "Fifth",
        "Sixth",
        "Seventh",
        "Eighth",
        "Ninth",
        "Tenth",
        "Eleventh",
        "Twelfth",
    ],
    "choices": [
        f"{n}{'st' if n == 1 else 'nd' if n == 2 else 'rd' if n == 3 else 'th'} choice"
        for n in range(1, 13)
    ],
    "german": [
        "Erste Wahl",
        "Zweite Wahl",
        "Dritte Wahl",
        "Vierte Wahl",
        "Fünfte Wahl",
        "Sechste Wahl",
        "Siebte Wahl",
        "Achte Wahl",
        "Neunte Wahl",
        "Zehnte Wahl",
        "Elfte Wahl",
        "Zwölfte Wahl",
    ],
    "rank": [f"Rank {n}" for n in range(1, 13)],
}


@pytest.mark.parametrize("style", list(ORDINALS))
def test_positions_named_by_words(tmp_path: Path, style: str) -> None:
    """A grid whose rows are the positions: `Question [First]` holds the item placed first."""
    header = ["Timestamp", "Leader", "Relationship"]
    header += [f"Put these in order [{p}]" for p in ORDINALS[style]]
    rows: list[Sequence[object]] = [header]
    for ranks in RANKS[:3]:
        order = sorted(range(12), key=lambda i: ranks[i])
        rows.append(["2026-11-01 10:00", "Lee Park", "Peer", *(LABELS[i] for i in order)])
    document = _analyze(str(write_rows(tmp_path / "g.csv", rows)))
    expected = _means([("Lee Park", "peer", [float(v) for v in r]) for r in RANKS[:3]])
    _same(_report_means(document, {"peer"}), expected)


def test_two_position_questions_are_two_questions(tmp_path: Path) -> None:
    header = ["Leader", "Relationship"]
    header += [f"Today [{p}]" for p in ORDINALS["words"]]
    header += [f"In two years [{p}]" for p in ORDINALS["words"]]
    rows: list[Sequence[object]] = [header]
    for ranks in RANKS[:3]:
        order = [LABELS[i] for i in sorted(range(12), key=lambda i: ranks[i])]
        rows.append(["Lee Park", "Peer", *order, *order[::-1]])
    path = str(write_rows(tmp_path / "two.csv", rows))
    code, _, err = run("analyze", path)
    assert code == 1 and "2 questions fit: 'Today' (3 responses); 'In two years'" in err
    document = _analyze(path, "--question", "in two years")
    expected = _means([("Lee Park", "peer", [13.0 - v for v in r]) for r in RANKS[:3]])
    _same(_report_means(document, {"peer"}), expected)
