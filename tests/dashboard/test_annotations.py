"""The annotation panel: the catalogue's prose with the computed coverage and signals."""

from __future__ import annotations

import json

import pandas as pd
import plotly

from dashboard.annotations import annotation_panel, is_signal, split_coverage
from metrics.catalogue import load_catalogue
from tests.dashboard.helpers import find_by_id, text_of

CIN = load_catalogue().indicator("cin_rate")
COUNT = load_catalogue().indicator("ofsted_leadership_good_count")


def _coverage(measures: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "measure": [m for m, _ in measures],
            "label": [label for _, label in measures],
            "value": [1.0] * len(measures),
            "lower_95": [None] * len(measures),
            "upper_95": [None] * len(measures),
        }
    )


def _tree(component: object) -> object:
    """The component as the JSON Dash sends, so the shared helpers can walk it."""
    return json.loads(json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder))


def test_signals_are_told_apart_from_coverage_measures() -> None:
    assert is_signal("expected_rate") and is_signal("disparity_ethnicity")
    assert not is_signal("ethnicity_unknown") and not is_signal("returns_missing")
    rows = _coverage(
        [
            ("ethnicity_unknown", "a"),
            ("disparity_sex", "b"),
            ("expected_rate", "c"),
            ("upn_missing", "d"),
        ]
    )
    coverage, signals = split_coverage(rows)
    assert list(coverage["measure"]) == ["ethnicity_unknown", "upn_missing"]
    assert list(signals["measure"]) == ["disparity_sex", "expected_rate"]


def test_panel_shows_prose_measures_and_signals_for_the_area_and_year() -> None:
    rows = _coverage(
        [
            ("ethnicity_unknown", "children with ethnicity unknown: 3.5%"),
            ("expected_rate", "expected rate given deprivation: 290.0"),
        ]
    )
    rows.loc[1, ["lower_95", "upper_95"]] = [270.0, 310.0]
    panel = _tree(
        annotation_panel(
            CIN.annotations,
            rows,
            area_name="Leeds",
            year=2025,
            related=[("Referral rate", "/indicator/referral_rate?area=E08000035")],
            panel_id="p",
        )
    )
    text = text_of(panel)
    assert CIN.annotations.purpose in text
    assert CIN.annotations.voice in text
    assert CIN.annotations.caveats in text and CIN.annotations.risks in text
    assert "Measured for Leeds, 2025:" in text
    measures = find_by_id(panel, "p-coverage-measures")
    assert text_of(measures) == "children with ethnicity unknown: 3.5%"
    signals = find_by_id(panel, "p-signals")
    assert text_of(signals) == "expected rate given deprivation: 290.0 (95% range 270.0 to 310.0)"
    related = find_by_id(panel, "p-related")
    link = related["props"]["children"][0]["props"]["children"]  # type: ignore[index]
    assert link["props"]["href"] == "/indicator/referral_rate?area=E08000035"


def test_missing_signals_and_measures_are_said_plainly() -> None:
    panel = _tree(
        annotation_panel(
            CIN.annotations, _coverage([]), area_name="England", year=2024, panel_id="p"
        )
    )
    assert "not available for England, 2024 yet" in text_of(find_by_id(panel, "p-signals"))
    assert "No coverage measures are available for England, 2024" in text_of(
        find_by_id(panel, "p-coverage-measures")
    )


def test_indicator_without_declared_signals_shows_no_signal_message() -> None:
    panel = _tree(
        annotation_panel(
            COUNT.annotations, _coverage([]), area_name="England", year=2024, panel_id="p"
        )
    )
    assert find_by_id(panel, "p-signals") is None
    assert find_by_id(panel, "p-related") is None
