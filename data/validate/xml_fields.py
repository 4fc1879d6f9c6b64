"""Field-level checks of the flattened XML returns: one vectorised pass per column.

Each element is declared once (``Field``: its type, whether it is required, its range, the
years it exists in) and every check here runs on a whole column, so the cost does not grow with
the number of records times the number of rules. Dates that pass are kept, parsed, for the
record-level checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from data.validate.codesets import ALWAYS, Span, codes_for, in_span, span_of, year_label
from data.validate.report import Report, Severity
from data.validate.upn import check_letters, upn_shape_ok
from data.validate.xml_walk import PATH, Block

Kind = Literal["text", "date", "code", "bool", "int", "decimal", "upn"]
BOOLEAN = frozenset({"true", "false", "1", "0"})
DATE_SHAPE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"  # ASCII digits only, not any Unicode digit
DECIMAL_SHAPE = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
MAX_LISTED = 12  # code sets longer than this are not spelled out in messages


@dataclass(frozen=True)
class Field:
    """What an element holds: ``kind``, whether it must be present, and its limits."""

    kind: Kind = "text"
    required: bool = False
    low: float | None = None  # inclusive limits for numbers
    high: float | None = None
    years: Span = ALWAYS  # the collection years whose schema has this element
    note: str = ""  # said when the element appears outside ``years``


@dataclass
class Context:
    """One file's checks: where findings go, and the values later checks reuse."""

    file: str
    kind: str  # 'cin' or 'csww': the rule prefix and the code sets
    year: int
    report: Report
    dates: dict[tuple[str, str], pd.Series] = field(default_factory=dict)  # (block, column)

    def emit(
        self,
        severity: Severity,
        frame: pd.DataFrame,
        mask: pd.Series | np.ndarray,
        where: str,
        element: str,
        rule: str,
        message: str | Callable[[str], str],
        values: pd.Series | None = None,
    ) -> None:
        """A finding for every row of ``frame`` where ``mask`` holds; ``where`` is the path
        below the row's element ("" for the element itself)."""
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(rows):
            return
        paths = frame[PATH].to_numpy()
        shown = (values if values is not None else pd.Series([""] * len(frame))).to_numpy()
        for i in rows:
            value = shown[i]
            text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else value
            location = f"{paths[i]}/{where}" if where else str(paths[i])
            said = message(str(text)) if callable(message) else message
            self.report.add(
                self.file, location, element, text, f"{self.kind}.{rule}", severity, said
            )


def present(values: pd.Series) -> pd.Series:
    """Element there with some text (absent is NaN, empty is "")."""
    return values.notna() & (values != "")


def check_block(ctx: Context, block: Block, frame: pd.DataFrame, fields: dict[str, Field]) -> None:
    """Every field check for one block's rows."""
    for col in block.columns():
        spec = fields[col]
        values = frame[col]
        where, element = block.location(col), block.element(col)
        there = present(values)
        if not in_span(spec.years, ctx.year):
            exists = values.notna()
            ctx.emit(
                "error",
                frame,
                exists,
                where,
                element,
                "element.year",
                f"{element} is not part of the {year_label(ctx.year)} return"
                + (f" ({spec.note})" if spec.note else ""),
                values,
            )
            continue
        if spec.required:
            ctx.emit(
                "error",
                frame,
                ~there,
                where,
                element,
                "field.missing",
                f"{element} is required but is missing or empty",
            )
        checker = _CHECKS.get(spec.kind)
        if checker is not None and there.any():
            checker(ctx, block, frame, col, spec, there)


def _dates(
    ctx: Context, block: Block, frame: pd.DataFrame, col: str, spec: Field, there: pd.Series
) -> None:
    values = frame[col].where(there, "").astype(str)
    shaped = values.str.fullmatch(DATE_SHAPE)
    where, element = block.location(col), block.element(col)
    ctx.emit(
        "error",
        frame,
        there & ~shaped,
        where,
        element,
        "date.format",
        f"{element} is not a date in the form yyyy-mm-dd",
        values,
    )
    parsed = pd.to_datetime(values.where(there & shaped), format="%Y-%m-%d", errors="coerce")
    ctx.emit(
        "error",
        frame,
        there & shaped & parsed.isna(),
        where,
        element,
        "date.invalid",
        f"{element} is not a real calendar date",
        values,
    )
    ctx.dates[(block.name, col)] = parsed.astype("datetime64[ns]")


def _codes(
    ctx: Context, block: Block, frame: pd.DataFrame, col: str, spec: Field, there: pd.Series
) -> None:
    element = block.element(col)
    allowed = codes_for(ctx.kind, element, ctx.year)
    values = frame[col].where(there, "").astype(str)
    bad = there & ~values.isin(allowed)

    def message(value: str) -> str:
        label = year_label(ctx.year)
        span = span_of(ctx.kind, element, value)
        if span is not None:
            first, last = span
            if first is not None and ctx.year < first:
                return f"{value} is a {element} code only from {year_label(first)}, not in {label}"
            if last is not None:
                return f"{value} was a {element} code until {year_label(last)}, not in {label}"
        if len(allowed) <= MAX_LISTED:
            listed = ", ".join(sorted(allowed, key=lambda c: (len(c), c)))
            return f"{element} must be one of {listed} in {label}"
        return f"{element} is not a code on the DfE list for {label}"

    ctx.emit("error", frame, bad, block.location(col), element, "code.unknown", message, values)


def _booleans(
    ctx: Context, block: Block, frame: pd.DataFrame, col: str, spec: Field, there: pd.Series
) -> None:
    element = block.element(col)
    values = frame[col].where(there, "").astype(str)
    ctx.emit(
        "error",
        frame,
        there & ~values.isin(BOOLEAN),
        block.location(col),
        element,
        "field.bool",
        f"{element} must be true, false, 1 or 0",
        values,
    )


def _numbers(
    ctx: Context, block: Block, frame: pd.DataFrame, col: str, spec: Field, there: pd.Series
) -> None:
    element, where = block.element(col), block.location(col)
    values = frame[col].where(there, "").astype(str)
    shape = r"[0-9]+" if spec.kind == "int" else DECIMAL_SHAPE
    shaped = values.str.fullmatch(shape)
    what = "a whole number of 0 or more" if spec.kind == "int" else "a number"
    ctx.emit(
        "error",
        frame,
        there & ~shaped,
        where,
        element,
        "field.number",
        f"{element} must be {what}",
        values,
    )
    number = pd.to_numeric(values.where(there & shaped), errors="coerce")
    if spec.low is None and spec.high is None:
        return
    low = -np.inf if spec.low is None else spec.low
    high = np.inf if spec.high is None else spec.high
    ctx.emit(
        "error",
        frame,
        (number < low) | (number > high),
        where,
        element,
        "field.range",
        f"{element} must be between {low:g} and {high:g}"
        if spec.low is not None and spec.high is not None
        else f"{element} must be at least {low:g}"
        if spec.low is not None
        else f"{element} must be at most {high:g}",
        values,
    )


def _upns(
    ctx: Context, block: Block, frame: pd.DataFrame, col: str, spec: Field, there: pd.Series
) -> None:
    element, where = block.element(col), block.location(col)
    values = frame[col].where(there, "").astype(str)
    shaped = there & upn_shape_ok(values)
    ctx.emit(
        "warning",
        frame,
        there & ~shaped,
        where,
        element,
        "upn.format",
        f"{element} is not a UPN (a letter and 12 digits, or for a temporary UPN a letter, "
        "11 digits and a letter); the child cannot be linked to school records",
        values,
    )
    expected = check_letters(values[shaped])
    wrong = pd.Series(False, index=frame.index)
    wrong[shaped] = values[shaped].str[0] != expected
    ctx.emit(
        "warning",
        frame,
        wrong,
        where,
        element,
        "upn.check_letter",
        f"{element} has the wrong check letter (a typo?); "
        "the child cannot be linked to school records",
        values,
    )


_CHECKS: dict[str, Callable[[Context, Block, pd.DataFrame, str, Field, pd.Series], None]] = {
    "date": _dates,
    "code": _codes,
    "bool": _booleans,
    "int": _numbers,
    "decimal": _numbers,
    "upn": _upns,
}
