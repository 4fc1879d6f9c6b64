"""``python -m metrics build`` timed on the national database, on each engine.

The build runs as its own process on a copy of the national records, as a user rebuilding the
tidy tables would run it: imports and connection set-up are inside the wall time. The per-stage
seconds come from the build's own report (the line it prints), so a slow total can be traced to
the stage that grew. The records are copied into SQLite and PostgreSQL through the loader the
data build uses, outside the clock, so every engine computes from exactly the same records.
"""

from __future__ import annotations

import ast
import re
import shutil
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.builds import file_size, private_postgresql
from bench.machine import REPO_ROOT, load_average
from bench.measure import RunResult, run_measured
from bench.record import BenchResult, Check

WALL_LIMIT_S = 45.0
METRICS_TIMEOUT_S = 3600  # a build still running after an hour is reported as such
COPY_BATCH_ROWS = 500_000

_DONE = re.compile(r"^built metrics in .*?: (\{.*\}) \((.*)\)\s*$")
_STAGE = re.compile(r"(\w+) (\d+(?:\.\d+)?)s")


def metrics_command(url: str) -> list[str]:
    return [sys.executable, "-m", "metrics", "build", "--quiet", "--database-url", url]


def parse_build_output(stdout: str) -> tuple[dict[str, int], dict[str, float]]:
    """(rows written per table, seconds per stage) from the line ``python -m metrics build``
    prints when it finishes: ``built metrics in <url>: {'indicator_values': n, ...} (units
    1.2s, indicators 3.4s, ...)``. ValueError when no such line is there."""
    for line in reversed(stdout.splitlines()):
        match = _DONE.match(line.strip())
        if not match:
            continue
        rows = ast.literal_eval(match.group(1))
        if not isinstance(rows, dict):
            break
        stages = {name: float(value) for name, value in _STAGE.findall(match.group(2))}
        return {str(k): int(v) for k, v in rows.items()}, stages
    raise ValueError("no 'built metrics in ...' line in the build's output")


def _failure(run: RunResult) -> str | None:
    if run.timed_out:
        return f"metrics build stopped after {METRICS_TIMEOUT_S} s"
    if run.returncode != 0:
        last = run.stderr_tail.strip().splitlines()[-1:] or ["(no stderr)"]
        return f"metrics build exited {run.returncode}: {last[0]}"
    return None


def measure_metrics_build(
    name: str, url: str, db_file: Path | None, workdir: Path, *, judged: bool
) -> BenchResult:
    """One ``python -m metrics build`` into ``url``: wall time, tree memory, CPU, stages, rows.

    ``judged``: the issue's 45 s applies to DuckDB, the default engine; others are reported."""
    load_before = load_average()
    run = run_measured(
        metrics_command(url),
        cwd=REPO_ROOT,
        log_dir=workdir / f"{name}-logs",
        timeout_s=METRICS_TIMEOUT_S,
    )
    results: dict[str, Any] = {
        "run": {k: v for k, v in asdict(run).items() if k != "command"},
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }
    notes: list[str] = []
    failure = _failure(run)
    if failure is None:
        try:
            rows, stages = parse_build_output(run.stdout_tail)
        except (ValueError, SyntaxError) as error:
            failure = f"could not read the build's report: {error}"
        else:
            results["stage_seconds"] = stages
            results["rows_written"] = rows
            results["rows_written_total"] = sum(rows.values())
            results["run"].pop("stdout_tail")
            results["run"].pop("stderr_tail")
            if db_file is not None:
                results["database_bytes"] = file_size(db_file)
    if failure:
        notes.append(failure)
    ok = failure is None
    checks = [
        Check("wall time", run.wall_s if ok else None, "s", WALL_LIMIT_S if judged else None),
        Check("peak memory (tree RSS)", float(run.peak_rss_bytes) if ok else None, "bytes"),
    ]
    parameters = {"database": url.split(":", 1)[0], "command": run.command}
    return BenchResult(name, parameters, results, checks, notes)


# ------------------------------------------------------------------ the national records
def copy_duckdb_file(source: Path, target: Path) -> None:
    """A private copy of a DuckDB file (and its write-ahead log, if one was left)."""
    if not source.is_file():
        raise FileNotFoundError(f"national database {source} does not exist")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    wal = source.with_name(source.name + ".wal")
    if wal.exists():
        shutil.copyfile(wal, target.with_name(target.name + ".wal"))


def copy_records(source: Path, target_url: str) -> dict[str, int]:
    """Every schema table of the DuckDB file ``source`` appended to ``target_url`` (created
    first), in batches through ``data.load.bulk_insert``; returns rows copied per table."""
    import duckdb
    import pyarrow as pa

    from data.engine import make_engine
    from data.load import bulk_insert, create_tables
    from data.schema import metadata

    engine = make_engine(target_url)
    copied: dict[str, int] = {}
    try:
        create_tables(engine)
        with duckdb.connect(str(source), read_only=True) as con:
            listed = con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
            present = {str(row[0]) for row in listed}
            for table in metadata.sorted_tables:
                if table.name not in present:
                    continue
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                relation = con.sql(f'SELECT {columns} FROM "{table.name}"')
                reader = relation.to_arrow_reader(COPY_BATCH_ROWS)
                total = 0
                with engine.begin() as conn:
                    for batch in reader:
                        frame = pa.Table.from_batches([batch]).to_pandas()
                        total += bulk_insert(conn, table.name, frame)
                copied[table.name] = total
    finally:
        engine.dispose()
    return copied


def _with_copy(result: BenchResult, source: Path, copied: dict[str, int] | None) -> BenchResult:
    result.parameters["national_source"] = str(source)
    if copied is not None:
        result.results["records_copied"] = copied
    return result


def bench_metrics_duckdb(source: Path, workdir: Path) -> BenchResult:
    db = workdir / "metrics.duckdb"
    copy_duckdb_file(source, db)
    try:
        result = measure_metrics_build(
            "metrics_duckdb_national", f"duckdb:///{db}", db, workdir, judged=True
        )
    finally:
        db.unlink(missing_ok=True)
        db.with_name(db.name + ".wal").unlink(missing_ok=True)
    return _with_copy(result, source, None)


def bench_metrics_sqlite(source: Path, workdir: Path, built: Path | None = None) -> BenchResult:
    """On ``built`` (a national SQLite file this run made) if given, else on the DuckDB
    records copied into a new SQLite file."""
    db = workdir / "metrics.sqlite"
    copied = None
    if built is not None and built.is_file():
        shutil.copyfile(built, db)
    else:
        copied = copy_records(source, f"sqlite:///{db}")
    try:
        result = measure_metrics_build(
            "metrics_sqlite_national", f"sqlite:///{db}", db, workdir, judged=False
        )
    finally:
        db.unlink(missing_ok=True)
    if built is not None and copied is None:
        result.parameters["national_source"] = str(built)
        return result
    return _with_copy(result, source, copied)


def bench_metrics_postgresql(source: Path, workdir: Path) -> BenchResult:
    name = "metrics_postgresql_national"
    notes: list[str] = []
    try:
        with private_postgresql(notes) as url:
            copied = copy_records(source, url)
            result = measure_metrics_build(name, url, None, workdir, judged=False)
            result.parameters["command"] = [
                part.replace(url, "<pg.sh url>") for part in result.parameters["command"]
            ]
    except RuntimeError as error:
        return BenchResult(
            name,
            {"database": "postgresql", "national_source": str(source)},
            {"error": str(error)},
            [Check("wall time", None, "s"), Check("peak memory (tree RSS)", None, "bytes")],
            [str(error)],
        )
    result.notes[:0] = notes
    result.notes.append("peak memory excludes the PostgreSQL server's own processes")
    return _with_copy(result, source, copied)


def remove_database(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
