"""The look shared by every chart: GOV.UK typography and colours, no chart junk.

Colours come from the GOV.UK palette and are chosen to stay distinct for the common colour
vision deficiencies; no chart relies on colour alone (markers, dashes and labels carry the same
meaning), so this palette is an aid, not the only channel.
"""

from __future__ import annotations

from typing import Any

FONT = "Arial, 'Helvetica Neue', Helvetica, sans-serif"
TEXT = "#0b0c0c"
SECONDARY_TEXT = "#505a5f"
GRID = "#b1b4b6"

# Roles, not hues: every page uses the same colour for the same thing.
COLOURS = {
    "la": "#1d70b8",  # the chosen LA (GOV.UK blue)
    "neighbours": "#f47738",  # statistical neighbours (orange)
    "region": "#4c2c92",  # region (purple)
    "england": "#0b0c0c",  # England (black)
    "other": "#b1b4b6",  # every other LA (mid grey)
    "band": "rgba(29, 112, 184, 0.18)",  # interval band around the LA line
    "limit_95": "#505a5f",
    "limit_998": "#0b0c0c",
}
DASHES = {"la": "solid", "neighbours": "dash", "region": "dot", "england": "longdash"}
SYMBOLS = {"la": "circle", "neighbours": "diamond", "region": "square", "england": "x"}

# A sequential scale for maps, light to dark, readable in greyscale (viridis-like, GOV.UK blues).
SEQUENTIAL = [
    [0.0, "#f3f2f1"],
    [0.25, "#c6dbef"],
    [0.5, "#6baed6"],
    [0.75, "#2171b5"],
    [1.0, "#08306b"],
]


def base_layout(title: str = "", *, height: int = 360, **extra: Any) -> dict[str, Any]:
    """A slim layout: readable type, light grid, legend above the plot, room for axis titles."""
    layout: dict[str, Any] = {
        "font": {"family": FONT, "size": 14, "color": TEXT},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 60, "r": 20, "t": 50 if title else 20, "b": 50},
        "height": height,
        "hovermode": "closest",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "xaxis": {"gridcolor": GRID, "zeroline": False, "automargin": True},
        "yaxis": {"gridcolor": GRID, "zeroline": False, "automargin": True},
    }
    if title:
        layout["title"] = {"text": title, "x": 0, "font": {"size": 18}}
    layout.update(extra)
    return layout


# Mode bar: keep the image download (issue: chart images from the mode bar), drop the rest.
GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
