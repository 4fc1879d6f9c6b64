"""A rebuild after one LA's import (metrics/partial.py) writes exactly the tidy tables a full
build writes: same rows, same values to the last bit, same suppressions, trends and signals.

Each case changes one LA-year's records in two identical databases whose metrics were built in
full, then rebuilds one after the "import" and the other in full, and compares their checksums.
Six years, so that trends (five-year windows) exist and an early year's change reaches the
trends of the years after it."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from data import schema
from data.build import build_database
from data.engine import make_engine
from data.load import table_checksums
from metrics.build import BuildReport, build_metrics, materialise_units
from metrics.partial import rebuild_after_import
from metrics.stored import AREA_VALUES, BUILD_STATE, LA_COUNTS, LA_COVERAGE
from metrics.unit_sql import UNIT_SQL

LAS = ["202", "805", "926"]  # three regions, three sizes (as the small_db fixture)
YEARS = range(2020, 2026)
LATEST, EARLY = YEARS[-1], YEARS[1]
LA = "805"
TIDY = ("indicator_values", "coverage_values", "data_origins")
KEPT = (LA_COUNTS, AREA_VALUES, LA_COVERAGE)
PG_URL_ENV = "CSC_TEST_PG_URL"  # as tests/conftest.py: the server `make test` starts
T = TypeVar("T")


def _run(url: str, step: Callable[[sa.Engine], T]) -> T:
    engine = make_engine(url)
    try:
        return step(engine)
    finally:
        engine.dispose()


def _partial(url: str, year: int) -> BuildReport:
    return _run(url, lambda engine: rebuild_after_import(engine, LA, year))


def _full(url: str) -> BuildReport:
    return _run(url, build_metrics)


def _checksums(url: str, names: tuple[str, ...]) -> dict[str, str]:
    sums = _run(url, lambda engine: table_checksums(engine, names))
    return {name: sums.get(name, "absent") for name in names}


def _records(url: str) -> None:
    """The same records every time (the build is seeded)."""
    build_database(url, la_codes=LAS, seed=11, scale=0.1, years=YEARS, progress=False, workers=1)


_BUILT: dict[str, Path] = {}


def _built_file(engine: str, factory: pytest.TempPathFactory) -> Path:
    """A file database of records and a full build, made once per session and engine."""
    if engine not in _BUILT:
        path = factory.mktemp(f"partial-{engine}") / f"built.{engine}"
        _records(f"{engine}:///{path}")
        _full(f"{engine}:///{path}")
        _BUILT[engine] = path
    return _BUILT[engine]


@pytest.fixture
def pair(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """Two identical databases on the engine named by the parameter, metrics built in full:
    one to rebuild after the change, one to build in full."""
    engine: str = getattr(request, "param", "duckdb")
    if engine != "postgresql":
        built = _built_file(engine, tmp_path_factory)
        urls = []
        for name in ("partial", "full"):
            shutil.copyfile(built, tmp_path / f"{name}.{engine}")
            urls.append(f"{engine}:///{tmp_path / name}.{engine}")
        yield urls[0], urls[1]
        return
    server = os.environ.get(PG_URL_ENV)
    if not server:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_URL_ENV} not set (CI must run the PostgreSQL tests)", pytrace=False)
        pytest.skip(f"{PG_URL_ENV} not set: run through `make test`, which starts PostgreSQL")
    names = [f"csc_p_{uuid.uuid4().hex[:12]}" for _ in range(2)]
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        urls = [
            make_url(server).set(database=name).render_as_string(hide_password=False)
            for name in names
        ]
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{names[0]}"'))
        _records(urls[0])
        _full(urls[0])
        with admin.connect() as conn:  # the second a copy of the first, as the files are
            conn.execute(sa.text(f'CREATE DATABASE "{names[1]}" TEMPLATE "{names[0]}"'))
        yield urls[0], urls[1]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _change(url: str, la_code: str, year: int) -> None:
    """What an import of different returns does to the LA-year: a third of its CIN children
    and a quarter of its looked-after children gone from every table that holds them, part of
    its workforce gone, and its returns marked imported."""

    def kids(conn: sa.Connection, table: sa.Table, column: str, step: int) -> list[str]:
        rows = conn.execute(
            sa.select(table.c[column])
            .where(table.c.la_code == la_code, table.c.year == year)
            .order_by(table.c[column])
        )
        return [r[0] for r in rows][::step]

    def change(engine: sa.Engine) -> None:
        with engine.begin() as conn:
            for column, first, step in (
                ("child_id", schema.cin_child, 3),
                ("child", schema.cla_header, 4),
            ):
                gone = kids(conn, first, column, step)
                assert gone, f"no {first.name} rows for {la_code} in {year}"
                for table in schema.metadata.sorted_tables:
                    if column in table.c and "la_code" in table.c:
                        conn.execute(
                            sa.delete(table).where(
                                table.c.la_code == la_code,
                                table.c.year == year,
                                table.c[column].in_(gone),
                            )
                        )
            w = schema.csww_worker
            conn.execute(sa.delete(w).where(w.c.la_code == la_code, w.c.year == year, w.c.fte < 1))
            r = schema.return_status
            conn.execute(
                sa.update(r)
                .where(r.c.la_code == la_code, r.c.year == year)
                .values(origin="imported")
            )

    _run(url, change)


@pytest.mark.parametrize(
    ("pair", "year"),
    [
        ("duckdb", LATEST),
        ("duckdb", EARLY),
        ("sqlite", EARLY),
        pytest.param("postgresql", EARLY, marks=pytest.mark.postgres),
    ],
    indirect=["pair"],
    ids=["duckdb-latest-year", "duckdb-early-year", "sqlite-early-year", "postgresql-early-year"],
)
def test_rebuild_after_an_import_writes_what_a_full_build_writes(
    pair: tuple[str, str], year: int
) -> None:
    partial, full = pair
    before = _checksums(partial, TIDY)
    for url in pair:
        _change(url, LA, year)
    report = _partial(partial, year)
    _full(full)

    assert report.mode == "partial"
    assert report.rows["indicator_years"] > 0
    after = _checksums(full, TIDY + KEPT)
    assert _checksums(partial, TIDY + KEPT) == after
    # The change reached every tidy table, so the comparison above compared something.
    assert all(before[name] != after[name] for name in TIDY)


def test_an_early_year_reaches_the_trends_of_later_years(pair: tuple[str, str]) -> None:
    """The rebuild of an early year rewrites the trends of the years after it (the test above
    would pass without trends if none were published: make sure some are, and change)."""
    partial, _ = pair
    query = sa.text(
        "SELECT indicator_id, breakdown, breakdown_value, trend FROM indicator_values "
        "WHERE time_period = :y AND area_code = 'E92000001' ORDER BY 1, 2, 3"
    )

    def trends(url: str) -> list[tuple[str, ...]]:
        def read(engine: sa.Engine) -> list[tuple[str, ...]]:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(query, {"y": LATEST})]

        return _run(url, read)

    before = trends(partial)
    assert any(row[-1] for row in before), "no trend published for England in the latest year"
    _change(partial, LA, EARLY)
    _partial(partial, EARLY)
    assert trends(partial) != before


def test_without_kept_counts_the_rebuild_is_a_full_build(pair: tuple[str, str]) -> None:
    """A database built before counts were kept has none to read: the rebuild falls back to
    the full build, which keeps them for next time."""
    partial, full = pair
    for url in pair:
        _change(url, LA, LATEST)

    def forget(engine: sa.Engine) -> None:
        with engine.begin() as conn:
            for name in (BUILD_STATE, *KEPT):
                conn.execute(sa.text(f'DROP TABLE "{name}"'))

    _run(partial, forget)
    report = _partial(partial, LATEST)
    _full(full)
    assert report.mode.startswith("full")
    assert _checksums(partial, TIDY + KEPT) == _checksums(full, TIDY + KEPT)


def test_a_build_of_some_indicators_keeps_no_counts(pair: tuple[str, str]) -> None:
    """Counts kept for some indicators must not pass for the whole catalogue's."""
    partial, _ = pair
    _run(partial, lambda engine: build_metrics(engine, indicator_ids=["cla_rate"]))
    assert set(_checksums(partial, (BUILD_STATE, *KEPT)).values()) == {"absent"}
    assert _partial(partial, LATEST).mode.startswith("full")


def test_a_year_no_other_la_has_is_a_full_build(pair: tuple[str, str]) -> None:
    """An import of a year the database has for no other LA moves every series' time axis
    (the trend windows of every area): the rebuild falls back to the full build."""
    partial, full = pair
    new = LATEST + 1

    def next_year(engine: sa.Engine) -> None:
        # The LA's latest records and population again, a year on (dates as they were).
        with engine.begin() as conn:
            for table in schema.metadata.sorted_tables:
                if "la_code" not in table.c or "year" not in table.c:
                    continue
                columns = [c for c in table.c if c.name != "year"]
                rows = sa.select(sa.literal(new).label("year"), *columns).where(
                    table.c.la_code == LA, table.c.year == LATEST
                )
                conn.execute(
                    sa.insert(table).from_select(["year", *(c.name for c in columns)], rows)
                )

    for url in pair:
        _run(url, next_year)
    report = _partial(partial, new)
    _full(full)
    assert report.mode.startswith("full")
    assert _checksums(partial, TIDY + KEPT) == _checksums(full, TIDY + KEPT)


@pytest.mark.parametrize("pair", ["duckdb", "sqlite"], indirect=True)
def test_the_one_la_copies_never_outlive_the_rebuild(
    pair: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rebuild reads one LA's records through temporary copies that shadow the record
    tables; when it fails on the way the connection must not go on seeing one LA only."""
    partial, _ = pair
    c = schema.cin_child
    broken = sa.select(c.c.year, c.c.la_code, sa.func.no_such_function(c.c.child_id).label("x"))
    monkeypatch.setitem(UNIT_SQL, "broken", lambda: broken)
    las = sa.select(sa.func.count(sa.distinct(c.c.la_code)))

    def attempt(engine: sa.Engine) -> list[int]:
        seen = []
        for _ in range(2):  # the pool hands back the same connection
            with pytest.raises(sa.exc.DBAPIError), engine.begin() as conn:
                materialise_units(conn, ["referral", "broken"], LA)
            with engine.connect() as conn:
                seen.append(int(conn.execute(las).scalar_one()))
        return seen

    assert _run(partial, attempt) == [len(LAS), len(LAS)]
