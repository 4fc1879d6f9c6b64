"""The numbers behind an area's profile: for every indicator, the area's value beside its
statistical neighbours, its region and England, in one frame the table, the spine chart and the
download all read, so they cannot disagree.

A year is chosen per indicator (its latest year unless one is asked for) because indicators are
published on different timetables; the frame says which year each row is.
"""

from __future__ import annotations

import pandas as pd

from dashboard.headline import Headline, england_rows
from metrics.api import Tidy

SN_MEDIAN = "statistical_neighbours_median"
SN_MEAN = "statistical_neighbours_mean"
LA_FIELDS = (
    "value",
    "status",
    "lower_95",
    "upper_95",
    "compared_to_england",
    "trend",
    "quartile",
    "rank",
)
COLUMNS = (
    "indicator_id",
    "group",
    "group_title",
    "time_period",
    *LA_FIELDS,
    "sn_median",
    "sn_median_status",
    "sn_mean",
    "sn_mean_status",
    "region_value",
    "region_status",
    "england_value",
    "england_status",
    "ranked",
    "la_min",
    "la_p25",
    "la_p75",
    "la_max",
    "coverage_warning",
)


def indicator_frame(tidy: Tidy, index: Headline, year: int | None) -> pd.DataFrame:
    """One row per catalogue indicator, in catalogue order, with the year to show: ``year``
    when given, else the indicator's latest (``time_period`` is -1 when it has no values)."""
    rows = [
        {
            "indicator_id": ind.id,
            "group": group.group,
            "group_title": group.title,
            "time_period": year if year is not None else index.latest.get(ind.id, -1),
        }
        for group in tidy.catalogue.groups
        for ind in group.indicators
    ]
    frame = pd.DataFrame(rows, columns=["indicator_id", "group", "group_title", "time_period"])
    frame["time_period"] = frame["time_period"].astype("int64")
    return frame


def _pick(rows: pd.DataFrame, level: str, fields: dict[str, str]) -> pd.DataFrame:
    chosen = rows.loc[rows["geographic_level"] == level, ["indicator_id", "time_period", *fields]]
    chosen = chosen.rename(columns=fields)
    chosen["time_period"] = chosen["time_period"].astype("int64")
    return chosen


def profile_frame(
    tidy: Tidy,
    index: Headline,
    area_code: str,
    *,
    level: str,
    region_code: str | None,
    year: int | None = None,
) -> pd.DataFrame:
    """The summary of ``area_code`` (an LA, ``level='local_authority'``, or a region,
    ``level='regional'``): ``COLUMNS``, one row per indicator. Missing comparators are NaN/''."""
    out = indicator_frame(tidy, index, year)
    keys = ["indicator_id", "time_period"]
    own = index.area(area_code)
    parts = [
        _pick(own, level, {f: f for f in LA_FIELDS}),
        _pick(own, SN_MEDIAN, {"value": "sn_median", "status": "sn_median_status"}),
        _pick(own, SN_MEAN, {"value": "sn_mean", "status": "sn_mean_status"}),
        _pick(
            england_rows(index), "national", {"value": "england_value", "status": "england_status"}
        ),
    ]
    if region_code is not None and level == "local_authority":
        parts.append(
            _pick(
                index.area(region_code),
                "regional",
                {"value": "region_value", "status": "region_status"},
            )
        )
    for part in parts:
        out = out.merge(part.drop_duplicates(keys), on=keys, how="left")
    spread = index.spread.rename(
        columns={"min": "la_min", "p25": "la_p25", "p75": "la_p75", "max": "la_max"}
    ).reset_index()
    spread["time_period"] = spread["time_period"].astype("int64")
    out = out.merge(spread.drop(columns="median"), on=keys, how="left")
    warnings = index.warnings.get(area_code)
    if warnings is not None and not warnings.empty:
        shown = warnings.merge(out[keys], on=keys)  # only the years on show: a few rows to join
        joined = shown.groupby(keys, sort=False)["label"].agg("; ".join)
        out = out.merge(joined.rename("coverage_warning").reset_index(), on=keys, how="left")
    for column in COLUMNS:
        if column not in out:
            out[column] = pd.NA
    text = [c for c in COLUMNS if c.endswith("status")] + [
        "compared_to_england",
        "trend",
        "quartile",
        "coverage_warning",
    ]
    for column in text:
        out[column] = out[column].astype(object).where(out[column].notna(), "")
    out["ranked"] = out["ranked"].fillna(0).astype("int64")
    return out[list(COLUMNS)].reset_index(drop=True)


def available_years(index: Headline) -> list[int]:
    """Every year any indicator has a value for England, ascending."""
    england = england_rows(index)
    return sorted(int(y) for y in england["time_period"].unique())
