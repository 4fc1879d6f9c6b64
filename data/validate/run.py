"""Run the three layers over the files given for one LA-year, and read them only if they pass.

The readers in ``data.returns`` stop at the first problem, which suits files we wrote
ourselves; an LA's export deserves every problem listed at once, so validation walks the raw
text first and the readers run only on files that passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from data.returns.cin_xml import read_cin_xml
from data.returns.csww_xml import read_csww_xml
from data.returns.frames import ReturnFormatError
from data.returns.ssda903 import frames_from_csv_text
from data.validate.cin import check_cin
from data.validate.csww import check_csww
from data.validate.files import Limits, Sorted, sort_files
from data.validate.report import Report
from data.validate.ssda903 import check_ssda903


@dataclass
class Validated:
    report: Report
    returns: list[str]  # 'ssda903', 'cin', 'csww': the returns found among the files
    tables: dict[str, pd.DataFrame] | None  # schema tables, only when the report has no error


def validate_returns(
    paths: Iterable[str | Path], la_code: str, year: int, *, limits: Limits | None = None
) -> Validated:
    """Every finding for the files given, and their tables if there is no error."""
    report = Report()
    given = [Path(p) for p in paths]
    for p in given:
        if not p.exists():
            report.error(str(p), "", "", "", "file.missing", "no such file or folder")
    if report.errors:
        return Validated(report, [], None)
    found = sort_files(given, report, limits)
    if found.ssda903:
        check_ssda903(found.ssda903, la_code, year, report)
    for path, name in found.cin:
        check_cin(path, name, la_code, year, report)
    for path, name in found.csww:
        check_csww(path, name, la_code, year, report)
    if not report.ok:
        return Validated(report, found.kinds(), None)
    return Validated(report, found.kinds(), _read(found, la_code, year, report))


def _read(found: Sorted, la_code: str, year: int, report: Report) -> dict[str, pd.DataFrame] | None:
    tables: dict[str, pd.DataFrame] = {}
    try:
        if found.ssda903:
            raw = {t.table: (t.path, t.frame) for t in found.ssda903}
            tables.update(frames_from_csv_text(raw, year=year, la_code=la_code))
        for path, _ in found.cin:
            tables.update(read_cin_xml(path, la_code=la_code, year=year))
        for path, _ in found.csww:
            tables.update(read_csww_xml(path, la_code=la_code, year=year))
    except ReturnFormatError as exc:
        # A fault the checks above missed: still one line, still nothing written.
        report.error("", "", "", "", "read.failed", str(exc))
        return None
    return tables
