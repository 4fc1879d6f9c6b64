"""The overview's tiny SVG pictures: coordinates worked out by hand on small series."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest

from dashboard.figures.sparkline import (
    data_uri,
    sparkline_points,
    sparkline_svg,
    spread_strip_svg,
    strip_position,
)

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_points_span_the_box_with_padding() -> None:
    # width 100, pad 3: x runs 3..97 in steps of 47; height 36: y runs 33 (lowest) .. 3 (highest)
    runs = sparkline_points([10.0, 20.0, 15.0], width=100, height=36, pad=3)
    assert runs == [[(3.0, 33.0), (50.0, 3.0), (97.0, 18.0)]]


def test_missing_values_break_the_line() -> None:
    runs = sparkline_points([1.0, None, 3.0, math.nan, 5.0], width=43, height=23, pad=3)
    # step (43 - 6) / 4 = 9.25; values 1, 3, 5 map to y 20, 11.5, 3
    assert runs == [[(3.0, 20.0)], [(21.5, 11.5)], [(40.0, 3.0)]]


def test_flat_series_sits_mid_height_and_all_missing_draws_nothing() -> None:
    assert sparkline_points([4.0, 4.0], width=20, height=10, pad=2) == [[(2.0, 5.0), (18.0, 5.0)]]
    assert sparkline_points([None, None], width=20, height=10) == []
    svg = parse(sparkline_svg([None, None], title="no data"))
    assert svg.find(f"{SVG}polyline") is None
    assert svg.find(f"{SVG}circle") is None


def test_svg_has_escaped_title_a_line_and_the_latest_point() -> None:
    svg = parse(sparkline_svg([10.0, 20.0, 15.0], title="A & B <rate>", width=100, height=36))
    assert svg.find(f"{SVG}title").text == "A & B <rate>"  # type: ignore[union-attr]
    line = svg.find(f"{SVG}polyline")
    assert line is not None
    assert line.get("points") == "3,33 50,3 97,18"
    dot = svg.find(f"{SVG}circle")
    assert dot is not None
    assert (dot.get("cx"), dot.get("cy")) == ("97", "18")


def test_strip_positions_and_marks() -> None:
    assert strip_position(5.0, 0.0, 10.0, width=112, pad=6) == 56.0
    assert strip_position(3.0, 3.0, 3.0, width=120, pad=6) == 60.0
    svg = parse(spread_strip_svg(20.0, 30.0, 40.0, 10.0, title="spread", width=112))
    # scale 10..40 over x 6..106: p10 20 -> 39.3, median 30 -> 72.7, p90 40 -> 106, England 10 -> 6
    bar = svg.find(f"{SVG}rect")
    assert bar is not None
    assert float(bar.get("x", "")) == pytest.approx(39.3)
    assert float(bar.get("width", "")) == pytest.approx(106 - 39.3, abs=0.05)
    tick = svg.find(f"{SVG}line")
    assert tick is not None and float(tick.get("x1", "")) == pytest.approx(72.7)
    diamond = svg.find(f"{SVG}polygon")
    assert diamond is not None
    assert diamond.get("points", "").startswith("6,")


def test_strip_without_england_has_no_diamond() -> None:
    svg = parse(spread_strip_svg(1.0, 2.0, 3.0, None, title="spread"))
    assert svg.find(f"{SVG}polygon") is None


def test_data_uri_round_trips() -> None:
    svg = sparkline_svg([1.0, 2.0], title="England's rate: 5% (2024)")
    uri = data_uri(svg)
    assert uri.startswith("data:image/svg+xml,")
    assert "#" not in uri and '"' not in uri and "<" not in uri
    decoded = unquote(uri.removeprefix("data:image/svg+xml,"))
    assert parse(decoded).find(f"{SVG}title").text == "England's rate: 5% (2024)"  # type: ignore[union-attr]
