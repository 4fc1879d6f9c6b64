"""The data behind each chart on the indicator page, as accessible tables ("View as table").

Every value is formatted exactly as the charts and downloads show it, suppressed cells carry
their symbol rather than a blank or a zero, and each table lists every area, including those the
chart cannot draw because they have no value.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from dash import html

from dashboard.components import TableColumn, table
from dashboard.figures.breakdown import BREAKDOWN_LABELS, ordered_values
from dashboard.figures.funnel import FunnelView
from dashboard.figures.timeseries import series_role
from dashboard.formatting import format_interval, format_number, format_value
from metrics.catalogue import Indicator

POSITION_WORDS = {"inside": "within", "above": "above", "below": "below", "": ""}


def _formatted(ind: Indicator, rows: pd.DataFrame) -> tuple[list[str], list[str]]:
    status = rows["status"].fillna("").astype(str)
    values = [format_value(ind, v, s) for v, s in zip(rows["value"], status, strict=True)]
    intervals = [
        "" if s else format_interval(ind, lo, up)
        for lo, up, s in zip(rows["lower_95"], rows["upper_95"], status, strict=True)
    ]
    return values, intervals


def _text_columns(*specs: tuple[str, str, bool]) -> list[TableColumn]:
    return [TableColumn(key, header, numeric=numeric) for key, header, numeric in specs]


def timeseries_table(
    ind: Indicator,
    rows: pd.DataFrame,
    *,
    chosen: str,
    compare: Sequence[str] = (),
    caption: str,
    table_id: str,
) -> html.Table:
    roles = series_role(rows, chosen=chosen, compare=compare)
    data = rows[(roles != "").to_numpy()]
    order = {"la": 0, "neighbours": 2, "region": 3, "england": 4}
    keys = [order.get(r, 1) for r in roles[roles != ""]]
    data = data.assign(_order=keys).sort_values(["_order", "time_period"], kind="stable")
    values, intervals = _formatted(ind, data)
    names = [
        f"Statistical neighbours of {n} (median)" if lvl == "statistical_neighbours_median" else n
        for n, lvl in zip(
            data["area_name"].astype(str), data["geographic_level"].astype(str), strict=True
        )
    ]
    frame = pd.DataFrame(
        {
            "area": names,
            "year": [str(int(y)) for y in data["time_period"]],
            "value": values,
            "interval": intervals,
            "compared": data["compared_to_england"].fillna("").astype(str).tolist(),
        }
    )
    columns = _text_columns(
        ("area", "Area", False),
        ("year", "Year", False),
        ("value", "Value", True),
        ("interval", "95% interval", True),
        ("compared", "Compared with England", False),
    )
    return table(frame, columns, caption=caption, table_id=table_id, row_header="area")


def la_table(
    ind: Indicator, rows: pd.DataFrame, *, caption: str, table_id: str, brief: bool = False
) -> html.Table:
    """Every LA in ``rows`` (one year, one breakdown value) by name, with its rank; ``brief``
    keeps only the name, code and value (the map's table: the bar chart's has the rest)."""
    las = rows[rows["geographic_level"] == "local_authority"]
    las = las.assign(_name=las["area_name"].astype(str)).sort_values("_name")
    status = las["status"].fillna("").astype(str)
    shown = las["value"].where(status == "")
    rank = shown.rank(ascending=False, method="min")
    values, intervals = _formatted(ind, las)
    frame = pd.DataFrame(
        {
            "area": las["_name"].tolist(),
            "code": las["area_code"].astype(str).tolist(),
            "value": values,
            "interval": intervals,
            "compared": las["compared_to_england"].fillna("").astype(str).tolist(),
            "rank": ["" if pd.isna(r) else str(int(r)) for r in rank],
        }
    )
    columns = _text_columns(
        ("area", "Local authority", False),
        ("code", "ONS code", False),
        ("value", "Value", True),
        ("interval", "95% interval", True),
        ("compared", "Compared with England", False),
        ("rank", "Position (1 = highest)", True),
    )
    if brief:
        columns = columns[:3]
    return table(frame, columns, caption=caption, table_id=table_id, row_header="area")


def funnel_table(ind: Indicator, view: FunnelView, *, caption: str, table_id: str) -> html.Table:
    points = view.points.sort_values("area_name")
    frame = pd.DataFrame(
        {
            "area": points["area_name"].tolist(),
            "value": [format_value(ind, v) for v in points["value"]],
            "size": [format_number(s) for s in points["size"]],
            "p95": [POSITION_WORDS.get(str(p), str(p)) for p in points["position_95"]],
            "p998": [POSITION_WORDS.get(str(p), str(p)) for p in points["position_998"]],
        }
    )
    columns = _text_columns(
        ("area", "Local authority", False),
        ("value", "Value", True),
        ("size", "Denominator" if view.limits.kind != "mean" else "Children", True),
        ("p95", "Against the 95% limits", False),
        ("p998", "Against the 99.8% limits", False),
    )
    return table(frame, columns, caption=caption, table_id=table_id, row_header="area")


def breakdown_table(
    ind: Indicator,
    rows: pd.DataFrame,
    *,
    breakdown: str,
    england: pd.DataFrame | None,
    area_name: str,
    caption: str,
    table_id: str,
) -> html.Table:
    part = rows[rows["breakdown"] == breakdown]
    order = ordered_values(breakdown, part["breakdown_value"])
    part = part.set_index(part["breakdown_value"].astype(str)).reindex(order)
    part["status"] = part["status"].astype(object).where(part["status"].notna(), "x")
    values, intervals = _formatted(ind, part)
    frame = pd.DataFrame(
        {"group": order, "value": values, "interval": intervals},
    )
    specs = [
        ("group", BREAKDOWN_LABELS.get(breakdown, breakdown), False),
        ("value", area_name, True),
        ("interval", "95% interval", True),
    ]
    if england is not None and len(england) and area_name != "England":
        eng = england[england["breakdown"] == breakdown]
        eng = eng.set_index(eng["breakdown_value"].astype(str)).reindex(order)
        eng_status = eng["status"].astype(object).where(eng["status"].notna(), "x")
        frame["england"] = [
            format_value(ind, v, str(s)) for v, s in zip(eng["value"], eng_status, strict=True)
        ]
        specs.append(("england", "England", True))
    return table(
        frame, _text_columns(*specs), caption=caption, table_id=table_id, row_header="group"
    )
