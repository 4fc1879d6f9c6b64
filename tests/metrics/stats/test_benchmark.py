"""Comparison with England, LAIT bands and ranks, neighbour summaries, on hand-made tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.stats.benchmark import (
    compare_to_benchmark,
    grouped_quartiles_and_ranks,
    national_rank,
    neighbour_summary,
    quartile_bands,
    quartile_cuts,
)

# LA intervals against England = 20: clearly above, clearly below, straddling, touching, missing.
LOWER = [22.0, 10.0, 18.0, 20.0, np.nan]
UPPER = [30.0, 19.0, 23.0, 25.0, 24.0]


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        ("no_judgement", ["higher", "lower", "similar", "similar", ""]),
        (None, ["higher", "lower", "similar", "similar", ""]),
        ("high_is_good", ["better", "worse", "similar", "similar", ""]),
        ("higher_better", ["better", "worse", "similar", "similar", ""]),
        ("low_is_good", ["worse", "better", "similar", "similar", ""]),
        ("lower_better", ["worse", "better", "similar", "similar", ""]),
    ],
)
def test_single_interval_comparison(polarity: str | None, expected: list[str]) -> None:
    assert compare_to_benchmark(LOWER, UPPER, 20.0, polarity).tolist() == expected


def test_unknown_polarity_is_named() -> None:
    with pytest.raises(ValueError, match="unknown polarity 'High'"):
        compare_to_benchmark([1], [2], 1.5, "High")


def test_cut_points_are_type_7_quantiles() -> None:
    values = [8.0, 1, 5, 3, np.nan, 7, 2, 6, 4]
    # 1..8: positions (n - 1) p = 1.75, 3.5, 5.25 between sorted values.
    np.testing.assert_allclose(quartile_cuts(values), [2.75, 4.5, 6.25])
    series = pd.Series(values).dropna()
    np.testing.assert_allclose(quartile_cuts(values), series.quantile([0.25, 0.5, 0.75]))


def test_bands_put_cut_point_values_in_the_lower_band() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0, np.nan]  # cut-points 2, 3, 4
    assert quartile_bands(values, "low_is_good").tolist() == ["A", "A", "B", "C", "D", ""]
    assert quartile_bands(values, "high_is_good").tolist() == ["D", "D", "C", "B", "A", ""]
    assert quartile_bands(values, "no_judgement").tolist() == [""] * 6


def test_bands_split_a_large_table_into_quarters() -> None:
    values = np.arange(1, 101, dtype=float)
    counts = pd.Series(quartile_bands(values, "high_is_good")).value_counts()
    assert counts.to_dict() == {"A": 25, "B": 25, "C": 25, "D": 25}
    assert quartile_bands(values, "high_is_good")[-1] == "A"


def test_rank_one_is_best_and_ties_share_the_better_rank() -> None:
    values = [3.0, 1.0, 3.0, np.nan, 0.0]
    assert national_rank(values, "high_is_good").tolist() == [1, 3, 1, pd.NA, 4]
    assert national_rank(values, "low_is_good").tolist() == [3, 2, 3, pd.NA, 1]
    assert national_rank(values, "no_judgement").isna().all()


NEIGHBOURS = pd.DataFrame(
    {
        "ons_code": ["A"] * 6 + ["B"] * 6,
        "neighbour_ons_code": ["B", "C", "D", "E", "F", "G", "A", "C", "D", "E", "F", "G"],
    }
)


def test_neighbour_median_and_mean_with_counts() -> None:
    values = pd.DataFrame(
        {
            "time_period": [2024] * 7 + [2025] * 7,
            "area_code": list("ABCDEFG") * 2,
            "value": [10, 20, 30, 40, 50, 60, 70, 1, 2, 3, np.nan, np.nan, 6, 7],
        }
    )
    got = neighbour_summary(values, NEIGHBOURS, by=["time_period"]).set_index(
        ["time_period", "area_code"]
    )
    # 2024, A's neighbours B..G: 20..70; B's neighbours A, C..G: 10, 30..70.
    assert got.loc[(2024, "A"), "neighbour_median"] == 45
    assert got.loc[(2024, "A"), "neighbour_mean"] == 45
    assert got.loc[(2024, "B"), "neighbour_median"] == 45
    assert got.loc[(2024, "B"), "neighbour_mean"] == pytest.approx(260 / 6)
    assert (got.loc[(2024, "B"), "neighbour_min"], got.loc[(2024, "B"), "neighbour_max"]) == (
        10,
        70,
    )
    # 2025: two neighbours missing leaves 4 of 6, fewer than 5: no summary, but the count shows.
    assert got.loc[(2025, "A"), "neighbours_used"] == 4
    assert got.loc[(2025, "A"), "neighbours_total"] == 6
    assert got.loc[[(2025, "A")], ["neighbour_median", "neighbour_mean"]].isna().all().all()


def test_neighbour_summary_allows_a_lower_minimum() -> None:
    values = pd.DataFrame({"area_code": list("ABCDEFG"), "value": [1, 2, 3, None, None, 6, 8]})
    got = neighbour_summary(values, NEIGHBOURS, minimum=4).set_index("area_code")
    assert got.loc["A", "neighbour_median"] == 4.5  # of 2, 3, 6, 8
    assert got.loc["B", "neighbour_mean"] == pytest.approx(18 / 4)  # of 1, 3, 6, 8


def test_neighbour_summary_names_missing_columns() -> None:
    with pytest.raises(ValueError, match="missing column"):
        neighbour_summary(pd.DataFrame({"area_code": ["A"]}), NEIGHBOURS)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),  # group
            st.one_of(st.none(), st.integers(0, 20)),  # value (ties likely), None = missing
            st.booleans(),  # eligible (an LA row)
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(["high_is_good", "low_is_good", "no_judgement"]),
)
def test_grouped_quartiles_and_ranks_match_the_one_group_functions(
    rows: list[tuple[int, int | None, bool]], polarity: str
) -> None:
    groups = np.array([r[0] for r in rows])
    values = np.array([np.nan if r[1] is None else float(r[1]) for r in rows])
    eligible = np.array([r[2] for r in rows])
    bands, ranks = grouped_quartiles_and_ranks(values, groups, [polarity] * len(rows), eligible)
    for g in np.unique(groups):
        rows_g = (groups == g) & eligible
        expected_bands = quartile_bands(values[rows_g], polarity)
        expected_ranks = national_rank(values[rows_g], polarity).to_numpy(
            dtype=float, na_value=np.nan
        )
        assert list(bands[rows_g]) == list(expected_bands)
        np.testing.assert_array_equal(ranks[rows_g], expected_ranks)
    assert (bands[~eligible] == "").all() and np.isnan(ranks[~eligible]).all()
