"""The rows of a comparison: every chosen area (plus England as the reference) by every chosen
indicator by every chosen year, with a row even where nothing was published, so the table shows
a symbol in that cell rather than silently dropping it."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.headline import Headline
from metrics.api import ENGLAND_CODE, Tidy

COLUMNS = (
    "indicator_id",
    "area_code",
    "area_name",
    "geographic_level",
    "time_period",
    "value",
    "lower_95",
    "upper_95",
    "status",
)


def compare_frame(
    tidy: Tidy,
    index: Headline,
    areas: Sequence[str],
    indicators: Sequence[str],
    years: Sequence[int],
) -> pd.DataFrame:
    """``COLUMNS`` for ``areas`` then England, each indicator and year (all already checked).

    With no ``years``, each indicator shows its own latest year."""
    codes = list(dict.fromkeys([*areas, ENGLAND_CODE]))
    known = tidy.areas.set_index("code")
    grid = pd.DataFrame(
        [
            {
                "indicator_id": ind,
                "area_code": code,
                "area_name": str(known.at[code, "name"]),
                "geographic_level": str(known.at[code, "level"]),
                "time_period": year,
                "order": position,
            }
            for ind in indicators
            for year in (years or [index.latest.get(ind, -1)])
            for position, code in enumerate(codes)
        ],
        columns=[
            "indicator_id",
            "area_code",
            "area_name",
            "geographic_level",
            "time_period",
            "order",
        ],
    )
    if grid.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    rows = pd.concat([index.area(code) for code in codes], ignore_index=True)
    rows = rows.loc[
        rows["indicator_id"].isin(indicators),
        list(COLUMNS[:2]) + list(COLUMNS[3:]),
    ]
    rows["time_period"] = rows["time_period"].astype("int64")
    grid["time_period"] = grid["time_period"].astype("int64")
    keys = ["indicator_id", "area_code", "geographic_level", "time_period"]
    out = grid.merge(rows.drop_duplicates(keys), on=keys, how="left")
    out["status"] = out["status"].astype(object).where(out["status"].notna(), "")
    ind_order = {ind: i for i, ind in enumerate(indicators)}
    out["ind_order"] = out["indicator_id"].map(ind_order)
    out = out.sort_values(["ind_order", "order", "time_period"], kind="stable")
    return out[list(COLUMNS)].reset_index(drop=True)
