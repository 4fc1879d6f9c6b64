"""Date arithmetic as lookup tables, so the same SQL runs on DuckDB, SQLite and PostgreSQL.

The three engines disagree on date functions (SQLite has none that return dates), but all of
them can join. ``metrics_calendar`` gives every date its day number, its English working-day
number (so elapsed working days are a subtraction, DfE's convention: start inclusive, end
exclusive), its calendar year and month-day, and the date 12 months on; ``metrics_year`` gives
every collection year the reference dates indicators compare against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from data.load import bulk_insert
from data.synth.dates import add_years, england_holidays

meta = sa.MetaData()

calendar = sa.Table(
    "metrics_calendar",
    meta,
    sa.Column("date", sa.Date, primary_key=True),
    sa.Column("day_number", sa.Integer, nullable=False),
    sa.Column("working_day", sa.Integer, nullable=False),
    sa.Column("cal_year", sa.Integer, nullable=False),
    sa.Column("month_day", sa.Integer, nullable=False),  # month * 100 + day
    sa.Column("plus_12_months", sa.Date, nullable=False),
)

year_dates = sa.Table(
    "metrics_year",
    meta,
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("year_start", sa.Date, nullable=False),  # 1 April
    sa.Column("year_end", sa.Date, nullable=False),  # 31 March
    sa.Column("end_minus_1y", sa.Date, nullable=False),
    sa.Column("end_minus_2y", sa.Date, nullable=False),
    sa.Column("end_minus_2y6m", sa.Date, nullable=False),
    sa.Column("sept_30", sa.Date, nullable=False),  # workforce census date
)

FIRST = "1990-01-01"
LAST = "2032-12-31"


def calendar_frame() -> pd.DataFrame:
    days = np.arange(np.datetime64(FIRST), np.datetime64(LAST) + 1)
    is_working = np.is_busday(days, holidays=england_holidays())
    # working_day(d) = number of working days before d, so end - start counts [start, end).
    working = np.concatenate([[0], np.cumsum(is_working)[:-1]])
    as_int = days.astype(np.int64)
    month = days.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (days - days.astype("datetime64[M]")).astype(np.int64) + 1
    return pd.DataFrame(
        {
            "date": days,
            "day_number": as_int,
            "working_day": working,
            "cal_year": days.astype("datetime64[Y]").astype(np.int64) + 1970,
            "month_day": month * 100 + dom,
            "plus_12_months": add_years(as_int, 1).astype("datetime64[D]"),
        }
    )


def year_frame(first: int = 1995, last: int = 2031) -> pd.DataFrame:
    years = np.arange(first, last + 1)
    end = np.array([np.datetime64(f"{y}-03-31") for y in years])
    end_i = end.astype(np.int64)
    half = np.array([np.datetime64(f"{y - 3}-09-30") for y in years])
    return pd.DataFrame(
        {
            "year": years,
            "year_start": np.array([np.datetime64(f"{y - 1}-04-01") for y in years]),
            "year_end": end,
            "end_minus_1y": add_years(end_i, -1).astype("datetime64[D]"),
            "end_minus_2y": add_years(end_i, -2).astype("datetime64[D]"),
            "end_minus_2y6m": half,
            "sept_30": np.array([np.datetime64(f"{y}-09-30") for y in years]),
        }
    )


def install(engine: sa.Engine) -> None:
    """(Re)create the lookup tables (about 16,000 rows) through the bulk loader."""
    meta.drop_all(engine)
    meta.create_all(engine)
    with engine.begin() as conn:
        for table, frame in ((calendar, calendar_frame()), (year_dates, year_frame())):
            bulk_insert(conn, table.name, _arrow(table, frame))


def _arrow(table: sa.Table, frame: pd.DataFrame) -> pa.Table:
    arrays = []
    for col in table.columns:
        values = frame[col.name]
        if isinstance(col.type, sa.Date):
            arrays.append(pa.array(values.to_numpy(dtype="datetime64[D]"), type=pa.date32()))
        else:
            arrays.append(pa.array(values.to_numpy(dtype=np.int64)))
    return pa.Table.from_arrays(arrays, names=[c.name for c in table.columns])
