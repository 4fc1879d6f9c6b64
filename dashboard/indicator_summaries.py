"""The sentence above each chart on the indicator page that states its main finding in words.

A chart is not readable by everyone (screen readers, colour vision, a printed page), so each one
opens with what a careful analyst would say about it: the value and its interval, how it
compares with England, where the LA ranks, whether it lies outside the funnel's limits. The
sentences are built from the same tidy rows as the charts, so they cannot disagree with them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from dashboard.figures.breakdown import BREAKDOWN_LABELS, ordered_values
from dashboard.figures.funnel import FunnelView
from dashboard.formatting import SYMBOLS, format_interval, format_with_unit
from metrics.catalogue import Indicator

MEASURE_WORD = {
    "rate_per_10000": "rate",
    "proportion": "percentage",
    "mean": "average",
    "median": "median",
    "ratio": "ratio",
    "count": "count",
}
COMPARISON_WORD = {
    "higher": "higher than",
    "lower": "lower than",
    "similar": "similar to",
    "better": "better than",
    "worse": "worse than",
}


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def possessive(name: str) -> str:
    return f"{name}'s"


def _is_shown(row: Mapping[str, Any] | None) -> bool:
    if row is None:
        return False
    return not str(row.get("status") or "") and not pd.isna(row.get("value"))


def _status_phrase(row: Mapping[str, Any] | None) -> str:
    status = "" if row is None else str(row.get("status") or "")
    if status and status in SYMBOLS:
        return f"not shown ({status}: {SYMBOLS[status]})"
    return "not available (x)"


def shown_las(rows: pd.DataFrame) -> pd.DataFrame:
    """Local-authority rows with a value to show."""
    las = rows[rows["geographic_level"] == "local_authority"]
    return las[las["value"].notna() & (las["status"] == "")]


def _lowest(frame: pd.DataFrame) -> pd.Series:
    """The row with the lowest value (the first by name among ties)."""
    return frame.sort_values(["value", "area_name"], kind="stable").iloc[0]


def _highest(frame: pd.DataFrame) -> pd.Series:
    """The row with the highest value (the first by name among ties)."""
    return frame.sort_values(["value", "area_name"], ascending=[False, True]).iloc[0]


def rank_of(rows: pd.DataFrame, code: str) -> tuple[int, int] | None:
    """(position counted from the highest, number of LAs with a value), or None."""
    las = shown_las(rows)
    mine = las[las["area_code"] == code]
    if mine.empty:
        return None
    value = float(mine["value"].iloc[0])
    return int((las["value"] > value).sum()) + 1, len(las)


def headline(
    ind: Indicator,
    row: Mapping[str, Any] | None,
    england: Mapping[str, Any] | None,
    *,
    area_name: str,
    year: int,
    rank: tuple[int, int] | None = None,
) -> str:
    """'In 2025 Leeds's rate was 312.4 per 10,000 children (95% interval 300.1 to 325.0),
    similar to England (305.0); it is 48th highest of 153 local authorities.'"""
    word = MEASURE_WORD[ind.measure]
    subject = f"In {year} {possessive(area_name)} {word}"
    if not _is_shown(row):
        return f"{subject} is {_status_phrase(row)}."
    assert row is not None
    text = f"{subject} was {format_with_unit(ind, row['value'])}"
    interval = format_interval(ind, row.get("lower_95"), row.get("upper_95"))
    if interval:
        text += f" (95% interval {interval})"
    comparison = COMPARISON_WORD.get(str(row.get("compared_to_england") or ""))
    if comparison and _is_shown(england) and area_name != "England":
        assert england is not None
        text += f", {comparison} England ({format_with_unit(ind, england['value'])})"
    if rank is not None:
        text += f"; it is {ordinal(rank[0])} highest of {rank[1]} local authorities"
    return text + "."


def trend_sentence(row: Mapping[str, Any] | None, first_year: int, last_year: int) -> str:
    trend = "" if row is None else str(row.get("trend") or "")
    if not trend or first_year == last_year:
        return ""
    return f" Over the years to {last_year} the trend test finds: {trend}."


def bars_summary(
    ind: Indicator,
    rows: pd.DataFrame,
    *,
    chosen: str | None,
    chosen_name: str,
    neighbours: Sequence[str],
    year: int,
) -> str:
    las = shown_las(rows)
    all_las = rows[rows["geographic_level"] == "local_authority"]
    if las.empty:
        return f"No local authority has a value to show for {year}."
    low, high = _lowest(las), _highest(las)
    text = (
        f"In {year} values range from {format_with_unit(ind, low['value'])} "
        f"({low['area_name']}) to {format_with_unit(ind, high['value'])} ({high['area_name']}) "
        f"across the {len(las)} local authorities with a value"
    )
    hidden = len(all_las) - len(las)
    text += f"; {hidden} have none shown." if hidden else "."
    if chosen is not None:
        rank = rank_of(rows, chosen)
        if rank is not None:
            text += f" {chosen_name} is {ordinal(rank[0])} highest."
        elif (all_las["area_code"] == chosen).any():
            text += f" {chosen_name} has no value shown."
    near = las[las["area_code"].isin(list(neighbours))]
    if len(near):
        text += (
            f" Its {len(near)} statistical neighbours with a value range from "
            f"{format_with_unit(ind, near['value'].min())} to "
            f"{format_with_unit(ind, near['value'].max())}."
        )
    return text


POSITION_TEXT = {
    "inside": "within the 95% limits, so its difference from England is no more than chance "
    "would often produce for an authority of its size",
    "above": "above the upper limit",
    "below": "below the lower limit",
}


def funnel_summary(view: FunnelView, *, chosen: str | None, chosen_name: str) -> str:
    points = view.points
    outside = int((points["position_998"].isin(["above", "below"])).sum())
    text = (
        f"{outside} of {len(points)} local authorities lie outside the 99.8% limits around England"
    )
    text += (
        ", after widening the limits for over-dispersion (the authorities differ more than "
        "chance alone explains)."
        if view.limits.adjusted
        else "."
    )
    mine = points[points["area_code"] == chosen] if chosen else points.iloc[0:0]
    if len(mine):
        p95 = str(mine["position_95"].iloc[0])
        p998 = str(mine["position_998"].iloc[0])
        if p998 in ("above", "below"):
            where = f"{p998} the 99.8% limit"
        elif p95 in ("above", "below"):
            where = f"{p95} the 95% limit but within the 99.8% limits"
        else:
            where = POSITION_TEXT["inside"]
        text = f"{chosen_name} lies {where}. " + text
    return text


def map_summary(
    ind: Indicator, rows: pd.DataFrame, *, chosen: str | None, chosen_name: str, year: int
) -> str:
    las = shown_las(rows)
    text = "Darker shading means a higher value."
    if len(las):
        text += (
            f" In {year} the lightest area is {_lowest(las)['area_name']} "
            f"and the darkest {_highest(las)['area_name']}."
        )
    all_las = rows[rows["geographic_level"] == "local_authority"]
    hidden = len(all_las) - len(las)
    if hidden:
        text += f" {hidden} local authorities have no value and are shaded grey."
    if chosen is not None and (all_las["area_code"] == chosen).any():
        text += f" {chosen_name} is outlined in black and yellow."
    return text


def breakdown_summary(
    ind: Indicator, rows: pd.DataFrame, *, breakdown: str, area_name: str, year: int
) -> str:
    part = rows[rows["breakdown"] == breakdown]
    label = BREAKDOWN_LABELS.get(breakdown, breakdown).lower()
    if part.empty:
        return f"There are no figures by {label} for {area_name} in {year}."
    shown = part[part["value"].notna() & (part["status"] == "")]
    word = MEASURE_WORD[ind.measure]
    text = f"In {year}, by {label}, {possessive(area_name)} {word}"
    if shown.empty:
        text += " is not shown for any group."
    elif len(shown) == 1:
        only = shown.iloc[0]
        text += (
            f" is shown only for {only['breakdown_value']}: {format_with_unit(ind, only['value'])}."
        )
    else:
        high, low = _highest(shown), _lowest(shown)
        text += (
            f" was highest for {high['breakdown_value']} ({format_with_unit(ind, high['value'])})"
            f" and lowest for {low['breakdown_value']} ({format_with_unit(ind, low['value'])})."
        )
    hidden = [
        v
        for v in ordered_values(breakdown, part["breakdown_value"])
        if v not in set(shown["breakdown_value"].astype(str))
    ]
    if hidden:
        text += f" Not shown (suppressed or not available): {', '.join(hidden)}."
    return text
