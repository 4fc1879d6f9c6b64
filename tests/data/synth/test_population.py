"""The synthetic population split: exact totals, published national shares, London diversity.

Expected totals and shares are computed here from la.csv and the published figures, not from
the code under test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.schema import ref_population
from data.synth.latent import POPULATION_INDEX
from data.synth.population import largest_remainder, synth_population

LA_CSV = Path(__file__).resolve().parents[3] / "data" / "reference" / "la.csv"
YEARS = [2017, 2021, 2025, 2026]


@pytest.fixture(scope="module")
def la_rows() -> list[dict[str, str]]:
    with open(LA_CSV, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return synth_population(11, YEARS)


def test_columns_and_cells(population: pd.DataFrame, la_rows: list[dict[str, str]]) -> None:
    assert list(population.columns) == [c.name for c in ref_population.columns]
    assert len(population) == len(YEARS) * len(la_rows) * 18 * 2 * 5
    keys = ["year", "la_code", "age", "sex", "ethnicity_group"]
    assert not population.duplicated(keys).any()
    assert set(population["age"]) == set(range(18))
    assert set(population["sex"]) == {"M", "F"}
    assert set(population["ethnicity_group"]) == {"White", "Mixed", "Asian", "Black", "Other"}
    assert (population["population"] >= 0).all()
    assert pd.api.types.is_integer_dtype(population["population"])


def test_each_la_year_sums_exactly_to_its_total(
    population: pd.DataFrame, la_rows: list[dict[str, str]]
) -> None:
    expected = {
        (year, r["dfe_la_code"]): round(int(r["population_0_17"]) * POPULATION_INDEX[year])
        for year in YEARS
        for r in la_rows
    }
    got = population.groupby(["year", "la_code"])["population"].sum().to_dict()
    assert got == expected


def test_national_shares_follow_published_figures(population: pd.DataFrame) -> None:
    year = population[population["year"] == 2025]
    total = year["population"].sum()
    male = year.loc[year["sex"] == "M", "population"].sum() / total
    assert male == pytest.approx(0.512, abs=0.002)
    shares = year.groupby("ethnicity_group")["population"].sum() / total
    census = {"White": 0.73, "Asian": 0.12, "Black": 0.06, "Mixed": 0.06, "Other": 0.03}
    for group, share in census.items():
        assert shares[group] == pytest.approx(share, abs=0.005), group
    ages = (year.groupby("age")["population"].sum() / total).to_numpy()
    assert ages.min() > 0.8 / 18 and ages.max() < 1.2 / 18  # roughly flat
    assert ages[12:16].mean() > ages[0:4].mean()  # rising towards the mid-teens


def test_london_is_much_more_diverse(
    population: pd.DataFrame, la_rows: list[dict[str, str]]
) -> None:
    london = {r["dfe_la_code"] for r in la_rows if r["region_code"] == "E12000007"}
    year = population[population["year"] == 2025]
    white = year["ethnicity_group"] == "White"
    in_london = year["la_code"].isin(london)
    london_white = (
        year.loc[white & in_london, "population"].sum() / year.loc[in_london, "population"].sum()
    )
    rest_white = (
        year.loc[white & ~in_london, "population"].sum() / year.loc[~in_london, "population"].sum()
    )
    assert 0.38 < london_white < 0.52
    assert rest_white > 0.75


def test_deterministic_and_independent_of_la_selection(population: pd.DataFrame) -> None:
    again = synth_population(11, YEARS)
    pd.testing.assert_frame_equal(population, again)
    other = synth_population(12, YEARS)
    assert not np.array_equal(other["population"], population["population"])
    some = synth_population(11, [2025], la_codes=["202", "805"])
    full = population[(population["year"] == 2025) & population["la_code"].isin(["202", "805"])]
    pd.testing.assert_frame_equal(some.reset_index(drop=True), full.reset_index(drop=True))


def test_unknown_la_code_is_refused() -> None:
    with pytest.raises(ValueError, match="'999'"):
        synth_population(1, [2025], la_codes=["999"])


def test_largest_remainder_by_hand() -> None:
    totals = np.array([10, 7])
    shares = np.array([[0.33, 0.33, 0.34], [0.5, 0.25, 0.25]])
    # 3.3/3.3/3.4 -> floors 3/3/3, one left for the largest remainder (0.4);
    # 3.5/1.75/1.75 -> floors 3/1/1, two left: 0.75 and 0.75 beat 0.5.
    expected = np.array([[3, 3, 4], [3, 2, 2]])
    np.testing.assert_array_equal(largest_remainder(totals, shares), expected)


def test_largest_remainder_keeps_totals_and_stays_within_one() -> None:
    rng = np.random.default_rng(5)
    shares = rng.dirichlet(np.ones(180), size=50)
    totals = rng.integers(0, 300_000, size=50)
    counts = largest_remainder(totals, shares)
    np.testing.assert_array_equal(counts.sum(axis=1), totals)
    assert np.abs(counts - totals[:, None] * shares).max() < 1
