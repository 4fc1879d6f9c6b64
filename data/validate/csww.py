"""Field and record checks of the children's social work workforce census XML (to be written)."""

from __future__ import annotations

from pathlib import Path

from data.validate.report import Report


def check_csww(path: Path, name: str, la_code: str, year: int, report: Report) -> None:
    """Add the field- and record-level findings for one workforce census file to ``report``."""
