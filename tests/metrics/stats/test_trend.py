"""The recent-trend marker: obvious and absent trends, the statistics worked out by hand, and
the frame-wide numpy path against the statsmodels reference on random series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from metrics.stats.trend import THRESHOLD, proportion_trend, recent_trends, wls_trend

YEARS = np.arange(2021, 2026)


def cochran_armitage_by_hand(o: np.ndarray, n: np.ndarray, t: np.ndarray) -> float:
    """Textbook statistic: T = sum t (O - n p), Var = p q [sum n t^2 - (sum n t)^2 / N]."""
    total = n.sum()
    p = o.sum() / total
    t_stat = np.sum(t * (o - n * p))
    var = p * (1 - p) * (np.sum(n * t * t) - np.sum(n * t) ** 2 / total)
    return float(t_stat**2 / var)


def wls_by_hand(y: np.ndarray, var: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    """Weighted least squares by rescaling rows with sqrt(w) and solving with lstsq."""
    sw = np.sqrt(1 / var)
    design = np.column_stack([np.ones_like(t), t]) * sw[:, None]
    coef, *_ = np.linalg.lstsq(design, y * sw, rcond=None)
    resid = y * sw - design @ coef
    scale = resid @ resid / (len(y) - 2)
    cov = scale * np.linalg.inv(design.T @ design)
    return float(coef[1]), float(coef[1] ** 2 / cov[1, 1])


def test_threshold_is_the_998_chi_square_point() -> None:
    assert pytest.approx(9.5495, abs=1e-4) == THRESHOLD


def test_proportion_trend_matches_cochran_armitage_up_to_n_minus_one() -> None:
    o = np.array([200.0, 215, 240, 250, 272])
    n = np.full(5, 1000.0)
    result = proportion_trend(o, n, YEARS)
    ca = cochran_armitage_by_hand(o, n, YEARS.astype(float))
    assert result.statistic == pytest.approx(ca * (n.sum() - 1) / n.sum())
    assert result.outcome == "increasing"
    assert proportion_trend(o[::-1], n, YEARS).outcome == "decreasing"


def test_proportion_without_trend() -> None:
    o = np.array([201.0, 198, 203, 197, 200])
    assert proportion_trend(o, np.full(5, 1000.0)).outcome == "no significant change"
    assert proportion_trend(np.zeros(5), np.full(5, 40.0)).outcome == "no significant change"


def test_wls_trend_matches_weighted_least_squares_by_hand() -> None:
    y = np.array([60.0, 63.0, 64.5, 68.0, 70.5])
    half = np.array([3.0, 2.5, 3.5, 2.0, 3.0])
    result = wls_trend(y, y - half, y + half, YEARS)
    var = (2 * half / (2 * stats.norm.ppf(0.975))) ** 2
    slope, statistic = wls_by_hand(y, var, YEARS.astype(float))
    assert (result.direction, result.statistic) == (pytest.approx(slope), pytest.approx(statistic))
    assert result.outcome == "increasing"


def test_wls_without_trend() -> None:
    y = np.array([60.0, 63.0, 58.0, 62.0, 60.0])
    assert wls_trend(y, y - 3, y + 3).outcome == "no significant change"
    flat = np.full(5, 50.0)
    assert wls_trend(flat, flat - 1, flat + 1).outcome == "no significant change"


def test_fewer_than_five_valid_points_cannot_be_calculated() -> None:
    assert proportion_trend([1, 2, 3, 4], [10, 10, 10, 10]).outcome == ""
    assert proportion_trend([1, 2, np.nan, 4, 5], [10] * 5).outcome == ""
    assert wls_trend([1, 2, 3, 4, 5], [0, 1, 2, 3, np.nan], [2, 3, 4, 5, 6]).outcome == ""


def random_frame(seed: int, groups: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    years = np.arange(2017, 2026)
    rows = []
    for g in range(groups):
        n = rng.integers(30, 3000, size=years.size).astype(float)
        p = np.clip(rng.uniform(0.05, 0.6) + rng.normal(0, 0.02) * np.arange(years.size), 0, 1)
        o = rng.binomial(n.astype(int), p).astype(float)
        value = o / n * 100
        half = rng.uniform(1, 8, size=years.size)
        for i, year in enumerate(years):
            rows.append(
                {
                    "area_code": f"E{g:03d}",
                    "time_period": int(year),
                    "numerator": o[i],
                    "denominator": n[i],
                    "value": value[i],
                    "lower_95": value[i] - half[i],
                    "upper_95": value[i] + half[i],
                }
            )
    frame = pd.DataFrame(rows)
    # Knock out a few points so some windows cannot be calculated.
    frame.loc[rng.choice(len(frame), size=len(frame) // 15, replace=False), "numerator"] = np.nan
    frame.loc[rng.choice(len(frame), size=len(frame) // 15, replace=False), "upper_95"] = np.nan
    return frame.sample(frac=1, random_state=seed).reset_index(drop=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_frame_path_matches_statsmodels_reference(seed: int) -> None:
    frame = random_frame(seed, groups=25)
    proportion = recent_trends(frame, kind="proportion", by=["area_code"])
    other = recent_trends(frame, kind="other", by=["area_code"])
    assert proportion[["area_code", "time_period"]].equals(frame[["area_code", "time_period"]])
    outcomes = set()
    for i, row in frame.iterrows():
        history = frame[
            (frame["area_code"] == row["area_code"])
            & (frame["time_period"] <= row["time_period"])
            & (frame["time_period"] > row["time_period"] - 5)
        ].sort_values("time_period")
        years = history["time_period"].to_numpy()
        if len(history) < 5:
            expected_p = expected_o = ""
            stat_p = stat_o = np.nan
        else:
            ref_p = proportion_trend(history["numerator"], history["denominator"], years)
            ref_o = wls_trend(history["value"], history["lower_95"], history["upper_95"], years)
            expected_p, stat_p = ref_p.outcome, ref_p.statistic
            expected_o, stat_o = ref_o.outcome, ref_o.statistic
        assert proportion.loc[i, "trend"] == expected_p
        assert other.loc[i, "trend"] == expected_o
        np.testing.assert_allclose(proportion.loc[i, "trend_statistic"], stat_p, rtol=1e-7)
        np.testing.assert_allclose(other.loc[i, "trend_statistic"], stat_o, rtol=1e-7)
        outcomes.update([expected_p, expected_o])
    assert {"", "increasing", "no significant change"} <= outcomes


def test_a_missing_year_breaks_the_window() -> None:
    frame = pd.DataFrame(
        {
            "area_code": ["A"] * 6 + ["B"] * 5,
            "time_period": [2020, 2021, 2022, 2023, 2024, 2025, 2020, 2021, 2023, 2024, 2025],
            "numerator": [100, 130, 160, 190, 220, 250, 100, 130, 190, 220, 250],
            "denominator": [1000] * 11,
        }
    )
    got = recent_trends(frame, kind="proportion", by=["area_code"])
    assert got["trend"].tolist() == [""] * 4 + ["increasing"] * 2 + [""] * 5


def test_bad_input_is_named() -> None:
    frame = pd.DataFrame({"area_code": ["A", "A"], "time_period": [2025, 2025], "numerator": 1})
    with pytest.raises(ValueError, match="missing column"):
        recent_trends(frame, kind="proportion", by=["area_code"])
    frame["denominator"] = 2
    with pytest.raises(ValueError, match="more than one row"):
        recent_trends(frame, kind="proportion", by=["area_code"])
