"""Every LA's value in one year, lowest to highest, with the chosen LA, its statistical
neighbours and any compared LAs picked out, so a reader sees where an LA sits in the spread.

Picked-out bars differ by colour AND fill pattern, each group has its own legend entry, and the
chosen LA carries its name as a label, so nothing depends on telling colours apart. LAs with no
value (suppressed or not available) cannot be drawn; the page's table and summary list them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from dashboard.figures.highlight import (
    PATTERNS,
    ROLE_ORDER,
    compare_style,
    la_roles,
    role_colour,
    value_axis_title,
)
from dashboard.figures.theme import COLOURS, base_layout
from dashboard.formatting import format_with_unit
from metrics.catalogue import Indicator


def sorted_las(rows: pd.DataFrame) -> pd.DataFrame:
    """LA rows with a shown value, lowest first (ties by name, so the order is stable)."""
    las = rows[rows["geographic_level"] == "local_authority"]
    shown = las[las["value"].notna() & (las["status"] == "")]
    return shown.assign(_name=shown["area_name"].astype(str)).sort_values(["value", "_name"])


def _legend_name(role: str, frame: pd.DataFrame, chosen_name: str | None) -> str:
    if role == "la":
        return f"{frame['area_name'].iloc[0]} (chosen)"
    if role == "neighbours":
        return f"Statistical neighbours of {chosen_name}" if chosen_name else "Neighbours"
    if role == "compare":
        return str(frame["area_name"].iloc[0])
    return "Other local authorities"


def bars_figure(
    ind: Indicator,
    rows: pd.DataFrame,
    *,
    chosen: str | None = None,
    neighbours: Sequence[str] = (),
    compare: Sequence[str] = (),
    england: float | None = None,
) -> dict[str, Any]:
    """Bars for the local-authority rows of ``rows`` (one year, one breakdown value), sorted;
    ``england`` draws a reference line."""
    data = sorted_las(rows)
    roles = la_roles(data["area_code"], chosen=chosen, neighbours=neighbours, compare=compare)
    data = data.assign(_role=roles.to_numpy())
    order = [str(c) for c in data["area_code"]]
    chosen_rows = data[data["_role"] == "la"]
    chosen_name = str(chosen_rows["area_name"].iloc[0]) if len(chosen_rows) else None
    traces: list[dict[str, Any]] = []
    for role in ROLE_ORDER:
        part = data[data["_role"] == role]
        if role != "compare":
            if len(part):
                name = _legend_name(role, part, chosen_name)
                traces.append(_bar_trace(ind, part, role, role_colour(role), name))
            continue
        for position, code in enumerate(compare):
            group = part[part["area_code"] == code]
            if len(group):
                colour = compare_style(position)[0]
                name = _legend_name(role, group, chosen_name)
                traces.append(_bar_trace(ind, group, role, colour, name))
    layout = base_layout(height=380)
    layout["barmode"] = "overlay"
    layout["bargap"] = 0.15
    layout["xaxis"].update(
        {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": order,
            "showticklabels": False,
            "title": {"text": f"Local authorities, lowest to highest ({len(order)} with a value)"},
        }
    )
    layout["yaxis"].update({"title": {"text": value_axis_title(ind)}, "rangemode": "tozero"})
    annotations: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    if len(chosen_rows):
        row = chosen_rows.iloc[0]
        annotations.append(
            {
                "x": str(row["area_code"]),
                "y": float(row["value"]),
                "text": f"{row['area_name']}: {format_with_unit(ind, row['value'])}",
                "showarrow": True,
                "arrowhead": 2,
                "ax": 0,
                "ay": -40,
                "bgcolor": "#ffffff",
                "bordercolor": COLOURS["la"],
            }
        )
    if england is not None and not pd.isna(england):
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": float(england),
                "y1": float(england),
                "line": {"color": COLOURS["england"], "dash": "longdash", "width": 2},
            }
        )
        annotations.append(
            {
                "xref": "paper",
                "x": 1,
                "xanchor": "right",
                "y": float(england),
                "yanchor": "bottom",
                "text": f"England {format_with_unit(ind, england)}",
                "showarrow": False,
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )
    layout["annotations"] = annotations
    layout["shapes"] = shapes
    return {"data": traces, "layout": layout}


def _bar_trace(
    ind: Indicator, frame: pd.DataFrame, role: str, colour: str, name: str
) -> dict[str, Any]:
    texts = [
        f"{n}: {format_with_unit(ind, v)}"
        for n, v in zip(frame["area_name"].astype(str), frame["value"], strict=True)
    ]
    trace: dict[str, Any] = {
        "type": "bar",
        "name": name,
        "x": [str(c) for c in frame["area_code"]],
        "y": [float(v) for v in frame["value"]],
        "marker": {"color": colour, "line": {"color": colour, "width": 1}},
        "text": texts,
        "textposition": "none",
        "hovertemplate": "%{text}<extra></extra>",
    }
    pattern = PATTERNS[role.split(":")[0]]
    if pattern:
        trace["marker"]["pattern"] = {
            "shape": pattern,
            "fgcolor": "#ffffff",
            "solidity": 0.3,
            "fillmode": "overlay",  # white lines over the role's colour, not instead of it
        }
    if role != "other":
        values = frame["value"].to_numpy(dtype=float)
        above = frame["upper_95"].to_numpy(dtype=float) - values
        below = values - frame["lower_95"].to_numpy(dtype=float)
        if not (pd.isna(above).all() or pd.isna(below).all()):
            trace["error_y"] = {
                "type": "data",
                "symmetric": False,
                "array": [None if pd.isna(d) else float(d) for d in above],
                "arrayminus": [None if pd.isna(d) else float(d) for d in below],
                "color": COLOURS["england"],
                "thickness": 1.5,
                "width": 3,
            }
    return trace
