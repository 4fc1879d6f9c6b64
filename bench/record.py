"""The shape of a benchmark's result file and the summary table printed at the end.

Every result file carries the machine and the exact tree it ran on, because a time without its
machine, its load and its commit cannot be compared with the next one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

RECORD_VERSION = 1

Status = Literal["pass", "fail", "info", "error"]


@dataclass(frozen=True)
class Check:
    """One measured figure and, when the issue sets one, its target.

    ``limit`` None means the figure is reported, not judged (status ``info``); a measurement that
    could not be made has ``measured`` None and status ``error``.
    """

    metric: str
    measured: float | None
    unit: str
    limit: float | None = None
    note: str = ""

    @property
    def status(self) -> Status:
        if self.measured is None:
            return "error"
        if self.limit is None:
            return "info"
        return "pass" if self.measured <= self.limit else "fail"


@dataclass
class BenchResult:
    """What one benchmark hands back: its parameters, raw results and judged checks."""

    name: str
    parameters: dict[str, Any]
    results: dict[str, Any]
    checks: list[Check]
    notes: list[str] = field(default_factory=list)


def make_record(
    result: BenchResult, machine: dict[str, Any], started_at: str, finished_at: str, quick: bool
) -> dict[str, Any]:
    """The JSON-ready record for one benchmark run."""
    return {
        "record_version": RECORD_VERSION,
        "benchmark": result.name,
        "quick": quick,
        "started_at": started_at,
        "finished_at": finished_at,
        "machine": machine,
        "parameters": result.parameters,
        "results": result.results,
        "checks": [{**asdict(c), "status": c.status} for c in result.checks],
        "notes": result.notes,
    }


def write_record(record: dict[str, Any], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['benchmark']}.json"
    path.write_text(json.dumps(record, indent=2, sort_keys=False, default=str) + "\n")
    return path


def format_value(value: float | None, unit: str) -> str:
    """A figure with its unit, to a precision that suits the unit."""
    if value is None:
        return "-"
    if unit == "s":
        return f"{value:.1f} s"
    if unit == "bytes":
        return f"{value / 1e9:.2f} GB"
    if unit == "":
        return f"{value:.3f}"
    return f"{value:g} {unit}"


def summary_rows(records: Sequence[dict[str, Any]]) -> list[tuple[str, str, str, str]]:
    """(name, measured, target, status) for every check of every record, in order."""
    rows = []
    for record in records:
        for c in record["checks"]:
            name = f"{record['benchmark']}: {c['metric']}"
            measured = format_value(c["measured"], c["unit"])
            target = (
                "(report)" if c["limit"] is None else f"<= {format_value(c['limit'], c['unit'])}"
            )
            rows.append((name, measured, target, c["status"]))
    return rows


def summary_table(records: Sequence[dict[str, Any]]) -> str:
    """A plain-text table with aligned columns; one line per check."""
    header = ("benchmark", "measured", "target", "status")
    rows = [header, *summary_rows(records)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for i, row in enumerate(rows):
        cells = [
            cell.ljust(w) if j != 1 else cell.rjust(w)
            for j, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
