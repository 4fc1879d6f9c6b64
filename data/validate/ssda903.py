"""Field and record checks of the SSDA903 CSV tables (to be written)."""

from __future__ import annotations

from data.validate.files import CsvTable
from data.validate.report import Report


def check_ssda903(tables: list[CsvTable], la_code: str, year: int, report: Report) -> None:
    """Add the field- and record-level findings for one LA-year's 903 tables to ``report``."""
