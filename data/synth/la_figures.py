"""Synthetic LA-level figures that have no child-level return: spending, Ofsted, injury admissions.

These come from other publications (revenue outturn, Ofsted outcomes, Fingertips), so they are
drawn per LA-year from the latent factors rather than simulated from children. Where a national
figure exists the LA values are scaled so that their sum or weighted mean hits it for every seed;
the LA spread comes from the factors plus noise and is tuned to the indicators.csv percentiles.

Assumptions:
- Spending before 2025 follows an approximate England series of children's social care
  expenditure (about GBP 9.9bn in 2016-17 rising to 16.88bn in 2024-25); the share spent on
  children looked after rises slowly over the period. Lines are net current expenditure in GBP.
- The published England share of total spend (9.5%) counts other authority types (districts,
  fire, police) in the denominator; our 153 LAs carry only their own total service expenditure, so
  the LA shares match the LA percentiles (median about 12%) and an England ratio computed from them
  is about 12%, not 9.5%.
- Ofsted leadership judgements: every year's counts are fixed (2025: 45/60/33/15); LAs are ranked
  on a persistent score (worse with deprivation and an unstable workforce) that drifts slowly, so
  judgements mostly persist and occasionally change.
- Hospital admissions for injury, ages 0-14: England rate per 10,000 by year from Fingertips
  (94 in 2019/20, 78 in 2020/21, 73 in 2023/24, others interpolated); year = the March it ends.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from data.synth.latent import (
    POPULATION_INDEX,
    LAFactors,
    draw_factors,
    la_rng,
    load_la_reference,
    population_0_17,
)

CSC_SPEND_BN = {
    2017: 9.9, 2018: 10.2, 2019: 10.8, 2020: 11.3, 2021: 11.9,
    2022: 12.6, 2023: 13.9, 2024: 15.5, 2025: 16.88, 2026: 17.9,
}  # fmt: skip
NON_CLA_SHARE = {y: 0.51 - (0.51 - 0.472) * (min(y, 2025) - 2017) / 8 for y in range(2017, 2027)}
# LA share of total service expenditure relative to 2025 (children's services grew faster).
SHARE_INDEX = {
    2017: 0.80, 2018: 0.82, 2019: 0.84, 2020: 0.85, 2021: 0.86,
    2022: 0.88, 2023: 0.92, 2024: 0.96, 2025: 1.00, 2026: 1.01,
}  # fmt: skip
SHARE_MEDIAN_2025 = 0.1205
NON_CLA_SPLIT = {  # how spending other than on children looked after divides
    "safeguarding": 0.50,
    "family_support": 0.25,
    "leaving_care_support": 0.10,
    "other_childrens_services": 0.15,
}
JUDGEMENTS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
OFSTED_COUNTS = {
    2017: (5, 45, 70, 33), 2018: (8, 50, 65, 30), 2019: (12, 55, 60, 26),
    2020: (16, 58, 55, 24), 2021: (18, 60, 53, 22), 2022: (24, 62, 47, 20),
    2023: (32, 62, 42, 17), 2024: (40, 61, 37, 15), 2025: (45, 60, 33, 15),
    2026: (47, 61, 31, 14),
}  # fmt: skip
INJURY_RATE = {
    2017: 101.0, 2018: 97.0, 2019: 95.0, 2020: 94.0, 2021: 78.0,
    2022: 82.0, 2023: 76.0, 2024: 73.0, 2025: 72.0, 2026: 71.0,
}  # fmt: skip
POP_0_14_SHARE = 0.83
MISSING_RETURN_SHARE = 0.02


def _clamp(year: int) -> int:
    return min(max(year, 2017), 2026)


@lru_cache(maxsize=1)
def _log_population_moments() -> tuple[float, float]:
    logs = np.log(load_la_reference()["population_0_17"].to_numpy(float))
    return float(logs.mean()), float(logs.std())


def _finance_effects(f: LAFactors, seed: int) -> np.ndarray:
    """Per-child spend, non-CLA share and share of total: three standard-normal LA effects."""
    noise = la_rng(seed, f.la_code, "lf:fin").standard_normal(3)
    # Small LAs spend more per child (fixed costs), which puts England below the LA median.
    mean, sd = _log_population_moments()
    large = (np.log(f.population_0_17) - mean) / sd
    return np.array(
        [
            0.5 * f.deprivation + 0.2 * f.demand - 0.4 * large + 0.7 * noise[0],
            -0.35 * f.deprivation - 0.2 * f.demand + 0.9 * noise[1],
            0.35 * f.deprivation + 0.94 * noise[2],
        ]
    )


def _per_child_index(f: LAFactors, seed: int) -> float:
    return float(np.exp(0.3 * _finance_effects(f, seed)[0]))


def _injury_index(f: LAFactors, seed: int) -> float:
    noise = la_rng(seed, f.la_code, "lf:hosp").standard_normal()
    return float(np.exp(0.27 * (0.5 * f.deprivation + 0.85 * noise)))


@lru_cache(maxsize=8)
def _national_scales(seed: int) -> dict[str, float]:
    """Population-weighted LA means, so that LA figures add up to England's for every seed."""
    fs = list(draw_factors(seed).values())
    pop = np.array([f.population_0_17 for f in fs], dtype=float)
    per_child = np.array([_per_child_index(f, seed) for f in fs])
    z_non_cla = np.array([_finance_effects(f, seed)[1] for f in fs])
    injury = np.array([_injury_index(f, seed) for f in fs])
    spend = pop * per_child
    return {
        "spend": float(spend.sum() / pop.sum()),
        "non_cla": float((spend * 0.093 * z_non_cla).sum() / spend.sum()),
        "injury": float((pop * injury).sum() / pop.sum()),
    }


def _finance(f: LAFactors, years: range, seed: int, clean: bool) -> pd.DataFrame:
    z = _finance_effects(f, seed)
    rows = []
    for year in years:
        rng = la_rng(seed, f.la_code, f"lf{year}")
        y = _clamp(year)
        if not clean and rng.random() < MISSING_RETURN_SHARE:
            continue
        jitter = rng.normal(0, 0.03, 6)
        england_per_child = CSC_SPEND_BN[y] * 1e9 / (12_183_016 * _population_index(y))
        scales = _national_scales(seed)
        per_child = england_per_child * _per_child_index(f, seed) / scales["spend"]
        csc = per_child * population_0_17(f, year) * np.exp(jitter[0])
        non_cla = float(np.clip(NON_CLA_SHARE[y] + 0.093 * z[1] - scales["non_cla"], 0.2, 0.9))
        share = SHARE_MEDIAN_2025 * SHARE_INDEX[y] * np.exp(0.2 * z[2])
        parts = {"children_looked_after": csc * (1 - non_cla)}
        weights = np.array(list(NON_CLA_SPLIT.values())) * np.exp(jitter[1:5] * 3)
        for line, w in zip(NON_CLA_SPLIT, weights / weights.sum(), strict=True):
            parts[line] = csc * non_cla * w
        parts = {k: round(v, -3) for k, v in parts.items()}  # outturn is in GBP thousands
        total_csc = sum(parts.values())
        rows.append((year, "total_la_spend", round(total_csc / share, -3)))
        rows.append((year, "childrens_services_total", total_csc))
        rows.extend((year, line, value) for line, value in parts.items())
    out = pd.DataFrame(rows, columns=["year", "line", "value_gbp"])
    out.insert(1, "la_code", f.la_code)
    out["value_gbp"] = out["value_gbp"].astype(float)
    return out


def _population_index(year: int) -> float:
    return POPULATION_INDEX[min(max(year, 2015), 2026)]


def _ofsted_score(f: LAFactors, seed: int, years: range) -> dict[int, float]:
    """A persistent score (higher = worse) drifting slowly from year to year."""
    rng = la_rng(seed, f.la_code, "lf:ofs")
    base = 0.45 * f.deprivation - 0.45 * f.workforce_stability + 0.8 * rng.standard_normal()
    steps = rng.normal(0, 0.18, 2040 - 2000)
    walk = np.cumsum(steps) - np.cumsum(steps)[2025 - 2000]
    return {y: float(base + walk[min(max(y, 2001), 2039) - 2000]) for y in years}


@lru_cache(maxsize=8)
def _ofsted_cutoffs(seed: int) -> dict[int, tuple[float, float, float]]:
    """Score thresholds per year that give that year's national counts across all LAs."""
    fs = list(draw_factors(seed).values())
    years = range(2017, 2027)
    scores = {f.la_code: _ofsted_score(f, seed, years) for f in fs}
    out = {}
    for y in years:
        s = np.sort([scores[c][y] for c in scores])
        counts = np.cumsum(OFSTED_COUNTS[y])[:3]
        k = np.clip(counts, 1, len(s) - 1)
        mid = [float((s[i - 1] + s[i]) / 2) for i in k]
        out[y] = (mid[0], mid[1], mid[2])
    return out


def _ofsted(f: LAFactors, years: range, seed: int) -> pd.DataFrame:
    score = _ofsted_score(f, seed, years)
    cut = _ofsted_cutoffs(seed)
    judgements = [JUDGEMENTS[int(np.searchsorted(cut[_clamp(y)], score[y]))] for y in years]
    return pd.DataFrame(
        {"year": list(years), "la_code": f.la_code, "leadership_judgement": judgements}
    )


def _hospital(f: LAFactors, years: range, seed: int, clean: bool) -> pd.DataFrame:
    index = _injury_index(f, seed) / _national_scales(seed)["injury"]
    rows = []
    for year in years:
        rng = la_rng(seed, f.la_code, f"lh{year}")
        if not clean and rng.random() < MISSING_RETURN_SHARE:
            continue
        pop = round(POP_0_14_SHARE * population_0_17(f, year))
        rate = INJURY_RATE[_clamp(year)] * index
        rows.append((year, f.la_code, int(rng.poisson(rate * pop / 10_000)), pop))
    return pd.DataFrame(rows, columns=["year", "la_code", "admissions_0_14", "population_0_14"])


def generate_la_figures(
    factors: LAFactors, years: range, seed: int, clean: bool
) -> dict[str, pd.DataFrame]:
    """``la_finance``, ``la_ofsted`` and ``la_hospital_injury`` for one LA and the given years."""
    return {
        "la_finance": _finance(factors, years, seed, clean),
        "la_ofsted": _ofsted(factors, years, seed),
        "la_hospital_injury": _hospital(factors, years, seed, clean),
    }
