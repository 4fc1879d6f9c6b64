"""Builds on every engine: same records everywhere, atomic swaps, the export/import round trip."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from data.build import build_database
from data.engine import make_engine
from data.load import create_tables, replace_la_year, table_checksums
from data.returns.exchange import export_la_year, read_return_folder
from data.schema import CIN_TABLES, CLA_TABLES, CSWW_TABLES

SMALL = {"seed": 2, "scale": 0.1, "years": range(2024, 2026), "progress": False, "workers": 1}


def _read(url: str, table: str, where: str = "") -> pd.DataFrame:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            df = pd.read_sql(sa.text(f"SELECT * FROM {table} {where}"), conn)
    finally:
        engine.dispose()
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if "date" in col or col in {
            "decom",
            "dec",
            "dob",
            "review",
            "mis_start",
            "mis_end",
            "duc",
            "mc_dob",
        }:
            out[col] = pd.to_datetime(out[col])
        elif out[col].dtype == bool or str(out[col].dtype) == "boolean":
            out[col] = out[col].astype(int)
    return out.astype(object).where(out.notna(), None)


def test_build_loads_every_return_and_reference_table(db_url: str) -> None:
    build_database(db_url, la_codes=["202", "E06000001"], **SMALL)
    counts = {}
    engine = make_engine(db_url)
    with engine.connect() as conn:
        for table in (
            "ref_la",
            "ref_statistical_neighbours",
            "ref_population",
            "cin_child",
            "cin_episode",
            "cla_episode",
            "csww_worker",
            "edu_pupil",
            "la_finance",
            "return_status",
        ):
            counts[table] = conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
        las = {r[0] for r in conn.execute(sa.text("SELECT DISTINCT la_code FROM cin_episode"))}
    engine.dispose()
    assert counts["ref_la"] == 153
    assert counts["ref_statistical_neighbours"] == 1530 + 1520
    assert all(counts[t] > 0 for t in counts), counts
    assert las == {"202", "805"}


def test_same_records_on_every_engine(db_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    reference = f"duckdb:///{tmp_path / 'reference.duckdb'}"
    build_database(reference, la_codes=["805"], **SMALL)
    build_database(db_url, la_codes=["805"], **SMALL)
    for table in ("cin_episode", "cin_assessment_factor", "cla_episode", "csww_worker"):
        pd.testing.assert_frame_equal(
            _normalise(_read(db_url, table)), _normalise(_read(reference, table)), check_dtype=False
        )


def test_failed_build_leaves_previous_database_untouched(db_url: str) -> None:
    build_database(db_url, la_codes=["805"], **SMALL)
    engine = make_engine(db_url)
    before = table_checksums(engine)
    engine.dispose()

    def boom(code: str) -> None:
        raise RuntimeError(f"simulated failure after {code}")

    with pytest.raises(RuntimeError, match="simulated failure"):
        build_database(db_url, la_codes=["805", "202"], on_la=boom, **SMALL)
    engine = make_engine(db_url)
    after = table_checksums(engine)
    engine.dispose()
    assert after == before


def test_export_then_import_gives_identical_records(tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = f"duckdb:///{tmp_path / 'source.duckdb'}"
    target = f"duckdb:///{tmp_path / 'target.duckdb'}"
    build_database(source, la_codes=["805"], **SMALL)
    engine = make_engine(source)
    export_la_year(engine, "805", 2025, tmp_path / "out")
    engine.dispose()
    assert (tmp_path / "out" / "cin_census.xml").exists()
    assert (tmp_path / "out" / "ssda903" / "episodes.csv").exists()

    tables = read_return_folder(tmp_path / "out", "805", 2025)
    engine = make_engine(target)
    create_tables(engine)
    replace_la_year(engine, tables, "805", 2025)
    engine.dispose()
    where = "WHERE la_code = '805' AND year = 2025"
    for table in (*CIN_TABLES, *CLA_TABLES, *CSWW_TABLES):
        original = _normalise(_read(source, table, where))
        again = _normalise(_read(target, table, where))
        assert len(original) == len(again), table
        pd.testing.assert_frame_equal(again, original, check_dtype=False, obj=table)
