"""Regenerate the terminal sessions the README shows, from the commands themselves.

    python scripts/readme.py          # rewrite README.md's sessions in place
    python scripts/readme.py --check  # exit 1 if any session differs from what it would be

Each session is a ```text block opening with `$ coachkit ...`, preceded by a comment that says
which parts of the output it shows:

    <!-- session: "Dana Whitfield" +3 | "Coaching focus" .. "Marcus Oyelaran" -->

`"text" +N`: N lines from the first line that starts with text (from where the previous part
ended); `"a" .. "b"`: from a line starting with a up to the line starting with b. A `...` line
stands where lines other than blank ones are left out. Commands run as a terminal of 100 columns without colour would
show them.
"""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SESSION = re.compile(
    r"<!-- session: (?P<spec>.*?) -->\n\n```text\n\$ (?P<command>coachkit [^\n]*)\n(?P<shown>.*?)```",
    re.DOTALL,
)
PART = re.compile(r'"(?P<start>[^"]+)"\s*(?:\+(?P<count>\d+)|\.\.\s*"(?P<end>[^"]+)")')


def output(command: str) -> list[str]:
    """What the command prints at 100 columns without colour (stdout only)."""
    from typer.testing import CliRunner

    from coachkit.cli import app

    result = CliRunner().invoke(
        app, shlex.split(command)[1:], env={"COLUMNS": "100", "NO_COLOR": "1"}
    )
    if result.exit_code != 0:
        raise SystemExit(f"{command}: exit {result.exit_code}: {result.stderr.strip()}")
    return result.stdout.splitlines()


def _find(lines: list[str], prefix: str, after: int, command: str) -> int:
    for i in range(after, len(lines)):
        if lines[i].startswith(prefix):
            return i
    raise SystemExit(f"{command}: no line starts with {prefix!r} after line {after + 1}")


def shown(command: str, spec: str) -> str:
    """The parts of the command's output that `spec` selects, as the README shows them."""
    lines = output(command)
    text: list[str] = []
    at = 0
    for part in PART.finditer(spec):
        begin = _find(lines, part["start"], at, command)
        if part["count"]:
            end = min(begin + int(part["count"]), len(lines))
        else:
            end = _find(lines, part["end"], begin + 1, command)
        skipped = lines[at:begin]
        text += ["..."] if any(line.strip() for line in skipped) else skipped
        text += lines[begin:end]
        at = end
    if any(line.strip() for line in lines[at:]):
        text.append("...")
    return "\n".join(text) + "\n"


def regenerated(readme: str) -> str:
    """The README with every session's output shown afresh."""

    def one(match: re.Match[str]) -> str:
        body = shown(match["command"], match["spec"])
        return f"<!-- session: {match['spec']} -->\n\n```text\n$ {match['command']}\n{body}```"

    return SESSION.sub(one, readme)


def main() -> None:
    path = ROOT / "README.md"
    before = path.read_text("utf-8")
    after = regenerated(before)
    if "--check" in sys.argv[1:]:
        if after != before:
            raise SystemExit("README.md: a session differs from its command's output")
        return
    path.write_text(after, "utf-8")


if __name__ == "__main__":
    main()
