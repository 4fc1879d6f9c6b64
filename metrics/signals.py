"""Hidden-need signals: where an LA's figures suggest children are missing, not absent.

The Children's Information Project (Rees Centre) warns that a low rate may mean need is hidden
(high thresholds, under-identification, referrers who gave up) rather than absent, and that a group
of children seen far less often than its share of the child population suggests may be missing
from services. A raw rate cannot tell these apart from genuinely low need, so each signal compares
the LA with what would be expected, and says so in a sentence a manager can read:

- ``expected_rate``: the LA's count against the count expected from its deprivation (the share
  of pupils eligible for free school meals) and its size. For each indicator and year a negative
  binomial regression (NB2, log link, ``count ~ fsm_share`` with log(denominator) as offset) is
  fitted across LAs with statsmodels. LA rates vary far more than Poisson noise (methods.md
  section 2.1) and roughly in proportion to their size, which NB2's variance mu + alpha mu^2
  captures and quasi-Poisson's phi mu does not. The 95% range is the central 95% of a negative
  binomial with the fitted mean and dispersion alpha + v, where v is the sampling variance of
  the fitted log mean (delta method): the counts an LA like this one would plausibly have.
  Fitted only when at least ``MIN_LAS`` LAs have an unsuppressed count and an FSM share; LAs
  marked ``u`` are predicted but not fitted on.
- ``disparity_<breakdown>_<value>``: a group's figure against the figure for all children in the
  same LA and year. For a rate with a population denominator that is the group's share of the
  indicator's children over its share of the child population. The 95% range is a log-ratio
  (Katz-type) interval whose variance allows for the group being part of the total: with a of A
  events and d of D in the denominator, 1/a - 1/A for Poisson rates, and for proportions
  q1/a + (a q1 + a0 q0)/A^2 - 2 q1/A (q the complements of the group's and the rest's
  proportions, a0 = A - a). A group with no events gets ratio 0 and an upper limit from the
  exact Poisson limit for a count of 0. For means (Attainment 8, SDQ, months to match) the same
  log-ratio, with standard errors taken back from the published t intervals. Groups ``Unknown``
  and ``Not recorded`` are not populations one can be missing from, so they get no row.
- Disability for rates: ONS publishes no population by disability, so population-based rates
  have no disability rows to compare (``metrics.build`` skips them) and no
  ``disparity_disability`` signal; for proportions and means disabled children are compared with
  all children like any other group.

Every row is observed against expected: ``numerator`` is the observed count (or sum), the
``denominator`` what it would be at the model's or the whole LA's rate, ``value`` their ratio.
Signals are computed only from cells that passed disclosure control unsuppressed (status empty or
``u``): a group or total marked ``c``, ``k``, ``x`` or ``z`` gets no row, so no signal reveals or
narrows down a hidden count. Signals are for LAs only; England and regions have nothing to be
compared with.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import numpy.typing as npt
import pandas as pd
import sqlalchemy as sa
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from data.schema import edu_la_baseline
from metrics.catalogue import SIGNAL_BREAKDOWN, Indicator
from metrics.tidy import coverage_values

FloatArray = npt.NDArray[np.float64]

COLUMNS = [c.name for c in coverage_values.columns]
VALUE_COLUMNS = (
    "time_period", "area_code", "area_name", "indicator_id", "breakdown", "breakdown_value",
    "numerator", "denominator", "value", "lower_95", "upper_95", "status",
)  # fmt: skip
FSM_MEASURE = "fsm_eligible"
LA_LEVEL = "local_authority"
MIN_LAS = 10
USABLE = ("", "u")  # statuses a signal may be computed from; never c, k, x or z
NOT_A_GROUP = ("Unknown", "Not recorded")
Z95 = float(stats.norm.ppf(0.975))
ZERO_UPPER = float(stats.chi2.ppf(0.975, 2) / 2)  # exact upper 95% limit for a Poisson count 0

GROUP_NAMES = {
    "White": "White children",
    "Mixed": "children of mixed ethnicity",
    "Asian": "Asian children",
    "Black": "Black children",
    "Other": "children of other ethnic groups",
    "Male": "males",
    "Female": "females",
    "Under 1": "babies under 1",
    "1-4": "children aged 1-4",
    "5-9": "children aged 5-9",
    "10-15": "children aged 10-15",
    "16+": "young people aged 16 and over",
    "Disabled": "disabled children",
    "Not disabled": "children recorded as not disabled",
}
EXPECTED_TAIL = {
    "higher": "higher than expected: local thresholds, practice or needs the model cannot see may "
    "explain the difference.",
    "lower": "lower than expected, so some need may be going unidentified.",
    "about": "about as expected for its deprivation and size.",
}
POPULATION_TAIL = {
    "higher": "over-represented relative to their share of the child population.",
    "lower": "under-represented relative to their share of the child population, so some of "
    "these children may be missing from services.",
    "about": "in line with their share of the child population.",
}
GROUP_TAIL = {
    "higher": "higher than for all children.",
    "lower": "lower than for all children.",
    "about": "about the same as for all children.",
}


# ---------------------------------------------------------------------------- context
SIGNAL_YEARS = 3  # the latest years that get signals


def read_context(conn: sa.Connection) -> pd.DataFrame:
    """Per ``year`` and ``la_code``: ``fsm_share``, the fraction of pupils eligible for free
    school meals (``edu_la_baseline`` measure ``fsm_eligible``). Empty when the database has no
    such rows (built before the measure existed); then no ``expected_rate`` signal is made."""
    b = edu_la_baseline
    rows = conn.execute(
        sa.select(b.c.year, b.c.la_code, b.c.numerator, b.c.denominator).where(
            b.c.measure == FSM_MEASURE
        )
    ).fetchall()
    frame = pd.DataFrame(rows, columns=["year", "la_code", "numerator", "denominator"])
    num = pd.to_numeric(frame["numerator"]).astype(float)
    den = pd.to_numeric(frame["denominator"]).astype(float)
    bad = (den <= 0) | (num < 0) | (num > den)
    if bad.any():
        row = frame[bad].iloc[0]
        raise ValueError(
            f"edu_la_baseline: {FSM_MEASURE} for LA {row['la_code']}, year {row['year']}: "
            f"numerator {row['numerator']} is not a count within denominator {row['denominator']}"
        )
    return pd.DataFrame(
        {
            "year": frame["year"].astype(int),
            "la_code": frame["la_code"].astype(str),
            "fsm_share": num / den,
        }
    )


# ---------------------------------------------------------------------------- the signals
def signal_frame(
    values: pd.DataFrame,
    indicators: list[Indicator],
    context: pd.DataFrame,
    geo: pd.DataFrame,
) -> pd.DataFrame:
    """Hidden-need signal rows, in the columns of ``coverage_values``, for every indicator whose
    catalogue entry lists signals. ``values`` is ``indicator_values`` after disclosure control;
    ``context`` comes from :func:`read_context`; ``geo`` maps ``la_code`` to ``area_code``."""
    missing = [c for c in ("geographic_level", *VALUE_COLUMNS) if c not in values]
    if missing:
        raise ValueError(f"signal_frame: values lack column(s) {', '.join(missing)}")
    la = values.loc[values["geographic_level"] == LA_LEVEL, list(VALUE_COLUMNS)]
    # The recent years only: a signal prompts a question about the present, and ten years of
    # them would be most of the coverage table and of the build.
    recent = np.sort(la["time_period"].unique())[-SIGNAL_YEARS:]
    la = la[la["time_period"].isin(recent)]
    # Plain object strings: Arrow-backed text is slow to iterate when writing the sentences.
    text = ["area_code", "area_name", "indicator_id", "breakdown", "breakdown_value", "status"]
    la = la.astype({c: object for c in text})
    by_indicator = dict(tuple(la.groupby("indicator_id", sort=False)))
    parts: list[pd.DataFrame] = []
    for ind in indicators:
        rows = by_indicator.get(ind.id)
        signals = ind.annotations.hidden_needs.signals
        if rows is None or not signals:
            continue
        if "expected_rate" in signals and ind.measure == "rate_per_10000":
            parts.append(_expected_rows(rows, ind, context, geo))
    parts.append(_disparity_rows(la, indicators))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=_dtype(c)) for c in COLUMNS})
    out = pd.concat(parts, ignore_index=True)[COLUMNS]
    # Nothing leaving metrics may read as a count of 1 to 5, even an expected count: such a
    # signal rests on too few children to mean anything, so it is not published.
    small = pd.Series(False, index=out.index)
    for col in ("numerator", "denominator"):
        small |= (out[col] >= 0.5) & (out[col] < 5.5)
    return out[~small.to_numpy()].reset_index(drop=True)


def _dtype(column: str) -> str:
    numbers = ("numerator", "denominator", "value", "lower_95", "upper_95")
    return "float64" if column in numbers else "int64" if column == "time_period" else "object"


def _usable(frame: pd.DataFrame) -> pd.Series:
    status = frame["status"].fillna("").astype(str)
    return status.isin(USABLE) & frame["numerator"].notna()


def _direction(lower: FloatArray, upper: FloatArray) -> npt.NDArray[np.str_]:
    return np.where(lower > 1, "higher", np.where(upper < 1, "lower", "about"))


def _number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _with_unit(value: float, ind: Indicator) -> str:
    text = _number(value, ind.decimals)
    return text + ind.unit if ind.unit.startswith("%") else f"{text} {ind.unit}"


# ---------------------------------------------------------------------------- expected rate
def _fit_expected(
    count: FloatArray, exposure: FloatArray, fsm: FloatArray, fit: npt.NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray] | None:
    """Fitted mean count and effective NB2 dispersion for every row, or None if no fit."""
    # Too few LAs, no spread in deprivation, or (almost) no events: nothing to model.
    if fit.sum() < MIN_LAS or np.ptp(fsm[fit]) <= 0 or np.count_nonzero(count[fit]) < MIN_LAS:
        return None
    design = np.column_stack([np.ones(len(count)), fsm])
    model = NegativeBinomial(
        count[fit], design[fit], loglike_method="nb2", offset=np.log(exposure[fit])
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", HessianInversionWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            result = model.fit(disp=0, maxiter=200)
            cov = np.asarray(result.cov_params())[:2, :2]
        except (np.linalg.LinAlgError, ValueError):
            return None
    params = np.asarray(result.params, dtype=float)
    if not result.mle_retvals.get("converged", False) or not np.isfinite(cov).all():
        return None
    beta, alpha = params[:2], max(float(params[2]), 0.0)
    mean = np.exp(design @ beta + np.log(exposure))
    v = np.einsum("ij,jk,ik->i", design, cov, design)
    return mean, alpha + np.clip(v, 0.0, None)


def _nb_range(mean: FloatArray, alpha: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Central 95% of a negative binomial with this mean and NB2 dispersion (Poisson at 0)."""
    tiny = alpha < 1e-9
    size = 1.0 / np.where(tiny, 1.0, alpha)
    prob = size / (size + mean)
    lower = np.where(
        tiny, stats.poisson.ppf(0.025, mean), stats.nbinom.ppf(0.025, size, prob)
    ).astype(float)
    upper = np.where(
        tiny, stats.poisson.ppf(0.975, mean), stats.nbinom.ppf(0.975, size, prob)
    ).astype(float)
    return lower, upper


def _expected_rows(
    rows: pd.DataFrame, ind: Indicator, context: pd.DataFrame, geo: pd.DataFrame
) -> pd.DataFrame:
    total = rows[(rows["breakdown"] == "total") & _usable(rows)]
    total = total[total["denominator"] > 0]
    codes = geo[["la_code", "area_code"]].astype({"la_code": str})
    ctx = context.rename(columns={"year": "time_period"}).astype({"la_code": str})
    frame = total.merge(codes, on="area_code", how="inner").merge(
        ctx, on=["time_period", "la_code"], how="inner"
    )
    frame = frame[frame["fsm_share"].notna()]
    out = []
    for _, year in frame.groupby("time_period", sort=True):
        count = year["numerator"].to_numpy(dtype=float)
        exposure = year["denominator"].to_numpy(dtype=float)
        fsm = year["fsm_share"].to_numpy(dtype=float)
        fit = (year["status"].fillna("") == "").to_numpy()
        fitted = _fit_expected(count, exposure, fsm, fit)
        if fitted is None:
            continue
        mean, alpha = fitted
        low, high = _nb_range(mean, alpha)
        part = year[["time_period", "area_code", "area_name", "indicator_id"]].copy()
        part["numerator"] = count
        part["denominator"] = mean
        part["value"] = count / mean
        part["lower_95"] = low / mean
        part["upper_95"] = high / mean
        # The observed count against the range of counts, so a count on a limit is "about".
        part["direction"] = np.where(
            count > high, "higher", np.where(count < low, "lower", "about")
        )
        part["rate_scale"] = ind.multiplier / exposure
        out.append(part)
    if not out:
        return pd.DataFrame(columns=COLUMNS)
    result = pd.concat(out, ignore_index=True)
    result["geographic_level"] = LA_LEVEL
    result["measure"] = "expected_rate"
    result["label"] = [
        _expected_label(ind, area, n, e, lo * e, hi * e, scale, d)
        for area, n, e, lo, hi, scale, d in zip(
            result["area_name"],
            result["numerator"],
            result["denominator"],
            result["lower_95"],
            result["upper_95"],
            result["rate_scale"],
            result["direction"],
            strict=True,
        )
    ]
    return result[COLUMNS]


def _expected_label(
    ind: Indicator,
    area: str,
    observed: float,
    expected: float,
    low: float,
    high: float,
    scale: float,
    direction: str,
) -> str:
    d = ind.decimals
    gap = round(100 * (observed / expected - 1))
    side = "above" if gap > 0 else "below"
    compared = f"{abs(gap)}% {side} the" if gap else "close to the"
    return (
        f"{area}: {ind.short_title} {_with_unit(observed * scale, ind)}, {compared} "
        f"{_number(expected * scale, d)} expected from its deprivation and size (95% range "
        f"{_number(low * scale, d)} to {_number(high * scale, d)}): {EXPECTED_TAIL[direction]}"
    )


# ---------------------------------------------------------------------------- disparities
def _slug(value: str) -> str:
    text = value.lower().replace("+", " plus")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def _log_ratio_range(
    ratio: FloatArray, var: FloatArray, observed: FloatArray, expected: FloatArray
) -> tuple[FloatArray, FloatArray]:
    sd = np.sqrt(np.clip(var, 0.0, None))
    zero = observed <= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(zero, 0.0, ratio * np.exp(-Z95 * sd))
        upper = np.where(zero, ZERO_UPPER / expected, ratio * np.exp(Z95 * sd))
    return lower, upper


def _count_disparity(m: pd.DataFrame, poisson: bool) -> pd.DataFrame:
    a = m["numerator"].to_numpy(dtype=float)
    d1 = m["denominator"].to_numpy(dtype=float)
    big_a = m["numerator_all"].to_numpy(dtype=float)
    big_d = m["denominator_all"].to_numpy(dtype=float)
    ok = (d1 > 0) & (big_d >= d1) & (big_a > 0) & (a <= big_a)
    m, a, d1, big_a, big_d = m[ok], a[ok], d1[ok], big_a[ok], big_d[ok]
    expected = big_a * d1 / big_d
    ratio = a / expected
    with np.errstate(divide="ignore", invalid="ignore"):
        if poisson:
            var = 1.0 / a - 1.0 / big_a
        else:
            q1 = 1.0 - a / d1
            rest, d0 = big_a - a, big_d - d1
            q0 = np.where(d0 > 0, 1.0 - rest / np.where(d0 > 0, d0, 1.0), 0.0)
            var = q1 / a + (a * q1 + rest * q0) / big_a**2 - 2.0 * q1 / big_a
    lower, upper = _log_ratio_range(ratio, var, a, expected)
    return m.assign(
        obs=a, exp=expected, ratio=ratio, lower_95=lower, upper_95=upper,
        group_value=m["value"], all_value=m["value_all"],
    )  # fmt: skip


def _mean_disparity(m: pd.DataFrame) -> pd.DataFrame:
    n_g = m["numerator"].to_numpy(dtype=float)
    n_all = m["numerator_all"].to_numpy(dtype=float)
    mean_g = m["value"].to_numpy(dtype=float)
    mean_all = m["value_all"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        se_g = (m["upper_95"] - m["lower_95"]).to_numpy(dtype=float) / (
            2 * stats.t.ppf(0.975, n_g - 1)
        )
        se_all = (m["upper_95_all"] - m["lower_95_all"]).to_numpy(dtype=float) / (
            2 * stats.t.ppf(0.975, n_all - 1)
        )
    ok = (
        (n_g >= 2) & (n_all >= n_g) & (mean_g > 0) & (mean_all > 0)
        & np.isfinite(se_g) & np.isfinite(se_all)
    )  # fmt: skip
    m = m[ok]
    n_g, n_all, mean_g, mean_all = n_g[ok], n_all[ok], mean_g[ok], mean_all[ok]
    se_g, se_all = se_g[ok], se_all[ok]
    ratio = mean_g / mean_all
    var = (
        (se_g / mean_g) ** 2
        + (se_all / mean_all) ** 2
        - 2 * (n_g / n_all) * se_g**2 / (mean_g * mean_all)
    )
    lower, upper = _log_ratio_range(ratio, var, np.ones_like(ratio), np.ones_like(ratio))
    return m.assign(
        obs=n_g * mean_g, exp=n_g * mean_all, ratio=ratio, lower_95=lower, upper_95=upper,
        group_value=mean_g, all_value=mean_all,
    )  # fmt: skip


DISPARITY_MEASURES = ("rate_per_10000", "proportion", "mean")


def _disparity_rows(la: pd.DataFrame, indicators: list[Indicator]) -> pd.DataFrame:
    """Every disparity signal of every indicator at once: each group's row against the same
    indicator, LA and year's total. (One pass, not one per indicator and breakdown: pandas'
    cost per operation, not the rows, made that most of the signals' time.)"""
    wanted = [
        (ind.id, SIGNAL_BREAKDOWN[signal], signal)
        for ind in indicators
        if ind.measure in DISPARITY_MEASURES
        for signal in ind.annotations.hidden_needs.signals
        if signal in SIGNAL_BREAKDOWN
    ]
    if not wanted or la.empty:
        return pd.DataFrame(columns=COLUMNS)
    signals = pd.DataFrame(wanted, columns=["indicator_id", "breakdown", "signal"])
    keys = ["indicator_id", "time_period", "area_code"]
    kept = ["numerator", "denominator", "value", "lower_95", "upper_95", "status"]
    usable = _usable(la).to_numpy()
    total = la[usable & (la["breakdown"] == "total").to_numpy()][[*keys, *kept]]
    groups = la[usable & ~la["breakdown_value"].isin(NOT_A_GROUP).to_numpy()]
    groups = groups.merge(signals, on=["indicator_id", "breakdown"], how="inner")
    merged = groups.merge(total, on=keys, how="inner", suffixes=("", "_all"))
    by_id = {ind.id: ind for ind in indicators}
    measure = merged["indicator_id"].map({i: by_id[i].measure for i in set(merged["indicator_id"])})
    parts = []
    for kind in DISPARITY_MEASURES:
        rows = merged[(measure == kind).to_numpy()]
        if rows.empty:
            continue
        if kind == "mean":
            parts.append(_mean_disparity(rows))
        else:
            parts.append(_count_disparity(rows, poisson=kind == "rate_per_10000"))
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True)
    direction = _direction(out["lower_95"].to_numpy(), out["upper_95"].to_numpy())
    slugs = {
        (sig, value): f"{sig}_{_slug(value)}"
        for sig, value in set(zip(out["signal"], out["breakdown_value"], strict=True))
    }
    result = pd.DataFrame(
        {
            "time_period": out["time_period"].to_numpy(),
            "geographic_level": LA_LEVEL,
            "area_code": out["area_code"].to_numpy(),
            "area_name": out["area_name"].to_numpy(),
            "indicator_id": out["indicator_id"].to_numpy(),
            "measure": [
                slugs[key] for key in zip(out["signal"], out["breakdown_value"], strict=True)
            ],
            "numerator": out["obs"].to_numpy(),
            "denominator": out["exp"].to_numpy(),
            "value": out["ratio"].to_numpy(),
            "lower_95": out["lower_95"].to_numpy(),
            "upper_95": out["upper_95"].to_numpy(),
        }
    )
    result["label"] = [
        _disparity_label(by_id[i], area, group, gv, av, r, lo, hi, d)
        for i, area, group, gv, av, r, lo, hi, d in zip(
            out["indicator_id"].to_numpy(dtype=object),
            out["area_name"].to_numpy(dtype=object),
            out["breakdown_value"].to_numpy(dtype=object),
            out["group_value"].to_numpy(dtype=float),
            out["all_value"].to_numpy(dtype=float),
            out["ratio"].to_numpy(dtype=float),
            out["lower_95"].to_numpy(dtype=float),
            out["upper_95"].to_numpy(dtype=float),
            direction.tolist(),
            strict=True,
        )
    ]
    return result[COLUMNS]


def _disparity_label(
    ind: Indicator,
    area: str,
    group: str,
    group_value: float,
    all_value: float,
    ratio: float,
    low: float,
    high: float,
    direction: str,
) -> str:
    tails = (
        POPULATION_TAIL
        if ind.denominator is not None and ind.denominator.population is not None
        else GROUP_TAIL
    )
    percent = "%" if ind.unit.startswith("%") else ""
    return (
        f"{area}: {ind.short_title} for {GROUP_NAMES.get(group, group)} "
        f"{_with_unit(group_value, ind)}, {ratio:.2f} times the "
        f"{_number(all_value, ind.decimals)}{percent} for all children (95% range {low:.2f} "
        f"to {high:.2f}): {tails[direction]}"
    )
