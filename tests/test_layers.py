"""Data flows one way (ARCHITECTURE.md): data -> metrics -> dashboard. A module that imports the
layer above it would let record-level detail leak upward or make the layers impossible to test
alone, so the imports are checked from the source, not trusted."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# package -> packages it must not import. data/cli.py composes the pipeline (its metrics step).
FORBIDDEN = {"data": {"metrics", "dashboard"}, "metrics": {"dashboard"}}
COMPOSERS = {ROOT / "data" / "cli.py"}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_module_imports_a_layer_above_it(package: str) -> None:
    offenders = [
        f"{path.relative_to(ROOT)} imports {sorted(imported_packages(path) & FORBIDDEN[package])}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if path not in COMPOSERS and imported_packages(path) & FORBIDDEN[package]
    ]
    assert offenders == []


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom metrics.build import build_metrics\n", encoding="utf-8")
    assert imported_packages(module) == {"os", "metrics"}
