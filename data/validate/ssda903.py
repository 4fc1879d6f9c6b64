"""Field and record checks of the SSDA903 CSV tables of one LA-year.

The file layer has already refused what cannot be read as a 903 table; here every cell is
checked against its column (ssda903_fields, driven by the CSV rules in ssda903_spec), then each
child's rows against each other (ssda903_records). The 903 files carry no LA code, so
``la_code`` has nothing to be checked against here.
"""

from __future__ import annotations

from data.validate.files import CsvTable
from data.validate.report import Report
from data.validate.ssda903_fields import Parsed, check_fields
from data.validate.ssda903_records import check_records


def check_ssda903(tables: list[CsvTable], la_code: str, year: int, report: Report) -> None:
    """Add the field- and record-level findings for one LA-year's 903 tables to ``report``."""
    del la_code
    parsed: dict[str, Parsed] = {}
    for t in tables:
        p = check_fields(t, year, report)
        # A second file for the same table is already an error of the file layer; the record
        # checks look at the first.
        parsed.setdefault(t.table, p)
    check_records(parsed, year, report)
