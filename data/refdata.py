"""The real reference facts (LA codes and names, populations, statistical neighbours) in the
database, and one place that turns whatever code a person types into the DfE code we key on.

People know LAs by either code: analysts by the DfE three-digit code on returns, map and ONS users
by the nine-character ONS code. Accepting both, plus the few ONS codes retired or issued since
our reference year, saves users from looking codes up.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data.load import bulk_insert
from data.schema import ref_la, ref_statistical_neighbours

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
LA_CSV = REFERENCE_DIR / "la.csv"
NEIGHBOUR_CSVS = {
    2025: REFERENCE_DIR / "statistical_neighbours.csv",
    2021: REFERENCE_DIR / "statistical_neighbours_2021.csv",
}

# ONS codes that name the same DfE authority but are not the 2024 codes in la.csv: county codes
# replaced in 2020-23 with unchanged areas, and Barnsley and Sheffield's 2025 codes.
ONS_ALIASES = {
    "E10000002": "825",  # Buckinghamshire, before 2020
    "E10000023": "815",  # North Yorkshire, before 2023
    "E10000027": "933",  # Somerset, before 2023
    "E08000038": "370",  # Barnsley, from 2025
    "E08000039": "373",  # Sheffield, from 2025
}

_CODE_TEXT = {"dfe_la_code": str, "neighbour_dfe_la_code": str, "inner_outer_london": str}


class UnknownLAError(ValueError):
    """A code that names none of the 153 local authorities."""


@lru_cache(maxsize=1)
def _la_table() -> pd.DataFrame:
    return pd.read_csv(LA_CSV, dtype=_CODE_TEXT)


def la_lookup() -> pd.DataFrame:
    """One row per LA: the columns of la.csv (ONS and DfE codes, name, type, region,
    inner/outer London, 0-17 population mid-2024, centroid)."""
    return _la_table().copy()


def _read_la() -> pd.DataFrame:
    return la_lookup()[[c.name for c in ref_la.columns]]


def _read_neighbours() -> pd.DataFrame:
    frames = []
    for model, path in NEIGHBOUR_CSVS.items():
        sn = pd.read_csv(path, dtype=_CODE_TEXT)
        sn["model"] = model
        frames.append(sn[[c.name for c in ref_statistical_neighbours.columns]])
    return pd.concat(frames, ignore_index=True)


def load_reference(engine: sa.Engine) -> None:
    """Replace the contents of ref_la and ref_statistical_neighbours with the reference CSVs
    (both neighbour models, told apart by ``model`` 2025 or 2021), in one transaction."""
    la, neighbours = _read_la(), _read_neighbours()
    with engine.begin() as conn:
        conn.execute(sa.delete(ref_statistical_neighbours))
        conn.execute(sa.delete(ref_la))
        bulk_insert(conn, "ref_la", la)
        bulk_insert(conn, "ref_statistical_neighbours", neighbours)


@lru_cache(maxsize=1)
def _code_map() -> dict[str, str]:
    la = _la_table()
    mapping = dict(zip(la["dfe_la_code"], la["dfe_la_code"], strict=True))
    mapping.update(zip(la["ons_code"].str.upper(), la["dfe_la_code"], strict=True))
    mapping.update(ONS_ALIASES)
    return mapping


def resolve_la(code: str) -> str:
    """The DfE three-digit code for a DfE code (``202``) or an ONS code (``E09000007``)."""
    text = str(code).strip().upper()
    dfe = _code_map().get(text) if re.fullmatch(r"\d{3}|E\d{8}", text) else None
    if dfe is None:
        raise UnknownLAError(
            f"unknown local authority {code!r}: give a DfE three-digit code (e.g. 202) "
            "or an ONS code (e.g. E09000007) of one of England's 153 LAs"
        )
    return dfe
