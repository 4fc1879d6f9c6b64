"""Independent views of what the API and downloads should serve: the tidy tables read with plain
SQL and the catalogue read straight from its YAML, never through metrics.api or the dashboard."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE_DIR = ROOT / "metrics" / "catalogue"
ENGLAND = "E92000001"
COUNT_COLUMNS = ("numerator", "denominator")


def query(url: str, sql: str, **params: Any) -> pd.DataFrame:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(sa.text(sql), conn, params=params)
    finally:
        engine.dispose()


def table_columns(url: str, table: str) -> list[str]:
    return list(query(url, f"SELECT * FROM {table} LIMIT 0").columns)


def catalogue_yaml() -> dict[str, dict[str, Any]]:
    """Every indicator entry by id, in file order, with its group added."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(CATALOGUE_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text())
        for entry in doc["indicators"]:
            out[entry["id"]] = {**entry, "group": doc["group"]}
    return out


def primary_threshold() -> dict[str, int]:
    """Counts 1..N are suppressed for each indicator (0: counts of LAs, FTEs: none)."""
    return {k: int(v["disclosure"]["primary"]) for k, v in catalogue_yaml().items()}


def small_counts(rows: Iterable[Mapping[str, Any]], primary: Mapping[str, int]) -> list[Any]:
    """Rows showing a count that disclosure control should have hidden."""
    bad = []
    for row in rows:
        if row.get("measure") == "returns_missing":
            continue  # counts of LAs whose return is missing, not of children
        limit = primary.get(str(row.get("indicator_id")), 5)
        for col in COUNT_COLUMNS:
            value = row.get(col)
            if value in (None, ""):
                continue
            number = float(value)
            if not math.isnan(number) and 0.5 <= number <= limit + 0.5 and limit > 0:
                bad.append((row.get("indicator_id"), row.get("area_code"), col, number))
    return bad


def split_download(text: str) -> tuple[list[list[str]], list[dict[str, str]], list[str]]:
    """A download's header block rows, its table rows and the table's column names."""
    assert text.startswith("\ufeff"), "downloads start with a UTF-8 byte order mark"
    head, sep, table = text[1:].partition("\r\n\r\n")
    assert sep, "no blank line between the header block and the table"
    block = list(csv.reader(io.StringIO(head)))
    reader = csv.DictReader(io.StringIO(table))
    rows = list(reader)
    return block, rows, list(reader.fieldnames or [])


def number_or_none(text: str) -> float | None:
    return None if text == "" else float(text)
