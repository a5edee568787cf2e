"""A working instrument drafted from an export's ranking question (`coachkit inspect --question ID
--draft-instrument`), so that a ranking of anything is two commands away from a report."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from coachkit.text import compact

if TYPE_CHECKING:
    from coachkit.instruments import Instrument

_NON_WORD = re.compile(r"\W+")


def slug(label: str, taken: set[str], fallback: str) -> str:
    """An id for a label, in any script: `Vision & Strategy` -> `vision_strategy`."""
    base = _NON_WORD.sub("_", label.casefold()).strip("_")[:40].strip("_") or fallback
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def _quoted(text: str) -> str:
    """A TOML basic string: JSON's, with DEL escaped too (JSON leaves it, TOML forbids it)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def draft_instrument(
    items: tuple[str, ...], stem: str, group_labels: tuple[str, ...], known: Instrument
) -> str:
    """The TOML of an instrument whose dimensions are `items` (one family) and whose groups are
    the file's group labels: `known`'s groups when they all name one of them, else a group per
    label (anonymous), else one `respondent` group."""
    groups = [known.match_group(label) for label in group_labels]
    if group_labels and None not in groups and known.pooled.id not in groups:
        pairs, group_lines = _known_groups(known, {g for g in groups if g})
    else:
        pairs, group_lines = _new_groups(group_labels)
    lines = [
        "# Drafted by `coachkit inspect --draft-instrument`: check the labels, families and roles.",
        'id = "draft"',
        f"name = {_quoted(stem[:80] or 'Drafted instrument')}",
        f"question = {_quoted(stem)}",
        "# Pairs of groups compared in a report (when both are reported).",
        f"pairs = [{', '.join(f'[{_quoted(a)}, {_quoted(b)}]' for a, b in pairs)}]",
        "",
        "# One family; split the dimensions into two families (and add [tilt]) to compare them.",
        "[[families]]",
        'id = "all"',
        'label = "All items"',
    ]
    taken: set[str] = set()
    for n, item in enumerate(items, start=1):
        lines += [
            "",
            "[[dimensions]]",
            f"id = {_quoted(slug(item, taken, f'item_{n}'))}",
            f"label = {_quoted(item)}",
            'family = "all"',
        ]
    return "\n".join([*lines, *group_lines]) + "\n"


Pairs = list[tuple[str, str]]


def _known_groups(known: Instrument, used: set[str]) -> tuple[Pairs, list[str]]:
    """The instrument's own groups (those the file uses, and self), with its pooled group and roles."""
    lines = []
    keep = [g for g in known.groups if g.id in used or g.id == known.self_group]
    for group in keep:
        lines += [
            "",
            "[[groups]]",
            f"id = {_quoted(group.id)}",
            f"label = {_quoted(group.label)}",
            f"anonymous = {'true' if group.anonymous else 'false'}",
            f"aliases = [{', '.join(_quoted(a) for a in group.aliases)}]",
        ]
    ids = {g.id for g in keep}
    focus = [g for g in known.focus_groups if g in ids or g == known.pooled.id]
    pairs = [p for p in known.pairs if set(p) <= ids | {known.pooled.id}]
    return pairs, [
        *lines,
        "",
        "[pooled]",
        f"id = {_quoted(known.pooled.id)}",
        f"label = {_quoted(known.pooled.label)}",
        f"excludes = [{_quoted(known.self_group)}]",
        "",
        "[roles]",
        f"self = {_quoted(known.self_group)}",
        f"focus = [{', '.join(map(_quoted, focus))}]",
    ]


def _new_groups(labels: tuple[str, ...]) -> tuple[Pairs, list[str]]:
    """A group per label (all anonymous), compared with one another; or a single group."""
    taken: set[str] = set()
    ids = [slug(label, taken, f"group_{n}") for n, label in enumerate(labels, start=1)]
    pairs = [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]][:15]
    lines: list[str] = []
    for group_id, label in zip(ids, labels, strict=True) if labels else [("respondent", "")]:
        lines += [
            "",
            "# Anonymous: reported only with at least --min-raters raters.",
            "[[groups]]",
            f"id = {_quoted(group_id)}",
            f"label = {_quoted(label or 'Respondents')}",
            "anonymous = true",
        ]
        if label and compact(label) != compact(group_id):
            lines.append(f"aliases = [{_quoted(label)}]")
    first = ids[0] if ids else "respondent"
    return pairs, [
        *lines,
        "",
        "# Everyone but the `self` group; with a single group it holds nobody and is not shown.",
        "[pooled]",
        'id = "everyone_else"',
        'label = "Everyone else"',
        f"excludes = [{_quoted(first)}]",
        "",
        "# `self` is the group the others are compared with: set it to the view that leads.",
        "[roles]",
        f"self = {_quoted(first)}",
        'focus = ["everyone_else"]',
    ]


OWN_ITEMS = "own-items"  # the id of an instrument made of a question's own items


def own_items_instrument(
    items: tuple[str, ...], stem: str, group_labels: tuple[str, ...], known: Instrument
) -> Instrument | None:
    """The instrument `analyze` reads a ranking of other items with, when no shipped one holds
    them: the question's items (one family, so no tilt) and `known`'s rater groups (those of the
    file's labels, or every one when the file names its group otherwise); groups of the file's
    own when its labels are no 360 groups. None when the items cannot make one (a label twice)."""
    import tomllib

    from coachkit.errors import InstrumentError
    from coachkit.instruments import parse_instrument

    labels = group_labels or tuple(g.label for g in known.groups)
    text = draft_instrument(items, stem, labels, known).replace(
        'id = "draft"', f'id = "{OWN_ITEMS}"', 1
    )
    try:
        return parse_instrument(tomllib.loads(text), "the question's own items")
    except (InstrumentError, tomllib.TOMLDecodeError, ValueError, KeyError):
        return None
