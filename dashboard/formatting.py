"""How numbers and symbols read on screen, in tables and in sentences: one place, so a value
never shows with different decimals on two pages and a suppressed cell never shows as 0."""

from __future__ import annotations

import math
from typing import Any

from metrics.catalogue import Indicator

# DfE symbols (ARCHITECTURE.md): what each means, for tables, footnotes and downloads.
SYMBOLS: dict[str, str] = {
    "c": "suppressed to protect confidentiality (a count of 1 to 5, or a cell revealing one)",
    "k": "a count rounded to 0 although it is not zero",
    "u": "low reliability",
    "x": "not available",
    "z": "not applicable",
}
MISSING = "x"


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def format_number(value: Any, decimals: int = 0) -> str:
    """Thousands separators and a fixed number of decimals; '' for a missing value."""
    if _missing(value):
        return ""
    return f"{float(value):,.{decimals}f}"


def format_value(ind: Indicator, value: Any, status: str = "") -> str:
    """An indicator value as the tables show it: the symbol when suppressed or missing."""
    if status:
        return status
    if _missing(value):
        return MISSING
    text = format_number(value, ind.decimals)
    if ind.measure == "proportion":
        return f"{text}%"
    if ind.unit.startswith("£") or ind.unit.lower().startswith("gbp") or ind.id.endswith("_gbp"):
        return f"£{text}"
    return text


def format_with_unit(ind: Indicator, value: Any, status: str = "") -> str:
    """A value with its unit for sentences: '312.4 per 10,000 children', '23.1%'."""
    text = format_value(ind, value, status)
    if status or _missing(value) or ind.measure == "proportion" or text.startswith("£"):
        return text
    return f"{text} {ind.unit}".strip()


def format_interval(ind: Indicator, lower: Any, upper: Any) -> str:
    """'(95% CI 290.1 to 335.0)', or '' where no interval applies."""
    if _missing(lower) or _missing(upper):
        return ""
    return f"{format_number(lower, ind.decimals)} to {format_number(upper, ind.decimals)}"
