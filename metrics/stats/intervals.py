"""Confidence intervals for indicator values, vectorised over whole columns.

DfE publishes no intervals for children's social care, so every interval on the dashboard is our
addition; methods.md section 1 fixes which method each unit gets and names the library call, so
this module is a thin, NaN-safe layer over statsmodels and scipy rather than hand-written
formulas. Inputs may be missing (suppressed or not applicable cells) or have a zero denominator;
those positions come back as NaN instead of raising or warning, so a build can pass whole columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.rates import confint_poisson

FloatArray: TypeAlias = npt.NDArray[np.float64]
ArrayLike: TypeAlias = npt.ArrayLike
IntervalMethod: TypeAlias = Literal["wilson", "poisson_exact", "t_mean", "none"]

INTERVAL_METHODS: tuple[str, ...] = ("wilson", "poisson_exact", "t_mean", "none")
LEVELS: tuple[float, float] = (0.95, 0.998)
# The per-method scale when the caller gives none: percentages, rates per 10,000, plain means.
DEFAULT_PER: dict[str, float] = {"wilson": 100.0, "poisson_exact": 10_000.0, "t_mean": 1.0}


def as_float(values: ArrayLike) -> FloatArray:
    """A float array, with pandas NA / None turned into NaN."""
    if isinstance(values, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        return values.to_numpy(dtype=np.float64, na_value=np.nan)
    try:
        return np.asarray(values, dtype=np.float64)
    except TypeError:
        objects = np.array(values, dtype=object)
        objects[pd.isna(objects)] = np.nan
        return objects.astype(np.float64)


def _alpha(level: float) -> float:
    if not 0.0 < float(level) < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, got {level!r}")
    return 1.0 - float(level)


def _masked(
    valid: npt.NDArray[np.bool_], shape: tuple[int, ...], compute: Callable[[], tuple]
) -> tuple[FloatArray, FloatArray]:
    lower = np.full(shape, np.nan)
    upper = np.full(shape, np.nan)
    if valid.any():
        lo, hi = compute()
        lower[valid] = lo
        upper[valid] = hi
    return lower, upper


def wilson(
    count: ArrayLike, n: ArrayLike, level: float = 0.95, *, per: float = 1.0
) -> tuple[FloatArray, FloatArray]:
    """Wilson score interval for count/n, scaled by ``per`` (1 for a proportion, 100 for a %)."""
    alpha = _alpha(level)
    o, d = np.broadcast_arrays(as_float(count), as_float(n))
    valid = np.isfinite(o) & np.isfinite(d) & (d > 0) & (o >= 0) & (o <= d)
    lower, upper = _masked(
        valid,
        o.shape,
        lambda: proportion_confint(o[valid], d[valid], alpha=alpha, method="wilson"),
    )
    return lower * per, upper * per


def poisson_rate(
    count: ArrayLike, denominator: ArrayLike, per: float = 10_000, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Exact Poisson interval for count/denominator x per (statsmodels ``exact-c``)."""
    alpha = _alpha(level)
    o, d = np.broadcast_arrays(as_float(count), as_float(denominator))
    valid = np.isfinite(o) & np.isfinite(d) & (d > 0) & (o >= 0)
    return _masked(
        valid,
        o.shape,
        lambda: confint_poisson(o[valid], d[valid] / per, method="exact-c", alpha=alpha),
    )


def t_mean(
    mean: ArrayLike, sd: ArrayLike, n: ArrayLike, level: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """t interval for a mean from its summary statistics (sd with n - 1 divisor), n >= 2."""
    alpha = _alpha(level)
    m, s, k = np.broadcast_arrays(as_float(mean), as_float(sd), as_float(n))
    valid = np.isfinite(m) & np.isfinite(s) & np.isfinite(k) & (k >= 2) & (s >= 0)

    def compute() -> tuple[FloatArray, FloatArray]:
        half = stats.t.ppf(1 - alpha / 2, k[valid] - 1) * s[valid] / np.sqrt(k[valid])
        return m[valid] - half, m[valid] + half

    return _masked(valid, m.shape, compute)


def interval(
    method: str,
    numerator: ArrayLike,
    denominator: ArrayLike,
    level: float = 0.95,
    *,
    per: float | None = None,
    value: ArrayLike | None = None,
    sd: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Dispatch on the catalogue's interval name.

    ``per`` defaults to 100 for ``wilson`` (percentages), 10,000 for ``poisson_exact``. For
    ``t_mean`` the mean is ``value`` (or numerator / denominator when no value is given), the
    denominator is the number of children and ``sd`` their standard deviation.
    """
    if method not in INTERVAL_METHODS:
        raise ValueError(
            f"unknown interval method {method!r}; expected one of {', '.join(INTERVAL_METHODS)}"
        )
    scale = DEFAULT_PER.get(method, 1.0) if per is None else per
    if method == "wilson":
        return wilson(numerator, denominator, level, per=scale)
    if method == "poisson_exact":
        return poisson_rate(numerator, denominator, per=scale, level=level)
    shape = np.broadcast(as_float(numerator), as_float(denominator)).shape
    if method == "t_mean":
        if sd is None:
            raise ValueError("interval method 't_mean' needs the standard deviation (sd=)")
        if value is None:
            with np.errstate(divide="ignore", invalid="ignore"):
                value = as_float(numerator) / as_float(denominator)
        return t_mean(value, sd, denominator, level)
    _alpha(level)
    return np.full(shape, np.nan), np.full(shape, np.nan)


def interval_columns(
    method: str,
    numerator: ArrayLike,
    denominator: ArrayLike,
    *,
    per: float | None = None,
    value: ArrayLike | None = None,
    sd: ArrayLike | None = None,
) -> dict[str, FloatArray]:
    """The four tidy-table columns lower_95, upper_95, lower_998, upper_998 in one call."""
    columns: dict[str, FloatArray] = {}
    for level, suffix in zip(LEVELS, ("95", "998"), strict=True):
        lower, upper = interval(method, numerator, denominator, level, per=per, value=value, sd=sd)
        columns[f"lower_{suffix}"] = lower
        columns[f"upper_{suffix}"] = upper
    return columns
