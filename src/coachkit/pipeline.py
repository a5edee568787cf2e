"""The pipeline under every command and the public API: read -> validate -> analyze.

Options are built with keywords (the command line's names and defaults); each step returns a
value and the notes a person should see (what was read, warnings), never prints. `cli.py` and
notebooks are its two callers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import (
    TYPE_CHECKING,
    Any,
    Protocol,
    TypeAlias,
    TypedDict,
    TypeVar,
    Unpack,
    overload,
)

from coachkit.errors import InputError, UsageError
from coachkit.options import Layout, Scheme, ValueKind

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from coachkit.errors import AmbiguousQuestions
    from coachkit.instruments import Instrument
    from coachkit.io import ReadOptions, Source
    from coachkit.io.roster import Roster
    from coachkit.model import (
        CompareReport,
        JourneyCompareReport,
        JourneyReport,
        OrgReport,
        Report,
        Settings,
    )
    from coachkit.validate import Dataset

F = TypeVar("F", bound=Callable[..., Any])


class _WithSettings(Protocol):
    """A result that carries the settings in force (every kind of result does)."""

    @property
    def settings(self) -> Settings: ...


R = TypeVar("R", bound=_WithSettings)

# What `read` and `analyze` take: a path, a DataFrame, or a list of them (one dataset).
Input: TypeAlias = "str | PathLike[str] | pd.DataFrame"
Inputs: TypeAlias = "Input | Sequence[Input]"


@dataclass(frozen=True)
class Reading:
    """How to read the inputs: every reading option of the command line, by its name."""

    instrument: str | None = None  # a built-in id or a TOML file; leadership-12 by default
    source: Layout | str = Layout.auto  # a layout or platform; detected by default
    sheet: str | None = None
    subject: str | None = None  # the leader of a file that names none
    group: str | Mapping[str, str] | Sequence[str] | None = None  # one group, or per file
    group_map: Mapping[str, str] | Sequence[str] = field(default_factory=dict)
    dimension_map: Mapping[str, str] | Sequence[str] = field(default_factory=dict)
    values: ValueKind | str | None = None
    scheme: Scheme | str | None = None
    allow_partial: bool = False
    subject_column: str | None = None
    group_column: str | None = None
    rater_column: str | None = None
    question: str | None = None
    codes: str | PathLike[str] | Mapping[str, str] | None = None
    merge_names: bool = True
    keep_identical: bool = False  # identical rankings without rater ids all count
    comments: bool = False  # read free-text comment columns; shown only for reported groups
    # an HR roster (a file, a DataFrame, or one read already) joined to the leaders by name or id
    leaders: str | PathLike[str] | pd.DataFrame | Roster | None = None
    # the journey: the question of where things stand now, and of where they should go
    now: str | None = None
    future: str | None = None

    def instrument_to_read(self) -> Instrument:
        """The instrument the files are read with: `instrument` (the default when None), its
        dimensions also answering to the labels `dimension_map` names."""
        from coachkit.instruments import load_instrument, with_aliases

        return with_aliases(load_instrument(self.instrument), dimension_map(self))

    def read_options(self, instrument: Instrument) -> ReadOptions:
        """The reader's options for an instrument (group labels and codes resolved)."""
        from coachkit.io import ReadOptions

        try:
            layout = Layout(self.source)
        except ValueError:
            known = ", ".join(layout.value for layout in Layout)
            raise UsageError(f"{self.source!r} is not one of {known}", "source") from None
        return ReadOptions(
            layout=layout,
            sheet=self.sheet,
            subject=self.subject,
            group_map=group_map(self.group_map, instrument),
            subject_column=self.subject_column,
            group_column=self.group_column,
            codes=codes(self.codes),
            rater_column=self.rater_column,
            question=self.question,
            comments=self.comments,
        )


@dataclass(frozen=True)
class Analysis:
    """How to analyze: the anonymity minimum and the gap thresholds."""

    min_raters: int = 3
    notable_gap: float | None = None
    major_gap: float | None = None
    intervals: bool = True  # 95% intervals over raters for groups of 3+


@dataclass(frozen=True)
class Loaded:
    """A validated dataset and the notes of reading it (what was read from where, warnings)."""

    dataset: Dataset
    notes: tuple[str, ...]  # "note: ..." lines
    warnings: tuple[str, ...]


def _as_list(inputs: Inputs) -> list[Input]:
    if isinstance(inputs, str | PathLike) or _is_frame(inputs):
        return [inputs]  # type: ignore[list-item]
    return list(inputs)  # type: ignore[arg-type]


def _is_frame(value: object) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "columns")


def _name(value: Input, index: int) -> str:
    return f"<DataFrame {index + 1}>" if _is_frame(value) else str(value)


def load(inputs: Inputs, reading: Reading = Reading()) -> Loaded:
    """Read every input (files or DataFrames) and validate them as one dataset."""

    items = _as_list(inputs)
    if not items:
        raise UsageError("no input given")
    return _load(items, reading, reading.instrument_to_read())


def _load(
    items: list[Input], reading: Reading, instrument: Instrument, fallback: bool = True
) -> Loaded:
    """`load` with the instrument resolved. A file that holds no question of the default
    instrument is read, as `inspect` shows it, with the shipped instrument its ranking fits or
    with the ranking's own items (`fallback`), and a note says so."""
    from coachkit.io import read_frame, read_source
    from coachkit.validate import validate

    options = reading.read_options(instrument)
    names = [_name(item, i) for i, item in enumerate(items)]
    _same_data_twice([n for n, item in zip(names, items, strict=True) if not _is_frame(item)])
    groups = file_groups(reading.group, names, instrument)
    sources: list[Source] = []
    notes: list[str] = []
    for item, name in zip(items, names, strict=True):
        file_options = replace(options, group=groups.get(name))
        if _is_frame(item):
            source = read_frame(item, instrument, file_options, name)  # type: ignore[arg-type]
        else:
            try:
                source = read_source(name, instrument, file_options)
            except InputError:
                instead = None
                if fallback and reading.instrument is None:
                    instead = _instead(name, file_options)
                if instead is None:
                    raise
                other, question, note = instead
                loaded = _load(items, replace(reading, question=question), other, fallback=False)
                return replace(loaded, notes=(note, *loaded.notes))
        understood = f"; {source.understood}" if source.understood else ""
        notes.append(f"{name}: read as {source.source_format}, {source.rows} rows{understood}")
        sources.append(source)
    dataset = validate(
        sources,
        instrument,
        ValueKind(reading.values) if reading.values else None,
        Scheme(reading.scheme) if reading.scheme else None,
        reading.allow_partial,
        reading.merge_names,
        reading.keep_identical,
    )
    if reading.leaders is not None:
        dataset, joined = with_roster(dataset, reading.leaders)
        notes += joined
    return Loaded(dataset, tuple(notes), dataset.warnings)


def with_roster(
    dataset: Dataset, leaders: str | PathLike[str] | pd.DataFrame | Roster
) -> tuple[Dataset, list[str]]:
    """The dataset with each leader's roster attributes, and a note of the join. Leaders with
    no roster row are named in a warning; so are roster rows with no survey, unless the roster
    came read already (a batch shares one roster over its files: it notes the join and names
    those rows once)."""
    from coachkit.io.roster import Roster, read_roster

    roster = leaders if isinstance(leaders, Roster) else read_roster(leaders)
    attributes = tuple(roster.attributes(s) for s in dataset.subjects)
    warnings = list(dataset.warnings)
    missing = [s for s, a in zip(dataset.subjects, attributes, strict=True) if a is None]
    if missing:
        warnings.append(
            f"{roster.path}: no row for {len(missing)} leader{'s' * (len(missing) != 1)} of the "
            f"survey ({listed(missing)}); their attributes are blank"
        )
    note: list[str] = []
    if not isinstance(leaders, Roster):  # a batch's shared roster says these once, itself
        unsurveyed = roster.unsurveyed(dataset.subjects)
        if unsurveyed:
            warnings.append(unsurveyed_warning(roster, unsurveyed))
        warnings += contact_warnings(roster)
        note.append(
            f"{roster.path}: {len(attributes) - len(missing)} of {len(attributes)} leaders "
            f"joined by {' or '.join(map(repr, roster.key_columns))}; attributes "
            + ", ".join(map(repr, roster.columns))
        )
    joined = replace(
        dataset, attributes=attributes, attribute_columns=roster.columns, warnings=tuple(warnings)
    )
    return joined, note


def contact_warnings(roster: Roster) -> list[str]:
    """The roster's columns of e-mail addresses or phone numbers, left out, in one line."""
    if not roster.contact:
        return []
    verb = "holds" if len(roster.contact) == 1 else "hold"
    return [
        f"{roster.path}: {listed(roster.contact)} {verb} e-mail addresses or phone numbers; "
        "left out of every report"
    ]


def unsurveyed_warning(roster: Roster, names: Sequence[str]) -> str:
    """The roster's leaders no survey names, in one line."""
    return (
        f"{roster.path}: {len(names)} leader{'s' * (len(names) != 1)} of the roster "
        f"{'has' if len(names) == 1 else 'have'} no survey ({listed(names)})"
    )


def listed(names: Sequence[str], most: int = 20) -> str:
    """Names quoted in a line, the first `most` of them."""
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return ", ".join(map(repr, names[:most])) + more


def _instead(path: str, options: ReadOptions) -> tuple[Instrument, str | None, str] | None:
    """The instrument `inspect` reads a file with when no question holds the default's items
    (a shipped one its ranking fits, or the ranking's own items), the question to read, and
    the note that says so; None when there is none."""
    from coachkit.instruments import builtin_names, load_instrument
    from coachkit.instruments.draft import own_items_instrument
    from coachkit.io.describe import describe

    default = load_instrument(None)
    known = [default, *(load_instrument(n) for n in builtin_names() if n != default.id)]
    try:
        view = describe(path, default, options, known)[0]
    except InputError:
        return None
    if view.own_items:
        chosen = next((q for q in view.questions if q.chosen), None)
        mine = own_items_instrument(
            view.own_items, chosen.stem or chosen.key if chosen else "", view.own_labels, default
        )
        if chosen is None or mine is None:
            return None
        return mine, chosen.key, view.notes[0]
    if view.instrument == default.id or not view.questions:
        return None
    note = (
        f"{path}: no question holds the items of {default.id}; read with the shipped "
        f"instrument {view.instrument}, whose items it ranks (--instrument {view.instrument})"
    )
    return load_instrument(view.instrument), options.question, note


def _same_data_twice(names: Sequence[str]) -> None:
    """Refuse the same file given twice (by content): its raters would count twice, and could
    lift a group over the anonymity minimum."""
    if len(names) < 2:
        return
    import hashlib

    seen: dict[str, str] = {}
    for name in names:
        path = Path(name)
        if name == "-" or not path.is_file():
            continue
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError:
            continue  # the reader says what is wrong with it
        key = digest.hexdigest()
        if key in seen:
            raise InputError(f"{name}: holds the same data as {seen[key]}; give each file once")
        seen[key] = name


def usable(loaded: Loaded, names: Sequence[str]) -> Dataset:
    """The dataset, when any response is usable; else an error that says what to do."""
    dataset = loaded.dataset
    if len(dataset.ranks):
        return dataset
    reasons = {e.reason for e in dataset.excluded}
    ratings = bool(reasons) and all("given more than once" in r for r in reasons)
    hint = (
        "these look like ratings: add --values scores"
        if ratings
        else "run `coachkit validate` to see why"
    )
    raise InputError(
        f"{', '.join(names)}: no usable responses ({len(dataset.excluded)} excluded); {hint}"
    )


def threshold_warnings(notable: float, major: float, flags: bool = True) -> list[str]:
    """A notable size at or above the major one: every notable gap would be major too, a
    likely slip (`--notable-gap 7 --major-gap 3`). `flags`: name the command line's options,
    else the library's keywords."""
    if notable < major:
        return []
    names = ("--notable-gap", "--major-gap") if flags else ("notable_gap", "major_gap")
    return [
        f"{names[0]} {notable:g} is not below {names[1]} {major:g}: every notable gap is major "
        "too; the notable size is meant to be the smaller"
    ]


def same_input_warnings(before: object, after: object) -> list[str]:
    """An assessment compared with itself (the same file twice, or the same data): nothing can
    have changed, which is more likely a slip than a question."""
    import filecmp
    from os import fspath

    def path(given: object) -> Path | None:
        return Path(fspath(given)) if isinstance(given, str | PathLike) else None

    first, second = path(before), path(after)
    if first is None or second is None:
        same = before is after
        return ["the two assessments are the same data: nothing can have changed"] * same
    try:
        same = first.resolve() == second.resolve() or filecmp.cmp(first, second, shallow=False)
    except OSError:  # not a file (stdin, a missing file): the reader says so
        return []
    return [f"{first} and {second} hold the same data: nothing can have changed"] * same


def anonymity_warnings(reading: Reading, analysis: Analysis) -> list[str]:
    """What in the options or the instrument would weaken the raters' anonymity, said aloud."""
    from coachkit.instruments import load_instrument

    instrument = load_instrument(reading.instrument)
    found = []
    if analysis.min_raters < 3:
        found.append(
            f"--min-raters {analysis.min_raters} is below 3: the anonymity of raters is weakened"
        )
    for group in instrument.groups:
        if (
            group.anonymous
            and group.min_raters is not None
            and group.min_raters < analysis.min_raters
        ):
            found.append(
                f"instrument {instrument.id} asks for {group.min_raters} {group.label.lower()}; "
                f"the stricter --min-raters {analysis.min_raters} applies"
            )
    named = {instrument.self_group, instrument.reference}
    found += [
        f"instrument {instrument.id} reports {group.label} from a single rater (anonymous = "
        "false): their rankings may be shown one by one"
        for group in instrument.groups
        if not group.anonymous and group.id not in named
    ]
    anonymous = {g.id for g in instrument.groups if g.anonymous}
    for label, target in group_map(reading.group_map, instrument).items():
        if instrument.match_group(label) in anonymous and target not in anonymous:
            found.append(
                f"--group-map moves {label!r} raters (an anonymous group) into {target}, which "
                "is reported from a single rater: their rankings may be shown one by one"
            )
    return found


def moved_raters_warnings(dataset: Dataset, analysis: Analysis) -> list[str]:
    """Where an option or an input moves 1 to min-raters - 1 raters into or out of an anonymous
    group (raters --allow-partial completed, --group-map moved, a second file or an
    instrument's alias added beside raters the group holds anyway, a merged spelling of the
    leader's name brought): set against a report made without it, the difference would come
    close to those raters' own rankings. One warning per leader, move and group."""
    import numpy as np

    from coachkit.analysis.arrays import minimum

    groups = dataset.instrument.groups
    found = []
    for move in dataset.moves:
        sides = [
            ("moves" if move.came_from is not None else "adds", move.rows, dataset.group_codes)
        ]
        if move.came_from is not None:
            sides.append(("takes", move.rows, np.maximum(move.came_from, 0)))
        for verb, rows, group_of in sides:
            for g, group in enumerate(groups):
                if not group.anonymous:
                    continue
                counts = _per_subject(dataset, rows & (group_of == g))
                least = minimum(group, analysis.min_raters)
                few = (counts > 0) & (counts < least)
                if move.beside is not None:  # a group the move alone fills shows in no other run
                    few &= _per_subject(dataset, ~rows & move.beside & (group_of == g)) > 0
                for s in np.flatnonzero(few).tolist():
                    n = int(counts[s])
                    whose = "that rater's" if n == 1 else "those raters'"
                    where = "out of" if verb == "takes" else "into"
                    found.append(
                        f"{move.by} {verb} {n} rater{'s' * (n != 1)} {where} the "
                        f"{group.label.lower()} of {dataset.subjects[s]!r}: set against a report "
                        f"made without it, the difference comes close to {whose} own ranking; "
                        "hand out one of the two, never both"
                    )
    return found


def _per_subject(dataset: Dataset, rows: np.ndarray) -> np.ndarray:
    """How many of these usable responses each subject has."""
    import numpy as np

    return np.bincount(dataset.subject_codes[rows], minlength=len(dataset.subjects))


def check_thresholds(analysis: Analysis) -> None:
    """Anonymity minimum and gap thresholds as a person can mean them (a usage error if not)."""
    import math

    if analysis.min_raters < 1:
        raise UsageError("at least 1", "min_raters")
    for name, value in (
        ("notable_gap", analysis.notable_gap),
        ("major_gap", analysis.major_gap),
    ):
        if value is not None and not (math.isfinite(value) and value > 0):
            raise UsageError(f"a number of places above 0, not {value!r}", name)


def report(loaded: Loaded, analysis: Analysis = Analysis(), names: Sequence[str] = ()) -> Report:
    """The report for every leader of a loaded dataset."""
    from coachkit.analysis import analyze as analyze_dataset

    check_thresholds(analysis)
    dataset = usable(loaded, names or [i.path for i in loaded.dataset.inputs])
    return analyze_dataset(
        dataset, analysis.min_raters, analysis.notable_gap, analysis.major_gap, analysis.intervals
    )


def journey_pair(reading: Reading) -> tuple[str, str] | None:
    """The now and future questions the options name (None: no journey asked for)."""
    if reading.now is None and reading.future is None:
        return None
    if reading.now is None or reading.future is None:
        missing = "now" if reading.now is None else "future"
        raise UsageError(f"a journey needs both questions; name the {missing} one too", missing)
    if reading.question is not None:
        raise UsageError("a journey reads the now and the future question; drop it", "question")
    return reading.now, reading.future


def detected_pair(error: AmbiguousQuestions, reading: Reading) -> tuple[str, str] | None:
    """When exactly two questions fit the instrument and one speaks of now (today, current) and
    the other of the future (should, vision): the pair, by their keys."""
    from coachkit.instruments import load_instrument
    from coachkit.text import normalize

    if len(error.questions) != 2:
        return None
    words = load_instrument(reading.instrument).journey

    def says(text: str, phrases: tuple[str, ...]) -> bool:
        padded = f" {normalize(text)} "
        return any(f" {normalize(p)} " in padded for p in phrases)

    (a_key, a_text), (b_key, b_text) = error.questions
    # a question of the future may say "now" ("three years from now"): the future words win
    a_future, b_future = says(a_text or a_key, words.future), says(b_text or b_key, words.future)
    a_now = says(a_text or a_key, words.now) and not a_future
    b_now = says(b_text or b_key, words.now) and not b_future
    if a_now and b_future:
        return a_key or a_text, b_key or b_text
    if b_now and a_future:
        return b_key or b_text, a_key or a_text
    return None


def load_journey(inputs: Inputs, reading: Reading, pair: tuple[str, str]) -> tuple[Loaded, Loaded]:
    """The two questions of a journey, each read as its own dataset."""
    now = load(inputs, replace(reading, question=pair[0], now=None, future=None))
    future = load(inputs, replace(reading, question=pair[1], now=None, future=None))
    return now, future


def journey(
    now: Loaded, future: Loaded, pair: tuple[str, str], analysis: Analysis = Analysis()
) -> JourneyReport:
    """The journey from now to the future, per leader (or organization) and group."""
    from coachkit.analysis.journey import analyze_journey

    check_thresholds(analysis)
    names = [i.path for i in future.dataset.inputs]
    return analyze_journey(usable(now, names), usable(future, names), pair, analysis.min_raters)


def organization(
    loaded: Loaded, analysis: Analysis = Analysis(), by: str | None = None
) -> OrgReport:
    """The organization view of a loaded dataset; with `by`, split by that roster column."""
    from coachkit.analysis.org import analyze_org

    check_thresholds(analysis)
    dataset = usable(loaded, [i.path for i in loaded.dataset.inputs])
    column = None if by is None else roster_column(dataset, by)
    return analyze_org(
        dataset, analysis.min_raters, analysis.notable_gap, analysis.major_gap, column
    )


def roster_column(dataset: Dataset, by: str) -> str:
    """The roster column `by` names (case, accents and spacing aside)."""
    from coachkit.text import normalize

    if not dataset.attribute_columns:
        raise UsageError(
            f"needed to split by {by!r}, a column of the HR roster; give it", "leaders"
        )
    found = [c for c in dataset.attribute_columns if normalize(c) == normalize(by)]
    if not found:
        known = ", ".join(map(repr, dataset.attribute_columns))
        raise UsageError(f"{by!r} is not a column of the roster ({known})", "by")
    return found[0]


def comparison(
    before: Report | JourneyReport, after: Report | JourneyReport
) -> CompareReport | JourneyCompareReport:
    """What changed between two reports of the same leaders, or between two journeys."""
    from coachkit.analysis.compare import compare_journeys, compare_reports
    from coachkit.model import JourneyReport

    journeys = isinstance(before, JourneyReport), isinstance(after, JourneyReport)
    if journeys == (True, True):
        return compare_journeys(before, after)  # type: ignore[arg-type]
    if any(journeys):
        raise UsageError(
            "one survey reads as a journey (now and future) and the other not; compare two "
            "journeys, or choose one question of each with --question"
        )
    return compare_reports(before, after)  # type: ignore[arg-type]


def group_map(pairs: Mapping[str, str] | Sequence[str], instrument: Instrument) -> dict[str, str]:
    """`--group-map LABEL=group` pairs (or a mapping) as folded label -> group id."""
    from coachkit.text import normalize

    items = (
        list(pairs.items())
        if isinstance(pairs, Mapping)
        else [tuple(p.rpartition("=")[::2]) for p in pairs]
    )
    mapping: dict[str, str] = {}
    for label, group in items:
        group = group.strip()
        if not label.strip():
            raise UsageError(f"{label}={group!r} is not LABEL=group", "group_map")
        if group not in (g.id for g in instrument.groups):
            known = ", ".join(g.id for g in instrument.groups)
            raise UsageError(f"{group!r} is not a group ({known})", "group_map")
        mapping[normalize(label)] = group
    return mapping


def dimension_map(reading: Reading) -> dict[str, str]:
    """`--dimension-map LABEL=id` pairs (or a mapping) as label -> dimension id; the target may
    be an id or a label of the instrument's dimensions."""
    from coachkit.instruments import load_instrument

    pairs = reading.dimension_map
    if not pairs:
        return {}
    instrument = load_instrument(reading.instrument)
    items = (
        list(pairs.items())
        if isinstance(pairs, Mapping)
        else [tuple(p.rpartition("=")[::2]) for p in pairs]
    )
    mapping: dict[str, str] = {}
    for label, target in items:
        dim = instrument.match_dimension(target.strip()) if label.strip() else None
        if dim is None:
            known = ", ".join(instrument.dimension_ids)
            raise UsageError(
                f"{label}={target!r} is not LABEL=dimension ({known})", "dimension_map"
            )
        mapping[label.strip()] = dim
    return mapping


def file_groups(
    values: str | Mapping[str, str] | Sequence[str] | None,
    files: Sequence[str],
    instrument: Instrument,
) -> dict[str, str]:
    """`--group GROUP` (every file) and `--group FILE=GROUP` (one file) as the group of each
    file, by its name as given."""
    if values is None:
        return {}
    if isinstance(values, str):
        items = [("", values)]
    elif isinstance(values, Mapping):
        items = list(values.items())
    else:
        items = [tuple(v.rpartition("=")[::2]) for v in values]  # type: ignore[misc]
    chosen: dict[str, str] = {}
    everywhere = None
    for name, label in items:
        group = instrument.match_group(label.strip())
        if group is None or group == instrument.pooled.id:
            known = ", ".join(g.id for g in instrument.groups)
            raise UsageError(f"{label!r} is not a group ({known})", "group")
        if not name:
            everywhere = group
            continue
        named = [f for f in files if f == name or Path(f).name == name]
        if not named:
            raise UsageError(f"{name!r} is not one of the files given; use FILE=GROUP", "group")
        chosen.update(dict.fromkeys(named, group))
    if everywhere is not None:
        chosen = {f: chosen.get(f, everywhere) for f in files}
    return chosen


def codes(value: str | PathLike[str] | Mapping[str, str] | None) -> dict[str, str]:
    """Answer codes (code -> item label): a mapping, or a two-column CSV file (code,label)."""
    import csv

    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    from coachkit.text import read_option_file

    path = Path(value)
    text = read_option_file(path, "codes file")
    found = {}
    for number, row in enumerate(csv.reader(text.splitlines()), start=1):
        if len(row) < 2 or not row[0].strip():
            if row and any(cell.strip() for cell in row):
                raise InputError(f"{path}, row {number}: expected two columns, code and label")
            continue
        found[row[0].strip()] = row[1].strip()
    return found


def split(options: Mapping[str, Any]) -> tuple[Reading, Analysis]:
    """Keyword options (the command line's names) as reading and analysis settings."""
    reading_names = set(Reading.__dataclass_fields__)
    analysis_names = set(Analysis.__dataclass_fields__)
    unknown = set(options) - reading_names - analysis_names
    if unknown:
        raise UsageError(
            f"unknown option {sorted(unknown)[0]!r}; options: "
            + ", ".join(sorted(reading_names | analysis_names))
        )
    return (
        Reading(**{k: v for k, v in options.items() if k in reading_names}),
        Analysis(**{k: v for k, v in options.items() if k in analysis_names}),
    )


# The public API: paths, lists of paths or DataFrames in, results out.


def _warned(loaded: Loaded) -> Loaded:
    """The library's way to say what the command line prints as `warning:` lines."""
    import warnings

    from coachkit.errors import CoachkitWarning
    from coachkit.text import as_keywords

    for message in loaded.warnings:
        warnings.warn(as_keywords(message), CoachkitWarning, stacklevel=3)
    return loaded


def _warn(messages: list[str]) -> None:
    """Warnings about the options, as `coachkit.CoachkitWarning`."""
    import warnings

    from coachkit.errors import CoachkitWarning
    from coachkit.text import as_keywords

    for message in messages:
        warnings.warn(as_keywords(message), CoachkitWarning, stacklevel=3)


def _in_library_terms(function: F) -> F:
    """A public function whose errors name options as a library call writes them (the readers
    and validation word theirs for the command line, which prints them as they are)."""
    import functools

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        from coachkit.errors import CoachkitError
        from coachkit.text import as_keywords

        try:
            return function(*args, **kwargs)
        except UsageError:
            raise  # already in the caller's terms
        except CoachkitError as exc:
            worded = as_keywords(str(exc))
            if worded == str(exc):
                raise
            raise type(exc)(worded) from exc

    return call  # type: ignore[return-value]


def _checked(result: R) -> R:
    """A result, once its thresholds in force are said to be in order."""
    settings = result.settings
    _warn(threshold_warnings(settings.notable_gap, settings.major_gap, flags=False))
    return result


def _no_reading_options(options: Mapping[str, Any]) -> None:
    """A dataset was read already: a reading option given with it would be dropped unseen."""
    given = sorted(set(options) & set(Reading.__dataclass_fields__))
    if given:
        raise UsageError(
            f"{given[0]}: a reading option, and this dataset was read already; pass it to "
            "coachkit.read, or give analyze the files themselves"
        )


class ReadingOptions(TypedDict, total=False):
    """The reading keywords of `read`, `analyze`, `org` and `compare`: `Reading`'s fields but
    the journey's two questions, which `analyze` and `compare` name as keywords of their own (a
    test holds the two to the same names; the defaults are `Reading`'s)."""

    instrument: str | None
    source: Layout | str
    sheet: str | None
    subject: str | None
    group: str | Mapping[str, str] | Sequence[str] | None
    group_map: Mapping[str, str] | Sequence[str]
    dimension_map: Mapping[str, str] | Sequence[str]
    values: ValueKind | str | None
    scheme: Scheme | str | None
    allow_partial: bool
    subject_column: str | None
    group_column: str | None
    rater_column: str | None
    question: str | None
    codes: str | PathLike[str] | Mapping[str, str] | None
    merge_names: bool
    keep_identical: bool
    comments: bool
    leaders: str | PathLike[str] | pd.DataFrame | Roster | None


class Options(ReadingOptions, total=False):
    """Every keyword of `analyze`, `org` and `compare`: the reading ones and `Analysis`'s."""

    min_raters: int
    notable_gap: float | None
    major_gap: float | None
    intervals: bool


JOURNEY = ("now", "future")  # `Reading` fields that only `analyze` and `compare` take


def _keywords(*kinds: type) -> Callable[[F], F]:
    """Give a function whose options come as `**options` a signature that lists them as
    keyword-only parameters with their defaults (from the settings dataclasses `kinds`), so
    that `inspect.signature`, `help()` and notebooks show them."""
    import dataclasses
    import inspect

    def sign(function: F) -> F:
        signature = inspect.signature(function)
        fixed = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
        skip = {p.name for p in fixed} | set(JOURNEY)  # the journey's: only where named
        named = [
            inspect.Parameter(
                f.name, inspect.Parameter.KEYWORD_ONLY, default=_default(f), annotation=f.type
            )
            for kind in kinds
            for f in dataclasses.fields(kind)
            if f.name not in skip
        ]
        function.__signature__ = signature.replace(parameters=[*fixed, *named])  # type: ignore[attr-defined]
        return function

    return sign


def _default(found: Any) -> Any:
    """A dataclass field's default, made by its factory where it has one."""
    import dataclasses

    if found.default is not dataclasses.MISSING:
        return found.default
    return found.default_factory()


@_in_library_terms
@_keywords(Reading)
def read(inputs: Inputs, **options: Unpack[ReadingOptions]) -> Dataset:
    """Read and validate survey files or DataFrames as one dataset; data-quality warnings are
    issued as `coachkit.CoachkitWarning`. The keywords are the command line's reading options.

    >>> data = coachkit.read("survey.xlsx", instrument="leadership-12")  # doctest: +SKIP
    """
    given = sorted(set(options) & set(JOURNEY))
    if given:  # a journey's two questions are analyze's to read
        raise UsageError(f"unknown option {given[0]!r}; analyze takes a journey's questions")
    reading, _ = split(options)
    return _warned(load(inputs, reading)).dataset


@overload
def analyze(
    data: Dataset | Inputs,
    *,
    now: None = None,
    future: None = None,
    **options: Unpack[Options],
) -> Report: ...


@overload
def analyze(
    data: Dataset | Inputs, *, now: str, future: str, **options: Unpack[Options]
) -> JourneyReport: ...


@overload
def analyze(
    data: Dataset | Inputs,
    *,
    now: str | None = None,
    future: str | None = None,
    **options: Unpack[Options],
) -> Report | JourneyReport: ...


@_in_library_terms
@_keywords(Reading, Analysis)
def analyze(
    data: Dataset | Inputs,
    *,
    now: str | None = None,
    future: str | None = None,
    **options: Unpack[Options],
) -> Report | JourneyReport:
    """The report for every leader: from a dataset `read` returned, or straight from files or
    DataFrames with the same keyword options as `coachkit analyze`. With `now` and `future`
    (two questions of one survey over the same items, by id or words), the journey from one to
    the other instead.

    >>> coachkit.analyze("it.csv", instrument="it-archetypes", now="today", future="should")  # doctest: +SKIP
    """
    from coachkit.errors import AmbiguousQuestions
    from coachkit.validate import Dataset

    reading, analysis = split(options)
    reading = replace(reading, now=now, future=future)
    if isinstance(data, Dataset):
        _no_reading_options(options)
        if now is not None or future is not None:
            raise UsageError("a journey reads two questions from the files; give the files", "now")
        _warn(moved_raters_warnings(data, analysis))
        return _checked(report(Loaded(data, (), data.warnings), analysis))
    pair = journey_pair(reading)
    if pair is None:
        try:
            loaded = _warned(load(data, reading))
            _warn(moved_raters_warnings(loaded.dataset, analysis))
            return _checked(report(loaded, analysis))
        except AmbiguousQuestions as exc:
            found = detected_pair(exc, reading)
            if found is None:
                raise
            raise UsageError(
                f"two questions rank the same items, {found[0]!r} now and {found[1]!r} the "
                "future: give now= and future= for the journey, or question= for one",
                "question",
            ) from None
    loaded_now, loaded_future = load_journey(data, reading, pair)
    _warn(moved_raters_warnings(loaded_future.dataset, analysis))  # the same raters answer both
    return _checked(journey(_warned(loaded_now), _warned(loaded_future), pair, analysis))


@_in_library_terms
@_keywords(Reading, Analysis)
def org(data: Dataset | Inputs, *, by: str | None = None, **options: Unpack[Options]) -> OrgReport:
    """The organization view: each rater group pooled over every leader; with `by` (a column
    of the HR roster given as `leaders`), the same per segment and whether segments differ.

    >>> coachkit.org("cohort.csv", leaders="roster.csv", by="function")  # doctest: +SKIP
    """
    from coachkit.validate import Dataset

    reading, analysis = split(options)
    if isinstance(data, Dataset):
        _no_reading_options(options)
        loaded = Loaded(data, (), data.warnings)
    else:
        loaded = _warned(load(data, reading))
    _warn(moved_raters_warnings(loaded.dataset, analysis))  # the pool holds each leader's groups
    return _checked(organization(loaded, analysis, by))


@overload
def compare(
    before: Dataset | Inputs,
    after: Dataset | Inputs,
    *,
    now: None = None,
    future: None = None,
    **options: Unpack[Options],
) -> CompareReport: ...


@overload
def compare(
    before: Dataset | Inputs,
    after: Dataset | Inputs,
    *,
    now: str,
    future: str,
    **options: Unpack[Options],
) -> JourneyCompareReport: ...


@_in_library_terms
@_keywords(Reading, Analysis)
def compare(
    before: Dataset | Inputs,
    after: Dataset | Inputs,
    *,
    now: str | None = None,
    future: str | None = None,
    **options: Unpack[Options],
) -> CompareReport | JourneyCompareReport:
    """What changed between two assessments of the same leaders; with `now` and `future`,
    whether each group of two journeys moved toward the vision."""
    import warnings

    _warn(same_input_warnings(before, after))
    with warnings.catch_warnings():  # the thresholds are said once, not for each assessment
        warnings.filterwarnings("ignore", message=".*is not below major_gap")
        earlier = analyze(before, now=now, future=future, **options)
        later = analyze(after, now=now, future=future, **options)
    return _checked(comparison(earlier, later))
