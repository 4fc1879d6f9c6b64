"""Importing an LA's own returns: the round trip, idempotence and all-or-nothing.

The round trip is the strongest check the importer has: any synthetic LA-year, exported in the
DfE formats and imported again, must give back the same records and the same indicators."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from data.cli import main, metrics_step
from data.engine import file_path, make_engine
from data.importer import import_returns
from data.load import bulk_insert, create_tables, table_checksums
from data.returns.exchange import export_la_year, read_la_year_tables
from data.schema import ref_population
from metrics.catalogue import load_catalogue
from tests.conftest import TINY_LA

YEAR = 2025
ROOT = Path(__file__).resolve().parents[2]


def _checksums(url: str) -> dict[str, str]:
    engine = make_engine(url)
    try:
        return table_checksums(engine)
    finally:
        engine.dispose()


def _export(url: str, folder: Path, la: str = TINY_LA, year: int = YEAR) -> Path:
    engine = make_engine(url)
    try:
        export_la_year(engine, la, year, folder)
    finally:
        engine.dispose()
    return folder


def _records(url: str, la: str, year: int) -> dict[str, pd.DataFrame]:
    engine = make_engine(url)
    try:
        tables = read_la_year_tables(engine, la, year)
    finally:
        engine.dispose()
    return {k: _sorted(v) for k, v in tables.items()}


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True) if len(frame) else frame


def _la_values(url: str, la: str, year: int) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            frame = pd.read_sql(
                sa.text(
                    "SELECT v.* FROM indicator_values v JOIN ref_la r ON v.area_code = r.ons_code"
                    " WHERE r.dfe_la_code = :la AND v.time_period = :y"
                    " AND v.geographic_level = 'local_authority'"
                ),
                conn,
                params={"la": la, "y": year},
            )
    finally:
        engine.dispose()
    keys = ["indicator_id", "breakdown", "breakdown_value", "geographic_level"]
    return frame.sort_values(keys).reset_index(drop=True)


def test_round_trip_into_an_empty_database_gives_the_same_records_and_indicators(
    tiny_db: str, tmp_path: Path
) -> None:
    folder = _export(tiny_db, tmp_path / "returns")
    empty = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    engine = make_engine(empty)
    create_tables(engine)
    # The same child population as the source (the importer adds the default build's figures
    # only where a database has none, and the tiny database was built with another seed).
    source_engine = make_engine(tiny_db)
    with source_engine.connect() as conn:
        population = pd.read_sql(sa.select(ref_population), conn)
    source_engine.dispose()
    bulk_insert(engine, "ref_population", population)
    engine.dispose()
    result = import_returns(empty, [folder], TINY_LA, YEAR, after_load=metrics_step())
    assert result.imported, result.report.format_text()
    source, back = _records(tiny_db, TINY_LA, YEAR), _records(empty, TINY_LA, YEAR)
    for name, frame in source.items():
        pd.testing.assert_frame_equal(back[name], frame, obj=name)
    # One LA-year alone: every LA value from the returns must agree, except where an indicator
    # needs more than that LA-year's returns: re-referrals look back to the previous year's
    # referrals, long-term stability to the start of a period of care in an earlier return, and
    # the education link to pupil records, which no return carries. Indicators from other
    # sources (school census, Ofsted, finance, HES) have no
    # rows at all in a database that holds only returns.
    from_returns = {"CIN census", "SSDA903", "CSWW workforce census", "CIN census and SSDA903"}
    ids = {i.id for i in load_catalogue() if i.source.return_ in from_returns}
    mine = _la_values(empty, TINY_LA, YEAR)
    theirs = _la_values(tiny_db, TINY_LA, YEAR)
    assert set(mine["indicator_id"]) == ids & set(theirs["indicator_id"])
    theirs = theirs[theirs["indicator_id"].isin(ids)]
    keys = ["indicator_id", "breakdown", "breakdown_value"]
    cols = [*keys, "numerator", "denominator", "value"]
    both = mine[cols].merge(theirs[cols], on=keys, suffixes=("_new", "_old"), how="outer")
    same = pd.Series(True, index=both.index)
    for col in ("numerator", "denominator", "value"):
        new, old = both[f"{col}_new"], both[f"{col}_old"]
        same &= (new == old) | (new.isna() & old.isna())
    looking_beyond = {"rereferral_12m_pct", "long_term_stability_pct", "education_link_pct"}
    assert set(both.loc[~same, "indicator_id"]) == looking_beyond


def test_reimporting_a_synthetic_la_year_changes_only_its_origin(
    tiny_db: str, tmp_path: Path
) -> None:
    folder = _export(tiny_db, tmp_path / "returns")
    before = _checksums(tiny_db)
    first = import_returns(tiny_db, [folder], TINY_LA, YEAR, after_load=metrics_step())
    assert first.imported
    once = _checksums(tiny_db)
    # The records and every indicator are as the build made them; only the marking changes.
    changed = {k for k in before if before[k] != once[k]}
    assert changed == {"return_status", "data_origins"}
    second = import_returns(tiny_db, [folder], TINY_LA, YEAR, after_load=metrics_step())
    assert second.imported
    assert _checksums(tiny_db) == once  # the same files twice: the same database


def test_a_failure_after_loading_leaves_the_database_as_it_was(
    tiny_db: str, tmp_path: Path
) -> None:
    folder = _export(tiny_db, tmp_path / "returns")
    before = _checksums(tiny_db)

    def fail(engine: sa.Engine) -> None:
        raise KeyboardInterrupt  # as if the analyst pressed Ctrl-C during the metrics rebuild

    with pytest.raises(KeyboardInterrupt):
        import_returns(tiny_db, [folder], TINY_LA, YEAR, after_load=fail)
    assert _checksums(tiny_db) == before
    path = file_path(tiny_db)
    assert path is not None
    assert [p.name for p in path.parent.iterdir() if ".building-" in p.name] == []


def test_a_killed_import_leaves_the_database_as_it_was(tiny_db: str, tmp_path: Path) -> None:
    folder = _export(tiny_db, tmp_path / "returns")
    before = _checksums(tiny_db)
    cmd = [
        sys.executable, "-m", "data", "import", "--la", TINY_LA, "--year", str(YEAR),
        "--database-url", tiny_db, str(folder),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    path = file_path(tiny_db)
    assert path is not None
    deadline = time.monotonic() + 60
    while not any(".building-" in p.name for p in path.parent.iterdir()):
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)  # into the load or the metrics rebuild
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _checksums(tiny_db) == before


def test_the_command_refuses_bad_returns_with_a_report_and_exit_1(
    tiny_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _export(tiny_db, tmp_path / "returns")
    episodes = folder / "ssda903" / "episodes.csv"
    lines = episodes.read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[1] = "31/02/2024"  # DECOM: no such day
    lines[1] = ",".join(cells)
    episodes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    before = _checksums(tiny_db)
    args = ["import", "--la", TINY_LA, "--year", str(YEAR), "--database-url", tiny_db]
    status = main([*args, "--report", str(report), str(folder)])
    out = capsys.readouterr()
    assert status == 1
    assert out.out.startswith("rejected: ")
    assert "ssda903/episodes.csv" in report.read_text(encoding="utf-8")
    assert "row 2" in report.read_text(encoding="utf-8")
    assert _checksums(tiny_db) == before


def test_check_only_reports_and_changes_nothing(
    tiny_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _export(tiny_db, tmp_path / "returns")
    before = _checksums(tiny_db)
    args = ["import", "--la", TINY_LA, "--year", str(YEAR), "--database-url", tiny_db]
    assert main([*args, "--check", str(folder)]) == 0
    assert capsys.readouterr().out.startswith("accepted: 0 errors")
    assert _checksums(tiny_db) == before


def test_the_command_says_what_it_loaded_and_how_long_each_stage_took(
    tiny_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _export(tiny_db, tmp_path / "returns")
    args = ["import", "--la", TINY_LA, "--year", str(YEAR), "--database-url", tiny_db, "--quiet"]
    assert main([*args, str(folder)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    match = re.fullmatch(
        r"imported ([\d,]+) records \(ssda903, cin, csww\) for LA (\d+), (\d+) into .+ "
        r"in ([\d.]+) s \(validate ([\d.]+) s, load ([\d.]+) s, metrics ([\d.]+) s\)",
        last,
    )
    assert match, last
    assert (match[2], int(match[3])) == (TINY_LA, YEAR)
    records = _records(tiny_db, TINY_LA, YEAR)
    assert int(match[1].replace(",", "")) == sum(len(frame) for frame in records.values())
    total, stages = float(match[4]), [float(match[i]) for i in (5, 6, 7)]
    assert stages[2] > 0  # the metrics rebuild ran
    assert abs(sum(stages) - total) <= 0.15  # each shown to 0.1 s


def test_usage_errors_exit_2(tiny_db: str, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["import", "--la", "999", "--year", "2025", str(tmp_path)])
    assert exc.value.code == 2
    assert main(["import", "--la", TINY_LA, "--year", "2025", str(tmp_path / "nope")]) == 2


def test_an_import_of_one_return_keeps_the_others(tiny_db: str, tmp_path: Path) -> None:
    folder = _export(tiny_db, tmp_path / "returns")
    shutil.rmtree(folder / "ssda903")
    (folder / "csww.xml").unlink()
    result = import_returns(tiny_db, [folder], TINY_LA, YEAR)
    assert result.imported and result.validated.returns == ["cin"]
    engine = make_engine(tiny_db)
    with engine.connect() as conn:
        rows = dict(
            conn.execute(
                sa.text(
                    "SELECT return_name, origin FROM return_status"
                    " WHERE la_code = :la AND year = :y"
                ),
                {"la": TINY_LA, "y": YEAR},
            ).fetchall()
        )
    engine.dispose()
    assert rows == {"cin": "imported", "ssda903": "synthetic", "csww": "synthetic"}


def test_import_is_all_or_nothing_on_every_engine(
    tiny_db: str, db_url: str, tmp_path: Path
) -> None:
    """The copy-and-swap differs per engine (a file copy, SQLite's backup, a PostgreSQL schema
    copy): each must load the returns, and on failure leave the database untouched."""
    folder = _export(tiny_db, tmp_path / "returns")
    engine = make_engine(db_url)
    create_tables(engine)
    engine.dispose()
    assert import_returns(db_url, [folder], TINY_LA, YEAR).imported
    source, back = _records(tiny_db, TINY_LA, YEAR), _records(db_url, TINY_LA, YEAR)
    for name, frame in source.items():
        pd.testing.assert_frame_equal(back[name], frame, obj=name, check_dtype=False)
    before = _checksums(db_url)

    def fail(engine: sa.Engine) -> None:
        raise RuntimeError("metrics rebuild failed")

    shutil.rmtree(folder / "ssda903")
    with pytest.raises(RuntimeError):
        import_returns(db_url, [folder], TINY_LA, YEAR, after_load=fail)
    assert _checksums(db_url) == before
