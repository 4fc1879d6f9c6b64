"""``python -m bench [--only NAME ...] [--quick]``: run benchmarks one after another, never at
once, because two builds on a two-core machine would each measure the other.

Exit status: 0 when every benchmark produced its figures (whether or not they meet the targets),
1 when one could not be measured, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from bench.builds import (
    BuildParams,
    bench_duckdb_scaling,
    bench_postgresql_national,
    build_command,
    measure_build,
)
from bench.dashboard import bench_dashboard
from bench.fresh_clone import bench_make_run
from bench.import_la_year import bench_import_duckdb
from bench.machine import REPO_ROOT, machine_info, now_iso
from bench.metrics_build import (
    bench_metrics_duckdb,
    bench_metrics_postgresql,
    bench_metrics_sqlite,
    copy_duckdb_file,
    remove_database,
)
from bench.record import (
    BenchResult,
    Check,
    format_value,
    make_record,
    summary_table,
    write_record,
)

RESULTS_DIR = REPO_ROOT / "bench" / "results"
QUICK_RESULTS_DIR = REPO_ROOT / ".cache" / "bench-quick"


@dataclass(frozen=True)
class Plan:
    """The sizes a run uses: the issue's national build, or a small stand-in for --quick."""

    national: BuildParams
    scales: tuple[float, ...]


FULL = Plan(national=BuildParams(), scales=(0.125, 0.25, 0.5, 1.0))
# Two LAs and two years at a small scale: every code path, about ten seconds a build.
QUICK = Plan(
    national=BuildParams(scale=0.1, years="2025-2026", la=("202", "318")),
    scales=(0.05, 0.1),
)

NAMES = (
    "build_duckdb_national",
    "build_duckdb_scaling",
    "build_sqlite_national",
    "build_postgresql_national",
    "metrics_duckdb_national",
    "metrics_sqlite_national",
    "metrics_postgresql_national",
    "import_duckdb_national",
    "dashboard_national",
    "make_run_fresh_clone",
)
# Benchmarks that start from the national DuckDB database (built, reused or given).
NEEDS_NATIONAL = (
    "metrics_duckdb_national",
    "metrics_sqlite_national",
    "metrics_postgresql_national",
    "import_duckdb_national",
    "dashboard_national",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = _Parser(prog="python -m bench", description="Benchmark the data build and make run.")
    p.add_argument("--only", nargs="+", choices=NAMES, metavar="NAME", help=", ".join(NAMES))
    p.add_argument("--quick", action="store_true", help="small builds (a smoke run, not a result)")
    p.add_argument(
        "--results-dir",
        type=Path,
        default=None,
        help=f"where the JSON goes (default bench/results; with --quick {QUICK_RESULTS_DIR.name})",
    )
    p.add_argument("--workdir", type=Path, default=None, help="scratch folder (default: a temp)")
    p.add_argument(
        "--national-db",
        type=Path,
        default=None,
        metavar="PATH",
        help="a national DuckDB file with the tidy tables for the metrics, import and dashboard "
        "benchmarks (copied, never written); default: the one build_duckdb_national makes in "
        "this run, else a new build",
    )
    p.add_argument(
        "--no-browser",
        action="store_true",
        help="dashboard_national without the headless-chromium first-chart timing",
    )
    args = p.parse_args(argv)
    if args.national_db is not None and not args.national_db.is_file():
        p.error(f"--national-db: no such file: {args.national_db}")
    return args


class Runner:
    """Runs the chosen benchmarks in order, passing the national DuckDB time to the scaling run."""

    def __init__(
        self,
        plan: Plan,
        quick: bool,
        workdir: Path,
        results_dir: Path,
        *,
        national_db: Path | None = None,
        keep: Sequence[str] = (),
        browser: bool = True,
    ) -> None:
        self.plan = plan
        self.quick = quick
        self.workdir = workdir
        self.results_dir = results_dir
        self.national_run: dict[str, Any] | None = None
        self.records: list[dict[str, Any]] = []
        self.national_db = national_db
        self.browser = browser
        # Databases that later benchmarks of this run start from: kept outside the scratch
        # folders (which go after each benchmark) and removed by ``cleanup``.
        self.kept_dir = workdir / "kept"
        self.keep = set(keep)
        self.kept: dict[str, Path] = {}
        self.national_notes: list[str] = []

    def _keep_path(self, name: str) -> Path:
        self.kept_dir.mkdir(parents=True, exist_ok=True)
        return self.kept_dir / name

    def _build_kept(self, name: str, w: Path, db_name: str, scheme: str) -> BenchResult:
        """A national build whose database stays for a later benchmark when one wants it."""
        keep = name in self.keep
        db = self._keep_path(db_name) if keep else w / db_name
        url = f"{scheme}:///{db}"
        judged = scheme == "duckdb"
        result = measure_build(name, self.plan.national, url, db, w, judged=judged)
        if keep and result.checks[0].measured is not None:
            self.kept[scheme] = db
        else:
            remove_database(db)
        return result

    def national_source(self) -> Path:
        """The national DuckDB file: --national-db (copied once), else the one this run
        built, else a new ``python -m data build`` (untimed)."""
        if "source" in self.kept:
            return self.kept["source"]
        target = self._keep_path("national-source.duckdb")
        if self.national_db is not None:
            copy_duckdb_file(self.national_db, target)
            self.national_notes.append(f"national database copied from {self.national_db}")
        elif "duckdb" in self.kept:
            self.kept["source"] = self.kept["duckdb"]
            self.national_notes.append("national database from build_duckdb_national (this run)")
            return self.kept["source"]
        else:
            command = build_command(self.plan.national, f"duckdb:///{target}")
            done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
                raise RuntimeError(f"building the national database failed: {last}")
            self.national_notes.append("national database built for this run (not timed)")
        self.kept["source"] = target
        return target

    def _with_source(
        self, run: Callable[[Path, Path], BenchResult]
    ) -> Callable[[Path], BenchResult]:
        def bench(w: Path) -> BenchResult:
            result = run(self.national_source(), w)
            result.notes[:0] = self.national_notes[-1:]
            return result

        return bench

    def cleanup(self) -> None:
        for path in set(self.kept.values()):
            remove_database(path)
        self.kept.clear()

    def _bench(self, name: str) -> Callable[[Path], BenchResult]:
        plan = self.plan
        if name == "build_duckdb_national":
            return lambda w: self._build_kept(name, w, "national.duckdb", "duckdb")
        if name == "build_duckdb_scaling":
            reuse = {} if self.national_run is None else {plan.national.scale: self.national_run}
            scales = tuple(s for s in plan.scales if s in reuse or s != plan.national.scale)
            return lambda w: bench_duckdb_scaling(scales, plan.national, w, reuse)
        if name == "build_sqlite_national":
            return lambda w: self._build_kept(name, w, "national.sqlite", "sqlite")
        if name == "build_postgresql_national":
            return lambda w: bench_postgresql_national(plan.national, w)
        if name == "metrics_duckdb_national":
            return self._with_source(bench_metrics_duckdb)
        if name == "metrics_sqlite_national":
            built = self.kept.get("sqlite")
            return self._with_source(lambda src, w: bench_metrics_sqlite(src, w, built))
        if name == "metrics_postgresql_national":
            return self._with_source(bench_metrics_postgresql)
        if name == "import_duckdb_national":
            return self._with_source(bench_import_duckdb)
        if name == "dashboard_national":
            quick, browser = self.quick, self.browser
            return self._with_source(
                lambda src, w: bench_dashboard(
                    f"duckdb:///{src}?access_mode=read_only", w, quick=quick, browser=browser
                )
            )
        if name == "make_run_fresh_clone":
            prebuild = plan.national if self.quick else None
            return lambda w: bench_make_run(w, prebuild)
        raise ValueError(f"unknown benchmark {name!r}")

    def run(self, name: str) -> dict[str, Any]:
        machine = machine_info()
        started = now_iso()
        print(f"[{started}] {name} ...", flush=True)
        scratch = self.workdir / name
        scratch.mkdir(parents=True, exist_ok=True)
        try:
            result = self._bench(name)(scratch)
        except Exception as error:  # one broken benchmark must not lose the others' results
            last = traceback.format_exception_only(error)[-1].strip()
            result = BenchResult(name, {}, {}, [Check("run", None, "")], [f"crashed: {last}"])
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if name == "build_duckdb_national" and result.checks[0].measured is not None:
            run = result.results["run"]
            self.national_run = {k: run[k] for k in ("wall_s", "cpu_s", "peak_rss_bytes")}
        record = make_record(result, machine, started, now_iso(), self.quick)
        path = write_record(record, self.results_dir)
        self.records.append(record)
        for check in result.checks:
            shown = format_value(check.measured, check.unit)
            print(f"    {check.metric}: {shown} -> {check.status}")
        for note in result.notes:
            print(f"    note: {note}")
        print(f"    wrote {path}", flush=True)
        return record


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    names = [n for n in NAMES if args.only is None or n in args.only]
    plan = QUICK if args.quick else FULL
    results_dir = args.results_dir or (QUICK_RESULTS_DIR if args.quick else RESULTS_DIR)
    own_workdir = args.workdir is None
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="csc-bench-"))
    keep = []
    if any(n in names for n in NEEDS_NATIONAL) and args.national_db is None:
        keep.append("build_duckdb_national")
    if "metrics_sqlite_national" in names:
        keep.append("build_sqlite_national")
    runner = Runner(
        plan,
        args.quick,
        workdir,
        results_dir,
        national_db=args.national_db,
        keep=keep,
        browser=not args.no_browser,
    )
    try:
        for name in names:
            runner.run(name)
    finally:
        runner.cleanup()
        if own_workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(summary_table(runner.records))
    errors = [c for r in runner.records for c in r["checks"] if c["status"] == "error"]
    return 1 if errors else 0
