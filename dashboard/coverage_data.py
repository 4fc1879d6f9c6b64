"""Coverage measures as a reader meets them: one gap per return, with the indicators it affects.

``coverage_values`` holds a row per indicator x measure, because each indicator's page shows the
gaps of its own records. A measure such as ``ethnicity_unknown`` therefore repeats, identically,
under every indicator counted from the same children; ``returns_missing`` differs only by the
return the indicator comes from. The coverage page wants the opposite view (each gap once, and
which indicators it touches), so this module folds the per-indicator rows back into one row per
gap, once per app, and validates the page's query values against what is really there.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashboard.origins import (
    RETURN_TITLES,
    SYNTHETIC,
    imported_years,
    origin_column,
    source_returns,
)
from dashboard.picker import area_from_text
from metrics.api import ENGLAND_CODE, Tidy
from metrics.catalogue import Catalogue
from metrics.coverage import RETURN_NAMES, WORDING

# The return each measure is counted from (metrics/coverage.py), in the order the page lists
# them; returns_missing is split by return below.
MEASURE_RETURNS: dict[str, str] = {
    "ethnicity_unknown": "CIN census",
    "sex_unknown": "CIN census",
    "disability_not_recorded": "CIN census",
    "primary_need_not_stated": "CIN census",
    "upn_missing": "CIN census and SSDA903",
    "education_link_rate": "CIN census and SSDA903",
    "distance_unknown": "SSDA903",
    "sdq_missing": "SSDA903",
    "care_leavers_not_in_touch": "SSDA903",
    "workforce_ethnicity_unknown": "CSWW workforce census",
    "values_imputed": "All returns",
}
ALL_RETURNS = "All returns"
RETURN_KEYS: dict[str, str] = {key: name for name, key in RETURN_NAMES.items()}  # cin -> name
# Measures where a higher share is good (a link made), not a gap.
HIGHER_IS_BETTER = frozenset({"education_link_rate"})
LINK_MEASURE = "education_link_rate"
MAX_QUERY_LENGTH = 120

COLUMNS = [
    "key",
    "time_period",
    "geographic_level",
    "area_code",
    "area_name",
    "numerator",
    "denominator",
    "value",
    "status",
    "label",
    "source",
]


@dataclass(frozen=True)
class CoverageMeasure:
    """One gap in the returns, as the coverage page lists it."""

    key: str  # URL value: the measure id, or returns_missing_<return>
    measure: str  # coverage_values.measure
    return_name: str  # the return it is counted from, for people
    title: str  # what is missing, sentence case
    of: str  # what it is a share of
    indicators: tuple[str, ...]  # every indicator it affects, in catalogue order
    source_indicator: str  # the first of them with coverage rows: the rows read and downloaded

    @property
    def higher_is_better(self) -> bool:
        return self.measure in HIGHER_IS_BETTER

    @property
    def option_label(self) -> str:
        return f"{self.title} ({self.return_name})"


def _title(measure: str) -> tuple[str, str]:
    what, of = WORDING.get(measure, (measure.replace("_", " "), "records"))
    return what[0].upper() + what[1:], of


@functools.lru_cache(maxsize=8)
def catalogue_measures(catalogue: Catalogue) -> tuple[CoverageMeasure, ...]:
    """Every gap the catalogue declares, once per return, in page order (cached per catalogue;
    ``Catalogue`` hashes by identity)."""
    found: dict[str, list[str]] = {}
    measure_of: dict[str, str] = {}
    return_of: dict[str, str] = {}
    for ind in catalogue:
        for measure in ind.annotations.coverage.measures:
            if measure == "returns_missing":
                ret = RETURN_NAMES.get(ind.source.return_)
                if ret is None:
                    continue  # metrics records no return status for this source
                key = f"returns_missing_{ret}"
                return_of[key] = RETURN_TITLES.get(ret, ind.source.return_)
            else:
                key = str(measure)
                return_of[key] = MEASURE_RETURNS.get(measure, ind.source.return_)
            measure_of[key] = measure
            found.setdefault(key, []).append(ind.id)
    order = [f"returns_missing_{r}" for r in RETURN_TITLES] + list(MEASURE_RETURNS)
    keys = sorted(found, key=lambda k: (order.index(k) if k in order else len(order), k))
    out = []
    for key in keys:
        measure_id = measure_of[key]
        title, of = _title(measure_id)
        if measure_id == "returns_missing":
            title = f"{return_of[key]} returns not received"
        out.append(
            CoverageMeasure(
                key=key,
                measure=measure_id,
                return_name=return_of[key],
                title=title,
                of=of,
                indicators=tuple(found[key]),
                source_indicator=found[key][0],
            )
        )
    return tuple(out)


def _status(frame: pd.DataFrame) -> np.ndarray:
    """``c`` for a suppressed share (metrics blanks its counts), ``z`` where there was nothing
    to measure, else empty."""
    value = frame["value"].to_numpy(dtype=float, na_value=np.nan)
    numerator = frame["numerator"].to_numpy(dtype=float, na_value=np.nan)
    denominator = frame["denominator"].to_numpy(dtype=float, na_value=np.nan)
    out = np.full(len(frame), "", dtype=object)
    missing = ~np.isfinite(value)
    out[missing & ~np.isfinite(numerator)] = "c"
    out[missing & np.isfinite(denominator) & (denominator == 0)] = "z"
    return out


def _first_rows(tidy: Tidy, item: CoverageMeasure) -> tuple[CoverageMeasure, pd.DataFrame] | None:
    """The gap's rows from the first indicator that has any (an indicator the build could not
    compute has none), with that indicator as the gap's source."""
    for indicator in item.indicators:
        rows = tidy.coverage(indicator)
        if rows.empty:
            continue
        rows = rows[rows["measure"].astype(str) == item.measure]
        if not rows.empty:
            return replace(item, source_indicator=indicator), rows
    return None


def build_measure_table(tidy: Tidy) -> tuple[tuple[CoverageMeasure, ...], pd.DataFrame]:
    """The gaps present in ``tidy`` and one long frame of their rows (``COLUMNS``)."""
    parts = []
    present = []
    imported = imported_years(tidy)
    for listed in catalogue_measures(tidy.catalogue):
        found = _first_rows(tidy, listed)
        if found is None:
            continue
        item, rows = found
        present.append(item)
        part = pd.DataFrame(
            {
                "key": item.key,
                "time_period": rows["time_period"].astype(int).to_numpy(),
                "geographic_level": rows["geographic_level"].astype(str).to_numpy(),
                "area_code": rows["area_code"].astype(str).to_numpy(),
                "area_name": rows["area_name"].astype(str).to_numpy(),
                "numerator": pd.to_numeric(rows["numerator"]).to_numpy(dtype=float),
                "denominator": pd.to_numeric(rows["denominator"]).to_numpy(dtype=float),
                "value": pd.to_numeric(rows["value"]).to_numpy(dtype=float),
                "label": rows["label"].astype(str).to_numpy(),
            }
        )
        # Synthetic, or (issue 5) counted from an LA's own imported return.
        returns = source_returns(item.return_name) or (
            tuple(RETURN_TITLES) if item.return_name == ALL_RETURNS else ()
        )
        part["source"] = origin_column(part, tidy, imported, [returns] * len(part))
        parts.append(part)
    if not parts:
        return (), pd.DataFrame(columns=COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    table["status"] = _status(table)
    return tuple(present), table[COLUMNS]


@dataclass(frozen=True)
class CoverageData:
    """Everything the coverage page reads, derived once per loaded ``Tidy``."""

    measures: tuple[CoverageMeasure, ...]
    table: pd.DataFrame  # COLUMNS, every gap
    by_key: dict[str, pd.DataFrame]  # the same rows split by gap, for fast filters
    by_area: dict[str, pd.DataFrame]  # ... and by area
    returns: pd.DataFrame  # missing_returns(table, measures)
    names: dict[str, str]  # area code -> name


def build_coverage_data(tidy: Tidy) -> CoverageData:
    measures, table = build_measure_table(tidy)
    by_key = {str(k): part for k, part in table.groupby("key", sort=False)}
    by_area = {str(k): part for k, part in table.groupby("area_code", sort=False)}
    names = dict(zip(tidy.areas["code"].astype(str), tidy.areas["name"].astype(str), strict=True))
    return CoverageData(measures, table, by_key, by_area, missing_returns(table, measures), names)


# One entry per loaded Tidy: the web process serves one Tidy for its life, tests a few. The Tidy
# is kept beside its data so its id cannot be reused while the entry exists.
_CACHE: dict[int, tuple[Tidy, CoverageData]] = {}
_LOCK = threading.Lock()


def coverage_data(tidy: Tidy) -> CoverageData:
    """:func:`build_coverage_data`, computed once per ``Tidy``."""
    with _LOCK:
        entry = _CACHE.get(id(tidy))
        if entry is None or entry[0] is not tidy:
            if len(_CACHE) >= 8:
                _CACHE.clear()
            entry = (tidy, build_coverage_data(tidy))
            _CACHE[id(tidy)] = entry
    return entry[1]


# ------------------------------------------------------------------------ views of the table


_EMPTY = pd.DataFrame(columns=COLUMNS)


def _rows(data: CoverageData, key: str) -> pd.DataFrame:
    return data.by_key.get(key, _EMPTY)


def years_of(data: CoverageData, key: str) -> list[int]:
    return sorted(int(y) for y in _rows(data, key)["time_period"].unique())


def all_las(data: CoverageData, key: str, year: int) -> pd.DataFrame:
    """Every LA's row for one gap and year, largest share first, suppressed rows last."""
    rows = _rows(data, key)
    rows = rows[(rows["time_period"] == year) & (rows["geographic_level"] == "local_authority")]
    return rows.sort_values(
        ["value", "area_name"], ascending=[False, True], na_position="last"
    ).reset_index(drop=True)


def area_row(data: CoverageData, key: str, year: int, area: str) -> pd.Series | None:
    rows = data.by_area.get(area, _EMPTY)
    rows = rows[(rows["time_period"] == year) & (rows["key"] == key)]
    return None if rows.empty else rows.iloc[0]


PROFILE_COLUMNS = [
    "key",
    "title",
    "return_name",
    "value",
    "status",
    "label",
    "england_value",
    "england_status",
    "indicators",
    "source",
]


def profile(data: CoverageData, area: str, year: int) -> pd.DataFrame:
    """One row per gap for ``area`` and ``year`` beside England (``PROFILE_COLUMNS``); a gap
    that one of the two lacks shows ``x`` there. A dozen gaps: plain dict lookups beat merges."""

    def in_year(code: str) -> dict[str, tuple[float, str, str, str]]:
        rows = data.by_area.get(code, _EMPTY)
        rows = rows[rows["time_period"] == year]
        return {
            str(k): (float(v), str(s), str(lab), str(src))
            for k, v, s, lab, src in zip(
                rows["key"], rows["value"], rows["status"], rows["label"], rows["source"],
                strict=True,
            )
        }  # fmt: skip

    mine, england = in_year(area), in_year(ENGLAND_CODE)
    missing = (np.nan, "x", "", SYNTHETIC)
    records = []
    for item in data.measures:
        if item.key not in mine and item.key not in england:
            continue
        value, status, label, source = mine.get(item.key, missing)
        eng_value, eng_status, _, _ = england.get(item.key, missing)
        records.append(
            (item.key, item.title, item.return_name, value, status, label, eng_value,
             eng_status, len(item.indicators), source)
        )  # fmt: skip
    return pd.DataFrame(records, columns=PROFILE_COLUMNS)


def series(data: CoverageData, key: str, areas: list[str]) -> pd.DataFrame:
    """Rows of one gap for ``areas`` over every year, oldest first."""
    rows = _rows(data, key)
    rows = rows[rows["area_code"].isin(areas)]
    return rows.sort_values(["area_code", "time_period"]).reset_index(drop=True)


RETURNS_COLUMNS = [
    "return_name",
    "time_period",
    "england_numerator",
    "england_denominator",
    "england_status",
    "las",
    "suppressed",
]


def missing_returns(table: pd.DataFrame, measures: tuple[CoverageMeasure, ...]) -> pd.DataFrame:
    """Returns not received, per return and year (``RETURNS_COLUMNS``): England's count of LAs
    without the return (or its symbol), the LAs named where their rows are shown, and how many
    LA rows are suppressed."""
    names = {m.key: m.return_name for m in measures if m.measure == "returns_missing"}
    rows = table[table["key"].isin(list(names))]
    if rows.empty:
        return pd.DataFrame(columns=RETURNS_COLUMNS)
    keys = ["key", "time_period"]
    eng = rows.loc[
        rows["geographic_level"] == "national", [*keys, "numerator", "denominator", "status"]
    ].rename(
        columns={
            "numerator": "england_numerator",
            "denominator": "england_denominator",
            "status": "england_status",
        }
    )
    las = rows[rows["geographic_level"] == "local_authority"]
    named = (
        las[las["numerator"] > 0]
        .sort_values("area_name")
        .groupby(keys)["area_name"]
        .agg(", ".join)
        .rename("las")
        .reset_index()
    )
    hidden = (
        las.assign(suppressed=(las["status"] == "c").astype(int))
        .groupby(keys)["suppressed"]
        .sum()
        .reset_index()
    )
    out = (
        rows[keys]
        .drop_duplicates()
        .merge(eng, on=keys, how="left")
        .merge(named, on=keys, how="left")
        .merge(hidden, on=keys, how="left")
    )
    out["england_status"] = out["england_status"].fillna("x")
    out["las"] = out["las"].fillna("")
    out["suppressed"] = out["suppressed"].fillna(0).astype(int)
    order = {key: n for n, key in enumerate(names)}
    out = out.assign(_order=out["key"].map(order), return_name=out["key"].map(names))
    out = out.sort_values(["_order", "time_period"]).reset_index(drop=True)
    return out[RETURNS_COLUMNS]


# ------------------------------------------------------------------------ query validation


@dataclass(frozen=True)
class CoverageView:
    """A validated ``/coverage`` query: every field is known to exist."""

    measure: CoverageMeasure
    year: int
    area: str | None  # ONS code


class CoverageQueryError(ValueError):
    """A query value that names nothing we hold; the message is safe to show."""


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "..."


def resolve_view(
    data: CoverageData,
    areas: pd.DataFrame,
    *,
    measure: object = None,
    year: object = None,
    area: object = None,
) -> CoverageView:
    """The view a query names, with defaults (first gap, its latest year, no area); raises
    :class:`CoverageQueryError` naming the first bad value."""
    measures = data.measures
    if not measures:
        raise CoverageQueryError("no coverage measures have been computed for this database")
    by_key = {m.key: m for m in measures}
    if measure in (None, ""):
        item = measures[0]
    elif isinstance(measure, str) and measure in by_key:
        item = by_key[measure]
    else:
        raise CoverageQueryError(f"there is no coverage measure '{_shown(measure)}'")
    years = years_of(data, item.key)
    if year in (None, ""):
        if not years:
            raise CoverageQueryError(f"no years of '{item.title}' have been computed")
        chosen_year = years[-1]
    else:
        text = str(year).strip()
        if not (text.isdigit() and len(text) == 4) or int(text) not in years:
            raise CoverageQueryError(f"there is no year '{_shown(year)}' for '{item.title}'")
        chosen_year = int(text)
    code: str | None = None
    if isinstance(area, str) and area in data.names:
        code = area  # an exact code, as every URL the page writes has
    elif area not in (None, ""):
        code = area_code_from_text(area, areas)
        if code is None:
            raise CoverageQueryError(f"there is no area '{_shown(area)}'")
    return CoverageView(measure=item, year=chosen_year, area=code)


def area_code_from_text(text: object, areas: pd.DataFrame) -> str | None:
    """An area's ONS code from a code, DfE code, exact name or picker text; None if no match."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_QUERY_LENGTH:
        return None
    if text.strip().lower() == "england":
        return ENGLAND_CODE
    return area_from_text(text, areas)
