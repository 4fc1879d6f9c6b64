"""Free school meal eligibility in the all-pupil baselines: its levels, its link to deprivation,
and the promise that adding it changed no other generated value.

"Before" is the generator with the FSM draw taken out: ``_fsm_row`` is replaced by a function
that draws nothing (its placeholder rows are dropped before comparing), which is exactly the code
as it was before the measure was added. If the FSM draw shared a random stream with anything
else, the two builds would differ outside the new rows.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import data.synth.education as education
from data.build import build_database
from data.engine import make_engine
from data.schema import metadata
from data.synth.latent import LAFactors, draw_factors, population_0_17

SEED = 5
LAS = ["202", "805"]
YEARS = range(2024, 2026)
# England, % of pupils eligible in January (DfE Schools, pupils and their characteristics).
PUBLISHED = {2017: 14.1, 2019: 15.4, 2021: 20.8, 2023: 23.8, 2025: 25.7}


def _no_fsm(factors: LAFactors, year: int, seed: int) -> tuple[int, str, str, float, float]:
    return (year, factors.la_code, "fsm_eligible", 0.0, 1.0)


def _tables(url: str) -> dict[str, pd.DataFrame]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: pd.read_sql(sa.select(table), conn) for name, table in metadata.tables.items()
            }
    finally:
        engine.dispose()


def _build(path: Path) -> dict[str, pd.DataFrame]:
    url = f"duckdb:///{path}"
    build_database(url, la_codes=LAS, seed=SEED, scale=0.1, years=YEARS, progress=False, workers=1)
    return _tables(url)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


Tables = dict[str, pd.DataFrame]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Tables, Tables]:
    folder = tmp_path_factory.mktemp("fsm")
    after = _build(folder / "after.duckdb")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(education, "_fsm_row", _no_fsm)
        before = _build(folder / "before.duckdb")
    return before, after


def test_adding_fsm_changes_no_other_value(builds: tuple[Tables, Tables]) -> None:
    before, after = builds
    assert set(before) == set(after)
    for name in before:
        old, new = before[name], after[name]
        if name == "edu_la_baseline":
            old = old[old["measure"] != "fsm_eligible"]
            new = new[new["measure"] != "fsm_eligible"]
            assert len(new) > 0
        pd.testing.assert_frame_equal(_sorted(old), _sorted(new), obj=name)


def test_build_has_one_fsm_row_per_la_and_year(builds: tuple[Tables, Tables]) -> None:
    _, after = builds
    base = after["edu_la_baseline"]
    fsm = base[base["measure"] == "fsm_eligible"]
    assert sorted(zip(fsm["year"], fsm["la_code"], strict=True)) == sorted(
        (y, la) for y in YEARS for la in LAS
    )
    share = fsm["numerator"] / fsm["denominator"]
    assert ((share > 0.02) & (share < 0.7)).all()
    assert (fsm["numerator"] == fsm["numerator"].round()).all()


def _national(year: int, seed: int) -> tuple[float, list[float]]:
    rows = [education._fsm_row(f, year, seed) for f in draw_factors(seed).values()]
    eligible = sum(r[3] for r in rows)
    pupils = sum(r[4] for r in rows)
    return 100 * eligible / pupils, [r[3] / r[4] for r in rows]


@pytest.mark.parametrize("year", sorted(PUBLISHED))
def test_england_share_is_near_the_published_level(year: int) -> None:
    england, shares = _national(year, SEED)
    assert england == pytest.approx(PUBLISHED[year], rel=0.06)
    assert len(shares) == 153


def test_la_range_in_2025_is_roughly_8_to_45_percent() -> None:
    _, shares = _national(2025, SEED)
    p5, p95 = np.percentile(shares, [5, 95])
    assert min(shares) > 0.06 and p5 < 0.19
    assert p95 > 0.33 and max(shares) < 0.6


def test_pupils_are_about_three_quarters_of_children() -> None:
    f = draw_factors(SEED)["805"]
    row = education._fsm_row(f, 2025, SEED)
    assert row[4] == pytest.approx(0.72 * population_0_17(f, 2025), rel=0.03)


def test_more_deprived_las_have_more_pupils_eligible() -> None:
    base = draw_factors(SEED)["805"]
    shares = []
    for dep in (-1.5, 0.0, 1.5):
        row = education._fsm_row(dataclasses.replace(base, deprivation=dep), 2025, SEED)
        shares.append(row[3] / row[4])
    assert shares[0] < shares[1] < shares[2]
    # The same LA and seed give the same count: the draw is seeded per LA and year.
    assert education._fsm_row(base, 2025, SEED) == education._fsm_row(base, 2025, SEED)
    assert education._fsm_row(base, 2025, SEED) != education._fsm_row(base, 2024, SEED)
