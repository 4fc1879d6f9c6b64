"""The data CLI: bad values end in one line naming them and exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "data", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["build", "--la", "999"], "'999'"),
        (["build", "--la", "E99999999"], "E99999999"),
        (["build", "--years", "2020-201"], "2020-201"),
        (["build", "--years", "twenty"], "twenty"),
        (["build", "--years", "2026-2020"], "2026-2020"),
        (["build", "--scale", "-1"], "-1"),
        (["build", "--scale", "lots"], "lots"),
        (["build", "--database-url", "nonsense"], "nonsense"),
        (["build", "--database-url", "mysql://x@localhost/db"], "mysql"),
        (["build", "--database-url", "postgresql://u:hunter2@127.0.0.1:9/db"], "127.0.0.1:9"),
        (["build", "--database-url", "duckdb:////proc/nope/x.duckdb"], "/proc/nope"),
        (["export", "--la", "202", "--year", "2025"], "--out"),
        (["import", "--la", "202", "--year", "2025", "/no/such/folder"], "/no/such/folder"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_input_is_one_line_exit_2(args: list[str], names: str) -> None:
    result = run(*args)
    assert result.returncode == 2, result.stderr
    lines = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and not line.startswith("usage:")
    ]
    assert len(lines) == 1, result.stderr
    assert names in lines[0]
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr


def test_unwritable_output_folder(tiny_db: str, tmp_path: Path) -> None:
    url = tiny_db  # LA 805 (E06000001), 2024-2025
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run(
        "export",
        "--la",
        "805",
        "--year",
        "2025",
        "--out",
        str(blocker / "out"),
        "--database-url",
        url,
    )
    assert result.returncode == 2
    assert str(blocker) in result.stderr
    assert "Traceback" not in result.stderr
    ok = run(
        "export",
        "--la",
        "E06000001",
        "--year",
        "2025",
        "--out",
        str(tmp_path / "out"),
        "--database-url",
        url,
    )
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "out" / "ssda903" / "header.csv").exists()
