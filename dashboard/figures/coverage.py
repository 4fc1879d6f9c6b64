"""Charts, tables and sentences for the coverage page: how complete the returns are, where.

Coverage shares sit on one scale (a percentage of the records that should carry the field), so
every chart here uses a 0-100% style axis starting at 0, and England is drawn as a labelled line
or marker rather than a colour, so nothing depends on colour alone. Pure functions: rows in,
figure dicts, table frames and summary sentences out.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from dashboard.components import TableColumn
from dashboard.figures.theme import COLOURS, DASHES, SYMBOLS, base_layout


def _finite(value: Any) -> bool:
    try:
        return value is not None and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def pct(value: Any, status: str = "") -> str:
    """'4.6%' or the symbol (c, z, x) for a share that is not shown."""
    if status:
        return status
    return f"{float(value):.1f}%" if _finite(value) else "x"


def _count(value: Any) -> str:
    return f"{float(value):,.0f}" if _finite(value) else ""


# ------------------------------------------------------------------------ all LAs, one gap


def all_las_figure(
    rows: pd.DataFrame,
    *,
    of: str,
    england: float | None,
    chosen: str | None = None,
) -> dict[str, Any]:
    """Sorted bars, one per LA with a value (``rows`` as ``coverage_data.all_las``): the other
    LAs grey, the chosen LA blue and hatched, England a dashed line. Each is a legend entry
    carrying its value, so nothing rests on colour and no label can collide at 320 px."""
    shown = rows[rows["value"].map(_finite)]
    names = shown["area_name"].astype(str).to_list()
    values = [round(float(v), 2) for v in shown["value"]]
    is_chosen = [bool(chosen) and code == chosen for code in shown["area_code"]]

    def bar(name: str, keep: list[bool], colour: str, pattern: str) -> dict[str, Any]:
        return {
            "type": "bar",
            "name": name,
            "x": [n for n, k in zip(names, keep, strict=True) if k],
            "y": [v for v, k in zip(values, keep, strict=True) if k],
            "marker": {"color": colour, "pattern": {"shape": pattern}},
            "hovertemplate": "%{x}: %{y:.1f}%<extra></extra>",
        }

    others = "Other local authorities" if any(is_chosen) else "Local authorities"
    traces = [bar(others, [not c for c in is_chosen], COLOURS["other"], "")]
    if any(is_chosen):
        row = shown[[bool(c) for c in is_chosen]].iloc[0]
        label = f"{row['area_name']} {pct(row['value'])}"
        traces.append(bar(label, is_chosen, COLOURS["la"], "/"))
    shapes: list[dict[str, Any]] = []
    if england is not None and _finite(england):
        line = {"color": COLOURS["england"], "dash": DASHES["england"], "width": 2}
        # The line is a shape (drawn above the bars, across the plot); the trace only gives
        # it a legend entry.
        shapes.append(
            {"type": "line", "layer": "above", "xref": "paper", "x0": 0, "x1": 1,
             "yref": "y", "y0": float(england), "y1": float(england), "line": line}
        )  # fmt: skip
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"England {pct(england)}",
                "x": [None],
                "y": [None],
                "line": line,
                "hoverinfo": "skip",
            }
        )
    layout = base_layout(height=380)
    layout["showlegend"] = True
    layout["barmode"] = "overlay"
    layout["bargap"] = 0.15
    layout["xaxis"] = {
        **layout["xaxis"],
        "title": {"text": "Local authorities, largest share first"},
        "showticklabels": False,
        "categoryorder": "array",
        "categoryarray": names,
    }
    tops = [*values, 1.0]
    if england is not None and _finite(england):
        tops.append(float(england))
    layout["yaxis"] = {
        **layout["yaxis"],
        "title": {"text": f"% of {of}"},
        "rangemode": "tozero",
        "range": [0, max(tops) * 1.1],
        "ticksuffix": "%",
    }
    layout["shapes"] = shapes
    return {"data": traces, "layout": layout}


ALL_LAS_COLUMNS = (
    TableColumn("rank", "Position", numeric=True),
    TableColumn("area_name", "Local authority"),
    TableColumn("share", "Share", numeric=True),
    TableColumn("numerator", "Missing or linked", numeric=True, formatter=_count),
    TableColumn("denominator", "Of", numeric=True, formatter=_count),
    TableColumn("source", "Source"),
)


def all_las_table(rows: pd.DataFrame, chosen: str | None = None) -> pd.DataFrame:
    """The bar chart's data as table rows: position (1 = largest share), name (the chosen LA
    marked in words), share or symbol, counts, source."""
    out = rows.copy()
    ranks = out["value"].rank(method="min", ascending=False)
    out["rank"] = [str(int(r)) if _finite(r) else "" for r in ranks]
    out["share"] = [pct(v, s) for v, s in zip(out["value"], out["status"], strict=True)]
    if chosen:
        out["area_name"] = [
            f"{n} (chosen)" if c == chosen else str(n)
            for n, c in zip(out["area_name"], out["area_code"], strict=True)
        ]
    return out


def all_las_summary(
    rows: pd.DataFrame,
    *,
    title: str,
    year: int,
    england: float | None,
    england_status: str = "",
    chosen: str | None = None,
) -> str:
    """The chart's finding in words: England, the range across LAs, the chosen LA, and how many
    LAs have no value shown."""
    shown = rows[rows["value"].map(_finite)]
    total = len(rows)
    parts = [f"{title}, {year}."]
    if _finite(england) and not england_status:
        parts.append(f"England: {pct(england)}.")
    elif england_status:
        parts.append(f"England: not shown ({england_status}).")
    if len(shown):
        top, bottom = shown.iloc[0], shown.iloc[-1]
        parts.append(
            f"Across {len(shown)} local authorities with a value, shares run from "
            f"{pct(bottom['value'])} ({bottom['area_name']}) to {pct(top['value'])} "
            f"({top['area_name']})."
        )
    else:
        parts.append("No local authority has a value that can be shown.")
    hidden = total - len(shown)
    if hidden:
        parts.append(
            f"{hidden} of {total} local authorities have no value shown (suppressed or nothing "
            "to measure)."
        )
    if chosen:
        mine = rows[rows["area_code"] == chosen]
        if len(mine):
            row = mine.iloc[0]
            if _finite(row["value"]):
                position = int((shown["value"] > float(row["value"])).sum()) + 1
                parts.append(
                    f"{row['area_name']}: {pct(row['value'])}, position {position} of "
                    f"{len(shown)} from the largest share."
                )
            else:
                parts.append(f"{row['area_name']}: not shown ({row['status'] or 'x'}).")
    return " ".join(parts)


# ------------------------------------------------------------------------ one area's profile


def wrap(text: str, width: int = 22) -> str:
    """Break a long axis label onto lines of about ``width`` characters (plotly's <br>)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(lines)


def profile_figure(rows: pd.DataFrame, *, area_name: str) -> dict[str, Any]:
    """A dot chart: one line per gap (``coverage_data.profile`` rows), the area as a blue
    circle and England as a black cross, both named in the legend and the hover text. Gap names
    sit above their line inside the plot, so a 320 px screen keeps its full width for the dots."""
    labels = [wrap(str(t), 34) for t in rows["title"]]
    traces = []
    for name, column, role in (
        (area_name, "value", "la"),
        ("England", "england_value", "england"),
    ):
        values = [round(float(v), 2) if _finite(v) else None for v in rows[column]]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": values,
                "y": labels,
                "marker": {"color": COLOURS[role], "symbol": SYMBOLS[role], "size": 12},
                "hovertemplate": f"{name}: %{{x:.1f}}%<br>%{{y}}<extra></extra>",
            }
        )
    layout = base_layout(height=max(280, 70 * len(labels) + 120))
    layout["margin"] = {**layout["margin"], "l": 20}
    layout["xaxis"] = {
        **layout["xaxis"],
        "title": {"text": "% of the records concerned"},
        "rangemode": "tozero",
        "ticksuffix": "%",
    }
    layout["yaxis"] = {
        **layout["yaxis"],
        "categoryorder": "array",
        "categoryarray": labels,
        "ticklabelposition": "inside top",
        "range": [len(labels) - 0.5, -0.9],  # reversed: first gap on top, room for its label
        "autorange": False,
    }
    return {"data": traces, "layout": layout}


PROFILE_COLUMNS = (
    TableColumn("title", "Gap"),
    TableColumn("return_name", "Return"),
    TableColumn("area_share", "This area", numeric=True),
    TableColumn("england_share", "England", numeric=True),
    TableColumn("indicators", "Indicators affected", numeric=True),
    TableColumn("source", "Source"),
)


def profile_table(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.copy()
    out["area_share"] = [pct(v, s) for v, s in zip(out["value"], out["status"], strict=True)]
    out["england_share"] = [
        pct(v, s) for v, s in zip(out["england_value"], out["england_status"], strict=True)
    ]
    out["indicators"] = out["indicators"].astype(int).astype(str)
    return out


def profile_summary(rows: pd.DataFrame, *, area_name: str, year: int) -> str:
    """Which of the area's gaps differ most from England, in words."""
    if rows.empty:
        return f"No coverage measures are available for {area_name} in {year}."
    both = rows[rows["value"].map(_finite) & rows["england_value"].map(_finite)]
    parts = [f"Coverage of {area_name}'s returns in {year}, against England."]
    if both.empty:
        parts.append("No measure has both a value for this area and for England.")
    else:
        gap = (both["value"] - both["england_value"]).abs().to_numpy()
        widest = both.iloc[int(gap.argmax())]
        parts.append(
            f"The largest difference from England is for {str(widest['title']).lower()}: "
            f"{pct(widest['value'])} against {pct(widest['england_value'])}."
        )
    hidden = int((~rows["value"].map(_finite)).sum())
    if hidden:
        parts.append(f"{hidden} of {len(rows)} measures have no value shown for this area.")
    return " ".join(parts)


# ------------------------------------------------------------------------ education linkage


def link_figure(rows: pd.DataFrame, *, names: dict[str, str]) -> dict[str, Any]:
    """The education-link rate over the years: one line per area (``rows``: area_code,
    time_period, value), England dashed with crosses, the chosen area solid with circles."""
    traces = []
    for code, part in rows.groupby("area_code", sort=False):
        role = "england" if names.get(str(code)) == "England" else "la"
        part = part.sort_values("time_period")
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": names.get(str(code), str(code)),
                "x": [int(y) for y in part["time_period"]],
                "y": [round(float(v), 2) if _finite(v) else None for v in part["value"]],
                "line": {"color": COLOURS[role], "dash": DASHES[role], "width": 3},
                "marker": {"symbol": SYMBOLS[role], "size": 9, "color": COLOURS[role]},
                "hovertemplate": "%{x}: %{y:.1f}%<extra>%{fullData.name}</extra>",
            }
        )
    layout = base_layout(height=340)
    layout["xaxis"] = {**layout["xaxis"], "title": {"text": "Collection year"}, "dtick": 1}
    layout["yaxis"] = {
        **layout["yaxis"],
        "title": {"text": "% of school-age children linked"},
        "range": [0, 100],
        "ticksuffix": "%",
    }
    return {"data": traces, "layout": layout}


LINK_COLUMNS = (
    TableColumn("time_period", "Year"),
    TableColumn("area_name", "Area"),
    TableColumn("share", "Linked to school records", numeric=True),
    TableColumn("numerator", "Linked", numeric=True, formatter=_count),
    TableColumn("denominator", "School-age children", numeric=True, formatter=_count),
    TableColumn("source", "Source"),
)


def link_table(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.sort_values(["time_period", "area_name"]).copy()
    out["time_period"] = out["time_period"].astype(int).astype(str)
    out["share"] = [pct(v, s) for v, s in zip(out["value"], out["status"], strict=True)]
    return out


def link_summary(rows: pd.DataFrame, *, names: dict[str, str], affected: int) -> str:
    """The latest link rate of each area and what the unlinked share means."""
    if rows.empty:
        return "No education-link figures are available."
    latest_year = int(rows["time_period"].max())
    latest = rows[rows["time_period"] == latest_year]
    parts = [f"In {latest_year},"]
    pieces = []
    for code in names:
        row = latest[latest["area_code"] == code]
        if row.empty:
            continue
        value, status = row["value"].iloc[0], str(row["status"].iloc[0])
        if _finite(value) and not status:
            pieces.append(
                f"{pct(value)} of school-age children known to social care in {names[code]} "
                f"could be linked to school records ({pct(100 - float(value))} could not)"
            )
        else:
            pieces.append(f"the figure for {names[code]} is not shown ({status or 'x'})")
    parts.append("; ".join(pieces) + ".")
    parts.append(
        f"Children who cannot be linked drop out of {affected} attainment, absence and school "
        "indicators."
    )
    return " ".join(parts)


# ------------------------------------------------------------------------ returns missing

RETURNS_COLUMNS = (
    TableColumn("return_name", "Return"),
    TableColumn("time_period", "Year"),
    TableColumn("england", "Local authorities without the return (England)", numeric=True),
    TableColumn("las", "Local authorities named"),
)


def returns_table(rows: pd.DataFrame) -> pd.DataFrame:
    """``coverage_data.missing_returns`` rows for the table: England's count or symbol, and the
    LAs named where their rows are not suppressed."""
    out = rows.copy()
    out["time_period"] = out["time_period"].astype(int).astype(str)
    out["england"] = [
        s if s else (f"{n:,.0f} of {d:,.0f}" if _finite(n) and _finite(d) else "x")
        for n, d, s in zip(
            out["england_numerator"], out["england_denominator"], out["england_status"], strict=True
        )
    ]
    out["las"] = [
        names if names else (f"not shown: {hidden} suppressed (c)" if hidden else "none")
        for names, hidden in zip(out["las"], out["suppressed"], strict=True)
    ]
    return out
