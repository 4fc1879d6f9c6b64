"""Every indicator's headline rows (breakdown ``total``) gathered once per loaded ``Tidy`` and
split by area, so a page that shows all indicators for one area reads a few small frames instead
of filtering ~95 national frames per request.

Also kept here: the spread of LA values per indicator and year (for spine charts and ranks) and
the coverage warnings per area (the coverage shares bad enough to doubt a value). All are pure
functions of the tidy tables, so they are built lazily on first use and kept for the life of the
``Tidy`` object they came from.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.api import ENGLAND_CODE, Tidy, UnknownBreakdownError

KEEP = (
    "indicator_id",
    "time_period",
    "geographic_level",
    "area_code",
    "area_name",
    "value",
    "lower_95",
    "upper_95",
    "status",
    "compared_to_england",
    "quartile",
    "rank",
    "trend",
)
TEXT = ("geographic_level", "area_code", "area_name", "status", "compared_to_england", "quartile")

# A coverage share above this (percent of records missing a field) casts doubt on the value.
COVERAGE_WARNING_SHARE = 10.0
# Measures where the share is of records present, so a LOW share is the warning.
COVERAGE_SHARE_PRESENT = {"education_link_rate": 90.0}


@dataclass(frozen=True)
class Headline:
    by_area: dict[str, pd.DataFrame]  # area code -> its rows (any level) in KEEP columns
    latest: dict[str, int]  # indicator id -> latest year with any value row
    spread: pd.DataFrame  # index (indicator_id, time_period): min, p25, median, p75, max, ranked
    warnings: dict[str, pd.DataFrame]  # area code -> indicator_id, time_period, label (flagged)

    def area(self, code: str) -> pd.DataFrame:
        found = self.by_area.get(code)
        return found if found is not None else _empty()


def _empty() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in KEEP})


def _text(column: pd.Series) -> pd.Series:
    """Plain Python strings ('' for missing), whatever the column's dtype."""
    return pd.Series(
        np.where(column.isna().to_numpy(), "", column.astype(object).to_numpy()).astype(str),
        index=column.index,
        dtype=object,
    )


def _values(tidy: Tidy) -> pd.DataFrame:
    parts = []
    for ind in tidy.catalogue.indicators:
        try:
            frame = tidy.values(ind.id, breakdown="total")
        except UnknownBreakdownError:  # no headline rows (not computable, or no data yet)
            continue
        if not frame.empty:
            parts.append(frame[list(KEEP)])
    if not parts:
        return _empty()
    # One conversion of the joined frame: per-indicator conversions cost more than the data.
    values = pd.concat(parts, ignore_index=True)
    for col in (*TEXT, "trend"):
        values[col] = _text(values[col])
    values["indicator_id"] = _text(values["indicator_id"])
    values["rank"] = values["rank"].astype("Float64")
    values["time_period"] = values["time_period"].astype("int64")
    return values


def _spread(values: pd.DataFrame) -> pd.DataFrame:
    las = values[values["geographic_level"] == "local_authority"]
    grouped = las.groupby(["indicator_id", "time_period"])
    out = grouped["value"].agg(["min", "max", "median"])
    out["p25"] = grouped["value"].quantile(0.25)
    out["p75"] = grouped["value"].quantile(0.75)
    out["ranked"] = grouped["rank"].count()
    return out


def _warnings(tidy: Tidy) -> pd.DataFrame:
    parts = []
    for ind in tidy.catalogue.indicators:
        measures = ind.annotations.coverage.measures
        if not measures:
            continue
        frame = tidy.coverage(ind.id)
        if frame.empty:
            continue
        frame = frame[frame["measure"].astype(str).isin(measures)]
        value = frame["value"].astype(float)
        measure = frame["measure"].astype(str)
        floor = measure.map(COVERAGE_SHARE_PRESENT)
        low_is_bad = floor.notna()
        flagged = (
            np.where(low_is_bad, value < floor.astype(float), value > COVERAGE_WARNING_SHARE)
            & value.notna().to_numpy()
        )
        if measure.eq("returns_missing").any():
            flagged |= (measure == "returns_missing").to_numpy() & (value > 0).to_numpy()
        hit = frame.loc[flagged, ["area_code", "time_period", "label"]]
        parts.append(hit.assign(indicator_id=ind.id))
    if not parts:
        return pd.DataFrame(columns=["area_code", "indicator_id", "time_period", "label"])
    flagged_rows = pd.concat(parts, ignore_index=True)
    for col in ("area_code", "label"):
        flagged_rows[col] = _text(flagged_rows[col])
    flagged_rows["time_period"] = flagged_rows["time_period"].astype("int64")
    return flagged_rows


def _build(tidy: Tidy) -> Headline:
    values = _values(tidy)
    by_area = {
        str(code): part.reset_index(drop=True)
        for code, part in values.groupby("area_code", sort=False)
    }
    with_value = values[values["value"].notna() | (values["status"] != "")]
    latest = {
        str(k): int(v) for k, v in with_value.groupby("indicator_id")["time_period"].max().items()
    }
    warnings = _warnings(tidy)
    by_area_warnings = {
        str(code): part.drop(columns="area_code").reset_index(drop=True)
        for code, part in warnings.groupby("area_code", sort=False)
    }
    return Headline(by_area, latest, _spread(values), by_area_warnings)


_CACHE: dict[int, tuple[weakref.ref[Tidy], Headline]] = {}
_LOCK = threading.Lock()


def headline(tidy: Tidy) -> Headline:
    """The headline index of ``tidy``, built on first use and then reused."""
    hit = _CACHE.get(id(tidy))
    if hit is not None and hit[0]() is tidy:
        return hit[1]
    with _LOCK:
        hit = _CACHE.get(id(tidy))
        if hit is not None and hit[0]() is tidy:
            return hit[1]
        built = _build(tidy)
        for key in [k for k, (ref, _) in _CACHE.items() if ref() is None]:
            del _CACHE[key]
        _CACHE[id(tidy)] = (weakref.ref(tidy), built)
        return built


def england_rows(index: Headline) -> pd.DataFrame:
    rows = index.area(ENGLAND_CODE)
    return rows[rows["geographic_level"] == "national"]
