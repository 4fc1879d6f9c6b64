"""A SYNTHETIC split of each LA's real 0-17 population by single year of age, sex and ethnic group.

Rates by age, sex and ethnicity need denominators in those cells, but the published figures are
LA totals (la.csv, ONS mid-2024). We split the totals so that national shares match published
ones (ONS: about 51.2% of under-18s are boys; single years of age are nearly flat, rising a little
to the mid-teens; Census 2021, under-18s in England: White 73%, Asian 12%, Black 6%, Mixed 6%,
Other 3%) and LAs differ the way real ones do: London far more diverse (White about 45%), big
cities and deprived areas more diverse than shire counties. Diversity is driven by the shared
latent deprivation factor so ethnic differences in rates elsewhere line up with it.

Cells are whole children and add up exactly to ``population_0_17`` for every LA and year (largest
remainder rounding), so age-, sex- and ethnicity-specific rates have the same denominators as the
headline rate. The split is computed for all LAs at once and then filtered, so building one LA gives
the same numbers as building all of them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from data.synth.latent import draw_factors, population_0_17

AGES = np.arange(18)
SEXES = ("M", "F")
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other")
NATIONAL_ETHNICITY = np.array([0.73, 0.06, 0.12, 0.06, 0.03])  # Census 2021, under-18s
MALE_SHARE = 0.512
LONDON = "E12000007"

# How strongly each non-White group follows an LA's diversity index (Black children are
# concentrated in London far more than Asian children, who are also concentrated in northern and
# Midlands cities).
_GROUP_LOADING = np.array([0.0, 0.75, 1.0, 1.0, 0.9])
_LONDON_BLACK_EXTRA = 0.9
_CALIBRATION_ROUNDS = 200

# Towns and cities outside London with large minority-ethnic child populations at Census 2021
# (DfE codes), so that the most diverse places are recognisably the real ones.
VERY_DIVERSE = {"871", "856", "821", "330", "380", "889", "333", "336", "352"}
DIVERSE = {"353", "331", "831", "892", "870", "826", "382", "350", "354", "335", "874", "801"}


def _age_shape() -> np.ndarray:
    """National single-year-of-age weights: lowest at birth, rising to 14, easing to 17."""
    ramp = 0.92 + 0.16 * np.minimum(AGES, 14) / 14
    return ramp - 0.01 * np.maximum(AGES - 14, 0)


def _la_frame(seed: int) -> pd.DataFrame:
    factors = draw_factors(seed)
    codes = sorted(factors)
    la = pd.DataFrame(
        {
            "la_code": codes,
            "region_code": [factors[c].region_code for c in codes],
            "ons_code": [factors[c].ons_code for c in codes],
            "deprivation": [factors[c].deprivation for c in codes],
            "population": [factors[c].population_0_17 for c in codes],
        }
    )
    return la


def _ethnic_shares(la: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Shares (LA x group) whose population-weighted national mean is NATIONAL_ETHNICITY."""
    n = len(la)
    london = (la["region_code"] == LONDON).to_numpy(dtype=float)
    metropolitan = la["ons_code"].str.startswith("E08").to_numpy(dtype=float)
    county = la["ons_code"].str.startswith("E10").to_numpy(dtype=float)
    unitary = la["ons_code"].str.startswith("E06").to_numpy(dtype=float)
    known = la["la_code"].map(lambda c: 1.7 if c in VERY_DIVERSE else 0.9 if c in DIVERSE else 0)
    diversity = (
        1.35 * london
        + 0.3 * metropolitan
        - 0.8 * county
        - 0.4 * unitary
        + known.to_numpy(dtype=float)
        + 0.25 * la["deprivation"].to_numpy()
        + 0.25 * rng.standard_normal(n)
    )
    logits = diversity[:, None] * _GROUP_LOADING[None, :] + 0.15 * rng.standard_normal((n, 5))
    logits[:, 0] = 0.0
    logits[:, 3] += _LONDON_BLACK_EXTRA * london
    weights = la["population"].to_numpy(dtype=float)
    intercept = np.log(NATIONAL_ETHNICITY / NATIONAL_ETHNICITY[0])
    for _ in range(_CALIBRATION_ROUNDS):
        shares = _softmax(logits + intercept)
        national = weights @ shares / weights.sum()
        step = np.log(NATIONAL_ETHNICITY / national)
        intercept += step - step[0]
        if np.abs(step).max() < 1e-10:
            break
    return _softmax(logits + intercept)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _cell_shares(la: pd.DataFrame, seed: int) -> np.ndarray:
    """Probability of each (age, sex, group) cell per LA: LA x 18 x 2 x 5, rows summing to 1."""
    rng = np.random.default_rng([seed, 7_101])
    n = len(la)
    ethnic = _ethnic_shares(la, rng)
    tilt = 0.04 * la["deprivation"].to_numpy() + 0.03 * rng.standard_normal(n)
    age = _age_shape()[None, :] * (1 - tilt[:, None] * (AGES[None, :] - 8.5) / 8.5)
    age /= age.sum(axis=1, keepdims=True)
    male = np.clip(MALE_SHARE + 0.003 * rng.standard_normal(n), 0.49, 0.53)
    sex = np.stack([male, 1 - male], axis=1)
    return age[:, :, None, None] * sex[:, None, :, None] * ethnic[:, None, None, :]


def largest_remainder(totals: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """Whole numbers per row of ``shares`` (rows sum to 1) that add up exactly to ``totals``,
    each within one of its exact share; ties go to the earlier cell."""
    exact = totals[:, None] * shares
    floor = np.floor(exact).astype(np.int64)
    short = totals.astype(np.int64) - floor.sum(axis=1)
    order = np.argsort(-(exact - floor), axis=1, kind="stable")
    rank = np.empty_like(order)
    rows = np.arange(len(order))[:, None]
    rank[rows, order] = np.arange(order.shape[1])[None, :]
    return floor + (rank < short[:, None])


def synth_population(
    seed: int, years: Iterable[int], la_codes: Iterable[str] | None = None
) -> pd.DataFrame:
    """Rows of ``ref_population`` (year, la_code, age, sex, ethnicity_group, population) for the
    given years and LAs (all 153 when None); each LA-year adds up to ``population_0_17``."""
    years = sorted(set(int(y) for y in years))
    factors = draw_factors(seed)
    la = _la_frame(seed)
    cells = _cell_shares(la, seed).reshape(len(la), -1)
    if la_codes is not None:
        wanted = [str(c) for c in la_codes]
        unknown = sorted(set(wanted) - set(la["la_code"]))
        if unknown:
            raise ValueError(f"synth_population: unknown DfE LA code {unknown[0]!r}")
        keep = la["la_code"].isin(wanted).to_numpy()
        la, cells = la[keep].reset_index(drop=True), cells[keep]
    codes = la["la_code"].to_numpy()
    totals = np.array(
        [[population_0_17(factors[c], y) for c in codes] for y in years], dtype=np.int64
    ).reshape(-1)
    counts = largest_remainder(totals, np.tile(cells, (len(years), 1)))
    n_cells = cells.shape[1]
    grid = pd.MultiIndex.from_product([AGES, SEXES, ETHNIC_GROUPS]).to_frame(index=False)
    return pd.DataFrame(
        {
            "year": np.repeat(np.array(years, dtype=np.int64), len(codes) * n_cells),
            "la_code": np.tile(np.repeat(codes, n_cells), len(years)),
            "age": np.tile(grid[0].to_numpy(dtype=np.int64), len(years) * len(codes)),
            "sex": np.tile(grid[1].to_numpy(), len(years) * len(codes)),
            "ethnicity_group": np.tile(grid[2].to_numpy(), len(years) * len(codes)),
            "population": counts.reshape(-1),
        }
    )
