"""How build time grows with ``--scale``: the slope of log(time) against log(scale).

A slope of 1 is linear growth; below 1 means fixed costs dominate at small scales; above 1 means
something grows faster than the data (a quadratic join, memory pressure), which is what the issue's
"no worse than linear" target is meant to catch.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class PowerFit:
    """``time ~ coefficient * scale ** exponent`` fitted by least squares on logs."""

    exponent: float
    coefficient: float
    r_squared: float


def loglog_fit(scales: Sequence[float], times: Sequence[float]) -> PowerFit:
    """Least-squares line through (log scale, log time); needs two or more distinct scales."""
    if len(scales) != len(times):
        raise ValueError(f"{len(scales)} scales but {len(times)} times")
    if len(scales) < 2:
        raise ValueError(f"need at least two points to fit, got {len(scales)}")
    for label, values in (("scale", scales), ("time", times)):
        bad = [v for v in values if not v > 0]
        if bad:
            raise ValueError(f"every {label} must be positive, got {bad[0]!r}")
    xs = [math.log(s) for s in scales]
    ys = [math.log(t) for t in times]
    n = len(xs)
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        raise ValueError("need at least two distinct scales to fit")
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    syy = sum((y - mean_y) ** 2 for y in ys)
    residual = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    r_squared = 1.0 if syy == 0 else 1.0 - residual / syy
    return PowerFit(exponent=slope, coefficient=math.exp(intercept), r_squared=r_squared)


def step_exponents(scales: Sequence[float], times: Sequence[float]) -> list[float]:
    """The slope between each pair of neighbouring scales (sorted): where growth turns steeper.

    A single fitted exponent can hide a last step that grows faster than linearly behind fixed
    costs that dominate the small scales.
    """
    points = sorted(zip(scales, times, strict=True))
    return [
        math.log(t2 / t1) / math.log(s2 / s1) for (s1, t1), (s2, t2) in itertools.pairwise(points)
    ]
