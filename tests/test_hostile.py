"""Hostile files: XML and zip bombs, disguised formats, limits, anonymity across every command."""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from coachkit.errors import InputError
from coachkit.io import ReadOptions, limits, read_source
from conftest import EXAMPLES, IDENTITY, INSTRUMENT, LABELS, REVERSED, ROOT, run, write_wide


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def _workbook(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["Leader", "Relationship", *LABELS])
    sheet.append(["Ann", "Self", *IDENTITY])
    book.save(path)
    return path


def _replace_part(source: Path, target: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            new.writestr(name, data if name == part else old.read(name))
    return target


def _error(path: Path) -> str:
    code, out, err = run("analyze", str(path))
    assert (code, out) == (1, ""), err
    assert err.startswith("error: ") and err.count("\n") == 1
    return err


def test_billion_laughs_is_refused(tmp_path: Path) -> None:
    base = _workbook(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 2 else "") + ";") * 10}">'
        for i in range(2, 10)
    )
    bomb = f'<?xml version="1.0"?><!DOCTYPE lolz [{entities}]>' + re.sub(
        r"<t>Ann</t>", "<t>&lol9;</t>", sheet
    )
    path = _replace_part(base, tmp_path / "laughs.xlsx", "xl/worksheets/sheet1.xml", bomb.encode())
    assert "declares XML entities" in _error(path)


@pytest.mark.parametrize("before", ["<!--" + "x" * 5000 + "-->", "<?pi " + "y" * 5000 + "?>"])
def test_a_dtd_after_a_long_comment_is_refused_too(tmp_path: Path, before: str) -> None:
    """The DTD check reads up to the first element, however long the comments before it."""
    base = _workbook(tmp_path / "base.xlsx")
    with zipfile.ZipFile(base) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    body = sheet.split("?>", 1)[-1]  # after the declaration, if there is one
    crafted = f'<?xml version="1.0"?>{before}<!DOCTYPE w [<!ENTITY e "Ann">]>' + body.replace(
        "<t>Ann</t>", "<t>&e;</t>"
    )
    path = _replace_part(base, tmp_path / "late.xlsx", "xl/worksheets/sheet1.xml", crafted.encode())
    assert "declares XML entities" in _error(path)


def test_zip_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    base = _workbook(tmp_path / "base.xlsx")
    huge = b"<worksheet>" + b" " * (64 << 20) + b"</worksheet>"  # 64 MiB that zips to about 64 KiB
    path = _replace_part(base, tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", huge)
    assert path.stat().st_size < 1 << 20
    assert "as a zip bomb does" in _error(path)


def test_workbook_expanding_past_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNCOMPRESSED", 1000)
    with pytest.raises(InputError, match=r"expands to .* over the"):
        read_source(str(_workbook(tmp_path / "w.xlsx")), INSTRUMENT, ReadOptions())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "locked.xlsx",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
            "encrypted or password-protected",
        ),
        ("binary.xlsb", b"PK\x03\x04" + bytes(100), "a damaged workbook"),
        ("sheet.ods", b"PK\x03\x04" + bytes(100), "a damaged workbook"),
        ("report.pdf", b"%PDF-1.4", "a PDF document"),
        ("page.xls", b"<!DOCTYPE html><html><body>survey</body></html>", "HTML or XML page"),
        ("data.xlsx", b"Leader,Relationship\nAnn,Self\n", "plain text, not an Excel workbook"),
        ("noise.xls", bytes(range(256)) * 4, "not an Excel workbook"),
        ("survey.docx", b"PK\x03\x04", ".docx files are not read"),
    ],
)
def test_disguised_and_unsupported_files(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert message in _error(path)


def test_zip_containers_that_are_not_workbooks(tmp_path: Path) -> None:
    ods = tmp_path / "renamed.xlsx"
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    assert "is an OpenDocument spreadsheet under a .xlsx name; rename it to .ods" in _error(ods)
    plain = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "a zip archive, not an Excel workbook" in _error(plain)
    xlsb = tmp_path / "binary.xlsx"
    with zipfile.ZipFile(xlsb, "w") as archive:
        archive.writestr("xl/workbook.bin", b"\x00\x01")
    assert "is a .xlsb workbook under a .xlsx name; rename it to .xlsb" in _error(xlsb)


def test_size_and_cell_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    survey = write_wide(tmp_path / "s.csv", [("Ann", "r1", "Self", IDENTITY)] * 5)
    monkeypatch.setattr(limits, "MAX_CELLS", 20)
    with pytest.raises(InputError, match="6 rows x 15 columns is over the limit of 20 cells"):
        read_source(str(survey), INSTRUMENT, ReadOptions())
    with pytest.raises(InputError, match="over the limit of 20 cells"):
        read_source(str(_workbook(tmp_path / "w.xlsx")), INSTRUMENT, ReadOptions())
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError, match=r"is over the .* limit; split the file"):
        read_source(str(survey), INSTRUMENT, ReadOptions())


def test_defaults_leave_room_for_a_million_rows() -> None:
    assert limits.MAX_CELLS >= 1_000_000 * 20
    assert limits.MAX_FILE_BYTES >= 200 << 20


def _secrets() -> set[str]:
    from openpyxl import load_workbook

    book = load_workbook(EXAMPLES / "acme-wide.xlsx", read_only=True)
    rows = list(book["Responses"].iter_rows(min_row=2, values_only=True))
    book.close()
    ids = {str(r[0]) for r in rows} | {str(r[1]) for r in rows} | {str(r[-1]) for r in rows}
    cohort = (EXAMPLES / "cohort-2026.csv").read_text().splitlines()[1:]
    return ids | {line.split(",")[1] for line in cohort}


def _text_of(path: Path) -> str:
    """A written output as text; a workbook's XML parts for .xlsx."""
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            return "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    return path.read_text("utf-8")


@pytest.mark.parametrize("fmt", ["table", "markdown", "json", "csv", "html", "xlsx"])
def test_no_command_reveals_raters(tmp_path: Path, fmt: str) -> None:
    secrets = _secrets()
    runs = {
        "org": ["org", "examples/acme-wide.xlsx", "examples/cohort-2026.csv"],
        "compare": ["compare", "examples/cohort-2025.csv", "examples/cohort-2026.csv"],
        "analyze": ["analyze", "examples/acme-wide.xlsx", "examples/cohort-2026.csv"],
    }
    outputs = []
    for name, args in runs.items():
        target = tmp_path / f"{name}.{fmt}"
        assert run(*args, "-f", fmt, "-o", str(target))[0] == 0
        outputs.append(_text_of(target))
    out = tmp_path / "batch"
    run("batch", "examples/acme-wide.xlsx", "examples/cohort-2026.csv", "-d", str(out), "-f", fmt)
    outputs += [_text_of(p) for p in out.rglob("*") if p.is_file()]
    for text in outputs:
        assert text.strip()
        leaked = [s for s in secrets if s in text]
        assert not leaked
        assert "@acme.example" not in text


def test_counts_add_up_on_every_example() -> None:
    for example in sorted(EXAMPLES.glob("*.*")):
        if example.suffix == ".py" or example.name.startswith("it-") or "roster" in example.name:
            continue
        document = json.loads(run("validate", str(example), "-f", "json")[1])
        source = read_source(str(example), INSTRUMENT, ReadOptions())
        (summary,) = document["inputs"]
        assert summary["responses_used"] + summary["responses_excluded"] == len(source.responses), (
            example
        )
        assert len(document["excluded"]) == summary["responses_excluded"]
        assert (
            sum(sum(s["responses"].values()) for s in document["subjects"])
            == summary["responses_used"]
        )


def test_min_raters_below_three_warns_for_every_command(tmp_path: Path) -> None:
    for args in (
        ["analyze", "examples/acme-tidy.csv"],
        ["org", "examples/acme-tidy.csv"],
        ["compare", "examples/cohort-2025.csv", "examples/cohort-2026.csv"],
        ["batch", "examples/acme-tidy.csv", "-d", str(tmp_path / "b")],
    ):
        code, _, err = run(*args, "--min-raters", "2")
        assert code == 0 and "anonymity of raters is weakened" in err, args


def test_org_minus_a_report_reveals_no_suppressed_rater(tmp_path: Path) -> None:
    """A has one peer (suppressed in A's report), B three: the organization's peers are B's
    three, so org x n - B's report x 3 is nothing, not A's peer's ranking."""
    lone = [3, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    rows = [
        ("A", "a0", "Self", IDENTITY),
        ("A", "a1", "Manager", REVERSED),
        ("A", "a2", "Peer", lone),
        ("B", "b0", "Self", IDENTITY),
        *(("B", f"b{n}", "Peer", REVERSED) for n in range(1, 4)),
    ]
    path = write_wide(tmp_path / "cohort.csv", rows)
    org = json.loads(run("org", str(path), "-f", "json", "-q")[1])
    peers = next(g for g in org["groups"] if g["group"] == "peer")
    report = json.loads(run("analyze", str(path), "-f", "json", "-q")[1])
    b_peers = report["subjects"][1]["blocks"][0]["mean_rank"]["peer"]
    assert peers["n"] == 3
    leaked = {d: peers["mean_rank"][d] * peers["n"] - b_peers[d] * 3 for d in b_peers}
    assert all(abs(v) < 1e-6 for v in leaked.values())
    a_groups = {g["group"]: g["reported"] for g in report["subjects"][0]["groups"]}
    assert a_groups["peer"] is False and a_groups["all_others"] is False


def test_compare_withholds_a_group_that_gained_a_rater(tmp_path: Path) -> None:
    """Peers 3 -> 4: 4 x after - 3 x before would be the new peer's ranking (and tilt)."""
    base = [("Ann", "s", "Self", IDENTITY), ("Ann", "m", "Manager", REVERSED)]
    peers = [("Ann", f"p{n}", "Peer", IDENTITY) for n in range(3)]
    before = write_wide(tmp_path / "before.csv", [*base, *peers])
    newcomer = ("Ann", "p9", "Peer", [12, 11, 10, 9, 8, 7, 1, 2, 3, 4, 5, 6])
    after = write_wide(tmp_path / "after.csv", [*base, *peers, newcomer])
    document = json.loads(run("compare", str(before), str(after), "-f", "json", "-q")[1])
    (change,) = document["subjects"]
    assert change["withheld"] == ["peer", "all_others"]
    assert "peer" not in change["after"]["tilt"] and "all_others" not in change["after"]["tilt"]
    assert all("peer" not in c["pair"] and "all_others" not in c["pair"] for c in change["closed"])
    assert change["after"]["self_all_others_spearman"] is None
    code, out, _ = run("compare", str(before), str(after), "-q")
    assert code == 0 and "not compared: Peers, All others" in out


def test_the_same_data_twice_lifts_no_suppressed_group(tmp_path: Path) -> None:
    rows = [("Ann", "", "Self", IDENTITY), ("Ann", "", "Manager", REVERSED)]
    rows += [("Ann", "", "Peer", IDENTITY), ("Ann", "", "Peer", REVERSED)]  # two peers: suppressed
    survey = write_wide(tmp_path / "survey.csv", rows)
    copy = tmp_path / "survey (1).csv"
    copy.write_bytes(survey.read_bytes())
    code, _, err = run("analyze", str(survey), str(copy))
    assert code == 1 and "holds the same data as" in err
    doubled = write_wide(tmp_path / "doubled.csv", rows + rows[2:])  # the rows pasted twice
    document = json.loads(run("analyze", str(doubled), "-f", "json", "-q")[1])
    groups = {g["group"]: g for g in document["subjects"][0]["groups"]}
    assert groups["peer"]["n"] == 2 and not groups["peer"]["reported"]
    assert [e["row"] for e in document["excluded"]] == [6, 7]
    kept = json.loads(run("analyze", str(doubled), "-f", "json", "-q", "--keep-identical")[1])
    assert {g["group"]: g["n"] for g in kept["subjects"][0]["groups"]}["peer"] == 4


def test_text_typed_into_cells_never_reaches_an_output(tmp_path: Path) -> None:
    """A name in a rank cell and an e-mail in the group column are described, never quoted."""
    ranks: list[object] = [*IDENTITY]
    ranks[3] = "Jane Doe"
    rows: list[tuple[str, str, str, Sequence[object]]] = [
        ("Ann", "a", "Self", IDENTITY),
        ("Ann", "b", "Manager", ranks),
        *(("Ann", f"p{n}", "Peer", REVERSED) for n in range(3)),
    ]
    path = write_wide(tmp_path / "s.csv", rows)
    for fmt in ("table", "markdown", "json", "csv", "html"):
        code, out, err = run("analyze", str(path), "-f", fmt, "-q")
        assert code == 0 and "Jane" not in out and "Jane" not in err, fmt
    code, out, _ = run("validate", str(path))
    assert "Jane" not in out and "text (8 characters) in Communication skills" in out
    leaked = write_wide(tmp_path / "g.csv", [("Ann", "a", "jane.doe@example.org", IDENTITY)])
    code, _, err = run("analyze", str(leaked))
    assert code == 1 and "jane" not in err and "holds an e-mail address, not a group" in err
    out_dir = tmp_path / "reports"
    run("batch", str(leaked), "--output-dir", str(out_dir), "-q")
    assert "jane" not in (out_dir / "index.md").read_text("utf-8")


def test_stdin_and_output_on_the_same_file(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    survey = tmp_path / "in.csv"
    shutil.copy(EXAMPLES / "by-family.csv", survey)
    before = survey.read_bytes()
    with survey.open("rb") as stdin:
        done = subprocess.run(
            [sys.executable, "-m", "coachkit", "analyze", "-", "-o", str(survey)],
            stdin=stdin,
            capture_output=True,
            text=True,
        )
    assert done.returncode == 1 and "over an input file" in done.stderr
    assert survey.read_bytes() == before


def test_an_instrument_never_lowers_the_minimum(tmp_path: Path) -> None:
    text = (ROOT / "src" / "coachkit" / "instruments" / "leadership-12.toml").read_text("utf-8")
    lowered = tmp_path / "lowered.toml"
    lowered.write_text(
        text.replace(
            'id = "peer"\nlabel = "Peers"\n', 'id = "peer"\nlabel = "Peers"\nmin_raters = 1\n'
        ),
        "utf-8",
    )
    rows = [("Ann", "a", "Self", IDENTITY), *(("Ann", f"p{n}", "Peer", REVERSED) for n in range(2))]
    path = write_wide(tmp_path / "s.csv", rows)
    code, out, err = run(
        "analyze", str(path), "--instrument", str(lowered), "--min-raters", "5", "-f", "json"
    )
    groups = {g["group"]: g["reported"] for g in json.loads(out)["subjects"][0]["groups"]}
    assert code == 0 and groups["peer"] is False
    assert "the stricter --min-raters 5 applies" in err
    code, _, err = run("analyze", str(path), "--group-map", "Peer=manager")
    assert "moves 'peer' raters (an anonymous group) into manager" in err


def test_a_template_runs_no_python(tmp_path: Path) -> None:
    template = tmp_path / "evil.md.j2"
    template.write_text(
        "{{ report.__class__.__mro__[-1].__subclasses__() }}"
        "{{ cycler.__init__.__globals__.os.system('id') }}",
        "utf-8",
    )
    code, out, err = run(
        "analyze", "examples/by-family.csv", "-f", "markdown", "--template", str(template)
    )
    assert code == 1 and "error: " in err and "may not" in err and "uid=" not in out + err


def test_no_escape_sequence_reaches_a_terminal(tmp_path: Path) -> None:
    bell = "\x1b]0;pwned\x07\x1b[31mRed\x1b[0m"
    rows = [(f"Ann{bell}", "a", "Self", IDENTITY), (f"Ann{bell}", "b", "Manager", REVERSED)]
    named = tmp_path / f"s{chr(27)}[2J.csv"
    path = write_wide(named, rows)
    for args in (
        ["analyze", str(path)],
        ["validate", str(path)],
        ["compare", str(path), str(path)],
        ["inspect", str(path)],
        ["analyze", str(tmp_path / f"missing{chr(27)}[2J.csv")],
    ):
        _, out, err = run(*args)
        assert "\x1b" not in out + err, args
    text = (ROOT / "src" / "coachkit" / "instruments" / "leadership-12.toml").read_text("utf-8")
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(text.replace('label = "Execution"', f'label = "Execution{bell}"'), "utf-8")
    _, out, err = run("dimensions", "--instrument", str(hostile))
    assert "\x1b" not in out + err


def test_writes_refuse_devices_and_report_full_disks(tmp_path: Path) -> None:
    import subprocess
    import sys

    code, _, err = run("analyze", "examples/by-family.csv", "-q", "-o", "/dev/null")
    assert code == 1 and "is not a regular file" in err
    full_device = Path("/dev/full")
    if full_device.exists():
        with full_device.open("wb") as full:
            done = subprocess.run(
                [sys.executable, "-m", "coachkit", "analyze", "examples/by-family.csv", "-q"],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        assert done.returncode == 1 and "cannot write the report to standard output" in done.stderr
    # a planted link where a fixed temporary name used to be redirects nothing
    target = tmp_path / "report.md"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", "utf-8")
    (tmp_path / ".report.md.coachkit-tmp").symlink_to(victim)
    assert run("analyze", "examples/by-family.csv", "-q", "-o", str(target))[0] == 0
    assert victim.read_text("utf-8") == "keep me" and target.read_text("utf-8").startswith("#")


def test_a_batch_goes_on_past_a_file_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    clients = tmp_path / "clients"
    (clients / "locked").mkdir(parents=True)
    write_wide(clients / "a.csv", [("Ann", "r", "Self", IDENTITY)])
    write_wide(clients / "b.csv", [("Bo", "r", "Self", IDENTITY)])
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / "ann.md").mkdir()  # where a's report would go: a folder, so it cannot be written
    real = os.scandir

    def scandir(path: str = ".") -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, stdout, stderr = run("batch", str(clients), "--output-dir", str(out), "-q")
    assert code == 1
    assert (out / "b" / "bo.md").is_file() and "bo.md" in stdout
    assert "locked: cannot be searched (Permission denied)" in stderr
    index = (out / "index.md").read_text("utf-8")
    assert "a.csv" in index and "locked" in index


@pytest.mark.parametrize(
    "toml",
    [
        'dimensions = "none"\ngroups = []',
        "dimensions = [1, 2, 3]\ngroups = []",
        '[[dimensions]]\nlabel = "A"\n[[groups]]\nid = "g"',
        '[[dimensions]]\nid = 3\nlabel = "A"\n[[groups]]\nid = "g"',
        'dimensions = [{id = "a", label = "A"}]\ngroups = "team"',
        'dimensions = [{id = "a", label = "A"}, {id = "b", label = "B"}, {id = "c", label = "C"}]\n'
        'groups = [{id = "g", min_raters = "many"}]',
        'dimensions = [{id = "a", label = "A"}, {id = "b", label = "B"}, {id = "c", label = "C"}]\n'
        'groups = [{id = "g"}]\npairs = [["g"]]',
        'dimensions = [{id = "a", label = "A"}, {id = "b", label = "B"}, {id = "c", label = "C"}]\n'
        'groups = [{id = "g"}]\n[tilt]\nfirst = "x"',
        'dimensions = [{id = "a", label = "A"}, {id = "b", label = "B"}, {id = "c", label = "C"}]\n'
        'groups = [{id = "g"}]\nroles = "me"',
        'dimensions = [{id = "a", label = "A", aliases = "x"}, {id = "b", label = "B"}, {id = "c", '
        'label = "C"}]\ngroups = [{id = "g"}]\n[roles]\nfocus = ["g"]',
        'families = "all"\ndimensions = [{id = "a", label = "A"}]\ngroups = [{id = "g"}]',
        'dimensions = [{id = "a", label = "A"}, {id = "b", label = "B"}, {id = "c", label = "C"}]\n'
        'groups = [{id = "g"}]\npooled = ["all"]',
    ],
)
def test_a_malformed_instrument_is_one_error_line(tmp_path: Path, toml: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, "utf-8")
    code, _, err = run("dimensions", "--instrument", str(path))
    assert code == 1 and err.startswith("error: ") and "unexpected" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_pooled_group_in_the_data_and_odd_names_in_workbooks(tmp_path: Path) -> None:
    rows = [("Ann", "a", "Self", IDENTITY), ("Ann", "b", "All others", REVERSED)]
    code, _, err = run("analyze", str(write_wide(tmp_path / "p.csv", rows)))
    assert code == 1 and "is the group coachkit pools from the others" in err
    from openpyxl import load_workbook

    names = ["Nan", "Infinity", "1e5", "0012", "Ann\x01Lee"]
    path = write_wide(tmp_path / "n.csv", [(n, "a", "Self", IDENTITY) for n in names])
    out = tmp_path / "n.xlsx"
    code, _, err = run("analyze", str(path), "-f", "xlsx", "-o", str(out), "-q")
    assert code == 0, err
    column = [c.value for c in load_workbook(out)["Summary"]["A"][1:]]
    assert column == ["Nan", "Infinity", "1e5", "0012", "Ann Lee"]


def test_a_very_wide_csv_is_refused_before_it_is_built(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("Leader," + ",".join(f"c{i}" for i in range(40_000)) + "\nAnn\n", "utf-8")
    code, _, err = run("analyze", str(wide))
    assert code == 1 and "columns is over the limit" in err
    later = tmp_path / "later.csv"  # a ragged row far below the head
    lines = ["Leader,Relationship," + ",".join(LABELS)]
    lines += ["Ann,Self," + ",".join(map(str, IDENTITY))] * 300 + ["," * 1_000_000]
    later.write_text("\n".join(lines) + "\n", "utf-8")
    code, _, err = run("analyze", str(later))
    assert code == 1 and "columns is over the limit" in err


def _far_workbook(path: Path, reference: str, dimension: str | None = None) -> Path:
    """A small workbook whose sheet XML holds one cell at a far reference."""
    book = Workbook()
    book.active.append(["Leader", "Relationship", *LABELS])
    book.active.append(["Ann", "Self", *IDENTITY])
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    far = f'<row r="{reference[1:]}"><c r="{reference}" t="n"><v>1</v></c></row>'
    sheet = sheet.replace("</sheetData>", far + "</sheetData>")
    if dimension:
        sheet = re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"', sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("reference", "dimension", "message"),
    [
        ("A4294967295", None, "beyond Excel's own limits"),
        ("GR1048576", "A1:GR1048576", "over the limit"),
    ],
)
def test_far_cell_references_end_in_one_error_and_the_batch_goes_on(
    tmp_path: Path, reference: str, dimension: str | None, message: str
) -> None:
    import time

    folder = tmp_path / "in"
    folder.mkdir()
    _far_workbook(folder / "far.xlsx", reference, dimension)
    write_wide(folder / "good.csv", [("Bo", "r", "Self", IDENTITY)])
    started = time.process_time()  # CPU time: a loaded machine does not fail it
    code, _, err = run("analyze", str(folder / "far.xlsx"))
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1
    code, stdout, err = run("batch", str(folder), "--output-dir", str(tmp_path / "out"), "-q")
    assert code == 1 and "good/bo.md" in stdout and message in err
    assert time.process_time() - started < 20  # the far reference costs nothing to find


def _sheet_with(path: Path, rows: str, dimension: str | None = None) -> Path:
    """A workbook written as XML: one sheet of these `<row>` elements (and a dimension tag)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    types = "http://schemas.openxmlformats.org/package/2006/content-types"
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    parts = {
        "[Content_Types].xml": f'<Types xmlns="{types}"><Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kind}.worksheet+xml"/>'
        "</Types>",
        "_rels/.rels": f'<Relationships xmlns="{package}"><Relationship Id="rId1" '
        f'Type="{relations}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
        '<sheet name="Survey" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{package}"><Relationship '
        f'Id="rId1" Type="{relations}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}">{dim}<sheetData>{rows}'
        "</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + data)
    return path


def _survey_rows() -> str:
    """A header and one self-assessment, as sheet XML rows."""
    from openpyxl.utils import get_column_letter

    def row(number: int, values: Sequence[object]) -> str:
        cells = "".join(
            f'<c r="{get_column_letter(i + 1)}{number}"><v>{v}</v></c>'
            if isinstance(v, int)
            else f'<c r="{get_column_letter(i + 1)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
            for i, v in enumerate(values)
        )
        return f'<row r="{number}">{cells}</row>'

    return row(1, ["Leader", "Relationship", *LABELS]) + row(2, ["Ann", "Self", *IDENTITY])


def _processor_time() -> float:
    """The processor time of this process and of its finished children (the reading child)."""
    import resource
    import time

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@pytest.mark.parametrize(
    ("rows", "dimension", "code", "said"),
    [
        # the whole workbook: one cell in the sheet's last row
        ('<row r="1048576"><c r="A1048576"><v>1</v></c></row>', None, 1, "no sheet holds"),
        # a survey whose dimension tag claims every cell of the sheet
        (_survey_rows(), "A1:XFD1048576", 0, ""),
        # a survey and an empty cell (a reference with no value) in the sheet's last corner
        (_survey_rows() + '<row r="1048576"><c r="XFD1048576" s="1"/></row>', None, 0, ""),
        # a survey and one value a million rows below it
        (
            _survey_rows() + '<row r="1048576"><c r="N1048576"><v>1</v></c></row>',
            None,
            1,
            "N1048576",
        ),
    ],
)
def test_the_used_range_comes_from_real_cells_and_a_far_one_costs_nothing(
    tmp_path: Path, rows: str, dimension: str | None, code: int, said: str
) -> None:
    """A cell reference far away (a dimension tag, an empty cell, one value in the last row) is
    read in a moment or refused in one line, whatever the machine's load: references without a
    value are no part of the used range, and a value far from every other is named."""
    path = _sheet_with(tmp_path / "far.xlsx", rows, dimension)
    assert path.stat().st_size < 2_500
    started = _processor_time()  # processor time: a loaded machine does not fail it
    exit_code, out, err = run("analyze", str(path), "-f", "json")
    assert _processor_time() - started < 1.5
    assert exit_code == code, err
    if code:
        assert err.startswith("error: ") and err.count("\n") == 1 and said in err
    else:
        assert json.loads(out)["inputs"][0]["responses_used"] == 1


def test_a_reader_crash_becomes_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever takes the reading process down (an abort in calamine, a memory overrun) ends as
    one error line for that file: the child dies, the run does not."""
    import os

    from coachkit.io import files

    def abort(file: Path, sheet: str | None) -> object:
        os.abort()

    monkeypatch.setattr(files, "_read_workbook", abort)
    code, _, err = run("analyze", str(EXAMPLES / "acme-wide.xlsx"))
    assert code == 1 and "the reader stopped on this workbook (signal 6)" in err


@pytest.mark.slow  # waits for the limit, twice over (CI runs it)
def test_a_reader_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from coachkit.io import files, isolate

    def hang(file: Path, sheet: str | None) -> object:
        time.sleep(60)
        return []

    monkeypatch.setattr(files, "_read_workbook", hang)
    monkeypatch.setattr(isolate, "SECONDS", 1.0)
    monkeypatch.setattr(isolate.isolated, "__defaults__", (1.0,))
    monkeypatch.setattr(isolate, "WALL_FACTOR", 1)  # a reader that waits: the wall clock's
    code, _, err = run("analyze", str(EXAMPLES / "acme-wide.xlsx"))
    # the reader sleeps a minute: only the 1-second limit stopping it gives this message
    assert code == 1 and "reading took over 1 seconds and was stopped" in err


def test_a_reader_that_bloats_is_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from coachkit.io import files

    def bloat(file: Path, sheet: str | None) -> object:
        return [bytearray(4 << 30)]  # 4 GiB

    monkeypatch.setattr(files, "_read_workbook", bloat)
    code, _, err = run("analyze", str(EXAMPLES / "acme-wide.xlsx"))
    assert code == 1 and "needs more than 1024 MiB" in err


def test_special_files_and_long_cells_end_quickly(tmp_path: Path) -> None:
    import os
    import time

    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    for path in (fifo, zero):
        code, _, err = run("analyze", str(path))
        assert code == 1 and "is not a regular file" in err
    long = tmp_path / "long.csv"
    cells = ["x" * 60_000 + "1st", *map(str, IDENTITY[1:])]
    long.write_text(
        "Leader,Relationship," + ",".join(LABELS) + "\nAnn,Self," + ",".join(cells) + "\n", "utf-8"
    )
    started = time.process_time()  # CPU time: a loaded machine does not fail it
    code, out, _ = run("validate", str(long))
    assert code == 1 and "text (60003 characters) in Vision and strategy" in out  # a count
    assert "xxxxxxxx" not in out and time.process_time() - started < 5


def test_a_planted_link_at_the_output_is_refused_never_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", "utf-8")
    link = tmp_path / "report.json"
    link.symlink_to(victim)
    code, _, err = run("analyze", str(EXAMPLES / "acme-wide.xlsx"), "-f", "json", "-o", str(link))
    assert code == 1 and "is a symbolic link" in err
    assert victim.read_text("utf-8") == "precious" and link.is_symlink()


def test_a_batch_never_writes_through_a_planted_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "acme-wide").symlink_to(
        elsewhere
    )  # the folder the batch would write a file's reports in
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", "utf-8")
    (out / "index.json").symlink_to(victim)
    code, _, err = run(
        "batch", str(EXAMPLES / "acme-wide.xlsx"), "--output-dir", str(out), "-f", "json"
    )
    assert code != 0 and "is a symbolic link" in err
    assert not any(elsewhere.iterdir()) and victim.read_text("utf-8") == "precious"


# a leader's self-assessment and manager, the start of several files below
_ANN: list[tuple[str, str, str, Sequence[object]]] = [
    ("Ann", "s", "Self", IDENTITY),
    ("Ann", "m", "Manager", REVERSED),
]


@pytest.mark.parametrize(
    ("partial_peers", "warned"), [(0, False), (1, True), (2, True), (3, False)]
)
def test_allow_partial_that_adds_fewer_than_the_minimum_says_so(
    tmp_path: Path, partial_peers: int, warned: bool
) -> None:
    # a report with and one without --allow-partial differ by the completed raters alone: fewer
    # than --min-raters of them come close to their own rankings
    partial: list[object] = list(REVERSED)
    partial[5] = ""
    rows: list[tuple[str, str, str, Sequence[object]]] = list(_ANN)
    rows += [("Ann", f"p{n}", "Peer", IDENTITY) for n in range(3)]
    rows += [("Ann", f"q{n}", "Peer", partial) for n in range(partial_peers)]
    path = write_wide(tmp_path / "partial.csv", rows)
    code, _, err = run("analyze", str(path), "--allow-partial", "-f", "json")
    assert code == 0
    assert ("--allow-partial adds" in err and "of 'Ann'" in err) is warned


_SIZES = st.fixed_dictionaries(
    {
        "manager": st.integers(0, 2),
        "peer": st.integers(0, 7),
        "direct_report": st.integers(0, 7),
        "other": st.integers(0, 5),
    }
)


def _rows(name: str, sizes: dict[str, int], seed: int) -> list[tuple[str, str, list[int]]]:
    import random

    rng = random.Random(seed)
    rows = [(name, "self", rng.sample(IDENTITY, len(IDENTITY)))]
    for group, n in sizes.items():
        rows += [(name, group, rng.sample(IDENTITY, len(IDENTITY))) for _ in range(n)]
    return rows


@given(before=_SIZES, after=_SIZES, min_raters=st.integers(2, 4), seed=st.integers(0, 99))
def test_no_report_or_comparison_leaves_a_few_raters_to_subtraction(
    before: dict[str, int], after: dict[str, int], min_raters: int, seed: int
) -> None:
    """For any group sizes and minimum: in one report, the reported pool less the reported
    groups in it leaves none or at least min-raters raters; and between two assessments, in
    either direction, no group whose rater count moved by 1 to min-raters - 1 shows a change."""
    from coachkit.analysis import analyze
    from coachkit.analysis.compare import compare_reports
    from conftest import dataset_for

    first = analyze(dataset_for(_rows("Ann", before, seed)), min_raters=min_raters)
    second = analyze(dataset_for(_rows("Ann", after, seed + 1)), min_raters=min_raters)
    anonymous = set(first.instrument.anonymous)
    for report in (first, second):
        (subject,) = report.subjects
        n = {g.group: g.n for g in subject.groups if g.reported}
        if "all_others" in n:
            rest = n["all_others"] - sum(v for g, v in n.items() if g not in ("self", "all_others"))
            assert rest == 0 or rest >= min_raters
        # a suppressed group's numbers appear nowhere
        hidden = {g.group for g in subject.groups if not g.reported}
        for block in subject.blocks:
            assert not hidden & set(block.mean_rank)
    for old, new in ((first, second), (second, first)):  # raters gained, and raters lost
        (change,) = compare_reports(old, new).subjects
        was = {g.group: g.n for g in old.subjects[0].groups if g.reported}
        now = {g.group: g.n for g in new.subjects[0].groups if g.reported}
        for group in anonymous & set(was) & set(now):
            if 0 < abs(now[group] - was[group]) < min_raters:
                assert group in change.withheld
                assert group not in change.tilt
                moved = (*change.closed, *change.opened, *change.reversed)
                assert not any(group in c.pair.split("-") for c in moved)


def test_a_batch_over_an_export_and_its_reexport_writes_one_report_of_the_leader(
    tmp_path: Path,
) -> None:
    """Monday's export and Friday's with one more peer, in one folder: both reports side by side
    would give the late peer's ranking away (4 x after - 3 x before), so the second is refused."""
    folder = tmp_path / "exports"
    folder.mkdir()
    base = [("Ann", "s", "Self", IDENTITY), ("Ann", "m", "Manager", REVERSED)]
    peers = [("Ann", f"p{n}", "Peer", IDENTITY) for n in range(3)]
    late = ("Ann", "p9", "Peer", [12, 11, 10, 9, 8, 7, 1, 2, 3, 4, 5, 6])
    others = [("Bo", "s", "Self", IDENTITY), ("Bo", "m", "Manager", REVERSED)]
    write_wide(folder / "a-monday.csv", [*base, *peers, *others])
    write_wide(folder / "b-friday.csv", [*base, *peers, late, *others])
    out = tmp_path / "out"
    code, _, err = run("batch", str(folder), "--output-dir", str(out), "-f", "json", "-q")
    assert code == 1 and "is in a-monday.csv too" in err and "Peers, All others" in err
    assert (out / "a-monday" / "ann.json").is_file()
    assert not (out / "b-friday" / "ann.json").exists()
    assert (out / "b-friday" / "bo.json").is_file()  # unchanged groups: both written


@pytest.mark.parametrize(("lone", "warned"), [(1, True), (2, True), (3, False)])
def test_a_group_map_that_moves_fewer_than_the_minimum_says_so(
    tmp_path: Path, lone: int, warned: bool
) -> None:
    """--group-map "Peer=other" moving a lone peer into a group of 3 others: a run with and one
    without the map differ by that peer's ranking alone."""
    rows: list[tuple[str, str, str, Sequence[object]]] = list(_ANN)
    rows += [("Ann", f"o{n}", "Other", IDENTITY) for n in range(3)]
    rows += [("Ann", f"p{n}", "Peer", REVERSED) for n in range(lone)]
    path = write_wide(tmp_path / "mapped.csv", rows)
    code, _, err = run("analyze", str(path), "--group-map", "Peer=other", "-f", "json")
    assert code == 0
    assert ("--group-map moves" in err and "into the others of 'Ann'" in err) is warned
    assert ("--group-map takes" in err and "out of the peers of 'Ann'" in err) is warned
    code, _, err = run("analyze", str(path), "-f", "json")  # no map, nothing moved
    assert code == 0 and "--group-map" not in err


def test_the_library_warns_when_an_option_moves_fewer_than_the_minimum(tmp_path: Path) -> None:
    """coachkit.analyze says what the command line says, as a CoachkitWarning in its own
    words: a group_map moving a lone peer into three others."""
    import coachkit
    from coachkit.errors import CoachkitWarning

    rows: list[tuple[str, str, str, Sequence[object]]] = list(_ANN)
    rows += [("Ann", f"o{n}", "Other", IDENTITY) for n in range(3)]
    path = write_wide(tmp_path / "mapped.csv", [*rows, ("Ann", "p0", "Peer", REVERSED)])
    with pytest.warns(CoachkitWarning) as caught:
        coachkit.analyze(str(path), group_map={"Peer": "other"})
    said = [str(w.message) for w in caught]
    assert any(m.startswith("group_map moves 1 rater into the others of 'Ann'") for m in said)
    dataset = coachkit.read(str(path), group_map={"Peer": "other"})
    with pytest.warns(CoachkitWarning) as caught:
        coachkit.analyze(dataset)
    said = [str(w.message) for w in caught]
    assert any(m.startswith("group_map takes 1 rater out of the peers of 'Ann'") for m in said)
    with pytest.warns(CoachkitWarning) as caught:
        coachkit.org(dataset)
    said = [str(w.message) for w in caught]
    assert any(m.startswith("group_map takes 1 rater out of the peers of 'Ann'") for m in said)


def test_a_batch_says_when_an_option_moves_fewer_than_the_minimum(tmp_path: Path) -> None:
    """Each file of a batch is a report of its own: a --group-map that moves a lone peer into a
    group of three others says so there as in analyze."""
    folder = tmp_path / "exports"
    folder.mkdir()
    rows: list[tuple[str, str, str, Sequence[object]]] = list(_ANN)
    rows += [("Ann", f"o{n}", "Other", IDENTITY) for n in range(3)]
    write_wide(folder / "mapped.csv", [*rows, ("Ann", "p0", "Peer", REVERSED)])
    out = tmp_path / "out"
    code, _, err = run(
        "batch", str(folder), "--output-dir", str(out), "--group-map", "Peer=other", "--jobs", "1"
    )
    assert code == 0, err
    assert "--group-map moves 1 rater into the others of 'Ann'" in err


def test_org_and_validate_say_when_an_option_moves_fewer_than_the_minimum(
    tmp_path: Path,
) -> None:
    """The organization pools each leader's reported groups: a --group-map that moves a lone
    peer into three others changes the pool by that peer's ranking, and says so; validate says
    it too, before the report that would show it."""
    rows: list[tuple[str, str, str, Sequence[object]]] = list(_ANN)
    rows += [("Ann", f"o{n}", "Other", IDENTITY) for n in range(3)]
    path = write_wide(tmp_path / "mapped.csv", [*rows, ("Ann", "p0", "Peer", REVERSED)])
    code, _, err = run("org", str(path), "--group-map", "Peer=other", "-f", "json")
    assert code == 0, err
    assert "--group-map moves 1 rater into the others of 'Ann'" in err
    code, _, err = run("validate", str(path), "--group-map", "Peer=other")
    assert code == 0, err  # validate says it before the report that would show it
    assert "--group-map moves 1 rater into the others of 'Ann'" in err
    code, _, err = run("org", str(path), "-f", "json")
    assert code == 0 and "moves" not in err


def _peers(
    names: Sequence[str], label: str = "Peer", leader: str = "Ann"
) -> list[tuple[str, str, str, Sequence[object]]]:
    return [(leader, name, label, REVERSED) for name in names]


@pytest.mark.parametrize(("added", "warned"), [(1, True), (2, True), (3, False)])
def test_a_file_given_a_group_that_adds_fewer_than_the_minimum_says_so(
    tmp_path: Path, added: int, warned: bool
) -> None:
    """--group extra.csv=peer adding a lone peer to three others: a run with and one without
    that file differ by that peer's ranking alone."""
    main = write_wide(tmp_path / "main.csv", [*_ANN, *_peers(["p0", "p1", "p2"])])
    extra = tmp_path / "extra.csv"
    with extra.open("w", encoding="utf-8") as handle:  # a file from the peers' own link
        handle.write("Leader,Rater," + ",".join(LABELS) + "\n")
        for n in range(added):
            handle.write(f"Ann,x{n}," + ",".join(map(str, IDENTITY)) + "\n")
    code, _, err = run("analyze", str(main), str(extra), "--group", "extra.csv=peer")
    assert code == 0, err
    said = "--group extra.csv=peer adds" in err and "into the peers of 'Ann'" in err
    assert said is warned
    code, _, err = run("analyze", str(main), "-f", "json")
    assert code == 0 and "adds" not in err


@pytest.mark.parametrize(("others", "warned"), [(1, True), (3, False)])
def test_a_group_given_over_a_files_own_group_column_says_what_it_moves(
    tmp_path: Path, others: int, warned: bool
) -> None:
    """--group peer over a file whose column says Other for a rater: that rater moves from the
    others into the peers, as --group-map "Other=peer" would, and says so the same way."""
    rows = _peers(["p0", "p1", "p2"]) + _peers([f"o{n}" for n in range(others)], "Other")
    path = write_wide(tmp_path / "peers.csv", rows)
    code, _, err = run("analyze", str(path), "--group", "peers.csv=peer", "-f", "json")
    assert code == 0, err
    moved = f"--group peers.csv=peer moves {others} rater"
    assert (moved in err and "into the peers of 'Ann'" in err) is warned
    taken = f"--group peers.csv=peer takes {others} rater"
    assert (taken in err and "out of the others of 'Ann'" in err) is warned


def test_a_file_that_adds_fewer_than_the_minimum_to_a_group_says_so(tmp_path: Path) -> None:
    """analyze a.csv against analyze a.csv b.csv: b's lone peer joins three, and the two reports
    differ by that peer's ranking alone; b's peers of a leader a.csv has none of are no
    difference anyone can take."""
    first = write_wide(tmp_path / "a.csv", [*_ANN, *_peers(["p0", "p1", "p2"])])
    bo = [("Bo", "s", "Self", IDENTITY), *_peers(["q0"], leader="Bo")]
    second = write_wide(tmp_path / "b.csv", [*_peers(["p9"]), *bo])
    code, _, err = run("analyze", str(first), str(second), "-f", "json")
    assert code == 0, err
    assert "b.csv adds 1 rater into the peers of 'Ann'" in err
    assert "of 'Bo'" not in err and "a.csv adds" not in err


@pytest.mark.parametrize(
    ("labels", "warned"),
    [
        (["Peer", "Peer", "Peer", "Colleague"], True),  # an alias joins raters named otherwise
        (["Peer", "Peer", "Colleague", "Colleague"], True),
        (["Colleague"] * 4, False),  # every peer named one way: no one moved
        (["Peer"] * 3 + ["Colleague"] * 3, False),
    ],
)
def test_an_instrument_alias_that_adds_fewer_than_the_minimum_says_so(
    tmp_path: Path, labels: list[str], warned: bool
) -> None:
    """Raters whose group cell names the group only by an alias of the instrument, beside
    raters the group's own name gathers: another instrument (or a --group-map) reading that
    alias otherwise moves them, and two such reports differ by their rankings alone."""
    rows = list(_ANN)
    rows += [("Ann", f"p{n}", label, REVERSED) for n, label in enumerate(labels)]
    path = write_wide(tmp_path / "aliased.csv", rows)
    code, _, err = run("analyze", str(path), "-f", "json")
    assert code == 0, err
    said = "the instrument's alias 'colleague' adds" in err and "the peers of 'Ann'" in err
    assert said is warned


@pytest.mark.parametrize(("spelled", "warned"), [(1, True), (2, True), (3, False)])
def test_merged_leader_names_that_add_fewer_than_the_minimum_say_so(
    tmp_path: Path, spelled: int, warned: bool
) -> None:
    """Peers who typed 'ann' beside three who typed 'Ann': merged, they join Ann's peers, and
    a run with --no-merge-names differs by their rankings alone."""
    rows = [*_ANN, *_peers(["p0", "p1", "p2"])]
    rows += _peers([f"q{n}" for n in range(spelled)], leader="ann")
    path = write_wide(tmp_path / "spelled.csv", rows)
    code, _, err = run("analyze", str(path), "-f", "json")
    assert code == 0, err
    said = (
        "merging the spellings of the leader's name adds" in err
        and "into the peers of 'Ann'" in err
    )
    assert said is warned
    code, _, err = run("analyze", str(path), "-f", "json", "--no-merge-names")
    assert code == 0 and "merging the spellings" not in err


@pytest.mark.parametrize("option", ["--template", "--codes", "--instrument"])
def test_an_option_file_that_is_a_device_or_a_pipe_is_refused(tmp_path: Path, option: str) -> None:
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # reading it would wait for a writer forever
    for path in ("/dev/zero", str(fifo)):
        code, _, err = run(
            "analyze", str(EXAMPLES / "acme-wide.xlsx"), "-f", "markdown", option, path
        )
        assert code == 1 and "error: " in err and "unexpected" not in err
        assert "not a regular file" in err or "neither a built-in" in err


def test_an_option_file_over_its_size_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "codes.csv"
    big.write_text("1,Execution\n" * 200_000, "utf-8")  # 2.4 MB of codes
    code, _, err = run("analyze", str(EXAMPLES / "acme-wide.xlsx"), "--codes", str(big))
    assert code == 1 and "is over 1,048,576 bytes" in err


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ("{% for i in range(10**9) %}x{% endfor %}", "the template stopped (OverflowError"),
        ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "RecursionError"),
        ('{% include "other.j2" %}', "includes or imports 'other.j2'"),
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ],
)
def test_a_hostile_template_ends_in_one_line(tmp_path: Path, source: str, said: str) -> None:
    template = tmp_path / "t.j2"
    template.write_text(source, "utf-8")
    code, out, err = run(
        "analyze", str(EXAMPLES / "acme-wide.xlsx"), "-f", "markdown", "--template", str(template)
    )
    assert code == 1 and f"error: {template}" in err and said in err
    assert "unexpected" not in err and out == ""


def _templated(tmp_path: Path, source: str) -> tuple[Path, int, str, str, float]:
    """`analyze --template` with this template: the template, the exit code, stdout, stderr
    and the processor time it took (a loaded machine does not stretch it)."""
    template = tmp_path / "t.j2"
    template.write_text(source, "utf-8")
    started = _processor_time()
    code, out, err = run(
        "analyze", str(EXAMPLES / "acme-wide.xlsx"), "-f", "markdown", "--template", str(template)
    )
    return template, code, out, err, _processor_time() - started


@pytest.mark.parametrize(
    "source",
    [
        '{{ "x" * 10**9 }}',  # one operation of gigabytes
        "{{ [1, 2] * 10**9 }}",
        "{{ 10 ** 100000000 }}",  # a number of a hundred million digits
        "{{ (10 ** 10000) ** 10000 }}",
    ],
)
def test_a_template_cannot_build_a_giant_value_in_one_step(tmp_path: Path, source: str) -> None:
    """A single multiplication or power the output limit never sees, as it is one value: refused
    before it is computed, in one line."""
    template, code, out, err, seconds = _templated(tmp_path, source)
    assert seconds < 5
    last = err.splitlines()[-1]
    assert code == 1 and out == "" and last.startswith(f"error: {template}: ")
    assert "too large" in last


@pytest.mark.parametrize(
    ("source", "said"),
    [
        ('{{ "x"|center(2000000000) }}', "MemoryError"),  # folded while compiling, until now
        ("{{ 10 ** 5000 }}", "ValueError"),  # more digits than Python prints
        ('{{ 1 + "a" }}', "TypeError"),
    ],
)
def test_a_template_error_of_its_own_is_one_line_never_unexpected(
    tmp_path: Path, source: str, said: str
) -> None:
    template, code, out, err, seconds = _templated(tmp_path, source)
    assert seconds < 5
    last = err.splitlines()[-1]
    assert code == 1 and out == "" and last.startswith(f"error: {template}: the template stopped")
    assert said in last and "unexpected" not in err


def test_a_template_that_loops_without_writing_is_stopped_by_processor_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loops that write nothing never hand the renderer a piece to look at the clock with: the
    processor-time limit still ends them."""
    from coachkit.render import markdown

    monkeypatch.setattr(markdown, "MAX_TEMPLATE_SECONDS", 0.5)
    loops = "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"
    _, code, _, err, seconds = _templated(tmp_path, loops)
    assert seconds < 10
    assert code == 1 and "runs over 0.5 CPU seconds" in err


def test_a_template_that_writes_without_end_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coachkit.render import markdown

    monkeypatch.setattr(markdown, "MAX_TEMPLATE_OUTPUT", 1 << 20)
    writes = (
        "{% for a in range(99999) %}{% for b in range(99999) %}xxxxxxxxxx{% endfor %}{% endfor %}"
    )
    _, code, _, err, _ = _templated(tmp_path, writes)
    assert code == 1 and "the template writes over 1 MB" in err


def test_a_damaged_workbook_ends_in_one_line_naming_it(tmp_path: Path) -> None:
    """Bytes flipped or cut anywhere in a workbook (its zip directory, a part's header, a
    compressed stream): an error naming the file, or a report; never "unexpected"."""
    import random

    good = (EXAMPLES / "acme-wide.xlsx").read_bytes()
    rng = random.Random(11)
    damaged = [good[: len(good) // 2], good[:-30], good[: len(good) - 200]]
    for _ in range(12):
        flipped = bytearray(good)
        at = rng.randrange(30, len(flipped) - 30)
        flipped[at : at + 8] = bytes(rng.randrange(256) for _ in range(8))
        damaged.append(bytes(flipped))
    for n, data in enumerate(damaged):
        path = tmp_path / f"damaged{n}.xlsx"
        path.write_bytes(data)
        code, _, err = run("analyze", str(path), "-q")
        assert "unexpected" not in err and "Traceback" not in err, (n, err)
        assert code == 0 or (code == 1 and f"error: {path}" in err), (n, err)


def test_output_that_cannot_be_written_in_full_is_an_error_not_a_short_file(tmp_path: Path) -> None:
    """`ulimit -f` lets a write stop short without an error; `> /dev/full` fails it: either way,
    one line and exit 1, never a truncated report with exit 0 or a traceback."""
    import subprocess
    import sys

    script = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (20480, 20480)); "
        "from coachkit.cli import main; sys.argv = sys.argv[1:]; main()"
    )
    out = tmp_path / "report.json"
    for target in (["-o", str(out)], []):
        with (tmp_path / "stdout.json").open("wb") as stdout:
            done = subprocess.run(
                [sys.executable, "-c", script, "coachkit", "analyze", str(EXAMPLES / "acme-wide.xlsx"),
                 "-f", "json", "-q", *target],
                stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
            )  # fmt: skip
        assert done.returncode == 1 and "error: " in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()
    for args in (["--version"], ["--help"], ["analyze", "--help"]):
        with Path("/dev/full").open("wb") as full:
            done = subprocess.run(
                [sys.executable, "-m", "coachkit", *args],
                stdout=full, stderr=subprocess.PIPE, text=True, timeout=60, check=False,
            )  # fmt: skip
        assert done.returncode == 1 and "error: cannot write to standard output" in done.stderr
        assert "Traceback" not in done.stderr


def test_no_escape_bidi_or_tag_character_reaches_any_output(tmp_path: Path) -> None:
    hostile = ["Ann\u202eeeL", "Bo\U000e0041b", "\x1b]0;title\x07Cy", "Di\u2066x\u2069"]
    rows = [(name, f"r{n}{g}", group, IDENTITY) for n, name in enumerate(hostile)
            for g, group in enumerate(["Self", "Manager"])]  # fmt: skip
    path = write_wide(tmp_path / "hostile.csv", rows)
    bad = ("\u202e", "\U000e0041", "\x1b", "\x07", "\u2066", "\u2069")
    for fmt in ("table", "markdown", "html", "json", "csv"):
        code, out, err = run("analyze", str(path), "-f", fmt)
        assert code == 0, err
        assert not any(c in out for c in bad), fmt
    assert "a leader name held control or invisible characters" in err


def test_a_phone_number_typed_as_a_group_is_described_never_quoted(tmp_path: Path) -> None:
    rows = [("Ann", "r1", "Self", IDENTITY), ("Ann", "r2", "John Smith 555-1234", REVERSED)]
    path = write_wide(tmp_path / "typed.csv", rows)
    for command in ("analyze", "validate", "inspect"):
        code, out, err = run(command, str(path))
        assert code == 1, command
        assert "555" not in out + err and "John" not in out + err, command
        assert "the rater-group column holds text (19 characters)" in out + err, command


@pytest.mark.parametrize(
    ("typed", "said"),
    [("jane.doe@corp.com", "an e-mail address"), ("Jane Doe +1 555 123 4567", "text (24")],
)
def test_personal_data_typed_as_a_dimension_is_described_never_quoted(
    tmp_path: Path, typed: str, said: str
) -> None:
    """A tidy file whose dimension column holds an address or a phone number in one row: the
    error, validate and inspect say what the cell holds, not its words."""
    path = tmp_path / "typed.csv"
    lines = ["Subject,Rater ID,Rater group,Dimension,Rank"]
    for rank, label in enumerate(LABELS, start=1):
        lines.append(f"Ann,s,Self,{typed if rank == 3 else label},{rank}")
    path.write_text("\n".join(lines) + "\n", "utf-8")
    for command in ("analyze", "validate", "inspect"):
        code, out, err = run(command, str(path))
        assert code == 1, command
        assert "jane" not in (out + err).lower() and "555" not in out + err, command
        assert f"row 4: the dimension column holds {said}" in out + err, command


def test_a_batch_whose_index_cannot_be_written_still_names_every_failure(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_wide(
        folder / "good.csv", [("Ann", "s", "Self", IDENTITY), ("Ann", "m", "Boss", REVERSED)]
    )
    (folder / "broken.csv").write_text("nothing,to,see\n1,2,3\n", "utf-8")
    out = tmp_path / "out"
    (out / "index.json").mkdir(parents=True)  # the index cannot be written where a folder is
    code, stdout, err = run("batch", str(folder), "--output-dir", str(out), "-f", "json", "-q")
    assert code == 1
    assert "broken.csv" in err and "index.json" in err  # neither failure hides the other
    assert "good" in stdout and "index.json" not in stdout


def test_a_utf16_file_cut_mid_character_reads_with_a_warning(tmp_path: Path) -> None:
    data = (EXAMPLES / "acme-tidy.csv").read_text("utf-8").encode("utf-16")
    whole, cut = tmp_path / "whole.csv", tmp_path / "cut.csv"
    whole.write_bytes(data)
    cut.write_bytes(data + b"x")  # an odd number of bytes
    code, out, err = run("analyze", str(cut), "-f", "json")
    assert code == 0 and "ends in half a character" in err
    assert (
        json.loads(out)["subjects"]
        == json.loads(run("analyze", str(whole), "-f", "json")[1])["subjects"]
    )


def test_an_empty_file_name_is_named_not_read_as_the_current_folder() -> None:
    for command in (["analyze", ""], ["validate", ""], ["org", "examples/acme-tidy.csv", " "]):
        code, _, err = run(*command)
        assert code == 2 and "an empty file name was given" in err, command
