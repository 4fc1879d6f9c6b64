"""``python -m data import`` of one large LA-year, timed on a copy of the national database.

The issue's target covers what an LA waits for after handing its returns over: validating the
files, loading them in place of its LA-year on a copy of the database, rebuilding the metrics
on that copy and swapping it in. So the import runs as its own process, exactly as typed at a
terminal, and the clock stops when that process exits. The LA-year is chosen by measuring the
database rather than by name, so the benchmark keeps asking for "about 5,000 children in need
and 1,500 looked after" if the simulation's sizes change. Its files come from ``python -m data
export`` (outside the clock): a clean return of realistic size, which must be accepted.

Validation is also timed alone (``--check``, and in this process per return), because its speed
was once held to a bound by tests that flaked on a shared machine.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.builds import file_size
from bench.machine import REPO_ROOT, load_average
from bench.measure import RunResult, run_measured
from bench.metrics_build import copy_duckdb_file, remove_database
from bench.record import BenchResult, Check

NAME = "import_duckdb_national"
WALL_LIMIT_S = 20.0
TARGET_CIN_CHILDREN = 5_000  # the "about 5,000 children in need"
MIN_LOOKED_AFTER = 1_500  # and "1,500 looked after"
IMPORT_TIMEOUT_S = 3600  # an import still running after an hour is reported as such
EXPORT_TIMEOUT_S = 1800

_IMPORTED = re.compile(
    r"^imported ([\d,]+) records \(([^()]*)\) for LA (\S+), (\d{4}) into .* "
    r"in (\d+(?:\.\d+)?) s \(([^()]*)\)\s*$"
)
_STAGE = re.compile(r"(\w+) (\d+(?:\.\d+)?) s")
_VERDICT = re.compile(r"^(accepted|rejected): (\d+) errors?, (\d+) warnings?")


# ------------------------------------------------------------------ which LA-year
@dataclass(frozen=True)
class LaSize:
    """One LA's records in the year: children in its CIN census, children in its 903 return."""

    la_code: str
    cin_children: int
    looked_after: int


def la_sizes(db: Path) -> tuple[int, list[LaSize]]:
    """The latest year with CIN census records, and every LA's size in it (read only)."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        latest = con.execute("SELECT max(year) FROM cin_child").fetchone()
        if latest is None or latest[0] is None:
            raise RuntimeError(f"{db} holds no CIN census records to import")
        year = int(latest[0])
        rows = con.execute(
            "SELECT c.la_code, c.n, coalesce(h.n, 0) FROM"
            " (SELECT la_code, count(*) AS n FROM cin_child WHERE year = ? GROUP BY la_code) c"
            " LEFT JOIN"
            " (SELECT la_code, count(*) AS n FROM cla_header WHERE year = ? GROUP BY la_code) h"
            " USING (la_code) ORDER BY c.la_code",
            [year, year],
        ).fetchall()
    return year, [LaSize(str(la), int(cin), int(cla)) for la, cin, cla in rows]


def choose_la(sizes: Sequence[LaSize]) -> tuple[LaSize, str]:
    """The LA with at least ``MIN_LOOKED_AFTER`` looked after whose CIN census is closest to
    ``TARGET_CIN_CHILDREN`` children (ties: the lower code); the largest CIN census when no LA
    has that many looked after (a small build). Also says which rule chose it."""
    if not sizes:
        raise ValueError("no LA has CIN census records to import")
    ordered = sorted(sizes, key=lambda s: s.la_code)
    large = [s for s in ordered if s.looked_after >= MIN_LOOKED_AFTER]
    if large:
        pick = min(large, key=lambda s: abs(s.cin_children - TARGET_CIN_CHILDREN))
        return pick, (
            f"closest to {TARGET_CIN_CHILDREN:,} children in need among the LAs with at least "
            f"{MIN_LOOKED_AFTER:,} looked after"
        )
    pick = max(ordered, key=lambda s: (s.cin_children, s.looked_after))
    return pick, f"no LA has {MIN_LOOKED_AFTER:,} looked after: the largest CIN census"


# ------------------------------------------------------------------ the commands
def export_command(url: str, la_code: str, year: int, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "data", "export", "--la", la_code, "--year", str(year),
        "--out", str(out), "--database-url", url,
    ]  # fmt: skip


def import_command(
    url: str, la_code: str, year: int, folder: Path, *, check: bool = False
) -> list[str]:
    """The import as an LA would type it; ``check``: validation alone (``--check``)."""
    command = [
        sys.executable, "-m", "data", "import", "--la", la_code, "--year", str(year),
        "--database-url", url,
    ]  # fmt: skip
    if check:
        command.append("--check")
    return [*command, str(folder)]


def export_la_year(url: str, la_code: str, year: int, out: Path) -> dict[str, int]:
    """The LA-year's return files written under ``out``: bytes per file (relative path)."""
    done = subprocess.run(
        export_command(url, la_code, year, out),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=EXPORT_TIMEOUT_S,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"exporting LA {la_code}, {year} failed: {last}")
    return {
        str(p.relative_to(out)): p.stat().st_size for p in sorted(out.rglob("*")) if p.is_file()
    }


# ------------------------------------------------------------------ reading the output
@dataclass(frozen=True)
class ImportLine:
    """What the import's last line says: records loaded, the returns among them, seconds."""

    records: int
    returns: list[str]
    la_code: str
    year: int
    total_s: float
    stage_seconds: dict[str, float]


def parse_import_output(stdout: str) -> ImportLine:
    """The line ``python -m data import`` prints when it has swapped the database in:
    ``imported 12,345 records (ssda903, cin, csww) for LA 810, 2026 into <url> in 230.1 s
    (validate 2.1 s, load 3.0 s, metrics 225.0 s)``. ValueError when there is none."""
    for line in reversed(stdout.splitlines()):
        match = _IMPORTED.match(line.strip())
        if match:
            return ImportLine(
                records=int(match[1].replace(",", "")),
                returns=[r.strip() for r in match[2].split(",") if r.strip()],
                la_code=match[3],
                year=int(match[4]),
                total_s=float(match[5]),
                stage_seconds={k: float(v) for k, v in _STAGE.findall(match[6])},
            )
    raise ValueError("no 'imported ... records' line in the import's output")


def parse_verdict(stdout: str) -> dict[str, Any]:
    """The validation report's summary line (the first line of the report):
    ``accepted: 0 errors, 3 warnings under 2 rules``. ValueError when there is none."""
    for line in stdout.splitlines():
        match = _VERDICT.match(line.strip())
        if match:
            return {"verdict": match[1], "errors": int(match[2]), "warnings": int(match[3])}
    raise ValueError("no 'accepted:' or 'rejected:' line in the output")


def _full_stdout(log_dir: Path) -> str:
    """All of a run's output (``RunResult`` keeps only the tail, and the verdict comes first)."""
    return (log_dir / "stdout.log").read_text(errors="replace")


def _failure(run: RunResult, what: str) -> str | None:
    if run.timed_out:
        return f"{what} stopped after {IMPORT_TIMEOUT_S} s"
    if run.returncode != 0:
        last = run.stderr_tail.strip().splitlines()[-1:] or ["(no stderr)"]
        return f"{what} exited {run.returncode}: {last[0]}"
    return None


def _run_summary(run: RunResult) -> dict[str, Any]:
    return {k: v for k, v in asdict(run).items() if k not in ("command", "stdout_tail")}


# ------------------------------------------------------------------ outside the clock
def la_year_rows(db: Path, la_code: str, year: int) -> dict[str, int]:
    """Rows of the LA-year in every return table (CIN, 903, workforce) of the DuckDB file."""
    import duckdb

    from data.schema import CIN_TABLES, CLA_TABLES, CSWW_TABLES

    with duckdb.connect(str(db), read_only=True) as con:
        return {
            name: int(
                con.execute(
                    f'SELECT count(*) FROM "{name}" WHERE la_code = ? AND year = ?',
                    [la_code, year],
                ).fetchone()[0]  # type: ignore[index]
            )
            for name in (*CIN_TABLES, *CLA_TABLES, *CSWW_TABLES)
        }


def return_statuses(db: Path, la_code: str, year: int) -> dict[str, str]:
    """return name -> "status/origin" for the LA-year: the import marks its returns imported."""
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT return_name, status, origin FROM return_status"
            " WHERE la_code = ? AND year = ? ORDER BY return_name",
            [la_code, year],
        ).fetchall()
    return {str(name): f"{status}/{origin}" for name, status, origin in rows}


def time_validation(folder: Path, la_code: str, year: int) -> dict[str, dict[str, Any]]:
    """``validate_returns`` in this process on the whole export, then on each return alone:
    wall and CPU seconds, findings. Validation includes reading accepted files into tables, as
    the import's ``validate`` stage does; the modules are imported before the clock starts."""
    from data.returns.exchange import CIN_FILE, CSWW_FILE
    from data.validate.run import validate_returns

    parts = {
        "all": [folder],
        "ssda903": [folder / "ssda903"],
        "cin": [folder / CIN_FILE],
        "csww": [folder / CSWW_FILE],
    }
    out: dict[str, dict[str, Any]] = {}
    for name, paths in parts.items():
        if not all(p.exists() for p in paths):
            continue
        wall, cpu = time.perf_counter(), time.process_time()
        validated = validate_returns(paths, la_code, year)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        files = [f for p in paths for f in ([p] if p.is_file() else p.rglob("*")) if f.is_file()]
        out[name] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "errors": len(validated.report.errors),
            "findings": len(validated.report.findings),
            "bytes": sum(f.stat().st_size for f in files),
        }
    return out


# ------------------------------------------------------------------ the benchmark
def bench_import_duckdb(source: Path, workdir: Path) -> BenchResult:
    """Choose the LA-year, export it, then time its import into a copy of ``source`` (and
    validation alone). ``source`` is only read."""
    year, sizes = la_sizes(source)
    chosen, reason = choose_la(sizes)
    la = chosen.la_code
    folder = workdir / "returns"
    files = export_la_year(f"duckdb:///{source}?access_mode=read_only", la, year, folder)
    db = workdir / "import.duckdb"
    copy_duckdb_file(source, db)
    url = f"duckdb:///{db}"
    results: dict[str, Any] = {
        "la_year": {**asdict(chosen), "year": year, "chosen_because": reason},
        "exported_files_bytes": files,
        "rows_la_year_before": la_year_rows(db, la, year),
        "database_bytes_before": file_size(db),
    }
    notes: list[str] = [
        f"LA {la}, {year}: {chosen.cin_children:,} children in the CIN census, "
        f"{chosen.looked_after:,} in the 903 return ({reason})"
    ]
    try:
        results["load_average_before"] = load_average()
        logs = workdir / "import-logs"
        run = run_measured(
            import_command(url, la, year, folder),
            cwd=REPO_ROOT,
            log_dir=logs,
            timeout_s=IMPORT_TIMEOUT_S,
        )
        results["load_average_after"] = load_average()
        results["run"] = _run_summary(run)
        failure = _failure(run, "import")
        if failure is None:
            try:
                stdout = _full_stdout(logs)
                line = parse_import_output(stdout)
                results["report"] = parse_verdict(stdout)
            except ValueError as error:
                failure = f"could not read the import's output: {error}"
            else:
                results["stage_seconds"] = line.stage_seconds
                results["stage_seconds_total"] = line.total_s
                results["records_imported"] = line.records
                results["returns_imported"] = line.returns
                results["rows_la_year_after"] = la_year_rows(db, la, year)
                results["return_status_after"] = return_statuses(db, la, year)
                results["database_bytes_after"] = file_size(db)
                results["run"].pop("stderr_tail")
                loaded = sum(results["rows_la_year_after"].values())
                if loaded != line.records:
                    notes.append(
                        f"the database holds {loaded:,} rows of the LA-year after the import, "
                        f"but the import reported {line.records:,}"
                    )
        if failure:
            notes.append(failure)

        check_logs = workdir / "check-logs"
        check = run_measured(
            import_command(url, la, year, folder, check=True),
            cwd=REPO_ROOT,
            log_dir=check_logs,
            timeout_s=IMPORT_TIMEOUT_S,
        )
        results["check_run"] = _run_summary(check)
        check_failure = _failure(check, "import --check")
        if check_failure is None:
            results["check_report"] = parse_verdict(_full_stdout(check_logs))
            results["check_run"].pop("stderr_tail")
        else:
            notes.append(check_failure)
        results["validation_in_process"] = time_validation(folder, la, year)
    finally:
        remove_database(db)
        db.with_name(db.name + ".update-lock").unlink(missing_ok=True)
    ok = failure is None
    checks = [
        Check("wall time", run.wall_s if ok else None, "s", WALL_LIMIT_S),
        Check("peak memory (tree RSS)", float(run.peak_rss_bytes) if ok else None, "bytes"),
        Check("validation alone (--check)", check.wall_s if check_failure is None else None, "s"),
    ]
    parameters = {
        "database": "duckdb",
        "national_source": str(source),
        "la_code": la,
        "year": year,
        "target_cin_children": TARGET_CIN_CHILDREN,
        "min_looked_after": MIN_LOOKED_AFTER,
        "command": run.command,
        "check_command": check.command,
    }
    return BenchResult(NAME, parameters, results, checks, notes)
