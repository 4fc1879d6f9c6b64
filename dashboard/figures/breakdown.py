"""An indicator split by age, sex, ethnicity or disability for one area and year, beside
England, so over- or under-represented groups show up, each bar with its 95% interval.

Suppressed cells are labelled with their symbol (``c``) where the bar would be, never drawn as
zero, so a reader cannot mistake "hidden to protect children" for "none".
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.figures.highlight import value_axis_title
from dashboard.figures.theme import COLOURS, SYMBOLS, base_layout
from dashboard.formatting import format_with_unit
from metrics.catalogue import Indicator
from metrics.units import BREAKDOWN_VALUES

BREAKDOWN_LABELS = {
    "total": "All children",
    "age_band": "Age",
    "sex": "Sex",
    "ethnicity_group": "Ethnicity",
    "disability": "Disability",
}


def ordered_values(breakdown: str, present: pd.Series) -> list[str]:
    """The breakdown's values in their natural order (ages ascending), then any others."""
    known = BREAKDOWN_VALUES.get(breakdown, ())
    seen = [str(v) for v in present.astype(str).unique()]
    return [v for v in known if v in seen] + sorted(v for v in seen if v not in known)


def breakdown_figure(
    ind: Indicator,
    rows: pd.DataFrame,
    *,
    breakdown: str,
    area_name: str,
    england: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Bars of ``rows`` (one area, one year, the rows of ``breakdown``) with interval whiskers;
    England's values for the same groups as markers when ``england`` is given."""
    part = rows[rows["breakdown"] == breakdown]
    order = ordered_values(breakdown, part["breakdown_value"])
    part = part.set_index(part["breakdown_value"].astype(str)).reindex(order)
    status = part["status"].fillna("").astype(str)
    shown = part["value"].where(status == "")
    values = [None if pd.isna(v) else float(v) for v in shown]
    above = (part["upper_95"] - shown).tolist()
    below = (shown - part["lower_95"]).tolist()
    bar: dict[str, Any] = {
        "type": "bar",
        "name": area_name,
        "x": order,
        "y": values,
        "marker": {"color": COLOURS["la"]},
        "text": [
            f"{area_name}, {v}: {format_with_unit(ind, val, st)}"
            for v, val, st in zip(order, part["value"], status, strict=True)
        ],
        "textposition": "none",
        "hovertemplate": "%{text}<extra></extra>",
    }
    if any(not pd.isna(a) for a in above):
        bar["error_y"] = {
            "type": "data",
            "symmetric": False,
            "array": [None if pd.isna(a) else float(a) for a in above],
            "arrayminus": [None if pd.isna(b) else float(b) for b in below],
            "color": COLOURS["england"],
            "thickness": 1.5,
        }
    traces: list[dict[str, Any]] = [bar]
    if england is not None and len(england):
        eng = england[england["breakdown"] == breakdown]
        eng = eng.set_index(eng["breakdown_value"].astype(str)).reindex(order)
        eng_status = eng["status"].fillna("").astype(str)
        eng_values = eng["value"].where(eng_status == "")
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "England",
                "x": order,
                "y": [None if pd.isna(v) else float(v) for v in eng_values],
                "marker": {
                    "symbol": SYMBOLS["england"],
                    "size": 12,
                    "color": COLOURS["england"],
                    "line": {"width": 2, "color": COLOURS["england"]},
                },
                "text": [
                    f"England, {v}: {format_with_unit(ind, val, st)}"
                    for v, val, st in zip(order, eng["value"], eng_status, strict=True)
                ],
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    annotations = [
        {
            "x": value,
            "y": 0,
            "yanchor": "bottom",
            "text": symbol,
            "showarrow": False,
            "font": {"size": 16, "color": COLOURS["england"]},
        }
        for value, symbol, shown_value in zip(order, status, values, strict=True)
        if shown_value is None
        for symbol in [symbol or "x"]
    ]
    layout = base_layout(height=360)
    layout["xaxis"].update(
        {
            "type": "category",
            "title": {"text": BREAKDOWN_LABELS.get(breakdown, breakdown)},
            "categoryorder": "array",
            "categoryarray": order,
        }
    )
    layout["yaxis"].update({"title": {"text": value_axis_title(ind)}, "rangemode": "tozero"})
    layout["annotations"] = annotations
    return {"data": traces, "layout": layout}
