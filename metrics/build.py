"""Materialising the tidy tables from the record-level tables.

The work is split where it is cheapest: the engine does the heavy lifting (each unit is
materialised once as a table, then every indicator is a GROUP BY over it), and pandas does the
statistics on a few thousand aggregate rows per indicator. Computation is generic per measure
type: nothing here knows about a particular indicator beyond its catalogue declaration.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from data.load import bulk_insert
from data.schema import ref_la, ref_population, ref_statistical_neighbours
from metrics import calendar
from metrics.catalogue import Catalogue, Count, Indicator, load_catalogue
from metrics.coverage import UNIT_MEASURES, coverage_frame
from metrics.disclosure import apply_disclosure
from metrics.stats.benchmark import (
    compare_to_benchmark,
    national_rank,
    neighbour_summary,
    quartile_bands,
)
from metrics.stats.intervals import interval_columns
from metrics.stats.trend import recent_trends
from metrics.tidy import coverage_values_table, indicator_values_table
from metrics.unit_sql import PEOPLE_SQL, UNIT_SQL

ENGLAND = ("E92000001", "England")
UNIT_PREFIX = "metrics_unit_"
KEYS = ["year", "la_code"]


@dataclass
class BuildReport:
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------- units
def materialise_units(conn: sa.Connection, names: Iterable[str]) -> dict[str, sa.Table]:
    """The people tables, then each unit once, as plain tables the indicator queries scan."""
    for table, build in PEOPLE_SQL.items():
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}"'))
        conn.execute(sa.CreateTableAs(build(), table))
    tables = {}
    for name in names:
        table = UNIT_PREFIX + name
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}"'))
        select = UNIT_SQL[name]()
        conn.execute(sa.CreateTableAs(select, table))
        # Described from the select rather than reflected (duckdb-engine cannot reflect here).
        tables[name] = sa.Table(
            table, sa.MetaData(), *(sa.Column(c.name, c.type) for c in select.selected_columns)
        )
    return tables


def _condition(table: sa.Table, column: str, value: object) -> sa.ColumnElement[bool]:
    col = table.c[column]
    if isinstance(value, bool):
        return col == (1 if value else 0)
    if isinstance(value, list | tuple):
        return col.in_([1 if v is True else 0 if v is False else v for v in value])
    return col == value


def _aggregate(
    conn: sa.Connection, table: sa.Table, count: Count, breakdown: str | None
) -> pd.DataFrame:
    """Per year, LA (and breakdown value): n, and sum and sum of squares where a column applies."""
    group: list[Any] = [table.c.year, table.c.la_code]
    if breakdown:
        group.append(table.c[breakdown].label("breakdown_value"))
    columns = count.columns
    measures: list[Any] = [sa.func.count().label("n")]
    if columns:
        total = sum(
            (sa.func.coalesce(sa.func.sum(table.c[c]), 0.0) for c in columns), sa.literal(0.0)
        )
        measures.append(total.label("s"))
        if len(columns) == 1:
            col = table.c[columns[0]] * 1.0
            measures.append(sa.func.sum(col * col).label("ss"))
            measures.append(sa.func.count(table.c[columns[0]]).label("n"))
            measures.pop(0)
    where = [_condition(table, c, v) for c, v in count.where.items()]
    stmt = sa.select(*group, *measures).where(*where).group_by(*group)
    frame = pd.DataFrame(
        conn.execute(stmt).fetchall(),
        columns=[*KEYS, *(["breakdown_value"] if breakdown else []), *(m.name for m in measures)],
    )
    return frame


def _population(conn: sa.Connection, breakdown: str | None) -> pd.DataFrame:
    p = ref_population
    band = sa.case(
        (p.c.age < 1, "Under 1"),
        (p.c.age < 5, "1-4"),
        (p.c.age < 10, "5-9"),
        (p.c.age < 16, "10-15"),
        else_="16+",
    )
    labels = {
        "age_band": band,
        "sex": sa.case((p.c.sex == "M", "Male"), (p.c.sex == "F", "Female"), else_="Unknown"),
        "ethnicity_group": p.c.ethnicity_group,
    }
    group: list[Any] = [p.c.year, p.c.la_code]
    if breakdown:
        group.append(labels[breakdown].label("breakdown_value"))
    stmt = sa.select(*group, sa.func.sum(p.c.population).label("n")).group_by(*group)
    return pd.DataFrame(
        conn.execute(stmt).fetchall(),
        columns=[*KEYS, *(["breakdown_value"] if breakdown else []), "n"],
    )


# ---------------------------------------------------------------- one indicator
def _side(
    conn: sa.Connection, units: dict[str, sa.Table], count: Count, breakdown: str | None
) -> pd.DataFrame:
    if count.population:
        return _population(conn, breakdown)
    assert count.unit is not None
    return _aggregate(conn, units[count.unit], count, breakdown)


def la_aggregates(
    conn: sa.Connection, units: dict[str, sa.Table], ind: Indicator, breakdown: str | None
) -> pd.DataFrame:
    """numerator, denominator (and n, sd for means) per year, LA and breakdown value."""
    keys = [*KEYS, *(["breakdown_value"] if breakdown else [])]
    num = _side(conn, units, ind.numerator, breakdown)
    if ind.measure in ("mean", "median"):
        n = num["n"].astype(float)
        s = num["s"].astype(float)
        ss = num["ss"].astype(float) if "ss" in num else np.nan
        out = num[keys].copy()
        out["numerator"] = n  # children counted: what disclosure control protects
        out["denominator"] = np.nan
        out["mean"] = np.where(n > 0, s / n.where(n > 0), np.nan)
        out["sum"] = s
        out["sumsq"] = ss
        return out
    num_value = num["s"] if ind.numerator.columns else num["n"]
    out = num[keys].assign(numerator=num_value.astype(float))
    if ind.denominator is None:
        out["denominator"] = np.nan
        return out
    den = _side(conn, units, ind.denominator, breakdown)
    den_value = den["s"] if ind.denominator.columns else den["n"]
    den = den[keys].assign(denominator=den_value.astype(float))
    out = den.merge(out, on=keys, how="left")
    out["numerator"] = out["numerator"].fillna(0.0)
    return out


def _geography(conn: sa.Connection) -> pd.DataFrame:
    rows = conn.execute(
        sa.select(
            ref_la.c.dfe_la_code,
            ref_la.c.ons_code,
            ref_la.c.la_name,
            ref_la.c.region_code,
            ref_la.c.region_name,
        )
    )
    return pd.DataFrame(
        rows.fetchall(), columns=["la_code", "area_code", "area_name", "region_code", "region_name"]
    )


def _with_levels(la: pd.DataFrame, geo: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    """LA rows plus regions and England, aggregated from the unrounded LA counts."""
    la = la.merge(geo, on="la_code", how="inner")
    la["geographic_level"] = "local_authority"
    keys = ["year", "breakdown", "breakdown_value"]
    sums = ["numerator", "denominator", *(["sum", "sumsq"] if "sum" in la else [])]

    def rollup(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
        agg = frame.groupby(by, dropna=False)[sums].sum(min_count=1).reset_index()
        return agg

    region = rollup(la, [*keys, "region_code", "region_name"]).rename(
        columns={"region_name": "area_name"}
    )
    region["area_code"] = region["region_code"]
    region["geographic_level"] = "regional"
    england = rollup(la, keys)
    england["area_code"], england["area_name"] = ENGLAND
    england["region_code"] = None
    england["geographic_level"] = "national"
    out = pd.concat([la, region, england], ignore_index=True)
    if "sum" in out:
        n = out["numerator"]
        out["mean"] = out["sum"] / n.where(n > 0)
    return out


def _values(frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    mult = ind.multiplier
    if ind.measure in ("mean", "median"):
        n = frame["numerator"]
        var = (frame["sumsq"] - frame["sum"] ** 2 / n.where(n > 0)) / (n - 1).where(n > 1)
        sd = np.sqrt(var.clip(lower=0))
        frame["value"] = frame["mean"]
        ci = (
            interval_columns(ind.interval, n, n, value=frame["mean"], sd=sd)
            if ind.interval != "none"
            else {}
        )
    elif ind.measure == "count":
        frame["value"] = frame["numerator"]
        ci = {}  # counts (e.g. LAs by Ofsted judgement) are not samples: no interval
    else:
        den = frame["denominator"].where(frame["denominator"] > 0)
        frame["value"] = frame["numerator"] / den * mult
        ci = (
            interval_columns(ind.interval, frame["numerator"], frame["denominator"], per=mult)
            if ind.interval != "none"
            else {}
        )
    for col in ("lower_95", "upper_95", "lower_998", "upper_998"):
        frame[col] = ci.get(col, np.full(len(frame), np.nan))
    return frame


def _comparisons(frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    keys = ["year", "breakdown", "breakdown_value"]
    eng = frame[frame["geographic_level"] == "national"][[*keys, "value"]].rename(
        columns={"value": "england"}
    )
    frame = frame.merge(eng, on=keys, how="left")
    frame["compared_to_england"] = np.where(
        frame["geographic_level"] == "national",
        "",
        compare_to_benchmark(frame["lower_95"], frame["upper_95"], frame["england"], ind.polarity),
    )
    frame["quartile"] = ""
    frame["rank"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    la = frame["geographic_level"] == "local_authority"
    for idx in frame[la].groupby(keys).groups.values():
        values = frame.loc[idx, "value"]
        frame.loc[idx, "quartile"] = quartile_bands(values.to_numpy(), ind.polarity)
        frame.loc[idx, "rank"] = national_rank(values.to_numpy(), ind.polarity).to_numpy()
    return frame.drop(columns=["england"])


def _trends(frame: pd.DataFrame, ind: Indicator) -> pd.DataFrame:
    kind: Literal["proportion", "other"] = "proportion" if ind.measure == "proportion" else "other"
    frame = frame.rename(columns={"year": "time_period"})
    usable = frame.copy()
    trend = recent_trends(
        usable, kind=kind, by=["geographic_level", "area_code", "breakdown", "breakdown_value"]
    )
    frame["trend"] = trend["trend"].fillna("").to_numpy()
    return frame


def _neighbours(frame: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    la = frame[frame["geographic_level"] == "local_authority"]
    summary = neighbour_summary(
        la[["time_period", "breakdown", "breakdown_value", "area_code", "value"]],
        pairs,
        by=["time_period", "breakdown", "breakdown_value"],
    )
    rows = []
    for level, col in (
        ("statistical_neighbours_median", "neighbour_median"),
        ("statistical_neighbours_mean", "neighbour_mean"),
    ):
        part = summary[
            ["time_period", "breakdown", "breakdown_value", "area_code", col, "neighbours_used"]
        ].rename(columns={col: "value"})
        part["geographic_level"] = level
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    names = la[["area_code", "area_name", "region_code"]].drop_duplicates("area_code")
    return out.merge(names, on="area_code", how="left")


def indicator_frame(
    conn: sa.Connection,
    units: dict[str, sa.Table],
    ind: Indicator,
    geo: pd.DataFrame,
    pairs: pd.DataFrame,
) -> pd.DataFrame:
    """Every published row for one indicator: LAs, regions, England, neighbours, all years and
    breakdowns, after statistics and disclosure control."""
    parts = []
    breakdowns: list[str | None] = [None, *ind.breakdowns]
    population_based = ind.denominator is not None and ind.denominator.population is not None
    for breakdown in breakdowns:
        if breakdown == "disability" and population_based:
            continue  # no population by disability to divide by
        la = la_aggregates(conn, units, ind, breakdown)
        if breakdown is None:
            la["breakdown_value"] = "total"
        la = la[la["year"] >= ind.first_year]
        la["breakdown"] = breakdown or "total"
        frame = _with_levels(la, geo, ind)
        parts.append(frame)
    frame = pd.concat(parts, ignore_index=True)
    frame = _values(frame, ind)
    frame = _comparisons(frame, ind)
    frame = _trends(frame, ind)
    frame["indicator_id"] = ind.id
    frame["status"] = ""
    frame = frame.drop(
        columns=[c for c in ("sum", "sumsq", "mean", "region_name", "la_code") if c in frame]
    )
    frame = apply_disclosure(
        frame,
        primary=ind.disclosure.primary,
        round_to=ind.disclosure.round_national or 1,
    )
    # Neighbour summaries for the headline rows only: over breakdown cells they would be
    # medians of mostly suppressed values, and they would treble the table the web reads.
    neighbours = _neighbours(frame[frame["breakdown"] == "total"], pairs)
    neighbours["indicator_id"] = ind.id
    neighbours["status"] = ""
    out = pd.concat([frame, neighbours], ignore_index=True)
    for col in ("compared_to_england", "quartile", "trend"):
        out[col] = out[col].fillna("")
    return out


# ---------------------------------------------------------------- the whole build
def build_metrics(
    engine: sa.Engine,
    *,
    catalogue: Catalogue | None = None,
    indicator_ids: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Recompute ``indicator_values`` and ``coverage_values`` from the records in ``engine``.

    The new tables are written under temporary names and swapped in one transaction at the
    end, so readers see the old tables or the new ones, never a half-built set."""
    report = BuildReport()
    cat = catalogue or load_catalogue()
    chosen = (
        [cat.indicator(i) for i in indicator_ids]
        if indicator_ids
        else [i for i in cat if i.computable]
    )
    tick = time.perf_counter()
    calendar.install(engine)
    needed = sorted(
        {c.unit for ind in chosen for c in (ind.numerator, ind.denominator) if c and c.unit}
        | {
            UNIT_MEASURES[m][0]
            for ind in chosen
            for m in ind.annotations.coverage.measures
            if m in UNIT_MEASURES
        }
    )
    with engine.begin() as conn:
        units = materialise_units(conn, needed)
    report.seconds["units"] = time.perf_counter() - tick

    tick = time.perf_counter()
    with engine.connect() as conn:
        geo = _geography(conn)
        pairs = pd.DataFrame(
            conn.execute(
                sa.select(
                    ref_statistical_neighbours.c.ons_code,
                    ref_statistical_neighbours.c.neighbour_ons_code,
                ).where(ref_statistical_neighbours.c.model == 2025)
            ).fetchall(),
            columns=["ons_code", "neighbour_ons_code"],
        )
        frames = []
        for ind in chosen:
            frames.append(indicator_frame(conn, units, ind, geo, pairs))
            if progress:
                progress(ind.id)
        values = pd.concat(frames, ignore_index=True)
        coverage = coverage_frame(conn, units, chosen, geo)
    report.seconds["indicators"] = time.perf_counter() - tick

    tick = time.perf_counter()
    _replace(engine, indicator_values_table, "indicator_values", values)
    _replace(engine, coverage_values_table, "coverage_values", coverage)
    with engine.begin() as conn:
        for name in [*(t.name for t in units.values()), *PEOPLE_SQL]:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"'))
    report.seconds["write"] = time.perf_counter() - tick
    report.rows = {"indicator_values": len(values), "coverage_values": len(coverage)}
    return report


def _replace(
    engine: sa.Engine, make: Callable[[str], sa.Table], live: str, frame: pd.DataFrame
) -> None:
    building = make(f"{live}_building")
    old = f"{live}_old"
    with engine.begin() as conn:
        building.drop(conn, checkfirst=True)
        building.create(conn)
        bulk_insert(conn, building.name, _arrow(building, frame))
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "{old}"'))
        if sa.inspect(conn).has_table(live):
            conn.execute(sa.text(f'ALTER TABLE "{live}" RENAME TO "{old}"'))
        conn.execute(sa.text(f'ALTER TABLE "{building.name}" RENAME TO "{live}"'))
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "{old}"'))


def _arrow(table: sa.Table, frame: pd.DataFrame) -> pa.Table:
    arrays = []
    for col in table.columns:
        values = frame[col.name] if col.name in frame else pd.Series([None] * len(frame))
        if isinstance(col.type, sa.Integer):
            arrays.append(
                pa.array(
                    pd.to_numeric(values, errors="coerce").astype("Int64"),
                    type=pa.int64(),
                    from_pandas=True,
                )
            )
        elif isinstance(col.type, sa.Double | sa.Float):
            arrays.append(
                pa.array(
                    pd.to_numeric(values, errors="coerce").astype(float),
                    type=pa.float64(),
                    from_pandas=True,
                )
            )
        else:
            text = values.astype(object).where(values.notna(), None)
            if not col.nullable:
                text = text.where(text.notna(), "")
            arrays.append(pa.array(text, type=pa.string(), from_pandas=True))
    return pa.Table.from_arrays(arrays, names=[c.name for c in table.columns])
