"""Time from ``git clone`` to the first page served by ``make run``, as a new user would see it.

This includes creating the virtualenv, installing requirements and building the default database.
It clones HEAD, so uncommitted changes in the work tree are not part of it. pip here may install
from a local cache or wheel folder, which a new user's machine would not have; both are recorded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.builds import BuildParams, build_command, remove_tree
from bench.machine import REPO_ROOT, load_average
from bench.measure import run_measured
from bench.record import BenchResult, Check

SERVE_LIMIT_S = 300.0
SERVE_TIMEOUT_S = 20 * 60
HTTP_POLL_S = 0.5
# make's jobserver settings would leak from ``make bench`` into the inner ``make run``.
_MAKE_ENV = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKE_TERMOUT", "MAKE_TERMERR")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            status: int = response.status
            return status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


class _Watcher:
    """Polls the page and notes when each stage of ``make run`` first shows on disk."""

    def __init__(self, clone: Path, url: str) -> None:
        self.url = url
        self.origin = time.perf_counter()
        self.last_poll = 0.0
        self.markers = {
            "venv_created": clone / ".venv" / "bin" / "python",
            "requirements_installed": clone / ".venv" / ".installed-runtime",
            "database_built": clone / "data" / "csc.duckdb",
        }
        self.seen: dict[str, float] = {}

    def __call__(self) -> bool:
        now = time.perf_counter()
        for stage, path in self.markers.items():
            if stage not in self.seen and path.exists():
                self.seen[stage] = round(now - self.origin, 1)
        if now - self.last_poll < HTTP_POLL_S:
            return False
        self.last_poll = now
        return answers_200(self.url)


def pip_cache_info() -> dict[str, Any]:
    info: dict[str, Any] = {k: v for k, v in os.environ.items() if k.startswith("PIP_")}
    config = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    )
    info["pip_config"] = config.stdout.strip().splitlines()
    done = subprocess.run(
        [sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True
    )
    cache = Path(done.stdout.strip()) if done.returncode == 0 and done.stdout.strip() else None
    info["pip_cache_dir"] = str(cache) if cache else None
    if cache and cache.exists():
        info["pip_cache_bytes"] = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    return info


def bench_make_run(workdir: Path, prebuild: BuildParams | None = None) -> BenchResult:
    """Clone, (optionally pre-build a small database,) ``make run``, wait for ``GET /`` = 200.

    ``prebuild`` is for quick runs only: the default database is built small beforehand so the
    measured part is installs and serving; a full run leaves the build to ``make run``.
    """
    name = "make_run_fresh_clone"
    clone = workdir / "clone"
    remove_tree(clone)
    notes: list[str] = []
    results: dict[str, Any] = {"pip": pip_cache_info(), "load_average_before": load_average()}
    start = time.perf_counter()
    cloned = subprocess.run(
        ["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], capture_output=True, text=True
    )
    results["clone_s"] = round(time.perf_counter() - start, 2)
    parameters: dict[str, Any] = {
        "source": str(REPO_ROOT),
        "prebuilt_database": asdict(prebuild) if prebuild else None,
    }
    if cloned.returncode != 0:
        notes.append(f"git clone failed: {cloned.stderr.strip()}")
        return BenchResult(
            name, parameters, results, [Check("clone to first 200", None, "s")], notes
        )
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True)
    parameters["clone_commit"] = head.stdout.strip()
    try:
        if prebuild is not None:
            db = clone / "data" / "csc.duckdb"
            t0 = time.perf_counter()
            subprocess.run(
                build_command(prebuild, f"duckdb:///{db}"),
                cwd=clone,
                check=True,
                capture_output=True,
            )
            results["prebuild_s"] = round(time.perf_counter() - t0, 2)
            notes.append("quick run: the database was pre-built small, so this excludes the build")
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k not in _MAKE_ENV}
        env.pop("DATABASE_URL", None)
        env.pop("VIRTUAL_ENV", None)
        env.update(HOST="127.0.0.1", PORT=str(port))
        url = f"http://127.0.0.1:{port}/"
        parameters.update(command=["make", "run"], url=url)
        watcher = _Watcher(clone, url)
        run = run_measured(
            ["make", "run"],
            cwd=clone,
            log_dir=workdir / f"{name}-logs",
            env=env,
            timeout_s=SERVE_TIMEOUT_S,
            until=watcher,
        )
    finally:
        remove_tree(clone)
    results.update(
        make_run_to_first_200_s=round(run.wall_s, 2),
        stages_first_seen_s=watcher.seen,
        peak_rss_bytes=run.peak_rss_bytes,
        cpu_s=run.cpu_s,
        load_average_after=load_average(),
    )
    ok = run.condition_met
    if not ok:
        results["stdout_tail"] = run.stdout_tail
        results["stderr_tail"] = run.stderr_tail
        notes.append(
            "no 200 before the timeout" if run.timed_out else f"make run exited {run.returncode}"
        )
    total = results["clone_s"] + run.wall_s if ok else None
    return BenchResult(
        name, parameters, results, [Check("clone to first 200", total, "s", SERVE_LIMIT_S)], notes
    )
