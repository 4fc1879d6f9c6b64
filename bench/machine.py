"""Which machine, which software and which tree a benchmark ran on, and how busy the machine was.

Load average is recorded because this machine is shared: two cores and other jobs running make a
wall time several times longer than the same build on an idle machine.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

REPO_ROOT = Path(__file__).resolve().parents[1]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git(*args: str) -> str | None:
    """Output of a read-only git command in the repository, or None outside a git checkout."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout


def git_state() -> dict[str, Any]:
    """HEAD, and whether (and how) the work tree differs from it: benchmarks run the work tree."""
    head = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no")
    diff = _git("diff", "HEAD")
    return {
        "commit": head.strip() if head else None,
        "dirty": bool(status and status.strip()),
        "modified_files": sorted(line[3:] for line in (status or "").splitlines() if line),
        "diff_sha1": hashlib.sha1(diff.encode()).hexdigest() if diff else None,
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine_info() -> dict[str, Any]:
    memory = psutil.virtual_memory()
    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "memory_total_bytes": memory.total,
        "memory_available_bytes_at_start": memory.available,
        "load_average_at_start": load_average(),
        "python": sys.version.split()[0],
        "python_executable": sys.executable,
        "versions": {
            p: _version(p)
            for p in ("duckdb", "duckdb-engine", "sqlalchemy", "pandas", "numpy", "pyarrow")
        },
        "git": git_state(),
        "date": now_iso(),
    }
