"""Long exclusions told briefly: excluded responses grouped by reason, with counts and first
rows, in `validate` (which still lists every one) and its JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from coachkit.model import Exclusion, exclusion_reasons
from conftest import IDENTITY, REVERSED, run, write_wide


def test_exclusion_reasons_count_each_reason_once() -> None:
    excluded = (
        Exclusion("f.csv", 2, "Ann", "rank 6 is given more than once"),
        Exclusion(
            "f.csv", 3, "Ann", "superseded by a later response of the same rater (f.csv, row 9)"
        ),
        Exclusion("f.csv", 4, "Ann", "rank 2 is given more than once"),
        Exclusion(
            "f.csv", 5, "Ann", "superseded by a later response of the same rater (f.csv, row 8)"
        ),
        Exclusion("f.csv", 6, "Ann", "rank 11 is given more than once"),
    )
    reasons = exclusion_reasons(excluded, shown=2)
    assert [(r.reason, r.count, [e.row for e in r.first]) for r in reasons] == [
        ("rank N is given more than once", 3, [2, 4]),
        ("superseded by a later response of the same rater", 2, [3, 5]),
    ]


def test_validate_groups_a_thousand_exclusions_by_reason(tmp_path: Path) -> None:
    doubled = [*IDENTITY[:5], 5, *IDENTITY[6:]]  # rank 5 twice
    rows: list[tuple[str, str, str, Sequence[object]]] = [
        ("Ann", f"t{n}", "Peer", [*IDENTITY[:11], ""]) for n in range(1000)
    ]
    rows += [("Ann", f"u{n}", "Peer", doubled) for n in range(3)]
    rows += [("Ann", "s", "Self", IDENTITY), ("Ann", "m", "Manager", REVERSED)]
    path = str(write_wide(tmp_path / "tests.csv", rows))
    code, out, err = run("validate", path, "--values", "ranks")
    assert code == 1, err
    summary = out.split("Excluded responses by reason (1,003):\n")[1].split("\n\n")[0]
    assert summary.splitlines() == [
        "  1,000  N of N unranked (Building teams); --allow-partial keeps partial rankings: "
        "rows 2, 3, 4, ...",
        "      3  rank N is given more than once: rows 1002, 1003, 1004",
    ]
    assert out.count(" row ") == 1003  # and every one listed after it
    code, out, _ = run("validate", path, "--values", "ranks", "--format", "json")
    document = json.loads(out)
    assert len(document["excluded"]) == 1003
    assert [
        (r["count"], [e["row"] for e in r["first"]]) for r in document["excluded_by_reason"]
    ] == [(1000, [2, 3, 4]), (3, [1002, 1003, 1004])]


def test_reports_group_a_long_list_of_exclusions_by_reason(tmp_path: Path) -> None:
    """Forty test responses that repeat a rank: every report names the reason once, with its
    count and first rows, before the first rows one by one."""
    from conftest import LABELS, run, write_wide

    rows = [("Ann", "s", "Self", list(range(1, 13)))]
    rows += [("Ann", f"t{i}", "Peer", [1] * 12) for i in range(40)]
    survey = write_wide(tmp_path / "tests.csv", rows, LABELS)
    expected = "40 responses: rank N is given more than once (rows 3, 4, 5, ...)"
    for fmt in ("table", "markdown", "html"):
        code, out, err = run("analyze", str(survey), "--values", "ranks", "-q", "-f", fmt)
        assert code == 0, err
        assert out.count(expected) == 1, fmt
        assert out.index(expected) < out.index("The first of them")
