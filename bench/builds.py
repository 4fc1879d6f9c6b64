"""The national build timed on each engine, and its growth with ``--scale``.

Each build runs ``python -m data build`` as a separate process, as a user would, so import time,
worker start-up and the final swap are all inside the measured wall time. Rows are counted after
the clock stops, from the database the build left behind.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.fit import loglog_fit, step_exponents
from bench.machine import REPO_ROOT, load_average
from bench.measure import RunResult, run_measured
from bench.record import BenchResult, Check

WALL_LIMIT_S = 60.0
MEMORY_LIMIT_BYTES = 6 * 10**9
SCALING_EXPONENT_LIMIT = 1.0
BUILD_TIMEOUT_S = 3 * 3600
PG_SCHEMA = "csc_bench"


@dataclass(frozen=True)
class BuildParams:
    """What ``python -m data build`` is asked to do; the defaults are the national build."""

    scale: float = 1.0
    seed: int = 1
    years: str | None = None  # e.g. "2024-2026"; None is the CLI default 2017-2026
    la: tuple[str, ...] = ()  # empty is every LA

    def cli_args(self) -> list[str]:
        args = ["--seed", str(self.seed), "--scale", f"{self.scale:g}"]
        if self.years:
            args += ["--years", self.years]
        if self.la:
            args += ["--la", *self.la]
        return args


def build_command(params: BuildParams, url: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "data",
        "build",
        "--quiet",
        "--database-url",
        url,
        *params.cli_args(),
    ]


def count_rows(url: str) -> dict[str, int]:
    """Rows in every schema table at ``url``, counted after the build has finished."""
    import sqlalchemy as sa

    from data.engine import make_engine
    from data.schema import metadata

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: int(
                    conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
                )
                for table in metadata.sorted_tables
            }
    finally:
        engine.dispose()


def file_size(path: Path) -> int | None:
    return path.stat().st_size if path.exists() else None


def _run_build(params: BuildParams, url: str, log_dir: Path) -> RunResult:
    return run_measured(
        build_command(params, url), cwd=REPO_ROOT, log_dir=log_dir, timeout_s=BUILD_TIMEOUT_S
    )


def _run_summary(run: RunResult) -> dict[str, Any]:
    summary = asdict(run)
    summary.pop("command")  # in the parameters, with any PostgreSQL URL masked
    if run.returncode == 0:
        summary.pop("stdout_tail")
        summary.pop("stderr_tail")
    return summary


def _failure(run: RunResult) -> str | None:
    if run.timed_out:
        return f"build stopped after {BUILD_TIMEOUT_S} s"
    if run.returncode != 0:
        last = run.stderr_tail.strip().splitlines()[-1:] or ["(no stderr)"]
        return f"build exited {run.returncode}: {last[0]}"
    return None


def measure_build(
    name: str,
    params: BuildParams,
    url: str,
    db_file: Path | None,
    workdir: Path,
    *,
    judged: bool,
) -> BenchResult:
    """One build into ``url`` with wall time, tree memory, CPU time and rows per table.

    ``judged``: the issue sets wall-time and memory targets for the default engine (DuckDB) only;
    other engines' figures are reported.
    """
    load_before = load_average()
    run = _run_build(params, url, workdir / f"{name}-logs")
    load_after = load_average()
    results: dict[str, Any] = {
        "run": _run_summary(run),
        "load_average_before": load_before,
        "load_average_after": load_after,
    }
    failure = _failure(run)
    notes = []
    if failure:
        notes.append(failure)
    else:
        if db_file is not None:
            results["database_bytes"] = file_size(db_file)
        rows = count_rows(url)
        results["rows_per_table"] = rows
        results["rows_total"] = sum(rows.values())
    ok = failure is None
    checks = [
        Check("wall time", run.wall_s if ok else None, "s", WALL_LIMIT_S if judged else None),
        Check(
            "peak memory (tree RSS)",
            float(run.peak_rss_bytes) if ok else None,
            "bytes",
            MEMORY_LIMIT_BYTES if judged else None,
        ),
    ]
    parameters = {**asdict(params), "database": url.split(":", 1)[0], "command": run.command}
    return BenchResult(name, parameters, results, checks, notes)


def bench_duckdb_national(params: BuildParams, workdir: Path) -> BenchResult:
    db = workdir / "national.duckdb"
    url = f"duckdb:///{db}"
    result = measure_build("build_duckdb_national", params, url, db, workdir, judged=True)
    db.unlink(missing_ok=True)
    return result


def bench_sqlite_national(params: BuildParams, workdir: Path) -> BenchResult:
    db = workdir / "national.sqlite"
    url = f"sqlite:///{db}"
    result = measure_build("build_sqlite_national", params, url, db, workdir, judged=False)
    db.unlink(missing_ok=True)
    return result


def bench_duckdb_scaling(
    scales: tuple[float, ...],
    params: BuildParams,
    workdir: Path,
    reuse: dict[float, dict[str, Any]] | None = None,
) -> BenchResult:
    """Builds at each scale (the rest of ``params`` fixed); ``reuse`` maps a scale to the figures
    (wall_s, cpu_s, peak_rss_bytes) of an identical build already run, which is not run again."""
    reuse = reuse or {}
    runs: list[dict[str, Any]] = []
    notes: list[str] = []
    for scale in scales:
        if scale in reuse:
            runs.append({"scale": scale, **reuse[scale], "reused_from": "build_duckdb_national"})
            continue
        db = workdir / f"scale-{scale:g}.duckdb"
        one = BuildParams(scale=scale, seed=params.seed, years=params.years, la=params.la)
        run = _run_build(one, f"duckdb:///{db}", workdir / f"scale-{scale:g}-logs")
        db.unlink(missing_ok=True)
        failure = _failure(run)
        if failure:
            notes.append(f"scale {scale:g}: {failure}")
            continue
        runs.append(
            {
                "scale": scale,
                "wall_s": run.wall_s,
                "cpu_s": run.cpu_s,
                "peak_rss_bytes": run.peak_rss_bytes,
                "load_average_after": load_average(),
            }
        )
    results: dict[str, Any] = {"runs": runs}
    exponent: float | None = None
    if len({r["scale"] for r in runs}) >= 2:
        fit = loglog_fit([r["scale"] for r in runs], [r["wall_s"] for r in runs])
        exponent = fit.exponent
        results["fit"] = asdict(fit)
        # CPU time is much less disturbed than wall time by other jobs on a shared machine.
        results["fit_cpu_time"] = asdict(
            loglog_fit([r["scale"] for r in runs], [r["cpu_s"] for r in runs])
        )
        results["step_exponents"] = {
            key: step_exponents([r["scale"] for r in runs], [r[key] for r in runs])
            for key in ("wall_s", "cpu_s")
        }
    else:
        notes.append("fewer than two scales built: no exponent")
    parameters = {**asdict(params), "scales": list(scales), "database": "duckdb"}
    del parameters["scale"]
    checks = [Check("time ~ scale^k, k", exponent, "", SCALING_EXPONENT_LIMIT)]
    return BenchResult("build_duckdb_scaling", parameters, results, checks, notes)


@contextlib.contextmanager
def private_postgresql(notes: list[str]) -> Iterator[str]:
    """The URL of a PostgreSQL from ``scripts/pg.sh``, stopped afterwards if we started it.

    The test suite shares that server; if it is already running we use it, build into our own
    schema so no test data is touched, and leave it running for whoever started it.
    """
    pg = ["bash", str(REPO_ROOT / "scripts" / "pg.sh")]
    already = subprocess.run([*pg, "url"], capture_output=True, text=True).returncode == 0
    if already:
        notes.append("PostgreSQL from scripts/pg.sh was already running; used it, left it running")
    started = subprocess.run([*pg, "start"], capture_output=True, text=True)
    if started.returncode != 0:
        reason = (started.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"scripts/pg.sh start failed: {reason}")
    url = started.stdout.strip().splitlines()[-1]
    try:
        yield f"{url}?options=-c%20search_path%3D{PG_SCHEMA}"
    finally:
        _drop_schema(url)
        if not already:
            subprocess.run([*pg, "stop"], capture_output=True, text=True)


def _drop_schema(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE')
    except sa.exc.SQLAlchemyError:
        pass
    finally:
        engine.dispose()


def bench_postgresql_national(params: BuildParams, workdir: Path) -> BenchResult:
    name = "build_postgresql_national"
    notes: list[str] = []
    try:
        with private_postgresql(notes) as url:
            result = measure_build(name, params, url, None, workdir, judged=False)
    except RuntimeError as error:
        return BenchResult(
            name,
            {**asdict(params), "database": "postgresql"},
            {"error": str(error)},
            [Check("wall time", None, "s"), Check("peak memory (tree RSS)", None, "bytes")],
            [str(error)],
        )
    result.notes[:0] = notes
    result.notes.append("peak memory excludes the PostgreSQL server's own processes")
    result.parameters["command"] = [
        part.replace(url, "<pg.sh url>") for part in result.parameters["command"]
    ]
    return result


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
