"""The layering of the package, enforced: what each layer may import at module level, renderers
that never reach into the analysis, and no import cycle among the renderers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from coachkit.options import Format, TextFormat
from conftest import FORMATS, ROOT, run

SRC = ROOT / "src" / "coachkit"

# Each layer and the layers its modules may import at module level (lazy imports inside
# functions are how a lower layer calls a higher one on request, and are not counted).
LAYERS: dict[str, set[str]] = {
    "base": {"base"},  # errors, options, policy, text, memory, output, keys, the package face
    "instruments": {"base", "instruments"},
    "io": {"base", "instruments", "io"},
    "model": {"base", "model"},
    "validate": {"base", "instruments", "io", "model", "validate"},
    "analysis": {"base", "instruments", "model", "validate", "analysis"},
    "render": {"base", "model", "render", "io"},
    "batch": {"base", "io", "model", "analysis", "render", "batch"},
    "pipeline": {"base", "instruments", "io", "model", "validate", "analysis", "pipeline"},
    "cli": {"base", "cli"},
}


def _layer(module: str) -> str:
    parts = module.split(".")
    name = parts[1] if len(parts) > 1 else ""
    if name in (
        "",
        "errors",
        "options",
        "policy",
        "text",
        "memory",
        "output",
        "keys",
        "version",
        "__main__",
    ):
        return "cli" if name == "__main__" else "base"
    if name in ("document", "wording"):  # a result's plain forms and its sentences
        return "model"
    return name


def _modules() -> dict[str, Path]:
    found = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        found[".".join(p for p in parts if p != "__init__")] = path
    return found


def _top_level_imports(path: Path) -> set[str]:
    """coachkit modules imported at module level, outside `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coachkit"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("coachkit")}
    return found


def _every_import(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coachkit"):
            found.add(node.module)
    return found


@pytest.mark.parametrize("module", sorted(_modules()))
def test_each_layer_imports_only_what_it_may(module: str) -> None:
    allowed = LAYERS[_layer(module)]
    for imported in _top_level_imports(_modules()[module]):
        assert _layer(imported) in allowed, f"{module} imports {imported}"


def test_renderers_never_reach_into_the_analysis() -> None:
    for module, path in _modules().items():
        if module.startswith("coachkit.render"):
            assert not {i for i in _every_import(path) if i.startswith("coachkit.analysis")}, module


def test_no_import_cycle_among_renderers() -> None:
    modules = _modules()
    graph = {
        m: {i for i in _top_level_imports(p) if i.startswith("coachkit.render")}
        for m, p in modules.items()
        if m.startswith("coachkit.render")
    }

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    assert [m for m in graph if reaches(m, m, set())] == []


def test_import_coachkit_loads_no_pandas_and_no_renderer() -> None:
    code = "import sys, coachkit; print(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'numpy', 'rich', 'jinja2') or m.startswith('coachkit.render')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


COMMANDS = {
    "analyze": ["analyze", "examples/acme-wide.xlsx"],
    "org": ["org", "examples/cohort-2026.csv"],
    "compare": ["compare", "examples/cohort-2025.csv", "examples/cohort-2026.csv"],
}


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_format_is_written_by_every_command_or_refused(
    command: str, fmt: Format, tmp_path: Path
) -> None:
    out = tmp_path / "out.bin"
    code, _, err = run(*COMMANDS[command], "-q", "-f", fmt.value, "-o", str(out))
    assert code in (0, 2), err
    if code == 0:
        assert out.stat().st_size > 0
    else:
        assert err.startswith("error: --format") and not out.exists()


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_output_suffix_no_format_writes_is_refused(command: str, tmp_path: Path) -> None:
    out = tmp_path / "report.docx"
    code, _, err = run(*COMMANDS[command], "-q", "-o", str(out))
    assert code == 2 and "no format writes .docx files" in err and ".pdf" in err
    assert not out.exists()


@pytest.mark.parametrize("command", ["validate", "inspect", "dimensions"])
def test_describing_commands_list_only_their_formats(command: str) -> None:
    code, out, _ = run(command, "--help")
    choices = next(line for line in out.splitlines() if "-f, --format" in line)
    assert code == 0 and "table|json" in choices and "markdown" not in choices
    assert [f.value for f in TextFormat] == ["table", "json"]
    code, _, _ = run(
        command, *(["examples/by-family.csv"] if command != "dimensions" else []), "-f", "html"
    )
    assert code == 2


def _stub(node: ast.FunctionDef | ast.ClassDef) -> bool:
    """An `@overload` signature: the implementation after it carries the docstring."""
    return any(isinstance(d, ast.Name) and d.id == "overload" for d in node.decorator_list)


def test_every_public_definition_says_what_it_is_for() -> None:
    missing = []
    for module, path in _modules().items():
        tree = ast.parse(path.read_text("utf-8"))
        if not ast.get_docstring(tree):
            missing.append(module)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
                methods = node.body if isinstance(node, ast.ClassDef) else []
                members = [node, *(n for n in methods if isinstance(n, ast.FunctionDef))]
                missing += [
                    f"{module}.{n.name}"
                    for n in members
                    if not n.name.startswith("_") and not ast.get_docstring(n) and not _stub(n)
                ]
    assert missing == []


def test_the_significance_level_is_written_in_one_place() -> None:
    """`policy.ALPHA` is the only .05 in the code: no other number or text spells it out, so a
    report can never compare against one level and word another."""
    import io
    import tokenize

    found = []
    for path in SRC.rglob("*.py"):
        if path.name == "policy.py":
            continue
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline)
        for token in tokens:
            if (token.type == tokenize.NUMBER and ast.literal_eval(token.string) == 0.05) or (
                token.type
                in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING))
                and ".05" in token.string.replace("0.05", ".05")
                and not token.string.lstrip("rbuf").startswith(('"""', "'''"))
            ):
                found.append(f"{path.relative_to(SRC)}:{token.start[0]}")
    assert found == []
