"""The recent-trend marker (Fingertips "recent trend"), over the last five time points.

methods.md section 6: proportions get the chi-square test for linear trend (Cochran-Armitage,
as statsmodels' ordinal-association test), other measures an inverse-variance weighted
regression of value on time; both are significant when the statistic exceeds the 99.8% point of
chi-square on 1 degree of freedom. The scalar functions call statsmodels and are the reference;
the frame-wide function computes the same statistics in closed form with numpy, because a build
has one series per LA x indicator x breakdown (hundreds of thousands of tiny fits), and is tested
against the scalar ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.contingency_tables import Table

from metrics.stats.intervals import ArrayLike, FloatArray, as_float

TrendKind: TypeAlias = Literal["proportion", "other"]

WINDOW = 5
THRESHOLD = float(stats.chi2.ppf(0.998, 1))  # 9.5495
Z95 = 2 * float(stats.norm.ppf(0.975))  # 3.92: a 95% interval is this many standard errors wide
INCREASING, DECREASING, NO_CHANGE, CANNOT = (
    "increasing",
    "decreasing",
    "no significant change",
    "",
)


@dataclass(frozen=True)
class Trend:
    outcome: str  # increasing | decreasing | no significant change | "" (cannot be calculated)
    statistic: float  # chi-square on 1 df; NaN when it cannot be calculated
    direction: float  # the sign carrier: z-score (proportions) or slope (others)


def _outcome(statistic: FloatArray, direction: FloatArray, valid: np.ndarray) -> np.ndarray:
    out = np.full(statistic.shape, CANNOT, dtype=object)
    out[valid] = NO_CHANGE
    significant = valid & (statistic > THRESHOLD)
    out[significant & (direction > 0)] = INCREASING
    out[significant & (direction < 0)] = DECREASING
    return out


def _times(times: ArrayLike | None, size: int) -> FloatArray:
    return np.arange(size, dtype=np.float64) if times is None else as_float(times)


def proportion_trend(
    numerators: ArrayLike, denominators: ArrayLike, times: ArrayLike | None = None
) -> Trend:
    """Cochran-Armitage test on the last five points, via statsmodels.

    statsmodels' z-score squared is the Cochran-Armitage statistic x (N - 1) / N; negligible
    at LA sizes. No zero-cell shift is applied.
    """
    o = as_float(numerators)[-WINDOW:]
    n = as_float(denominators)[-WINDOW:]
    t = _times(times, as_float(numerators).size)[-WINDOW:]
    if o.size < WINDOW or not _proportions_valid(o, n).all():
        return Trend(CANNOT, float("nan"), float("nan"))
    table = Table(np.column_stack([o, n - o]), shift_zeros=False)
    if o.sum() in (0, n.sum()):
        return Trend(NO_CHANGE, 0.0, 0.0)
    z = float(table.test_ordinal_association(row_scores=t, col_scores=np.array([1, 0])).zscore)
    return Trend(str(_outcome(np.array([z * z]), np.array([z]), np.array([True]))[0]), z * z, z)


def wls_trend(
    values: ArrayLike, lower_95: ArrayLike, upper_95: ArrayLike, times: ArrayLike | None = None
) -> Trend:
    """Weighted regression of value on time, weights 1 / ((U95 - L95) / 3.92)^2, statsmodels."""
    y = as_float(values)[-WINDOW:]
    width = (as_float(upper_95) - as_float(lower_95))[-WINDOW:]
    t = _times(times, as_float(values).size)[-WINDOW:]
    if y.size < WINDOW or not _values_valid(y, width).all():
        return Trend(CANNOT, float("nan"), float("nan"))
    weights = 1 / (width / Z95) ** 2
    fit = sm.WLS(y, sm.add_constant(t), weights=weights).fit()
    slope, se = float(fit.params[1]), float(fit.bse[1])
    statistic = _wls_statistic(np.array([slope]), np.array([se]), y[None, :], t[None, :])[0]
    outcome = _outcome(np.array([statistic]), np.array([slope]), np.array([True]))[0]
    return Trend(str(outcome), float(statistic), slope)


def _proportions_valid(o: FloatArray, n: FloatArray) -> np.ndarray:
    return np.isfinite(o) & np.isfinite(n) & (n > 0) & (o >= 0) & (o <= n)


def _values_valid(y: FloatArray, width: FloatArray) -> np.ndarray:
    return np.isfinite(y) & np.isfinite(width) & (width > 0)


def _wls_statistic(slope: FloatArray, se: FloatArray, y: FloatArray, t: FloatArray) -> FloatArray:
    """(slope / se)^2, with a flat series scoring 0 and an exact non-flat line scoring inf."""
    span = np.nanmax(t, axis=1) - np.nanmin(t, axis=1)
    # The largest |value| of each window, 0 where it has none (nanmax would warn): such a
    # window is not valid, and its slope is NaN, so it is never taken as flat either way.
    size = np.max(np.abs(np.where(np.isnan(y), 0.0, y)), axis=1)
    flat = np.abs(slope) * span <= 1e-9 * size
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(se > 0, (slope / se) ** 2, np.inf)
    return np.where(flat, 0.0, statistic)


def _proportion_windows(o: FloatArray, n: FloatArray, t: FloatArray) -> tuple[FloatArray, ...]:
    total_n = n.sum(axis=1)
    events = o.sum(axis=1)
    stat_t = (t * o).sum(axis=1)
    tn = (t * n).sum(axis=1)
    t2n = (t * t * n).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = tn * events / total_n
        var = (t2n - tn**2 / total_n) * (events - events**2 / total_n) / (total_n - 1)
        z = (stat_t - mean) / np.sqrt(var)
    z = np.where(var > 0, z, 0.0)
    return z * z, z


def _wls_windows(y: FloatArray, width: FloatArray, t: FloatArray) -> tuple[FloatArray, ...]:
    w = 1 / (width / Z95) ** 2
    sw = w.sum(axis=1)
    t_bar = (w * t).sum(axis=1) / sw
    y_bar = (w * y).sum(axis=1) / sw
    dt = t - t_bar[:, None]
    sxx = (w * dt * dt).sum(axis=1)
    slope = (w * dt * (y - y_bar[:, None])).sum(axis=1) / sxx
    resid = y - y_bar[:, None] - slope[:, None] * dt
    scale = (w * resid * resid).sum(axis=1) / (y.shape[1] - 2)
    se = np.sqrt(scale / sxx)
    return _wls_statistic(slope, se, y, t), slope


def recent_trends(
    frame: pd.DataFrame,
    *,
    kind: TrendKind,
    by: Sequence[str],
    time: str = "time_period",
    axis: ArrayLike | None = None,
) -> pd.DataFrame:
    """The trend marker for every row of ``frame``, over the five time points ending at it.

    Proportions read ``numerator`` and ``denominator``; other measures ``value``, ``lower_95``
    and ``upper_95``. The time axis is every distinct ``time`` in the frame, so a group missing
    a year in its window cannot be calculated; ``axis`` gives it instead, so that a frame holding
    only some years (a rebuild after one LA's import) still has the windows of the whole series.
    Returns ``by`` + ``time`` + ``trend`` + ``trend_statistic``, one row per input row, in the
    input order.
    """
    if kind not in ("proportion", "other"):
        raise ValueError(f"unknown trend kind {kind!r}; expected 'proportion' or 'other'")
    keys = list(by)
    fields = (
        ["numerator", "denominator"] if kind == "proportion" else ["value", "lower_95", "upper_95"]
    )
    missing = [c for c in [*keys, time, *fields] if c not in frame.columns]
    if missing:
        raise ValueError(f"recent_trends: missing column(s) {', '.join(missing)}")
    rows = frame[[*keys, time]]
    duplicated = rows.duplicated()
    if duplicated.any():
        first = rows[duplicated].iloc[0].to_dict()
        raise ValueError(f"recent_trends: more than one row for {first}")
    present = np.sort(frame[time].dropna().unique())
    if axis is None:
        axis = present
    else:
        axis = np.sort(np.unique(as_float(axis)))
        outside = np.setdiff1d(as_float(present), axis)
        if outside.size:
            raise ValueError(f"recent_trends: time {outside[0]:g} is not on the given axis")
    groups = frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy() if keys else None
    group_index = np.zeros(len(frame), dtype=np.int64) if groups is None else groups
    time_index = np.searchsorted(axis, frame[time].to_numpy())
    n_groups = int(group_index.max()) + 1 if len(frame) else 0
    wide = {}
    for field in fields:
        grid = np.full((n_groups, axis.size), np.nan)
        grid[group_index, time_index] = as_float(frame[field])
        wide[field] = grid
    statistic = np.full((n_groups, axis.size), np.nan)
    outcome = np.full((n_groups, axis.size), CANNOT, dtype=object)
    times = as_float(axis)
    for end in range(WINDOW - 1, axis.size):
        span = slice(end - WINDOW + 1, end + 1)
        t = np.broadcast_to(times[span], (n_groups, WINDOW))
        if kind == "proportion":
            o, n = wide["numerator"][:, span], wide["denominator"][:, span]
            valid = np.asarray(_proportions_valid(o, n).all(axis=1), dtype=bool)
            with np.errstate(divide="ignore", invalid="ignore"):
                stat, direction = _proportion_windows(o, n, t)
        else:
            y = wide["value"][:, span]
            width = wide["upper_95"][:, span] - wide["lower_95"][:, span]
            valid = np.asarray(_values_valid(y, width).all(axis=1), dtype=bool)
            with np.errstate(divide="ignore", invalid="ignore"):
                stat, direction = _wls_windows(y, width, t)
        statistic[:, end] = np.where(valid, stat, np.nan)
        outcome[:, end] = _outcome(stat, direction, valid)
    result = rows.copy()
    result["trend"] = outcome[group_index, time_index]
    result["trend_statistic"] = statistic[group_index, time_index]
    return result.reset_index(drop=True)
