"""`coachkit inspect` as text or JSON: what was understood of each file."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING

from coachkit.io.questions import SHORT
from coachkit.options import Format
from coachkit.text import printable

if TYPE_CHECKING:
    from coachkit.io.describe import FileView, QuestionView


def render_inspect(views: list[FileView], fmt: Format) -> str:
    """What `inspect` understood, as text or JSON."""
    if fmt is Format.json:
        return (
            json.dumps({"files": [asdict(v) for v in views]}, indent=2, ensure_ascii=False) + "\n"
        )
    return "\n".join(_text(v) for v in views)


def _rows(rows: tuple[int, ...]) -> str:
    return f"{rows[0]}" if len(rows) == 1 else f"{rows[0]}-{rows[-1]}"


def _text(view: FileView) -> str:
    where = f"{view.path} (sheet {view.sheet!r})" if view.sheet else view.path
    lines = [
        printable(where),
        f"  read as:     {view.platform} ({view.why})",
        f"  header rows: {_rows(view.header_rows)}; responses from row {view.data_from}: "
        f"{view.responses}",
    ]
    for column in view.columns:
        found = f"{column.column}, found by {column.how}" if column.column else column.how
        if column.role == "rater group" and view.group_labels:
            found += ": " + ", ".join(view.group_labels)
        lines.append(f"  {column.role + ':':<12} {printable(found)}")
    if view.questions:
        lines.append("  questions (* = the one analyzed):")
        lines += [_question(q) for q in view.questions]
    lines += [f"  note:        {printable(note)}" for note in view.notes]
    if view.problem:
        lines.append(f"  problem:     {printable(view.problem)}")
    if view.runnable and view.command:
        lines.append(f"  run:         {printable(view.command)}")
    elif view.command:  # a placeholder to fill in (the leader's name): not a command to run
        lines.append(f"  next:        {printable(view.command)}")
    return "\n".join(lines) + "\n"


def _question(q: QuestionView) -> str:
    stem = q.stem if len(q.stem) <= SHORT else q.stem[: SHORT - 3].rstrip() + "..."
    name = f"{q.key} {stem!r}" if stem and q.stem != q.key else (stem or "(no question text)")
    fits = f"fits {', '.join(q.instruments)}" if q.instruments else "fits no instrument"
    answers = "1 response" if q.responses == 1 else f"{q.responses} responses"
    text = f"{name}: {q.encoding}, {len(q.items)} items, {answers}, {q.values}; {fits}"
    return f"  {'*' if q.chosen else ' '} {printable(text)}"
