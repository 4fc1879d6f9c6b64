"""A rebuild after one LA's import (metrics/partial.py) writes exactly the tidy tables a full
build writes: same rows, same values to the last bit, same suppressions, trends and signals.

Each case changes one LA-year's records on two copies of a database whose metrics were built
in full, then rebuilds one copy after the "import" and the other in full, and compares their
checksums. Six years, so that trends (five-year windows) exist and an early year's change
reaches the trends of the years after it."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import sqlalchemy as sa

from data import schema
from data.build import build_database
from data.engine import make_engine
from data.load import table_checksums
from metrics.build import BuildReport, build_metrics
from metrics.partial import rebuild_after_import
from metrics.stored import AREA_VALUES, BUILD_STATE, LA_COUNTS, LA_COVERAGE

LAS = ["202", "805", "926"]  # three regions, three sizes (as the small_db fixture)
YEARS = range(2020, 2026)
LA = "805"
TIDY = ("indicator_values", "coverage_values", "data_origins")
KEPT = (LA_COUNTS, AREA_VALUES, LA_COVERAGE)
T = TypeVar("T")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three LAs x six years, small, with every computable indicator built in full (which
    keeps the counts a later rebuild reads)."""
    path = tmp_path_factory.mktemp("partial") / "six.duckdb"
    build_database(
        f"duckdb:///{path}",
        la_codes=LAS,
        seed=11,
        scale=0.1,
        years=YEARS,
        progress=False,
        workers=1,
    )
    _full(path)
    return path


def _run(path: Path, step: Callable[[sa.Engine], T]) -> T:
    engine = make_engine(f"duckdb:///{path}")
    try:
        return step(engine)
    finally:
        engine.dispose()


def _partial(path: Path, year: int) -> BuildReport:
    return _run(path, lambda engine: rebuild_after_import(engine, LA, year))


def _full(path: Path) -> BuildReport:
    return _run(path, build_metrics)


def _checksums(path: Path, names: tuple[str, ...]) -> dict[str, str]:
    sums = _run(path, table_checksums)
    return {name: sums.get(name, "absent") for name in names}


def _change(path: Path, la_code: str, year: int) -> None:
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

    engine = make_engine(f"duckdb:///{path}")
    try:
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
    finally:
        engine.dispose()


@pytest.fixture
def pair(built: Path, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """Two private copies of the built database."""
    copies = (tmp_path / "partial.duckdb", tmp_path / "full.duckdb")
    for copy in copies:
        shutil.copyfile(built, copy)
    yield copies


@pytest.mark.parametrize("year", [YEARS[-1], YEARS[1]], ids=["latest-year", "early-year"])
def test_rebuild_after_an_import_writes_what_a_full_build_writes(
    pair: tuple[Path, Path], built: Path, year: int
) -> None:
    partial, full = pair
    for copy in pair:
        _change(copy, LA, year)
    report = _partial(partial, year)
    _full(full)

    assert report.mode == "partial"
    assert report.rows["indicator_years"] > 0
    after = _checksums(full, TIDY + KEPT)
    assert _checksums(partial, TIDY + KEPT) == after
    # The change reached every tidy table, so the comparison above compared something.
    before = _checksums(built, TIDY)
    assert all(before[name] != after[name] for name in TIDY)


def test_an_early_year_reaches_the_trends_of_later_years(pair: tuple[Path, Path]) -> None:
    """The rebuild of an early year rewrites the trends of the years after it (the test above
    would pass without trends if none were published: make sure some are, and change)."""
    partial, _ = pair
    query = sa.text(
        "SELECT indicator_id, breakdown, breakdown_value, trend FROM indicator_values "
        "WHERE time_period = :y AND area_code = 'E92000001' ORDER BY 1, 2, 3"
    )

    def trends(path: Path) -> list[tuple[str, ...]]:
        def read(engine: sa.Engine) -> list[tuple[str, ...]]:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(query, {"y": YEARS[-1]})]

        return _run(path, read)

    before = trends(partial)
    assert any(row[-1] for row in before), "no trend published for England in the latest year"
    _change(partial, LA, YEARS[1])
    _partial(partial, YEARS[1])
    assert trends(partial) != before


def test_without_kept_counts_the_rebuild_is_a_full_build(pair: tuple[Path, Path]) -> None:
    """A database built before counts were kept (or by a build of some indicators only) has
    none to read: the rebuild falls back to the full build, which keeps them for next time."""
    partial, full = pair
    for copy in pair:
        _change(copy, LA, YEARS[-1])

    def forget(engine: sa.Engine) -> None:
        with engine.begin() as conn:
            for name in (BUILD_STATE, *KEPT):
                conn.execute(sa.text(f'DROP TABLE "{name}"'))

    _run(partial, forget)
    report = _partial(partial, YEARS[-1])
    _full(full)
    assert report.mode.startswith("full")
    assert _checksums(partial, TIDY + KEPT) == _checksums(full, TIDY + KEPT)


def test_a_build_of_some_indicators_keeps_no_counts(pair: tuple[Path, Path]) -> None:
    """Counts kept for some indicators must not pass for the whole catalogue's."""
    partial, _ = pair
    _run(partial, lambda engine: build_metrics(engine, indicator_ids=["cla_rate"]))
    assert set(_checksums(partial, (BUILD_STATE, *KEPT)).values()) == {"absent"}
    assert _partial(partial, YEARS[-1]).mode.startswith("full")
