"""The import benchmark: reading the import's output, choosing the LA-year by its size, the
commands it runs, and one quick run end to end on the small database."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from bench.cli import NAMES, NEEDS_NATIONAL, parse_args
from bench.import_la_year import (
    MIN_LOOKED_AFTER,
    LaSize,
    choose_la,
    import_command,
    la_sizes,
    parse_import_output,
    parse_verdict,
)

ROOT = Path(__file__).resolve().parents[2]
LINE = (
    "imported 1,234,567 records (ssda903, cin, csww) for LA 810, 2026 into "
    "duckdb:////tmp/bench (x)/import.duckdb in 230.4 s "
    "(validate 2.1 s, load 3.0 s, metrics 225.3 s)"
)


# ------------------------------------------------------------------ the import's output
def test_the_import_line_gives_records_returns_and_stage_seconds() -> None:
    line = parse_import_output(f"accepted: 0 errors, 0 warnings under 0 rules\n{LINE}\n")
    assert line.records == 1_234_567
    assert line.returns == ["ssda903", "cin", "csww"]
    assert (line.la_code, line.year) == ("810", 2026)
    assert line.total_s == 230.4
    assert line.stage_seconds == {"validate": 2.1, "load": 3.0, "metrics": 225.3}


def test_output_without_the_import_line_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"no 'imported \.\.\. records' line"):
        parse_import_output("rejected: 1 error, 0 warnings under 1 rule\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("accepted: 0 errors, 3 warnings under 2 rules\n\ncount ...",
         {"verdict": "accepted", "errors": 0, "warnings": 3}),
        ("rejected: 1 error, 1 warning under 2 rules",
         {"verdict": "rejected", "errors": 1, "warnings": 1}),
    ],
)  # fmt: skip
def test_the_verdict_is_the_reports_summary_line(text: str, expected: dict[str, object]) -> None:
    assert parse_verdict(text) == expected


def test_output_without_a_verdict_is_an_error() -> None:
    with pytest.raises(ValueError, match="no 'accepted:'"):
        parse_verdict("Traceback (most recent call last):\n")


def test_the_import_runs_as_an_la_would_type_it() -> None:
    folder = Path("/x/returns")
    assert import_command("duckdb:///db", "810", 2026, folder) == [
        sys.executable, "-m", "data", "import", "--la", "810", "--year", "2026",
        "--database-url", "duckdb:///db", "/x/returns",
    ]  # fmt: skip
    checked = import_command("duckdb:///db", "810", 2026, folder, check=True)
    assert checked[-2:] == ["--check", "/x/returns"]


# ------------------------------------------------------------------ which LA-year
def test_the_la_nearest_5000_children_in_need_with_enough_looked_after_is_chosen() -> None:
    sizes = [
        LaSize("100", 5_010, MIN_LOOKED_AFTER - 1),  # nearest, but too few looked after
        LaSize("200", 4_700, MIN_LOOKED_AFTER),  # 300 away
        LaSize("300", 5_250, 2_500),  # 250 away
        LaSize("400", 40_000, 14_000),
    ]
    chosen, why = choose_la(sizes)
    assert chosen == sizes[2]
    assert "closest to 5,000" in why


def test_equally_near_las_go_to_the_lower_code() -> None:
    sizes = [LaSize("900", 5_100, 2_000), LaSize("300", 4_900, 1_600)]
    assert choose_la(sizes)[0].la_code == "300"


def test_the_largest_census_when_no_la_has_enough_looked_after() -> None:
    sizes = [LaSize("202", 900, 120), LaSize("318", 1_400, 90), LaSize("805", 1_300, 300)]
    chosen, why = choose_la(sizes)
    assert chosen.la_code == "318"
    assert "largest" in why


def test_no_la_is_an_error() -> None:
    with pytest.raises(ValueError, match="no LA"):
        choose_la([])


def test_sizes_are_counted_in_the_latest_year(tmp_path: Path) -> None:
    from data.load import create_tables
    from data.schema import cin_child, cla_header

    db = tmp_path / "sizes.duckdb"
    engine = sa.create_engine(f"duckdb:///{db}")
    create_tables(engine)

    def kids(year: int, la: str, n: int) -> list[dict[str, object]]:
        return [{"year": year, "la_code": la, "child_id": f"C{i}", "sex": "M", "ethnicity": "WBRI"}
                for i in range(n)]  # fmt: skip

    def header(year: int, la: str, n: int) -> list[dict[str, object]]:
        return [{"year": year, "la_code": la, "child": f"L{i}", "sex": "M",
                 "dob": date(2015, 1, 1), "ethnic": "WBRI"} for i in range(n)]  # fmt: skip

    with engine.begin() as conn:
        conn.execute(sa.insert(cin_child), kids(2025, "202", 9) + kids(2026, "202", 4)
                     + kids(2026, "318", 6))  # fmt: skip
        conn.execute(sa.insert(cla_header), header(2025, "202", 7) + header(2026, "202", 2))
    engine.dispose()
    year, sizes = la_sizes(db)
    assert year == 2026
    # 318 has a CIN census but no 903 return that year: 0 looked after, still a candidate.
    assert sizes == [LaSize("202", 4, 2), LaSize("318", 6, 0)]


def test_the_benchmark_is_registered_and_starts_from_the_national_database() -> None:
    assert "import_duckdb_national" in NAMES
    assert "import_duckdb_national" in NEEDS_NATIONAL
    assert parse_args(["--only", "import_duckdb_national"]).only == ["import_duckdb_national"]


# ------------------------------------------------------------------ end to end
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_quick_run_imports_the_largest_la_year_of_the_small_database(
    small_db: str, tmp_path: Path
) -> None:
    """``python -m bench --quick --only import_duckdb_national`` on the small database: the LA
    chosen, the records imported and the database left as the import made it, each checked
    against the source file read here."""
    from data.engine import file_path
    from data.schema import CIN_TABLES, CLA_TABLES, CSWW_TABLES

    source = file_path(small_db)
    assert source is not None
    before = _sha256(source)
    with duckdb.connect(str(source), read_only=True) as con:
        year = con.execute("SELECT max(year) FROM cin_child").fetchone()[0]  # type: ignore[index]
        counts = con.execute(
            "SELECT la_code, count(*) FROM cin_child WHERE year = ? GROUP BY la_code", [year]
        ).fetchall()
        largest = max(counts, key=lambda row: row[1])
        looked_after = con.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM cla_header WHERE year = ?"
            " GROUP BY la_code)",
            [year],
        ).fetchone()[0]  # type: ignore[index]
        rows = {
            name: con.execute(
                f'SELECT count(*) FROM "{name}" WHERE la_code = ? AND year = ?',
                [largest[0], year],
            ).fetchone()[0]  # type: ignore[index]
            for name in (*CIN_TABLES, *CLA_TABLES, *CSWW_TABLES)
        }
    assert looked_after < MIN_LOOKED_AFTER  # so the largest census is the one chosen

    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--only", "import_duckdb_national",
         "--national-db", str(source), "--results-dir", str(out),
         "--workdir", str(tmp_path / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    record = json.loads((out / "import_duckdb_national.json").read_text())
    results = record["results"]
    assert record["quick"] is True
    assert (record["parameters"]["la_code"], record["parameters"]["year"]) == (largest[0], year)
    assert results["la_year"]["cin_children"] == largest[1]
    assert results["rows_la_year_before"] == rows
    assert results["rows_la_year_after"] == rows  # the export, imported again, gives it back
    assert results["records_imported"] == sum(rows.values())
    assert results["returns_imported"] == ["ssda903", "cin", "csww"]
    assert set(results["return_status_after"].values()) == {"submitted/imported"}
    assert results["report"]["errors"] == 0 and results["check_report"]["errors"] == 0
    stages = results["stage_seconds"]
    assert set(stages) == {"validate", "load", "metrics"}
    assert results["run"]["wall_s"] >= results["stage_seconds_total"] > 0
    assert set(results["validation_in_process"]) == {"all", "ssda903", "cin", "csww"}
    assert all(v["errors"] == 0 for v in results["validation_in_process"].values())
    checks = {c["metric"]: c for c in record["checks"]}
    assert list(checks) == ["wall time", "peak memory (tree RSS)", "validation alone (--check)"]
    assert checks["wall time"]["measured"] == results["run"]["wall_s"]
    assert checks["wall time"]["limit"] == 20.0
    assert checks["validation alone (--check)"]["measured"] == results["check_run"]["wall_s"]
    assert _sha256(source) == before  # the national database is copied, never written
    assert "import_duckdb_national: wall time" in done.stdout
