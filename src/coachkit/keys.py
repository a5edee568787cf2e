"""Numbering values and rows by key, in the order they first appear: what the readers and the
validation need of a table, on numpy arrays (so a small file is read without pandas)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

# Above this many values, pandas' hash table numbers them faster than a dict, when a large file
# brought pandas in already; below it (or without pandas) a dict does, with the same result.
_PANDAS_FROM = 100_000


def objects(items: Iterable[Any]) -> np.ndarray:
    """A 1-d object array of these items, each one element (a tuple stays whole, where
    `np.array` would make it a row)."""
    import numpy as np

    listed = list(items)
    array = np.empty(len(listed), dtype=object)
    array[:] = listed
    return array


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A number per value, counted in order of first appearance, and the distinct values in that
    order (`pandas.factorize` without a missing-value code)."""
    import numpy as np

    if values.dtype != object:
        ordered, first, inverse = np.unique(values, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        renumber = np.empty(len(order), dtype=np.int64)
        renumber[order] = np.arange(len(order))
        return renumber[inverse.reshape(-1)], ordered[order]
    if len(values) >= _PANDAS_FROM and "pandas" in sys.modules:
        import pandas as pd

        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)
    seen: dict[object, int] = {}
    codes = np.fromiter(
        (seen.setdefault(v, len(seen)) for v in values.tolist()), dtype=np.int64, count=len(values)
    )
    return codes, objects(seen)


def rows_factorize(columns: list[np.ndarray]) -> np.ndarray:
    """A number per row of equal-length integer (or float) columns, equal rows equal numbers,
    counted in order of first appearance."""
    import numpy as np

    if not columns or not len(columns[0]):
        return np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    stacked = np.column_stack(columns)
    _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    renumber = np.empty(len(order), dtype=np.int64)
    renumber[order] = np.arange(len(order))
    return renumber[inverse.reshape(-1)]


def earlier_repeats(keys: np.ndarray) -> np.ndarray:
    """Per key, whether the same key comes again later (every occurrence but the last)."""
    import numpy as np

    _, last_from_end = np.unique(keys[::-1], return_index=True)
    repeated = np.ones(len(keys), dtype=bool)
    repeated[len(keys) - 1 - last_from_end] = False
    return repeated


def descending_ranks(x: np.ndarray) -> np.ndarray:
    """Each row's values ranked from the highest (1) down, tied values sharing the mean of their
    places, NaN left unranked (`DataFrame.rank(axis=1, ascending=False, method="average")`)."""
    import numpy as np

    out = np.empty(x.shape)
    step = max(1, 2_000_000 // max(1, x.shape[1] ** 2))  # rows per pass: bounded memory
    for start in range(0, len(x), step):
        block = x[start : start + step]
        higher = (block[:, None, :] > block[:, :, None]).sum(axis=2)
        equal = (block[:, None, :] == block[:, :, None]).sum(axis=2)
        ranks = higher + (equal + 1) / 2
        out[start : start + step] = np.where(np.isnan(block), np.nan, ranks)
    return out


def per_value(values: np.ndarray, function: Callable[[Any], Any]) -> np.ndarray:
    """`function` of each value (an object array), called once per distinct value."""

    codes, uniques = factorize(values)
    mapped: np.ndarray = objects(map(function, uniques.tolist()))[codes]
    return mapped


def occurrence(keys: np.ndarray) -> np.ndarray:
    """Per key, how many times the same key came before it (0 for its first occurrence)."""
    import numpy as np

    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.ones(len(keys), dtype=bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    place = np.arange(len(keys))
    out = np.empty(len(keys), dtype=np.int64)
    out[order] = place - np.maximum.accumulate(np.where(starts, place, 0))
    return out


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (`np.unique`), without the import of numpy.ma that a plain
    `np.unique` call makes on first use (a few milliseconds of every small run)."""
    import numpy as np

    found: np.ndarray = np.unique(values, return_counts=True)[0]
    return found
