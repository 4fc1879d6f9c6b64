"""Export from a real database and read the folder back, on each embedded engine."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import Engine

from data.returns.exchange import export_la_year, read_return_files, read_return_folder
from data.returns.frames import ReturnFormatError
from data.schema import CIN_TABLES, CLA_TABLES, CSWW_TABLES, metadata, return_status

RETURN_TABLES = (*CIN_TABLES, *CLA_TABLES, *CSWW_TABLES)


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(k): v for k, v in r.items()} for r in rows]


@pytest.fixture(params=["sqlite", "duckdb"])
def engine(request, tmp_path) -> Engine:
    url = "sqlite://" if request.param == "sqlite" else f"duckdb:///{tmp_path / 'x.duckdb'}"
    eng = create_engine(url)
    metadata.create_all(eng)
    yield eng
    eng.dispose()


def _load(engine: Engine, tables: dict[str, pd.DataFrame]) -> None:
    with engine.begin() as conn:
        for name, frame in tables.items():
            if len(frame):
                conn.execute(insert(metadata.tables[name]), _records(frame))


def test_export_then_import_round_trip(engine, la_year, norm, tmp_path):
    tables = la_year(2025)
    _load(engine, tables)
    other = la_year(2024)  # another year in the same database must not leak in
    _load(engine, {"cla_header": other["cla_header"], "cin_child": other["cin_child"]})
    written = export_la_year(engine, "805", 2025, tmp_path / "out")
    assert (tmp_path / "out" / "cin_census.xml") in written["cin"]
    assert (tmp_path / "out" / "csww.xml") in written["csww"]
    assert (tmp_path / "out" / "ssda903" / "episodes.csv") in written["ssda903"]
    back = read_return_folder(tmp_path / "out", "805", 2025)
    assert set(back) == set(RETURN_TABLES)
    for name in RETURN_TABLES:
        assert norm(back[name], name).equals(norm(tables[name], name)), name


def test_files_are_detected_by_content(engine, la_year, tmp_path):
    _load(engine, la_year(2025))
    export_la_year(engine, "805", 2025, tmp_path / "out")
    flat = tmp_path / "flat"
    flat.mkdir()
    for i, path in enumerate(sorted((tmp_path / "out").rglob("*.*"))):
        shutil.copy(path, flat / f"file{i}{path.suffix}")
    (flat / "readme.txt").write_text("not a return")
    back = read_return_files([flat], "805", 2025)
    assert len(back["cin_episode"]) == 8
    assert len(back["csww_worker"]) == 3
    assert len(back["cla_episode"]) == 6
    assert back["cla_episode"]["pl_la"].notna().sum() == 4


def test_missing_return_is_not_exported(engine, la_year, tmp_path):
    _load(engine, la_year(2025))
    with engine.begin() as conn:
        conn.execute(
            insert(return_status),
            [
                {"year": 2025, "la_code": "805", "return_name": "csww", "status": "missing",
                 "origin": "synthetic"},
                {"year": 2025, "la_code": "805", "return_name": "cin", "status": "submitted",
                 "origin": "synthetic"},
            ],
        )  # fmt: skip
    written = export_la_year(engine, "805", 2025, tmp_path / "out")
    assert "csww" not in written
    assert not (tmp_path / "out" / "csww.xml").exists()
    back = read_return_folder(tmp_path / "out", "805", 2025)
    assert "csww_worker" not in back
    assert "cin_child" in back


def test_unrecognised_xml_and_empty_folder_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.xml").write_text("<Message><Other/></Message>")
    with pytest.raises(ReturnFormatError, match=r"x\.xml: <Message> holds \['Other'\]"):
        read_return_folder(tmp_path / "a", "805", 2025)
    (tmp_path / "b").mkdir()
    with pytest.raises(ReturnFormatError, match="no 903 CSV, CIN census XML or workforce XML"):
        read_return_folder(tmp_path / "b", "805", 2025)
    with pytest.raises(ReturnFormatError, match="not a folder"):
        read_return_folder(tmp_path / "nothing", "805", 2025)
