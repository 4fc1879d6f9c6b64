"""Which LAs a chart picks out, and how each is marked, shared by the indicator page's charts.

The same LA must look the same in the time series, the bar chart and the funnel plot, and never
by colour alone: each role also has its own marker symbol, bar pattern and legend text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard.figures.theme import COLOURS, SYMBOLS
from metrics.catalogue import Indicator

# Extra LAs the user adds to compare: GOV.UK palette colours not used by the fixed roles.
COMPARE_COLOURS = ("#00703c", "#d53880", "#6f72af", "#b58840", "#28a197")
COMPARE_SYMBOLS = ("triangle-up", "star", "hexagon", "cross", "pentagon")
COMPARE_DASHES = ("dashdot", "longdashdot", "dash", "dot", "longdash")
PATTERNS = {"la": "/", "neighbours": ".", "compare": "x", "other": ""}
MAX_COMPARE = len(COMPARE_COLOURS)

ROLE_ORDER = ("other", "neighbours", "compare", "la")  # drawn bottom to top


def la_roles(
    codes: pd.Series,
    *,
    chosen: str | None,
    neighbours: Sequence[str] = (),
    compare: Sequence[str] = (),
) -> pd.Series:
    """``la``, ``compare``, ``neighbours`` or ``other`` for each LA code (chosen wins)."""
    values = codes.astype(str).to_numpy()
    roles = np.full(values.shape, "other", dtype=object)
    roles[np.isin(values, list(neighbours))] = "neighbours"
    roles[np.isin(values, list(compare))] = "compare"
    if chosen is not None:
        roles[values == chosen] = "la"
    return pd.Series(roles, index=codes.index, dtype=object)


def compare_style(position: int) -> tuple[str, str, str]:
    """Colour, marker symbol and line dash of the ``position``-th compared LA."""
    i = position % MAX_COMPARE
    return COMPARE_COLOURS[i], COMPARE_SYMBOLS[i], COMPARE_DASHES[i]


def role_colour(role: str) -> str:
    return COLOURS.get(role, COLOURS["other"])


def role_symbol(role: str) -> str:
    return SYMBOLS.get(role, "circle")


def value_axis_title(ind: Indicator) -> str:
    """The value axis's title: 'Percentage' or the unit, capitalised."""
    return "Percentage" if ind.measure == "proportion" else ind.unit[:1].upper() + ind.unit[1:]
