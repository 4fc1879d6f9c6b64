"""Field checks of one 903 CSV table: each cell against its column's kind and code set.

Every column is checked whole (pandas string and date operations), and only the cells that fail
are turned into findings, so a clean 10,000-row table costs a few vectorised passes. The parsed
dates come back for the record checks, with the cells that failed marked, so those checks
neither parse twice nor pile a second finding on a cell already reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.validate.files import CsvTable
from data.validate.report import Report, Severity
from data.validate.ssda903_spec import LABEL, FieldSpec, code_years, codes_for, season, specs_for

DATE_FORM = r"\d{1,2}/\d{1,2}/\d{4}"
WHOLE = r"[+-]?\d+(?:\.0+)?"
# Dates outside these years are typing slips or placeholders (31/12/9999), not days in a
# child's life.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100
SHOW_CODES = 12  # list the accepted codes in a message when there are at most this many
# What the value should look like, for code sets whose values are not all listed.
CODE_HINTS = {
    "UPN_UNKNOWN": "a UPN is a letter and 12 digits (or 11 digits and a letter while "
    "temporary); without one, give the reason UN1 to UN5",
    "LA_PERM": "give a three-digit LA code, or NIR, SCO, WAL, NUK or 999",
}


@dataclass
class Parsed:
    """A table after its field checks: text cells, parsed dates, and the cells that failed."""

    table: CsvTable
    text: pd.DataFrame  # the cells as given ('' for blank), as Python strings
    lines: np.ndarray  # CSV line of each row
    dates: dict[str, pd.Series] = field(default_factory=dict)  # NaT when blank or invalid
    invalid: dict[str, np.ndarray] = field(default_factory=dict)  # cell failed its field check

    def ok(self, column: str) -> np.ndarray:
        """Cells that passed their field check and are not blank."""
        return ~self.invalid[column] & (self.text[column].to_numpy() != "")


@dataclass(frozen=True)
class Column:
    """One column's cells, in the two forms the checks need."""

    spec: FieldSpec
    cells: np.ndarray  # Python strings: fast to compare and to look up in sets
    matchable: pd.Series  # pandas strings: regular expressions run over them in C
    blank: np.ndarray

    def fullmatch(self, pattern: str) -> np.ndarray:
        return self.matchable.str.fullmatch(pattern).fillna(False).to_numpy(dtype=bool)


def year_start(year: int) -> pd.Timestamp:
    return pd.Timestamp(year - 1, 4, 1)


def year_end(year: int) -> pd.Timestamp:
    return pd.Timestamp(year, 3, 31)


def shown(day: object) -> str:
    """A date as the 903 writes it."""
    return pd.Timestamp(day).strftime("%d/%m/%Y")  # type: ignore[arg-type]


def emit(
    report: Report,
    parsed: Parsed,
    mask: pd.Series | np.ndarray,
    column: str,
    rule: str,
    severity: Severity,
    message: str | Callable[[int], str],
) -> None:
    """One finding per row where ``mask`` holds; a callable ``message`` gets the row's position."""
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    if not len(rows):
        return
    text = parsed.text.get(column)
    for i in rows.tolist():
        value = "" if text is None else str(text.iat[i])
        words = message if isinstance(message, str) else message(i)
        report.add(
            parsed.table.name, f"row {parsed.lines[i]}", column, value, rule, severity, words
        )


def check_fields(t: CsvTable, year: int, report: Report) -> Parsed:
    """Check every column of ``t`` the field rules declare; return the table parsed."""
    strings = t.frame.fillna("").astype("string")
    text = strings.astype(object)
    parsed = Parsed(t, text, np.asarray(t.lines, dtype=np.int64))
    label = LABEL[t.table]
    for spec in specs_for(t.table):
        if spec.column not in text.columns:
            continue
        cells = text[spec.column].to_numpy()
        col = Column(spec, cells, strings[spec.column], cells == "")
        invalid = np.zeros(len(cells), dtype=bool)
        if spec.required:
            emit(
                report,
                parsed,
                col.blank,
                spec.column,
                "903.field.required",
                "error",
                f"is blank, but every {label} row needs {spec.column}",
            )
            invalid |= col.blank
        invalid |= _CHECKS[spec.kind](col, year, parsed, report)
        parsed.invalid[spec.column] = invalid
    return parsed


def _check_date(col: Column, year: int, parsed: Parsed, report: Report) -> np.ndarray:
    spec, cells = col.spec, col.cells
    wrong_form = ~col.blank & ~col.fullmatch(DATE_FORM)
    chosen = ~col.blank & ~wrong_form
    read = pd.to_datetime(pd.Series(cells[chosen]), format="%d/%m/%Y", errors="coerce")
    plausible = (read.dt.year >= EARLIEST_YEAR) & (read.dt.year <= LATEST_YEAR)
    days = np.full(len(cells), np.datetime64("NaT"), dtype="datetime64[ns]")
    days[chosen] = read.where(plausible).to_numpy(dtype="datetime64[ns]")
    impossible = chosen & np.isnat(days)
    emit(
        report,
        parsed,
        wrong_form,
        spec.column,
        "903.date.format",
        "error",
        lambda i: _date_form_message(str(cells[i])),
    )
    emit(
        report,
        parsed,
        impossible,
        spec.column,
        "903.date.impossible",
        "error",
        "is not a possible date (check the day and month: 903 dates are dd/mm/yyyy)",
    )
    if spec.by_year_end:
        end = year_end(year)
        emit(
            report,
            parsed,
            days > end.to_datetime64(),
            spec.column,
            "903.date.after_year",
            "error",
            f"is after {shown(end)}, the end of the {season(year)} collection year",
        )
    parsed.dates[spec.column] = pd.Series(days, index=parsed.text.index)
    return wrong_form | impossible


def _date_form_message(value: str) -> str:
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
        return "is written year first; 903 dates are dd/mm/yyyy"
    if re.match(r"\d{1,2}/\d{1,2}/\d{4}\s", value):
        return "holds a time as well as a date; 903 dates are dd/mm/yyyy only"
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{2}", value):
        return "has a two-digit year; 903 dates are dd/mm/yyyy"
    return "is not a date written dd/mm/yyyy"


def _check_number(col: Column, year: int, parsed: Parsed, report: Report) -> np.ndarray:
    del year
    spec, cells = col.spec, col.cells
    severity: Severity = "error" if spec.severity == "error" else "warning"
    numbers = np.full(len(cells), np.nan)
    filled = ~col.blank
    numbers[filled] = pd.to_numeric(pd.Series(cells[filled]), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    if spec.kind == "int":
        wrong = filled & ~col.fullmatch(WHOLE)
        rule, what = "903.field.integer", "is not a whole number"
    else:
        wrong = filled & np.isnan(numbers)
        rule, what = "903.field.number", "is not a number"
    emit(report, parsed, wrong, spec.column, rule, severity, what)
    numbers[wrong] = np.nan
    with np.errstate(invalid="ignore"):
        out = np.zeros(len(cells), dtype=bool)
        if spec.low is not None:
            out |= numbers < spec.low
        if spec.high is not None:
            out |= numbers > spec.high
    emit(
        report,
        parsed,
        out,
        spec.column,
        "903.field.range",
        severity,
        f"must be {_range_words(spec)}",
    )
    return wrong | out


def _range_words(spec: FieldSpec) -> str:
    low = None if spec.low is None else f"{spec.low:g}"
    high = None if spec.high is None else f"{spec.high:g}"
    if low is not None and high is not None:
        if spec.high is not None and spec.low is not None and spec.high - spec.low == 1:
            return f"{low} or {high}"
        return f"from {low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def _check_code(col: Column, year: int, parsed: Parsed, report: Report) -> np.ndarray:
    spec, cells = col.spec, col.cells
    allowed = codes_for(spec.code_set, year)
    good = col.blank | pd.Series(cells).isin(allowed).to_numpy()
    if spec.pattern is not None:
        good |= col.fullmatch(spec.pattern.pattern)
    wrong = ~good
    severity: Severity = "error" if spec.severity == "error" else "warning"
    messages: dict[str, str] = {}

    def message(i: int) -> str:
        value = str(cells[i])
        if value not in messages:
            messages[value] = _code_message(spec, value, year, allowed)
        return messages[value]

    emit(report, parsed, wrong, spec.column, "903.field.code", severity, message)
    return wrong


def _code_message(spec: FieldSpec, value: str, year: int, allowed: frozenset[str]) -> str:
    what = spec.column if spec.column.endswith("CODE") else f"{spec.column} code"
    known = code_years(spec.code_set).get(value)
    if known is not None:
        if known.last_year is not None and year > known.last_year:
            when = f"was last used in {season(known.last_year)}"
        else:
            when = f"is used only from {season(known.first_year or year)}"
        return f"is not a valid {what} in {season(year)}: it {when}; {_expected(spec, allowed)}"
    if value.upper() in allowed:
        return f"codes are upper case: write {value.upper()}"
    return f"is not a valid {what} in {season(year)}; {_expected(spec, allowed)}"


def _expected(spec: FieldSpec, allowed: frozenset[str]) -> str:
    if spec.code_set in CODE_HINTS:
        return CODE_HINTS[spec.code_set]
    if len(allowed) <= SHOW_CODES:
        codes = sorted(allowed)
        return "expected " + (
            ", ".join(codes[:-1]) + " or " + codes[-1] if len(codes) > 1 else codes[0]
        )
    return "see the SSDA903 guide for the year's list"


def _check_text(col: Column, year: int, parsed: Parsed, report: Report) -> np.ndarray:
    del year
    spec = col.spec
    if spec.high is None:
        return np.zeros(len(col.cells), dtype=bool)
    longer = col.matchable.str.len().to_numpy(dtype="float64", na_value=0) > spec.high
    emit(
        report,
        parsed,
        longer,
        spec.column,
        "903.field.length",
        "error",
        f"is longer than the {spec.high:g} characters {spec.column} may hold",
    )
    return longer


_CHECKS: dict[str, Callable[[Column, int, Parsed, Report], np.ndarray]] = {
    "date": _check_date,
    "int": _check_number,
    "float": _check_number,
    "code": _check_code,
    "text": _check_text,
}
