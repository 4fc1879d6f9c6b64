"""Latent LA factors: the hidden causes that make LAs differ the way real ones do.

Real LA rates are driven mostly by deprivation (DfE and Bywaters' work put three quarters of the
variance in CLA rates down to deprivation and related factors), then by local demand, practice
and thresholds, and workforce stability. We draw those as standard-normal factors per LA, seeded,
with deprivation correlated with region (the North East and North West are the most deprived
regions on IMD), so every generator module can draw LA effects from the same causes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"

# Mean deprivation by region, in standard deviations (ordering follows IMD 2019 regional ranks).
REGION_DEPRIVATION = {
    "E12000001": 0.9,  # North East
    "E12000002": 0.7,  # North West
    "E12000003": 0.5,  # Yorkshire and The Humber
    "E12000004": 0.0,  # East Midlands
    "E12000005": 0.5,  # West Midlands
    "E12000006": -0.5,  # East of England
    "E12000007": 0.1,  # London
    "E12000008": -0.7,  # South East
    "E12000009": -0.3,  # South West
}

# LAs known for high UASC arrivals (ports of entry and the national transfer scheme's history).
UASC_HOTSPOTS = {"886", "306", "919", "850", "213", "212", "304", "309", "810"}


@dataclass(frozen=True)
class LAFactors:
    la_code: str
    ons_code: str
    la_name: str
    region_code: str
    population_0_17: int
    centroid_lat: float
    centroid_lon: float
    deprivation: float
    demand: float
    practice: float
    workforce_stability: float
    uasc_pressure: float


def load_la_reference() -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / "la.csv", dtype={"dfe_la_code": str})


def draw_factors(seed: int) -> dict[str, LAFactors]:
    """One set of factors per LA: deterministic for a seed, whichever LAs are built."""
    la = load_la_reference().sort_values("dfe_la_code").reset_index(drop=True)
    rng = np.random.default_rng([seed, 7_001])
    n = len(la)
    region_mean = la["region_code"].map(REGION_DEPRIVATION).fillna(0.0).to_numpy()
    deprivation = 0.6 * region_mean + 0.8 * rng.standard_normal(n)
    deprivation = (deprivation - deprivation.mean()) / deprivation.std()
    demand = rng.standard_normal(n)
    practice = rng.standard_normal(n)
    stability = 0.4 * -deprivation + 0.9 * rng.standard_normal(n)
    hotspot = la["dfe_la_code"].isin(UASC_HOTSPOTS).to_numpy()
    uasc = rng.standard_normal(n) + np.where(hotspot, 2.0, 0.0)
    codes = la["dfe_la_code"].astype(str).to_numpy()
    ons = la["ons_code"].astype(str).to_numpy()
    names = la["la_name"].astype(str).to_numpy()
    regions = la["region_code"].astype(str).to_numpy()
    pop = la["population_0_17"].to_numpy(dtype=np.int64)
    lat = la["centroid_lat"].to_numpy(dtype=float)
    lon = la["centroid_lon"].to_numpy(dtype=float)
    out: dict[str, LAFactors] = {}
    for i, code in enumerate(codes):
        out[code] = LAFactors(
            la_code=code,
            ons_code=ons[i],
            la_name=names[i],
            region_code=regions[i],
            population_0_17=int(pop[i]),
            centroid_lat=float(lat[i]),
            centroid_lon=float(lon[i]),
            deprivation=float(deprivation[i]),
            demand=float(demand[i]),
            practice=float(practice[i]),
            workforce_stability=float(stability[i]),
            uasc_pressure=float(uasc[i]),
        )
    return out


def la_rng(seed: int, la_code: str, stream: str) -> np.random.Generator:
    """An independent random stream per (seed, LA, purpose): building one LA gives the same rows
    as building all of them, and modules do not disturb each other's draws."""
    stream_id = int.from_bytes(stream.encode()[:8].ljust(8, b"\0"), "little")
    return np.random.default_rng([seed, int(la_code), stream_id])


# England 0-17 population for each collection year's denominator (the previous mid-year), as a
# multiple of the mid-2024 estimate in la.csv (12,183,016). Derived from DfE's published counts and
# rates (count / rate); years without a figure are interpolated.
POPULATION_INDEX = {
    2015: 0.9520,
    2016: 0.9560,
    2017: 0.9600,
    2018: 0.9640,
    2019: 0.9670,
    2020: 0.9680,
    2021: 0.9675,
    2022: 0.9655,
    2023: 0.9757,
    2024: 0.9850,
    2025: 1.0000,
    2026: 1.0020,
}


def population_0_17(factors: LAFactors, year: int) -> int:
    """The 0-17 population used as the denominator for collection ``year``."""
    index = POPULATION_INDEX.get(year, POPULATION_INDEX[min(max(year, 2015), 2026)])
    return round(factors.population_0_17 * index)
