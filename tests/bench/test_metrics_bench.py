"""The metrics-build benchmark's pure parts (reading the build's report, the command) and the
record copy between engines, on a tiny database made here; and the command-line options."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.cli import NAMES, parse_args
from bench.metrics_build import copy_records, metrics_command, parse_build_output

LINE = (
    "built metrics in duckdb:////tmp/x.duckdb: {'indicator_values': 1234567, "
    "'coverage_values': 89012} (units 3.2s, signals 1.0s, indicators 20.5s, write 4.25s)"
)


def test_the_build_report_gives_rows_and_stage_seconds() -> None:
    rows, stages = parse_build_output(f"some warning\n{LINE}\n")
    assert rows == {"indicator_values": 1234567, "coverage_values": 89012}
    assert stages == {"units": 3.2, "signals": 1.0, "indicators": 20.5, "write": 4.25}


def test_output_without_the_report_line_is_an_error() -> None:
    with pytest.raises(ValueError, match="no 'built metrics in"):
        parse_build_output("Traceback (most recent call last):\n  ...\n")


def test_the_build_runs_as_the_user_runs_it() -> None:
    assert metrics_command("sqlite:///x.db") == [
        sys.executable, "-m", "metrics", "build", "--quiet", "--database-url", "sqlite:///x.db",
    ]  # fmt: skip


def test_records_are_copied_table_by_table(tmp_path: Path) -> None:
    from data.load import create_tables
    from data.schema import ref_la

    source = tmp_path / "source.duckdb"
    engine = sa.create_engine(f"duckdb:///{source}")
    create_tables(engine)
    rows = [
        {"ons_code": f"E0600000{i}", "dfe_la_code": f"80{i}", "la_name": f"LA {i}",
         "la_type": "Unitary authority", "region_code": "E12000001", "region_name": "North East",
         "inner_outer_london": None, "population_0_17": 1000 * i, "centroid_lat": 54.0 + i,
         "centroid_lon": -1.5}
        for i in range(1, 4)
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.insert(ref_la), rows)
    engine.dispose()

    target = tmp_path / "target.sqlite"
    copied = copy_records(source, f"sqlite:///{target}")
    assert copied["ref_la"] == 3
    assert copied["cin_child"] == 0  # every schema table is there, empty ones included
    check = sa.create_engine(f"sqlite:///{target}")
    with check.connect() as conn:
        back = conn.execute(sa.select(ref_la).order_by(ref_la.c.ons_code)).mappings().all()
    check.dispose()
    assert [dict(r) for r in back] == rows


def test_new_benchmarks_are_registered() -> None:
    for name in ("metrics_duckdb_national", "metrics_sqlite_national",
                 "metrics_postgresql_national", "dashboard_national"):  # fmt: skip
        assert name in NAMES
        assert parse_args(["--only", name]).only == [name]


def test_a_missing_national_database_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--national-db", str(tmp_path / "nope.duckdb")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "nope.duckdb" in err and len(err.splitlines()) == 1
