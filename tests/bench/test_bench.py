"""The pure parts of the benchmark suite: the scaling fit, the record shape, the summary table,
and the process-tree sampling on a small known allocation."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from bench.builds import BuildParams
from bench.cli import parse_args
from bench.fit import loglog_fit, step_exponents
from bench.measure import run_measured
from bench.record import BenchResult, Check, format_value, make_record, summary_table, write_record


# ------------------------------------------------------------------ fit
def test_fit_recovers_an_exact_power_law() -> None:
    scales = [0.125, 0.25, 0.5, 1.0]
    fit = loglog_fit(scales, [3.0 * s**0.8 for s in scales])
    assert fit.exponent == pytest.approx(0.8)
    assert fit.coefficient == pytest.approx(3.0)
    assert fit.r_squared == pytest.approx(1.0)


def test_fit_matches_a_hand_computed_least_squares_line() -> None:
    # logs: x = (0, 1, 2), y = (1, 2, 4). Mean x 1, mean y 7/3; Sxy = 3, Sxx = 2, so slope 3/2
    # and intercept 7/3 - 3/2 = 5/6. Residuals 1/6, -1/3, 1/6 give SSR 1/6; Syy = 14/3, so
    # R^2 = 1 - (1/6) / (14/3) = 27/28.
    fit = loglog_fit([1.0, math.e, math.e**2], [math.e, math.e**2, math.e**4])
    assert fit.exponent == pytest.approx(1.5)
    assert fit.coefficient == pytest.approx(math.exp(5 / 6))
    assert fit.r_squared == pytest.approx(27 / 28)


def test_fit_of_constant_time_is_flat() -> None:
    fit = loglog_fit([0.1, 0.2, 0.4], [7.0, 7.0, 7.0])
    assert fit.exponent == pytest.approx(0.0)
    assert fit.coefficient == pytest.approx(7.0)


def test_step_exponents_show_each_doubling() -> None:
    # Unsorted input; sorted: (1, 10), (2, 20), (4, 80): doubling the scale doubles the time
    # (slope 1), then quadruples it (slope 2).
    assert step_exponents([4.0, 1.0, 2.0], [80.0, 10.0, 20.0]) == pytest.approx([1.0, 2.0])


@pytest.mark.parametrize(
    ("scales", "times", "message"),
    [
        ([1.0], [2.0], "at least two points"),
        ([1.0, 2.0], [2.0], "2 scales but 1 times"),
        ([1.0, 0.0], [2.0, 3.0], "every scale must be positive"),
        ([1.0, 2.0], [2.0, -1.0], "every time must be positive"),
        ([0.5, 0.5], [2.0, 3.0], "two distinct scales"),
    ],
)
def test_fit_rejects_what_cannot_be_fitted(
    scales: list[float], times: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        loglog_fit(scales, times)


# ------------------------------------------------------------------ records
def test_check_status_follows_its_limit() -> None:
    assert Check("wall", 60.0, "s", 60.0).status == "pass"
    assert Check("wall", 60.5, "s", 60.0).status == "fail"
    assert Check("wall", 500.0, "s").status == "info"
    assert Check("wall", None, "s", 60.0).status == "error"


def _result() -> BenchResult:
    return BenchResult(
        name="build_duckdb_national",
        parameters={"scale": 1.0, "seed": 1},
        results={"rows_total": 123, "rows_per_table": {"cin_child": 100, "cla_episode": 23}},
        checks=[Check("wall time", 75.25, "s", 60.0), Check("peak memory", 2.5e9, "bytes", 6e9)],
        notes=["machine was busy"],
    )


def test_record_has_the_documented_shape_and_survives_json(tmp_path: Path) -> None:
    machine = {"cpu_count": 2, "git": {"commit": "abc"}}
    record = make_record(_result(), machine, "2026-01-01T00:00:00+00:00", "later", quick=False)
    assert set(record) == {
        "record_version",
        "benchmark",
        "quick",
        "started_at",
        "finished_at",
        "machine",
        "parameters",
        "results",
        "checks",
        "notes",
    }
    assert record["benchmark"] == "build_duckdb_national"
    assert record["machine"] == machine
    assert record["checks"] == [
        {"metric": "wall time", "measured": 75.25, "unit": "s", "limit": 60.0, "note": "",
         "status": "fail"},
        {"metric": "peak memory", "measured": 2.5e9, "unit": "bytes", "limit": 6e9, "note": "",
         "status": "pass"},
    ]  # fmt: skip
    path = write_record(record, tmp_path / "results")
    assert path == tmp_path / "results" / "build_duckdb_national.json"
    assert json.loads(path.read_text()) == record


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [(75.25, "s", "75.2 s"), (5.5e9, "bytes", "5.50 GB"), (0.91234, "", "0.912"), (None, "s", "-")],
)
def test_values_are_shown_with_their_unit(value: float | None, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


def test_summary_table_has_one_aligned_line_per_check() -> None:
    first = make_record(_result(), {}, "a", "b", quick=False)
    second = make_record(
        BenchResult("build_sqlite_national", {}, {}, [Check("wall time", None, "s")]),
        {},
        "a",
        "b",
        quick=False,
    )
    expected = "\n".join(
        [
            "benchmark                           measured  target      status",
            "----------------------------------  --------  ----------  ------",
            "build_duckdb_national: wall time      75.2 s  <= 60.0 s   fail",
            "build_duckdb_national: peak memory   2.50 GB  <= 6.00 GB  pass",
            "build_sqlite_national: wall time           -  (report)    error",
        ]
    )
    assert summary_table([first, second]) == expected


# ------------------------------------------------------------------ command line
def test_build_params_become_cli_arguments() -> None:
    assert BuildParams().cli_args() == ["--seed", "1", "--scale", "1"]
    assert BuildParams(scale=0.125, seed=7, years="2025-2026", la=("202", "318")).cli_args() == [
        "--seed", "7", "--scale", "0.125", "--years", "2025-2026", "--la", "202", "318",
    ]  # fmt: skip


def test_unknown_benchmark_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--only", "build_oracle"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "build_oracle" in err
    assert len(err.splitlines()) == 1


# ------------------------------------------------------------------ measuring
ALLOCATE_IN_CHILD = """
import subprocess, sys
child = "data = b'x' * (300 * 2**20); import time; time.sleep(1.5)"
subprocess.run([sys.executable, "-c", child], check=True)
"""


def test_peak_memory_counts_the_children_of_the_process(tmp_path: Path) -> None:
    run = run_measured(
        [sys.executable, "-c", ALLOCATE_IN_CHILD], cwd=tmp_path, log_dir=tmp_path / "logs"
    )
    assert run.returncode == 0
    assert run.peak_processes >= 2
    # 300 MiB written in the grandchild; the parent alone holds a few tens of MB.
    assert run.peak_rss_bytes >= 300 * 2**20
    assert run.wall_s >= 1.5
    assert run.cpu_s > 0


def test_a_command_is_stopped_when_its_condition_comes_true(tmp_path: Path) -> None:
    deadline = time.perf_counter() + 1.0
    pid_file = tmp_path / "pid"
    run = run_measured(
        ["sh", "-c", f"echo $$ > {pid_file}; exec sleep 30"],
        cwd=tmp_path,
        log_dir=tmp_path / "logs",
        until=lambda: time.perf_counter() > deadline,
    )
    assert run.condition_met
    assert not run.timed_out
    assert 1.0 <= run.wall_s < 10
    assert not psutil.pid_exists(int(pid_file.read_text()))  # stopped and reaped


def test_a_command_that_runs_too_long_is_stopped(tmp_path: Path) -> None:
    run = run_measured(["sleep", "30"], cwd=tmp_path, log_dir=tmp_path / "logs", timeout_s=0.5)
    assert run.timed_out
    assert run.returncode is None
    assert run.wall_s < 10


# ------------------------------------------------------------------ end to end
@pytest.mark.slow
def test_quick_run_writes_a_record_per_benchmark(tmp_path: Path) -> None:
    """Two tiny real builds through ``python -m bench --quick``, as ``make bench`` runs it."""
    from data.schema import metadata

    out = tmp_path / "results"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--results-dir", str(out),
         "--workdir", str(tmp_path / "work"),
         "--only", "build_duckdb_national", "build_duckdb_scaling"],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "build_duckdb_national.json",
        "build_duckdb_scaling.json",
    ]
    national = json.loads((out / "build_duckdb_national.json").read_text())
    assert national["quick"] is True
    assert national["parameters"]["la"] == ["202", "318"]
    assert set(national["results"]["rows_per_table"]) == {t.name for t in metadata.sorted_tables}
    assert national["results"]["rows_per_table"]["cin_child"] > 0
    wall = national["results"]["run"]["wall_s"]
    assert [c["metric"] for c in national["checks"]] == ["wall time", "peak memory (tree RSS)"]
    assert national["checks"][0]["measured"] == wall
    scaling = json.loads((out / "build_duckdb_scaling.json").read_text())
    runs = scaling["results"]["runs"]
    assert [r["scale"] for r in runs] == [0.05, 0.1]
    assert runs[-1]["wall_s"] == wall  # the national build is reused, not run again
    assert scaling["checks"][0]["measured"] == scaling["results"]["fit"]["exponent"]
    assert "build_duckdb_scaling: time ~ scale^k, k" in done.stdout
