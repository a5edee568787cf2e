"""batch, org and compare: hand-computed cohorts, properties, and file safety of batch output."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coachkit import wording
from coachkit.analysis.compare import compare_reports
from coachkit.analysis.org import analyze_org
from coachkit.batch import slug
from coachkit.render import Format
from conftest import EXAMPLES, FORMATS, IDENTITY, REVERSED, ROOT, dataset_for, run, write_wide
from test_analysis import report_for


def org_for(rows: list[tuple[str, str, list[int]]]):  # type: ignore[no-untyped-def]
    from coachkit.analysis import analyze

    dataset = dataset_for(rows)
    return analyze_org(dataset), analyze(dataset)


COHORT = [
    ("A", "self", IDENTITY),
    ("A", "manager", REVERSED),
    *(("A", "peer", IDENTITY) for _ in range(3)),
    ("B", "self", IDENTITY),
    ("B", "manager", IDENTITY),
]


def test_org_by_hand() -> None:
    org, _ = org_for(COHORT)
    groups = {g.group: g for g in org.groups}
    # B's "all others" is its manager alone, not reported in B's report: it stays out of the pool
    assert (groups["self"].n, groups["manager"].n, groups["peer"].n, groups["all_others"].n) == (
        2,
        2,
        3,
        4,
    )
    assert not groups["direct_report"].reported
    assert list(groups["manager"].mean_rank.values()) == pytest.approx([6.5] * 12)
    assert list(groups["manager"].consensus_rank.values()) == pytest.approx([6.5] * 12)
    assert groups["self"].tilt is not None and groups["self"].tilt.value == pytest.approx(6)
    assert groups["self"].tilt.p_value == pytest.approx(2 / 924**2)  # both raters at the extreme
    assert groups["manager"].tilt is not None and groups["manager"].tilt.value == pytest.approx(0)
    agreement = {(a.a, a.b): a.spearman for a in org.agreement}
    assert agreement[("self", "manager")] is None  # the managers' mean ranks are all 6.5
    assert agreement[("self", "peer")] == pytest.approx(1.0)
    rho = org.self_manager_spearman
    assert (rho.median, rho.q1, rho.q3, rho.share_below_critical, rho.n_subjects) == pytest.approx(
        (0, -0.5, 0.5, 0.5, 2)
    )
    assert org.technical_leader_pattern == ("A",)
    # A's focus sets self against its four other raters pooled: Building teams, (1 + 3 x 12) / 4
    # = 9.25 against self's 12, a gap of 2.75, short of notable; B has self and manager alone,
    # one person's view, never beyond chance. So no leader has a finding to count.
    assert org.coaching_focus_frequency == {}


def test_org_counts_each_leaders_findings() -> None:
    rows = [("A", "self", IDENTITY), *(("A", "direct_report", REVERSED) for _ in range(4))]
    rows += [("B", "self", IDENTITY), *(("B", "peer", REVERSED) for _ in range(3))]
    org, _ = org_for(rows)
    # A: four raters put self's last item first, 11 places above self: beyond chance. B: all
    # others needs 4 raters, so the evidence is the largest reported group, the three peers;
    # with 3 raters a finding needs 9.67 places (the simulation's 95th percentile), and 11
    # reaches it.
    assert org.coaching_focus_frequency == {"building_teams": 2}


@given(st.lists(st.permutations(IDENTITY), min_size=4, max_size=8))
def test_org_of_one_subject_pools_like_its_analysis(rankings: list[list[int]]) -> None:
    rows = [
        ("A", "self", rankings[0]),
        ("A", "manager", rankings[1]),
        *(("A", "peer", r) for r in rankings[2:]),
    ]
    org, report = org_for(rows)
    (block,) = report.subjects[0].blocks
    for group in org.groups:
        if group.reported:
            assert group.mean_rank == pytest.approx(block.mean_rank[group.group])
            if block.tilt:  # the same figures (the leader's report adds an interval)
                own, pooled = block.tilt[group.group], group.tilt
                assert pooled is not None and (pooled.value, pooled.p_value, pooled.m) == (
                    pytest.approx(own.value),
                    pytest.approx(own.p_value),
                    own.m,
                )
            if group.group in block.concordance:
                own_w, pooled_w = block.concordance[group.group], group.concordance["overall"]
                assert own_w == pooled_w


def test_compare_by_hand() -> None:
    before = report_for(
        [("Ann Lee", "self", IDENTITY), ("Ann Lee", "manager", REVERSED), ("Bo", "self", IDENTITY)]
    )
    after = report_for(
        [
            ("ann  LEE", "self", REVERSED),
            ("ann  LEE", "manager", REVERSED),
            ("Cy", "self", IDENTITY),
        ]
    )
    result = compare_reports(before, after)
    (change,) = result.subjects
    assert change.subject == "ann  LEE"
    assert change.self_manager_spearman == pytest.approx((-1.0, 1.0))
    assert change.tilt["self"] == pytest.approx((6.0, -6.0))
    assert len(change.closed) == 10 and not change.opened  # |13 - 2d| >= 3 for 10 of 12 dimensions
    assert {(c.before, c.after) for c in change.closed} >= {(11.0, 0.0), (-11.0, 0.0)}
    assert (result.unmatched_before, result.unmatched_after) == (("Bo",), ("Cy",))
    assert wording.change_summary(result.instrument, change).startswith(
        "Self-manager agreement rose from -1.00 to +1.00; 10 gaps closed, 0 opened"
    )


def test_compare_with_itself_shows_no_change() -> None:
    code, out, _ = run(
        "compare",
        str(EXAMPLES / "cohort-2026.csv"),
        str(EXAMPLES / "cohort-2026.csv"),
        "-f",
        "json",
    )
    document = json.loads(out)
    assert code == 0
    assert document["unmatched"] == {"before": [], "after": []}
    for subject in document["subjects"]:
        assert subject["closed"] == [] and subject["opened"] == []
        assert all(v in (0, None) for k, v in subject["delta"].items() if k != "tilt")
        assert set(subject["delta"]["tilt"].values()) <= {0}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", ["org", "compare"])
def test_org_and_compare_every_format(command: str, fmt: Format) -> None:
    files = [str(EXAMPLES / "cohort-2025.csv"), str(EXAMPLES / "cohort-2026.csv")]
    code, out, err = run(command, *(files[1:] if command == "org" else files), "-f", fmt.value)
    assert code == 0, err
    assert out.strip()
    for secret in ("2026-00-Se0", "2025-99-Se"):
        assert secret not in out  # respondent ids never appear
    if fmt is Format.json:
        document = json.loads(out)
        assert document["schema_version"] == 3
        if command == "org":
            assert set(document) >= {
                "groups",
                "self_manager_spearman",
                "technical_leader_pattern",
                "coaching_focus_frequency",
            }
            assert set(document["groups"][0]) >= {
                "group",
                "n",
                "reported",
                "mean_rank",
                "consensus_rank",
                "tilt",
                "concordance",
            }
        else:
            assert document["unmatched"] == {"before": ["Mona Reyes"], "after": ["Liam O'Connor"]}
            assert set(document["subjects"][0]) >= {"subject", "delta", "closed", "opened"}


def test_org_withholds_small_groups() -> None:
    org, _ = org_for([("A", "self", IDENTITY), ("A", "peer", IDENTITY), ("B", "peer", REVERSED)])
    groups = {g.group: g for g in org.groups}
    assert not groups["peer"].reported and groups["peer"].mean_rank == {}
    assert not groups["all_others"].reported


def test_slugs_are_safe_file_names() -> None:
    assert slug("Ann Lee") == slug("ann-lee") == "ann-lee"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("CON") == "con-" and slug("nul") == "nul-"
    assert slug("Zoë Ça") == slug("Zoe\u0308 \u00c7a") == "zoë-ça"  # composed or not
    assert slug("Дмитрий Щербаков") == "дмитрий-щербаков" and slug("王伟") == "王伟"
    assert slug("///").startswith("leader-") and slug("///") != slug("???")
    assert len(slug("x" * 500)) <= 80


def test_batch_over_a_folder(tmp_path: Path) -> None:
    clients = tmp_path / "clients"
    clients.mkdir()
    write_wide(
        clients / "good.csv",
        [
            ("Ann Lee", "a", "Self", IDENTITY),
            ("ann-lee", "b", "Self", REVERSED),
            ("../../etc/passwd", "c", "Self", IDENTITY),
            ("CON", "d", "Self", IDENTITY),
        ],
    )
    (clients / "broken.csv").write_text("Dear coach,\nnothing to see\n")
    (clients / "notes.md").write_text("not a survey")
    (clients / "sub").mkdir()
    write_wide(clients / "sub" / "good.csv", [("Bo", "a", "Self", IDENTITY)])
    out = tmp_path / "reports"
    code, stdout, stderr = run("batch", str(clients), "--output-dir", str(out), "-f", "json")
    assert code == 1
    errors = [line for line in stderr.splitlines() if not line.startswith(("note: ", "warning: "))]
    assert errors[0].startswith(f"error: {clients / 'broken.csv'}: no survey columns found")
    quiet = run("batch", str(clients), "--output-dir", str(tmp_path / "q"), "-f", "json", "-q")
    assert quiet[2].splitlines() == errors  # --quiet leaves the errors only
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == [
        "good-2/bo.json",
        "good/ann-lee-2.json",
        "good/ann-lee.json",
        "good/con-.json",
        "good/etc-passwd.json",
        "index.json",
    ]
    assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))
    assert not (tmp_path / "etc").exists()
    assert stdout.splitlines()[-1] == str(out / "index.json")
    index = json.loads((out / "index.json").read_text())
    assert [r["subject"] for r in index["reports"]] == [
        "Ann Lee",
        "ann-lee",
        "../../etc/passwd",
        "CON",
        "Bo",
    ]
    assert index["failed"][0]["input"] == str(clients / "broken.csv")
    report = json.loads((out / "good" / "ann-lee-2.json").read_text())
    assert [s["subject"] for s in report["subjects"]] == ["ann-lee"]
    # Re-running replaces the outputs in place.
    before = (out / "good" / "ann-lee.json").read_text()
    assert run("batch", str(clients), "--output-dir", str(out), "-f", "json")[0] == 1
    assert (out / "good" / "ann-lee.json").read_text() == before


def test_batch_markdown_index(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, _ = run(
        "batch", str(EXAMPLES / "acme-wide.xlsx"), str(EXAMPLES / "by-family.csv"), "-d", str(out)
    )
    assert code == 0
    index = (out / "index.md").read_text()
    assert "| Dana Whitfield |" in index and "(<acme-wide/dana-whitfield.md>)" in index
    # a column of rater counts per group, under the group's label, numbers aligned right
    table = [line.split("|")[1:-1] for line in index.splitlines() if line.startswith("|")]
    head = [c.strip() for c in table[0]]
    assert head[2:7] == ["Self", "Manager", "Peers", "Direct reports", "Others"]
    assert "direct_report" not in index
    assert [c.strip() for c in table[1]][2:-1] == ["---:"] * 8
    document = json.loads(run("analyze", str(EXAMPLES / "acme-wide.xlsx"), "-f", "json")[1])
    for row in table[2:5]:
        subject = next(s for s in document["subjects"] if s["subject"] == row[0].strip())
        counts = {g["group"]: g["n"] for g in subject["groups"]}
        ids = ["self", "manager", "peer", "direct_report", "other"]
        assert [c.strip() for c in row[2:7]] == [str(counts[g] or "-") for g in ids]
    assert (out / "acme-wide" / "marcus-oyelaran.md").read_text().count("## ") >= 1
    assert "R1PE01" not in "".join(p.read_text() for p in out.rglob("*.md"))


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from coachkit.cli import app

    monkeypatch.chdir(ROOT)
    data = (EXAMPLES / "acme-tidy.csv").read_bytes()
    result = CliRunner().invoke(app, ["analyze", "-", "-f", "json"], input=data)
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["inputs"][0]["path"] == "-"
    from_file = json.loads(run("analyze", "examples/acme-tidy.csv", "-f", "json")[1])
    assert document["subjects"] == from_file["subjects"]
    assert len(document["subjects"]) == 3


perm = st.permutations(IDENTITY)
leader = st.tuples(
    perm, st.one_of(st.none(), perm), st.lists(perm, max_size=4), st.lists(perm, max_size=4)
)


@given(st.lists(leader, min_size=1, max_size=4))
def test_org_summaries_follow_each_leaders_report(
    leaders: list[tuple[list[int], list[int] | None, list[list[int]], list[list[int]]]],
) -> None:
    from collections import Counter

    from coachkit.analysis.compare import pair_spearman
    from coachkit.analysis.org import rho_summary
    from coachkit.model import SubjectResult

    def technical_pattern(subject: SubjectResult) -> bool:
        """The pattern as the README defines it, from the leader's own report: self puts
        competencies first by a place or more, and a place more than the manager does."""
        tilt = subject.blocks[0].tilt or {}
        if "self" not in tilt or "manager" not in tilt:
            return False
        own = tilt["self"].value
        return bool(own >= 1 - 1e-9 and own - tilt["manager"].value >= 1 - 1e-9)

    rows: list[tuple[str, str, list[int]]] = []
    for n, (own, boss, peers, reports) in enumerate(leaders):
        rows.append((f"L{n}", "self", own))
        rows += [(f"L{n}", "manager", boss)] if boss else []
        rows += [(f"L{n}", "peer", p) for p in peers] + [
            (f"L{n}", "direct_report", d) for d in reports
        ]
    org, report = org_for(rows)
    rhos = [pair_spearman(s, "self", "manager") for s in report.subjects]
    expected = rho_summary(rhos, org.self_manager_spearman.critical)
    assert org.self_manager_spearman.n_subjects == expected.n_subjects
    for field in ("median", "q1", "q3", "share_below_critical"):
        assert getattr(org.self_manager_spearman, field) == pytest.approx(getattr(expected, field))
    assert org.technical_leader_pattern == tuple(
        s.subject for s in report.subjects if technical_pattern(s)
    )
    focus = Counter(
        f.dimension
        for s in report.subjects
        for f in s.coaching_focus
        if f.beyond_chance and f.direction == "others_higher"
    )
    assert dict(org.coaching_focus_frequency) == dict(focus)


def test_compare_says_what_became_of_last_times_focus() -> None:
    document = json.loads(
        run("compare", "examples/cohort-2025.csv", "examples/cohort-2026.csv", "-f", "json")[1]
    )
    before = json.loads(run("analyze", "examples/cohort-2025.csv", "-f", "json", "-q")[1])
    after = json.loads(run("analyze", "examples/cohort-2026.csv", "-f", "json", "-q")[1])
    focus_then = {
        s["subject"]: [f["dimension"] for f in s["coaching_focus"] if f["beyond_chance"]]
        for s in before["subjects"]
    }
    focus_now = {
        s["subject"]: [f["dimension"] for f in s["coaching_focus"] if f["beyond_chance"]]
        for s in after["subjects"]
    }
    for change in document["subjects"]:
        then = next(
            v for k, v in focus_then.items() if k.casefold() == change["subject"].casefold()
        )
        now = focus_now[change["subject"]]
        assert change["focus"]["closed"] == [d for d in then if d not in now]
        assert change["focus"]["still_open"] == [d for d in then if d in now]
        assert change["focus"]["new"] == [d for d in now if d not in then]


def test_batch_html_writes_an_index_page(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, _ = run("batch", "examples/acme-wide.xlsx", "--output-dir", str(out), "-f", "html")
    assert code == 0 and (out / "index.html").is_file()
    page = (out / "index.html").read_text("utf-8")
    assert '<th class="n">Direct reports</th>' in page and "direct_report" not in page
    assert '<td class="n">4</td>' in page and ".n{text-align:right" in page
    for report in out.rglob("*.html"):
        if report.name != "index.html":
            assert f'href="{report.relative_to(out).as_posix()}"' in page


def test_compare_html_draws_each_leaders_agreement_and_tilt_before_and_after() -> None:
    document = json.loads(
        run("compare", "examples/cohort-2025.csv", "examples/cohort-2026.csv", "-f", "json")[1]
    )
    page = run("compare", "examples/cohort-2025.csv", "examples/cohort-2026.csv", "-f", "html")[1]
    line = re.compile(
        r'<line x1="200" y1="([\d.]+)" x2="290" y2="([\d.]+)" stroke="#\w+" stroke-width="2.5">'
        r"<title>([^<]+): ([+-][\d.]+) &rarr; ([+-][\d.]+)</title>"
    )
    drawn = [m.groups() for m in line.finditer(page)]
    expected = []
    for s in document["subjects"]:
        rhos = ("self_manager_spearman", "self_all_others_spearman")
        for key in rhos:
            before, after = s["before"][key], s["after"][key]
            if before is not None and after is not None:
                expected.append((before, after, 1.0))
        expected += [(t, s["after"]["tilt"][g], 6.0) for g, t in s["before"]["tilt"].items()]
    assert len(drawn) == len(expected) > 0
    drawn.sort(key=lambda d: (float(d[3]), float(d[4])))
    expected.sort(key=lambda e: (round(e[0], 2), round(e[1], 2)))
    for (y1, y2, _, shown_before, shown_after), (before, after, high) in zip(
        drawn, expected, strict=True
    ):
        # shown to 2 places, from the value the JSON holds to 4
        assert float(shown_before) == pytest.approx(before, abs=0.0051)
        assert float(shown_after) == pytest.approx(after, abs=0.0051)
        # on a scale from +high (top, y = 30) to -high (bottom, y = 180)
        assert float(y1) == pytest.approx(30 + (high - before) / (2 * high) * 150, abs=0.06)
        assert float(y2) == pytest.approx(30 + (high - after) / (2 * high) * 150, abs=0.06)


def test_slope_labels_never_overlap_and_keep_their_order() -> None:
    from coachkit.render.html import SLOPE_LABEL, slope_layout
    from coachkit.render.view import Slope, SlopeChart

    chart = SlopeChart(
        "t", -6.0, 6.0, tuple(Slope(f"g{i}", 1.0 + i / 100, -2.0 + i / 50) for i in range(5))
    )
    layout = slope_layout(chart)
    for side in (0, 1):
        ys = sorted(line.label_y[side] for line in layout.lines)
        assert all(b - a >= SLOPE_LABEL for a, b in itertools.pairwise(ys))
        assert [line.label for line in sorted(layout.lines, key=lambda x: x.label_y[side])] == [
            line.label for line in sorted(layout.lines, key=lambda x: (x.y[side], x.label))
        ]
    assert layout.height >= max(y for line in layout.lines for y in line.label_y)


def test_batch_in_workers_writes_what_one_process_writes(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(4):
        shutil.copy(EXAMPLES / "acme-wide.xlsx", inputs / f"client-{i}.xlsx")
    shutil.copy(EXAMPLES / "cohort-2026.csv", inputs)
    (inputs / "broken.csv").write_text("not,a\nsurvey,file\n", "utf-8")

    def batch(jobs: int) -> tuple[int, str, str, dict[str, bytes]]:
        out = tmp_path / f"out{jobs}"
        command = ["batch", str(inputs), "--output-dir", str(out), "-f", "json", "-j", str(jobs)]
        done = subprocess.run(
            [sys.executable, "-m", "coachkit", *command],
            capture_output=True,
            text=True,
            check=False,
        )
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.*")}
        return done.returncode, done.stdout.replace(str(out), "OUT"), done.stderr, files

    one, two = batch(1), batch(2)
    assert one == two
    code, _, stderr, files = one
    assert code == 1 and "broken.csv" in stderr and len(files) == 4 * 3 + 12 + 1
    # the notes come in the order of the files, as one process writes them
    notes = [line.split(":")[1].strip() for line in stderr.splitlines() if line.startswith("note")]
    assert notes == sorted(notes)


def test_leaders_named_like_numbers_stay_names_in_compare_and_org_workbooks(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from coachkit.render.xlsx import _number

    # a view's cells are text: its numbers go back to numbers, nothing else does
    assert [_number(t) for t in ("+0.13", "12", "2.5", "-1.00")] == [0.13, 12.0, 2.5, -1.0]
    assert [_number(t) for t in ("Nan", "Infinity", "1e5", "0012", "-")] == [
        "Nan",
        "Infinity",
        "1e5",
        "0012",
        "-",
    ]
    names = ["Nan", "Infinity", "1e5", "0012"]
    rows = [(n, f"r{i}{g}", group, IDENTITY if g else REVERSED)
            for i, n in enumerate(names) for g, group in enumerate(["Self", "Manager"])]  # fmt: skip
    before = write_wide(tmp_path / "before.csv", rows)
    after = write_wide(tmp_path / "after.csv", rows)
    out = tmp_path / "change.xlsx"
    code, _, err = run("compare", str(before), str(after), "-q", "-o", str(out))
    assert code == 0, err
    cells = [row[0] for row in load_workbook(out).worksheets[0].iter_rows(values_only=True)]
    assert set(names) <= set(cells)


def test_compare_collapses_the_gaps_that_moved_into_an_appendix() -> None:
    args = ("compare", "examples/cohort-2025.csv", "examples/cohort-2026.csv")
    document = json.loads(run(*args, "-f", "json")[1])
    moved = {
        s["subject"]: len(s["closed"]) + len(s["opened"]) + len(s["reversed"])
        for s in document["subjects"]
    }
    assert max(moved.values()) >= 15  # the lists that buried the charts
    kinds = ("closed: ", "opened: ", "reversed: ")
    for fmt, heading in (("table", ""), ("markdown", "## ")):
        out = run(*args, "-f", fmt, "-q")[1]
        body, appendix = out.split(f"{heading}Appendix: the gaps that moved, leader by leader\n")
        assert not any(line.lstrip("- ").startswith(kinds) for line in body.splitlines())
        for count in moved.values():
            assert f"The {count} gaps that moved by the notable size or more: listed" in body
        listed: dict[str, int] = {}
        leader = ""
        for line in appendix.splitlines():
            if line.removeprefix("### ") in moved:
                leader = line.removeprefix("### ")
            elif line.strip().lstrip("- ").startswith(kinds):
                listed[leader] = listed.get(leader, 0) + 1
        assert listed == {name: count for name, count in moved.items() if count}, fmt
    page = run(*args, "-f", "html", "-q")[1]
    assert page.count('<details class="more">') == sum(1 for c in moved.values() if c)
    for count in moved.values():
        assert f"<summary>The {count} gaps that moved by the notable size or more</summary>" in page


def test_the_org_heatmap_has_a_row_per_family_above_its_dimensions() -> None:
    dims = json.loads(run("dimensions", "-f", "json")[1])["dimensions"]
    families = {"competency": "Competencies", "characteristic": "Characteristics"}
    expected: list[str] = []
    for d in dims:  # the family's label before its first dimension, then its dimensions
        if not expected or families[d["family"]] not in expected:
            expected.append(families[d["family"]])
        expected.append(d["label"])
    args = ("org", "examples/cohort-2026.csv", "-q")
    table = run(*args)[1].split("───\n", 1)[1].split("\n\n", 1)[0]
    assert [line[:30].strip() for line in table.splitlines()] == expected
    for line in table.splitlines():  # a family at the edge, its dimensions indented under it
        indent = len(line) - len(line.lstrip())
        assert indent == (1 if line[:30].strip() in families.values() else 3), line
    markdown = run(*args, "-f", "markdown")[1]
    rows = [line.split("|")[1].strip() for line in markdown.splitlines() if line.startswith("| ")]
    assert rows[1:] == [f"**{x}**" if x in families.values() else x for x in expected]
    page = run(*args, "-f", "html")[1]
    assert page.count('<tr class="family">') == 2
    assert page.index(">Competencies</th>") < page.index(">Vision and strategy<")
