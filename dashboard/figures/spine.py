"""Spine chart: many indicators on one page, each scaled so England sits in the centre.

Indicators have different units, so each row is rescaled: England at 0.5 and the LA furthest
from England (in either direction) at 0 or 1. Rows whose polarity says lower is better are
mirrored, so "right of centre" always means better (or higher, where there is no judgement).
The area's marker carries the comparison with England twice, by colour AND by shape, and the
legend names each, so the chart reads in greyscale and for colour-blind readers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboard.figures.theme import COLOURS, SECONDARY_TEXT, base_layout

# comparison -> (legend text, fill colour, marker symbol)
COMPARISON_STYLE: dict[str, tuple[str, str, str]] = {
    "better": ("Better than England", "#00703c", "triangle-up"),
    "worse": ("Worse than England", "#d4351c", "triangle-down"),
    "similar": ("Similar to England", "#ffdd00", "circle"),
    "higher": ("Higher than England (no judgement)", "#1d70b8", "triangle-right"),
    "lower": ("Lower than England (no judgement)", "#5694ca", "triangle-left"),
    "": ("Not compared", "#ffffff", "circle-open"),
}
RANGE_COLOUR = "#dee0e2"
MIDDLE_COLOUR = "#b1b4b6"
ROW_HEIGHT = 30
X_TITLE = "England in the centre; right of centre is better (or higher, where no judgement)"

# Columns the builder reads (one row per indicator, from the profile frame plus labels).
INPUT_COLUMNS = (
    "label",  # row label (short title)
    "polarity",  # higher_better, lower_better or no_judgement
    "value",
    "england_value",
    "la_min",
    "la_p25",
    "la_p75",
    "la_max",
    "compared_to_england",
    "hover",  # the row's numbers in words, for the tooltip
)


def spine_positions(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows that can be drawn (England and the LA range known), with each value mapped to
    0..1: ``pos_value``, ``pos_min``/``pos_max`` (range ends, left and right after any
    mirroring), ``pos_p25``/``pos_p75`` (middle half, left and right)."""
    keep = frame[["england_value", "la_min", "la_max"]].notna().all(axis=1).to_numpy()
    rows = frame[keep].copy()
    centre = rows["england_value"].to_numpy(dtype=float)
    values = rows[["la_min", "la_p25", "la_p75", "la_max", "value"]].to_numpy(dtype=float)
    offsets = values - centre[:, None]
    with np.errstate(all="ignore"):
        deviation = np.nanmax(np.abs(offsets), axis=1) if len(rows) else np.zeros(0)
        mirror = np.where(rows["polarity"].to_numpy() == "lower_better", -1.0, 1.0)
        scaled = 0.5 + offsets * mirror[:, None] / (2 * deviation[:, None])
    scaled = np.where(deviation[:, None] > 0, scaled, 0.5)
    scaled[np.isnan(values)] = np.nan
    with np.errstate(all="ignore"):
        rows["pos_value"] = scaled[:, 4]
        rows["pos_min"] = np.fmin(scaled[:, 0], scaled[:, 3])
        rows["pos_max"] = np.fmax(scaled[:, 0], scaled[:, 3])
        rows["pos_p25"] = np.fmin(scaled[:, 1], scaled[:, 2])
        rows["pos_p75"] = np.fmax(scaled[:, 1], scaled[:, 2])
    return rows


def spine_figure(frame: pd.DataFrame, *, area_name: str) -> dict[str, Any]:
    """The spine chart of ``frame`` (``INPUT_COLUMNS``, one row per indicator, top to bottom)."""
    rows = spine_positions(frame)
    labels = rows["label"].tolist()
    hover = rows["hover"].tolist()
    traces: list[dict[str, Any]] = [
        {
            "type": "bar",
            "orientation": "h",
            "name": "Range of all LAs (lowest to highest)",
            "y": labels,
            "x": _listed(rows["pos_max"] - rows["pos_min"]),
            "base": _listed(rows["pos_min"]),
            "marker": {"color": RANGE_COLOUR, "line": {"color": MIDDLE_COLOUR, "width": 1}},
            "customdata": hover,
            "hovertemplate": "%{y}<br>%{customdata}<extra></extra>",
            "width": 0.6,
        },
        {
            "type": "bar",
            "orientation": "h",
            "name": "Middle half of LAs (25th to 75th percentile)",
            "y": labels,
            "x": _listed(rows["pos_p75"] - rows["pos_p25"]),
            "base": _listed(rows["pos_p25"]),
            "marker": {"color": MIDDLE_COLOUR},
            "customdata": hover,
            "hovertemplate": "%{y}<br>%{customdata}<extra></extra>",
            "width": 0.6,
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "England",
            "y": labels,
            "x": [0.5] * len(labels),
            "marker": {
                "symbol": "line-ns-open",
                "size": 22,
                "line": {"width": 3, "color": COLOURS["england"]},
                "color": COLOURS["england"],
            },
            "hoverinfo": "skip",
        },
    ]
    position = rows["pos_value"].to_numpy(dtype=float)
    comparisons = rows["compared_to_england"].fillna("").astype(str).to_numpy()
    label_array = np.asarray(labels, dtype=object)
    hover_array = np.asarray(hover, dtype=object)
    for comparison, (text, colour, symbol) in COMPARISON_STYLE.items():
        chosen = (comparisons == comparison) & ~np.isnan(position)
        if not chosen.any():
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"{area_name}: {_lower_first(text)}",
                "y": label_array[chosen].tolist(),
                "x": position[chosen].tolist(),
                "marker": {
                    "symbol": symbol,
                    "size": 14,
                    "color": colour,
                    "line": {"width": 1.5, "color": COLOURS["england"]},
                },
                "customdata": hover_array[chosen].tolist(),
                "hovertemplate": "%{y}<br>%{customdata}<extra></extra>",
            }
        )
    layout = base_layout(
        height=max(220, 140 + ROW_HEIGHT * len(labels)),
        barmode="overlay",
        showlegend=True,
        xaxis={
            "range": [-0.03, 1.03],
            "showticklabels": False,
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
            "title": {"text": X_TITLE, "font": {"size": 12, "color": SECONDARY_TEXT}},
        },
        yaxis={
            "type": "category",
            "autorange": "reversed",
            "automargin": True,
            "fixedrange": True,
            "categoryorder": "array",
            "categoryarray": labels,
        },
        margin={"l": 10, "r": 10, "t": 20, "b": 50},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0, "traceorder": "normal"},
    )
    return {"data": traces, "layout": layout}


def spine_summary(frame: pd.DataFrame, *, area_name: str) -> str:
    """The chart's finding in words: how many indicators sit on each side of England."""
    counts = frame["compared_to_england"].fillna("").value_counts()
    parts = []
    for comparison in ("better", "worse", "similar", "higher", "lower"):
        n = int(counts.get(comparison, 0))
        if n:
            phrase = _lower_first(COMPARISON_STYLE[comparison][0]).replace(" (no judgement)", "")
            parts.append(f"{phrase} on {n}")
    not_compared = len(frame) - sum(int(counts.get(c, 0)) for c in COMPARISON_STYLE if c)
    if not parts:
        return f"No indicator can be compared between {area_name} and England in this view."
    text = f"{area_name} is " + _join(parts) + f" of {len(frame)} indicators"
    if not_compared:
        text += f"; {not_compared} cannot be compared (no value, or suppressed)"
    return text + "."


def _join(parts: list[str]) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _listed(column: pd.Series) -> list[float | None]:
    """Plain floats for JSON, with None (a gap) where the value is missing."""
    return [None if np.isnan(v) else float(v) for v in column.to_numpy(dtype=float)]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
