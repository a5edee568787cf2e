# ruff: noqa: RUF001  (Cyrillic labels are the point of a test here)
"""Headers and group labels in the languages the platforms export (German, French, Spanish), read
from the instrument files' [headers] table and group aliases, not from code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coachkit.instruments import load_instrument
from conftest import INSTRUMENT, LABELS, run

DIMS = INSTRUMENT.dimension_ids


def _rankings(n: int, seed: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    return [[int(v) for v in rng.permutation(12) + 1] for _ in range(n)]


def _analyze(path: Path) -> dict[str, Any]:
    code, out, err = run("analyze", str(path), "-f", "json", "--min-raters", "3")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def _means(document: dict[str, Any], group: str) -> list[float]:
    means = document["subjects"][0]["blocks"][0]["mean_rank"][group]
    return [means[d] for d in DIMS]


@pytest.mark.parametrize(
    ("leader", "relation", "labels"),
    [
        (
            "Führungskraft",
            "Beziehung",
            ["Selbsteinschätzung", "Vorgesetzte/r", "Kollege/Kollegin", "Mitarbeiter/in"],
        ),
        (
            "Leader évalué",
            "Relation",
            ["Auto-évaluation", "Supérieur hiérarchique", "Collègue", "Collaborateur"],
        ),
        ("Líder", "Relación", ["Autoevaluación", "Jefe directo", "Compañero", "Colaborador"]),
    ],
)
def test_a_wide_file_with_headers_and_groups_in_another_language(
    tmp_path: Path, leader: str, relation: str, labels: list[str]
) -> None:
    self_label, manager, peer, report = labels
    peers, reports = _rankings(3, 1), _rankings(3, 2)
    lines = [";".join(["Zeitstempel", leader, relation, *LABELS])]
    rows = [(self_label, list(range(1, 13))), (manager, list(range(12, 0, -1)))]
    rows += [(peer, r) for r in peers] + [(report, r) for r in reports]
    for n, (group, ranks) in enumerate(rows):
        lines.append(";".join([f"01.11.2026 10:0{n}", "Jürgen Müller", group, *map(str, ranks)]))
    path = tmp_path / "umfrage.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    document = _analyze(path)
    assert document["subjects"][0]["subject"] == "Jürgen Müller"
    assert _means(document, "peer") == pytest.approx(np.mean(peers, axis=0).tolist(), abs=1e-4)
    assert _means(document, "direct_report") == pytest.approx(
        np.mean(reports, axis=0).tolist(), abs=1e-4
    )
    assert _means(document, "manager") == [float(v) for v in range(12, 0, -1)]


def test_a_tidy_file_with_french_headers(tmp_path: Path) -> None:
    peers = _rankings(3, 3)
    lines = ["Leader évalué,Répondant,Rôle,Compétence,Classement"]
    raters = [("r0", "Auto-évaluation", list(range(1, 13)))]
    raters += [(f"r{n + 1}", "Collègue", r) for n, r in enumerate(peers)]
    for rater, group, ranks in raters:
        lines += [
            f"Ana,{rater},{group},{label},{rank}" for label, rank in zip(LABELS, ranks, strict=True)
        ]
    path = tmp_path / "tidy.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    document = _analyze(path)
    assert document["inputs"][0]["source_format"] == "tidy"
    assert _means(document, "peer") == pytest.approx(np.mean(peers, axis=0).tolist(), abs=1e-4)


def test_the_words_are_data_in_the_instrument_files() -> None:
    for name in ("leadership-12", "it-archetypes"):
        instrument = load_instrument(name)
        assert instrument.header_words("group") and instrument.header_words("rater")
    assert "fuhrungskraft" in load_instrument("leadership-12").header_words("leader")


CYRILLIC = """
id = "cyrillic-4"
name = "Приоритеты"
pairs = [["self", "peer"]]

[[families]]
id = "all"
label = "Все"

[[dimensions]]
id = "vision"
label = "Видение"
family = "all"

[[dimensions]]
id = "execution"
label = "Исполнение"
family = "all"

[[dimensions]]
id = "teams"
label = "Команды"
family = "all"

[[dimensions]]
id = "ethics"
label = "Этика"
family = "all"

[[groups]]
id = "self"
label = "Самооценка"
anonymous = false

[[groups]]
id = "peer"
label = "Коллеги"
anonymous = true
aliases = ["Коллега"]

[pooled]
id = "all_others"
label = "Все остальные"
excludes = ["self"]

[roles]
self = "self"
focus = ["all_others"]
"""


def test_a_tidy_file_whose_headers_no_list_knows_is_told_by_its_values(tmp_path: Path) -> None:
    """Cyrillic headers over Cyrillic labels, with a matching instrument: the column of labels
    and the column of ranks say what the file is; the group labels and the ids say the rest."""
    instrument = tmp_path / "cyrillic.toml"
    instrument.write_text(CYRILLIC, "utf-8")
    labels = ["Видение", "Исполнение", "Команды", "Этика"]
    peers = [[2, 1, 4, 3], [1, 3, 2, 4], [4, 2, 1, 3]]
    raters = [("о-1", "Самооценка", [1, 2, 3, 4])]
    raters += [(f"о-{n + 2}", "Коллега", r) for n, r in enumerate(peers)]
    lines = ["Лидер,Респондент,Роль,Компетенция,Ранг"]
    for leader in ("Иван Петров", "Анна Смирнова"):
        for rater, group, ranks in raters:
            lines += [
                f"{leader},{rater}-{leader[:1]},{group},{label},{rank}"
                for label, rank in zip(labels, ranks, strict=True)
            ]
    path = tmp_path / "tidy.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    code, out, err = run(
        "analyze", str(path), "--instrument", str(instrument), "-f", "json", "--min-raters", "3"
    )
    assert code == 0, err
    document = json.loads(out)
    assert [s["subject"] for s in document["subjects"]] == ["Иван Петров", "Анна Смирнова"]
    means = document["subjects"][1]["blocks"][0]["mean_rank"]["peer"]
    expected = np.mean(peers, axis=0).tolist()
    assert [means[d] for d in ("vision", "execution", "teams", "ethics")] == pytest.approx(
        expected, abs=1e-4
    )
    assert document["inputs"][0]["responses_used"] == 8
