"""The all-LA bar chart: order, highlighting by colour and pattern, England's line."""

from __future__ import annotations

import pandas as pd

from dashboard.figures.bars import bars_figure, sorted_las
from metrics.catalogue import load_catalogue
from tests.dashboard.indicator_rows import ENGLAND, LA_A, LA_B, LA_C, LA_D, frame, row

CIN = load_catalogue().indicator("cin_rate")


def _rows() -> pd.DataFrame:
    return frame(
        [
            row(LA_A, "Alpha", value=300.0, lower=290.0, upper=312.0),
            row(LA_B, "Beta", value=150.0, lower=140.0, upper=161.0),
            row(LA_C, "Gamma", value=None, status="c"),
            row(LA_D, "Delta", value=450.0),
            row("E06000005", "Epsilon", value=150.0),
            row(ENGLAND, "England", "national", value=305.0),
        ]
    )


def test_sorted_las_lowest_first_without_missing_or_england() -> None:
    got = list(sorted_las(_rows())["area_name"])
    assert got == ["Beta", "Epsilon", "Alpha", "Delta"]  # tie 150 broken by name


def test_chosen_and_neighbours_differ_by_pattern_and_legend() -> None:
    figure = bars_figure(CIN, _rows(), chosen=LA_A, neighbours=[LA_B, LA_C], england=305.0)
    layout = figure["layout"]
    assert layout["xaxis"]["categoryarray"] == [LA_B, "E06000005", LA_A, LA_D]
    by_name = {t["name"]: t for t in figure["data"]}
    assert set(by_name) == {
        "Other local authorities",
        "Statistical neighbours of Alpha",
        "Alpha (chosen)",
    }
    chosen = by_name["Alpha (chosen)"]
    assert chosen["x"] == [LA_A] and chosen["y"] == [300.0]
    assert chosen["marker"]["pattern"]["shape"] == "/"
    assert chosen["error_y"]["array"] == [12.0] and chosen["error_y"]["arrayminus"] == [10.0]
    neighbours = by_name["Statistical neighbours of Alpha"]
    assert neighbours["x"] == [LA_B]  # Gamma is suppressed: not drawn
    assert neighbours["marker"]["pattern"]["shape"] == "."
    assert "pattern" not in by_name["Other local authorities"]["marker"]
    assert by_name["Other local authorities"]["x"] == ["E06000005", LA_D]
    assert layout["shapes"][0]["y0"] == 305.0
    texts = [a["text"] for a in layout["annotations"]]
    assert "Alpha: 300.0 per 10,000 children" in texts
    assert "England 305.0 per 10,000 children" in texts


def test_compared_las_get_their_own_trace_and_no_chosen_label_without_a_chosen_la() -> None:
    figure = bars_figure(CIN, _rows(), compare=[LA_D])
    names = [t["name"] for t in figure["data"]]
    assert names == ["Other local authorities", "Delta"]
    assert figure["data"][1]["marker"]["pattern"]["shape"] == "x"
    assert figure["layout"]["annotations"] == []
