"""Field and record checks of the CIN census XML (to be written)."""

from __future__ import annotations

from pathlib import Path

from data.validate.report import Report


def check_cin(path: Path, name: str, la_code: str, year: int, report: Report) -> None:
    """Add the field- and record-level findings for one CIN census file to ``report``."""
