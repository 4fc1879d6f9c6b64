"""The funnel plot: each LA's value against the size of its denominator, with 95% and 99.8%
control limits around England, so small LAs' chance swings are not mistaken for real outliers.

The limits come from ``metrics.stats.funnel`` (over-dispersion adjusted when the LAs spread wider
than chance allows; the chart then says so). Funnel limits need a count-based value: rates and
ratios with exact Poisson intervals, proportions, and means with a t interval; counts, medians
and values with no interval get no funnel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.figures.highlight import (
    ROLE_ORDER,
    compare_style,
    la_roles,
    role_colour,
    role_symbol,
    value_axis_title,
)
from dashboard.figures.theme import COLOURS, base_layout
from dashboard.formatting import format_with_unit
from metrics.catalogue import Indicator
from metrics.stats.funnel import FunnelKind, FunnelLimits, funnel, funnel_position
from metrics.stats.intervals import FloatArray

MIN_LAS = 3  # fewer LAs than this give no sensible over-dispersion estimate


@dataclass(frozen=True)
class FunnelView:
    """The limits and each LA's place against them (``points``: area_code, area_name, size,
    value, position_95, position_998)."""

    limits: FunnelLimits
    points: pd.DataFrame
    england: float
    size_title: str


def funnel_kind(ind: Indicator) -> FunnelKind | None:
    """The funnel this indicator supports, or None when a funnel does not apply."""
    if ind.interval == "none":
        return None
    if ind.measure == "proportion":
        return "proportion"
    if ind.measure in ("rate_per_10000", "ratio") and ind.interval == "poisson_exact":
        return "rate"
    if ind.measure == "mean" and ind.interval == "t_mean":
        return "mean"
    return None


def _england_sd(england: pd.Series) -> float | None:
    """The child-level standard deviation behind England's mean, read back from its t interval."""
    n = float(england["numerator"])
    lower, upper = float(england["lower_95"]), float(england["upper_95"])
    if not (np.isfinite(n) and n > 1 and np.isfinite(lower) and np.isfinite(upper)):
        return None
    t = float(stats.t.ppf(0.975, n - 1))
    return (upper - lower) / (2 * t) * float(np.sqrt(n))


def funnel_view(ind: Indicator, rows: pd.DataFrame) -> FunnelView | None:
    """Limits and positions from one year's headline rows (England plus LAs), or None when the
    indicator has no funnel or too few LAs have a value."""
    kind = funnel_kind(ind)
    if kind is None:
        return None
    level = rows["geographic_level"]
    national = rows[level == "national"]
    if national.empty or pd.isna(national["value"].iloc[0]):
        return None
    england = national.iloc[0]
    las = rows[(level == "local_authority") & (rows["status"] == "")]
    size_column = "numerator" if kind == "mean" else "denominator"
    las = las[las["value"].notna() & las[size_column].notna() & (las[size_column] > 0)]
    if kind != "mean":
        las = las[las["numerator"].notna()]
    if len(las) < MIN_LAS:
        return None
    sd = _england_sd(england) if kind == "mean" else None
    if kind == "mean" and sd is None:
        return None
    target = float(england["value"])
    numerator = las["numerator"].to_numpy(dtype=float)
    size = las[size_column].to_numpy(dtype=float)
    value = las["value"].to_numpy(dtype=float)
    per = ind.multiplier
    if kind == "mean":
        limits = funnel(kind, value * size, size, target, per=1.0, sd=sd, value=value)
        positions = funnel_position(limits, value * size, size, value=value)
    else:
        limits = funnel(kind, numerator, size, target, per=per)
        positions = funnel_position(limits, numerator, size, value=value)
    points = pd.DataFrame(
        {
            "area_code": las["area_code"].astype(str).to_numpy(),
            "area_name": las["area_name"].astype(str).to_numpy(),
            "size": size,
            "value": value,
            "position_95": positions["position_95"].to_numpy(),
            "position_998": positions["position_998"].to_numpy(),
        }
    )
    title = (
        "Children the mean is based on (log scale)"
        if kind == "mean"
        else "Denominator: size of the group the value is based on (log scale)"
    )
    return FunnelView(limits=limits, points=points, england=target, size_title=title)


def _limit_trace(
    x: FloatArray, y: FloatArray, name: str, colour: str, dash: str, show: bool
) -> dict[str, Any]:
    return {
        "type": "scatter",
        "mode": "lines",
        "name": name,
        "x": [float(v) for v in x],
        "y": [None if not np.isfinite(v) else float(v) for v in y],
        "line": {"color": colour, "dash": dash, "width": 1.5},
        "hoverinfo": "skip",
        "legendgroup": name,
        "showlegend": show,
    }


def funnel_figure(
    ind: Indicator,
    view: FunnelView,
    *,
    chosen: str | None = None,
    neighbours: Sequence[str] = (),
    compare: Sequence[str] = (),
) -> dict[str, Any]:
    """Limits, England's line and one marker per LA; the chosen LA labelled by name."""
    lim = view.limits
    traces: list[dict[str, Any]] = []
    for level, colour, dash in (
        ("95%", COLOURS["limit_95"], "dash"),
        ("99.8%", COLOURS["limit_998"], "solid"),
    ):
        key = "95" if level == "95%" else "998"
        name = f"{level} control limits"
        traces.append(
            _limit_trace(lim.denominators, getattr(lim, f"upper_{key}"), name, colour, dash, True)
        )
        traces.append(
            _limit_trace(lim.denominators, getattr(lim, f"lower_{key}"), name, colour, dash, False)
        )
    traces.append(
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"England {format_with_unit(ind, view.england)}",
            "x": [float(lim.denominators[0]), float(lim.denominators[-1])],
            "y": [view.england, view.england],
            "line": {"color": COLOURS["england"], "dash": "longdash", "width": 2},
            "hoverinfo": "skip",
        }
    )
    points = view.points
    roles = la_roles(points["area_code"], chosen=chosen, neighbours=neighbours, compare=compare)
    points = points.assign(_role=roles.to_numpy())
    chosen_name = None
    for role in ROLE_ORDER:
        part = points[points["_role"] == role]
        if role == "compare":
            for position, code in enumerate(compare):
                group = part[part["area_code"] == code]
                if len(group):
                    colour, symbol, _ = compare_style(position)
                    traces.append(
                        _points(ind, group, str(group["area_name"].iloc[0]), colour, symbol, 11)
                    )
            continue
        if part.empty:
            continue
        if role == "la":
            chosen_name = str(part["area_name"].iloc[0])
            name = f"{chosen_name} (chosen)"
        elif role == "neighbours":
            name = "Statistical neighbours"
        else:
            name = "Other local authorities"
        size = 14 if role == "la" else 10 if role == "neighbours" else 7
        trace = _points(ind, part, name, role_colour(role), role_symbol(role), size)
        if role == "la":
            trace["mode"] = "markers+text"
            trace["textposition"] = "top center"
            trace["texttemplate"] = chosen_name
        traces.append(trace)
    layout = base_layout(height=400)
    layout["xaxis"].update({"type": "log", "title": {"text": view.size_title}})
    layout["yaxis"].update({"title": {"text": value_axis_title(ind)}})
    if lim.adjusted:
        layout["annotations"] = [
            {
                "xref": "paper",
                "yref": "paper",
                "x": 1,
                "y": 0,
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
                "text": "Limits widened for over-dispersion",
                "font": {"size": 12},
            }
        ]
    return {"data": traces, "layout": layout}


def _points(
    ind: Indicator, frame: pd.DataFrame, name: str, colour: str, symbol: str, size: int
) -> dict[str, Any]:
    texts = [
        f"{n}: {format_with_unit(ind, v)} (based on {s:,.0f})"
        for n, v, s in zip(frame["area_name"], frame["value"], frame["size"], strict=True)
    ]
    return {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": [float(v) for v in frame["size"]],
        "y": [float(v) for v in frame["value"]],
        "marker": {
            "color": colour,
            "symbol": symbol,
            "size": size,
            "line": {"color": "#ffffff", "width": 1},
        },
        "hovertext": texts,
        "hovertemplate": "%{hovertext}<extra></extra>",
    }
