"""The compare chart builder on a small hand-made frame."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.figures.compare import compare_figure, compare_summary

NAN = float("nan")


def frame() -> pd.DataFrame:
    rows = [
        # indicator, area, year, value, text
        ("a", "Camden", 2024, 10.0, "10.0"),
        ("a", "Camden", 2025, 12.0, "12.0"),
        ("a", "Leeds", 2024, NAN, "c"),
        ("a", "Leeds", 2025, 8.0, "8.0"),
        ("a", "England", 2024, 9.0, "9.0"),
        ("a", "England", 2025, 11.0, "11.0"),
        ("b", "Camden", 2024, 1.0, "1%"),
        ("b", "Camden", 2025, 2.0, "2%"),
        ("b", "Leeds", 2024, 3.0, "3%"),
        ("b", "Leeds", 2025, 4.0, "4%"),
        ("b", "England", 2024, 5.0, "5%"),
        ("b", "England", 2025, NAN, "x"),
    ]
    return pd.DataFrame(
        rows, columns=["indicator_id", "area_name", "time_period", "value", "value_text"]
    )


def test_one_panel_per_indicator_with_its_own_axes() -> None:
    figure = compare_figure(frame(), {"a": "Rate A", "b": "Share B"})
    layout = figure["layout"]
    assert {"xaxis", "yaxis", "xaxis2", "yaxis2"} <= set(layout)
    assert "xaxis3" not in layout
    top, bottom = layout["yaxis"]["domain"], layout["yaxis2"]["domain"]
    assert 0 <= bottom[0] < bottom[1] < top[0] < top[1] <= 1  # stacked, not overlapping
    assert [a["text"] for a in layout["annotations"]] == ["<b>Rate A</b>", "<b>Share B</b>"]
    assert layout["yaxis"]["categoryarray"] == ["Camden", "Leeds", "England"]


def test_years_differ_by_colour_pattern_and_label() -> None:
    traces = compare_figure(frame(), {"a": "A", "b": "B"})["data"]
    assert [(t["name"], t["xaxis"]) for t in traces] == [
        ("2024", "x"),
        ("2025", "x"),
        ("2024", "x2"),
        ("2025", "x2"),
    ]
    first, second = traces[0], traces[1]
    assert first["marker"]["color"] != second["marker"]["color"]
    assert first["marker"]["pattern"]["shape"] != second["marker"]["pattern"]["shape"]
    assert [t["showlegend"] for t in traces] == [True, True, False, False]
    # A suppressed value draws no bar but says its symbol.
    assert first["x"] == [10.0, None, 9.0]
    assert first["text"] == ["10.0 (2024)", "c (2024)", "9.0 (2024)"]


def test_england_line_is_the_latest_year_with_a_value() -> None:
    shapes = compare_figure(frame(), {})["layout"]["shapes"]
    assert [(s["xref"], s["x0"]) for s in shapes] == [("x", 11.0), ("x2", 5.0)]
    assert all(s["line"]["dash"] == "dash" for s in shapes)


def test_summary() -> None:
    text = compare_summary(frame())
    assert text.startswith("2 areas and England compared on 2 indicators (2024 to 2025)")
    assert "2 values are suppressed or not available" in text


@pytest.mark.parametrize("years", [[2025], [2024, 2025]])
def test_height_grows_with_bars(years: list[int]) -> None:
    part = frame()[frame()["time_period"].isin(years)]
    one = compare_figure(part[part["indicator_id"] == "a"], {})["layout"]["height"]
    two = compare_figure(part, {})["layout"]["height"]
    assert two > one
