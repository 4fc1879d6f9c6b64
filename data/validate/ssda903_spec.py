"""The 903 field rules and code sets, read from two CSV files beside this module.

They are data so that a change in DfE's guide for a new collection year is a row in a file
(``ssda903_codes.csv``: which codes each field takes, from which year to which year;
``ssda903_fields.csv``: each table's columns, their kind, whether they may be blank), which a
reviewer can check line by line against returns_spec.md without reading any code.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from data.returns.ssda903 import FILES, SIDECAR

HERE = Path(__file__).parent
CODES_CSV = HERE / "ssda903_codes.csv"
FIELDS_CSV = HERE / "ssda903_fields.csv"
KINDS = ("text", "code", "date", "int", "float")

# Schema table -> the name findings use in rule ids ("903.header.duplicate_child").
SHORT = {table: table.removeprefix("cla_") for table in FILES.values()} | {SIDECAR: "derived"}
# Schema table -> the name an analyst knows it by (DfE's own table names).
LABEL = {
    "cla_header": "Header",
    "cla_episode": "Episodes",
    "cla_uasc": "UASC",
    "cla_review": "Reviews",
    "cla_oc2": "OC2",
    "cla_oc3": "OC3",
    "cla_ad1": "AD1",
    "cla_placed_adoption": "PlacedAdoption",
    "cla_prev_perm": "PrevPerm",
    "cla_missing": "Missing",
    "cla_social_worker": "SocialWorker",
    SIDECAR: "derived placement fields",
}


@dataclass(frozen=True)
class Code:
    code_set: str
    code: str
    first_year: int | None  # first collection year the code is valid (None: always was)
    last_year: int | None  # last collection year it is valid (None: still is)

    def valid_in(self, year: int) -> bool:
        return (self.first_year is None or year >= self.first_year) and (
            self.last_year is None or year <= self.last_year
        )


@dataclass(frozen=True)
class FieldSpec:
    table: str  # schema table name, or SIDECAR
    column: str  # DfE column name
    kind: str  # one of KINDS
    required: bool
    code_set: str  # for kind "code"
    pattern: re.Pattern[str] | None  # a value matching it is accepted besides the code set
    low: float | None  # int/float: smallest value
    high: float | None  # int/float: largest value; text: most characters
    by_year_end: bool  # a date that cannot be after 31 March of the collection year
    severity: str  # "error" or "warning" for a value of the wrong kind


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@cache
def all_codes() -> tuple[Code, ...]:
    with CODES_CSV.open(newline="", encoding="utf-8") as f:
        return tuple(
            Code(r["code_set"], r["code"], _year(r["first_year"]), _year(r["last_year"]))
            for r in csv.DictReader(f)
        )


@cache
def codes_for(code_set: str, year: int) -> frozenset[str]:
    """The codes ``code_set`` takes in collection ``year``."""
    return frozenset(c.code for c in all_codes() if c.code_set == code_set and c.valid_in(year))


@cache
def code_years(code_set: str) -> dict[str, Code]:
    """Every code the set has ever had, to say when a code not valid this year was valid."""
    return {c.code: c for c in all_codes() if c.code_set == code_set}


@cache
def field_specs() -> tuple[FieldSpec, ...]:
    with FIELDS_CSV.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        if r["kind"] not in KINDS:
            raise ValueError(f"{FIELDS_CSV.name}: unknown kind {r['kind']!r} for {r['column']}")
        out.append(
            FieldSpec(
                table=r["table"],
                column=r["column"],
                kind=r["kind"],
                required=r["required"] == "yes",
                code_set=r["code_set"],
                pattern=re.compile(f"(?:{r['pattern']})") if r["pattern"] else None,
                low=_number(r["min"]),
                high=_number(r["max"]),
                by_year_end=r["by_year_end"] == "yes",
                severity=r["severity"],
            )
        )
    return tuple(out)


def specs_for(table: str) -> list[FieldSpec]:
    return [s for s in field_specs() if s.table == table]


def season(year: int) -> str:
    """A collection year as DfE writes it: 2025 -> '2024-25'."""
    return f"{year - 1}-{year % 100:02d}"
