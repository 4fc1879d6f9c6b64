"""The national synthetic database reproduces England's published figures (issue: realism targets).

One full national build (153 LAs, 2017-2026, default seed) is made per test session, or reused
from CSC_REALISM_DB when set. Every expectation is counted here with plain SQL over the
record-level tables, independently of the generator's own parameters, and compared with
docs/design/calibration_targets.csv and indicators.csv.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

DESIGN = Path(__file__).resolve().parents[2] / "docs" / "design"
pytestmark = pytest.mark.slow


def _targets() -> dict[tuple[str, int], float]:
    with open(DESIGN / "calibration_targets.csv", newline="") as fh:
        return {(r["measure"], int(r["year"])): float(r["value"]) for r in csv.DictReader(fh)}


def _spread() -> dict[str, tuple[float, float, float]]:
    with open(DESIGN / "indicators.csv", newline="") as fh:
        return {
            r["id"]: (float(r["la_p10"]), float(r["la_median"]), float(r["la_p90"]))
            for r in csv.DictReader(fh)
            if r["la_p10"]
        }


@pytest.fixture(scope="session")
def national(national_db: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect(str(national_db), read_only=True)
    yield con
    con.close()


# Counts per collection year, in SQL written for this test: (measure, query with :y placeholders).
IN_YEAR = "BETWEEN make_date({y} - 1, 4, 1) AND make_date({y}, 3, 31)"
NOT_SHORT_BREAKS = "ls NOT IN ('V3', 'V4')"
COUNTS = {
    "referrals_in_year": (
        f"SELECT count(*) FROM cin_episode WHERE year = {{y}} AND referral_date {IN_YEAR}"
    ),
    "cin_at_31mar": (
        "SELECT count(DISTINCT la_code || child_id) FROM cin_episode "
        "WHERE year = {y} AND closure_date IS NULL"
    ),
    "cpp_at_31mar": (
        "SELECT count(DISTINCT la_code || child_id) FROM cin_cpp "
        "WHERE year = {y} AND end_date IS NULL"
    ),
    "cpp_starts": f"SELECT count(*) FROM cin_cpp WHERE year = {{y}} AND start_date {IN_YEAR}",
    "cla_at_31mar": (
        "SELECT count(DISTINCT la_code || child) FROM cla_episode "
        f"WHERE year = {{y}} AND dec IS NULL AND {NOT_SHORT_BREAKS}"
    ),
    "cla_starts": (
        "SELECT count(DISTINCT la_code || child) FROM cla_episode "
        f"WHERE year = {{y}} AND rne = 'S' AND decom {IN_YEAR} AND {NOT_SHORT_BREAKS}"
    ),
    "cla_ceased": (
        f"SELECT count(*) FROM cla_episode WHERE year = {{y}} AND dec {IN_YEAR} AND rec <> 'X1'"
    ),
    "uasc_at_31mar": (
        "SELECT count(DISTINCT e.la_code || e.child) FROM cla_episode e JOIN cla_uasc u "
        "ON u.year = e.year AND u.la_code = e.la_code AND u.child = e.child "
        "WHERE e.year = {y} AND e.dec IS NULL AND (u.duc IS NULL OR u.duc > make_date({y}, 3, 31))"
    ),
    "adoptions_from_care": (
        "SELECT count(*) FROM cla_episode "
        f"WHERE year = {{y}} AND rec IN ('E11', 'E12') AND dec {IN_YEAR}"
    ),
    "sw_fte_in_post_30sep": (
        "SELECT sum(fte30) FROM csww_worker WHERE year = {y} AND agency_worker = 0 AND fte30 > 0 "
        "AND (role_end_date IS NULL OR role_end_date > make_date({y}, 9, 30))"
    ),
}


def _yearly(con: duckdb.DuckDBPyConnection, sql: str, year: int) -> float:
    row = con.execute(sql.format(y=year)).fetchone()
    assert row is not None
    return float(row[0] or 0)


def _missing_share(con: duckdb.DuckDBPyConnection, year: int, return_name: str) -> float:
    """Missing returns are not counted in England totals; scale them back like DfE's imputation."""
    row = con.execute(
        "SELECT avg(CASE WHEN status = 'missing' THEN 1.0 ELSE 0 END) FROM return_status "
        "WHERE year = ? AND return_name = ?",
        [year, return_name],
    ).fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


@pytest.mark.parametrize("measure", sorted(COUNTS))
def test_england_totals_within_5_percent(national: duckdb.DuckDBPyConnection, measure: str) -> None:
    targets = {
        year: value for (m, year), value in _targets().items() if m == measure and year >= 2017
    }
    assert targets, f"no target for {measure}"
    ret = (
        "csww"
        if measure.startswith("sw_")
        else ("ssda903" if measure.startswith(("cla", "uasc", "adopt")) else "cin")
    )
    misses = []
    for year, target in targets.items():
        got = _yearly(national, COUNTS[measure], year) / (1 - _missing_share(national, year, ret))
        if abs(got / target - 1) > 0.05:
            misses.append(f"{year}: {got:,.0f} vs {target:,.0f} ({got / target - 1:+.1%})")
    assert not misses, f"{measure}: " + "; ".join(misses)


RATE_SQL = {
    "cin_rate": (
        "SELECT la_code, count(DISTINCT child_id) AS n FROM cin_episode "
        "WHERE year = 2025 AND closure_date IS NULL GROUP BY la_code"
    ),
    "cla_rate": (
        "SELECT la_code, count(DISTINCT child) AS n FROM cla_episode "
        f"WHERE year = 2025 AND dec IS NULL AND {NOT_SHORT_BREAKS} GROUP BY la_code"
    ),
    "cpp_rate_31mar": (
        "SELECT la_code, count(DISTINCT child_id) AS n FROM cin_cpp "
        "WHERE year = 2025 AND end_date IS NULL GROUP BY la_code"
    ),
}


@pytest.mark.parametrize("indicator", sorted(RATE_SQL))
def test_la_spread_within_20_percent(national: duckdb.DuckDBPyConnection, indicator: str) -> None:
    rows = national.execute(
        f"WITH c AS ({RATE_SQL[indicator]}), p AS (SELECT la_code, sum(population) AS pop "
        "FROM ref_population WHERE year = 2025 GROUP BY la_code) "
        "SELECT quantile_cont(10000.0 * n / pop, [0.1, 0.5, 0.9]) FROM c JOIN p USING (la_code)"
    ).fetchone()
    assert rows is not None
    got = rows[0]
    want = _spread()[indicator]
    for label, g, w in zip(("p10", "median", "p90"), got, want, strict=True):
        assert abs(g / w - 1) <= 0.20, f"{indicator} {label}: {g:.1f} vs {w:.1f}"
