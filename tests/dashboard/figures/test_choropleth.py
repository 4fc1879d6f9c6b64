"""The map: the simplified boundaries, values on the scale, grey for no value, the outline."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from shapely.geometry import shape

from dashboard.figures.choropleth import (
    ASSET_PATH,
    NO_VALUE_NAME,
    choropleth_figure,
    simplified_boundaries,
)
from dashboard.figures.theme import SEQUENTIAL
from metrics.catalogue import load_catalogue
from tests.dashboard.indicator_rows import ENGLAND, frame, row

CIN = load_catalogue().indicator("cin_rate")
REFERENCE = Path(__file__).resolve().parents[3] / "data" / "reference"


def _square(x: float) -> dict[str, object]:
    return {
        "type": "Polygon",
        "coordinates": [[[x, 50], [x + 1, 50], [x + 1, 51], [x, 51], [x, 50]]],
    }


GEO = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "id": code, "properties": {"name": name}, "geometry": _square(i)}
        for i, (code, name) in enumerate([("E1", "One"), ("E2", "Two"), ("E3", "Three")])
    ],
}


def test_boundaries_cover_every_la_in_la_csv_and_stay_small() -> None:
    with (REFERENCE / "la.csv").open(newline="", encoding="utf-8") as handle:
        codes = {r["ons_code"] for r in csv.DictReader(handle)}
    geo = simplified_boundaries()
    assert {f["id"] for f in geo["features"]} == codes
    assert len(json.dumps(geo)) < 400_000
    assert all(shape(f["geometry"]).is_valid for f in geo["features"])
    assert all(not shape(f["geometry"]).is_empty for f in geo["features"])


def test_values_missing_and_chosen_each_get_their_trace_and_only_their_shapes() -> None:
    rows = frame(
        [
            row("E1", "One", value=10.0),
            row("E2", "Two", value=None, status="c"),
            row(ENGLAND, "England", "national", value=12.0),
        ]
    )
    figure = choropleth_figure(CIN, rows, chosen="E1", boundaries=GEO)
    values, missing, outer, inner = figure["data"]
    assert values["locations"] == ["E1"] and values["z"] == [10.0]
    assert values["colorscale"] == SEQUENTIAL
    assert [f["id"] for f in values["geojson"]["features"]] == ["E1"]
    assert missing["name"] == NO_VALUE_NAME and missing["showlegend"] is True
    assert missing["locations"] == ["E2", "E3"]  # suppressed, and absent from the rows
    assert missing["text"] == ["Two: suppressed (c)", "Three: no value (x)"]
    assert outer["locations"] == inner["locations"] == ["E1"]
    assert inner["name"] == "One (outlined)" and inner["showlegend"] is True
    assert outer["showlegend"] is False
    assert outer["marker"]["line"]["width"] > inner["marker"]["line"]["width"]
    assert figure["layout"]["geo"]["visible"] is False


def test_no_outline_without_a_chosen_la() -> None:
    rows = frame([row(c, n, value=1.0) for c, n in (("E1", "One"), ("E2", "Two"), ("E3", "Three"))])
    figure = choropleth_figure(CIN, rows, chosen="E92000001", boundaries=GEO)
    assert [t["name"] for t in figure["data"]] == ["Value"]


def test_boundaries_asset_matches_the_reference_shapes() -> None:
    """The committed asset (regenerate: python -m dashboard.figures.choropleth) holds every LA,
    each within a simplification tolerance of its reference boundary."""
    asset = json.loads(ASSET_PATH.read_text(encoding="utf-8"))
    source = json.loads((REFERENCE / "boundaries_ctyua.geojson").read_text(encoding="utf-8"))
    reference = {f["properties"]["ons_code"]: shape(f["geometry"]) for f in source["features"]}
    shapes = {f["id"]: shape(f["geometry"]) for f in asset["features"]}
    assert set(shapes) == set(reference)
    for code, geometry in shapes.items():
        assert geometry.is_valid, code
        # Within a few km everywhere (a tiny island may go) and close in area.
        assert geometry.hausdorff_distance(reference[code]) < 0.05, code
        assert abs(geometry.area / reference[code].area - 1) < 0.15, code  # City of London: 14%


def test_map_can_name_its_shapes_by_address() -> None:
    rows = frame([row("E1", "One", value=1.0), row("E2", "Two", value=None, status="c")])
    figure = choropleth_figure(CIN, rows, chosen="E1", boundaries=GEO, geojson_url="/assets/b.json")
    assert [t["geojson"] for t in figure["data"]] == ["/assets/b.json"] * 4
