"""The metrics layer's public, read-only face: the catalogue and the tidy tables, already past
disclosure control, for the dashboard, its downloads and the HTTP API.

The tidy tables are read once into memory, one small frame per indicator with text columns as
categories, so a dashboard view is a filter over a few thousand rows (well under a millisecond)
and a web worker's memory does not grow with the number of children. Lookups validate every
argument against the catalogue and the areas and years present, and fail with an error that
names the bad value, because these arguments come from URLs and users.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from data.engine import database_url, make_engine
from data.schema import ref_la
from metrics.catalogue import Catalogue, Indicator, UnknownIndicatorError, load_catalogue
from metrics.tidy import coverage_values as coverage_table
from metrics.tidy import data_origins as origins_table
from metrics.tidy import indicator_values as values_table

__all__ = [
    "ENGLAND_CODE",
    "Tidy",
    "TidyNotBuiltError",
    "UnknownAreaError",
    "UnknownBreakdownError",
    "UnknownIndicatorError",
    "UnknownYearError",
    "catalogue",
    "coverage",
    "indicator",
    "load",
    "values",
]

ENGLAND_CODE = "E92000001"
VALUE_COLUMNS = [c.name for c in values_table.columns]
COVERAGE_COLUMNS = [c.name for c in coverage_table.columns]
_CATEGORIES = (
    "geographic_level",
    "area_code",
    "area_name",
    "region_code",
    "breakdown",
    "breakdown_value",
    "status",
    "compared_to_england",
    "quartile",
    "trend",
    "measure",
)  # not "label": coverage sentences are mostly unique, and Arrow strings store them compactly


class UnknownAreaError(LookupError):
    """No area with this code (LA ONS or DfE code, region or England)."""


class UnknownYearError(LookupError):
    """The indicator has no values for this year."""


class UnknownBreakdownError(LookupError):
    """The indicator is not broken down this way."""


class TidyNotBuiltError(RuntimeError):
    """The database has no tidy tables yet: ``python -m metrics build`` makes them."""


def _areas(conn: sa.Connection) -> pd.DataFrame:
    rows = conn.execute(
        sa.select(
            ref_la.c.ons_code,
            ref_la.c.la_name,
            ref_la.c.region_code,
            ref_la.c.region_name,
            ref_la.c.dfe_la_code,
        ).order_by(ref_la.c.la_name)
    ).all()
    la = pd.DataFrame(rows, columns=["code", "name", "region_code", "region_name", "dfe_la_code"])
    la["level"] = "local_authority"
    regions = (
        la[["region_code", "region_name"]]
        .drop_duplicates()
        .sort_values("region_name")
        .rename(columns={"region_code": "code", "region_name": "name"})
    )
    regions["level"] = "regional"
    regions["region_code"] = regions["code"]
    england = pd.DataFrame(
        [{"code": ENGLAND_CODE, "name": "England", "level": "national", "region_code": None}]
    )
    out = pd.concat([england, regions, la.drop(columns="region_name")], ignore_index=True)
    return out[["code", "name", "level", "region_code", "dfe_la_code"]]


def _shrink(frame: pd.DataFrame) -> pd.DataFrame:
    """Small dtypes: repeated text as categories, years and ranks as 16-bit integers."""
    for col in _CATEGORIES:
        if col in frame:
            frame[col] = frame[col].astype("category")
    if "time_period" in frame:
        frame["time_period"] = frame["time_period"].astype("int16")
    if "rank" in frame:
        frame["rank"] = frame["rank"].astype("Int16")
    if "neighbours_used" in frame:
        frame["neighbours_used"] = frame["neighbours_used"].astype("Int16")
    return frame


def _duckdb_arrow(conn: sa.Connection, stmt: sa.Select) -> pa.Table:
    # Arrow straight from DuckDB's relation API: no Python tuple per row for millions of
    # rows, and no extra copy (a DB-API cursor's Arrow output copies the rows once more).
    raw = conn.connection.dbapi_connection
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    table: pa.Table = raw.sql(str(compiled)).to_arrow_table()  # type: ignore[union-attr]
    return table


def _read_split(
    conn: sa.Connection, table: sa.Table, columns: list[str]
) -> dict[str, pd.DataFrame]:
    """One compact frame per indicator. On DuckDB the table is read an indicator at a time, so
    the peak memory is one indicator's rows rather than a second copy of the whole table
    (which a process keeps as resident memory long after it is freed)."""
    rest = [c for c in columns if c != "indicator_id"]
    out: dict[str, pd.DataFrame] = {}
    if conn.dialect.name == "duckdb":
        ids = [r[0] for r in conn.execute(sa.select(table.c.indicator_id).distinct()).all()]
        for ind in ids:
            stmt = sa.select(*(table.c[c] for c in rest)).where(table.c.indicator_id == ind)
            out[str(ind)] = _shrink(_duckdb_arrow(conn, stmt).to_pandas())
        pa.default_memory_pool().release_unused()
        return out
    frame = pd.read_sql(sa.select(*(table.c[c] for c in columns)), conn)
    for key, part in frame.groupby(frame["indicator_id"].astype(str), sort=False):
        out[str(key)] = _shrink(part.drop(columns="indicator_id").reset_index(drop=True))
    return out


def _as_list(value: object) -> list[object] | None:
    if value is None:
        return None
    if isinstance(value, str | int):
        return [value]
    return list(value)  # type: ignore[call-overload]


ORIGIN_COLUMNS = ["time_period", "area_code", "area_name", "return_name", "status", "origin"]


@dataclass(frozen=True)
class Tidy:
    """The catalogue and both tidy tables, in memory, with validated lookups."""

    catalogue: Catalogue
    areas: pd.DataFrame  # code, name, level, region_code, dfe_la_code
    _values: dict[str, pd.DataFrame]
    _coverage: dict[str, pd.DataFrame]
    _origins: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ORIGIN_COLUMNS))

    @classmethod
    def load(cls, engine: sa.Engine, cat: Catalogue | None = None) -> Tidy:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            for table in (values_table, coverage_table, ref_la):
                if not inspector.has_table(table.name):
                    raise TidyNotBuiltError(
                        f"table {table.name} is missing: run `python -m metrics build`"
                    )
            areas = _areas(conn)
            values = _read_split(conn, values_table, VALUE_COLUMNS)
            coverage = _read_split(conn, coverage_table, COVERAGE_COLUMNS)
            origins = _origins(conn, inspector.has_table(origins_table.name))
        return_freed_memory()
        return cls(cat or load_catalogue(), areas, values, coverage, origins)

    # ------------------------------------------------------------ validation
    def indicator(self, indicator_id: str) -> Indicator:
        return self.catalogue.indicator(indicator_id)

    def area_code(self, area: str) -> str:
        """The ONS code of ``area`` given as an ONS code, DfE LA code, region code or 'England'."""
        text = str(area).strip()
        codes = self.areas["code"]
        if (codes == text).any():
            return text
        match = self.areas.loc[self.areas["dfe_la_code"] == text, "code"]
        if len(match):
            return str(match.iloc[0])
        if text.lower() == "england":
            return ENGLAND_CODE
        raise UnknownAreaError(f"unknown area '{area}'")

    def years(self, indicator_id: str) -> list[int]:
        frame = self._frame(indicator_id)
        return sorted(int(y) for y in frame["time_period"].unique())

    def breakdowns(self, indicator_id: str) -> list[str]:
        frame = self._frame(indicator_id)
        present = set(frame["breakdown"].astype(str).unique())
        return [b for b in ["total", *self.indicator(indicator_id).breakdowns] if b in present]

    def _frame(self, indicator_id: str) -> pd.DataFrame:
        ind = self.indicator(indicator_id)  # raises UnknownIndicatorError
        frame = self._values.get(ind.id)
        if frame is None:
            return pd.DataFrame(columns=[c for c in VALUE_COLUMNS if c != "indicator_id"])
        return frame

    def _place_and_time(
        self,
        frame: pd.DataFrame,
        indicator_id: str,
        area: str | Sequence[str] | None,
        year: int | Sequence[int] | None,
    ) -> pd.Series:
        """Rows of ``frame`` in the given areas and years, each validated."""
        mask = pd.Series(True, index=frame.index)
        areas = _as_list(area)
        if areas is not None:
            mask &= frame["area_code"].isin([self.area_code(str(a)) for a in areas])
        years = _as_list(year)
        if years is not None:
            known = set(self.years(indicator_id))
            chosen = [_int_or_none(y) for y in years]
            for y, n in zip(years, chosen, strict=True):
                if n not in known:
                    raise UnknownYearError(f"no year {y} for indicator '{indicator_id}'")
            mask &= frame["time_period"].isin(chosen)
        return mask

    # ------------------------------------------------------------ lookups
    def values(
        self,
        indicator_id: str,
        *,
        area: str | Sequence[str] | None = None,
        year: int | Sequence[int] | None = None,
        breakdown: str | None = None,
        level: str | Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Rows of ``indicator_values`` for one indicator, filtered. ``breakdown`` defaults to
        every breakdown; pass ``"total"`` for the headline rows."""
        frame = self._frame(indicator_id)
        mask = pd.Series(True, index=frame.index)
        mask &= self._place_and_time(frame, indicator_id, area, year)
        if breakdown is not None:
            if breakdown not in self.breakdowns(indicator_id):
                raise UnknownBreakdownError(
                    f"indicator '{indicator_id}' has no breakdown '{breakdown}'"
                )
            mask &= frame["breakdown"] == breakdown
        levels = _as_list(level)
        if levels is not None:
            mask &= frame["geographic_level"].isin(levels)
        out = frame[mask.to_numpy()].copy()
        out.insert(0, "indicator_id", indicator_id)
        return out

    def coverage(
        self,
        indicator_id: str,
        *,
        area: str | Sequence[str] | None = None,
        year: int | Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """Rows of ``coverage_values`` (coverage measures and hidden-need signals)."""
        self.indicator(indicator_id)
        frame = self._coverage.get(indicator_id)
        if frame is None:
            return pd.DataFrame(columns=[c for c in COVERAGE_COLUMNS])
        mask = pd.Series(True, index=frame.index)
        mask &= self._place_and_time(frame, indicator_id, area, year)
        out = frame[mask.to_numpy()].copy()
        out.insert(0, "indicator_id", indicator_id)
        return out

    def origins(
        self, *, area: str | Sequence[str] | None = None, imported_only: bool = False
    ) -> pd.DataFrame:
        """Per LA-year and return: status (submitted/missing) and origin (synthetic/imported).
        For a region or England, the rows of its LAs."""
        frame = self._origins
        areas = _as_list(area)
        if areas is not None:
            codes = [self.area_code(str(a)) for a in areas]
            members = self.areas.loc[
                self.areas["code"].isin(codes) | self.areas["region_code"].isin(codes), "code"
            ]
            if ENGLAND_CODE not in codes:
                frame = frame[frame["area_code"].isin(members)]
        if imported_only:
            frame = frame[frame["origin"] == "imported"]
        return frame.reset_index(drop=True)

    def memory_bytes(self) -> int:
        frames = [*self._values.values(), *self._coverage.values()]
        return int(sum(f.memory_usage(deep=True).sum() for f in frames))


def _origins(conn: sa.Connection, built: bool) -> pd.DataFrame:
    """``data_origins``; a database built before the table existed is all synthetic."""
    if not built:
        return pd.DataFrame(columns=ORIGIN_COLUMNS)
    rows = conn.execute(sa.select(*(origins_table.c[c] for c in ORIGIN_COLUMNS))).fetchall()
    return pd.DataFrame(rows, columns=ORIGIN_COLUMNS)


def return_freed_memory() -> None:
    """Give memory freed while loading back to the operating system (glibc keeps it otherwise),
    so a web worker's resident size is what it holds, not what it once needed."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


# ---------------------------------------------------------------- module-level conveniences
def catalogue() -> Catalogue:
    """The validated catalogue (cached)."""
    return load_catalogue()


def indicator(indicator_id: str) -> Indicator:
    """One catalogue entry; :class:`UnknownIndicatorError` names an unknown id."""
    return load_catalogue().indicator(indicator_id)


@functools.cache
def load(url: str | None = None) -> Tidy:
    """The tidy tables of ``url`` (default ``DATABASE_URL``), read once per process."""
    engine = make_engine(database_url(url))
    try:
        return Tidy.load(engine)
    finally:
        engine.dispose()


def values(indicator_id: str, **filters: object) -> pd.DataFrame:
    """``Tidy.values`` on the default database."""
    return load().values(indicator_id, **filters)  # type: ignore[arg-type]


def coverage(indicator_id: str, **filters: object) -> pd.DataFrame:
    """``Tidy.coverage`` on the default database."""
    return load().coverage(indicator_id, **filters)  # type: ignore[arg-type]
