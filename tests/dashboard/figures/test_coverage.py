"""The coverage page's charts, tables and sentences, on small frames worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dashboard.figures import coverage as fig
from dashboard.figures.theme import COLOURS, SYMBOLS

ENGLAND = "E92000001"


def la_rows() -> pd.DataFrame:
    # Already in coverage_data.all_las order: largest share first, suppressed last.
    return pd.DataFrame(
        {
            "area_code": ["E1", "E2", "E3", "E4", "E5"],
            "area_name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"],
            "numerator": [90.0, 40.0, 40.0, 10.0, np.nan],
            "denominator": [1000.0, 1000.0, 1000.0, 1000.0, np.nan],
            "value": [9.0, 4.0, 4.0, 1.0, np.nan],
            "status": ["", "", "", "", "c"],
            "source": ["synthetic"] * 5,
        }
    )


def test_all_las_bars_skip_suppressed_and_mark_the_chosen_la_by_more_than_colour() -> None:
    figure = fig.all_las_figure(la_rows(), of="children", england=3.5, chosen="E3")
    others, mine, england = figure["data"]
    assert others["x"] == ["Alpha", "Beta", "Delta"] and others["y"] == [9.0, 4.0, 1.0]
    assert mine["x"] == ["Gamma"] and mine["y"] == [4.0]
    assert mine["marker"]["color"] == COLOURS["la"]
    assert others["marker"]["color"] == COLOURS["other"]
    assert mine["marker"]["pattern"]["shape"] == "/" and others["marker"]["pattern"]["shape"] == ""
    assert (others["name"], mine["name"], england["name"]) == (
        "Other local authorities", "Gamma 4.0%", "England 3.5%"
    )  # fmt: skip
    line = figure["layout"]["shapes"][0]
    assert (line["y0"], line["y1"], line["layer"]) == (3.5, 3.5, "above")
    assert line["line"]["dash"] == england["line"]["dash"]  # the legend shows the line's style
    assert figure["layout"]["barmode"] == "overlay"  # bars keep their sorted places
    assert figure["layout"]["xaxis"]["categoryarray"] == ["Alpha", "Beta", "Gamma", "Delta"]
    assert figure["layout"]["yaxis"]["range"][0] == 0
    assert figure["layout"]["yaxis"]["title"]["text"] == "% of children"


def test_all_las_bars_without_england_or_choice() -> None:
    figure = fig.all_las_figure(la_rows(), of="children", england=None)
    assert [t["name"] for t in figure["data"]] == ["Local authorities"]
    assert figure["layout"]["shapes"] == []
    assert figure["data"][0]["x"] == ["Alpha", "Beta", "Gamma", "Delta"]


def test_wrap_breaks_long_labels_between_words() -> None:
    assert fig.wrap("Children with ethnicity refused or not obtained") == (
        "Children with<br>ethnicity refused or<br>not obtained"
    )
    assert fig.wrap("Short") == "Short"


def test_all_las_table_ranks_ties_together_and_shows_symbols() -> None:
    table = fig.all_las_table(la_rows(), chosen="E2")
    assert list(table["rank"]) == ["1", "2", "2", "4", ""]
    assert list(table["share"]) == ["9.0%", "4.0%", "4.0%", "1.0%", "c"]
    assert table["area_name"].iloc[1] == "Beta (chosen)"
    assert [c.key for c in fig.ALL_LAS_COLUMNS if c.key not in table.columns] == []


def test_all_las_summary_states_england_range_hidden_and_chosen_position() -> None:
    text = fig.all_las_summary(
        la_rows(), title="Gap (CIN census)", year=2025, england=3.5, chosen="E3"
    )
    assert text.startswith("Gap (CIN census), 2025. England: 3.5%.")
    assert "shares run from 1.0% (Delta) to 9.0% (Alpha)" in text
    assert "Across 4 local authorities with a value" in text
    assert "1 of 5 local authorities have no value shown" in text
    # Gamma ties with Beta: one LA (Alpha) is larger, so position 2.
    assert "Gamma: 4.0%, position 2 of 4" in text


def test_all_las_summary_for_a_suppressed_choice_and_england() -> None:
    text = fig.all_las_summary(
        la_rows(), title="Gap", year=2024, england=None, england_status="c", chosen="E5"
    )
    assert "England: not shown (c)." in text
    assert "Epsilon: not shown (c)." in text


def profile_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "key": ["a", "b", "c"],
            "title": ["Ethnicity unknown", "No UPN", "Returns"],
            "return_name": ["CIN census", "CIN census and SSDA903", "SSDA903"],
            "value": [5.0, 2.0, np.nan],
            "status": ["", "", "c"],
            "label": ["", "", ""],
            "england_value": [3.0, 2.5, 0.4],
            "england_status": ["", "", ""],
            "indicators": [42, 23, 26],
            "source": ["synthetic"] * 3,
        }
    )


def test_profile_figure_has_the_area_and_england_with_different_symbols() -> None:
    figure = fig.profile_figure(profile_rows(), area_name="Camden")
    area, england = figure["data"]
    assert area["name"] == "Camden" and england["name"] == "England"
    assert area["x"] == [5.0, 2.0, None]
    assert england["x"] == [3.0, 2.5, 0.4]
    assert area["y"] == ["Ethnicity unknown", "No UPN", "Returns"]  # short: not wrapped
    assert area["marker"]["symbol"] == SYMBOLS["la"]
    assert england["marker"]["symbol"] == SYMBOLS["england"]
    assert area["marker"]["symbol"] != england["marker"]["symbol"]


def test_profile_table_and_summary() -> None:
    table = fig.profile_table(profile_rows())
    assert list(table["area_share"]) == ["5.0%", "2.0%", "c"]
    assert list(table["england_share"]) == ["3.0%", "2.5%", "0.4%"]
    assert list(table["indicators"]) == ["42", "23", "26"]
    text = fig.profile_summary(profile_rows(), area_name="Camden", year=2025)
    # |5-3| = 2 beats |2-2.5| = 0.5.
    assert "largest difference from England is for ethnicity unknown: 5.0% against 3.0%" in text
    assert "1 of 3 measures have no value shown" in text
    assert "No coverage measures" in fig.profile_summary(
        profile_rows().iloc[0:0], area_name="Camden", year=2025
    )


def link_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": [ENGLAND, ENGLAND, "E1", "E1"],
            "area_name": ["England", "England", "Alpha", "Alpha"],
            "time_period": [2024, 2025, 2024, 2025],
            "numerator": [950.0, 960.0, 90.0, 88.0],
            "denominator": [1000.0, 1000.0, 100.0, 100.0],
            "value": [95.0, 96.0, 90.0, 88.0],
            "status": ["", "", "", ""],
            "source": ["synthetic"] * 4,
        }
    )


def test_link_figure_one_line_per_area_england_dashed() -> None:
    names = {"E1": "Alpha", ENGLAND: "England"}
    figure = fig.link_figure(link_rows(), names=names)
    by_name = {t["name"]: t for t in figure["data"]}
    assert by_name["Alpha"]["y"] == [90.0, 88.0]
    assert by_name["England"]["x"] == [2024, 2025]
    assert by_name["England"]["line"]["dash"] != by_name["Alpha"]["line"]["dash"]
    assert figure["layout"]["yaxis"]["range"] == [0, 100]


def test_link_summary_says_linked_and_unlinked_shares() -> None:
    text = fig.link_summary(link_rows(), names={"E1": "Alpha", ENGLAND: "England"}, affected=19)
    assert text.startswith("In 2025,")
    assert "88.0% of school-age children known to social care in Alpha" in text
    assert "(12.0% could not)" in text
    assert "96.0% of school-age children known to social care in England" in text
    assert "drop out of 19 attainment" in text


def test_link_table_is_ordered_by_year_then_area() -> None:
    table = fig.link_table(link_rows())
    assert list(zip(table["time_period"], table["area_name"], strict=True)) == [
        ("2024", "Alpha"), ("2024", "England"), ("2025", "Alpha"), ("2025", "England"),
    ]  # fmt: skip
    assert list(table["share"]) == ["90.0%", "95.0%", "88.0%", "96.0%"]


def test_returns_table_counts_names_and_suppression() -> None:
    rows = pd.DataFrame(
        {
            "return_name": ["CIN census", "CIN census", "SSDA903"],
            "time_period": [2024, 2025, 2025],
            "england_numerator": [2.0, np.nan, 0.0],
            "england_denominator": [153.0, np.nan, 153.0],
            "england_status": ["", "c", ""],
            "las": ["Alpha, Beta", "", ""],
            "suppressed": [0, 3, 0],
        }
    )
    table = fig.returns_table(rows)
    assert list(table["england"]) == ["2 of 153", "c", "0 of 153"]
    assert list(table["las"]) == ["Alpha, Beta", "not shown: 3 suppressed (c)", "none"]
    assert list(table["time_period"]) == ["2024", "2025", "2025"]


def test_pct_formats_shares_and_symbols() -> None:
    assert fig.pct(3.14159) == "3.1%"
    assert fig.pct(None) == "x"
    assert fig.pct(math.nan) == "x"
    assert fig.pct(2.0, "c") == "c"
