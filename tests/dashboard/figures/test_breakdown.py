"""The breakdown chart: natural order, intervals, suppressed cells labelled, England beside."""

from __future__ import annotations

import pandas as pd

from dashboard.figures.breakdown import breakdown_figure, ordered_values
from metrics.catalogue import load_catalogue
from tests.dashboard.indicator_rows import ENGLAND, LA_A, frame, row

CIN = load_catalogue().indicator("cin_rate")


def _rows(code: str, name: str, level: str, values: dict[str, float | None]) -> pd.DataFrame:
    return frame(
        [
            row(
                code,
                name,
                level,
                breakdown="age_band",
                breakdown_value=group,
                value=v,
                status="" if v is not None else "c",
                lower=None if v is None else v - 5,
                upper=None if v is None else v + 7,
            )
            for group, v in values.items()
        ]
    )


def test_ordered_values_follow_the_bands_not_the_alphabet() -> None:
    present = pd.Series(["16+", "1-4", "Under 1", "10-15", "Mystery"])
    assert ordered_values("age_band", present) == ["Under 1", "1-4", "10-15", "16+", "Mystery"]


def test_suppressed_group_is_labelled_not_drawn_as_zero() -> None:
    la = _rows(LA_A, "Alpha", "local_authority", {"10-15": 50.0, "Under 1": None, "1-4": 20.0})
    england = _rows(ENGLAND, "England", "national", {"10-15": 40.0, "Under 1": 30.0, "1-4": 25.0})
    figure = breakdown_figure(CIN, la, breakdown="age_band", area_name="Alpha", england=england)
    bars, markers = figure["data"]
    assert bars["x"] == ["Under 1", "1-4", "10-15"]
    assert bars["y"] == [None, 20.0, 50.0]
    assert bars["error_y"]["array"][1:] == [7.0, 7.0]
    assert bars["error_y"]["arrayminus"][1:] == [5.0, 5.0]
    assert markers["name"] == "England" and markers["y"] == [30.0, 25.0, 40.0]
    labels = [(a["x"], a["text"]) for a in figure["layout"]["annotations"]]
    assert labels == [("Under 1", "c")]
    assert figure["layout"]["xaxis"]["title"]["text"] == "Age"
