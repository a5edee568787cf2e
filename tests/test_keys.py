"""The numbering helpers the readers and the validation use instead of pandas, checked against
what pandas itself gives (pandas is only a test dependency of this comparison)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from coachkit import keys

TEXTS = st.lists(st.sampled_from(["", "a", " a", "b", "Zoë", "anonymous", "1", "1.0"]), max_size=40)
INTS = st.lists(st.integers(-3, 5), max_size=40)


def _objects(values: list[str]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


@given(TEXTS)
def test_factorize_numbers_text_as_pandas_does(values: list[str]) -> None:
    codes, uniques = keys.factorize(_objects(values))
    expected_codes, expected = pd.factorize(_objects(values), use_na_sentinel=False)
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.tolist() == list(expected)


@given(INTS)
def test_factorize_numbers_integers_as_pandas_does(values: list[int]) -> None:
    codes, uniques = keys.factorize(np.array(values, dtype=np.int64))
    expected_codes, expected = pd.factorize(np.array(values, dtype=np.int64))
    assert codes.tolist() == expected_codes.tolist()
    assert uniques.tolist() == expected.tolist()


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 2)), max_size=40))
def test_rows_and_repeats_as_pandas_groups_them(rows: list[tuple[int, int, int]]) -> None:
    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=np.int64)
    columns = [frame[c].to_numpy() for c in frame.columns]
    expected = frame.groupby(["a", "b", "c"], sort=False).ngroup().to_numpy()
    assert keys.rows_factorize(columns).tolist() == expected.tolist()
    single = frame["a"].to_numpy() * 10 + frame["b"].to_numpy()
    assert keys.earlier_repeats(single).tolist() == (
        pd.Index(single).duplicated(keep="last").tolist()
    )
    assert keys.occurrence(single).tolist() == pd.Series(single).groupby(single).cumcount().tolist()


@given(
    st.lists(
        st.lists(
            st.one_of(st.integers(0, 4).map(float), st.just(float("nan"))), min_size=5, max_size=5
        ),
        max_size=30,
    )
)
def test_descending_ranks_average_ties_as_pandas_does(rows: list[list[float]]) -> None:
    x = np.array(rows, dtype=np.float64).reshape(-1, 5)
    expected = pd.DataFrame(x).rank(axis=1, ascending=False, method="average").to_numpy()
    assert np.array_equal(keys.descending_ranks(x), expected, equal_nan=True)


@given(TEXTS)
def test_per_value_and_distinct(values: list[str]) -> None:
    mapped = keys.per_value(_objects(values), lambda v: v.strip().upper())
    assert mapped.tolist() == [v.strip().upper() for v in values]
    numbers = np.array([len(v) for v in values], dtype=np.int64)
    assert keys.distinct(numbers).tolist() == sorted(set(numbers.tolist()))


@given(TEXTS)
def test_factorize_by_pandas_for_long_arrays_is_the_same(values: list[str]) -> None:
    """Long arrays are numbered by pandas' hash table when a large file loaded pandas already:
    the same numbers as the dict that numbers short ones."""
    by_dict = keys.factorize(_objects(values))
    saved = keys._PANDAS_FROM
    keys._PANDAS_FROM = 0
    try:
        by_pandas = keys.factorize(_objects(values))
    finally:
        keys._PANDAS_FROM = saved
    assert by_pandas[0].tolist() == by_dict[0].tolist()
    assert by_pandas[1].tolist() == by_dict[1].tolist()
    assert by_pandas[1].dtype == object and by_pandas[0].dtype == np.int64


def _merged_by_rows(
    ids: list[str], leaders: list[str], groups: list[str], answers: list[int], strict: bool
) -> tuple[int, int] | None:
    """`merged_rankings` row by row, as a person would check it (the oracle)."""
    from coachkit.io.columns import ANONYMOUS, BLANKS

    cells: dict[tuple[str, str], list[int]] = {}
    for i, (rater, leader) in enumerate(zip(ids, leaders, strict=True)):
        if rater.strip().lower() not in ANONYMOUS | BLANKS:
            cells.setdefault((rater.strip(), leader), []).append(i)
    merged, worst = 0, None
    keyed = sum(len(rows) for rows in cells.values())
    for rows in cells.values():
        complete = [i for i in rows if answers[i] >= 0]
        if len({answers[i] for i in complete}) < 2:
            continue
        pair = (complete[0], next(i for i in complete if answers[i] != answers[complete[0]]))
        merged += len(complete) - 1
        labels = {groups[i].strip().lower() for i in rows} - {""}
        if strict or len(labels) > 1 or len({answers[i] for i in complete}) >= 3:
            return pair
        worst = worst or pair
    return worst if worst is not None and merged > max(2, keyed / 4) else None


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", " a", "", "n/a", "anonymous", "c"]),
            st.sampled_from(["Ann", "Bo"]),
            st.sampled_from(["peer", "Peer ", "manager", ""]),
            st.integers(-1, 3),
        ),
        max_size=30,
    ),
    st.booleans(),
)
def test_merged_rankings_agrees_with_a_row_by_row_check(
    rows: list[tuple[str, str, str, int]], strict: bool
) -> None:
    import numpy as np

    from coachkit.io.columns import merged_rankings
    from coachkit.keys import objects

    ids, leaders, groups, answers = (
        (list(column) for column in zip(*rows, strict=True)) if rows else ([], [], [], [])
    )
    found = merged_rankings(
        objects(ids),
        objects(leaders),
        objects(groups),
        lambda: np.array(answers, dtype=np.int64),
        strict,
    )
    assert found == _merged_by_rows(ids, leaders, groups, answers, strict)
