"""Codes that change with the collection year, in one place.

The database stores codes canonically (sex as M/F/U in every year); each return's format for a
given year is a mapping at the edge. Years are collection years named by the year they end
(2025 = 2024-25), as the DfE names its schema files.
"""

from __future__ import annotations

import pandas as pd

from data.returns.frames import ReturnFormatError

# First collection year of each format change (returns_spec 1.3 and 2.3).
CIN_PLAN_DATES_FROM = 2022  # CINPlanDates block, 2021-22 schema
CIN_SEX_LETTERS_FROM = 2025  # GenderCurrent 1/2/0/9 replaced by Sex M/F/U, 2024-25 schema
SSDA903_SEX_LETTERS_FROM = 2025  # 903 SEX 1/2 -> M/F/U, 2024-25
SSDA903_SOCIAL_WORKER_FROM = 2024  # SocialWorker episodes table, 2023-24

SSDA903_DATE = "%d/%m/%Y"
XML_DATE = "%Y-%m-%d"

_903_NUMERIC = {"M": "1", "F": "2"}
_903_FROM_FILE = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}
_GENDER_CURRENT = {"M": "1", "F": "2", "U": "0"}
# 9 (indeterminate) has no canonical equivalent other than U.
_GENDER_CURRENT_FROM_FILE = {"1": "M", "2": "F", "0": "U", "9": "U"}
_SEX_LETTERS = {"M": "M", "F": "F", "U": "U"}
_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def _first_unmapped(values: pd.Series, mapped: pd.Series) -> int | None:
    bad = mapped.isna() & values.notna()
    if not bad.any():
        return None
    return int(bad.to_numpy().nonzero()[0][0])


def sex_to_903(values: pd.Series, year: int, where: str) -> pd.Series:
    """Canonical M/F/U to the year's 903 SEX codes."""
    if year >= SSDA903_SEX_LETTERS_FROM:
        mapped = values.map(_SEX_LETTERS)
    else:
        mapped = values.map(_903_NUMERIC)
    pos = _first_unmapped(values, mapped)
    if pos is not None:
        raise ReturnFormatError(
            f"{where}, row {pos + 1}, field SEX: {values.iloc[pos]!r} has no {year} 903 code"
            + (" (1/2 only before 2025)" if year < SSDA903_SEX_LETTERS_FROM else "")
        )
    return mapped


def sex_from_903(values: pd.Series, where: str) -> pd.Series:
    """903 SEX in either coding (1/2 or M/F/U) to canonical M/F/U; rows numbered as CSV lines."""
    text = values.astype(object).where(values.notna(), "").map(lambda v: str(v).strip().upper())
    mapped = text.map(_903_FROM_FILE)
    pos = _first_unmapped(text, mapped)
    if pos is not None:
        raise ReturnFormatError(
            f"{where}, row {pos + 2}, field SEX: {text.iloc[pos]!r} is not 1, 2, M, F or U"
        )
    return mapped


def cin_sex_element(year: int) -> str:
    return "Sex" if year >= CIN_SEX_LETTERS_FROM else "GenderCurrent"


def sex_to_cin(value: str, year: int) -> str:
    table = _SEX_LETTERS if year >= CIN_SEX_LETTERS_FROM else _GENDER_CURRENT
    code = table.get(value)
    if code is None:
        raise ReturnFormatError(f"sex {value!r} is not M, F or U")
    return code


def sex_from_cin(element: str, value: str | None) -> str | None:
    """Canonical sex from a CIN GenderCurrent or Sex value; None if the value is not a code."""
    text = (value or "").strip().upper()
    table = _GENDER_CURRENT_FROM_FILE if element == "GenderCurrent" else _SEX_LETTERS
    return table.get(text)


def parse_yes_no(value: str | None) -> bool | None:
    """XML yes/no: true/false/1/0 as the DfE schemas allow; None if none of those."""
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None
