"""Statistics for the tidy indicator table, kept as pure functions of columns so they can be
tested against published reference values and reused by the build, the dashboard and the API.
"""

from metrics.stats.benchmark import (
    compare_to_benchmark,
    national_rank,
    neighbour_summary,
    quartile_bands,
    quartile_cuts,
)
from metrics.stats.funnel import FunnelLimits, control_limits, funnel, funnel_position
from metrics.stats.intervals import interval, interval_columns, poisson_rate, t_mean, wilson
from metrics.stats.trend import proportion_trend, recent_trends, wls_trend

__all__ = [
    "FunnelLimits",
    "compare_to_benchmark",
    "control_limits",
    "funnel",
    "funnel_position",
    "interval",
    "interval_columns",
    "national_rank",
    "neighbour_summary",
    "poisson_rate",
    "proportion_trend",
    "quartile_bands",
    "quartile_cuts",
    "recent_trends",
    "t_mean",
    "wilson",
    "wls_trend",
]
