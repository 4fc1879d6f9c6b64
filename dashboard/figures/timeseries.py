"""An indicator over the years for the chosen area beside its comparators, with the chosen
area's 95% interval as a band, so a reader sees at once whether a change is bigger than noise.

Each line differs from the others by colour, dash and marker, and the legend names it, so the
chart still reads in greyscale. Suppressed or missing years break the line rather than drawing
a zero; the hover text shows their symbol.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from dashboard.figures.highlight import compare_style, value_axis_title
from dashboard.figures.theme import COLOURS, DASHES, SYMBOLS, base_layout
from dashboard.formatting import format_interval, format_with_unit
from metrics.catalogue import Indicator

NEIGHBOURS_LEVEL = "statistical_neighbours_median"
AREA_LEVELS = ("local_authority", "regional", "national")


def series_role(rows: pd.DataFrame, *, chosen: str, compare: Sequence[str] = ()) -> pd.Series:
    """The line each row belongs to: ``la`` (the chosen area, whatever its level), ``neighbours``
    (the chosen LA's statistical-neighbour median), ``region``, ``england``, ``compare:<code>``,
    or '' for rows the chart does not draw."""
    level = rows["geographic_level"]
    code = rows["area_code"]
    role = pd.Series("", index=rows.index, dtype=object)
    role[(level == "national").to_numpy()] = "england"
    role[(level == "regional").to_numpy()] = "region"
    is_compare = ((level == "local_authority") & code.isin(list(compare))).to_numpy()
    role[is_compare] = np.array(["compare:" + str(c) for c in code[is_compare]], dtype=object)
    role[((level == NEIGHBOURS_LEVEL) & (code == chosen)).to_numpy()] = "neighbours"
    role[(level.isin(AREA_LEVELS) & (code == chosen)).to_numpy()] = "la"
    return role


def _label(role: str, frame: pd.DataFrame) -> str:
    name = str(frame["area_name"].iloc[0])
    if role == "neighbours":
        return f"Statistical neighbours of {name} (median)"
    return name


def _hover(ind: Indicator, frame: pd.DataFrame, label: str) -> list[str]:
    texts = []
    for year, value, status, lower, upper in zip(
        frame["time_period"],
        frame["value"],
        frame["status"].astype(str),
        frame["lower_95"],
        frame["upper_95"],
        strict=True,
    ):
        text = f"{label}, {int(year)}: {format_with_unit(ind, value, status)}"
        interval = format_interval(ind, lower, upper)
        if interval and not status:
            text += f"<br>95% interval {interval}"
        texts.append(text)
    return texts


def _line(
    ind: Indicator, frame: pd.DataFrame, label: str, colour: str, dash: str, symbol: str
) -> dict[str, Any]:
    shown = frame["value"].where(frame["status"] == "")
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": label,
        "x": [int(y) for y in frame["time_period"]],
        "y": [None if pd.isna(v) else float(v) for v in shown],
        "line": {"color": colour, "dash": dash, "width": 3 if dash == "solid" else 2},
        "marker": {"symbol": symbol, "size": 9, "color": colour},
        "text": _hover(ind, frame, label),
        "hovertemplate": "%{text}<extra></extra>",
        "connectgaps": False,
    }


def _band(frame: pd.DataFrame, label: str) -> list[dict[str, Any]]:
    usable = frame.dropna(subset=["lower_95", "upper_95"])
    usable = usable[usable["status"] == ""]
    if usable.empty:
        return []
    x = [int(y) for y in usable["time_period"]]
    upper = {
        "type": "scatter",
        "mode": "lines",
        "x": x,
        "y": [float(v) for v in usable["upper_95"]],
        "line": {"width": 0, "color": COLOURS["band"]},
        "hoverinfo": "skip",
        "showlegend": False,
        "legendgroup": "band",
    }
    lower = {
        "type": "scatter",
        "mode": "lines",
        "name": f"95% interval for {label}",
        "x": x,
        "y": [float(v) for v in usable["lower_95"]],
        "line": {"width": 0, "color": COLOURS["band"]},
        "fill": "tonexty",
        "fillcolor": COLOURS["band"],
        "hoverinfo": "skip",
        "legendgroup": "band",
    }
    return [upper, lower]


def timeseries_figure(
    ind: Indicator, rows: pd.DataFrame, *, chosen: str, compare: Sequence[str] = ()
) -> dict[str, Any]:
    """Lines for England, the region, the neighbours' median, compared LAs and the chosen area
    (drawn last, on top, with its interval band). ``rows`` are tidy ``indicator_values`` rows of
    the headline breakdown; rows of other areas are ignored."""
    roles = series_role(rows, chosen=chosen, compare=compare)
    data = rows.assign(_role=roles.to_numpy())
    data = data[data["_role"] != ""].sort_values("time_period")
    traces: list[dict[str, Any]] = []
    for role in ("england", "region", "neighbours"):
        part = data[data["_role"] == role]
        if len(part):
            traces.append(
                _line(ind, part, _label(role, part), COLOURS[role], DASHES[role], SYMBOLS[role])
            )
    for position, code in enumerate(compare):
        part = data[data["_role"] == f"compare:{code}"]
        if len(part):
            colour, symbol, dash = compare_style(position)
            traces.append(_line(ind, part, _label("compare", part), colour, dash, symbol))
    chosen_rows = data[data["_role"] == "la"]
    if len(chosen_rows):
        label = _label("la", chosen_rows)
        traces.extend(_band(chosen_rows, label))
        traces.append(_line(ind, chosen_rows, label, COLOURS["la"], DASHES["la"], SYMBOLS["la"]))
    years = sorted({int(y) for y in data["time_period"]})
    layout = base_layout(height=380)
    layout["xaxis"].update(
        {"title": {"text": "Collection year"}, "tickmode": "array", "tickvals": years}
    )
    layout["yaxis"].update({"title": {"text": value_axis_title(ind)}, "rangemode": "tozero"})
    layout["hovermode"] = "closest"
    return {"data": traces, "layout": layout}
