"""Dates as integer day numbers, so the simulation can stay in numpy arrays throughout.

A day number is days since 1970-01-01 (numpy's datetime64[D] epoch). Converting once at the edge
keeps millions of date comparisons vectorised.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

NULL_DAY = np.iinfo(np.int64).max  # "no date": compares after every real date


def day(iso: str) -> int:
    return int(np.datetime64(iso, "D").astype(np.int64))


def year_start(year: int) -> int:
    """1 April that opens collection year ``year`` (2025 -> 2024-04-01)."""
    return day(f"{year - 1}-04-01")


def year_end(year: int) -> int:
    """31 March that closes collection year ``year``."""
    return day(f"{year}-03-31")


def collection_year(days: np.ndarray) -> np.ndarray:
    """The collection year (named by its 31 March) each day falls in."""
    d = days.astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = (d.astype("datetime64[M]").astype(np.int64) % 12) + 1
    return np.where(month >= 4, y + 1, y)


def add_years(days: np.ndarray, years: int) -> np.ndarray:
    """Same calendar date ``years`` later (29 Feb -> 28 Feb), for birthdays and 12-month windows."""
    d = np.asarray(days).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m).astype(np.int64)
    new_m = m + np.timedelta64(12 * years, "M")
    first = new_m.astype("datetime64[D]")
    month_len = ((new_m + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    return (first + np.minimum(dom, month_len - 1)).astype(np.int64)


def age_on(birth: np.ndarray, on: np.ndarray | int) -> np.ndarray:
    """Whole years of age on a date (0 for the unborn)."""
    b = np.asarray(birth).astype("datetime64[D]")
    o = np.asarray(on).astype("datetime64[D]")
    years = o.astype("datetime64[Y]").astype(np.int64) - b.astype("datetime64[Y]").astype(np.int64)
    bm = b.astype("datetime64[M]").astype(np.int64) % 12
    om = o.astype("datetime64[M]").astype(np.int64) % 12
    bd = (b - b.astype("datetime64[M]")).astype(np.int64)
    od = (o - o.astype("datetime64[M]")).astype(np.int64)
    had_birthday = (om > bm) | ((om == bm) & (od >= bd))
    return np.maximum(years - (~had_birthday).astype(np.int64), 0)


@lru_cache(maxsize=1)
def england_holidays() -> np.ndarray:
    import holidays

    hol = holidays.country_holidays("GB", subdiv="ENG", years=range(1995, 2031))
    return np.array(sorted(hol.keys()), dtype="datetime64[D]")


def add_working_days(start: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The date ``n`` working days after ``start`` (England), so that
    ``busday_count(start, result) == n``: DfE's elapsed-working-day convention."""
    s = start.astype("datetime64[D]")
    rolled = np.busday_offset(s, 0, roll="forward", holidays=england_holidays())
    out = np.busday_offset(rolled, n.astype(np.int64), roll="forward", holidays=england_holidays())
    return out.astype(np.int64)


def working_days_between(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    return np.busday_count(
        start.astype("datetime64[D]"), end.astype("datetime64[D]"), holidays=england_holidays()
    )
