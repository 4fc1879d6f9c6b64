"""Funnel limits against methods.md section 2 formulas, and the over-dispersion test worked by
hand (winsorising done here by sorting, not with scipy)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from metrics.stats.funnel import control_limits, funnel, funnel_position, overdispersion

Z = {0.95: float(stats.norm.ppf(0.975)), 0.998: float(stats.norm.ppf(0.999))}


def winsorise_by_hand(z: np.ndarray) -> np.ndarray:
    """10% off each end by count: the k lowest become the (k+1)th lowest, likewise the top."""
    k = int(np.floor(0.1 * z.size))
    order = np.sort(z)
    return np.clip(z, order[k], order[z.size - 1 - k])


def phi_tau2_by_hand(y: np.ndarray, s: np.ndarray, y0: float) -> tuple[float, float]:
    z = winsorise_by_hand((y - y0) / s)
    units = z.size
    phi = float(np.sum(z**2) / units)
    if units * phi <= units - 1:
        return phi, 0.0
    w = 1 / s**2
    return phi, float((units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum()))


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_proportion_limits_are_wilson_round_the_target(level: float) -> None:
    n = np.array([20.0, 150.0, 1000.0, 8000.0])
    theta = 0.226
    lower, upper = control_limits("proportion", 22.6, n, level)
    z = Z[level]
    e = n * theta
    root = z * np.sqrt(z * z + 4 * e * (1 - e / n))
    np.testing.assert_allclose(lower, (2 * e + z * z - root) / (2 * (n + z * z)) * 100)
    np.testing.assert_allclose(upper, (2 * e + z * z + root) / (2 * (n + z * z)) * 100)


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_rate_limits_are_exact_poisson_for_the_expected_count(level: float) -> None:
    n = np.array([4_000.0, 35_000.0, 260_000.0])
    target = 67.0
    lower, upper = control_limits("rate", target, n, level)
    e = target * n / 10_000
    alpha = 1 - level
    np.testing.assert_allclose(lower, stats.chi2.ppf(alpha / 2, 2 * e) / 2 / (n / 10_000))
    np.testing.assert_allclose(upper, stats.chi2.ppf(1 - alpha / 2, 2 * e + 2) / 2 / (n / 10_000))


def test_mean_limits_are_normal() -> None:
    lower, upper = control_limits("mean", 45.0, [25, 100], 0.998, sd=12.0)
    half = Z[0.998] * 12 / np.sqrt([25, 100])
    np.testing.assert_allclose(lower, 45 - half)
    np.testing.assert_allclose(upper, 45 + half)


def test_no_adjustment_when_the_spread_is_binomial() -> None:
    # Ten LAs of 400 whose counts sit within a few of the expected 100 (target 25%).
    n = np.full(10, 400.0)
    o = np.array([96.0, 98, 99, 100, 100, 101, 102, 103, 97, 104])
    y = np.arcsin(np.sqrt(o / n))
    phi, tau2 = phi_tau2_by_hand(y, 1 / (2 * np.sqrt(n)), float(np.arcsin(np.sqrt(0.25))))
    assert tau2 == 0.0 and 10 * phi <= 9  # the example really is under-dispersed
    result = funnel("proportion", o, n, 25.0)
    assert result.phi == pytest.approx(phi)
    assert result.tau2 == 0.0 and not result.adjusted
    exact = control_limits("proportion", 25.0, result.denominators, 0.95)
    np.testing.assert_allclose(result.lower_95, exact[0])
    np.testing.assert_allclose(result.upper_95, exact[1])


def test_adjustment_for_over_dispersed_proportions() -> None:
    n = np.array([120.0, 300, 450, 800, 1000, 1500, 2200, 3000, 4100, 5000, 6100, 7000])
    p = np.array([0.10, 0.31, 0.18, 0.27, 0.15, 0.22, 0.29, 0.19, 0.24, 0.16, 0.21, 0.30])
    o = np.round(p * n)
    theta = 0.226
    y0 = float(np.arcsin(np.sqrt(theta)))
    s = 1 / (2 * np.sqrt(n))
    phi, tau2 = phi_tau2_by_hand(np.arcsin(np.sqrt(o / n)), s, y0)
    assert tau2 > 0
    result = funnel("proportion", o, n, 22.6)
    assert result.adjusted
    assert (result.phi, result.tau2) == (pytest.approx(phi), pytest.approx(tau2))
    m = result.denominators
    half = Z[0.998] * np.sqrt(1 / (4 * m) + tau2)
    np.testing.assert_allclose(
        result.lower_998, np.sin(np.clip(y0 - half, 0, np.pi / 2)) ** 2 * 100
    )
    np.testing.assert_allclose(
        result.upper_998, np.sin(np.clip(y0 + half, 0, np.pi / 2)) ** 2 * 100
    )
    plain = funnel("proportion", o, n, 22.6, adjust=False)
    assert not plain.adjusted and (plain.upper_95 < result.upper_95).all()


@pytest.mark.parametrize("transform", ["sqrt", "log"])
def test_adjustment_for_over_dispersed_rates(transform: str) -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(15_000, 300_000, size=40).astype(float)
    o = rng.poisson(rng.uniform(27, 184, size=40) * n / 10_000).astype(float)
    target = 67.0
    e = target * n / 10_000
    if transform == "sqrt":
        y, s, y0 = np.sqrt(o / e), 1 / (2 * np.sqrt(e)), 1.0
    else:
        y, s, y0 = np.log(o / e), 1 / np.sqrt(e), 0.0
    phi, tau2 = phi_tau2_by_hand(y, s, y0)
    od = overdispersion("rate", o, n, target, transform=transform)  # type: ignore[arg-type]
    assert (od.phi, od.tau2, od.units) == (pytest.approx(phi), pytest.approx(tau2), 40)
    lower, upper = control_limits(
        "rate",
        target,
        [50_000],
        0.95,
        tau2=tau2,
        transform=transform,  # type: ignore[arg-type]
    )
    expected_count = target * 50_000 / 10_000  # 335
    if transform == "sqrt":
        spread = Z[0.95] * np.sqrt(1 / (4 * expected_count) + tau2)
        expected = (max(1 - spread, 0) ** 2 * target, (1 + spread) ** 2 * target)
    else:
        spread = Z[0.95] * np.sqrt(1 / expected_count + tau2)
        expected = (np.exp(-spread) * target, np.exp(spread) * target)
    assert (lower[0], upper[0]) == (pytest.approx(expected[0]), pytest.approx(expected[1]))


def test_positions_use_each_la_own_denominator() -> None:
    n = np.array([1000.0, 1000, 1000, 50, 1000])
    o = np.array([226.0, 400, 100, 15, np.nan])  # target 22.6%: inside, above, below, small LA
    result = funnel("proportion", o, n, 22.6, adjust=False)
    positions = funnel_position(result, o, n)
    assert positions["position_95"].tolist() == ["inside", "above", "below", "inside", ""]
    assert positions["position_998"].tolist() == ["inside", "above", "below", "inside", ""]
    small = control_limits("proportion", 22.6, [50], 0.95)
    assert positions.loc[3, "upper_95"] == pytest.approx(small[1][0])


def test_grid_spans_the_denominators() -> None:
    n = np.array([250.0, 40, 9000, np.nan])
    result = funnel("proportion", [50, 8, 2000, 3], n, 22.6, points=50)
    assert result.denominators.size == 50
    assert result.denominators[0] == pytest.approx(40) and result.denominators[-1] == 9000
    assert (np.diff(result.upper_95) < 0).all() and (np.diff(result.lower_95) > 0).all()


def test_bad_kind_is_named() -> None:
    with pytest.raises(ValueError, match="unknown funnel kind 'ratio'"):
        funnel("ratio", [1], [2], 0.5)  # type: ignore[arg-type]
