"""What each overview card says about one indicator, worked out once per app from the tidy tables.

The overview shows every indicator at once, so its figures are computed for all of them when
first asked for and kept for the life of the app (the tidy tables never change under a running
app); a request then only filters and lays out ready-made cards. Everything here is a pure
function of the catalogue and the tidy tables, so it is tested without a browser or a server.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.figures.sparkline import data_uri, sparkline_svg, spread_strip_svg
from dashboard.formatting import format_number, format_with_unit
from metrics.api import ENGLAND_CODE, Tidy
from metrics.catalogue import Catalogue, Indicator

# A coverage measure flags a card when, for England in the latest year, at least this share of
# the records the indicator relies on lacks the field it needs. If one record in ten is missing,
# the true figure could differ from the one shown by up to ten percentage points (or a tenth of
# a rate or mean) should the missing children differ from the rest; that is wider than the gap
# between the middle LAs on most indicators, so a reader comparing LAs needs telling. Below it,
# the gap is stated on the indicator page but not flagged here.
COVERAGE_WARNING_PERCENT = 10.0
# Measures where any non-zero share matters: a missing return removes a whole LA from England's
# figure, and an imputed value is not a measurement.
ANY_GAP_MEASURES = frozenset({"returns_missing", "values_imputed"})
# Measures stated as the share present rather than the share missing.
PRESENT_SHARE_MEASURES = frozenset({"education_link_rate"})

KIND_TITLES = {"outcome": "Outcomes", "enabler": "Enablers", "data_quality": "Data quality"}
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Spread:
    """LA values in the latest year: 10th percentile, median, 90th percentile."""

    p10: float
    median: float
    p90: float
    with_value: int
    of: int


@dataclass(frozen=True)
class Card:
    indicator_id: str
    title: str
    kind: str
    group: str
    group_title: str
    computable: bool
    not_computable_reason: str
    latest_year: int | None
    england_text: str  # formatted value with unit, or a symbol
    trend: str  # England's trend word in the latest year, '' when not assessed
    first_year: int | None
    first_text: str
    sparkline_src: str  # data URI, '' when there is no series
    sparkline_alt: str
    spread: Spread | None
    spread_text: str
    strip_src: str
    coverage_flags: tuple[str, ...]  # plain-language labels of the gaps over the threshold
    search_text: str  # lower-case words of title, definition and annotations


def search_text(ind: Indicator, group_title: str) -> str:
    """Every word a search may match: titles, definition, domain and the six annotations."""
    notes = ind.annotations
    parts = [
        ind.title,
        ind.short_title,
        ind.id.replace("_", " "),
        ind.domain,
        group_title,
        ind.definition,
        notes.purpose,
        notes.voice,
        notes.coverage.text,
        notes.hidden_needs.text,
        notes.caveats,
        notes.risks,
    ]
    return " ".join(_WORD.findall(" ".join(parts).lower()))


def coverage_flags(ind: Indicator, rows: pd.DataFrame) -> tuple[str, ...]:
    """Labels of the listed coverage measures whose gap passes the threshold (``rows``: England's
    coverage rows for one year)."""
    listed = set(ind.annotations.coverage.measures)
    flags: list[str] = []
    records = rows[["measure", "value", "denominator", "label"]].to_dict("records")
    for row in records:  # a handful of measures, not records of children
        measure = str(row["measure"])
        if measure not in listed:
            continue
        value = math.nan if pd.isna(row["value"]) else float(row["value"])
        if measure in ANY_GAP_MEASURES:
            # A suppressed share of a known denominator is a small non-zero count.
            denominator = row["denominator"]
            suppressed = math.isnan(value) and not pd.isna(denominator) and denominator > 0
            flagged = suppressed or value > 0
        elif math.isnan(value):
            flagged = False
        elif measure in PRESENT_SHARE_MEASURES:
            flagged = 100.0 - value >= COVERAGE_WARNING_PERCENT
        else:
            flagged = value >= COVERAGE_WARNING_PERCENT
        if flagged:
            flags.append(str(row["label"]))
    return tuple(flags)


def spread_of(values: pd.Series, of: int) -> Spread | None:
    """10th percentile, median and 90th percentile of the LA values present (linear
    interpolation between ordered values, as spreadsheet PERCENTILE.INC does)."""
    present = values.dropna().to_numpy(dtype=float)
    if len(present) == 0:
        return None
    p10, median, p90 = np.percentile(present, [10, 50, 90])
    return Spread(float(p10), float(median), float(p90), len(present), of)


def _spread_text(ind: Indicator, spread: Spread | None, year: int | None) -> str:
    if spread is None or year is None:
        return "No local authority has a value yet."
    d = ind.decimals
    return (
        f"Across local authorities in {year}: median {format_number(spread.median, d)}; "
        f"the middle 80% from {format_number(spread.p10, d)} to {format_number(spread.p90, d)} "
        f"({spread.with_value} of {spread.of} authorities have a value)."
    )


def _text(value: object) -> str:
    """A text cell as a string, '' for a missing one (category columns give NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _total(rows: pd.DataFrame) -> pd.DataFrame:
    """The headline (total) rows: filtered here rather than with ``breakdown="total"``, because
    validating a breakdown scans every row and "total" needs no validation."""
    return rows[(rows["breakdown"] == "total").to_numpy()]


def build_card(tidy: Tidy, ind: Indicator, group_title: str, kind: str, n_las: int) -> Card:
    england = _total(tidy.values(ind.id, level="national")).sort_values("time_period")
    text = search_text(ind, group_title)
    empty = Card(
        ind.id, ind.title, kind, ind.group, group_title, ind.computable,
        ind.not_computable_reason or "", None, "", "", None, "", "", "", None,
        "No local authority has a value yet.", "", (), text,
    )  # fmt: skip
    if england.empty:
        return empty
    latest = england.iloc[-1]
    year = int(latest["time_period"])
    status = _text(latest["status"])
    value = latest["value"]
    values = [None if pd.isna(v) else float(v) for v in england["value"]]
    years = [int(y) for y in england["time_period"]]
    first = england.iloc[0]
    first_text = format_with_unit(ind, first["value"], _text(first["status"]))
    england_text = format_with_unit(ind, value, status)
    alt = (
        f"England's {ind.short_title.lower()}, {years[0]} to {years[-1]}: "
        f"{first_text} in {years[0]}, {england_text} in {years[-1]}"
    )
    if any(v is not None for v in values):
        present = [v for v in values if v is not None]
        d = ind.decimals
        alt += (
            f"; lowest {format_number(min(present), d)}, highest {format_number(max(present), d)}"
        )
    alt += "."
    las = _total(tidy.values(ind.id, level="local_authority", year=year))
    spread = spread_of(las["value"], n_las)
    spread_text = _spread_text(ind, spread, year)
    strip = ""
    if spread is not None:
        strip = data_uri(
            spread_strip_svg(
                spread.p10,
                spread.median,
                spread.p90,
                None if pd.isna(value) else float(value),
                title=spread_text,
            )
        )
    cover = tidy.coverage(ind.id, year=year)
    cover = cover[(cover["area_code"] == ENGLAND_CODE).to_numpy()]
    return Card(
        indicator_id=ind.id,
        title=ind.title,
        kind=kind,
        group=ind.group,
        group_title=group_title,
        computable=ind.computable,
        not_computable_reason=ind.not_computable_reason or "",
        latest_year=year,
        england_text=england_text,
        trend=_text(latest["trend"]),
        first_year=years[0],
        first_text=first_text,
        sparkline_src=data_uri(sparkline_svg(values, title=alt)) if len(years) > 1 else "",
        sparkline_alt=alt,
        spread=spread,
        spread_text=spread_text,
        strip_src=strip,
        coverage_flags=coverage_flags(ind, cover),
        search_text=text,
    )


def build_cards(tidy: Tidy) -> tuple[Card, ...]:
    """One card per catalogue indicator, in catalogue order (outcomes, enablers, data quality)."""
    n_las = int((tidy.areas["level"] == "local_authority").sum())
    catalogue: Catalogue = tidy.catalogue
    return tuple(
        build_card(tidy, ind, group.title, group.kind, n_las)
        for group in catalogue.groups
        for ind in group.indicators
    )


_lock = threading.Lock()
_cache: dict[int, tuple[Tidy, tuple[Card, ...]]] = {}


def cards_for(tidy: Tidy) -> tuple[Card, ...]:
    """``build_cards(tidy)``, computed once per ``Tidy`` (the tidy object is kept alongside its
    cards, so its id cannot be reused by another while the entry exists)."""
    key = id(tidy)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] is tidy:
            return hit[1]
    cards = build_cards(tidy)
    with _lock:
        if len(_cache) >= 8:  # tests build many apps in one process
            _cache.pop(next(iter(_cache)))
        _cache[key] = (tidy, cards)
    return cards
