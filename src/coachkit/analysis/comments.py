"""Free-text comments, opt-in (`--comments`): only of groups a leader's report shows, pooled per
group in an order drawn from the texts themselves (never the order of the file), with e-mail
addresses and phone numbers masked."""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from dataclasses import replace
from typing import TYPE_CHECKING

from coachkit.keys import objects
from coachkit.model import GroupComments, SubjectResult

if TYPE_CHECKING:
    from coachkit.validate import Dataset

# each starts only where a run of name characters starts: tried from every character of a long
# run, a pattern would take time growing with the square of its length
_START = r"(?<![\w.+-])"
EMAIL = re.compile(rf"{_START}[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# an address spelled out: "jo (at) corp (dot) com", "jo [at] corp.com", "jo at corp dot com"
_OPEN, _CLOSE = r"[(\[{<]", r"[)\]}>]"
BRACKETED = re.compile(
    rf"{_START}[\w.+-]+\s*{_OPEN}\s*at\s*{_CLOSE}\s*[\w-]+"
    rf"(?:\s*(?:{_OPEN}\s*dot\s*{_CLOSE}|\.)\s*[\w-]+)+",
    re.IGNORECASE,
)
SPELLED = re.compile(rf"{_START}[\w.+-]+\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)+", re.IGNORECASE)
# 7+ digits among spaces and separators (dashes of every kind, underscores, dots, slashes,
# brackets), with an extension: phone numbers (dates and ids go too); digits glued to letters
# are not spared ("tel0301234567")
PHONE = re.compile(
    r"(?:\+|\()?\d[\d ()./_\-\u2010-\u2015]{5,}\d"
    r"(?:\s*(?:ext\.?|extension|x)\s*\d{1,6})?",
    re.IGNORECASE,
)
# invisible characters that split an address or a number without showing (zero-width spaces,
# joiners, direction marks, soft hyphens)
INVISIBLE = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
MAX_CHARS = 1000
LOOKED_AT = 4 * MAX_CHARS  # no pattern runs on more of a comment than this


def _phone(match: re.Match[str]) -> str:
    found = match.group(0)
    return "[phone]" if sum(c.isdigit() for c in found) >= 7 else found


def masked(text: str) -> str:
    """A comment with e-mail addresses (spelled out too) and phone numbers masked, after
    folding look-alike characters (a fullwidth @) and removing invisible ones; then cut at
    `MAX_CHARS` on a word boundary, so a cut never leaves part of an address."""
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text[:LOOKED_AT]))
    text = " ".join(text.split())
    for pattern in (EMAIL, BRACKETED, SPELLED):
        text = pattern.sub("[e-mail]", text)
    text = PHONE.sub(_phone, text)
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS - 3].rsplit(" ", 1)[0].rstrip() + "..."
    return text


def shuffled(texts: list[str]) -> tuple[str, ...]:
    """The texts in an order seeded by the texts alone: the same every run, and the same
    whatever order the file held them in."""
    import numpy as np

    ordered = sorted(texts)
    seed = hashlib.sha256("\0".join(ordered).encode("utf-8")).digest()
    rng = np.random.default_rng(int.from_bytes(seed[:8], "little"))
    return tuple(ordered[i] for i in rng.permutation(len(ordered)))


def with_comments(
    subjects: tuple[SubjectResult, ...], dataset: Dataset
) -> tuple[SubjectResult, ...]:
    """Each leader's results with the comments of the groups its report shows."""
    import numpy as np

    if dataset.comments is None:
        return subjects
    size = len(dataset.instrument.groups)
    counts = np.fromiter(map(len, dataset.comments), dtype=np.int64, count=len(dataset.comments))
    flat = objects(itertools.chain.from_iterable(dataset.comments))
    keys = np.repeat(dataset.subject_codes * size + dataset.group_codes, counts)
    order = np.argsort(keys, kind="stable")  # a leader's group's texts together, as read
    distinct, starts = np.unique(keys[order], return_index=True)
    parts = [part.tolist() for part in np.split(flat[order], starts[1:])] if len(flat) else []
    texts = dict(zip(distinct.tolist(), parts, strict=True))
    index = {name: i for i, name in enumerate(dataset.subjects)}
    groups = [g.id for g in dataset.instrument.groups]
    return tuple(
        replace(
            result,
            comments=tuple(
                GroupComments(group, shuffled([masked(str(t)) for t in found]))
                for group in result.reported()
                if group in groups  # a group of raters; the pooled group has no comments of its own
                and (found := texts.get(index[result.subject] * size + groups.index(group)))
            ),
        )
        for result in subjects
    )
