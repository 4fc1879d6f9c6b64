"""A map of every LA's value, for readers who think in places rather than ranks.

The boundaries (data/reference/boundaries_ctyua.geojson) are simplified once per process with
shapely, to a few hundred metres, because every map view sends them to the browser and the page
must stay well under 2 MB. The colour scale is sequential, light to dark, so it reads in
greyscale; LAs with no value get their own grey with a legend entry rather than a misleading
colour, and the chosen LA is outlined (a black and a yellow line, visible on any fill).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import shapely
from shapely.geometry import mapping, shape

from dashboard.figures.highlight import value_axis_title
from dashboard.figures.theme import SEQUENTIAL, TEXT, base_layout
from dashboard.formatting import format_with_unit
from metrics.catalogue import Indicator

ROOT = Path(__file__).resolve().parents[2]
BOUNDARIES = ROOT / "data" / "reference" / "boundaries_ctyua.geojson"
# The simplified boundaries as a static file the browser fetches once and caches, instead of
# sending them inside every map view (regenerate: python -m dashboard.figures.choropleth).
ASSET_NAME = "boundaries_ctyua.json"
ASSET_PATH = ROOT / "assets" / ASSET_NAME
TOLERANCE_DEGREES = 0.004  # about 300-450 m in England: invisible at page scale
DECIMALS = 4  # about 10 m
NO_VALUE_COLOUR = "#b1b4b6"
OUTLINE_OUTER = "#0b0c0c"
OUTLINE_INNER = "#ffdd00"  # GOV.UK focus yellow
NO_VALUE_NAME = "No value (suppressed or not available)"


@functools.lru_cache(maxsize=4)
def simplified_boundaries(path: str = str(BOUNDARIES)) -> dict[str, Any]:
    """The LA boundaries as a GeoJSON FeatureCollection whose feature ids are ONS codes,
    simplified and rounded. Cached: read once per process."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    features = []
    for feature in raw["features"]:
        geometry = shape(feature["geometry"]).simplify(TOLERANCE_DEGREES, preserve_topology=True)
        # Snapping to a grid (rather than rounding) keeps every polygon valid.
        geometry = shapely.set_precision(geometry, 10.0**-DECIMALS)
        features.append(
            {
                "type": "Feature",
                "id": feature["properties"]["ons_code"],
                "properties": {"name": feature["properties"]["la_name"]},
                "geometry": json.loads(json.dumps(mapping(geometry))),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def asset_text() -> str:
    """The contents of the boundaries asset: the simplified boundaries, compact JSON."""
    return json.dumps(simplified_boundaries(), separators=(",", ":"))


def write_asset(path: Path = ASSET_PATH) -> None:
    path.write_text(asset_text(), encoding="utf-8")


def _subset(geo: dict[str, Any], codes: list[str]) -> dict[str, Any]:
    """The features of ``codes`` only: each LA's outline is sent once, with the trace that
    draws it, not with every trace."""
    wanted = set(codes)
    return {
        "type": "FeatureCollection",
        "features": [f for f in geo["features"] if f["id"] in wanted],
    }


def _fixed_colour(colour: str) -> list[list[Any]]:
    return [[0.0, colour], [1.0, colour]]


def choropleth_figure(
    ind: Indicator,
    rows: pd.DataFrame,
    *,
    chosen: str | None = None,
    boundaries: dict[str, Any] | None = None,
    geojson_url: str | None = None,
) -> dict[str, Any]:
    """A map of the local-authority rows of ``rows`` (one year, one breakdown value).

    Every LA in ``boundaries`` is drawn: with its value on the sequential scale, or grey when it
    has none. With ``geojson_url`` (the address of the boundaries asset) the traces name the
    shapes by that address instead of carrying them."""
    geo = simplified_boundaries() if boundaries is None else boundaries
    names = {f["id"]: f["properties"].get("name", f["id"]) for f in geo["features"]}
    las = rows[rows["geographic_level"] == "local_authority"]
    shown = las[las["value"].notna() & (las["status"] == "")]
    shown = shown[shown["area_code"].isin(list(names))]
    shown_codes = [str(c) for c in shown["area_code"]]
    missing = [code for code in names if code not in set(shown_codes)]
    status = dict(zip(las["area_code"].astype(str), las["status"].astype(str), strict=True))
    traces: list[dict[str, Any]] = []
    if shown_codes:
        traces.append(
            {
                "type": "choropleth",
                "name": "Value",
                "geojson": geojson_url or _subset(geo, shown_codes),
                "locations": shown_codes,
                "z": [float(v) for v in shown["value"]],
                "colorscale": SEQUENTIAL,
                "marker": {"line": {"color": "#ffffff", "width": 0.5}},
                "text": [
                    f"{n}: {format_with_unit(ind, v)}"
                    for n, v in zip(shown["area_name"].astype(str), shown["value"], strict=True)
                ],
                "hovertemplate": "%{text}<extra></extra>",
                "colorbar": {
                    "title": {"text": value_axis_title(ind), "side": "right"},
                    "thickness": 14,
                    "len": 0.8,
                },
                "showlegend": False,
            }
        )
    if missing:
        traces.append(
            {
                "type": "choropleth",
                "name": NO_VALUE_NAME,
                "geojson": geojson_url or _subset(geo, missing),
                "locations": missing,
                "z": [0.0] * len(missing),
                "colorscale": _fixed_colour(NO_VALUE_COLOUR),
                "showscale": False,
                "showlegend": True,
                "marker": {"line": {"color": "#ffffff", "width": 0.5}},
                "text": [f"{names[c]}: {_no_value_text(status.get(c, ''))}" for c in missing],
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    traces.extend(outline_traces(chosen, boundaries=geo, geojson_url=geojson_url))
    layout = base_layout(height=520)
    layout["margin"] = {"l": 0, "r": 0, "t": 30, "b": 0}
    layout["geo"] = {
        "fitbounds": "locations",
        "visible": False,
        "projection": {"type": "mercator"},
        "bgcolor": "#ffffff",
    }
    layout["legend"] = {"orientation": "h", "x": 0, "y": 1.0, "font": {"color": TEXT}}
    return {"data": traces, "layout": layout}


def outline_traces(
    chosen: str | None,
    *,
    boundaries: dict[str, Any] | None = None,
    geojson_url: str | None = None,
) -> list[dict[str, Any]]:
    """The chosen LA's outline (a wide black line under a narrow yellow one), or nothing when
    ``chosen`` is not an LA on the map. Separate so a map of the LAs can be reused for any
    chosen LA."""
    geo = simplified_boundaries() if boundaries is None else boundaries
    feature = next((f for f in geo["features"] if f["id"] == chosen), None)
    if feature is None:
        return []
    name = feature["properties"].get("name", chosen)
    one = {"type": "FeatureCollection", "features": [feature]}
    return [
        {
            "type": "choropleth",
            "name": f"{name} (outlined)",
            "geojson": geojson_url or one,
            "locations": [chosen],
            "z": [0.0],
            "colorscale": _fixed_colour("rgba(0,0,0,0)"),
            "showscale": False,
            "showlegend": legend,
            "legendgroup": "chosen",
            "marker": {"line": {"color": colour, "width": width}},
            "hoverinfo": "skip",
        }
        for colour, width, legend in ((OUTLINE_OUTER, 5, False), (OUTLINE_INNER, 2, True))
    ]


def _no_value_text(status: str) -> str:
    if status == "c":
        return "suppressed (c)"
    if status:
        return f"no value ({status})"
    return "no value (x)"


if __name__ == "__main__":
    write_asset()
    print(f"wrote {ASSET_PATH}")
