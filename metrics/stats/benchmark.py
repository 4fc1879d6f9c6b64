"""Benchmarks that put an LA's value in context: against England, in LAIT quartile bands, as a
national rank, and against its statistical neighbours.

The rules follow the two tools users already know (methods.md sections 3 to 5): Fingertips'
single-interval comparison with England (method 1), LAIT's quartile bands and rank, and both the
DfE dashboard's neighbour median and LAIT's neighbour mean. Where neither tool documents a
choice (values on a band cut-point; too few neighbours left after suppression) the rule chosen
is written down here and tested. Missing values (suppressed or not applicable) never get a
comparison, band or rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd

from metrics.stats.intervals import ArrayLike, as_float

Polarity: TypeAlias = Literal["high_is_good", "low_is_good", "no_judgement"]

# The catalogue spells polarity as methods.md does; the brief's spellings are accepted too.
_POLARITY_ALIASES: dict[str, str] = {
    "high_is_good": "high_is_good",
    "higher_better": "high_is_good",
    "low_is_good": "low_is_good",
    "lower_better": "low_is_good",
    "no_judgement": "no_judgement",
    "": "no_judgement",
}
BANDS = ("A", "B", "C", "D")
MIN_NEIGHBOURS = 5  # our rule, not DfE's: no neighbour summary from fewer than 5 of 10


def normalise_polarity(polarity: str | None) -> str:
    """``high_is_good``, ``low_is_good`` or ``no_judgement``; raises on anything else."""
    key = "" if polarity is None else str(polarity).strip()
    if key not in _POLARITY_ALIASES:
        raise ValueError(
            f"unknown polarity {polarity!r}; expected high_is_good, low_is_good or no_judgement"
        )
    return _POLARITY_ALIASES[key]


def compare_to_benchmark(
    lower: ArrayLike, upper: ArrayLike, benchmark: ArrayLike, polarity: str | None
) -> np.ndarray:
    """Fingertips comparator method 1 (single 95% interval).

    ``higher`` when the LA's lower limit is above the benchmark, ``lower`` when its upper limit
    is below it, otherwise ``similar``; mapped to ``better``/``worse`` by polarity. Empty where
    the interval or benchmark is missing.
    """
    direction = normalise_polarity(polarity)
    lo, hi, bench = np.broadcast_arrays(as_float(lower), as_float(upper), as_float(benchmark))
    out = np.full(lo.shape, "", dtype=object)
    known = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(bench)
    above = known & (lo > bench)
    below = known & (hi < bench)
    out[known] = "similar"
    high_word, low_word = {
        "high_is_good": ("better", "worse"),
        "low_is_good": ("worse", "better"),
        "no_judgement": ("higher", "lower"),
    }[direction]
    out[above] = high_word
    out[below] = low_word
    return out


def quartile_cuts(values: ArrayLike) -> np.ndarray:
    """The 25th, 50th and 75th percentiles of the non-missing values (R type 7 / linear)."""
    v = as_float(values)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.full(3, np.nan)
    return np.quantile(v, [0.25, 0.5, 0.75], method="linear")


def quartile_bands(values: ArrayLike, polarity: str | None) -> np.ndarray:
    """LAIT bands A (best) to D; a value equal to a cut-point falls in the lower band.

    Empty for missing values and for indicators with no polarity (LAIT shows "-").
    """
    direction = normalise_polarity(polarity)
    v = as_float(values)
    out = np.full(v.shape, "", dtype=object)
    known = np.isfinite(v)
    if direction == "no_judgement" or not known.any():
        return out
    # side="left" counts the cut-points strictly below the value, so ties go to the lower band.
    from_lowest = np.searchsorted(quartile_cuts(v), v[known], side="left")
    index = from_lowest if direction == "low_is_good" else 3 - from_lowest
    out[known] = np.asarray(BANDS, dtype=object)[index]
    return out


def national_rank(values: ArrayLike, polarity: str | None) -> pd.Series:
    """Rank 1 = best, ties share the better rank; all missing without a polarity."""
    direction = normalise_polarity(polarity)
    series = pd.Series(as_float(values))
    if direction == "no_judgement":
        return pd.Series(pd.NA, index=series.index, dtype="Int64")
    ranks = series.rank(method="min", ascending=direction == "low_is_good", na_option="keep")
    return ranks.astype("Int64")


def neighbour_summary(
    values: pd.DataFrame,
    neighbours: pd.DataFrame,
    *,
    by: Sequence[str] = (),
    area: str = "area_code",
    value: str = "value",
    la: str = "ons_code",
    neighbour: str = "neighbour_ons_code",
    minimum: int = MIN_NEIGHBOURS,
) -> pd.DataFrame:
    """Median (DfE dashboard) and mean (LAIT) of each LA's neighbours' values, per ``by`` group.

    ``values`` has columns ``by`` + ``area`` + ``value``; ``neighbours`` one row per LA and
    neighbour (the reference ``statistical_neighbours.csv``). Missing or suppressed neighbour
    values drop out; ``neighbours_used`` and ``neighbours_total`` say how many were used, and the
    summaries are missing when fewer than ``minimum`` remain. The spread (min, max) is included.
    """
    keys = list(by)
    missing = [c for c in [*keys, area, value] if c not in values.columns]
    missing += [f"neighbours.{c}" for c in (la, neighbour) if c not in neighbours.columns]
    if missing:
        raise ValueError(f"neighbour_summary: missing column(s) {', '.join(missing)}")
    pairs = neighbours[[la, neighbour]].rename(columns={la: area, neighbour: "_neighbour"})
    areas = values[[*keys, area]].drop_duplicates()
    wanted = areas.merge(pairs, on=area, how="inner")
    found = values[[*keys, area, value]].rename(columns={area: "_neighbour", value: "_value"})
    found = found.assign(_value=as_float(found["_value"]))
    joined = wanted.merge(found, on=[*keys, "_neighbour"], how="left")
    grouped = joined.groupby([*keys, area], sort=True, dropna=False)["_value"]
    summary = grouped.agg(
        neighbour_median="median",
        neighbour_mean="mean",
        neighbour_min="min",
        neighbour_max="max",
        neighbours_used="count",
        neighbours_total="size",
    ).reset_index()
    too_few = summary["neighbours_used"] < minimum
    for column in ("neighbour_median", "neighbour_mean", "neighbour_min", "neighbour_max"):
        summary.loc[too_few, column] = np.nan
    return summary


def grouped_quartiles_and_ranks(
    values: ArrayLike, groups: ArrayLike, polarity: ArrayLike, eligible: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`quartile_bands` and :func:`national_rank` for many groups at once.

    ``groups`` labels each row's comparison set (indicator x year x breakdown value), ``polarity``
    is per row (constant within a group) and only ``eligible`` rows (LAs) are banded, ranked or
    used for the cut-points. Returns bands ('' where none) and ranks (NaN where none) as arrays;
    the build calls this once for thousands of groups instead of looping over them.
    """
    v = as_float(values)
    g = np.asarray(groups)
    pol = np.array([normalise_polarity(str(p)) for p in np.asarray(polarity, dtype=object)])
    use = np.asarray(eligible, dtype=bool) & np.isfinite(v) & (pol != "no_judgement")
    bands = np.full(v.shape, "", dtype=object)
    ranks = np.full(v.shape, np.nan)
    if not use.any():
        return bands, ranks
    frame = pd.DataFrame({"g": g[use], "v": v[use], "low": pol[use] == "low_is_good"})
    cuts = frame.groupby("g")["v"].quantile(np.array([0.25, 0.5, 0.75])).unstack()
    below = np.zeros(len(frame), dtype=np.int64)
    for q in (0.25, 0.5, 0.75):
        # A value on a cut-point falls in the lower band, as in quartile_bands.
        below += (frame["v"].to_numpy() > frame["g"].map(cuts[q]).to_numpy()).astype(np.int64)
    low = frame["low"].to_numpy()
    index = np.where(low, below, 3 - below)
    bands[use] = np.asarray(BANDS, dtype=object)[index]
    # Rank 1 = best: rank the value (low is good) or its negation (high is good), ties sharing.
    key = np.where(low, frame["v"].to_numpy(), -frame["v"].to_numpy())
    ranks[use] = frame.assign(k=key).groupby("g")["k"].rank(method="min").to_numpy()
    return bands, ranks
