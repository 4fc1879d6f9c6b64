"""Percentiles of timings, with the slowest inputs kept by name.

A p95 alone says that something is slow but not what: the lead needs the inputs behind the tail
to fix them, so every summary carries the few slowest labels beside the figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) by linear interpolation between the closest ranks
    (numpy's default): rank ``q/100 * (n - 1)`` in the sorted values."""
    if not values:
        raise ValueError("no values to take a percentile of")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be between 0 and 100, got {q}")
    ordered = sorted(float(v) for v in values)
    rank = q / 100 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(
    seconds: Sequence[float], labels: Sequence[str] | None = None, slowest: int = 5
) -> dict[str, Any]:
    """n, p50, p95, max and mean in milliseconds, and the ``slowest`` labels with their times."""
    if labels is not None and len(labels) != len(seconds):
        raise ValueError(f"{len(seconds)} timings but {len(labels)} labels")
    ms = [s * 1000 for s in seconds]
    out: dict[str, Any] = {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "max_ms": max(ms),
        "mean_ms": sum(ms) / len(ms),
    }
    if labels is not None:
        order = sorted(range(len(ms)), key=lambda i: ms[i], reverse=True)[:slowest]
        out["slowest"] = [{"input": labels[i], "ms": ms[i]} for i in order]
    return out
