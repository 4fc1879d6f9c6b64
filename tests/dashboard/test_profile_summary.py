"""The LA profile's numbers (dashboard.profile_summary, dashboard.headline) against the tidy
tables read with plain SQL and the catalogue read from its YAML."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dashboard.data_access import read_tidy
from dashboard.headline import COVERAGE_WARNING_SHARE, headline
from dashboard.profile_summary import available_years, profile_frame
from metrics.api import Tidy
from tests.dashboard.tidy_sql import ENGLAND, catalogue_yaml, query

CAMDEN, CAMDEN_REGION = "E09000007", "E12000007"


@pytest.fixture(scope="module")
def tidy(small_db: str) -> Tidy:
    return read_tidy(small_db)


@pytest.fixture(scope="module")
def totals(small_db: str) -> pd.DataFrame:
    return query(
        small_db,
        "SELECT indicator_id, time_period, geographic_level, area_code, value, status, "
        "lower_95, upper_95, compared_to_england, quartile, rank, trend "
        "FROM indicator_values WHERE breakdown = 'total'",
    )


def latest_years(totals: pd.DataFrame) -> dict[str, int]:
    shown = totals[totals["value"].notna() | (totals["status"].fillna("") != "")]
    return {str(k): int(v) for k, v in shown.groupby("indicator_id")["time_period"].max().items()}


def same(a: Any, b: Any) -> bool:
    missing_a = a is None or (isinstance(a, float) and math.isnan(a)) or a is pd.NA
    missing_b = b is None or (isinstance(b, float) and math.isnan(b)) or b is pd.NA
    if missing_a or missing_b:
        return missing_a and missing_b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-9)
    return str(a) == str(b)


def pick(totals: pd.DataFrame, ind: str, year: int, level: str, area: str) -> pd.Series | None:
    rows = totals[
        (totals["indicator_id"] == ind)
        & (totals["time_period"] == year)
        & (totals["geographic_level"] == level)
        & (totals["area_code"] == area)
    ]
    assert len(rows) <= 1
    return rows.iloc[0] if len(rows) else None


def test_one_row_per_catalogue_indicator_in_catalogue_order(tidy: Tidy) -> None:
    frame = profile_frame(
        tidy, headline(tidy), CAMDEN, level="local_authority", region_code=CAMDEN_REGION
    )
    entries = catalogue_yaml()
    got = frame["indicator_id"].tolist()
    assert sorted(got) == sorted(entries)
    groups = {k: v["group"] for k, v in entries.items()}
    assert frame["group"].tolist() == [groups[i] for i in got]
    # Groups are whole blocks, and inside each the order is the YAML file's.
    blocks = list(dict.fromkeys(frame["group"]))
    assert len(blocks) == len(set(groups.values()))
    for group in blocks:
        in_file = [k for k, v in entries.items() if v["group"] == group]
        assert [i for i in got if groups[i] == group] == in_file
        positions = [got.index(i) for i in in_file]
        assert positions == list(range(positions[0], positions[0] + len(positions)))


def test_latest_year_values_match_the_tidy_table(tidy: Tidy, totals: pd.DataFrame) -> None:
    frame = profile_frame(
        tidy, headline(tidy), CAMDEN, level="local_authority", region_code=CAMDEN_REGION
    )
    latest = latest_years(totals)
    checked = 0
    for row in frame.to_dict("records"):
        ind = row["indicator_id"]
        assert row["time_period"] == latest.get(ind, -1), ind
        if ind not in latest:
            continue
        year = latest[ind]
        own = pick(totals, ind, year, "local_authority", CAMDEN)
        comparators = {
            "sn_median": pick(totals, ind, year, "statistical_neighbours_median", CAMDEN),
            "sn_mean": pick(totals, ind, year, "statistical_neighbours_mean", CAMDEN),
            "region_value": pick(totals, ind, year, "regional", CAMDEN_REGION),
            "england_value": pick(totals, ind, year, "national", ENGLAND),
        }
        if own is not None:
            for col in ("value", "lower_95", "upper_95", "rank"):
                assert same(row[col], own[col]), (ind, col)
            for col in ("status", "compared_to_england", "quartile", "trend"):
                assert row[col] == (own[col] or ""), (ind, col)
            checked += 1
        else:
            assert same(row["value"], None)
        for col, source in comparators.items():
            assert same(row[col], None if source is None else source["value"]), (ind, col)
    assert checked > 20  # the small database has most indicators for Camden


def test_spread_and_rank_denominator(tidy: Tidy, totals: pd.DataFrame) -> None:
    frame = profile_frame(
        tidy, headline(tidy), CAMDEN, level="local_authority", region_code=CAMDEN_REGION
    )
    for row in frame[frame["time_period"] > 0].to_dict("records"):
        las = totals[
            (totals["indicator_id"] == row["indicator_id"])
            & (totals["time_period"] == row["time_period"])
            & (totals["geographic_level"] == "local_authority")
        ]
        values = las["value"].dropna().to_numpy(dtype=float)
        if len(values) == 0:
            assert same(row["la_min"], None)
            continue
        assert same(row["la_min"], values.min())
        assert same(row["la_max"], values.max())
        assert same(row["la_p25"], float(np.percentile(values, 25)))
        assert same(row["la_p75"], float(np.percentile(values, 75)))
        assert row["ranked"] == int(las["rank"].notna().sum())


def test_chosen_year_and_regional_profile(tidy: Tidy, totals: pd.DataFrame) -> None:
    years = available_years(headline(tidy))
    assert years == sorted(
        int(y) for y in totals.loc[totals["area_code"] == ENGLAND, "time_period"].unique()
    )
    first = years[0]
    frame = profile_frame(
        tidy, headline(tidy), CAMDEN_REGION, level="regional", region_code=None, year=first
    )
    assert set(frame["time_period"]) == {first}
    for row in frame.to_dict("records"):
        own = pick(totals, row["indicator_id"], first, "regional", CAMDEN_REGION)
        assert same(row["value"], None if own is None else own["value"])
        assert same(row["sn_median"], None) and same(row["region_value"], None)


def test_coverage_warnings_follow_the_threshold(small_db: str, tidy: Tidy) -> None:
    frame = profile_frame(
        tidy, headline(tidy), CAMDEN, level="local_authority", region_code=CAMDEN_REGION
    )
    coverage = query(
        small_db,
        "SELECT indicator_id, time_period, measure, value, label FROM coverage_values "
        "WHERE area_code = :area",
        area=CAMDEN,
    )
    measures = {
        k: set(v["annotations"]["coverage"].get("measures", []))
        for k, v in catalogue_yaml().items()
    }
    expected: dict[str, set[str]] = {}
    for row in frame.to_dict("records"):
        ind, year = row["indicator_id"], row["time_period"]
        rows = coverage[
            (coverage["indicator_id"] == ind)
            & (coverage["time_period"] == year)
            & coverage["measure"].isin(measures[ind])
        ]
        bad = rows[
            ((rows["measure"] == "education_link_rate") & (rows["value"] < 90))
            | (
                ~rows["measure"].isin(["education_link_rate", "returns_missing"])
                & (rows["value"] > COVERAGE_WARNING_SHARE)
            )
            | ((rows["measure"] == "returns_missing") & (rows["value"] > 0))
        ]
        expected[ind] = set(bad["label"])
    got = {
        r["indicator_id"]: set(filter(None, r["coverage_warning"].split("; ")))
        for r in frame.to_dict("records")
    }
    assert got == expected
    assert any(expected.values()), "the fixture should flag at least one indicator"
