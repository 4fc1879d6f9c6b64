"""Compare chart: small multiples, one panel per indicator, areas as grouped horizontal bars
(one bar per year) with England as a dashed reference line and as its own labelled bar.

Indicators have different units, so each gets its own panel and axis rather than sharing one.
Years are told apart by colour, by bar pattern and by the year printed on each bar, never by
colour alone; a suppressed or missing value shows its symbol where the bar would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.figures.theme import COLOURS, SECONDARY_TEXT, base_layout

YEAR_COLOURS = ("#1d70b8", "#f47738", "#4c2c92", "#00703c", "#d53880")
YEAR_PATTERNS = ("", "/", ".", "x", "\\", "+", "-", "|", "/", ".")
BAR_HEIGHT = 16  # pixels per bar
PANEL_GAP = 70  # pixels between panels, for the panel title
ENGLAND_NAME = "England"

# Columns the builder reads (rows from dashboard.compare_table.compare_frame plus value_text).
INPUT_COLUMNS = ("indicator_id", "area_name", "time_period", "value", "value_text")


def _axis(name: str, k: int) -> str:
    return name if k == 1 else f"{name}{k}"


def compare_figure(frame: pd.DataFrame, titles: Mapping[str, str]) -> dict[str, Any]:
    """One panel per indicator in ``frame`` (in order of first appearance), titled from
    ``titles`` (indicator id -> title with unit)."""
    indicators = list(dict.fromkeys(frame["indicator_id"]))
    years = sorted({int(y) for y in frame["time_period"]})
    heights = [
        max(
            60,
            BAR_HEIGHT
            * frame.loc[frame["indicator_id"] == ind, "area_name"].nunique()
            * max(1, frame.loc[frame["indicator_id"] == ind, "time_period"].nunique()),
        )
        for ind in indicators
    ]
    total = sum(heights) + PANEL_GAP * len(indicators) + 40
    traces: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    axes: dict[str, Any] = {}
    top = 1.0 - 40 / total  # leave room for the legend
    for k, (ind, height) in enumerate(zip(indicators, heights, strict=True), start=1):
        top -= PANEL_GAP / total
        bottom = top - height / total
        part = frame[frame["indicator_id"] == ind]
        names = list(dict.fromkeys(part["area_name"]))
        for j, year in enumerate(years):
            rows = part[part["time_period"] == year]
            if rows.empty:
                continue
            texts = [f"{t} ({year})" for t in rows["value_text"]]
            traces.append(
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": str(year),
                    "legendgroup": str(year),
                    "showlegend": k == 1,
                    "y": rows["area_name"].tolist(),
                    "x": [None if pd.isna(v) else float(v) for v in rows["value"]],
                    "text": texts,
                    "textposition": "outside",
                    "cliponaxis": False,
                    "marker": {
                        "color": YEAR_COLOURS[j % len(YEAR_COLOURS)],
                        "pattern": {"shape": YEAR_PATTERNS[j % len(YEAR_PATTERNS)]},
                        "line": {"color": COLOURS["england"], "width": 0.5},
                    },
                    "hovertemplate": "%{y}: %{text}<extra></extra>",
                    "xaxis": _axis("x", k),
                    "yaxis": _axis("y", k),
                }
            )
        england = part[(part["area_name"] == ENGLAND_NAME) & part["value"].notna()]
        if not england.empty:
            latest = england.sort_values("time_period").iloc[-1]
            shapes.append(
                {
                    "type": "line",
                    "xref": _axis("x", k),
                    "yref": f"{_axis('y', k)} domain",
                    "x0": float(latest["value"]),
                    "x1": float(latest["value"]),
                    "y0": 0,
                    "y1": 1,
                    "line": {"color": COLOURS["england"], "dash": "dash", "width": 2},
                }
            )
        annotations.append(
            {
                "text": f"<b>{titles.get(ind, ind)}</b>",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": top + 8 / total,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "align": "left",
                "font": {"size": 14},
            }
        )
        axes[f"{_axis('xaxis', k)}"] = {
            "anchor": _axis("y", k),
            "domain": [0, 1],
            "gridcolor": "#b1b4b6",
            "zeroline": True,
            "zerolinecolor": SECONDARY_TEXT,
            "automargin": True,
            "rangemode": "tozero",
            "fixedrange": True,
        }
        axes[f"{_axis('yaxis', k)}"] = {
            "anchor": _axis("x", k),
            "domain": [max(bottom, 0.0), max(top, 0.0)],
            "type": "category",
            "categoryorder": "array",
            "categoryarray": names,
            "autorange": "reversed",
            "automargin": True,
            "fixedrange": True,
        }
        top = bottom
    layout = base_layout(
        height=int(total),
        barmode="group",
        shapes=shapes,
        annotations=annotations,
        margin={"l": 10, "r": 80, "t": 10, "b": 30},
        legend={"orientation": "h", "yanchor": "top", "y": 1, "x": 0, "title": {"text": "Year"}},
        **axes,
    )
    return {"data": traces, "layout": layout}


def compare_summary(frame: pd.DataFrame) -> str:
    """The chart in words: what is compared, and how many values are missing or suppressed."""
    n_areas = frame.loc[frame["area_name"] != ENGLAND_NAME, "area_name"].nunique()
    n_ind = frame["indicator_id"].nunique()
    years = sorted({int(y) for y in frame["time_period"] if int(y) > 0})
    span = (
        f"{years[0]}" if len(years) == 1 else f"{years[0]} to {years[-1]}" if years else "no year"
    )
    missing = int(frame["value"].isna().sum())
    text = (
        f"{n_areas} {'area' if n_areas == 1 else 'areas'} and England compared on "
        f"{n_ind} {'indicator' if n_ind == 1 else 'indicators'} ({span}); "
        "the dashed line in each panel is England in the latest year shown."
    )
    if missing:
        text += f" {missing} values are suppressed or not available (see the table)."
    return text
