"""The spine chart builder on a hand-made frame whose positions are worked out by hand."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from dashboard.figures.spine import COMPARISON_STYLE, spine_figure, spine_positions, spine_summary

NAN = float("nan")


def frame() -> pd.DataFrame:
    rows = [
        # label, polarity, value, england, min, p25, p75, max, comparison
        ("Up", "higher_better", 30.0, 20.0, 10.0, 15.0, 25.0, 40.0, "better"),
        ("Down", "lower_better", 5.0, 10.0, 2.0, 8.0, 12.0, 30.0, "worse"),
        ("No England", "higher_better", 5.0, NAN, 1.0, 2.0, 3.0, 4.0, "similar"),
        ("Flat", "no_judgement", 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, "similar"),
        ("Hidden", "no_judgement", NAN, 50.0, 0.0, 40.0, 60.0, 100.0, ""),
        ("Higher", "no_judgement", 80.0, 50.0, 0.0, 40.0, 60.0, 100.0, "higher"),
    ]
    columns = ["label", "polarity", "value", "england_value", "la_min", "la_p25", "la_p75"]
    columns += ["la_max", "compared_to_england"]
    out = pd.DataFrame(rows, columns=columns)
    out["hover"] = out["label"] + " hover"
    return out


def test_positions_put_england_at_the_centre_and_mirror_lower_is_better() -> None:
    got = spine_positions(frame()).set_index("label")
    assert "No England" not in got.index  # cannot be centred without England
    # Up: furthest from England is max (40 - 20 = 20), so one unit = 1 / 40.
    up = got.loc["Up"]
    assert up["pos_value"] == pytest.approx(0.75)
    assert (up["pos_min"], up["pos_max"]) == (pytest.approx(0.25), pytest.approx(1.0))
    assert (up["pos_p25"], up["pos_p75"]) == (pytest.approx(0.375), pytest.approx(0.625))
    # Down (lower is better): 30 is 20 above England, mirrored to the far left.
    down = got.loc["Down"]
    assert down["pos_value"] == pytest.approx(0.625)  # 5 below England: right (better)
    assert (down["pos_min"], down["pos_max"]) == (pytest.approx(0.0), pytest.approx(0.7))
    assert (down["pos_p25"], down["pos_p75"]) == (pytest.approx(0.45), pytest.approx(0.55))
    # Everything equal to England: all at the centre, no division by zero.
    flat = got.loc["Flat"]
    assert [flat["pos_value"], flat["pos_min"], flat["pos_max"]] == [0.5, 0.5, 0.5]
    # A suppressed value keeps its row (the range) but has no marker position.
    hidden: Any = got.loc["Hidden", "pos_value"]
    assert math.isnan(hidden)
    assert got.loc["Hidden", "pos_max"] == pytest.approx(1.0)


def test_marker_shape_and_colour_both_carry_the_comparison() -> None:
    figure = spine_figure(frame(), area_name="Camden")
    markers = [t for t in figure["data"] if t["name"].startswith("Camden")]
    by_label = {label: t for t in markers for label in t["y"]}
    assert set(by_label) == {"Up", "Down", "Flat", "Higher"}  # Hidden has no value
    symbols = {t["marker"]["symbol"] for t in markers}
    colours = {t["marker"]["color"] for t in markers}
    assert len(symbols) == len(markers) and len(colours) == len(markers)
    assert by_label["Up"]["marker"]["symbol"] == "triangle-up"
    assert by_label["Down"]["marker"]["symbol"] == "triangle-down"
    assert by_label["Up"]["name"] == "Camden: better than England"
    assert by_label["Down"]["x"] == [pytest.approx(0.625)]
    # Every comparison style differs from every other in shape, not only colour.
    styles = [(colour, symbol) for _, colour, symbol in COMPARISON_STYLE.values()]
    assert len({symbol for _, symbol in styles}) == len(styles)


def test_range_bars_and_england_line() -> None:
    figure = spine_figure(frame(), area_name="Camden")
    ranges, middles, england = figure["data"][:3]
    labels = ranges["y"]
    assert labels == ["Up", "Down", "Flat", "Hidden", "Higher"]
    up = labels.index("Up")
    assert ranges["base"][up] == pytest.approx(0.25)
    assert ranges["x"][up] == pytest.approx(0.75)
    assert middles["base"][up] == pytest.approx(0.375)
    assert middles["x"][up] == pytest.approx(0.25)
    assert england["x"] == [0.5] * len(labels)
    assert figure["layout"]["yaxis"]["categoryarray"] == labels
    assert figure["layout"]["height"] >= 30 * len(labels)


def test_summary_counts_each_comparison() -> None:
    text = spine_summary(frame(), area_name="Camden")
    assert text.startswith("Camden is better than England on 1, worse than England on 1, ")
    assert "similar to England on 2" in text
    assert "higher than England on 1 of 6 indicators" in text
    assert "1 cannot be compared" in text


def test_empty_frame_gives_an_empty_chart_and_a_sentence() -> None:
    empty = frame().iloc[0:0]
    figure = spine_figure(empty, area_name="Camden")
    assert [t["name"] for t in figure["data"]][:1] == ["Range of all LAs (lowest to highest)"]
    assert "No indicator can be compared" in spine_summary(empty, area_name="Camden")
