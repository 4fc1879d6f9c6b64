"""Shape frames to the schema tables, so writers accept whatever the generator or database gives
(python dates or datetime64, None or NaN) and readers hand back one predictable layout.

Readers return: dates as ``datetime64[ns]``, integers as nullable ``Int64``, floats as
``float64``, booleans as ``bool`` (``boolean`` where nullable), text as ``object`` with ``None``
for missing. Columns exactly as the schema table, in its order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd
from sqlalchemy import Boolean, Date, Float, Integer, Table

from data.schema import metadata


class ReturnFormatError(ValueError):
    """Input that cannot be read or written as a return; the message names where and what."""


def table(name: str) -> Table:
    return metadata.tables[name]


def columns(name: str) -> list[str]:
    return [c.name for c in table(name).columns]


def _kind(col_type: object) -> str:
    if isinstance(col_type, Date):
        return "date"
    if isinstance(col_type, Boolean):
        return "bool"
    if isinstance(col_type, Integer):
        return "int"
    if isinstance(col_type, Float):
        return "float"
    return "str"


def column_kinds(name: str) -> dict[str, str]:
    return {c.name: _kind(c.type) for c in table(name).columns}


def empty_frame(name: str) -> pd.DataFrame:
    return conform(pd.DataFrame({c: [] for c in columns(name)}), name)


def as_text(values: pd.Series) -> pd.Series:
    """Text as an object column with None for missing; blank text counts as missing."""
    text = values.astype("string")
    text = text.mask(text == "")
    return text.astype(object).where(text.notna(), None)


def conform(df: pd.DataFrame, name: str, fill: Mapping[str, object] | None = None) -> pd.DataFrame:
    """The frame with exactly the schema table's columns and dtypes.

    ``fill`` gives values for columns the input lacks (e.g. ``year`` and ``la_code``); any other
    missing column is an error, as is an extra one, because that means the caller mixed tables.
    """
    fill = fill or {}
    wanted = columns(name)
    missing = [c for c in wanted if c not in df.columns and c not in fill]
    extra = [c for c in df.columns if c not in wanted]
    if missing or extra:
        raise ReturnFormatError(
            f"table {name}: columns do not match the schema (missing {missing}, unexpected {extra})"
        )
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col, kind in column_kinds(name).items():
        if col in df.columns:
            values = df[col].reset_index(drop=True)
        else:
            values = pd.Series([fill[col]] * len(df), dtype=object)
        out[col] = _cast(values, kind, name, col, bool(table(name).c[col].nullable))
    return out


def _cast(values: pd.Series, kind: str, name: str, col: str, nullable: bool) -> pd.Series:
    try:
        if kind == "date":
            return pd.to_datetime(values, errors="raise").astype("datetime64[ns]")
        if kind == "int":
            return pd.to_numeric(values, errors="raise").astype("Int64")
        if kind == "float":
            return pd.to_numeric(values, errors="raise").astype("float64")
        if kind == "bool":
            return values.astype("boolean") if nullable else values.astype(bool)
    except (ValueError, TypeError) as exc:
        raise ReturnFormatError(
            f"table {name}, column {col}: cannot read as {kind}: {exc}"
        ) from exc
    return as_text(values)


def format_dates(values: pd.Series, fmt: str) -> pd.Series:
    """Dates as text in ``fmt``, '' where missing (vectorised)."""
    dates = pd.to_datetime(values)
    return dates.dt.strftime(fmt).fillna("")


def format_ints(values: pd.Series) -> pd.Series:
    ints = pd.to_numeric(values).astype("Int64")
    return ints.astype(str).replace("<NA>", "")


def parse_dates(
    values: pd.Series, fmt: str, where: str, field: str, rows: Iterable[object] | None = None
) -> pd.Series:
    """Text dates in ``fmt`` to datetime64; a clear error names the first bad value and row."""
    text = values.astype(object).where(values.notna(), "")
    text = text.map(lambda v: str(v).strip())
    blank = text == ""
    parsed = pd.to_datetime(text.where(~blank, None), format=fmt, errors="coerce")
    bad = parsed.isna() & ~blank
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        row = list(rows)[pos] if rows is not None else pos + 1
        raise ReturnFormatError(
            f"{where}, row {row}, field {field}: {text.iloc[pos]!r} is not a date ({fmt})"
        )
    return parsed.astype("datetime64[ns]")


def parse_ints(
    values: pd.Series, where: str, field: str, rows: Iterable[object] | None = None
) -> pd.Series:
    text = values.astype(object).where(values.notna(), "").map(lambda v: str(v).strip())
    blank = text == ""
    parsed = pd.to_numeric(text.where(~blank, None), errors="coerce")
    whole = parsed.isna() | (parsed == np.floor(parsed))
    bad = (parsed.isna() & ~blank) | ~whole
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        row = list(rows)[pos] if rows is not None else pos + 1
        raise ReturnFormatError(
            f"{where}, row {row}, field {field}: {text.iloc[pos]!r} is not a whole number"
        )
    return parsed.astype("Int64")


def parse_floats(
    values: pd.Series, where: str, field: str, rows: Iterable[object] | None = None
) -> pd.Series:
    text = values.astype(object).where(values.notna(), "").map(lambda v: str(v).strip())
    blank = text == ""
    parsed = pd.to_numeric(text.where(~blank, None), errors="coerce")
    bad = parsed.isna() & ~blank
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        row = list(rows)[pos] if rows is not None else pos + 1
        raise ReturnFormatError(
            f"{where}, row {row}, field {field}: {text.iloc[pos]!r} is not a number"
        )
    return parsed.astype("float64")
