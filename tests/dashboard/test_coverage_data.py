"""Folding per-indicator coverage rows into one row per gap, and validating coverage queries,
on hand-made tidy frames whose expected results are worked out by hand."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from dashboard.coverage_data import (
    CoverageQueryError,
    all_las,
    build_coverage_data,
    catalogue_measures,
    coverage_data,
    missing_returns,
    profile,
    resolve_view,
    series,
    years_of,
)
from metrics.api import COVERAGE_COLUMNS, Tidy
from metrics.catalogue import load_catalogue
from tests.dashboard.tidy_sql import catalogue_yaml

ENGLAND = "E92000001"
CAT = load_catalogue()
AREAS = pd.DataFrame(
    [
        {"code": ENGLAND, "name": "England", "level": "national", "region_code": None,
         "dfe_la_code": None},
        {"code": "E12000007", "name": "London", "level": "regional", "region_code": "E12000007",
         "dfe_la_code": None},
        {"code": "E09000007", "name": "Camden", "level": "local_authority",
         "region_code": "E12000007", "dfe_la_code": "202"},
        {"code": "E09000001", "name": "City of London", "level": "local_authority",
         "region_code": "E12000007", "dfe_la_code": "201"},
        {"code": "E09000002", "name": "Barking and Dagenham", "level": "local_authority",
         "region_code": "E12000007", "dfe_la_code": "301"},
    ]
)  # fmt: skip


def cov(
    measure: str,
    area: str,
    name: str,
    year: int,
    num: float | None,
    den: float | None,
    level: str = "local_authority",
) -> dict[str, Any]:
    value = None if num is None or not den else num / den * 100
    return {
        "time_period": year,
        "geographic_level": level,
        "area_code": area,
        "area_name": name,
        "measure": measure,
        "numerator": num,
        "denominator": den,
        "value": value,
        "label": f"{measure} label",
        "lower_95": None,
        "upper_95": None,
    }


def eth_rows() -> list[dict[str, Any]]:
    return [
        cov("ethnicity_unknown", "E09000007", "Camden", 2025, 30, 1000),
        cov("ethnicity_unknown", "E09000001", "City of London", 2025, None, None),  # c
        cov("ethnicity_unknown", "E09000002", "Barking and Dagenham", 2025, 80, 1000),
        cov("ethnicity_unknown", ENGLAND, "England", 2025, 110, 2010, "national"),
        cov("ethnicity_unknown", "E09000007", "Camden", 2024, 10, 1000),
        cov("ethnicity_unknown", ENGLAND, "England", 2024, 20, 1000, "national"),
    ]


def returns_rows() -> list[dict[str, Any]]:
    return [
        cov("returns_missing", "E09000007", "Camden", 2025, 0, 1),
        cov("returns_missing", "E09000001", "City of London", 2025, 1, 1),
        cov("returns_missing", "E09000002", "Barking and Dagenham", 2025, None, None),  # c
        cov("returns_missing", ENGLAND, "England", 2025, 1, 3, "national"),
    ]


def make_tidy(coverage: dict[str, list[dict[str, Any]]]) -> Tidy:
    frames = {
        ind: pd.DataFrame(rows, columns=[c for c in COVERAGE_COLUMNS if c != "indicator_id"])
        for ind, rows in coverage.items()
    }
    return Tidy(CAT, AREAS, {}, frames)


@pytest.fixture
def tidy() -> Tidy:
    # cin_rate (CIN census) and cla_start_rate (SSDA903) both list ethnicity_unknown and
    # returns_missing; the ethnicity rows are the same children, so identical.
    return make_tidy(
        {
            "cin_rate": eth_rows() + returns_rows(),
            "cla_start_rate": [
                *eth_rows(),
                cov("returns_missing", ENGLAND, "England", 2025, 0, 3, "national"),
            ],
        }
    )


def test_each_gap_once_per_return_with_every_indicator_it_affects() -> None:
    raw = catalogue_yaml()
    expected: dict[str, list[str]] = {}
    returns = {"CIN census": "cin", "SSDA903": "ssda903", "CSWW workforce census": "csww"}
    for ind_id, entry in raw.items():
        for m in entry["annotations"]["coverage"].get("measures", []):
            if m == "returns_missing":
                if entry["source"]["return"] in returns:
                    expected.setdefault(f"returns_missing_{returns[entry['source']['return']]}",
                                        []).append(ind_id)  # fmt: skip
            else:
                expected.setdefault(m, []).append(ind_id)
    got = {m.key: list(m.indicators) for m in catalogue_measures(CAT)}
    assert {k: sorted(v) for k, v in got.items()} == {k: sorted(v) for k, v in expected.items()}
    position = {ind_id: n for n, ind_id in enumerate(CAT.ids)}
    for ids in got.values():  # listed in the catalogue's order
        assert [position[i] for i in ids] == sorted(position[i] for i in ids)
    assert len({m.key for m in catalogue_measures(CAT)}) == len(catalogue_measures(CAT))


def test_returns_missing_is_split_by_return_and_titled_by_it() -> None:
    by_key = {m.key: m for m in catalogue_measures(CAT)}
    cin = by_key["returns_missing_cin"]
    assert cin.measure == "returns_missing"
    assert cin.title == "CIN census returns not received"
    assert all(CAT.indicator(i).source.return_ == "CIN census" for i in cin.indicators)
    assert by_key["ethnicity_unknown"].return_name == "CIN census"
    assert by_key["education_link_rate"].higher_is_better
    assert not by_key["upn_missing"].higher_is_better


def test_table_holds_each_gap_once_with_status_and_source(tidy: Tidy) -> None:
    data = build_coverage_data(tidy)
    keys = [m.key for m in data.measures]
    assert keys == ["returns_missing_cin", "returns_missing_ssda903", "ethnicity_unknown"]
    eth = data.by_key["ethnicity_unknown"]
    assert len(eth) == len(eth_rows())  # not doubled by the second indicator
    statuses = dict(zip(eth["area_name"] + str(2025), eth["status"], strict=False))
    assert statuses["City of London2025"] == "c"
    assert statuses["Camden2025"] == ""
    assert set(data.table["source"]) == {"synthetic"}
    assert len(data.by_key["returns_missing_ssda903"]) == 1


def test_coverage_data_is_built_once_per_tidy(tidy: Tidy) -> None:
    first = coverage_data(tidy)
    assert coverage_data(tidy) is first
    other = make_tidy({"cin_rate": eth_rows()})
    assert coverage_data(other) is not first


def test_all_las_largest_first_suppressed_last(tidy: Tidy) -> None:
    rows = all_las(coverage_data(tidy), "ethnicity_unknown", 2025)
    assert list(rows["area_name"]) == ["Barking and Dagenham", "Camden", "City of London"]
    assert list(rows["value"].round(3))[:2] == [8.0, 3.0]
    assert years_of(coverage_data(tidy), "ethnicity_unknown") == [2024, 2025]


def test_profile_sets_area_beside_england(tidy: Tidy) -> None:
    got = profile(coverage_data(tidy), "E09000007", 2025).set_index("key")
    assert got.loc["ethnicity_unknown", "value"] == pytest.approx(3.0)
    assert got.loc["ethnicity_unknown", "england_value"] == pytest.approx(110 / 2010 * 100)
    assert got.loc["returns_missing_cin", "value"] == 0
    # Camden has no row for the SSDA903 returns gap: shown as x beside England's 0.
    assert got.loc["returns_missing_ssda903", "status"] == "x"
    assert bool(got["value"].isna()["returns_missing_ssda903"])
    assert got.loc["returns_missing_ssda903", "england_value"] == 0
    listing = [
        i for i, e in catalogue_yaml().items()
        if "ethnicity_unknown" in e["annotations"]["coverage"].get("measures", [])
    ]  # fmt: skip
    assert got.loc["ethnicity_unknown", "indicators"] == len(listing)


def test_series_is_oldest_first(tidy: Tidy) -> None:
    got = series(coverage_data(tidy), "ethnicity_unknown", ["E09000007"])
    assert list(got["time_period"]) == [2024, 2025]
    assert list(got["value"].round(3)) == [1.0, 3.0]


def test_missing_returns_counts_england_names_las_and_counts_suppressed(tidy: Tidy) -> None:
    data = coverage_data(tidy)
    got = missing_returns(data.table, data.measures).set_index("return_name")
    cin = got.loc["CIN census"]
    assert (cin["england_numerator"], cin["england_denominator"]) == (1, 3)
    assert cin["las"] == "City of London"
    assert cin["suppressed"] == 1
    assert got.loc["SSDA903", "las"] == ""


def test_resolve_view_defaults_to_first_gap_latest_year(tidy: Tidy) -> None:
    view = resolve_view(coverage_data(tidy), AREAS)
    assert view.measure.key == "returns_missing_cin"
    assert view.year == 2025
    assert view.area is None


@pytest.mark.parametrize(
    ("area", "code"),
    [("E09000007", "E09000007"), ("202", "E09000007"), ("camden", "E09000007"),
     ("Camden (E09000007)", "E09000007"), ("England", ENGLAND)],
)  # fmt: skip
def test_resolve_view_reads_area_codes_and_names(tidy: Tidy, area: str, code: str) -> None:
    view = resolve_view(coverage_data(tidy), AREAS, measure="ethnicity_unknown", area=area)
    assert view.area == code


@pytest.mark.parametrize(
    "query",
    [
        {"measure": "nope"},
        {"measure": ["ethnicity_unknown"]},
        {"measure": "x" * 100_000},
        {"measure": "ethnicity_unknown", "year": "2023"},
        {"measure": "ethnicity_unknown", "year": "20x5"},
        {"measure": "ethnicity_unknown", "year": "02025"},
        {"area": "Atlantis"},
        {"area": "E09000007" * 50},
        {"area": 12},
    ],
)
def test_resolve_view_rejects_unknown_values_with_a_short_message(
    tidy: Tidy, query: dict[str, Any]
) -> None:
    with pytest.raises(CoverageQueryError) as err:
        resolve_view(coverage_data(tidy), AREAS, **query)
    assert len(str(err.value)) < 200


def test_resolve_view_with_no_coverage_says_so() -> None:
    with pytest.raises(CoverageQueryError, match="no coverage measures"):
        resolve_view(coverage_data(make_tidy({})), AREAS)
