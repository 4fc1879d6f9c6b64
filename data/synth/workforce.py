"""Synthetic children's social work workforce census (CSWW), one LA at a time.

The census is a snapshot on 30 September plus the flows of the year before it, so a believable
return needs people who persist: the same SWENo appears year after year until the worker leaves,
and turnover, starters and the age of the workforce then follow from one simulated staff list
instead of being drawn independently each year. Agency staff are kept as a separate, faster
churning pool because the census records them only while they are in post.

National levels follow ``calibration_targets.csv``; LA differences come from the latent factors
(workforce stability drives turnover, agency use and vacancies; demand drives caseloads; region
drives the ethnic mix), scaled so that the LA spread matches ``indicators.csv``. Years without a
published figure are interpolated linearly between the neighbouring ones and held flat (or moved by
the last observed step) at the ends; these values are marked "interp" below.

Each year draws from its own random stream, and the simulation always starts from a stock on
30 September 2016, so building one year gives the same rows as building all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import pandas as pd

from data.synth.latent import (
    LAFactors,
    draw_factors,
    la_rng,
    load_la_reference,
    population_0_17,
)

# --------------------------------------------------------------------------- national series
# Employed (non-agency) FTE in post on 30 September. 2017, 2018, 2020 and 2026 interp; 2024 is an
# approximate published figure and is set 1% lower so that 2025 starters (in post change plus
# leavers) land on the published 5,838.
FTE_IN_POST = {
    2016: 28_000,
    2017: 28_700,
    2018: 29_700,
    2019: 30_700,
    2020: 31_600,
    2021: 32_502,
    2022: 31_600,
    2023: 33_119,
    2024: 34_700,
    2025: 36_186,
    2026: 36_900,
}
# Leavers FTE / FTE in post, percent. 2017, 2018, 2020, 2026 interp.
TURNOVER_PCT = {
    2017: 14.5,
    2018: 15.3,
    2019: 16.0,
    2020: 15.7,
    2021: 15.4,
    2022: 17.2,
    2023: 15.9,
    2024: 14.6,
    2025: 11.8,
    2026: 11.5,
}
# Agency FTE / (agency + employed FTE), percent. 2017-2020 and 2026 interp (2019 from 5,800 FTE).
AGENCY_PCT = {
    2017: 16.0,
    2018: 15.9,
    2019: 15.9,
    2020: 15.7,
    2021: 15.5,
    2022: 17.6,
    2023: 17.9,
    2024: 15.0,
    2025: 13.0,
    2026: 12.6,
}
# Vacancy FTE / (vacancies + employed FTE), percent. 2019 from 6,000 FTE; 2017, 2018, 2020 and
# 2026 interp.
VACANCY_PCT = {
    2017: 17.0,
    2018: 16.6,
    2019: 16.3,
    2020: 16.5,
    2021: 16.7,
    2022: 20.0,
    2023: 18.9,
    2024: 16.5,
    2025: 14.2,
    2026: 13.8,
}
# Cases on 30 September per FTE of case holders. 2018, 2020, 2026 interp.
CASELOAD = {
    2017: 17.7,
    2018: 17.3,
    2019: 16.9,
    2020: 16.6,
    2021: 16.3,
    2022: 16.6,
    2023: 16.0,
    2024: 15.4,
    2025: 15.2,
    2026: 15.0,
}
# Working days lost to sickness / (FTE x working days), percent. Before 2023 held at 3.1 (interp).
SICKNESS_PCT = {
    2017: 3.1,
    2018: 3.1,
    2019: 3.1,
    2020: 3.1,
    2021: 3.1,
    2022: 3.1,
    2023: 3.2,
    2024: 3.35,
    2025: 3.5,
    2026: 3.5,
}
WORKING_DAYS_PER_YEAR = 253
# Ethnic minority share (of known) among the new starters of each year: the stock lags starters, so
# starters run ahead of the published stock series (22.0 in 2019, 27.4 in 2025).
MINORITY_TREND_PER_YEAR = 0.045  # on the logit scale
STARTER_LEAD_YEARS = 4

# Roles (OrgRole 1..6): shares of FTE for employed and for agency staff, chosen so that the
# combined mix gives 18.3% senior practitioners and 40.1% case holders (2025 LAIT).
ROLES = np.array([1, 2, 3, 4, 5, 6])
EMPLOYED_ROLE_P = np.array([0.046, 0.078, 0.115, 0.188, 0.38, 0.193])
AGENCY_ROLE_P = np.array([0.0, 0.02, 0.08, 0.15, 0.65, 0.10])
# Share of senior practitioners (and first-line managers) who also hold cases, so that case-holder
# FTE is about half of all FTE (21,105 of 41,602 in 2025).
HOLDS_CASES_P = {3: 0.05, 4: 0.55}
CASE_WEIGHT = {3: 0.5, 4: 0.75}

# Region mean share of ethnic minority social workers in 2025 (of known ethnicity).
REGION_MINORITY_PCT = {
    "E12000001": 2.5,  # North East
    "E12000002": 9.0,  # North West
    "E12000003": 9.0,  # Yorkshire and The Humber
    "E12000004": 16.0,  # East Midlands
    "E12000005": 27.0,  # West Midlands
    "E12000006": 21.0,  # East of England
    "E12000007": 58.0,  # London
    "E12000008": 14.0,  # South East
    "E12000009": 4.0,  # South West
}

WHITE_CODES = (np.array(["WBRI", "WIRI", "WOTH"]), np.array([0.84, 0.03, 0.13]))
MINORITY_CODES = (
    np.array(
        [
            "BAFR",
            "BCRB",
            "BOTH",
            "AIND",
            "APKN",
            "ABAN",
            "AOTH",
            "MWBC",
            "MWBA",
            "MWAS",
            "MOTH",
            "CHNE",
            "OOTH",
        ]
    ),
    np.array([0.30, 0.15, 0.05, 0.11, 0.09, 0.03, 0.05, 0.05, 0.03, 0.04, 0.03, 0.01, 0.06]),
)
ETHNICITY_CODES = np.concatenate(
    [WHITE_CODES[0], MINORITY_CODES[0], np.array(["NOBT", "REFU"])]
).astype(object)
_NOBT, _REFU = len(ETHNICITY_CODES) - 2, len(ETHNICITY_CODES) - 1
_MINORITY_P = MINORITY_CODES[1] / MINORITY_CODES[1].sum()
START_ORIGIN_P = np.array([0.22, 0.28, 0.06, 0.16, 0.08, 0.05, 0.03, 0.04, 0.08, 0.0])
LEAVER_DEST = np.array([2, 3, 4, 5, 6, 7, 8, 9])
LEAVER_DEST_P = np.array([0.30, 0.04, 0.15, 0.10, 0.05, 0.08, 0.05, 0.23])
REASON_LEAVE = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9])
REASON_LEAVE_P = np.array([0.64, 0.02, 0.01, 0.03, 0.10, 0.003, 0.05, 0.067, 0.08])
ABSENCE_REASONS = np.array(["SIC", "MAT", "OTH", "TRN", "UNP", "PUB", "UNA"])
ABSENCE_REASON_P = np.array([0.45, 0.35, 0.10, 0.04, 0.03, 0.01, 0.02])

GENDERS, GENDER_P = np.array([2, 1, 0, 9]), np.array([0.83, 0.16, 0.005, 0.005])
QUAL_P = np.array([0.55, 0.40, 0.05])
CFKSS, CFKSS_P = np.array([0, 2, 3, 4]), np.array([0.82, 0.12, 0.04, 0.02])

AGENCY_RETENTION = 0.6
MINORITY_OFFSET = 0.4
FIRST_STOCK_YEAR = 2016

WORKER_COLUMNS = [
    "year", "la_code", "swe_no", "agency_worker", "fte", "birth_date", "gender", "ethnicity",
    "qual_level", "org_role", "role_start_date", "start_origin", "role_end_date",
    "leaver_destination", "reason_leave", "fte30", "cases30", "working_days_lost",
    "contract_weeks", "absat30sept", "reason_absence", "cfkss_status",
]  # fmt: skip
LA_COLUMNS = ["year", "la_code", "vacancies_fte", "agency_fte", "agency_headcount"]


def _pick(rng: np.random.Generator, p: np.ndarray, n: int) -> np.ndarray:
    """Indices drawn with probabilities ``p`` (normalised); a cheaper ``rng.choice``."""
    cdf = np.cumsum(p) / np.sum(p)
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(p) - 1)


def national(series: Mapping[int, float], year: int) -> float:
    """The national figure for ``year``, held flat beyond the ends of the series."""
    lo, hi = min(series), max(series)
    return float(series[min(max(year, lo), hi)])


def _year_window(year: int) -> tuple[np.datetime64, np.datetime64]:
    return np.datetime64(f"{year - 1}-10-01"), np.datetime64(f"{year}-09-30")


# --------------------------------------------------------------------------- LA effects
def _size_weight(f: LAFactors) -> float:
    """Social workers per LA scale with children and with need (deprivation, demand)."""
    return population_0_17(f, 2025) * float(np.exp(0.25 * f.deprivation + 0.12 * f.demand))


@lru_cache(maxsize=8)
def _size_total(seed: int) -> float:
    return float(sum(_size_weight(f) for f in draw_factors(seed).values()))


@lru_cache(maxsize=1)
def _log_population_moments() -> tuple[float, float]:
    logs = np.log(load_la_reference()["population_0_17"].to_numpy(float))
    return float(logs.mean()), float(logs.std())


def _la_effects(f: LAFactors, seed: int) -> dict[str, float]:
    """Standard-normal LA effects for each workforce measure, fixed across years."""
    noise = la_rng(seed, f.la_code, "wf:la").standard_normal(6)
    unstable = -f.workforce_stability
    # Large LAs report lower agency and vacancy rates than small ones: the published England
    # rates sit at the LA median although the LA spread is skewed to the right.
    mean, sd = _log_population_moments()
    large = (np.log(f.population_0_17) - mean) / sd
    return {
        "turnover": 0.55 * unstable + 0.83 * noise[0],
        "agency": 0.35 * unstable - 0.4 * large + 0.85 * noise[1],
        "vacancy": 0.5 * unstable - 0.4 * large + 0.75 * noise[2],
        "caseload": 0.45 * f.demand + 0.35 * unstable + 0.82 * noise[3],
        "minority": noise[4],
        "unknown_eth": noise[5],
    }


def _raw_rates(f: LAFactors, seed: int, year: int) -> dict[str, float]:
    """LA rates before they are scaled so that the weighted national figure is on target."""
    z = _la_effects(f, seed)
    turnover = national(TURNOVER_PCT, year) / 100 * np.exp(0.33 * z["turnover"])
    # Agency and vacancy rates are symmetric on the 2/3 power scale, as the published LA
    # percentiles are; their spread grows with the national level.
    a_nat = national(AGENCY_PCT, year) / 100
    sd_a = 0.15 * (a_nat / 0.13) ** (2 / 3)
    agency = np.clip(a_nat ** (2 / 3) + sd_a * z["agency"], 0.01, 0.95) ** 1.5
    v_nat = national(VACANCY_PCT, year) / 100
    sd_v = 0.14 * (v_nat / 0.142) ** (2 / 3)
    vacancy = np.clip(v_nat ** (2 / 3) + sd_v * z["vacancy"], 0.04, 0.8) ** 1.5
    caseload = national(CASELOAD, year) * np.exp(0.135 * z["caseload"])
    base = REGION_MINORITY_PCT.get(f.region_code, 15.0) / 100
    logit = np.log(base / (1 - base)) + 0.8 * z["minority"] + MINORITY_OFFSET
    return {
        "turnover": float(turnover),
        "agency": float(agency),
        "vacancy": float(vacancy),
        "caseload": float(caseload),
        "minority_logit_2025": float(logit),
        "unknown_eth": float(np.clip(0.145 * np.exp(0.3 * z["unknown_eth"]), 0.02, 0.6)),
    }


@lru_cache(maxsize=64)
def _national_scale(seed: int, year: int) -> dict[str, float]:
    """Factors that put the FTE-weighted national rates on target for every seed: a few very
    large LAs would otherwise move the England figure by several percent."""
    fs = list(draw_factors(seed).values())
    fte = np.array([_la_fte_target(f, seed, year) for f in fs])
    raw = [_raw_rates(f, seed, year) for f in fs]

    def arr(key: str) -> np.ndarray:
        return np.array([r[key] for r in raw])

    def odds_scale(key: str, target_pct: float) -> float:
        x = arr(key)
        weighted = (fte * x / (1 - x)).sum() / fte.sum()
        return target_pct / (100 - target_pct) / weighted

    return {
        "turnover": national(TURNOVER_PCT, year)
        / 100
        / ((fte * arr("turnover")).sum() / fte.sum()),
        "agency": odds_scale("agency", national(AGENCY_PCT, year)),
        "vacancy": odds_scale("vacancy", national(VACANCY_PCT, year)),
        "caseload": national(CASELOAD, year) / ((fte * arr("caseload")).sum() / fte.sum()),
    }


def _scale_odds(p: float, k: float) -> float:
    odds = p / (1 - p) * k
    return odds / (1 + odds)


def la_rates(f: LAFactors, seed: int, year: int) -> dict[str, float]:
    """The LA's underlying rates for ``year`` (fractions, and cases per case-holder FTE)."""
    rates = _raw_rates(f, seed, year)
    k = _national_scale(seed, year)
    rates["turnover"] *= k["turnover"]
    rates["caseload"] *= k["caseload"]
    rates["agency"] = _scale_odds(rates["agency"], k["agency"])
    rates["vacancy"] = _scale_odds(rates["vacancy"], k["vacancy"])
    return rates


# --------------------------------------------------------------------------- the staff list
class _Pool:
    """Growing column arrays of every worker ever simulated for one LA."""

    def __init__(self) -> None:
        self.cols: dict[str, list[np.ndarray]] = {}

    def add(self, **cols: np.ndarray) -> None:
        for k, v in cols.items():
            self.cols.setdefault(k, []).append(v)

    def arrays(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.cols.items()}


def _draw_fte(rng: np.random.Generator, n: int, agency: bool) -> np.ndarray:
    part_time = rng.random(n) < (0.08 if agency else 0.2)
    return np.where(part_time, np.round(rng.uniform(0.4, 0.95, n), 2), 1.0)


def _take_to_fte(rng: np.random.Generator, need: float, agency: bool) -> np.ndarray:
    """FTE values of enough new people to add up to ``need`` (at least one if need > 0)."""
    if need <= 0.05:
        return np.empty(0)
    fte = _draw_fte(rng, int(np.ceil(need / 0.85)) + 3, agency)
    k = int(np.searchsorted(np.cumsum(fte), need - 0.5)) + 1
    return fte[: max(k, 1)]


def _new_people(
    rng: np.random.Generator,
    fte: np.ndarray,
    agency: np.ndarray,
    start_lo: np.datetime64,
    start_hi: np.datetime64,
    minority_p: np.ndarray,
    unknown_p: float,
) -> dict[str, np.ndarray]:
    """Attributes of newly simulated workers; they keep them for as long as they stay."""
    n = len(fte)
    span = int((start_hi - start_lo).astype(int)) + 1
    start = start_lo + rng.integers(0, span, n).astype("timedelta64[D]")
    age_at_start = np.clip(rng.normal(33, 8, n), 21.5, 60)
    birth = start - (age_at_start * 365.25).astype("timedelta64[D]")
    # Ethnicity as an index into ETHNICITY_CODES until the frame is built.
    minority = rng.random(n) < minority_p
    white = _pick(rng, WHITE_CODES[1], n)
    other = len(WHITE_CODES[1]) + _pick(rng, _MINORITY_P, n)
    ethnicity = np.where(minority, other, white)
    unknown = rng.random(n) < unknown_p
    not_known = np.where(rng.random(n) < 0.65, _NOBT, _REFU)
    ethnicity_recorded = np.where(unknown, not_known, ethnicity)
    role = ROLES[np.where(agency, _pick(rng, AGENCY_ROLE_P, n), _pick(rng, EMPLOYED_ROLE_P, n))]
    holds = np.zeros(n, dtype=bool) | (role == 5)
    for r, p in HOLDS_CASES_P.items():
        holds |= (role == r) & (rng.random(n) < p)
    origin = 1 + _pick(rng, START_ORIGIN_P, n)
    origin = np.where((origin == 1) & (age_at_start > 45), 2, origin)
    gender = GENDERS[_pick(rng, GENDER_P, n)]
    qual = 1 + _pick(rng, QUAL_P, n)
    return {
        "agency": agency,
        "fte": fte,
        "birth": birth,
        "gender": gender,
        "ethnicity": ethnicity,
        "ethnicity_recorded": ethnicity_recorded,
        "qual": qual,
        "role": role,
        "holds": holds,
        "case_weight": np.select([role == 4, role == 3], [CASE_WEIGHT[4], CASE_WEIGHT[3]], 1.0),
        "start": start,
        "origin": origin,
        "end": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
        "dest": np.zeros(n, dtype=np.int64),
        "reason": np.zeros(n, dtype=np.int64),
        "miss_birth": rng.random(n) < 0.01,
        "miss_qual": rng.random(n) < 0.02,
        "origin_unknown": rng.random(n) < 0.05,
    }


def _minority_p(rates: dict[str, float], year: int) -> float:
    logit = rates["minority_logit_2025"] + MINORITY_TREND_PER_YEAR * (year - 2025)
    return float(1 / (1 + np.exp(-logit)))


def _la_fte_target(f: LAFactors, seed: int, year: int) -> float:
    share = _size_weight(f) / _size_total(seed)
    growth = population_0_17(f, year) / population_0_17(f, 2025)
    return national(FTE_IN_POST, year) * share * growth / _pop_growth(seed, year)


def _pop_growth(seed: int, year: int) -> float:
    return _pop_growth_table(seed).get(year, 1.0)


@lru_cache(maxsize=8)
def _pop_growth_table(seed: int) -> dict[int, float]:
    # All LAs share one population index, so this equals it; kept general in case that changes.
    fs = list(draw_factors(seed).values())
    w = np.array([_size_weight(f) for f in fs])
    out = {}
    for year in range(2000, 2040):
        g = np.array([population_0_17(f, year) / population_0_17(f, 2025) for f in fs])
        out[year] = float((w * g).sum() / w.sum())
    return out


def generate_workforce(
    factors: LAFactors, years: range, seed: int, clean: bool
) -> dict[str, pd.DataFrame]:
    """The LA's ``csww_worker`` and ``csww_la`` tables for the given census years."""
    la = factors.la_code
    last = max(years)
    first = min(FIRST_STOCK_YEAR, min(years) - 1)
    stock_rng = la_rng(seed, la, "wf:stock")
    pool: dict[str, np.ndarray] = {}

    def append(new: dict[str, np.ndarray]) -> None:
        for k, v in new.items():
            pool[k] = np.concatenate([pool[k], v]) if k in pool else v

    # The opening stock on 30 September of ``first``: tenure roughly exponential (mean 6 years).
    rates0 = la_rates(factors, seed, first + 1)
    fte0 = _take_to_fte(stock_rng, _la_fte_target(factors, seed, first), agency=False)
    window_end = np.datetime64(f"{first}-09-30")
    agency_fte0 = _take_to_fte(
        stock_rng,
        _la_fte_target(factors, seed, first) * rates0["agency"] / (1 - rates0["agency"]),
        agency=True,
    )
    is_agency = np.repeat([False, True], [len(fte0), len(agency_fte0)])
    stock = _new_people(
        stock_rng, np.concatenate([fte0, agency_fte0]), is_agency,
        window_end - 365, window_end,
        np.where(is_agency, _minority_p(rates0, first), _minority_p(rates0, first - 5)),
        rates0["unknown_eth"],
    )  # fmt: skip
    n0 = len(fte0)
    tenure = np.minimum(stock_rng.exponential(6 * 365, n0), 35 * 365).astype(int)
    stock["start"][:n0] = window_end - tenure.astype("timedelta64[D]")
    stock["birth"][:n0] = stock["start"][:n0] - (
        np.clip(stock_rng.normal(34, 8, n0), 21.5, 58) * 365.25
    ).astype("timedelta64[D]")
    append(stock)
    pool["id"] = np.arange(len(pool["fte"]))

    rows: list[dict[str, np.ndarray]] = []
    la_rows: list[dict[str, float | int | str]] = []
    for year in range(first + 1, last + 1):
        rng = la_rng(seed, la, f"wf{year}")
        rates = la_rates(factors, seed, year)
        lo, hi = _year_window(year)
        in_post = np.isnat(pool["end"])
        employed = in_post & ~pool["agency"]
        target = _la_fte_target(factors, seed, year)

        # Leavers among employed staff in post at the start of the year.
        stock_fte = pool["fte"][employed].sum()
        p_leave = min(rates["turnover"] * target / max(stock_fte, 0.1), 0.9)
        leaving = employed & (rng.random(len(employed)) < p_leave)
        n_leave = int(leaving.sum())
        pool["end"][leaving] = lo + rng.integers(0, 364, n_leave).astype("timedelta64[D]")
        pool["dest"][leaving] = LEAVER_DEST[_pick(rng, LEAVER_DEST_P, n_leave)]
        pool["reason"][leaving] = REASON_LEAVE[_pick(rng, REASON_LEAVE_P, n_leave)]
        remaining = stock_fte - pool["fte"][leaving].sum()

        # Starters fill the gap to this year's establishment.
        start_fte = _take_to_fte(rng, target - remaining, agency=False)
        # Agency: a share of last year's agency staff stay, new ones top up to the target.
        agency_now = in_post & pool["agency"]
        leaves_agency = agency_now & (rng.random(len(agency_now)) >= AGENCY_RETENTION)
        pool["end"][leaves_agency] = lo + rng.integers(0, 364, int(leaves_agency.sum())).astype(
            "timedelta64[D]"
        )
        kept_agency = agency_now & ~leaves_agency
        agency_target = target * rates["agency"] / (1 - rates["agency"])
        kept_fte = pool["fte"][kept_agency].sum()
        if kept_fte > agency_target:
            idx = np.flatnonzero(kept_agency)
            order = rng.permutation(idx)
            over = order[np.cumsum(pool["fte"][order]) > agency_target + 0.5]
            pool["end"][over] = lo + rng.integers(0, 364, len(over)).astype("timedelta64[D]")
        agency_fte = _take_to_fte(rng, agency_target - kept_fte, agency=True)
        is_agency = np.repeat([False, True], [len(start_fte), len(agency_fte)])
        minority_p = np.where(
            is_agency,
            _minority_p(rates, year),
            _minority_p(rates, year + STARTER_LEAD_YEARS),
        )
        new = _new_people(
            rng, np.concatenate([start_fte, agency_fte]), is_agency, lo, hi, minority_p,
            rates["unknown_eth"],
        )  # fmt: skip
        base_id = len(pool["id"])
        n_new = len(new["fte"])
        append(new)
        pool["id"] = np.concatenate([pool["id"], base_id + np.arange(n_new)])

        if year not in years:
            continue
        now_in_post = np.isnat(pool["end"]) & (pool["start"] <= hi)
        emp_leaver = (~pool["agency"]) & (pool["end"] >= lo) & (pool["end"] <= hi)
        emp_leaver &= ~np.isnat(pool["end"])
        rows.append(_census_rows(pool, now_in_post, emp_leaver, rates, year, rng, clean, la))
        vac = target * rates["vacancy"] / (1 - rates["vacancy"])
        agency_in = now_in_post & pool["agency"]
        la_rows.append(
            {
                "year": year,
                "la_code": la,
                "vacancies_fte": round(float(vac * rng.lognormal(0, 0.05)), 1),
                "agency_fte": round(float(pool["fte"][agency_in].sum()), 1),
                "agency_headcount": int(agency_in.sum()),
            }
        )

    worker = _worker_frame(rows, la)
    la_df = pd.DataFrame(la_rows, columns=LA_COLUMNS)
    return {"csww_worker": worker, "csww_la": la_df}


def _census_rows(
    pool: dict[str, np.ndarray],
    in_post: np.ndarray,
    leaver: np.ndarray,
    rates: dict[str, float],
    year: int,
    rng: np.random.Generator,
    clean: bool,
    la: str,
) -> dict[str, np.ndarray]:
    idx = np.flatnonzero(in_post | leaver)
    n = len(idx)
    p = {k: v[idx] for k, v in pool.items()}
    here = in_post[idx]
    agency = p["agency"]
    employed_here = here & ~agency
    fte = p["fte"]

    # Cases on 30 September, scaled so cases / holder FTE matches the LA's caseload.
    holder = here & p["holds"]
    weight = fte * p["case_weight"] * rng.gamma(8.0, 1 / 8.0, n)
    lam = rates["caseload"] * fte[holder].sum() / max(weight[holder].sum(), 1e-9)
    cases = np.where(holder, rng.poisson(lam * weight), 0)

    # Sickness: most lose no days, a few lose many.
    target_days = national(SICKNESS_PCT, year) / 100 * WORKING_DAYS_PER_YEAR
    sick = rng.random(n) < 0.55
    days = np.where(sick, rng.gamma(0.7, target_days / 0.55 / 0.7, n), 0.0) * fte
    days = np.round(np.minimum(days, 253.0), 1)
    absent = rng.random(n) < 0.035
    reason_abs = _pick(rng, ABSENCE_REASON_P, n)
    first_year = (p["start"] > np.datetime64(f"{year - 1}-09-30")) & (p["origin"] == 1)
    cfkss_other = CFKSS[_pick(rng, CFKSS_P, n)]
    cfkss = np.where(first_year, 1, cfkss_other).astype(float)
    cfkss[cfkss == 0] = np.nan

    def nullable(values: np.ndarray, keep: np.ndarray) -> np.ndarray:
        return np.where(keep, values, np.nan)  # integers as floats with NaN until the end

    ethnicity = p["ethnicity"] if clean else p["ethnicity_recorded"]
    eth_keep = np.ones(n, dtype=bool)
    birth_keep = np.ones(n, dtype=bool)
    qual_keep = np.ones(n, dtype=bool)
    role_keep = np.ones(n, dtype=bool)
    gender_keep = np.ones(n, dtype=bool)
    start_keep = np.ones(n, dtype=bool)
    origin = p["origin"].copy()
    if not clean:
        # Agency records leave a quarter of their personal fields empty; employed records have a
        # few gaps of their own.
        blank = agency[:, None] & (rng.random((n, 6)) < 0.25)
        eth_keep &= ~blank[:, 0]
        birth_keep &= ~blank[:, 1] & ~p["miss_birth"]
        qual_keep &= ~blank[:, 2] & ~p["miss_qual"]
        role_keep &= ~blank[:, 3]
        gender_keep &= ~blank[:, 4]
        start_keep &= ~blank[:, 5]
        origin = np.where(p["origin_unknown"], 9, origin)

    leaving = ~here
    nat = np.datetime64("NaT")
    return {
        "year": np.full(n, year),
        "swe_no": p["id"],
        "agency_worker": agency.astype(np.int64),
        "fte": fte,
        "birth_date": np.where(birth_keep, p["birth"], nat),
        "gender": nullable(p["gender"], gender_keep),
        "ethnicity": np.where(eth_keep, ethnicity, -1),
        "qual_level": nullable(p["qual"], qual_keep),
        "org_role": nullable(p["role"], role_keep),
        "role_start_date": np.where(start_keep, p["start"], nat),
        "start_origin": nullable(origin, ~agency),
        "role_end_date": np.where(leaving, p["end"], nat),
        "leaver_destination": nullable(p["dest"], leaving),
        "reason_leave": nullable(p["reason"], leaving),
        "fte30": np.where(here, fte, np.nan),
        "cases30": nullable(cases, here),
        "working_days_lost": np.where(employed_here, days, np.nan),
        "contract_weeks": np.where(agency, rng.integers(4, 53, n).astype(float), np.nan),
        "absat30sept": nullable(absent.astype(np.int64), employed_here),
        "reason_absence": np.where(employed_here & absent, reason_abs, -1),
        "cfkss_status": cfkss,
    }


INT_COLUMNS = (
    "gender", "qual_level", "org_role", "start_origin", "leaver_destination", "reason_leave",
    "cases30", "absat30sept", "cfkss_status",
)  # fmt: skip
DATE_COLUMNS = ("birth_date", "role_start_date", "role_end_date")
CODED_COLUMNS = {"ethnicity": ETHNICITY_CODES, "reason_absence": ABSENCE_REASONS.astype(object)}


def _worker_frame(rows: list[dict[str, np.ndarray]], la: str) -> pd.DataFrame:
    """One DataFrame from the per-year column arrays, with nullable integers and dates."""
    cols: dict[str, object] = {}
    for name in WORKER_COLUMNS:
        if name == "la_code":
            continue
        values = np.concatenate([r[name] for r in rows]) if rows else np.empty(0)
        if name in INT_COLUMNS:
            missing = np.isnan(values)
            cols[name] = pd.arrays.IntegerArray(
                np.where(missing, 0, values).astype(np.int64), missing
            )
        elif name == "swe_no":
            ids = values.astype(np.int64)
            numbers = np.array([f"SW9{la}{i:06d}" for i in range(ids.max(initial=-1) + 1)])
            cols[name] = numbers.astype(object)[ids]
        elif name in CODED_COLUMNS:
            codes = values.astype(np.int64)
            labels = np.concatenate([CODED_COLUMNS[name], np.array([None], dtype=object)])
            cols[name] = labels[np.where(codes >= 0, codes, len(labels) - 1)]
        elif name in DATE_COLUMNS:
            cols[name] = values.astype("datetime64[ns]")
        else:
            cols[name] = values
    frame = pd.DataFrame(cols)
    frame.insert(1, "la_code", la)
    return frame[WORKER_COLUMNS]


# --------------------------------------------------------------------------- measures
def workforce_measures(csww_worker: pd.DataFrame, csww_la: pd.DataFrame) -> pd.DataFrame:
    """Published workforce measures per LA-year, for calibrating the generator by eye.

    Definitions follow returns_spec section 3: rates are FTE ratios; caseload counts agency and
    employed case holders; ethnicity shares are of headcount with a known ethnicity.
    """
    w = csww_worker.copy()
    w["_in_post"] = w["role_end_date"].isna()
    year_start = pd.to_datetime((w["year"] - 1).astype(str) + "-10-01")
    emp = w["agency_worker"] == 0
    w["_emp_fte30"] = np.where(w["_in_post"] & emp, w["fte30"], 0.0)
    w["_leaver_fte"] = np.where(~w["_in_post"] & emp, w["fte"], 0.0)
    w["_starter_fte"] = np.where(emp & (w["role_start_date"] >= year_start), w["fte"], 0.0)
    holder = w["_in_post"] & (w["cases30"].fillna(0) > 0)
    w["_cases"] = np.where(holder, w["cases30"].fillna(0), 0)
    w["_holder_fte"] = np.where(holder, w["fte30"], 0.0)
    w["_all_fte30"] = np.where(w["_in_post"], w["fte30"].fillna(0), 0.0)
    role = w["org_role"].fillna(0)
    w["_sp_fte"] = np.where(w["_in_post"] & (role == 4), w["fte30"], 0.0)
    w["_ch_fte"] = np.where(w["_in_post"] & (role == 5), w["fte30"], 0.0)
    known = w["ethnicity"].notna() & ~w["ethnicity"].isin(["REFU", "NOBT"])
    w["_head"] = w["_in_post"].astype(int)
    w["_known"] = (w["_in_post"] & known).astype(int)
    w["_minority"] = (
        w["_in_post"] & known & ~w["ethnicity"].fillna("").str.startswith("W")
    ).astype(int)
    w["_days"] = np.where(w["_in_post"] & emp, w["working_days_lost"].fillna(0), 0.0)
    g = w.groupby(["year", "la_code"])[
        [
            "_emp_fte30", "_leaver_fte", "_starter_fte", "_cases", "_holder_fte", "_all_fte30",
            "_sp_fte", "_ch_fte", "_head", "_known", "_minority", "_days",
        ]
    ].sum()  # fmt: skip
    out = g.join(csww_la.set_index(["year", "la_code"]))
    res = pd.DataFrame(index=out.index)
    res["fte_in_post"] = out["_emp_fte30"]
    res["starters_fte"] = out["_starter_fte"]
    res["leavers_fte"] = out["_leaver_fte"]
    res["turnover_pct"] = 100 * out["_leaver_fte"] / out["_emp_fte30"]
    res["agency_fte"] = out["agency_fte"]
    res["agency_pct"] = 100 * out["agency_fte"] / (out["agency_fte"] + out["_emp_fte30"])
    res["vacancies_fte"] = out["vacancies_fte"]
    res["vacancy_pct"] = 100 * out["vacancies_fte"] / (out["vacancies_fte"] + out["_emp_fte30"])
    res["cases_held"] = out["_cases"]
    res["caseholder_fte"] = out["_holder_fte"]
    res["caseload_mean"] = out["_cases"] / out["_holder_fte"]
    res["caseholders_pct"] = 100 * out["_ch_fte"] / out["_all_fte30"]
    res["senior_practitioners_pct"] = 100 * out["_sp_fte"] / out["_all_fte30"]
    res["headcount_in_post"] = out["_head"]
    res["ethnicity_known_pct"] = 100 * out["_known"] / out["_head"]
    res["ethnic_minority_pct"] = 100 * out["_minority"] / out["_known"]
    res["sickness_absence_pct"] = 100 * out["_days"] / (out["_emp_fte30"] * WORKING_DAYS_PER_YEAR)
    return res.reset_index()
