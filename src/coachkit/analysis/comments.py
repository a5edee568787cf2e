"""Free-text comments, opt-in (`--comments`): only of groups a leader's report shows, pooled per
group in an order drawn from the texts themselves (never the order of the file), with e-mail
addresses and phone numbers masked."""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from coachkit.keys import objects
from coachkit.model import GroupComments, SubjectResult

if TYPE_CHECKING:
    from coachkit.validate import Dataset

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 8+ digits, spaces and separators: phone numbers (and dates and ids, which go too)
PHONE = re.compile(r"(?<![\w@])(?:\+|\()?\d[\d ()./-]{6,}\d(?!\w)")
MAX_CHARS = 1000


def masked(text: str) -> str:
    """A comment cut at `MAX_CHARS`, with e-mail addresses and phone numbers masked."""
    text = " ".join(text.split())
    if len(text) > MAX_CHARS:  # cut first: no pattern runs on more than MAX_CHARS
        text = text[: MAX_CHARS - 3].rstrip() + "..."
    return PHONE.sub("[phone]", EMAIL.sub("[e-mail]", text))


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
