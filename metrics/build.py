"""Materialising the tidy tables from the record-level tables.

The work is split where it is cheapest: the engine does the heavy lifting (each unit is
materialised once as a table, then every indicator is a GROUP BY over it), and pandas does the
statistics on a few thousand aggregate rows per indicator. Computation is generic per measure
type: nothing here knows about a particular indicator beyond its catalogue declaration.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.sql.util import find_tables

from data.load import bulk_insert
from data.schema import metadata as record_metadata
from data.schema import ref_la, ref_population, ref_statistical_neighbours, return_status
from metrics import calendar
from metrics.catalogue import Catalogue, Count, Indicator, load_catalogue
from metrics.coverage import UNIT_MEASURES, coverage_inputs, coverage_rows
from metrics.disclosure import apply_disclosure
from metrics.signals import read_context, signal_frame
from metrics.stats.benchmark import (
    compare_to_benchmark,
    grouped_quartiles_and_ranks,
    neighbour_summary,
)
from metrics.stats.intervals import interval_columns
from metrics.stats.trend import TrendKind, recent_trends
from metrics.stored import (
    AREA_VALUES,
    BUILD_STATE,
    LA_COUNTS,
    LA_COVERAGE,
    STORED,
    area_values_table,
    build_state_table,
    fingerprint,
    la_counts_table,
    la_coverage_table,
)
from metrics.tidy import coverage_values_table, data_origins_table, indicator_values_table
from metrics.unit_sql import PEOPLE_SQL, UNIT_SQL, Reach, exact_sum, on_grid

ENGLAND = ("E92000001", "England")
UNIT_PREFIX = "metrics_unit_"
KEYS = ["year", "la_code"]
SQUARE_BITS = 10


@dataclass
class BuildReport:
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    mode: str = "full"  # or "partial": a rebuild after one LA's import (metrics/partial.py)


# ---------------------------------------------------------------- units
def materialise_units(
    conn: sa.Connection,
    names: Iterable[str],
    la_code: str | None = None,
    years: Callable[[str], Reach] | None = None,
) -> dict[str, sa.Table]:
    """The people tables, then each unit once, as plain tables the indicator queries scan;
    only ``la_code``'s rows if given, and of each unit only the ``years`` it gives (a rebuild
    after that LA's import)."""
    names = list(names)
    if la_code is None:
        return _materialise(conn, names, None, years)
    selects = [build() for build in (*PEOPLE_SQL.values(), *(UNIT_SQL[n] for n in names))]
    with _one_la_records(conn, la_code, _tables_read(selects)):
        return _materialise(conn, names, la_code, years)


def _tables_read(selects: Iterable[sa.Select]) -> set[str]:
    """The names of the tables ``selects`` read (directly or under an alias)."""
    out = set()
    for select in selects:
        for found in find_tables(select, include_aliases=True):
            table = found.element if isinstance(found, sa.Alias) else found
            if isinstance(table, sa.Table):
                out.add(table.name)
    return out


def _materialise(
    conn: sa.Connection,
    names: Iterable[str],
    la_code: str | None,
    years: Callable[[str], Reach] | None,
) -> dict[str, sa.Table]:
    for table, build in PEOPLE_SQL.items():
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}"'))
        conn.execute(sa.CreateTableAs(_one_la(build(), la_code), table))
    tables = {}
    for name in names:
        table = UNIT_PREFIX + name
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "{table}"'))
        span = years(name) if years is not None else (None, None)
        select = _one_la(UNIT_SQL[name](), la_code, span)
        conn.execute(sa.CreateTableAs(select, table))
        # Described from the select rather than reflected (duckdb-engine cannot reflect here).
        tables[name] = sa.Table(
            table, sa.MetaData(), *(sa.Column(c.name, c.type) for c in select.selected_columns)
        )
    return tables


TEMPORARY_SCHEMA = {"duckdb": "temp", "sqlite": "temp", "postgresql": "pg_temp"}


@contextmanager
def _one_la_records(conn: sa.Connection, la_code: str, names: set[str]) -> Iterator[None]:
    """Within the block, statements on ``conn`` see only LA ``la_code``'s rows of the tables
    ``names`` that are keyed by LA: temporary copies shadow the tables by name (all three
    engines look up temporary tables first), so the units' SQL, unchanged, reads one LA's
    records instead of joining every LA's (the engines do not take a filter on the result into
    every subquery)."""
    temp = TEMPORARY_SCHEMA[conn.dialect.name]
    present = set(sa.inspect(conn).get_table_names()) & names
    shadowed = [t for t in record_metadata.sorted_tables if "la_code" in t.c and t.name in present]
    done = False
    try:
        for table in shadowed:
            one = sa.select(table).where(table.c.la_code == la_code)
            conn.execute(sa.CreateTableAs(one, table.name, temporary=True))
        yield
        done = True
    finally:
        # Always by the temporary schema's name: never the tables they shadow.
        try:
            for table in shadowed:
                conn.execute(sa.text(f'DROP TABLE IF EXISTS {temp}."{table.name}"'))
        except sa.exc.DBAPIError:
            if done:
                raise
            # After a failure the transaction is aborted; its rollback removes the copies.


def _one_la(select: sa.Select, la_code: str | None, years: Reach = (None, None)) -> sa.Select:
    """``select`` kept to one LA's rows in ``years`` (the one-LA copies hold that LA's rows
    only, but a table not copied would still hold every LA's)."""
    first, last = years
    if la_code is None and first is None and last is None:
        return select
    inner = select.subquery("one_la")
    return sa.select(*inner.c).where(
        *([inner.c.la_code == la_code] if la_code is not None else []),
        *([inner.c.year >= first] if first is not None else []),
        *([inner.c.year <= last] if last is not None else []),
    )


def _condition(table: sa.Table, column: str, value: object) -> sa.ColumnElement[bool]:
    col = table.c[column]
    if isinstance(value, bool):
        return col == (1 if value else 0)
    if isinstance(value, list | tuple):
        return col.in_([1 if v is True else 0 if v is False else v for v in value])
    return col == value


def _aggregates(
    conn: sa.Connection, table: sa.Table, counts: Sequence[Count], breakdown: str | None
) -> list[Side]:
    """Every count on one unit in one scan: per year, LA (and breakdown value), for each count
    ``m`` (rows matching its filter), ``n`` (rows counted: matching, or with the column
    present), and ``s`` and ``ss`` (sum and sum of squares) where it sums a column.

    Conditional aggregates (``SUM(CASE WHEN ...)``) rather than one filtered query per count:
    portable to every engine, and a unit is read once however many indicators use it."""
    group: list[Any] = [table.c.year, table.c.la_code]
    if breakdown:
        group.append(table.c[breakdown].label("breakdown_value"))
    measures: list[Any] = []
    layout = []
    for i, count in enumerate(counts):
        conds = [_condition(table, c, v) for c, v in count.where.items()]
        cond = sa.and_(*conds) if conds else None

        def when(expr: Any, cond: Any = cond) -> Any:
            return expr if cond is None else sa.case((cond, expr))

        names = {"m": f"m{i}", "n": f"n{i}"}
        measures.append(sa.func.sum(when(sa.literal(1))).label(names["m"]))
        columns = count.columns
        if columns:
            total = sum(
                (sa.func.coalesce(exact_sum(when(table.c[c])), 0.0) for c in columns),
                sa.literal(0.0),
            )
            measures.append(total.label(f"s{i}"))
            names["s"] = f"s{i}"
        if len(columns) == 1:
            # A coarser grid for squares (within 5e-4 of the value): their sum must stay exact
            # (below 2**33) for a whole LA's children, and it only feeds a standard deviation.
            col = on_grid(table.c[columns[0]] * 1.0, SQUARE_BITS)
            measures.append(sa.func.sum(when(col * col)).label(f"ss{i}"))
            measures.append(sa.func.count(when(table.c[columns[0]])).label(names["n"]))
            names["ss"] = f"ss{i}"
        else:
            names["n"] = names["m"]
        layout.append(names)
    stmt = sa.select(*group, *measures).group_by(*group)
    key_names = [*KEYS, *(["breakdown_value"] if breakdown else [])]
    wide = pd.DataFrame(
        conn.execute(stmt).fetchall(), columns=[*key_names, *(m.name for m in measures)]
    )
    keys = _keys_frame(wide, key_names, breakdown)
    out = []
    for names in layout:
        data = {
            short: pd.to_numeric(wide[column]).fillna(0).to_numpy(dtype=float)
            for short, column in names.items()
        }
        if "ss" in names:
            data["ss"] = pd.to_numeric(wide[names["ss"]]).to_numpy(dtype=float)
        out.append(Side(*keys, m=data["m"], n=data["n"], s=data.get("s"), ss=data.get("ss")))
    return out


@dataclass(frozen=True)
class Side:
    """One count per year, LA and breakdown value, as arrays: ``m`` rows matching its filter,
    ``n`` rows counted, ``s`` and ``ss`` the sum and sum of squares of its column(s). Plain
    arrays, not a frame per count: a build assembles some 700 of them, and pandas' cost per
    operation, not the data, was most of the time (all of it when rebuilding one LA)."""

    year: np.ndarray
    la_code: np.ndarray
    breakdown_value: np.ndarray
    m: np.ndarray
    n: np.ndarray
    s: np.ndarray | None = None
    ss: np.ndarray | None = None


def _keys_frame(
    wide: pd.DataFrame, key_names: list[str], breakdown: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The grouping columns once (shared by every count of the query): year, LA, and the
    breakdown value ('total' for the headline rows, 'Unknown' where it is missing)."""
    year = wide["year"].to_numpy(dtype="int64")
    la_code = wide["la_code"].astype(str).to_numpy(dtype=object)
    values = wide["breakdown_value"].astype(str) if breakdown else "total"
    value = pd.Series(values, index=wide.index).fillna("Unknown").astype(str)
    return year, la_code, value.to_numpy(dtype=object)


def _population(
    conn: sa.Connection, breakdown: str | None, la_code: str | None = None
) -> pd.DataFrame:
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
    if la_code is not None:
        stmt = stmt.where(p.c.la_code == la_code)
    return pd.DataFrame(
        conn.execute(stmt).fetchall(),
        columns=[*KEYS, *(["breakdown_value"] if breakdown else []), "n"],
    )


# ---------------------------------------------------------------- one indicator
SideCache = dict[tuple[str, str | None], "Side"]


def _key(count: Count, breakdown: str | None) -> tuple[str, str | None]:
    return (count.model_dump_json(), breakdown)


def _sides(ind: Indicator) -> list[tuple[Count, str | None]]:
    """The (count, breakdown) pairs an indicator needs."""
    population_based = ind.denominator is not None and ind.denominator.population is not None
    pairs: list[tuple[Count, str | None]] = []
    for breakdown in [None, *ind.breakdowns]:
        if breakdown == "disability" and population_based:
            continue  # no population by disability to divide by
        for count in (ind.numerator, ind.denominator):
            if count is not None:
                pairs.append((count, breakdown))
    return pairs


def prefetch(
    conn: sa.Connection,
    units: dict[str, sa.Table],
    chosen: Sequence[Indicator],
    cache: SideCache,
    la_code: str | None = None,
) -> None:
    """Fill ``cache`` with every side ``chosen`` needs: one query per unit and breakdown (the
    units hold one LA's rows when ``la_code`` is given, and so must the population)."""
    wanted: dict[tuple[str | None, str | None], dict[str, Count]] = {}
    for ind in chosen:
        for count, breakdown in _sides(ind):
            key = _key(count, breakdown)
            if key not in cache:
                wanted.setdefault((count.unit, breakdown), {})[key[0]] = count
    for (unit, breakdown), counts in wanted.items():
        if unit is None:  # a population
            raw = _population(conn, breakdown, la_code)
            key_names = [*KEYS, *(["breakdown_value"] if breakdown else [])]
            n = pd.to_numeric(raw["n"]).to_numpy(dtype=float)
            population = Side(*_keys_frame(raw, key_names, breakdown), m=n, n=n)
            for text in counts:
                cache[(text, breakdown)] = population
            continue
        sides = _aggregates(conn, units[unit], list(counts.values()), breakdown)
        for text, side in zip(counts, sides, strict=True):
            cache[(text, breakdown)] = side


def _rows(
    cache: SideCache,
    count: Count,
    breakdown: str | None,
    keep_zero: bool,
    tag: tuple[str, str],
    **columns: str,
) -> dict[str, np.ndarray]:
    """One side's rows for one indicator and breakdown, as arrays: the keys, and each of
    ``columns`` (output name: the side's array, or "nan")."""
    side = cache[_key(count, breakdown)]
    # Groups with no matching record: kept as 0 for counts (an LA with no inadequate rating
    # has 0, not nothing), dropped elsewhere (the denominator side decides which rows exist).
    keep = slice(None) if keep_zero else side.m > 0
    year = side.year[keep]
    out = {
        "indicator_id": np.full(len(year), tag[0], dtype=object),
        "breakdown": np.full(len(year), tag[1], dtype=object),
        "year": year,
        "la_code": side.la_code[keep],
        "breakdown_value": side.breakdown_value[keep],
    }
    for name, source in columns.items():
        values = getattr(side, source) if source != "nan" else None
        out[name] = np.full(len(year), np.nan) if values is None else values[keep]
    return out


def _stack(parts: list[dict[str, np.ndarray]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in columns})


def _child_mean(ind: Indicator) -> bool:
    """A mean over children (sum and sum of squares of a column); a mean declared with a
    denominator (e.g. an LA-level total over a pupil count) is a ratio of sums instead."""
    return ind.measure in ("mean", "median") and ind.denominator is None


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


# ---------------------------------------------------------------- a batch of indicators
# The statistics run once over a batch of indicators rather than once per indicator: pandas
# costs a few milliseconds per operation whatever the size, so ~100 indicators x ~30 operations
# each was most of the build. What differs between indicators (measure, interval method,
# polarity, disclosure rule) becomes columns, and each rule is applied to its rows at once.
SERIES = ["indicator_id", "year", "breakdown", "breakdown_value"]
BATCH = 16  # indicators per batch: bounds memory at national scale
RATIO_MEASURES = ("rate_per_10000", "proportion", "ratio", "mean", "median")


def _attributes(chosen: Sequence[Indicator]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": [i.id for i in chosen],
            "measure": [i.measure for i in chosen],
            "child_mean": [_child_mean(i) for i in chosen],
            "multiplier": [i.multiplier for i in chosen],
            "interval": [i.interval for i in chosen],
            "polarity": [i.polarity for i in chosen],
            "primary": [i.disclosure.primary for i in chosen],
            "round_to": [i.disclosure.round_national or 1 for i in chosen],
            "round_local": [i.disclosure.round_local or 1 for i in chosen],
        }
    ).set_index("indicator_id")


def gather(
    conn: sa.Connection,
    units: dict[str, sa.Table],
    chosen: Sequence[Indicator],
    cache: SideCache | None = None,
    la_code: str | None = None,
) -> pd.DataFrame:
    """numerator and denominator (n, sum and sum of squares for means over children) of every
    indicator in ``chosen``, per year, LA, breakdown and value, stacked.

    Sides are queried (and shared through ``cache``), stacked, and joined once per batch:
    one join per indicator and breakdown cost more than the queries themselves."""
    cache = {} if cache is None else cache
    prefetch(conn, units, chosen, cache, la_code)
    nums, dens = [], []
    for ind in chosen:
        population_based = ind.denominator is not None and ind.denominator.population is not None
        for breakdown in [None, *ind.breakdowns]:
            if breakdown == "disability" and population_based:
                continue  # no population by disability to divide by
            tag = (ind.id, breakdown or "total")
            keep_zero = ind.measure == "count"
            if _child_mean(ind):
                nums.append(
                    _rows(
                        cache,
                        ind.numerator,
                        breakdown,
                        keep_zero,
                        tag,
                        numerator="n",
                        sum="s",
                        sumsq="ss",
                    )
                )
                continue
            value = "s" if ind.numerator.columns else "n"
            nums.append(
                _rows(
                    cache,
                    ind.numerator,
                    breakdown,
                    keep_zero,
                    tag,
                    numerator=value,
                    sum="nan",
                    sumsq="nan",
                )
            )
            if ind.denominator is not None:
                value = "s" if ind.denominator.columns else "n"
                dens.append(_rows(cache, ind.denominator, breakdown, False, tag, denominator=value))
    keys = ["indicator_id", "breakdown", *KEYS, "breakdown_value"]
    num_frame = _stack(nums, [*keys, "numerator", "sum", "sumsq"])
    if dens:
        den_frame = _stack(dens, [*keys, "denominator"])
        # Outer: a breakdown value the denominator lacks (sex or ethnicity unknown has no
        # population) is still published as a count, so it stays in the additive relations
        # that secondary suppression protects; otherwise total minus the parts would reveal it.
        out = den_frame.merge(num_frame, on=keys, how="outer")
        has_den = out["indicator_id"].isin([i.id for i in chosen if i.denominator is not None])
        out.loc[has_den, "numerator"] = out.loc[has_den, "numerator"].fillna(0.0)
    else:
        out = num_frame.assign(denominator=np.nan)
    first = out["indicator_id"].map({i.id: i.first_year for i in chosen})
    out = out[out["year"].to_numpy() >= first.to_numpy()]
    return canonical_counts(out)


COUNT_KEYS = ["indicator_id", "breakdown", "year", "la_code", "breakdown_value"]
COUNT_COLUMNS = [*COUNT_KEYS, "numerator", "denominator", "sum", "sumsq"]


def canonical_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """LA-level counts in one fixed order and dtypes, however they were made (queried for every
    LA, or read back from ``metrics_la_counts`` with one LA's rows replaced after an import).

    The order is part of the result, not a detail: regional and national sums of non-integer
    columns depend on the order they are added in, and secondary suppression hides the first of
    equal cells. Sorted by key, a rebuild of some rows gives the very rows a full build gives."""
    out = frame[[*COUNT_COLUMNS, *(["trend"] if "trend" in frame else [])]].copy()
    for col in ("indicator_id", "breakdown", "breakdown_value", "la_code"):
        out[col] = out[col].astype(str)
    out["year"] = out["year"].astype("int64")
    for col in ("numerator", "denominator", "sum", "sumsq"):
        out[col] = pd.to_numeric(out[col]).astype(float)
    out = out.sort_values(COUNT_KEYS, ignore_index=True)
    for col in ("indicator_id", "breakdown", "breakdown_value", "la_code"):
        out[col] = out[col].astype("category")
    return out


def _with_levels(la: pd.DataFrame, geo: pd.DataFrame) -> pd.DataFrame:
    """LA rows plus regions and England, aggregated from the unrounded LA counts."""
    la = la.merge(geo, on="la_code", how="inner")
    la["geographic_level"] = "local_authority"
    sums = ["numerator", "denominator", "sum", "sumsq"]

    def rollup(by: list[str]) -> pd.DataFrame:
        return la.groupby(by, observed=True, sort=False)[sums].sum(min_count=1).reset_index()

    region = rollup([*SERIES, "region_code", "region_name"]).rename(
        columns={"region_name": "area_name"}
    )
    region["area_code"] = region["region_code"]
    region["geographic_level"] = "regional"
    england = rollup(SERIES)
    england["area_code"], england["area_name"] = ENGLAND
    england["region_code"] = None
    england["geographic_level"] = "national"
    out = pd.concat([la, region, england], ignore_index=True)
    for col in ("indicator_id", "breakdown", "breakdown_value"):
        out[col] = out[col].astype(str)
    return out


def _values(frame: pd.DataFrame, attrs: pd.DataFrame) -> pd.DataFrame:
    """Value and intervals, one vectorised pass per (measure kind, interval method, scale)."""
    ids = frame["indicator_id"]
    measure = ids.map(attrs["measure"]).to_numpy()
    method = ids.map(attrs["interval"]).to_numpy()
    mult = ids.map(attrs["multiplier"]).to_numpy(dtype=float)
    num = frame["numerator"].to_numpy(dtype=float, na_value=np.nan)
    den = frame["denominator"].to_numpy(dtype=float, na_value=np.nan)
    total = frame["sum"].to_numpy(dtype=float, na_value=np.nan)
    sumsq = frame["sumsq"].to_numpy(dtype=float, na_value=np.nan)
    is_mean = ids.map(attrs["child_mean"]).to_numpy(dtype=bool)
    is_count = measure == "count"
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(num > 0, total / num, np.nan)
        var = np.where(num > 1, (sumsq - total**2 / num) / (num - 1), np.nan)
        ratio = np.where(den > 0, num / den * mult, np.nan)
    sd = np.sqrt(np.clip(var, 0, None))
    frame["value"] = np.where(is_mean, mean, np.where(is_count, num, ratio))
    bounds = {
        c: np.full(len(frame), np.nan) for c in ("lower_95", "upper_95", "lower_998", "upper_998")
    }
    kind = np.where(is_mean, "mean", np.where(is_count, "count", "ratio"))
    # Counts (e.g. LAs by Ofsted judgement) are not samples: no interval.
    keys = pd.DataFrame({"kind": kind, "method": method, "mult": mult})
    groups: dict[Any, Any] = keys.groupby(["kind", "method", "mult"], sort=False).indices
    for (k, m, scale), rows in groups.items():
        if k == "count" or m == "none":
            continue
        if k == "mean":
            ci = interval_columns(m, num[rows], num[rows], value=mean[rows], sd=sd[rows])
        else:
            ci = interval_columns(m, num[rows], den[rows], per=float(scale))
        for col, values in ci.items():
            bounds[col][rows] = values
    for col, values in bounds.items():
        frame[col] = values
    return frame


def _comparisons(frame: pd.DataFrame, attrs: pd.DataFrame) -> pd.DataFrame:
    keys = ["indicator_id", "time_period", "breakdown", "breakdown_value"]
    eng = frame.loc[frame["geographic_level"] == "national", [*keys, "value"]]
    frame = frame.merge(eng.rename(columns={"value": "england"}), on=keys, how="left")
    national = (frame["geographic_level"] == "national").to_numpy()
    polarity = frame["indicator_id"].map(attrs["polarity"]).to_numpy()
    compared = np.full(len(frame), "", dtype=object)
    for pol in np.unique(polarity):
        rows = (polarity == pol) & ~national
        compared[rows] = compare_to_benchmark(
            frame["lower_95"].to_numpy()[rows],
            frame["upper_95"].to_numpy()[rows],
            frame["england"].to_numpy()[rows],
            str(pol),
        )
    frame["compared_to_england"] = compared
    bands, ranks = grouped_quartiles_and_ranks(
        frame["value"].to_numpy(dtype=float, na_value=np.nan),
        frame.groupby(keys, sort=False).ngroup().to_numpy(),
        polarity,
        (frame["geographic_level"] == "local_authority").to_numpy(),
    )
    frame["quartile"] = bands
    frame["rank"] = pd.array(ranks, dtype="Int64")
    return frame.drop(columns=["england"])


TREND_BY = ["indicator_id", "geographic_level", "area_code", "breakdown", "breakdown_value"]


def _trend_kind(indicator_ids: pd.Series, attrs: pd.DataFrame) -> np.ndarray:
    """Which trend test each row gets: proportions a chi-square test, the rest a regression."""
    proportion = (indicator_ids.map(attrs["measure"]) == "proportion").to_numpy()
    return np.where(proportion, "proportion", "other")


def _trends(
    frame: pd.DataFrame, attrs: pd.DataFrame, axes: dict[str, np.ndarray] | None = None
) -> pd.DataFrame:
    """The trend marker, one test per kind over the batch's years (``axes``, per kind, when the
    frame holds only some of them)."""
    frame = frame.rename(columns={"year": "time_period"})
    kinds = _trend_kind(frame["indicator_id"], attrs)
    trend = np.full(len(frame), "", dtype=object)
    kind: TrendKind
    for kind in ("proportion", "other"):
        rows = kinds == kind
        if rows.any():
            axis = None if axes is None else axes[kind]
            result = recent_trends(frame[rows], kind=kind, by=TREND_BY, axis=axis)
            trend[rows] = result["trend"].fillna("").to_numpy()
    frame["trend"] = trend
    return frame


def _disclosed(frame: pd.DataFrame, attrs: pd.DataFrame) -> pd.DataFrame:
    rules = attrs[["primary", "round_to", "round_local"]].astype(int)
    rule = frame["indicator_id"].map(rules.astype(str).agg("/".join, axis=1))
    parts = []
    for key, rows in frame.groupby(rule.to_numpy(), sort=False).indices.items():
        primary, round_to, round_local = (int(x) for x in str(key).split("/"))
        parts.append(
            apply_disclosure(
                frame.iloc[rows], primary=primary, round_to=round_to, round_local=round_local
            )
        )
    return pd.concat(parts, ignore_index=True)


def _neighbours(frame: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    la = frame[frame["geographic_level"] == "local_authority"]
    by = ["indicator_id", "time_period", "breakdown", "breakdown_value"]
    summary = neighbour_summary(la[[*by, "area_code", "value"]], pairs, by=by)
    rows = []
    for level, col in (
        ("statistical_neighbours_median", "neighbour_median"),
        ("statistical_neighbours_mean", "neighbour_mean"),
    ):
        part = summary[[*by, "area_code", col, "neighbours_used"]].rename(columns={col: "value"})
        part["geographic_level"] = level
        rows.append(part)
    out = pd.concat(rows, ignore_index=True)
    names = la[["area_code", "area_name", "region_code"]].drop_duplicates("area_code")
    return out.merge(names, on="area_code", how="left")


def with_trends(
    gathered: pd.DataFrame,
    attrs: pd.DataFrame,
    geo: pd.DataFrame,
    axes: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """LA counts rolled up to regions and England, with values, intervals and trends: all that a
    year's statistics need from other years (the trend's five-year window)."""
    frame = _with_levels(gathered, geo)
    frame = _values(frame, attrs)
    return _trends(frame, attrs, axes)


def published(frame: pd.DataFrame, attrs: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """The published rows from :func:`with_trends`' rows: comparisons, disclosure control and
    neighbour summaries, each computed within one indicator and year."""
    frame = _comparisons(frame, attrs)
    # No rate where there is nothing to divide by (e.g. sex unknown: no population): "z".
    ratio = frame["indicator_id"].map(attrs["measure"]).isin(RATIO_MEASURES).to_numpy()
    no_base = ratio & ~frame["indicator_id"].map(attrs["child_mean"]).to_numpy(dtype=bool)
    no_base &= frame["denominator"].isna().to_numpy()
    frame["status"] = np.where(no_base, "z", "")
    frame = frame.drop(
        columns=[c for c in ("sum", "sumsq", "mean", "region_name", "la_code") if c in frame]
    )
    frame = _disclosed(frame, attrs)
    # Neighbour summaries for the headline rows only: over breakdown cells they would be
    # medians of mostly suppressed values, and they would treble the table the web reads.
    neighbours = _neighbours(frame[frame["breakdown"] == "total"], pairs)
    neighbours["status"] = ""
    out = pd.concat([frame, neighbours], ignore_index=True)
    for col in ("compared_to_england", "quartile", "trend"):
        out[col] = out[col].fillna("")
    return out


AREA_COLUMNS = [
    "indicator_id", "breakdown", "year", "geographic_level", "area_code", "breakdown_value",
    "numerator", "denominator", "sum", "sumsq", "value", "lower_95", "upper_95", "trend",
]  # fmt: skip


def la_trends(gathered: pd.DataFrame, frame: pd.DataFrame, geo: pd.DataFrame) -> np.ndarray:
    """Each LA row's trend before disclosure control, in ``gathered``'s order ("" for an LA
    not on the map). ``frame`` (:func:`with_trends`) starts with the LA rows of ``gathered``
    that are on the map, in their order."""
    on_map = gathered["la_code"].astype(str).isin(geo["la_code"].astype(str)).to_numpy()
    la = frame[(frame["geographic_level"] == "local_authority").to_numpy()]
    if len(la) != on_map.sum() or not np.array_equal(
        la["la_code"].astype(str).to_numpy(), gathered.loc[on_map, "la_code"].astype(str).to_numpy()
    ):
        raise AssertionError("with_trends did not keep the LA rows in the order of the counts")
    out = np.full(len(gathered), "", dtype=object)
    out[on_map] = la["trend"].to_numpy(dtype=object)
    return out


def area_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Regional and national rows of :func:`with_trends` as they are before disclosure control
    (kept, so that a rebuild after an import has the trend series of the areas it changes)."""
    rows = frame[frame["geographic_level"].isin(["regional", "national"]).to_numpy()]
    return rows.rename(columns={"time_period": "year"})[AREA_COLUMNS]


def origin_frame(conn: sa.Connection, geo: pd.DataFrame) -> pd.DataFrame:
    """Which LA-years' returns are synthetic and which the LA's own (``python -m data
    import``): pages and downloads must say whose children they are counting."""
    r = return_status
    rows = conn.execute(
        sa.select(r.c.year, r.c.la_code, r.c.return_name, r.c.status, r.c.origin)
    ).fetchall()
    frame = pd.DataFrame(
        rows, columns=["time_period", "la_code", "return_name", "status", "origin"]
    )
    frame = frame.merge(geo[["la_code", "area_code", "area_name"]], on="la_code", how="inner")
    return frame.drop(columns="la_code").sort_values(["area_code", "time_period", "return_name"])


# ---------------------------------------------------------------- the whole build
def chosen_indicators(cat: Catalogue, indicator_ids: Iterable[str] | None) -> list[Indicator]:
    return (
        [cat.indicator(i) for i in indicator_ids]
        if indicator_ids
        else [i for i in cat if i.computable]
    )


def needed_units(chosen: Sequence[Indicator]) -> list[str]:
    """Every unit the indicators' counts and coverage measures read."""
    return sorted(
        {c.unit for ind in chosen for c in (ind.numerator, ind.denominator) if c and c.unit}
        | {
            UNIT_MEASURES[m][0]
            for ind in chosen
            for m in ind.annotations.coverage.measures
            if m in UNIT_MEASURES
        }
    )


def batches(chosen: Sequence[Indicator]) -> list[Sequence[Indicator]]:
    """The build's batches of indicators. A rebuild after an import keeps the same ones: the
    trend's time axis is every year any indicator of the batch has."""
    return [chosen[start : start + BATCH] for start in range(0, len(chosen), BATCH)]


def read_pairs(conn: sa.Connection) -> pd.DataFrame:
    n = ref_statistical_neighbours
    return pd.DataFrame(
        conn.execute(
            sa.select(n.c.ons_code, n.c.neighbour_ons_code).where(n.c.model == 2025)
        ).fetchall(),
        columns=["ons_code", "neighbour_ons_code"],
    )


def drop_units(conn: sa.Connection, units: dict[str, sa.Table]) -> None:
    for name in [*(t.name for t in units.values()), *PEOPLE_SQL]:
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"'))


def build_metrics(
    engine: sa.Engine,
    *,
    catalogue: Catalogue | None = None,
    indicator_ids: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Recompute ``indicator_values`` and ``coverage_values`` from the records in ``engine``.

    The new tables are written under temporary names and swapped in one transaction at the
    end, so readers see the old tables or the new ones, never a half-built set. A build of
    every computable indicator also keeps the LA-level counts (metrics/stored.py) that let a
    later import rebuild only what it changes (metrics/partial.py)."""
    report = BuildReport()
    cat = catalogue or load_catalogue()
    chosen = chosen_indicators(cat, indicator_ids)
    tick = time.perf_counter()
    calendar.install(engine)
    with engine.begin() as conn:
        units = materialise_units(conn, needed_units(chosen))
    report.seconds["units"] = time.perf_counter() - tick

    tick = time.perf_counter()
    with engine.connect() as conn:
        geo = _geography(conn)
        pairs = read_pairs(conn)
        frames, counts, areas = [], [], []
        cache: SideCache = {}
        prefetch(conn, units, chosen, cache)  # every unit read once for the whole build
        for batch in batches(chosen):
            gathered = gather(conn, units, batch, cache)
            if gathered.empty:
                # No LA has records for these indicators (a database holding one import).
                continue
            attrs = _attributes(batch)
            frame = with_trends(gathered, attrs, geo)
            counts.append(gathered.assign(trend=la_trends(gathered, frame, geo)))
            areas.append(area_rows(frame))
            frames.append(published(frame, attrs, pairs))
            if progress:
                progress(", ".join(i.id for i in batch))
        values = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        sources, links = coverage_inputs(conn, units, chosen)
        coverage = coverage_rows(sources, links, geo)
        tock = time.perf_counter()
        origins = origin_frame(conn, geo)
        signals = signal_frame(values, list(chosen), read_context(conn), geo)
        coverage = pd.concat([coverage, signals], ignore_index=True)
        report.seconds["signals"] = time.perf_counter() - tock
    report.seconds["indicators"] = time.perf_counter() - tick

    tick = time.perf_counter()
    with engine.begin() as conn:
        # Until the new counts are all kept, none are: an import meanwhile rebuilds in full.
        conn.execute(sa.text(f'DROP TABLE IF EXISTS "{BUILD_STATE}"'))
    _replace(engine, indicator_values_table, "indicator_values", values)
    _replace(engine, coverage_values_table, "coverage_values", coverage)
    _replace(engine, data_origins_table, "data_origins", origins)
    with engine.begin() as conn:
        drop_units(conn, units)
    report.seconds["write"] = time.perf_counter() - tick

    tick = time.perf_counter()
    if indicator_ids is None:
        kept = (
            pd.concat(counts, ignore_index=True) if counts else pd.DataFrame(columns=COUNT_COLUMNS)
        )
        _replace(engine, la_counts_table, LA_COUNTS, kept)
        kept = pd.concat(areas, ignore_index=True) if areas else pd.DataFrame(columns=AREA_COLUMNS)
        _replace(engine, area_values_table, AREA_VALUES, kept)
        _replace(engine, la_coverage_table, LA_COVERAGE, sources)
        _replace(
            engine,
            build_state_table,
            BUILD_STATE,
            pd.DataFrame({"fingerprint": [fingerprint(chosen)]}),
        )
    else:
        # Counts for some indicators only: an import must not take them for the whole set.
        with engine.begin() as conn:
            for name in STORED:
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"'))
    report.seconds["keep"] = time.perf_counter() - tick
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
