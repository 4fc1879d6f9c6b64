"""The sentences that state each chart's finding, checked against hand-worked rows."""

from __future__ import annotations

import pytest

from dashboard.indicator_summaries import (
    bars_summary,
    breakdown_summary,
    headline,
    map_summary,
    ordinal,
    rank_of,
)
from metrics.catalogue import load_catalogue
from tests.dashboard.indicator_rows import ENGLAND, LA_A, LA_B, LA_C, LA_D, frame, row

CAT = load_catalogue()
CIN = CAT.indicator("cin_rate")


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (101, "101st"),
        (111, "111th"),
        (153, "153rd"),
    ],
)
def test_ordinal(n: int, text: str) -> None:
    assert ordinal(n) == text


def _year_rows():  # type: ignore[no-untyped-def]
    return frame(
        [
            row(LA_A, "Leeds", value=312.4, lower=300.1, upper=325.0, compared="similar"),
            row(LA_B, "Beta", value=400.0),
            row(LA_C, "Gamma", value=200.0),
            row(LA_D, "Delta", value=None, status="c"),
            row(ENGLAND, "England", "national", value=305.0),
        ]
    )


def test_headline_reads_like_the_brief() -> None:
    rows = _year_rows()
    leeds = rows.iloc[0].to_dict()
    england = rows.iloc[4].to_dict()
    rank = rank_of(rows, LA_A)
    assert rank == (2, 3)
    assert headline(CIN, leeds, england, area_name="Leeds", year=2025, rank=rank) == (
        "In 2025 Leeds's rate was 312.4 per 10,000 children (95% interval 300.1 to 325.0), "
        "similar to England (305.0 per 10,000 children); it is 2nd highest of 3 local authorities."
    )


def test_headline_of_a_suppressed_value_names_the_symbol() -> None:
    delta = _year_rows().iloc[3].to_dict()
    text = headline(CIN, delta, None, area_name="Delta", year=2025)
    assert text.startswith("In 2025 Delta's rate is not shown (c: suppressed")


def test_bars_summary_gives_range_rank_hidden_and_neighbours() -> None:
    text = bars_summary(
        CIN, _year_rows(), chosen=LA_A, chosen_name="Leeds", neighbours=[LA_B, LA_D], year=2025
    )
    assert text == (
        "In 2025 values range from 200.0 per 10,000 children (Gamma) to 400.0 per 10,000 "
        "children (Beta) across the 3 local authorities with a value; 1 have none shown. "
        "Leeds is 2nd highest. Its 1 statistical neighbours with a value range from 400.0 per "
        "10,000 children to 400.0 per 10,000 children."
    )


def test_map_summary() -> None:
    text = map_summary(CIN, _year_rows(), chosen=LA_A, chosen_name="Leeds", year=2025)
    assert text == (
        "Darker shading means a higher value. In 2025 the lightest area is Gamma and the darkest "
        "Beta. 1 local authorities have no value and are shaded grey. Leeds is outlined in black "
        "and yellow."
    )


def test_breakdown_summary_names_highest_lowest_and_hidden_groups() -> None:
    rows = frame(
        [
            row(LA_A, "Leeds", breakdown="sex", breakdown_value="Female", value=300.0),
            row(LA_A, "Leeds", breakdown="sex", breakdown_value="Male", value=350.0),
            row(LA_A, "Leeds", breakdown="sex", breakdown_value="Unknown", value=None, status="c"),
        ]
    )
    text = breakdown_summary(CIN, rows, breakdown="sex", area_name="Leeds", year=2025)
    assert text == (
        "In 2025, by sex, Leeds's rate was highest for Male (350.0 per 10,000 children) and "
        "lowest for Female (300.0 per 10,000 children). Not shown (suppressed or not "
        "available): Unknown."
    )
