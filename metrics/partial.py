"""The metrics rebuild after one LA's import: only what that LA's records can change, with the
very rows a full build would write.

An import replaces LA L's records for one year. Units never join across LAs, so only L's
LA-level counts can change: L's units are recomputed (from temporary one-LA copies of the
record tables, for the years the import can reach: ``metrics.unit_sql.REACH``) and the other
LAs' counts are read back from the last build (metrics/stored.py). Every statistic is computed
within one indicator and year, except the trend, whose five-year window makes a year's trend
depend on the four before it. So:

- an indicator-year where any of L's counts changed is rebuilt for every area (regions,
  England, comparisons, ranks, disclosure and neighbour summaries all depend on every LA);
  its hidden-need signals are rebuilt if it is one of the latest years;
- the trends of L, its region and England are recomputed in those years and the four after
  (from L's counts and the kept series of the region and England); every other area's trend is
  unchanged and read back as kept. In the years after, only the trend column of those three
  areas' published rows is rewritten (blank where the cell is suppressed, as in a full build);
- a coverage source's year is rebuilt where L's share changed; ``data_origins`` is rewritten;
- the kept counts, series and shares are brought up to date for the next import.

Rows enter every statistic in the order a full build gives them (``canonical_counts``), and
sums in SQL do not depend on the order rows are added in (``metrics.unit_sql.on_grid``), so
every value, suppression choice and rank is the same to the last bit:
tests/metrics/test_partial_build.py compares the tables of both on DuckDB, SQLite and
PostgreSQL. Without counts kept by a build of this catalogue (a database built before they
were kept, or a build of some indicators only), or when L's years change a batch's time axis
(a year no other LA has), the full build runs instead.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data.load import bulk_insert
from metrics import calendar
from metrics.build import (
    COUNT_COLUMNS,
    COUNT_KEYS,
    ENGLAND,
    BuildReport,
    SideCache,
    _arrow,
    _attributes,
    _geography,
    _trend_kind,
    _trends,
    _values,
    _with_levels,
    batches,
    build_metrics,
    canonical_counts,
    chosen_indicators,
    drop_units,
    gather,
    materialise_units,
    needed_units,
    origin_frame,
    published,
    read_pairs,
)
from metrics.catalogue import SIGNAL_BREAKDOWN, Catalogue, Indicator, load_catalogue
from metrics.coverage import (
    SOURCE_COLUMNS,
    UNIT_MEASURES,
    canonical_sources,
    coverage_inputs,
    coverage_rows,
)
from metrics.signals import SIGNAL_YEARS, read_context, signal_frame
from metrics.stats.trend import WINDOW
from metrics.stored import (
    area_values_table,
    fingerprint,
    kept_fingerprint,
    la_counts_table,
    la_coverage_table,
    read_frame,
)
from metrics.tidy import coverage_values_table, data_origins_table, indicator_values_table
from metrics.unit_sql import Reach, reached

Cell = tuple[str, int]  # (indicator_id or coverage source, year)
SUMS = ["numerator", "denominator", "sum", "sumsq"]


@dataclass
class _Plan:
    """What one batch of indicators needs rebuilt."""

    batch: Sequence[Indicator]
    axes: dict[str, np.ndarray]
    rebuilt: set[Cell]  # every row of these indicator-years
    retrended: set[Cell]  # the trend of L, its region and England only
    years: set[int]  # the years whose counts these need (the trend windows)


def rebuild_after_import(
    engine: sa.Engine, la_code: str, year: int, *, catalogue: Catalogue | None = None
) -> BuildReport:
    """Bring the tidy tables up to date after LA ``la_code``'s records for ``year`` were
    replaced: the same tables a full build would write, in a fraction of its time."""
    cat = catalogue or load_catalogue()
    chosen = chosen_indicators(cat, None)
    with engine.connect() as conn:
        kept = kept_fingerprint(conn)
    if kept != fingerprint(chosen):
        return _full(engine, cat, "no counts kept by a full build of this catalogue and code")

    report = BuildReport(mode="partial")
    tick = time.perf_counter()
    calendar.install(engine)
    with engine.begin() as conn:
        units = materialise_units(
            conn, needed_units(chosen), la_code, lambda unit: reached(unit, year)
        )
    report.seconds["units"] = time.perf_counter() - tick

    tick = time.perf_counter()
    with engine.connect() as conn:
        geo = _geography(conn)
        cache: SideCache = {}
        parts = [gather(conn, units, b, cache, la_code) for b in batches(chosen)]
        counts_t, coverage_t = la_counts_table(), la_coverage_table()
        old_counts = canonical_counts(
            read_frame(conn, sa.select(counts_t).where(counts_t.c.la_code == la_code))
        )
        new_counts = _own(
            canonical_counts(pd.concat(parts, ignore_index=True)),
            old_counts,
            "indicator_id",
            {ind.id: _indicator_reach(ind, year) for ind in chosen},
        )
        sources, links = coverage_inputs(conn, units, chosen, la_code)
        old_sources = canonical_sources(
            read_frame(conn, sa.select(coverage_t).where(coverage_t.c.la_code == la_code))
        )
        new_sources = _own(
            sources,
            old_sources,
            "source",
            {m: reached(unit, year) for m, (unit, _, _) in UNIT_MEASURES.items()},
        )
        others = _other_cells(conn, la_code, geo)
    with engine.begin() as conn:
        drop_units(conn, units)
    on_map = la_code in set(geo["la_code"])
    before = _axes(chosen, others, _cells(old_counts) if on_map else set())
    after = _axes(chosen, others, _cells(new_counts) if on_map else set())
    report.seconds["counts"] = time.perf_counter() - tick
    if before != after:
        # L brings or takes away a year some batch has no other LA for: every trend window
        # of that batch moves.
        return _full(engine, cat, f"LA {la_code}'s years change the years of the series")

    tick = time.perf_counter()
    changed = _changed(old_counts, new_counts, COUNT_KEYS, ["indicator_id", "year"], SUMS)
    plans = _plans(chosen, after, changed)
    areas = _areas(geo, la_code)
    rebuilt, retrended, series = [], [], []
    with engine.connect() as conn:
        pairs = read_pairs(conn)
        for plan in plans:
            attrs = _attributes(plan.batch)
            frame = _rebuilt_frame(conn, plan, la_code, new_counts, geo, attrs)
            trends = _series(conn, plan, frame, new_counts, geo, attrs, areas)
            frame = _with_kept_trends(conn, plan, frame, trends, areas)
            rebuilt.append(published(frame, attrs, pairs))
            retrended.append(_patched(conn, trends[_in(trends, plan.retrended)], areas))
            series.append(trends[_in(trends, plan.rebuilt | plan.retrended)])
        values = pd.concat(rebuilt, ignore_index=True) if rebuilt else pd.DataFrame()
        recomputed = pd.concat(series, ignore_index=True) if series else pd.DataFrame()
    new_counts = _la_trend_column(new_counts, old_counts, recomputed, plans, la_code)
    report.seconds["indicators"] = time.perf_counter() - tick

    tick = time.perf_counter()
    source_changes = _changed(
        old_sources,
        new_sources,
        ["source", "year", "la_code"],
        ["source", "year"],
        ["numerator", "denominator"],
    )
    with engine.connect() as conn:
        coverage = _coverage(conn, la_code, new_sources, links, source_changes, geo)
        latest = set(sorted({y for axis in after.values() for y in axis})[-SIGNAL_YEARS:])
        signalled = {cell for cell in changed if cell[1] in latest}
        signals = _signals(values, signalled, chosen, read_context(conn), geo)
        origins = origin_frame(conn, geo)
    report.seconds["coverage"] = time.perf_counter() - tick

    tick = time.perf_counter()
    with engine.begin() as conn:
        _write_values(conn, {c for p in plans for c in p.rebuilt}, values)
        for patched in retrended:  # one batch's indicators each: their conditions never overlap
            _write_trends(conn, patched, areas)
        _write_coverage(conn, source_changes, links, coverage)
        _write_signals(conn, signalled, signals)
        origins_t = data_origins_table()
        conn.execute(sa.delete(origins_t))
        bulk_insert(conn, origins_t.name, _arrow(origins_t, origins))
        conn.execute(sa.delete(counts_t).where(counts_t.c.la_code == la_code))
        bulk_insert(conn, counts_t.name, _arrow(counts_t, new_counts))
        _write_areas(conn, plans, recomputed, areas)
        conn.execute(sa.delete(coverage_t).where(coverage_t.c.la_code == la_code))
        bulk_insert(conn, coverage_t.name, _arrow(coverage_t, new_sources))
    report.seconds["write"] = time.perf_counter() - tick
    report.rows = {
        "indicator_values": len(values) + sum(len(p) for p in retrended),
        "coverage_values": len(coverage) + len(signals),
        "indicator_years": len(changed),
    }
    return report


def _full(engine: sa.Engine, cat: Catalogue, why: str) -> BuildReport:
    report = build_metrics(engine, catalogue=cat)
    report.mode = f"full ({why})"
    return report


# ---------------------------------------------------------------- what changed
def _indicator_reach(ind: Indicator, year: int) -> Reach:
    """The years of an indicator's counts that records of ``year`` can change: those of every
    unit it counts (a year is recomputed only if all its units were)."""
    spans = [reached(c.unit, year) for c in (ind.numerator, ind.denominator) if c is not None]
    firsts = [f for f, _ in spans if f is not None]
    lasts = [last for _, last in spans if last is not None]
    return (max(firsts) if firsts else None, min(lasts) if lasts else None)


def _own(new: pd.DataFrame, old: pd.DataFrame, key: str, reach: dict[str, Reach]) -> pd.DataFrame:
    """L's rows after the import: recomputed where the import can reach (``reach`` by ``key``;
    keys not listed are recomputed for every year), kept from the last build elsewhere."""

    def inside(frame: pd.DataFrame) -> np.ndarray:
        keys = frame[key].astype(str)
        first = keys.map({k: f for k, (f, _) in reach.items() if f is not None})
        last = keys.map({k: la for k, (_, la) in reach.items() if la is not None})
        year = frame["year"].astype(float)
        return ((first.isna() | (year >= first)) & (last.isna() | (year <= last))).to_numpy()

    out = pd.concat([new[inside(new)], old[~inside(old)]], ignore_index=True)
    if key == "source":
        return canonical_sources(out)
    return canonical_counts(out)


def _cells(frame: pd.DataFrame, key: str = "indicator_id") -> set[Cell]:
    pairs = frame[[key, "year"]].drop_duplicates()
    return set(zip(pairs[key].astype(str), pairs["year"].astype(int), strict=True))


def _other_cells(conn: sa.Connection, la_code: str, geo: pd.DataFrame) -> set[Cell]:
    """The indicator-years the other LAs on the map have counts for."""
    t = la_counts_table()
    stmt = (
        sa.select(t.c.indicator_id, t.c.year)
        .where(t.c.la_code != la_code, t.c.la_code.in_(geo["la_code"].astype(str).tolist()))
        .distinct()
    )
    return _cells(read_frame(conn, stmt))


def _axes(
    chosen: Sequence[Indicator], others: set[Cell], own: set[Cell]
) -> dict[tuple[int, str], tuple[int, ...]]:
    """Per batch and trend kind, the years on its trend axis (those any of its rows have)."""
    years: dict[str, set[int]] = {}
    for ind, y in others | own:
        years.setdefault(ind, set()).add(y)
    out = {}
    for number, batch in enumerate(batches(chosen)):
        attrs = _attributes(batch)
        kinds = _trend_kind(pd.Series([i.id for i in batch]), attrs)
        for kind in ("proportion", "other"):
            found = {
                y
                for ind, k in zip(batch, kinds, strict=True)
                if k == kind
                for y in years.get(ind.id, ())
            }
            out[(number, kind)] = tuple(sorted(found))
    return out


def _changed(
    old: pd.DataFrame, new: pd.DataFrame, keys: list[str], cell: list[str], values: list[str]
) -> set[Cell]:
    """The cells (``cell`` columns) holding any row that differs between ``old`` and ``new``:
    added, removed, or with any of ``values`` changed (NaN equal to NaN)."""
    old = old[[*keys, *values]].astype({k: str for k in keys if k != "year"})
    new = new[[*keys, *values]].astype({k: str for k in keys if k != "year"})
    merged = old.merge(new, on=keys, how="outer", suffixes=("_old", "_new"), indicator=True)
    differs = np.array(merged["_merge"] != "both", dtype=bool)
    for col in values:
        a = merged[f"{col}_old"].to_numpy(dtype=float, na_value=np.nan)
        b = merged[f"{col}_new"].to_numpy(dtype=float, na_value=np.nan)
        differs |= ~((a == b) | (np.isnan(a) & np.isnan(b)))
    rows = merged.loc[differs, cell]
    return set(zip(rows[cell[0]].astype(str), rows["year"].astype(int), strict=True))


# ---------------------------------------------------------------- the statistics
def _plans(
    chosen: Sequence[Indicator],
    years_on: dict[tuple[int, str], tuple[int, ...]],
    changed: set[Cell],
) -> list[_Plan]:
    axes = {key: np.array(years, dtype=np.int64) for key, years in years_on.items()}
    plans = []
    for number, batch in enumerate(batches(chosen)):
        ids = [i.id for i in batch]
        attrs = _attributes(batch)
        kinds = dict(zip(ids, _trend_kind(pd.Series(ids), attrs), strict=True))
        rebuilt = {cell for cell in changed if cell[0] in kinds}
        if not rebuilt:
            continue
        retrended: set[Cell] = set()
        years: set[int] = set()
        for ind, y in rebuilt:
            axis = axes[(number, kinds[ind])]
            at = int(np.searchsorted(axis, y))
            retrended |= {(ind, int(e)) for e in axis[at + 1 : at + WINDOW]}
        retrended -= rebuilt
        for ind, y in rebuilt | retrended:
            axis = axes[(number, kinds[ind])]
            at = int(np.searchsorted(axis, y))
            years |= {int(e) for e in axis[max(at - WINDOW + 1, 0) : at + 1]}
        plans.append(
            _Plan(
                batch=batch,
                axes={k: axes[(number, k)] for k in ("proportion", "other")},
                rebuilt=rebuilt,
                retrended=retrended,
                years=years,
            )
        )
    return plans


def _in(frame: pd.DataFrame, cells: set[Cell]) -> np.ndarray:
    """Which rows of ``frame`` (``indicator_id``, ``time_period``) are in ``cells``."""
    if not cells or frame.empty:
        return np.zeros(len(frame), dtype=bool)
    rows = pd.MultiIndex.from_arrays(
        [frame["indicator_id"].astype(str), frame["time_period"].astype("int64")]
    )
    return np.asarray(rows.isin(pd.MultiIndex.from_tuples(sorted(cells))))


def _kept_counts(
    conn: sa.Connection, la_code: str, ids: list[str], years: list[int], new_counts: pd.DataFrame
) -> pd.DataFrame:
    """Every LA's counts of ``ids`` in ``years``: the other LAs' kept ones (with their trends)
    and L's new ones, in the order a full build has them."""
    t = la_counts_table()
    stmt = sa.select(t).where(
        t.c.la_code != la_code, t.c.indicator_id.in_(ids), t.c.year.in_(years)
    )
    own = new_counts[
        new_counts["indicator_id"].isin(ids).to_numpy() & new_counts["year"].isin(years).to_numpy()
    ]
    return canonical_counts(
        pd.concat([read_frame(conn, stmt), own[COUNT_COLUMNS]], ignore_index=True)
    )


def _rebuilt_frame(
    conn: sa.Connection,
    plan: _Plan,
    la_code: str,
    new_counts: pd.DataFrame,
    geo: pd.DataFrame,
    attrs: pd.DataFrame,
) -> pd.DataFrame:
    """Every area's rows of the indicator-years to rebuild, with values and intervals (and the
    other LAs' kept trends): the rows :func:`metrics.build.with_trends` gives, but for those
    years only."""
    ids = sorted({ind for ind, _ in plan.rebuilt})
    years = sorted({y for _, y in plan.rebuilt})
    frame = _values(_with_levels(_kept_counts(conn, la_code, ids, years, new_counts), geo), attrs)
    frame = frame.rename(columns={"year": "time_period"})
    return frame[_in(frame, plan.rebuilt)].reset_index(drop=True)


SERIES_COLUMNS = [
    "indicator_id", "breakdown", "time_period", "geographic_level", "area_code",
    "breakdown_value", "numerator", "denominator", "sum", "sumsq", "value", "lower_95",
    "upper_95",
]  # fmt: skip


def _series(
    conn: sa.Connection,
    plan: _Plan,
    frame: pd.DataFrame,
    new_counts: pd.DataFrame,
    geo: pd.DataFrame,
    attrs: pd.DataFrame,
    areas: dict[str, str],
) -> pd.DataFrame:
    """The series of L, its region and England over the plan's years, with their trends: L's
    from its new counts, the region's and England's from ``frame`` in the rebuilt years and
    as kept elsewhere (no other year of theirs has changed)."""
    ids = sorted({ind for ind, _ in plan.rebuilt})
    years = sorted(plan.years)
    own = new_counts[
        new_counts["indicator_id"].isin(ids).to_numpy() & new_counts["year"].isin(years).to_numpy()
    ]
    la = _with_levels(canonical_counts(own[COUNT_COLUMNS]), geo)
    la = _values(la[(la["geographic_level"] == "local_authority").to_numpy()], attrs)
    la = la.rename(columns={"year": "time_period"})
    wider = {k: v for k, v in areas.items() if k != "local_authority"}
    fresh = frame[_at(frame, wider)]
    t = area_values_table()
    stmt = sa.select(t).where(
        t.c.indicator_id.in_(ids), t.c.year.in_(years), _area_condition(t, wider)
    )
    kept = read_frame(conn, stmt).rename(columns={"year": "time_period"})
    kept = kept[~_in(kept, plan.rebuilt)]
    rows = pd.concat(
        [part[SERIES_COLUMNS] for part in (la, fresh, kept) if not part.empty], ignore_index=True
    )
    rows = rows.astype({c: str for c in SERIES_COLUMNS[:6] if c != "time_period"})
    rows["time_period"] = rows["time_period"].astype("int64")
    return _trends(rows.rename(columns={"time_period": "year"}), attrs, plan.axes)


def _at(frame: pd.DataFrame, areas: dict[str, str]) -> np.ndarray:
    """Which rows of ``frame`` are of ``areas`` (level: area code)."""
    keep = np.zeros(len(frame), dtype=bool)
    for level, code in areas.items():
        keep |= ((frame["geographic_level"] == level) & (frame["area_code"] == code)).to_numpy()
    return keep


def _area_condition(t: sa.Table, areas: dict[str, str]) -> sa.ColumnElement[bool]:
    return sa.or_(
        *(
            (t.c.geographic_level == level) & (t.c.area_code == code)
            for level, code in areas.items()
        )
    )


def _with_kept_trends(
    conn: sa.Connection,
    plan: _Plan,
    frame: pd.DataFrame,
    trends: pd.DataFrame,
    areas: dict[str, str],
) -> pd.DataFrame:
    """``frame`` with every row's trend: recomputed for L, its region and England; as kept for
    the other areas, whose series have not changed (the other LAs' came with their counts)."""
    ids = sorted({ind for ind, _ in plan.rebuilt})
    years = sorted({y for _, y in plan.rebuilt})
    t = area_values_table()
    stmt = sa.select(
        t.c.indicator_id, t.c.breakdown, t.c.year, t.c.geographic_level, t.c.area_code,
        t.c.breakdown_value, t.c.trend,
    ).where(t.c.indicator_id.in_(ids), t.c.year.in_(years))  # fmt: skip
    regions = read_frame(conn, stmt).rename(columns={"year": "time_period"})
    regions = regions[~_at(regions, areas)]
    ours = trends[_at(trends, areas) & _in(trends, plan.rebuilt)]
    keys = SERIES_COLUMNS[:6]
    lookup = pd.concat([regions[[*keys, "trend"]], ours[[*keys, "trend"]]], ignore_index=True)
    lookup = lookup.astype({c: str for c in keys if c != "time_period"})
    lookup["time_period"] = lookup["time_period"].astype("int64")
    mine = _at(frame, areas)
    frame.loc[mine, "trend"] = np.nan  # L's came with no kept trend; the areas' none either
    merged = frame.astype({c: str for c in keys if c != "time_period"}).merge(
        lookup, on=keys, how="left", suffixes=("", "_kept"), validate="m:1"
    )
    merged["trend"] = merged["trend"].where(merged["trend"].notna(), merged["trend_kept"])
    merged["trend"] = merged["trend"].fillna("")
    return merged.drop(columns="trend_kept")


def _la_trend_column(
    new_counts: pd.DataFrame,
    old_counts: pd.DataFrame,
    recomputed: pd.DataFrame,
    plans: list[_Plan],
    la_code: str,
) -> pd.DataFrame:
    """L's counts with each row's trend: recomputed in the plans' indicator-years, as kept in
    the others (their series windows hold no changed year)."""
    keys = COUNT_KEYS
    out = new_counts[COUNT_COLUMNS].astype({k: str for k in keys if k != "year"})
    old = old_counts[[*keys, "trend"]].astype({k: str for k in keys if k != "year"})
    out = out.merge(old, on=keys, how="left", validate="1:1")
    cells = {c for p in plans for c in p.rebuilt | p.retrended}
    if cells and not recomputed.empty:
        mine = recomputed[(recomputed["geographic_level"] == "local_authority").to_numpy()]
        mine = mine.rename(columns={"time_period": "year"}).assign(la_code=la_code)
        mine = mine[[*keys, "trend"]].astype({k: str for k in keys if k != "year"})
        mine["year"] = mine["year"].astype("int64")
        out = out.merge(mine, on=keys, how="left", suffixes=("", "_new"), validate="1:1")
        inside = _in(out.rename(columns={"year": "time_period"}), cells)
        out["trend"] = np.where(inside, out["trend_new"].fillna(""), out["trend"])
        out = out.drop(columns="trend_new")
    out["trend"] = out["trend"].fillna("")
    return canonical_counts(out)


def _areas(geo: pd.DataFrame, la_code: str) -> dict[str, str]:
    """The areas whose trends an LA's counts feed: the LA, its region and England."""
    row = geo[geo["la_code"].astype(str) == la_code]
    out = {"national": ENGLAND[0]}
    if len(row):
        out["local_authority"] = str(row["area_code"].iloc[0])
        out["regional"] = str(row["region_code"].iloc[0])
    return out


TREND_KEYS = ["time_period", "geographic_level", "area_code", "indicator_id", "breakdown"]


def _trend_where(
    iv: sa.Table, frame: pd.DataFrame, areas: dict[str, str]
) -> sa.ColumnElement[bool]:
    """The published rows of the LA, its region and England in the indicator-years of
    ``frame`` (one condition, so one scan of the table for every year)."""
    cells = _by_year(_cells(frame.rename(columns={"time_period": "year"})))
    return sa.and_(
        sa.or_(*((iv.c.time_period == y) & iv.c.indicator_id.in_(ids) for y, ids in cells.items())),
        _area_condition(iv, areas),
    )


def _patched(conn: sa.Connection, trends: pd.DataFrame, areas: dict[str, str]) -> pd.DataFrame:
    """The published rows whose trend may change, with the new trend: blank where the cell is
    suppressed, as disclosure control leaves it (metrics/disclosure.py)."""
    if trends.empty:
        return pd.DataFrame()
    iv = indicator_values_table()
    keys = [*TREND_KEYS, "breakdown_value"]
    rows = read_frame(conn, sa.select(iv).where(_trend_where(iv, trends, areas)))
    rows["time_period"] = rows["time_period"].astype("int64")
    text = {k: str for k in keys if k != "time_period"}
    new = trends[[*keys, "trend"]].astype(text).astype({"time_period": "int64"})
    merged = rows.astype(text).merge(
        new, on=keys, how="left", suffixes=("", "_new"), validate="1:1"
    )
    recomputed = merged["trend_new"].notna().to_numpy()
    hidden = (merged["status"] == "c").to_numpy()
    shown = np.where(hidden, "", merged["trend_new"].fillna("").to_numpy(dtype=object))
    merged["trend"] = np.where(recomputed, shown, merged["trend"].to_numpy(dtype=object))
    return merged.drop(columns="trend_new")


# ---------------------------------------------------------------- coverage and signals
def _coverage(
    conn: sa.Connection,
    la_code: str,
    own: pd.DataFrame,
    links: pd.DataFrame,
    changed: set[Cell],
    geo: pd.DataFrame,
) -> pd.DataFrame:
    if not changed:
        return pd.DataFrame()
    t = la_coverage_table()
    stmt = sa.select(t).where(
        t.c.la_code != la_code,
        t.c.source.in_(sorted({s for s, _ in changed})),
        t.c.year.in_(sorted({y for _, y in changed})),
    )
    sources = canonical_sources(
        pd.concat([read_frame(conn, stmt), own[SOURCE_COLUMNS]], ignore_index=True)
    )
    cells = pd.Series(
        list(zip(sources["source"], sources["year"].astype(int), strict=True)), dtype=object
    )
    return coverage_rows(sources[cells.isin(changed).to_numpy()].reset_index(drop=True), links, geo)


def _signals(
    values: pd.DataFrame,
    cells: set[Cell],
    chosen: Sequence[Indicator],
    context: pd.DataFrame,
    geo: pd.DataFrame,
) -> pd.DataFrame:
    """The hidden-need signals of the rebuilt indicator-years among the latest years. Each is
    fitted within one indicator and year, from that year's published values."""
    if not cells or values.empty:
        return pd.DataFrame()
    rows = values[_in(values, cells)]
    ids = {ind for ind, _ in cells}
    return signal_frame(rows, [i for i in chosen if i.id in ids], context, geo)


# ---------------------------------------------------------------- writing
def _by_year(cells: set[Cell]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for key, y in cells:
        out.setdefault(y, []).append(key)
    return {y: sorted(keys) for y, keys in sorted(out.items())}


def _write_values(conn: sa.Connection, cells: set[Cell], values: pd.DataFrame) -> None:
    iv = indicator_values_table()
    for y, ids in _by_year(cells).items():
        conn.execute(sa.delete(iv).where(iv.c.time_period == y, iv.c.indicator_id.in_(ids)))
    if not values.empty:
        bulk_insert(conn, iv.name, _arrow(iv, values))


def _write_trends(conn: sa.Connection, patched: pd.DataFrame, areas: dict[str, str]) -> None:
    """Replace the rows :func:`_patched` read with their patched copies (the condition is the
    reading's, or narrower if some indicator-year had no such rows)."""
    if patched.empty:
        return
    iv = indicator_values_table()
    conn.execute(sa.delete(iv).where(_trend_where(iv, patched, areas)))
    bulk_insert(conn, iv.name, _arrow(iv, patched))


def _write_areas(
    conn: sa.Connection, plans: list[_Plan], recomputed: pd.DataFrame, areas: dict[str, str]
) -> None:
    """The kept region and England rows of the plans' indicator-years, with new trends (and new
    counts and values where rebuilt)."""
    t = area_values_table()
    wider = {k: v for k, v in areas.items() if k != "local_authority"}
    cells = {c for p in plans for c in p.rebuilt | p.retrended}
    for y, ids in _by_year(cells).items():
        conn.execute(
            sa.delete(t).where(t.c.year == y, t.c.indicator_id.in_(ids), _area_condition(t, wider))
        )
    rows = recomputed[_at(recomputed, wider)] if not recomputed.empty else recomputed
    if not rows.empty:
        bulk_insert(conn, t.name, _arrow(t, rows.rename(columns={"time_period": "year"})))


def _write_coverage(
    conn: sa.Connection, changed: set[Cell], links: pd.DataFrame, coverage: pd.DataFrame
) -> None:
    cv = coverage_values_table()
    for source, y in sorted(changed):
        linked = links[links["source"] == source]
        if linked.empty:
            continue
        conn.execute(
            sa.delete(cv).where(
                cv.c.time_period == y,
                cv.c.measure == str(linked["measure"].iloc[0]),
                cv.c.indicator_id.in_(sorted(linked["indicator_id"].astype(str))),
            )
        )
    if not coverage.empty:
        bulk_insert(conn, cv.name, _arrow(cv, coverage))


def _write_signals(conn: sa.Connection, cells: set[Cell], signals: pd.DataFrame) -> None:
    cv = coverage_values_table()
    is_signal = sa.or_(
        cv.c.measure == "expected_rate",
        *(cv.c.measure.startswith(f"{name}_", autoescape=True) for name in SIGNAL_BREAKDOWN),
    )
    for y, ids in _by_year(cells).items():
        conn.execute(
            sa.delete(cv).where(cv.c.time_period == y, cv.c.indicator_id.in_(ids), is_signal)
        )
    if not signals.empty:
        bulk_insert(conn, cv.name, _arrow(cv, signals))
