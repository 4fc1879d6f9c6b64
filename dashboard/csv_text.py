"""CSV text that is safe to open in a spreadsheet.

Spreadsheet programs run a cell starting with = + - @ (or a tab or carriage return before one) as
a formula, so a crafted area name or label could run code on a reader's machine (CSV injection).
Every text cell is therefore prefixed with an apostrophe when it starts with one of those
characters; numeric columns are left as numbers so the figures stay usable.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_RE = r"^[=+\-@\t\r]"
LINE_END = "\r\n"  # RFC 4180


def escape_text(value: str) -> str:
    """``value`` with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_START) else value


def escape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text column escaped; numeric columns untouched."""
    out = frame.copy()
    for column in out.columns:
        col = out[column]
        if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype):
            continue
        text = col.astype("string")
        risky = text.str.contains(_FORMULA_RE, regex=True, na=False)
        if risky.any():
            text = text.mask(risky, "'" + text)
        out[column] = text
    return out


def frame_csv(frame: pd.DataFrame, columns: Sequence[str]) -> str:
    """``frame``'s ``columns`` as escaped CSV with a header line; missing values are empty."""
    return escape_frame(frame.loc[:, list(columns)]).to_csv(index=False, lineterminator=LINE_END)


def records_csv(rows: Iterable[Sequence[str]]) -> str:
    """Rows of text cells (a header block) as escaped CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_END)
    for row in rows:
        writer.writerow([escape_text(str(cell)) for cell in row])
    return buffer.getvalue()
