"""The instrument model: dimensions, families, rater groups and their aliases, loaded from TOML."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from coachkit.errors import CoachkitError, InstrumentError
from coachkit.text import compact, normalize, read_option_file

DEFAULT_INSTRUMENT = "leadership-12"
BUILTIN = Path(__file__).parent  # the built-in instruments are TOML files beside this module

# `Q5 - Execution`, `Q5. Execution`, `5) Execution`: a question number before the label.
_QUESTION_PREFIX = re.compile(
    r"^\s*(?:q(?:uestion)?\s*)?\d+[a-z]?\s*[\.\):_\-\u2013]\s*", re.IGNORECASE
)
_BRACKETED = re.compile(r"\[([^\[\]]+)\]\s*$")
# Notes in a header beside the label: `(rating 1-5)`, `[most important = 1]`.
_NOTES = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


@dataclass(frozen=True)
class Family:
    """A family of dimensions (competencies, characteristics) with its label."""

    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Dimension:
    """One ranked item: its id, label, family and the other labels it is known by."""

    id: str
    label: str
    family: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """A rater group: its label, whether it is anonymous, aliases and its own minimum."""

    id: str
    label: str
    anonymous: bool
    aliases: tuple[str, ...] = ()
    min_raters: int | None = None  # this group's own minimum, instead of --min-raters

    def least(self, min_raters: int) -> int:
        """The raters this group needs to be reported: 1 for a named group; for an anonymous
        one `--min-raters` or the instrument's own minimum for it, whichever is stricter."""
        if not self.anonymous:
            return 1
        return max(min_raters, self.min_raters or 0, 1)


# Words of a question about where things stand now, and about where they should go.
NOW_WORDS = ("now", "today", "current", "currently", "present", "as is", "at the moment")
FUTURE_WORDS = (
    "future",
    "should",
    "vision",
    "to be",
    "ideal",
    "desired",
    "target",
    "aspiration",
    "years from now",
    "in three years",
    "in 3 years",
)


@dataclass(frozen=True)
class JourneyPair:
    """How a survey asks the same items twice, now and in the future (`[journey]` in TOML): the
    words that tell the two questions apart, and whose future is the vision (None: the
    reference role, the manager)."""

    now: tuple[str, ...] = NOW_WORDS
    future: tuple[str, ...] = FUTURE_WORDS
    vision: str | None = None


@dataclass(frozen=True)
class Instrument:
    """What a survey ranks and who ranks it: dimensions, families, groups, roles, pairs and tilt."""

    id: str
    name: str
    families: tuple[Family, ...]
    dimensions: tuple[Dimension, ...]
    groups: tuple[Group, ...]
    pooled: Group
    pooled_excludes: tuple[str, ...]
    self_group: str
    focus_groups: tuple[str, ...]
    pairs: tuple[tuple[str, str], ...]
    tilt: tuple[str, str] | None = None
    question: str = ""
    path: str = ""  # the TOML file a user gave ("" for a built-in instrument)
    title: str = ""  # a report's heading ("": the name's)
    pattern_name: str = ""  # what org calls self's tilt well above the reference's ("": generic)
    journey: JourneyPair = JourneyPair()
    # [headers]: per key column (leader, group, rater, dimension, rank, score), the whole headers
    # that name it in other languages, folded (see `coachkit.text.normalize`)
    headers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _dimension_index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _group_index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    # the aliases that name a group by themselves (not its id or label), folded -> as written
    _alias_index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _word_index: list[tuple[list[str], str]] = field(
        default_factory=list, compare=False, repr=False
    )  # each label and alias as words, with its dimension
    _header_index: dict[str, tuple[tuple[str, bool], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        for dim in self.dimensions:
            for name in (dim.id, dim.id.replace("_", " "), dim.label, *dim.aliases):
                self._dimension_index.setdefault(compact(name), dim.id)
                if normalize(name):
                    self._word_index.append((normalize(name).split(), dim.id))
        for group in (*self.groups, self.pooled):
            for name in (group.id, group.id.replace("_", " "), group.label, *group.aliases):
                self._group_index.setdefault(compact(name), group.id)
        own = {
            compact(name)
            for group in (*self.groups, self.pooled)
            for name in (group.id, group.id.replace("_", " "), group.label)
        }
        for group in self.groups:
            for alias in group.aliases:
                if compact(alias) not in own and self._group_index[compact(alias)] == group.id:
                    self._alias_index.setdefault(compact(alias), alias)

    @cached_property
    def reference(self) -> str | None:
        """The reference role (the manager, the CIO): the one person whose view a report sets
        beside the evidence, the first focus group that is neither self, the pooled group nor
        anonymous; None without one."""
        anonymous = {g.id for g in self.groups if g.anonymous}
        return next(
            (
                g
                for g in self.focus_groups
                if g not in (self.self_group, self.pooled.id) and g not in anonymous
            ),
            None,
        )

    @cached_property
    def counterpart(self) -> str | None:
        """The group contrasts and the pattern set against self: the reference role, else the
        first focus group that is not self."""
        return self.reference or next((g for g in self.focus_groups if g != self.self_group), None)

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        """The dimension ids in the instrument's order."""
        return tuple(d.id for d in self.dimensions)

    @property
    def group_ids(self) -> tuple[str, ...]:
        """Every group a report can show, the pooled group last."""
        return (*(g.id for g in self.groups), self.pooled.id)

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension with this id."""
        return next(d for d in self.dimensions if d.id == dimension_id)

    def label(self, dimension_id: str) -> str:
        """The label of a dimension."""
        return self.dimension(dimension_id).label

    def group(self, group_id: str) -> Group:
        """The group with this id (the pooled group included)."""
        return next(g for g in (*self.groups, self.pooled) if g.id == group_id)

    def family(self, family_id: str) -> Family:
        """The family with this id."""
        return next(f for f in self.families if f.id == family_id)

    def family_members(self, family_id: str) -> tuple[str, ...]:
        """The ids of a family's dimensions, in order."""
        return tuple(d.id for d in self.dimensions if d.family == family_id)

    def match_dimension(self, label: str) -> str | None:
        """The dimension id a free-text label names, or None."""
        return self._dimension_index.get(compact(label))

    def match_group(self, label: str) -> str | None:
        """The rater-group id a free-text label names, or None."""
        return self._group_index.get(compact(label))

    def group_alias(self, label: str) -> str | None:
        """The alias (as the instrument writes it) by which a label names a group, or None when
        it names one by its id or label, or none."""
        return self._alias_index.get(compact(label))

    def suggest_dimension(self, label: str) -> str | None:
        """The dimension label closest to an unknown label, for an error message."""
        return _closest(label, self._dimension_index, {d.id: d.label for d in self.dimensions})

    def suggest_group(self, label: str) -> str | None:
        """The group id closest to an unknown group label, for an error message."""
        return _closest(label, self._group_index, {g.id: g.id for g in self.groups})

    def header_words(self, column: str) -> tuple[str, ...]:
        """The headers that name a key column (`leader`, `group`, `rater`, `dimension`, `rank`,
        `score`) in the instrument's [headers] table, folded."""
        return next((words for name, words in self.headers if name == column), ())

    def header_label(self, header: str) -> str:
        """The part of a column header that would carry a dimension label.

        `Rank the priorities [Execution]` -> `Execution`; `Q5 - Vision & Strategy` ->
        `Vision & Strategy`; `Q5. Execution` -> `Execution`.
        """
        text = header.strip()
        bracketed = _BRACKETED.search(text)
        if bracketed:
            return bracketed.group(1).strip()
        if " - " in text:
            return text.rsplit(" - ", 1)[1].strip()
        return _QUESTION_PREFIX.sub("", text).strip()

    def match_header(self, header: str) -> str | None:
        """The dimension a wide-layout column header names, or None (also when it names two)."""
        found = self.header_dimensions(header)
        return found[0][0] if len(found) == 1 else None

    def header_dimensions(self, header: str) -> tuple[tuple[str, bool], ...]:
        """The dimensions a column header names, each with whether the header is the label itself
        (after numbering, brackets and notes are taken off) or holds it among other words.

        `Execution`, `Q3. Execution`, `Rank [Execution]`, `Execution (rating 1-5)` and
        `Execution: priority for this role` name it exactly; `Please rank Execution now` holds it.
        The longest label found wins over those inside it; two dimensions apart from each other
        are both returned, and the header names neither."""
        cached = self._header_index.get(header)
        if cached is None:
            cached = self._header_dimensions(header)
            self._header_index[header] = cached
        return cached

    def _header_dimensions(self, header: str) -> tuple[tuple[str, bool], ...]:
        label = self.header_label(header)
        # `1. Courage - Skilled: description`, `Courage: description - more`: the label first
        head = _QUESTION_PREFIX.sub("", header.strip()).split(" - ")[0]
        texts = (header, label, _NOTES.sub(" ", label).split(":")[0], head)
        for text in (*texts, _NOTES.sub(" ", head).split(":")[0]):
            dim = self.match_dimension(text)
            if dim is not None:
                return ((dim, True),)
        words = normalize(header).split()
        spans: list[tuple[int, int, str]] = []  # (start, end, dimension) of every label found
        for name, dim in self._word_index:
            size = len(name)
            spans += [
                (i, i + size, dim)
                for i in range(len(words) - size + 1)
                if words[i : i + size] == name
            ]
        spans.sort(key=lambda s: s[0] - s[1])  # longest first
        kept: list[tuple[int, int, str]] = []
        for start, end, dim in spans:
            if not any(s <= start and end <= e for s, e, _ in kept):
                kept.append((start, end, dim))
        return tuple(dict.fromkeys((dim, False) for _, _, dim in kept))


def with_aliases(instrument: Instrument, aliases: dict[str, str]) -> Instrument:
    """A copy of the instrument whose dimensions also answer to these labels (label ->
    dimension id), as `--dimension-map LABEL=id` names them."""
    if not aliases:
        return instrument
    dimensions = tuple(
        replace(d, aliases=(*d.aliases, *(a for a, target in aliases.items() if target == d.id)))
        for d in instrument.dimensions
    )
    return replace(
        instrument,
        dimensions=dimensions,
        _dimension_index={},
        _group_index={},
        _word_index=[],
        _header_index={},
    )


def _closest(label: str, index: dict[str, str], names: dict[str, str]) -> str | None:
    import difflib

    hits = difflib.get_close_matches(compact(label), list(index), n=1, cutoff=0.6)
    return names[index[hits[0]]] if hits else None


def builtin_names() -> list[str]:
    """The ids of the instruments that ship with coachkit."""
    return sorted(p.stem for p in BUILTIN.glob("*.toml"))


@lru_cache(maxsize=16)
def load_instrument(name_or_path: str | None = None) -> Instrument:
    """Load a built-in instrument by id, or a user's TOML file by path (once per process)."""
    name = name_or_path or DEFAULT_INSTRUMENT
    if name in builtin_names():
        text = (BUILTIN / f"{name}.toml").read_text("utf-8")
        source = f"built-in instrument {name}"
    else:
        path = Path(name)
        if not path.is_file():
            known = ", ".join(builtin_names())
            raise InstrumentError(
                f"instrument {name!r} is neither a built-in ({known}) nor a readable TOML file"
            )
        try:
            text = read_option_file(path, "instrument file")
        except CoachkitError as exc:
            raise InstrumentError(str(exc)) from None
        source = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InstrumentError(f"{source}: not valid TOML ({exc})") from exc
    except RecursionError:  # arrays nested thousands deep: no instrument is shaped so
        raise InstrumentError(f"{source}: nested too deeply to be an instrument") from None
    try:
        instrument = parse_instrument(data, source)
    except InstrumentError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        what = f"{type(exc).__name__}: {exc}"[:80]
        raise InstrumentError(
            f"{source}: not an instrument coachkit can read ({what}); compare it with a "
            "built-in one (src/coachkit/instruments/*.toml)"
        ) from exc
    return instrument if name in builtin_names() else replace(instrument, path=name)


HEADER_COLUMNS = ("leader", "group", "rater", "dimension", "rank", "score")


def _header_words(table: Any, source: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The [headers] table: per key column, the headers that name it, folded."""
    if not isinstance(table, dict) or set(table) - set(HEADER_COLUMNS):
        raise InstrumentError(
            f"{source}: [headers] holds lists of header words for {', '.join(HEADER_COLUMNS)}"
        )
    return tuple(
        (column, tuple(normalize(w) for w in _listed(table[column], f"{source}: [headers]")))
        for column in HEADER_COLUMNS
        if column in table
    )


def _listed(value: Any, name: str) -> list[str]:
    """A list of names from TOML; a lone string is one name, never split into its letters."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise InstrumentError(f"{name} must be a list of group ids, not {value!r}")
    return [str(v) for v in value]


def _words(value: Any, name: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list | tuple):
        raise InstrumentError(f"{name} must be a list of words, not {value!r}")
    return [str(v) for v in value]


def parse_instrument(data: dict[str, Any], source: str) -> Instrument:
    """Build and check an instrument from its TOML table."""

    def need(table: dict[str, Any], key: str, where: str) -> Any:
        if key not in table:
            raise InstrumentError(f"{source}: {where} needs a `{key}`")
        return table[key]

    def aliases(table: dict[str, Any]) -> tuple[str, ...]:
        found = table.get("aliases", [])
        if not isinstance(found, list):
            raise InstrumentError(f"{source}: aliases of {table.get('id')!r} must be a list")
        return tuple(str(a) for a in found)

    families = tuple(
        Family(
            str(need(f, "id", "[[families]]")),
            str(f.get("label", f["id"])),
            f.get("description", ""),
        )
        for f in data.get("families", [])
    )
    dimensions = tuple(
        Dimension(
            str(need(d, "id", "[[dimensions]]")),
            str(need(d, "label", f"dimension {d['id']!r}")),
            str(d.get("family", families[0].id if families else "all")),
            aliases(d),
        )
        for d in need(data, "dimensions", "the instrument")
    )
    if not families:
        families = (Family("all", "All dimensions"),)

    def anonymous(table: dict[str, Any]) -> bool:
        value = table.get("anonymous", True)
        if not isinstance(value, bool):  # 0, "false", "no" would read as true or false by chance
            raise InstrumentError(
                f"{source}: anonymous of group {table.get('id')!r} must be true or false, "
                f"not {value!r}"
            )
        return value

    groups = tuple(
        Group(
            str(need(g, "id", "[[groups]]")),
            str(g.get("label", g["id"])),
            anonymous(g),
            aliases(g),
            int(g["min_raters"]) if "min_raters" in g else None,
        )
        for g in need(data, "groups", "the instrument")
    )
    pooled_table = data.get("pooled", {"id": "all_others", "label": "All others"})
    roles = data.get("roles", {})
    self_group = str(roles.get("self", groups[0].id if groups else ""))
    pooled = Group(
        str(pooled_table.get("id", "all_others")),
        str(pooled_table.get("label", "All others")),
        True,
    )
    journey_table = data.get("journey", {})
    journey = JourneyPair(
        tuple(_words(journey_table.get("now", NOW_WORDS), f"{source}: [journey] now")),
        tuple(_words(journey_table.get("future", FUTURE_WORDS), f"{source}: [journey] future")),
        str(journey_table["vision"]) if "vision" in journey_table else None,
    )
    tilt_table = data.get("tilt")
    tilt = (str(tilt_table["first"]), str(tilt_table["second"])) if tilt_table else None
    instrument = Instrument(
        id=str(data.get("id", source)),
        name=str(data.get("name", data.get("id", source))),
        question=str(data.get("question", "")),
        title=str(data.get("title", "")),
        pattern_name=str((tilt_table or {}).get("pattern", "")),
        families=families,
        dimensions=dimensions,
        groups=groups,
        pooled=pooled,
        pooled_excludes=tuple(
            _listed(pooled_table.get("excludes", [self_group]), f"{source}: [pooled] excludes")
        ),
        self_group=self_group,
        focus_groups=tuple(roles.get("focus", [])),
        pairs=tuple((str(a), str(b)) for a, b in data.get("pairs", [])),
        tilt=tilt,
        journey=journey,
        headers=_header_words(data.get("headers", {}), source),
    )
    _check(instrument, source)
    return instrument


def _check(instrument: Instrument, source: str) -> None:
    dim_ids = [d.id for d in instrument.dimensions]
    family_ids = {f.id for f in instrument.families}
    group_ids = set(instrument.group_ids)
    problems: list[str] = []
    if len(dim_ids) < 3:
        problems.append("an instrument needs at least 3 dimensions")
    if not instrument.focus_groups:
        problems.append("roles.focus needs at least one group (whose view coaching focus follows)")
    if len(set(dim_ids)) != len(dim_ids):
        problems.append("dimension ids repeat")
    problems += [
        f"dimension {d.id!r} names unknown family {d.family!r}"
        for d in instrument.dimensions
        if d.family not in family_ids
    ]
    if len(group_ids) != len(instrument.groups) + 1:
        problems.append("group ids repeat")
    if instrument.self_group not in group_ids:
        problems.append(f"roles.self names unknown group {instrument.self_group!r}")
    problems += [
        f"pair ({a}, {b}) names an unknown group"
        for a, b in instrument.pairs
        if a not in group_ids or b not in group_ids
    ]
    problems += [
        f"roles.focus names unknown group {g!r}"
        for g in instrument.focus_groups
        if g not in group_ids
    ]
    vision = instrument.journey.vision
    if vision is not None and vision not in group_ids:
        problems.append(f"[journey] vision names unknown group {vision!r}")
    if instrument.tilt and not set(instrument.tilt) <= family_ids:
        problems.append("tilt names an unknown family")
    problems += _label_problems(instrument)
    if problems:
        raise InstrumentError(f"{source}: {problems[0]}")


def _label_problems(instrument: Instrument) -> list[str]:
    """Labels and aliases that match nothing, or that match another dimension or group (a
    group's alias naming another group would move its raters there unseen: staff answers read
    as the CIO's, say)."""
    problems = [
        f"{kind} label {name!r} has no letter, digit or symbol to match it by"
        for kind, names in (
            *(("dimension", (d.label, *d.aliases)) for d in instrument.dimensions),
            *(("group", (g.label, *g.aliases)) for g in instrument.groups),
        )
        for name in names
        if not compact(name)
    ]
    problems += [
        f"alias {alias!r} of {dim.id!r} already names {owner!r}"
        for dim in instrument.dimensions
        for alias in (dim.label, *dim.aliases)
        if (owner := instrument.match_dimension(alias)) != dim.id
    ]
    problems += [
        f"alias {alias!r} of group {group.id!r} already names {owner!r}"
        for group in instrument.groups
        for alias in (group.label, *group.aliases)
        if (owner := instrument.match_group(alias)) != group.id
    ]
    return problems


__all__ = ["Dimension", "Family", "Group", "Instrument", "load_instrument", "normalize"]
