"""Reading the indicator page's address: defaults, each bad value explained, and the address
the controls write."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.indicator_view import MAX_COMPARE, parse_view, view_path
from metrics.api import Tidy
from metrics.catalogue import load_catalogue
from tests.dashboard.indicator_rows import ENGLAND, LA_A, LA_B, LA_C, REGION, frame, row

AREAS = pd.DataFrame(
    [
        {
            "code": ENGLAND,
            "name": "England",
            "level": "national",
            "region_code": None,
            "dfe_la_code": None,
        },
        {
            "code": REGION,
            "name": "North East",
            "level": "regional",
            "region_code": REGION,
            "dfe_la_code": None,
        },
        *[
            {
                "code": c,
                "name": n,
                "level": "local_authority",
                "region_code": REGION,
                "dfe_la_code": d,
            }
            for c, n, d in ((LA_A, "Alpha", "805"), (LA_B, "Beta", "806"), (LA_C, "Gamma", "807"))
        ],
    ]
)


@pytest.fixture(scope="module")
def tidy() -> Tidy:
    rows = []
    for year in (2023, 2024):
        rows.append(row(ENGLAND, "England", "national", year=year))
        rows.append(row(LA_A, "Alpha", year=year))
        rows.append(row(LA_A, "Alpha", year=year, breakdown="sex", breakdown_value="Male"))
        rows.append(row(LA_A, "Alpha", year=year, breakdown="age_band", breakdown_value="1-4"))
    values = frame(rows).drop(columns="indicator_id")
    return Tidy(load_catalogue(), AREAS, {"cin_rate": values}, {})


def test_defaults_england_latest_year_first_breakdown(tidy: Tidy) -> None:
    view = parse_view(tidy, "cin_rate", {})
    assert (view.area, view.area_given, view.year, view.breakdown, view.compare) == (
        ENGLAND,
        False,
        2024,
        "age_band",  # the catalogue lists age_band before sex
        (),
    )
    assert view.messages == ()


def test_valid_values_are_used(tidy: Tidy) -> None:
    query = {"area": "805", "year": "2023", "breakdown": "sex", "compare": f"{LA_B}, 807 ,{LA_A}"}
    view = parse_view(tidy, "cin_rate", query)
    assert view.area == LA_A and view.area_given
    assert view.year == 2023 and view.breakdown == "sex"
    assert view.compare == (LA_B, LA_C)  # the chosen LA itself is dropped
    assert view.messages == ()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"area": "Atlantis"}, "There is no area 'Atlantis'. Showing England instead."),
        ({"year": "1999"}, "There are no figures for year '1999'. Showing 2024, the latest year."),
        (
            {"year": "\uff12\uff10\uff12\uff14"},  # full-width digits
            "There are no figures for year '\uff12\uff10\uff12\uff14'. "
            "Showing 2024, the latest year.",
        ),
        (
            {"breakdown": "disability"},
            "This indicator is not broken down by 'disability'. Showing the breakdown by age band.",
        ),
        (
            {"compare": "E92000001,nowhere"},
            "No local authority matches 'E92000001', 'nowhere', so it was left out.",
        ),
        ({"area": ["805", "806"]}, "The address gives 'area' more than once, so it was ignored."),
        ({"area": "x" * 500}, "There is no area '" + "x" * 39 + "…'. Showing England instead."),
    ],
)
def test_bad_values_get_one_message_each_and_a_default(
    tidy: Tidy, query: dict[str, object], message: str
) -> None:
    view = parse_view(tidy, "cin_rate", query)
    assert view.messages == (message,)
    assert view.area in (ENGLAND, LA_A)


def test_too_many_compared_las_are_cut(tidy: Tidy) -> None:
    extra = pd.DataFrame(
        [
            {
                "code": f"E0700000{i}",
                "name": f"LA {i}",
                "level": "local_authority",
                "region_code": REGION,
                "dfe_la_code": f"9{i:02d}",
            }
            for i in range(MAX_COMPARE + 2)
        ]
    )
    many = Tidy(tidy.catalogue, pd.concat([AREAS, extra], ignore_index=True), tidy._values, {})
    view = parse_view(many, "cin_rate", {"compare": ",".join(extra["code"])})
    assert view.compare == tuple(extra["code"][:MAX_COMPARE])
    assert len(view.messages) == 1 and f"Up to {MAX_COMPARE}" in view.messages[0]


def test_view_path() -> None:
    assert view_path("cin_rate") == "/indicator/cin_rate"
    assert (
        view_path("cin_rate", area=LA_A, year=2024, breakdown="sex", compare=[LA_B, LA_C])
        == f"/indicator/cin_rate?area={LA_A}&year=2024&breakdown=sex&compare={LA_B},{LA_C}"
    )
    assert view_path("cin_rate", area="Leeds & co") == "/indicator/cin_rate?area=Leeds+%26+co"
