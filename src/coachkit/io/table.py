"""Rows of a grid as numpy columns: what the readers look through to find a survey in a file.

A column is text (an object array of `str`, blank cells `""`) or, where a parser typed a column of
plain numbers, float64 (blank cells NaN); a reader accepts either. Columns keep the position they
have in the file, and rows the grid row they came from, through every selection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True)
class Table:
    """Rows of a grid: `rows[i]` is the grid row of row i, `columns[c]` the cells of column c."""

    rows: np.ndarray  # int64, increasing
    columns: dict[int, np.ndarray]

    @classmethod
    def of(cls, cells: np.ndarray, first_row: int = 0) -> Table:
        """A table of a 2-d array of text cells whose first row is grid row `first_row`."""
        import numpy as np

        rows = np.arange(first_row, first_row + cells.shape[0], dtype=np.int64)
        return cls(rows, {c: cells[:, c] for c in range(cells.shape[1])})

    @classmethod
    def of_frame(cls, frame: pd.DataFrame) -> Table:
        """A parsed DataFrame (labels: column positions, index: grid rows); text columns keep
        their text, a short row's missing cells become blank."""
        import numpy as np

        columns = {}
        for c, column in frame.items():
            if column.dtype == object:
                values = column.to_numpy(dtype=object)
                if column.hasnans:
                    values = np.where(column.isna().to_numpy(), "", values)
            else:
                values = column.to_numpy(dtype=np.float64)
            columns[int(c)] = values  # type: ignore[call-overload]
        return cls(frame.index.to_numpy(dtype=np.int64), columns)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, column: int) -> np.ndarray:
        return self.columns[column]

    @property
    def labels(self) -> list[int]:
        """The columns' positions in the file, in order."""
        return list(self.columns)

    @property
    def width(self) -> int:
        """How many columns."""
        return len(self.columns)

    def is_text(self, column: int) -> bool:
        """Whether a column holds text (not numbers a parser typed)."""
        return bool(self.columns[column].dtype == object)

    def select(self, columns: Iterable[int]) -> Table:
        """These columns only."""
        return Table(self.rows, {c: self.columns[c] for c in columns})

    def take(self, which: np.ndarray | slice) -> Table:
        """The rows a mask, positions or a slice pick."""
        return Table(self.rows[which], {c: v[which] for c, v in self.columns.items()})

    def since(self, row: int) -> Table:
        """The rows from grid row `row` on."""
        import numpy as np

        return self.take(slice(int(np.searchsorted(self.rows, row)), None))

    def row(self, row: int) -> list[str]:
        """Grid row `row` as text without surrounding spaces; blanks for a row the table does
        not hold (an empty row of a workbook, or past the last)."""
        import numpy as np

        i = int(np.searchsorted(self.rows, row))
        if i >= len(self) or int(self.rows[i]) != row:
            return [""] * self.width
        return [str(column[i]).strip() for column in self.columns.values()]

    def text(self, columns: Iterable[int] | None = None) -> np.ndarray:
        """The cells of these columns (all by default) as a 2-d object array."""
        import numpy as np

        chosen = list(self.columns) if columns is None else list(columns)
        cells = np.empty((len(self), len(chosen)), dtype=object)
        for j, c in enumerate(chosen):
            cells[:, j] = self.columns[c]
        return cells

    def filled(self) -> np.ndarray:
        """Per row: does any cell hold something (text not empty, a number not NaN)?"""
        import numpy as np

        filled = np.zeros(len(self), dtype=bool)
        for values in self.columns.values():
            filled |= (values != "") if values.dtype == object else ~np.isnan(values)
        return filled
