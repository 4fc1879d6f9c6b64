"""Intervals against methods.md check values and against the formulas written out by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.weightstats import DescrStatsW

from metrics.stats.intervals import interval, interval_columns, poisson_rate, t_mean, wilson


def z_for(level: float) -> float:
    return float(stats.norm.ppf(1 - (1 - level) / 2))


def wilson_by_hand(o: float, n: float, level: float) -> tuple[float, float]:
    z = z_for(level)
    q = 1 - o / n
    root = z * np.sqrt(z * z + 4 * o * q)
    return (2 * o + z * z - root) / (2 * (n + z * z)), (2 * o + z * z + root) / (2 * (n + z * z))


def exact_poisson_by_hand(o: float, level: float) -> tuple[float, float]:
    alpha = 1 - level
    lower = 0.0 if o == 0 else stats.chi2.ppf(alpha / 2, 2 * o) / 2
    return lower, stats.chi2.ppf(1 - alpha / 2, 2 * o + 2) / 2


def test_wilson_matches_methods_check_values() -> None:
    lower, upper = wilson(57, 312, 0.95)
    assert (round(float(lower), 5), round(float(upper), 5)) == (0.14376, 0.22934)
    lower, upper = wilson(57, 312, 0.998)
    assert (round(float(lower), 5), round(float(upper), 5)) == (0.12486, 0.25937)


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_wilson_matches_the_formula_including_zero_and_all(level: float) -> None:
    counts = np.array([0, 1, 7, 57, 250, 312])
    n = np.array([40, 3, 90, 312, 251, 312])
    lower, upper = wilson(counts, n, level, per=100)
    for i, (o, d) in enumerate(zip(counts, n, strict=True)):
        lo, hi = wilson_by_hand(float(o), float(d), level)
        assert lower[i] == pytest.approx(lo * 100, abs=1e-9)
        assert upper[i] == pytest.approx(hi * 100, abs=1e-9)
    assert lower[0] == pytest.approx(0.0, abs=1e-12)
    assert upper[-1] == pytest.approx(100.0)


def test_exact_poisson_matches_methods_check_value() -> None:
    lower, upper = poisson_rate(3, 1, per=1, level=0.95)
    assert (round(float(lower), 4), round(float(upper), 4)) == (0.6187, 8.7673)


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_exact_poisson_rates_match_chi_square_by_hand(level: float) -> None:
    counts = np.array([0, 3, 57, 1200])
    population = np.array([12_000, 25_000, 48_000, 310_000])
    lower, upper = poisson_rate(counts, population, level=level)
    for i, (o, n) in enumerate(zip(counts, population, strict=True)):
        lo, hi = exact_poisson_by_hand(float(o), level)
        assert lower[i] == pytest.approx(lo / n * 10_000, rel=1e-9, abs=1e-12)
        assert upper[i] == pytest.approx(hi / n * 10_000, rel=1e-9)


def test_t_mean_from_summaries_matches_child_level_interval() -> None:
    rng = np.random.default_rng(7)
    scores = rng.normal(45, 12, size=37)
    for level in (0.95, 0.998):
        expected = DescrStatsW(scores).tconfint_mean(alpha=1 - level)
        lower, upper = t_mean(scores.mean(), scores.std(ddof=1), scores.size, level)
        assert float(lower) == pytest.approx(expected[0])
        assert float(upper) == pytest.approx(expected[1])


def test_missing_inputs_and_zero_denominators_give_nan_without_warnings() -> None:
    counts = pd.Series([5, None, 4, 2], dtype="Int64")
    n = pd.Series([10, 10, 0, None], dtype="Int64")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lower, upper in (
            wilson(counts, n),
            poisson_rate(counts, n),
            t_mean([1.0, None, 2.0, 3.0], [1.0, 1.0, 1.0, None], [10, 10, 1, 10]),
        ):
            assert np.isfinite(lower[0]) and np.isfinite(upper[0])
            assert np.isnan(lower[1:]).all() and np.isnan(upper[1:]).all()


def test_interval_dispatches_on_catalogue_names() -> None:
    lower, upper = interval("wilson", [57], [312])  # percentages by default
    assert lower[0] == pytest.approx(wilson_by_hand(57, 312, 0.95)[0] * 100)
    lower, upper = interval("poisson_exact", [3], [10_000], 0.998)
    lo, hi = exact_poisson_by_hand(3, 0.998)
    assert (lower[0], upper[0]) == (pytest.approx(lo), pytest.approx(hi))
    lower, upper = interval("t_mean", [500.0], [10], sd=[4.0])
    half = stats.t.ppf(0.975, 9) * 4 / np.sqrt(10)
    assert (lower[0], upper[0]) == (pytest.approx(50 - half), pytest.approx(50 + half))
    lower, upper = interval("none", [1, 2], [3, 4])
    assert np.isnan(lower).all() and np.isnan(upper).all()


def test_interval_columns_nest_the_two_levels() -> None:
    columns = interval_columns("wilson", [57, 10], [312, 20])
    assert list(columns) == ["lower_95", "upper_95", "lower_998", "upper_998"]
    assert (columns["lower_998"] < columns["lower_95"]).all()
    assert (columns["upper_998"] > columns["upper_95"]).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: interval("byar", [1], [2]), "unknown interval method 'byar'"),
        (lambda: interval("t_mean", [1], [2]), "needs the standard deviation"),
        (lambda: wilson(1, 2, 95), "between 0 and 1, got 95"),
    ],
)
def test_bad_arguments_are_named(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]
