"""Instruments: label matching, suggestions, built-in and user TOML files, and their checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coachkit.errors import InstrumentError
from coachkit.instruments import builtin_names, load_instrument
from conftest import EXAMPLES, INSTRUMENT, run


@pytest.mark.parametrize(
    ("label", "dimension"),
    [
        ("Judgment", "judgement_decision_making"),
        ("Decision making", "judgement_decision_making"),
        ("JUDGEMENT / DECISION-MAKING", "judgement_decision_making"),
        ("Coaching & mentoring", "coaching_mentoring"),
        ("Vision & Strategy", "vision_strategy"),
        ("Q5 - Vision & Strategy", "vision_strategy"),
        ("Rank the priorities [Execution]", "execution"),
        ("3. Building Teams", "building_teams"),
        ("Personal Ethics ", "personal_ethics"),
        ("Comments", None),
    ],
)
def test_label_variants(label: str, dimension: str | None) -> None:
    assert INSTRUMENT.match_header(label) == dimension


def test_groups_and_suggestions() -> None:
    assert [
        INSTRUMENT.match_group(g)
        for g in (
            "Boss",
            "Line manager",
            "Co-worker",
            "Direct Report(s)",
            "Skip-level",
            "Self-assessment",
        )
    ] == ["manager", "manager", "peer", "direct_report", "other", "self"]
    assert INSTRUMENT.suggest_dimension("Exekution") == "Execution"
    assert INSTRUMENT.suggest_group("Manger") == "manager"
    assert INSTRUMENT.suggest_dimension("zzzz") is None


def test_builtins() -> None:
    assert builtin_names() == ["it-archetypes", "leadership-12"]
    it = load_instrument("it-archetypes")
    assert len(it.dimensions) == 6 and it.tilt is None and it.self_group == "cio"
    assert not it.group("cio").anonymous and it.pooled.id == "team"


def test_roles_are_resolved_once_by_the_instrument() -> None:
    """The reference role is the first focus group that is neither self, the pooled group nor
    anonymous; the counterpart is it, else the first focus group that is not self."""
    import dataclasses

    leadership, it = load_instrument("leadership-12"), load_instrument("it-archetypes")
    assert (leadership.reference, leadership.counterpart) == ("manager", "manager")
    assert (it.reference, it.counterpart) == (None, "team")  # the CIO is self; the team pooled
    peers_first = dataclasses.replace(leadership, focus_groups=("self", "peer", "manager"))
    assert (peers_first.reference, peers_first.counterpart) == ("manager", "manager")
    peers_only = dataclasses.replace(leadership, focus_groups=("self", "peer"))
    assert (peers_only.reference, peers_only.counterpart) == (None, "peer")


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


MINIMAL = """
id = "mini"
[[families]]
id = "all"
[[dimensions]]
id = "a"
label = "Alpha"
[[dimensions]]
id = "b"
label = "Beta"
aliases = ["second"]
[[dimensions]]
id = "c"
label = "Gamma"
[[groups]]
id = "me"
anonymous = false
[[groups]]
id = "boss"
anonymous = false
[[groups]]
id = "team"
min_raters = 2
[roles]
self = "me"
focus = ["boss"]
"""


def test_user_instrument_file(tmp_path: Path) -> None:
    instrument = load_instrument(_write(tmp_path / "mini.toml", MINIMAL + "pairs = []\n"))
    assert instrument.dimension_ids == ("a", "b", "c")
    assert instrument.match_dimension("Second") == "b"
    assert instrument.group("team").min_raters == 2
    survey = tmp_path / "s.csv"
    survey.write_text(
        "Leader,Group,Alpha,Beta,Gamma\nZed,me,1,2,3\nZed,boss,3,2,1\nZed,team,1,3,2\nZed,team,2,3,1\n"
    )
    code, out, err = run(
        "analyze", str(survey), "--instrument", str(tmp_path / "mini.toml"), "-f", "json"
    )
    assert code == 0, err
    groups = {g["group"]: g["reported"] for g in json.loads(out)["subjects"][0]["groups"]}
    # its own minimum of 2 is lower than --min-raters 3: the stricter wins, and says so
    assert groups["team"] is False
    assert "instrument mini asks for 2 team; the stricter --min-raters 3 applies" in err
    code, out, err = run(
        "analyze",
        str(survey),
        "--instrument",
        str(tmp_path / "mini.toml"),
        "-f",
        "json",
        "--min-raters",
        "2",
    )
    groups = {g["group"]: g["reported"] for g in json.loads(out)["subjects"][0]["groups"]}
    assert code == 0 and groups["team"] is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (
                '[[dimensions]]\nid = "c"\nlabel = "Gamma"',
                '[[dimensions]]\nid = "a"\nlabel = "Gamma"',
            ),
            "dimension ids repeat",
        ),
        (('aliases = ["second"]', 'aliases = ["alpha"]'), "alias 'alpha' of 'b' already names 'a'"),
        (('focus = ["boss"]', "focus = []"), "roles.focus needs at least one group"),
        # anonymity is a boolean: 0 or "false" must not switch it off (or on) by accident
        (
            ('id = "team"\nmin_raters = 2', 'id = "team"\nanonymous = 0'),
            "must be true or false, not 0",
        ),
        (('id = "boss"\nanonymous = false', 'id = "boss"\nanonymous = "false"'), "not 'false'"),
        # an alias naming another group would move that group's raters into this one
        (
            (
                'id = "boss"\nanonymous = false',
                'id = "boss"\nanonymous = false\naliases = ["team"]',
            ),
            "alias 'team' of group '(team|boss)' already names",
        ),
        (('self = "me"', 'self = "nobody"'), "roles.self names unknown group 'nobody'"),
        (
            (
                '[[families]]\nid = "all"',
                '[[families]]\nid = "all"\n[tilt]\nfirst = "x"\nsecond = "y"',
            ),
            "tilt names an unknown family",
        ),
    ],
)
def test_invalid_instruments(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    text = MINIMAL.replace(*change)
    assert text != MINIMAL
    with pytest.raises(InstrumentError, match=message):
        load_instrument(_write(tmp_path / "bad.toml", text))


def test_an_instrument_that_reports_an_extra_group_by_the_rater_says_so(tmp_path: Path) -> None:
    text = MINIMAL.replace('id = "team"\nmin_raters = 2', 'id = "team"\nanonymous = false')
    path = _write(tmp_path / "open.toml", text)
    survey = tmp_path / "s.csv"
    survey.write_text(
        "Leader,Rater,Relationship,Alpha,Beta,Gamma\nAnn,r1,me,1,2,3\nAnn,r2,team,3,2,1\n"
    )
    code, _, err = run("analyze", str(survey), "--instrument", path)
    assert code == 0
    assert "reports team from a single rater (anonymous = false)" in err
    # self and the reference role are named roles: no warning for them
    assert "reports me " not in err and "reports boss " not in err


def test_unreadable_instruments(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError, match="neither a built-in"):
        load_instrument(str(tmp_path / "missing.toml"))
    with pytest.raises(InstrumentError, match="not valid TOML"):
        load_instrument(_write(tmp_path / "broken.toml", "id = [unclosed"))
    code, _, err = run("dimensions", "--instrument", str(tmp_path / "broken.toml"))
    assert code == 1 and err.startswith("error: ") and "not valid TOML" in err


def test_it_archetypes_example() -> None:
    code, out, err = run(
        "analyze",
        str(EXAMPLES / "it-archetypes.csv"),
        "--instrument",
        "it-archetypes",
        "-f",
        "json",
    )
    assert code == 0, err
    document = json.loads(out)
    contoso = next(s for s in document["subjects"] if s["subject"] == "Contoso Retail IT")
    pairs = [(c["a"], c["b"]) for c in contoso["blocks"][0]["comparisons"]]
    assert pairs[:4] == [
        ("cio", "it_leadership"),
        ("cio", "it_staff"),
        ("cio", "business_partner"),
        ("cio", "team"),
    ]
    assert "tilt" not in contoso["blocks"][0]
    assert contoso["coaching_focus"][0]["dimension"] == "order_taking"
    assert (
        "it_everywhere                IT everywhere"
        in run("dimensions", "--instrument", "it-archetypes")[1]
    )


def _instrument_file(tmp_path: Path, labels: list[str]) -> Path:
    dims = "\n".join(
        f'[[dimensions]]\nid = "d{n}"\nlabel = "{label}"\n' for n, label in enumerate(labels)
    )
    path = tmp_path / "i.toml"
    path.write_text(
        f'id = "intl"\n{dims}\n[[groups]]\nid = "self"\nlabel = "Сам"\nanonymous = false\n'
        '[[groups]]\nid = "team"\nlabel = "Команда"\n[roles]\nfocus = ["all_others"]\n',
        "utf-8",
    )
    return path


@pytest.mark.parametrize(
    "labels",
    [
        ["Исполнение", "Видение", "Этика", "Коучинг"],  # Cyrillic
        ["执行", "愿景", "道德", "辅导"],  # Chinese
        ["△", "□", "⬠", "⬡"],  # symbols, as items of a real ranking study
        ["Εκτέλεση", "Όραμα", "Ηθική", "Καθοδήγηση"],  # Greek
    ],
)
def test_labels_in_any_script_match_and_stay_apart(tmp_path: Path, labels: list[str]) -> None:
    path = _instrument_file(tmp_path, labels)
    instrument = load_instrument(str(path))
    assert [instrument.match_dimension(f" {label.upper()} ") for label in labels] == [
        f"d{n}" for n in range(len(labels))
    ]
    rows: list[list[object]] = [["Leader", "Роль", *labels]]
    rows += [["Анна", "Сам", 1, 2, 3, 4]] + [["Анна", "Команда", *r] for r in ([4, 3, 2, 1],) * 3]
    rows.append(["Анна", "Команда", 2, 1, 4, 3])
    survey = tmp_path / "s.csv"
    survey.write_text("\n".join(",".join(map(str, r)) for r in rows) + "\n", "utf-8")
    code, out, err = run("analyze", str(survey), "--instrument", str(path), "-f", "json")
    assert code == 0, err
    means = json.loads(out)["subjects"][0]["blocks"][0]["mean_rank"]["team"]
    assert [means[f"d{n}"] for n in range(4)] == [3.5, 2.5, 2.5, 1.5]  # by hand


def test_a_label_of_punctuation_only_is_an_instrument_error(tmp_path: Path) -> None:
    path = _instrument_file(tmp_path, ["Alpha", "Beta", "---", "Delta"])
    with pytest.raises(InstrumentError, match="'---' has no letter"):
        load_instrument(str(path))


def test_an_instrument_shaped_to_break_the_reader_is_one_line(tmp_path: Path) -> None:
    deep = _write(tmp_path / "deep.toml", "x = " + "[" * 50_000 + "]" * 50_000)
    with pytest.raises(InstrumentError, match="nested too deeply"):
        load_instrument(deep)
    # a lone string where a list belongs is one id, never split into its letters
    lone = MINIMAL.replace("[roles]", '[pooled]\nexcludes = "me"\n[roles]')
    assert load_instrument(_write(tmp_path / "lone.toml", lone)).pooled_excludes == ("me",)
    odd = MINIMAL.replace("[roles]", "[pooled]\nexcludes = 3\n[roles]")
    with pytest.raises(InstrumentError, match=r"\[pooled\] excludes must be a list"):
        load_instrument(_write(tmp_path / "odd.toml", odd))


def test_o_naming_a_folder_says_so(tmp_path: Path) -> None:
    code, _, err = run("analyze", str(EXAMPLES / "acme-wide.xlsx"), "-q", "-o", str(tmp_path))
    assert code == 1 and "is a folder; give -o a file name inside it" in err


def test_a_drafted_label_with_control_characters_stays_valid_toml() -> None:
    import tomllib

    from coachkit.instruments.draft import _quoted

    for text in ("a\x7fb", "tab\there", 'quote " and \\ slash', "bell\x07"):
        assert tomllib.loads(f"x = {_quoted(text)}")["x"] == text
