"""The HR roster joined to the survey (`--leaders`) and the organization split by one of its
columns (`org --by`): each number against an independent computation from the raw rankings."""

from __future__ import annotations

import csv
import io
import json
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import coachkit
from coachkit.analysis.chance import between_groups_p
from coachkit.errors import InputError
from coachkit.io.roster import read_roster
from conftest import INSTRUMENT, LABELS, dataset_for, run, write_wide

COMPETENCIES = [d.label for d in INSTRUMENT.dimensions if d.family == "competency"]
CHARACTERISTICS = [d.label for d in INSTRUMENT.dimensions if d.family == "characteristic"]

# Survey leaders, their function in the roster (None: no roster row), and their peers.
LEADERS = [
    ("José Díaz", "Engineering", 3),  # the roster spells him "Jose Diaz"
    ("Ana Lima", "Engineering", 2),  # two peers: not reported, so not pooled
    ("Li Wei", "engineering ", 3),  # the same segment, spelled otherwise
    ("Mara Stone", "Engineering", 4),
    ("Ola Berg", "Sales", 3),
    ("Ravi Nair", "Sales", 3),
    ("Tom Reed", "Sales", 5),
    ("Uma Rao", "Finance", 3),  # a segment of one: not reported
    ("Zoe Park", None, 3),  # not in the roster
]


def _survey(tmp_path: Path, seed: int = 7) -> tuple[Path, pd.DataFrame]:
    """A wide survey: self, manager, peers and three direct reports per leader. Engineering
    selves put competencies first and their managers characteristics, so the segments differ."""
    rng = np.random.default_rng(seed)
    rows = []
    for leader, function, peers in LEADERS:
        for group, count in (("Self", 1), ("Manager", 1), ("Peer", peers), ("Direct report", 3)):
            for i in range(count):
                ranks = rng.permutation(12) + 1
                if (
                    function
                    and function.strip().lower() == "engineering"
                    and group in ("Self", "Manager")
                ):
                    ordered = np.sort(ranks)
                    first, second = ordered[:6], ordered[6:]
                    if group == "Manager":
                        first, second = second, first
                    ranks = np.concatenate([rng.permutation(first), rng.permutation(second)])
                rows.append((leader, f"{leader[:2]}-{group[:2]}{i}", group, ranks.tolist()))
    path = write_wide(tmp_path / "survey.csv", rows)
    frame = pd.DataFrame([(s, g, *v) for s, _, g, v in rows], columns=["leader", "group", *LABELS])
    return path, frame


def _roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Employee ID", "Full name", "Function", "Level"])
        for i, (leader, function, _) in enumerate(LEADERS):
            if function is None:
                continue
            name = "jose  DIAZ" if leader == "José Díaz" else leader
            writer.writerow([f"E{i:03}", name, function, "VP" if i % 2 else "Director"])
        writer.writerow(["E999", "Nina Holt", "Sales", "VP"])  # no survey
    return path


def _tilts(frame: pd.DataFrame) -> pd.DataFrame:
    """Per response: characteristics' mean rank minus competencies' (+: competencies first)."""
    tilt = frame[CHARACTERISTICS].mean(axis=1) - frame[COMPETENCIES].mean(axis=1)
    return frame.assign(tilt=tilt)


def test_the_roster_joins_by_folded_name_and_names_both_sides_once(tmp_path: Path) -> None:
    survey, _ = _survey(tmp_path)
    code, out, err = run("analyze", str(survey), "--leaders", str(_roster(tmp_path)), "-f", "json")
    assert code == 0, err
    subjects = {s["subject"]: s.get("attributes") for s in json.loads(out)["subjects"]}
    assert subjects["José Díaz"] == {"Function": "Engineering", "Level": "Director"}
    assert subjects["Zoe Park"] is None
    assert err.count("Zoe Park") == 1 and err.count("Nina Holt") == 1
    assert "no row for 1 leader of the survey ('Zoe Park')" in err
    assert "1 leader of the roster has no survey ('Nina Holt')" in err
    code, out, _ = run("analyze", str(survey), "--leaders", str(_roster(tmp_path)), "-f", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert list(table.columns[-2:]) == ["Function", "Level"]
    assert set(table.loc[table.subject == "Tom Reed", "Function"]) == {"Sales"}
    assert table.loc[table.subject == "Zoe Park", "Function"].isna().all()
    book = tmp_path / "report.xlsx"
    run("analyze", str(survey), "--leaders", str(_roster(tmp_path)), "-o", str(book))
    summary = pd.read_excel(book, sheet_name="Summary", engine="calamine")
    assert list(summary.columns[1:3]) == ["Function", "Level"]
    assert summary.set_index("Leader").loc["Li Wei", "Function"] == "engineering"


def test_the_batch_index_carries_the_roster_and_names_unsurveyed_rows_once(
    tmp_path: Path,
) -> None:
    survey, _ = _survey(tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    survey.rename(folder / "survey.csv")
    roster = _roster(tmp_path)
    code, _, err = run(
        "batch", str(folder), "--leaders", str(roster), "-d", str(tmp_path / "out"), "-f", "json"
    )
    assert code == 0, err
    index = json.loads((tmp_path / "out" / "index.json").read_text("utf-8"))
    found = {e["subject"]: e["attributes"] for e in index["reports"]}
    assert found["Ola Berg"] == {"Function": "Sales", "Level": "Director"}
    assert found["Zoe Park"] is None
    assert err.count("Nina Holt") == 1


def test_segments_match_an_independent_computation(tmp_path: Path) -> None:
    survey, frame = _survey(tmp_path)
    code, out, err = run(
        "org", str(survey), "--leaders", str(_roster(tmp_path)), "--by", "function", "-f", "json"
    )
    assert code == 0, err
    split = json.loads(out)["segments"]
    segments = {s["value"]: s for s in split["segments"]}
    assert {k: s["n_leaders"] for k, s in segments.items()} == {
        "Engineering": 4,
        "Finance": 1,
        "Sales": 3,
    }
    assert segments["Finance"] == {
        "value": "Finance",
        "n_leaders": 1,
        "reported": False,
        "reason": "fewer than 3 leaders",
    }
    assert split["unassigned"] == ["Zoe Park"]

    tilts = _tilts(frame)
    own = tilts[tilts.group == "Self"].set_index("leader").tilt
    boss = tilts[tilts.group == "Manager"].set_index("leader").tilt
    difference = own - boss
    members = {
        "Engineering": ["José Díaz", "Ana Lima", "Li Wei", "Mara Stone"],
        "Sales": ["Ola Berg", "Ravi Nair", "Tom Reed"],
    }
    for name, leaders in members.items():
        segment = segments[name]
        assert segment["tilt_difference"] == pytest.approx(difference[leaders].mean(), abs=1e-4)
        assert segment["tilt_leaders"] == len(leaders)
        pattern = ((own[leaders] >= 1) & (difference[leaders] >= 1)).sum()
        assert segment["technical_leader_pattern"]["count"] == pattern
        # the pooled peers: only the leaders whose own report shows their peers (3 or more)
        peers = frame[(frame.group == "Peer") & frame.leader.isin(leaders)]
        shown = peers.groupby("leader").filter(lambda g: len(g) >= 3)
        pooled = next(g for g in segment["groups"] if g["group"] == "peer")
        assert pooled["n"] == len(shown)
        expected = dict(zip(INSTRUMENT.dimension_ids, shown[LABELS].mean().tolist(), strict=True))
        assert pooled["mean_rank"] == pytest.approx(expected, abs=1e-4)
        peer_tilt = _tilts(shown).tilt.mean()
        assert pooled["tilt"]["value"] == pytest.approx(peer_tilt, abs=1e-4)

    # the contrast: every way to split the 7 leaders into segments of 4 and 3
    values = difference[members["Engineering"] + members["Sales"]].to_numpy()
    observed = abs(values[:4].mean() - values[4:].mean())
    extreme = [
        abs(values[list(a)].mean() - np.delete(values, list(a)).mean()) >= observed - 1e-9
        for a in combinations(range(7), 4)
    ]
    contrast = split["contrast"]
    assert contrast["method"] == "exact" and contrast["permutations"] == 35
    assert contrast["p_value"] == pytest.approx(np.mean(extreme), abs=1e-4)
    assert contrast["leaders"] == 7


def test_the_segments_are_said_and_drawn_side_by_side(tmp_path: Path) -> None:
    survey, _ = _survey(tmp_path)
    args = ["org", str(survey), "--leaders", str(_roster(tmp_path)), "--by", "Function"]
    code, out, err = run(*args)
    assert code == 0, err
    text = " ".join(out.split())
    assert "Segments by Function: 7 leaders in 2 segments" in out
    leaders = next(line.split() for line in out.splitlines() if line.startswith(" Leaders "))
    assert leaders[1:] == ["4", "3"]
    assert "all 35 ways to split these 7 leaders" in text
    assert "Finance (1 leader): fewer than 3 leaders" in text
    code, html, _ = run(*args, "-f", "html")
    assert code == 0 and "Segments by Function" in html and "How all other raters rank" in html


def test_the_contrast_follows_the_evidence(tmp_path: Path) -> None:
    """The planted difference (engineering selves put competencies first, their managers
    characteristics) is found; a sentence says which way it goes."""
    survey, _ = _survey(tmp_path, seed=11)
    with pytest.warns(coachkit.CoachkitWarning) as caught:
        result = coachkit.org(survey, leaders=_roster(tmp_path), by="function")
    assert sum("Zoe Park" in str(w.message) for w in caught) == 1
    assert result.segments is not None and result.segments.contrast is not None
    assert result.segments.contrast.p_value <= 0.05
    text = result.render("markdown")
    assert "Engineering leaders lean further toward competencies than their managers" in text


def test_by_needs_a_roster_column_and_says_which_exist(tmp_path: Path) -> None:
    survey, _ = _survey(tmp_path)
    code, _, err = run("org", str(survey), "--by", "function")
    assert code == 2 and "error: --leaders: needed to split by 'function'" in err
    code, _, err = run("org", str(survey), "--leaders", str(_roster(tmp_path)), "--by", "region")
    assert code == 2 and "'Function', 'Level'" in err
    with (
        pytest.warns(coachkit.CoachkitWarning),
        pytest.raises(coachkit.CoachkitError, match="by: 'region' is not a column"),
    ):
        coachkit.org(survey, leaders=_roster(tmp_path), by="region")


def test_a_bad_roster_is_one_line_naming_it(tmp_path: Path) -> None:
    twice = tmp_path / "twice.csv"
    twice.write_text("Name,Function\nAna Lima,Sales\nana  lima,Finance\n", "utf-8")
    with pytest.raises(InputError, match=r"rows 2 and 3: two roster rows name one leader"):
        read_roster(twice)
    nameless = tmp_path / "nameless.csv"
    nameless.write_text("Level,Tenure\n1,2\n3,4\n", "utf-8")
    with pytest.raises(InputError, match="no roster column names the leaders"):
        read_roster(nameless)
    survey, _ = _survey(tmp_path)
    code, _, err = run("analyze", str(survey), "--leaders", str(tmp_path / "missing.csv"))
    assert code == 1 and err.startswith("error: ") and "missing.csv" in err
    assert len(err.strip().splitlines()) == 1


def test_a_managers_name_column_is_an_attribute_not_the_key(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Manager name,Leader,Function\nBob,Ana Lima,Sales\nBob,Li Wei,Finance\n", "utf-8"
    )
    found = read_roster(roster)
    assert found.key_columns == ("Leader",)
    assert found.columns == ("Manager name", "Function")
    assert found.attributes("li wei") == {"Manager name": "Bob", "Function": "Finance"}


@given(
    # tilt differences are multiples of 1/6 place (one rater, two families of six)
    st.lists(st.integers(-72, 72).map(lambda v: v / 6), min_size=2, max_size=9),
    st.integers(1, 8),
)
def test_the_permutation_p_is_the_exact_share_of_as_extreme_splits(
    values: list[float], first: int
) -> None:
    """Against enumeration of every split, for two segments of any sizes."""
    first = min(first, len(values) - 1)
    x = np.array(values)
    labels = np.array([0] * first + [1] * (len(x) - first))
    observed = abs(x[:first].mean() - x[first:].mean())
    extreme = [
        abs(x[list(a)].mean() - np.delete(x, list(a)).mean()) >= observed - 1e-9
        for a in combinations(range(len(x)), first)
    ]
    test = between_groups_p(x, labels)
    assert test.exact
    assert test.p_value == pytest.approx(np.mean(extreme))


@pytest.mark.slow
def test_the_segment_contrast_is_calibrated_and_has_power() -> None:
    """Random tilt differences: about 5% of tests beyond chance; a planted shift of one
    standard deviation between two segments of 15 leaders: most of them."""
    rng = np.random.default_rng(5)
    labels = np.array([0] * 15 + [1] * 15)
    null = [between_groups_p(rng.normal(size=30), labels).p_value <= 0.05 for _ in range(200)]
    shifted = [
        between_groups_p(rng.normal(size=30) + labels, labels).p_value <= 0.05 for _ in range(100)
    ]
    assert 0.01 <= np.mean(null) <= 0.10
    assert np.mean(shifted) >= 0.6


def test_contact_details_in_the_roster_never_reach_a_report(tmp_path: Path) -> None:
    """The leader is the self rater too: their e-mail or phone is never printed."""
    survey, _ = _survey(tmp_path)
    roster = tmp_path / "contacts.csv"
    rows = ["Name,Email,Phone,Function,Note"]
    for i, (leader, _, _) in enumerate(LEADERS):
        rows.append(
            f"{leader},l{i}@corp.example,+1 555 010 {i:04d},Sales,ask l{i}@corp.example first"
        )
    roster.write_text("\n".join(rows) + "\n", "utf-8")
    for fmt in ("json", "csv", "markdown", "html"):
        code, out, err = run("analyze", str(survey), "--leaders", str(roster), "-f", fmt)
        assert code == 0, err
        assert "corp.example" not in out and "555 010" not in out
    assert "'Email', 'Phone' hold e-mail addresses or phone numbers; left out" in err
    assert read_roster(roster).attributes("Ana Lima") == {
        "Function": "Sales",
        "Note": "ask [e-mail] first",
    }


@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(0, 4), st.integers(0, 4)),
        min_size=1,
        max_size=8,
    ),
    st.integers(2, 4),
)
def test_segments_pool_only_what_each_leaders_report_shows(
    leaders: list[tuple[str, int, int]], minimum: int
) -> None:
    """Any segment and group sizes: a segment is shown from 3 leaders, each pooled group holds
    exactly the raters the leaders' own reports show (a suppressed group never enters), and a
    pooled anonymous group shown has at least --min-raters raters."""
    rng = np.random.default_rng(len(leaders) * 10 + minimum)
    rows, roster = [], []
    for i, (value, peers, reports) in enumerate(leaders):
        name = f"Leader {i}"
        roster.append((name, value))
        for group, count in (
            ("self", 1),
            ("manager", 1),
            ("peer", peers),
            ("direct_report", reports),
        ):
            rows += [(name, group, (rng.permutation(12) + 1.0).tolist()) for _ in range(count)]
    data = dataset_for(rows)
    frame = pd.DataFrame(roster, columns=["Name", "Function"])
    from coachkit.pipeline import with_roster

    joined, _ = with_roster(data, frame)
    report = coachkit.analyze(joined, min_raters=minimum)
    split = coachkit.org(joined, min_raters=minimum, by="Function").segments
    assert split is not None
    shown = {s.subject: {g.group: g.n for g in s.groups if g.reported} for s in report.subjects}
    for segment in split.segments:
        members = [n for n, v in roster if v == segment.value]
        assert segment.n_leaders == len(members)
        assert segment.reported == (len(members) >= 3)
        for g in segment.groups:
            if g.group in ("peer", "direct_report") and g.reported:
                assert g.n == sum(shown[m].get(g.group, 0) for m in members)
                assert g.n >= minimum


def test_a_roster_keyed_by_e_mail_never_prints_an_address(tmp_path: Path) -> None:
    roster = tmp_path / "emails.csv"
    roster.write_text("Employee email,Function\nana@corp.example,Sales\n", "utf-8")
    found = read_roster(roster)
    assert found.key_columns == ("Employee email",)
    assert found.unsurveyed(["Someone Else"]) == ["the leader of row 2"]


def test_a_batch_says_once_that_roster_contacts_are_left_out(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for seed in (7, 8):  # two files of the same leaders
        survey, _ = _survey(tmp_path, seed)
        survey.rename(folder / f"survey{seed}.csv")
    roster = tmp_path / "contacts.csv"
    roster.write_text("Name,Email,Function\nAna Lima,ana@corp.example,Sales\n", "utf-8")
    code, _, err = run("batch", str(folder), "--leaders", str(roster), "-d", str(tmp_path / "out"))
    assert code == 0, err
    assert err.count("left out of every report") == 1
