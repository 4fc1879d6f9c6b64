"""How the latent factors turn into LA multipliers on volumes and pathways.

Each multiplier is normalised over all 153 LAs (weighted by child population) so that England
totals stay on the published figures whatever the LA mix, and the log-scale spread of each one is
set so the LA p10/median/p90 of the resulting rates resemble the published spread
(indicators.csv): referral rate sd ~0.30, CP plan rate ~0.34, CLA rate ~0.42 on the log scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from data.synth.latent import draw_factors


@dataclass(frozen=True)
class LAEffects:
    referral: float  # multiplier on referrals per child
    cpp: float  # multiplier on the chance a referral leads to a CP plan
    cla: float  # multiplier on the chance a referral leads to care
    uasc: float  # multiplier on the LA's share of UASC arrivals
    cin_duration: float  # multiplier on CIN episode length
    assessment_late: float  # log-odds shift of assessments beyond 45 working days
    icpc_late: float  # log-odds shift of ICPCs beyond 15 working days
    placement_moves: float  # multiplier on placement-change hazard
    distance: float  # log-odds shift of placing outside the LA (London and small LAs: higher)
    factor_noise_seed: int


def _normalise(log_effect: np.ndarray, weight: np.ndarray) -> np.ndarray:
    m = np.exp(log_effect)
    return m / (np.sum(m * weight) / np.sum(weight))


@lru_cache(maxsize=8)
def la_effects(seed: int) -> dict[str, LAEffects]:
    factors = draw_factors(seed)
    codes = sorted(factors)
    f = [factors[c] for c in codes]
    dep = np.array([x.deprivation for x in f])
    dem = np.array([x.demand for x in f])
    prac = np.array([x.practice for x in f])
    stab = np.array([x.workforce_stability for x in f])
    uasc_p = np.array([x.uasc_pressure for x in f])
    pop = np.array([x.population_0_17 for x in f], dtype=float)
    rng = np.random.default_rng([seed, 7_002])
    n = len(codes)

    referral = _normalise(0.20 * dep + 0.20 * dem + 0.10 * rng.standard_normal(n), pop)
    cpp = _normalise(0.05 * dep + 0.08 * rng.standard_normal(n) - 0.05 * prac, pop * referral)
    cla = _normalise(0.15 * dep + 0.10 * rng.standard_normal(n) - 0.04 * prac, pop * referral)
    uasc = _normalise(0.9 * uasc_p + 0.2 * rng.standard_normal(n), pop)
    cin_duration = np.exp(0.10 * rng.standard_normal(n) + 0.05 * prac)
    out = {}
    for i, code in enumerate(codes):
        out[code] = LAEffects(
            referral=float(referral[i]),
            cpp=float(cpp[i]),
            cla=float(cla[i]),
            uasc=float(uasc[i]),
            cin_duration=float(cin_duration[i]),
            assessment_late=float(-0.55 * prac[i] + 0.3 * rng.standard_normal()),
            icpc_late=float(-0.45 * prac[i] + 0.3 * rng.standard_normal()),
            placement_moves=float(np.exp(-0.15 * stab[i] + 0.12 * rng.standard_normal())),
            distance=float(
                0.5 * rng.standard_normal()
                + 0.5 * f[i].ons_code.startswith("E09")
                + 0.3 * (f[i].population_0_17 < 50_000)
            ),
            factor_noise_seed=int(rng.integers(1 << 30)),
        )
    return out
