"""The journey: the same items ranked twice, where things stand now and where they should go.

Per leader (or organization) and rater group: both questions' mean ranks, each item's shift
(future - now; negative: it should rise) with its chance under random ranking, the item the group
ranks first now (where it places the organization today), and alignment with the vision (the
future of the group the instrument names, the CIO): the Spearman rho of the group's future mean
ranks with the vision's, and how many of its raters rank the future within rho >= 0.5 of it.
Only groups reported for both questions appear, and the counts come from reported groups only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from coachkit.analysis import stats
from coachkit.analysis.arrays import add_up, rank_rows, spearman_rows, tables
from coachkit.analysis.report import instrument_info, settings_for
from coachkit.model import JourneyGroup, JourneyReport, SubjectJourney
from coachkit.policy import ALPHA
from coachkit.text import leader_key
from coachkit.version import __version__

if TYPE_CHECKING:
    from coachkit.analysis.arrays import Tables
    from coachkit.instruments import Instrument
    from coachkit.validate import Dataset

ALIGNED_RHO = 0.5  # a rater shares the vision when their future ranking is this close to it
EXACT_SHIFT_SUPPORT = 4_000_000  # outcome pairs the exact shift null may enumerate


def vision_group(instrument: Instrument) -> str:
    """Whose future is the vision: the instrument's `[journey] vision`, else the reference role
    (the manager), else self."""
    return instrument.journey.vision or instrument.reference or instrument.self_group


def analyze_journey(
    now: Dataset,
    future: Dataset,
    questions: tuple[str, str],
    min_raters: int = 3,
) -> JourneyReport:
    """The journey of every leader (or organization) the future question's answers name."""
    instrument = future.instrument
    vision = vision_group(instrument)
    before = tables(add_up(now), instrument, now.blocks, min_raters, detail=False)
    after = tables(add_up(future), instrument, future.blocks, min_raters, detail=False)
    rows = {leader_key(s): i for i, s in enumerate(before.subjects)}
    v = after.groups.index(vision)
    aligned = _raters_aligned(future, after, v)
    subjects = []
    for s, name in enumerate(after.subjects):
        t = rows.get(leader_key(name))
        groups = tuple(
            _group(instrument, before, after, t, s, g, v, aligned[s, g])
            for g in range(len(after.groups))
            if (t is not None and before.counts[t, g]) or after.counts[s, g]
        )
        subjects.append(SubjectJourney(name, groups))
    return JourneyReport(
        coachkit_version=__version__,
        instrument=instrument_info(instrument),
        settings=settings_for(future, min_raters, None, None, intervals=False),
        inputs=future.inputs,
        excluded=now.excluded + future.excluded,
        now_question=questions[0],
        future_question=questions[1],
        vision=vision,
        aligned_rho=ALIGNED_RHO,
        subjects=tuple(subjects),
        warnings=tuple(dict.fromkeys(now.warnings + future.warnings)),
    )


def _group(
    instrument: Instrument,
    before: Tables,
    after: Tables,
    t: int | None,
    s: int,
    g: int,
    v: int,
    aligned: int,
) -> JourneyGroup:
    """One group's journey, or why it is not shown (not reported for one of the questions)."""
    group = after.groups[g]
    n_now = 0 if t is None else int(before.counts[t, g])
    n_future = int(after.counts[s, g])
    reason = None
    if t is None or not before.reported[t, g]:
        reason = "now: " + ((before.reasons[t][g] or "") if t is not None else "no raters")
    elif not after.reported[s, g]:
        reason = f"future: {after.reasons[s][g]}"
    if reason is not None:
        return JourneyGroup(group, n_now, n_future, False, reason)
    assert t is not None
    dims = list(instrument.dimension_ids)
    now, future = before.means[t, g], after.means[s, g]
    shift = future - now
    p = shift_p(shift, n_now, n_future, len(dims))
    rho = None
    if after.reported[s, v] and g != v:
        found = float(spearman_rows(rank_rows(future), rank_rows(after.means[s, v])))
        rho = None if found != found else found
    return JourneyGroup(
        group=group,
        n_now=n_now,
        n_future=n_future,
        reported=True,
        reason=None,
        now=dict(zip(dims, now.tolist(), strict=True)),
        future=dict(zip(dims, future.tolist(), strict=True)),
        shift=dict(zip(dims, shift.tolist(), strict=True)),
        shift_p=dict(zip(dims, p.tolist(), strict=True)),
        moves=tuple(
            d for d, q in zip(dims, stats.holm(p[None])[0].tolist(), strict=True) if q <= ALPHA
        ),
        stage=dims[int(np.argmin(np.round(now, 9)))],
        alignment=rho,
        raters_aligned=None if g == v or rho is None else int(aligned),
    )


def _raters_aligned(future: Dataset, after: Tables, v: int) -> np.ndarray:
    """Per leader and group (the pooled group included), how many raters rank the future within
    rho >= ALIGNED_RHO of the vision's mean ranks: counted only where the group is reported."""
    n_subjects, n_groups = after.counts.shape
    vision = after.means[:, v]  # (S, K), NaN where the vision has no raters
    rho = spearman_rows(rank_rows(future.ranks), rank_rows(vision[future.subject_codes]))
    close = np.nan_to_num(rho, nan=-2.0) >= ALIGNED_RHO - 1e-9
    keys = future.subject_codes * n_groups + future.group_codes
    counts = np.bincount(keys, close, minlength=n_subjects * n_groups).reshape(n_subjects, n_groups)
    instrument = future.instrument
    pooled_in = [
        g for g, x in enumerate(instrument.groups) if x.id not in instrument.pooled_excludes
    ]
    counts[:, -1] = counts[:, pooled_in].sum(axis=1)
    return np.where(after.reported, counts, 0).astype(np.int64)


def shift_p(shift: np.ndarray, n_now: int, n_future: int, k: int) -> np.ndarray:
    """Two-sided chance under random ranking of a shift at least this large: the future mean
    rank of an item over `n_future` random raters minus its now mean over `n_now` (each rater's
    rank uniform on 1..k). Exact from the two rank-sum distributions; normal when large."""
    shift = np.abs(np.asarray(shift, dtype=np.float64)) - 1e-9
    a, b = stats.rank_sum_null(1, k, n_future), stats.rank_sum_null(1, k, n_now)
    if len(a) * len(b) > EXACT_SHIFT_SUPPORT:
        import math

        sd = math.sqrt((k * k - 1) / 12.0 * (1.0 / n_future + 1.0 / n_now))
        return np.array([math.erfc(x / sd / math.sqrt(2.0)) for x in shift.tolist()])
    values = np.abs(np.arange(len(a))[:, None] / n_future - np.arange(len(b))[None, :] / n_now)
    weights = (a[:, None] * b[None, :]).ravel()
    order = np.argsort(values.ravel())
    sorted_values = values.ravel()[order]
    tail = np.cumsum(weights[order][::-1])[::-1]  # P(value >= sorted_values[i])
    at = np.searchsorted(sorted_values, shift, side="left")
    return np.where(at < len(tail), tail[np.minimum(at, len(tail) - 1)], 0.0).clip(0.0, 1.0)
