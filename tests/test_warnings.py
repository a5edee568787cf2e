"""Data-quality warnings a coach needs before a session: a leader nobody's manager ranked, and
anonymous groups too small to be reported, named by `validate`."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import IDENTITY, REVERSED, run, write_wide


def _file(tmp_path: Path) -> str:
    rows = [("Ann", "a1", "Self", IDENTITY), ("Ann", "a2", "Manager", REVERSED)]
    rows += [("Ann", f"ap{n}", "Peer", IDENTITY) for n in range(2)]
    rows += [("Ann", f"ad{n}", "Direct report", REVERSED) for n in range(3)]
    rows += [("Bo", "b1", "Self", IDENTITY)]
    rows += [("Bo", f"bp{n}", "Peer", REVERSED) for n in range(3)]
    return str(write_wide(tmp_path / "team.csv", rows))


def test_validate_names_groups_under_the_minimum(tmp_path: Path) -> None:
    path = _file(tmp_path)
    code, out, _ = run("validate", path)
    assert code == 0
    assert "Ann: Self 1, Manager 1, Peers 2: not reported (fewer than 3), Direct reports 3" in out
    assert "Bo: Self 1, Peers 3\n" in out
    code, out, _ = run("validate", path, "--format", "json")
    subjects = {s["subject"]: s for s in json.loads(out)["subjects"]}
    assert subjects["Ann"]["not_reported"] == {"peer": 2}
    assert subjects["Bo"]["not_reported"] == {}
    code, out, _ = run("validate", path, "--min-raters", "2")
    assert "not reported" not in out


def test_a_leader_with_no_manager_response_is_named(tmp_path: Path) -> None:
    path = _file(tmp_path)
    for command in ("validate", "analyze"):
        code, _, err = run(command, path)
        assert code == 0
        assert "1 leader has no manager response: Bo" in err
        assert "no manager response: Ann" not in err


def test_a_report_says_when_the_manager_did_not_respond(tmp_path: Path) -> None:
    """The manager's view is set beside every finding: a report of a leader without one says
    so under the raters, in every text format; one with a manager does not."""
    from conftest import IDENTITY, REVERSED, run, write_wide

    rows = [("Ann", "s", "Self", IDENTITY)]
    rows += [("Ann", f"p{i}", "Peer", REVERSED) for i in range(3)]
    rows += [("Bo", "s2", "Self", IDENTITY), ("Bo", "m2", "Manager", REVERSED)]
    survey = write_wide(tmp_path / "no-manager.csv", rows)
    for fmt in ("table", "markdown", "html"):
        code, out, err = run("analyze", str(survey), "-q", "-f", fmt)
        assert code == 0, err
        assert out.count("No manager response") == 1, fmt  # Ann's, not Bo's
        assert out.index("No manager response") < out.index("Bo")
