"""Bulk loading, atomic builds and LA-year replacement on every engine.

Expected rows are written out by hand; the frames fed in hold the same values in the awkward
shapes other code produces (datetime64 and python dates, NaT, NaN, None, pandas NA, Int64).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from data.engine import DatabaseURLError, make_engine
from data.load import (
    LoadError,
    atomic_build,
    bulk_insert,
    create_tables,
    replace_la_year,
    table_checksums,
)
from data.schema import metadata

D = dt.date

EPISODE_ROWS = [  # year, la_code, child_id, episode_id, referral_date, referral_source,
    # primary_need, closure_date, closure_reason, referral_nfa, date_initial_cpc
    (2025, "202", "C1", "E1", D(2024, 4, 1), "1A", "N1", D(2025, 3, 31), "RC1", True, None),
    (2025, "202", "", "E2", D(1999, 12, 31), "5D", None, None, None, False, D(2000, 1, 2)),
    (
        2025,
        "202",
        'quote " comma , tab \t',
        "E3",
        D(2024, 2, 29),
        "10",
        "",
        None,
        "RC8",
        True,
        None,
    ),
    (
        2024,
        "805",
        "new\nline and é ü 中",
        "E4",
        D(2023, 6, 15),
        "3A",
        "N9",
        None,
        None,
        False,
        None,
    ),
]

WORKER_ROWS = [  # swe_no, fte, birth_date, gender, qual_level, working_days_lost
    ("S1", 0.1 + 0.2, D(1970, 1, 1), 1, 3, 1e-12),
    ("S2", None, None, None, None, 123456789.123456),
    ("S3", 1.0, D(2001, 9, 11), 9, None, 0.0),
]


def _episode_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    cols = [c.name for c in metadata.tables["cin_episode"].columns]
    df = pd.DataFrame([list(r) for r in rows], columns=cols)
    df["referral_date"] = pd.to_datetime(df["referral_date"])  # datetime64
    df["date_initial_cpc"] = pd.to_datetime(df["date_initial_cpc"])  # NaT for missing
    df["primary_need"] = df["primary_need"].astype("string")  # pd.NA for missing
    return df[cols[::-1]]  # reversed: order must come from the schema, not the frame


def _worker_frame() -> pd.DataFrame:
    cols = [c.name for c in metadata.tables["csww_worker"].columns]
    df = pd.DataFrame({c: [None] * len(WORKER_ROWS) for c in cols})
    df["year"] = 2025
    df["la_code"] = "202"
    df["agency_worker"] = 0
    for i, name in enumerate(
        ["swe_no", "fte", "birth_date", "gender", "qual_level", "working_days_lost"]
    ):
        df[name] = [r[i] for r in WORKER_ROWS]
    df["fte"] = df["fte"].astype(float)  # NaN for missing
    df["gender"] = df["gender"].astype(float)  # an integer column that went float through NaN
    df["qual_level"] = df["qual_level"].astype("Int64")
    return df


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    eng = make_engine(db_url)
    create_tables(eng)
    yield eng
    eng.dispose()


def _rows(engine: sa.Engine, table: str, columns: list[str], order: str) -> list[tuple[Any, ...]]:
    t = metadata.tables[table]
    with engine.connect() as conn:
        result = conn.execute(sa.select(*(t.c[c] for c in columns)).order_by(t.c[order]))
        return [tuple(r) for r in result]


def test_roundtrip_keeps_types_nulls_dates_and_booleans(engine: sa.Engine) -> None:
    assert bulk_insert(engine, "cin_episode", _episode_frame(EPISODE_ROWS)) == 4
    cols = [c.name for c in metadata.tables["cin_episode"].columns]
    got = _rows(engine, "cin_episode", cols, "episode_id")
    assert got == EPISODE_ROWS
    for row in got:
        assert type(row[4]) is dt.date and type(row[9]) is bool


def test_roundtrip_floats_and_nullable_integers(engine: sa.Engine) -> None:
    bulk_insert(engine, "csww_worker", _worker_frame())
    cols = ["swe_no", "fte", "birth_date", "gender", "qual_level", "working_days_lost"]
    got = _rows(engine, "csww_worker", cols, "swe_no")
    assert got == WORKER_ROWS  # floats exactly: 8-byte on every engine
    assert all(r[3] is None or type(r[3]) is int for r in got)


def test_nullable_booleans(engine: sa.Engine) -> None:
    df = pd.DataFrame(
        {
            "year": [2025] * 3,
            "la_code": ["202"] * 3,
            "upn": ["A", "B", "C"],
            "sessions_possible": [300, None, 0],
            "sessions_missed": pd.array([1, pd.NA, 0], dtype="Int64"),
            "ks2_rwm_expected": pd.array([True, pd.NA, False], dtype="boolean"),
            "attainment8": [np.nan, 45.5, None],
            "eyfs_gld": [None, False, True],
        }
    )
    bulk_insert(engine, "edu_pupil", df)
    got = _rows(engine, "edu_pupil", list(df.columns), "upn")
    assert got == [
        (2025, "202", "A", 300, 1, True, None, None),
        (2025, "202", "B", None, None, None, 45.5, False),
        (2025, "202", "C", 0, 0, False, None, True),
    ]


def test_empty_frame_inserts_nothing(engine: sa.Engine) -> None:
    assert bulk_insert(engine, "cin_episode", _episode_frame([])) == 0
    assert _rows(engine, "cin_episode", ["year"], "year") == []


@pytest.mark.parametrize(
    "change, needle",
    [
        (lambda df: df.drop(columns=["episode_id"]), "episode_id"),
        (lambda df: df.assign(extra=1), "extra"),
        (lambda df: df.assign(closure_date="31/13/2024"), "closure_date"),
        (lambda df: df.assign(year=2025.5), "2025.5"),
    ],
)
def test_bad_frames_are_refused_naming_the_problem(change: Any, needle: str) -> None:
    df = change(_episode_frame(EPISODE_ROWS))
    engine = make_engine("duckdb:///:memory:")
    create_tables(engine, ["cin_episode"])
    with pytest.raises(LoadError) as exc:
        bulk_insert(engine, "cin_episode", df)
    assert needle in str(exc.value) and "cin_episode" in str(exc.value)
    assert "\n" not in str(exc.value)


# ---------------------------------------------------------------- atomic builds
def _finance(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": 2025,
            "la_code": "202",
            "line": [f"L{i}" for i in range(len(values))],
            "value_gbp": values,
        }
    )


def _files(db_url: str) -> set[str] | None:
    url = sa.make_url(db_url)
    if url.get_backend_name() == "postgresql":
        return None
    return {p.name for p in Path(str(url.database)).parent.iterdir()}


def _schemas(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        if conn.dialect.name != "postgresql":
            return set()
        return set(conn.execute(sa.text("SELECT nspname FROM pg_namespace")).scalars())


def _seed_previous(db_url: str) -> dict[str, str]:
    with atomic_build(db_url) as build:
        bulk_insert(build.engine, "la_finance", _finance([1.5, 2.5]))
    engine = make_engine(db_url)
    try:
        assert _rows(engine, "la_finance", ["value_gbp"], "line") == [(1.5,), (2.5,)]
        return table_checksums(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("interrupt", [RuntimeError, KeyboardInterrupt])
def test_failed_build_leaves_previous_database(db_url: str, interrupt: type) -> None:
    before = _seed_previous(db_url)
    files = _files(db_url)
    probe = make_engine(db_url)
    schemas = _schemas(probe)
    probe.dispose()
    with pytest.raises(interrupt), atomic_build(db_url) as build:
        bulk_insert(build.engine, "la_finance", _finance([9.0, 9.0, 9.0]))
        bulk_insert(build.engine, "cin_episode", _episode_frame(EPISODE_ROWS))
        raise interrupt()
    assert _files(db_url) == files
    engine = make_engine(db_url)
    try:
        assert table_checksums(engine) == before
        assert _rows(engine, "la_finance", ["value_gbp"], "line") == [(1.5,), (2.5,)]
        assert _schemas(engine) == schemas
    finally:
        engine.dispose()


def test_successful_build_replaces_everything(db_url: str) -> None:
    _seed_previous(db_url)
    files = _files(db_url)
    url = sa.make_url(db_url)
    if files is not None:  # a stale WAL beside the target must not be replayed onto the new file
        db = Path(str(url.database))
        for suffix in (".wal",) if url.get_backend_name() == "duckdb" else ("-wal", "-journal"):
            db.with_name(db.name + suffix).write_bytes(b"garbage")
    with atomic_build(db_url) as build:
        bulk_insert(build.engine, "cin_episode", _episode_frame(EPISODE_ROWS))
        other = make_engine(build.url)  # code that opens its own engine on the build URL
        assert _rows(other, "cin_episode", ["episode_id"], "episode_id")[0] == ("E1",)
        other.dispose()
    assert _files(db_url) == files
    engine = make_engine(db_url)
    try:
        assert _rows(engine, "la_finance", ["value_gbp"], "line") == []
        assert len(_rows(engine, "cin_episode", ["year"], "year")) == 4
        assert not any(
            s.startswith("csc_build_") or s.startswith("csc_old_") for s in _schemas(engine)
        )
    finally:
        engine.dispose()


def test_atomic_build_into_missing_folder_fails_before_building(tmp_path: Path) -> None:
    with (
        pytest.raises(DatabaseURLError, match="does not exist"),
        atomic_build(f"duckdb:///{tmp_path / 'missing' / 'x.duckdb'}"),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


def test_atomic_build_refuses_in_memory_database() -> None:
    with pytest.raises(ValueError, match="memory"), atomic_build("duckdb:///:memory:"):
        pass


# ---------------------------------------------------------------- one LA-year
def _children(la: str, year: int, ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": year,
            "la_code": la,
            "child_id": ids,
            "upn": None,
            "former_upn": None,
            "upn_unknown": "UN1",
            "birth_date": D(2010, 1, 1),
            "expected_birth_date": None,
            "sex": "F",
            "death_date": None,
            "ethnicity": "WBRI",
        }
    )


def _episodes(la: str, year: int, ids: list[str]) -> pd.DataFrame:
    rows = [
        (year, la, i, f"E-{i}", D(year - 1, 5, 1), "1A", "N1", None, None, False, None) for i in ids
    ]
    return _episode_frame(rows)


@pytest.fixture
def seeded(engine: sa.Engine) -> sa.Engine:
    for la in ("202", "805"):
        for year in (2024, 2025):
            ids = [f"{la}-{year}-{k}" for k in range(3)]
            bulk_insert(engine, "cin_child", _children(la, year, ids))
            bulk_insert(engine, "cin_episode", _episodes(la, year, ids))
    return engine


def _child_keys(engine: sa.Engine) -> set[tuple[Any, ...]]:
    return set(_rows(engine, "cin_child", ["year", "la_code", "child_id"], "child_id"))


def test_replace_la_year_touches_only_that_la_year(seeded: sa.Engine) -> None:
    before = _child_keys(seeded)
    replace_la_year(
        seeded,
        {
            "cin_child": _children("202", 2025, ["N1", "N2"]),
            "cin_episode": _episodes("202", 2025, ["N1"]),
        },
        "202",
        2025,
    )
    expected = {k for k in before if k[:2] != (2025, "202")} | {
        (2025, "202", "N1"),
        (2025, "202", "N2"),
    }
    assert _child_keys(seeded) == expected
    episodes = set(_rows(seeded, "cin_episode", ["year", "la_code", "child_id"], "child_id"))
    assert {e for e in episodes if e[:2] == (2025, "202")} == {(2025, "202", "N1")}
    assert len(episodes) == 3 * 3 + 1


def test_replace_la_year_failing_midway_changes_nothing(seeded: sa.Engine) -> None:
    before = table_checksums(seeded)
    bad = _episodes("202", 2025, ["N1", "N2"])
    bad["referral_source"] = ["1A", None]  # NOT NULL: fails inside the database, after
    # cin_child's delete and insert have already run in the same transaction
    with pytest.raises(LoadError, match="cin_episode"):
        replace_la_year(
            seeded,
            {"cin_child": _children("202", 2025, ["N1", "N2"]), "cin_episode": bad},
            "202",
            2025,
        )
    assert table_checksums(seeded) == before


def test_replace_la_year_refuses_rows_of_another_la_year(seeded: sa.Engine) -> None:
    before = table_checksums(seeded)
    with pytest.raises(LoadError, match="805"):
        replace_la_year(seeded, {"cin_child": _children("805", 2025, ["X"])}, "202", 2025)
    with pytest.raises(LoadError, match="ref_la"):
        replace_la_year(seeded, {"ref_la": pd.DataFrame()}, "202", 2025)
    assert table_checksums(seeded) == before


# ---------------------------------------------------------------- checksums
def test_checksums_ignore_order_but_see_every_change(tmp_path: Path) -> None:
    def checksum(df: pd.DataFrame, name: str) -> str:
        eng = make_engine(f"sqlite:///{tmp_path / name}")
        create_tables(eng, ["la_finance"])
        bulk_insert(eng, "la_finance", df)
        sums = table_checksums(eng)
        eng.dispose()
        return sums["la_finance"]

    base = _finance([1.0, 2.0, 3.0])
    reference = checksum(base, "a.sqlite")
    assert checksum(base.iloc[::-1], "b.sqlite") == reference
    assert checksum(_finance([1.0, 2.0, 3.0000001]), "c.sqlite") != reference
    assert checksum(pd.concat([base, base.iloc[:1]]), "d.sqlite") != reference
    assert checksum(base.iloc[:2], "e.sqlite") != reference
