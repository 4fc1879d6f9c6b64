from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, insert

from dashboard.data_access import DatabaseNotReadyError, read_local_authorities
from data.schema import ref_la


def _row(ons: str, dfe: str, name: str, population: int) -> dict[str, object]:
    return {
        "ons_code": ons,
        "dfe_la_code": dfe,
        "la_name": name,
        "la_type": "Unitary authority",
        "region_code": "E12000001",
        "region_name": "North East",
        "inner_outer_london": None,
        "population_0_17": population,
        "centroid_lat": 54.0,
        "centroid_lon": -1.5,
    }


def test_reads_las_sorted_by_name_on_each_engine(db_url: str) -> None:
    engine = create_engine(db_url)
    ref_la.create(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(ref_la),
            [
                _row("E06000002", "806", "Middlesbrough", 35617),
                _row("E06000001", "805", "Hartlepool", 21090),
            ],
        )
    engine.dispose()

    frame = read_local_authorities(db_url)

    assert list(frame.columns) == [
        "la_name",
        "ons_code",
        "dfe_la_code",
        "region_name",
        "population_0_17",
    ]
    assert frame.to_dict("records") == [
        {
            "la_name": "Hartlepool",
            "ons_code": "E06000001",
            "dfe_la_code": "805",
            "region_name": "North East",
            "population_0_17": 21090,
        },
        {
            "la_name": "Middlesbrough",
            "ons_code": "E06000002",
            "dfe_la_code": "806",
            "region_name": "North East",
            "population_0_17": 35617,
        },
    ]


def test_missing_table_names_table_and_fix(db_url: str) -> None:
    with pytest.raises(DatabaseNotReadyError, match=r"ref_la is missing.*python -m data build"):
        read_local_authorities(db_url)


def test_releases_duckdb_file_after_reading(tmp_path: Path) -> None:
    """A running dashboard must not hold the DuckDB file: a build must be able to write to it."""
    path = tmp_path / "held.duckdb"
    url = f"duckdb:///{path}"
    engine = create_engine(url)
    ref_la.create(engine)
    engine.dispose()

    read_local_authorities(url)

    # DuckDB locks a file per process, so only another process can tell whether it is free.
    writer = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import duckdb; duckdb.connect({str(path)!r}).execute('CREATE TABLE later (x INT)')",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert writer.returncode == 0, writer.stderr
