"""Funnel-plot control limits around England, with Spiegelhalter's over-dispersion adjustment.

LA values for children's social care spread far wider than sampling noise (the CLA rate runs from
27 to 184 per 10,000), so plain binomial or Poisson limits would flag most LAs. methods.md
section 2 therefore always tests for over-dispersion and, when present, widens the limits with
the additive random-effects model (Spiegelhalter 2005; FunnelPlotR is the reference). No Python
library has that adjustment, so it is composed here from scipy's winsorize and numpy; the
unadjusted limits reuse the same library intervals as ``intervals.py``, turned round the target.

Values and targets are on the display scale: ``per`` is 100 for percentages, 10,000 for rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import mstats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

from metrics.stats.intervals import ArrayLike, FloatArray, as_float

FunnelKind: TypeAlias = Literal["proportion", "rate", "mean"]
RateTransform: TypeAlias = Literal["sqrt", "log"]

FUNNEL_KINDS: tuple[str, ...] = ("proportion", "rate", "mean")
DEFAULT_PER: dict[str, float] = {"proportion": 100.0, "rate": 10_000.0, "mean": 1.0}
WINSORISE = (0.1, 0.1)


@dataclass(frozen=True)
class Overdispersion:
    """The outcome of the over-dispersion test (methods.md 2.1 steps 1 to 6)."""

    phi: float
    tau2: float
    units: int  # I, the LAs with a usable value

    @property
    def overdispersed(self) -> bool:
        return self.tau2 > 0


@dataclass(frozen=True)
class FunnelLimits:
    """Control limits at a grid of denominators, ready to draw."""

    kind: FunnelKind
    target: float
    per: float
    denominators: FloatArray
    lower_95: FloatArray
    upper_95: FloatArray
    lower_998: FloatArray
    upper_998: FloatArray
    phi: float
    tau2: float
    adjusted: bool  # True when the limits include tau2 (say so on the chart)
    transform: RateTransform = "sqrt"
    sd: float | None = None  # the England standard deviation, for means


def _check(kind: str, transform: str) -> None:
    if kind not in FUNNEL_KINDS:
        raise ValueError(f"unknown funnel kind {kind!r}; expected one of {', '.join(FUNNEL_KINDS)}")
    if transform not in ("sqrt", "log"):
        raise ValueError(f"unknown rate transform {transform!r}; expected 'sqrt' or 'log'")


def _z(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, got {level!r}")
    return float(stats.norm.ppf(1 - (1 - level) / 2))


def control_limits(
    kind: FunnelKind,
    target: float,
    denominators: ArrayLike,
    level: float = 0.95,
    *,
    per: float | None = None,
    sd: float | None = None,
    tau2: float = 0.0,
    transform: RateTransform = "sqrt",
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper limits around ``target`` at each denominator.

    With ``tau2 == 0`` these are the exact limits (Wilson for proportions, exact Poisson for
    rates, normal for means); with ``tau2 > 0`` the additive-adjusted limits on the transformed
    scale, transformed back.
    """
    _check(kind, transform)
    scale = DEFAULT_PER[kind] if per is None else per
    n = as_float(denominators)
    z = _z(level)
    lower = np.full(n.shape, np.nan)
    upper = np.full(n.shape, np.nan)
    ok = np.isfinite(n) & (n > 0)
    m = n[ok]
    if kind == "mean":
        if sd is None:
            raise ValueError("funnel limits for a mean need the England standard deviation (sd=)")
        half = z * np.sqrt(sd**2 / m + tau2)
        lower[ok], upper[ok] = target - half, target + half
    elif kind == "proportion":
        theta = target / scale
        if tau2 > 0:
            spread = z * np.sqrt(1 / (4 * m) + tau2)
            y0 = np.arcsin(np.sqrt(theta))
            lo = np.sin(np.clip(y0 - spread, 0, np.pi / 2)) ** 2
            hi = np.sin(np.clip(y0 + spread, 0, np.pi / 2)) ** 2
        else:
            lo, hi = proportion_confint(m * theta, m, alpha=1 - level, method="wilson")
        lower[ok], upper[ok] = lo * scale, hi * scale
    else:
        expected = target * m / scale
        if tau2 > 0 and transform == "sqrt":
            spread = z * np.sqrt(1 / (4 * expected) + tau2)
            lo = np.clip(1 - spread, 0, None) ** 2 * target
            hi = (1 + spread) ** 2 * target
        elif tau2 > 0:
            spread = z * np.sqrt(1 / expected + tau2)
            lo, hi = np.exp(-spread) * target, np.exp(spread) * target
        else:
            lo, hi = confint_poisson(expected, m / scale, method="exact-c", alpha=1 - level)
        lower[ok], upper[ok] = lo, hi
    return lower, upper


def _values(numerator: FloatArray, denominator: FloatArray, scale: float) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator * scale, np.nan)


def overdispersion(
    kind: FunnelKind,
    numerator: ArrayLike,
    denominator: ArrayLike,
    target: float,
    *,
    per: float | None = None,
    sd: float | None = None,
    value: ArrayLike | None = None,
    transform: RateTransform = "sqrt",
) -> Overdispersion:
    """Spiegelhalter's additive over-dispersion estimate over the LAs given.

    z-scores are winsorised by count (scipy), not by quantile as FunnelPlotR does. Units whose
    transformed value is not finite (a zero count under the log transform) are left out.
    For a mean, ``value`` is each LA's mean (default numerator / denominator) and ``sd`` the
    England child-level standard deviation.
    """
    _check(kind, transform)
    scale = DEFAULT_PER[kind] if per is None else per
    o = as_float(numerator)
    n = as_float(denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "proportion":
            p = o / n
            y = np.arcsin(np.sqrt(np.clip(p, 0, 1)))
            y = np.where((p >= 0) & (p <= 1), y, np.nan)
            s = 1 / (2 * np.sqrt(n))
            y0 = float(np.arcsin(np.sqrt(target / scale)))
        elif kind == "rate":
            expected = target * n / scale
            ratio = o / expected
            if transform == "sqrt":
                y, s = np.sqrt(ratio), 1 / (2 * np.sqrt(expected))
                y0 = 1.0
            else:
                y, s = np.log(ratio), 1 / np.sqrt(expected)
                y0 = 0.0
        else:
            if sd is None:
                raise ValueError("over-dispersion for a mean needs the standard deviation (sd=)")
            y = _values(o, n, 1.0) if value is None else as_float(value)
            s = sd / np.sqrt(n)
            y0 = float(target)
        z = (y - y0) / s
    keep = np.isfinite(z) & np.isfinite(s) & (s > 0)
    units = int(keep.sum())
    if units == 0:
        return Overdispersion(phi=float("nan"), tau2=0.0, units=0)
    winsorised = np.asarray(mstats.winsorize(z[keep], limits=WINSORISE), dtype=np.float64)
    phi = float(np.mean(winsorised**2))
    if units * phi <= units - 1:
        return Overdispersion(phi=phi, tau2=0.0, units=units)
    w = 1 / s[keep] ** 2
    tau2 = (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum())
    return Overdispersion(phi=phi, tau2=float(tau2), units=units)


def funnel(
    kind: FunnelKind,
    numerator: ArrayLike,
    denominator: ArrayLike,
    target: float,
    *,
    per: float | None = None,
    sd: float | None = None,
    value: ArrayLike | None = None,
    adjust: bool = True,
    transform: RateTransform = "sqrt",
    points: int = 200,
) -> FunnelLimits:
    """Limits at 95% and 99.8% over a geometric grid spanning the LAs' denominators.

    With ``adjust`` the over-dispersion test always runs; the limits are widened only when it
    finds tau2 > 0 (``adjusted`` then says so).
    """
    _check(kind, transform)
    scale = DEFAULT_PER[kind] if per is None else per
    n = as_float(denominator)
    od = overdispersion(
        kind, numerator, n, target, per=scale, sd=sd, value=value, transform=transform
    )
    tau2 = od.tau2 if adjust else 0.0
    usable = n[np.isfinite(n) & (n > 0)]
    if usable.size == 0:
        raise ValueError("funnel needs at least one positive denominator")
    grid = np.geomspace(usable.min(), usable.max(), points)
    limits = {
        level: control_limits(
            kind, target, grid, level, per=scale, sd=sd, tau2=tau2, transform=transform
        )
        for level in (0.95, 0.998)
    }
    return FunnelLimits(
        kind=kind,
        target=float(target),
        per=scale,
        denominators=grid,
        lower_95=limits[0.95][0],
        upper_95=limits[0.95][1],
        lower_998=limits[0.998][0],
        upper_998=limits[0.998][1],
        phi=od.phi,
        tau2=tau2,
        adjusted=tau2 > 0,
        transform=transform,
        sd=sd,
    )


def _position(values: FloatArray, lower: FloatArray, upper: FloatArray) -> FloatArray:
    out = np.full(values.shape, "", dtype=object)
    known = np.isfinite(values) & np.isfinite(lower) & np.isfinite(upper)
    out[known] = "inside"
    out[known & (values > upper)] = "above"
    out[known & (values < lower)] = "below"
    return out


def funnel_position(
    limits: FunnelLimits,
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    value: ArrayLike | None = None,
) -> pd.DataFrame:
    """Each LA against the funnel at its own denominator: ``inside``, ``above`` or ``below``
    in columns ``position_95`` and ``position_998`` (empty where there is no value)."""
    n = as_float(denominator)
    values = _values(as_float(numerator), n, limits.per) if value is None else as_float(value)
    columns: dict[str, FloatArray] = {"value": values}
    for level, suffix in ((0.95, "95"), (0.998, "998")):
        lower, upper = control_limits(
            limits.kind,
            limits.target,
            n,
            level,
            per=limits.per,
            sd=limits.sd,
            tau2=limits.tau2,
            transform=limits.transform,
        )
        columns[f"lower_{suffix}"] = lower
        columns[f"upper_{suffix}"] = upper
        columns[f"position_{suffix}"] = _position(values, lower, upper)
    return pd.DataFrame(columns)
