"""The time-series builder: which rows become which line, and what each line carries."""

from __future__ import annotations

import pandas as pd

from dashboard.figures.timeseries import series_role, timeseries_figure
from metrics.catalogue import load_catalogue
from tests.dashboard.indicator_rows import ENGLAND, LA_A, LA_B, LA_C, REGION, frame, row

CIN = load_catalogue().indicator("cin_rate")


def _rows() -> pd.DataFrame:
    rows = []
    for year, a_value, a_status in ((2023, 300.0, ""), (2024, None, "c"), (2025, 320.0, "")):
        rows.append(
            row(
                LA_A,
                "Alpha",
                year=year,
                value=a_value,
                status=a_status,
                lower=None if a_value is None else a_value - 10,
                upper=None if a_value is None else a_value + 10,
            )
        )
        rows.append(row(LA_A, "Alpha", "statistical_neighbours_median", year=year, value=310.0))
        rows.append(row(LA_A, "Alpha", "statistical_neighbours_mean", year=year, value=311.0))
        rows.append(row(LA_B, "Beta", "statistical_neighbours_median", year=year, value=250.0))
        rows.append(row(LA_B, "Beta", year=year, value=200.0))
        rows.append(row(LA_C, "Gamma", year=year, value=400.0))
        rows.append(row(REGION, "North East", "regional", year=year, value=330.0))
        rows.append(row(ENGLAND, "England", "national", year=year, value=305.0))
    return frame(rows)


def test_series_role_assigns_each_row_to_its_line() -> None:
    rows = _rows()
    roles = series_role(rows, chosen=LA_A, compare=[LA_C])
    got = dict(
        zip(zip(rows["area_code"], rows["geographic_level"], strict=True), roles, strict=True)
    )
    assert got[(LA_A, "local_authority")] == "la"
    assert got[(LA_A, "statistical_neighbours_median")] == "neighbours"
    assert got[(LA_A, "statistical_neighbours_mean")] == ""
    assert got[(LA_B, "statistical_neighbours_median")] == ""  # another LA's neighbours
    assert got[(LA_B, "local_authority")] == ""  # not compared
    assert got[(LA_C, "local_authority")] == f"compare:{LA_C}"
    assert got[(REGION, "regional")] == "region"
    assert got[(ENGLAND, "national")] == "england"


def test_chosen_line_is_last_with_a_band_and_gaps_for_suppressed_years() -> None:
    figure = timeseries_figure(CIN, _rows(), chosen=LA_A, compare=[LA_C])
    names = [t.get("name") for t in figure["data"]]
    assert names == [
        "England",
        "North East",
        "Statistical neighbours of Alpha (median)",
        "Gamma",
        None,  # upper edge of the band, no legend entry
        "95% interval for Alpha",
        "Alpha",
    ]
    alpha = figure["data"][-1]
    assert alpha["x"] == [2023, 2024, 2025]
    assert alpha["y"] == [300.0, None, 320.0]
    assert "2024: c" in alpha["text"][1]
    upper, lower = figure["data"][4], figure["data"][5]
    assert upper["x"] == lower["x"] == [2023, 2025]  # no band for the suppressed year
    assert upper["y"] == [310.0, 330.0]
    assert lower["y"] == [290.0, 310.0]
    assert lower["fill"] == "tonexty"
    # Lines differ by more than colour.
    dashes = {
        t["name"]: t["line"]["dash"] for t in figure["data"] if t.get("mode") == "lines+markers"
    }
    symbols = {
        t["name"]: t["marker"]["symbol"] for t in figure["data"] if t.get("mode") == "lines+markers"
    }
    assert len(set(dashes.values())) == len(dashes)
    assert len(set(symbols.values())) == len(symbols)
    assert figure["layout"]["xaxis"]["tickvals"] == [2023, 2024, 2025]


def test_england_chosen_draws_one_line() -> None:
    figure = timeseries_figure(CIN, _rows(), chosen=ENGLAND)
    lines = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    assert [t["name"] for t in lines] == ["North East", "England"]
    assert lines[-1]["line"]["width"] == 3
