"""Hand-made tidy rows for the indicator page's unit tests: a few areas with values chosen so
expected orders, ranks and labels can be worked out by eye."""

from __future__ import annotations

from typing import Any

import pandas as pd

from metrics.api import VALUE_COLUMNS

ENGLAND = "E92000001"
REGION = "E12000001"
LA_A = "E06000001"  # the chosen LA in most tests
LA_B = "E06000002"
LA_C = "E06000003"
LA_D = "E06000004"


def row(
    area_code: str,
    area_name: str,
    level: str = "local_authority",
    *,
    year: int = 2025,
    value: float | None = 100.0,
    numerator: float | None = None,
    denominator: float | None = None,
    lower: float | None = None,
    upper: float | None = None,
    status: str = "",
    breakdown: str = "total",
    breakdown_value: str = "total",
    compared: str = "",
    trend: str = "",
) -> dict[str, Any]:
    return {
        "indicator_id": "test",
        "time_period": year,
        "geographic_level": level,
        "area_code": area_code,
        "area_name": area_name,
        "region_code": REGION if level == "local_authority" else None,
        "breakdown": breakdown,
        "breakdown_value": breakdown_value,
        "numerator": numerator,
        "denominator": denominator,
        "value": value,
        "lower_95": lower,
        "upper_95": upper,
        "lower_998": None,
        "upper_998": None,
        "status": status,
        "compared_to_england": compared,
        "quartile": "",
        "rank": None,
        "trend": trend,
        "neighbours_used": None,
    }


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    out = pd.DataFrame(rows)
    for column in VALUE_COLUMNS:
        if column not in out:
            out[column] = None
    for column in ("numerator", "denominator", "value", "lower_95", "upper_95"):
        out[column] = out[column].astype(float)
    return out
