"""Reference tables and LA code resolution, checked against the CSVs read independently."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from data.engine import make_engine
from data.load import create_tables
from data.refdata import UnknownLAError, la_lookup, load_reference, resolve_la

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


def _csv_rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_resolve_dfe_and_ons_codes() -> None:
    assert resolve_la("202") == "202"
    assert resolve_la("E09000007") == "202"
    assert resolve_la(" e09000007 ") == "202"


def test_every_la_resolves_both_ways() -> None:
    for row in _csv_rows("la.csv"):
        assert resolve_la(row["dfe_la_code"]) == row["dfe_la_code"]
        assert resolve_la(row["ons_code"]) == row["dfe_la_code"]


def test_recent_ons_codes_resolve_to_their_la() -> None:
    names = {r["dfe_la_code"]: r["la_name"] for r in _csv_rows("la.csv")}
    assert names[resolve_la("E08000038")] == "Barnsley"
    assert names[resolve_la("E10000023")] == "North Yorkshire"


@pytest.mark.parametrize("bad", ["999", "20", "2020", "E09999999", "E0900000", "Camden", "", "909"])
def test_unknown_codes_raise_one_line_naming_value(bad: str) -> None:
    with pytest.raises(UnknownLAError) as exc:
        resolve_la(bad)
    assert isinstance(exc.value, ValueError)
    assert repr(bad) in str(exc.value)
    assert "\n" not in str(exc.value)


def test_la_lookup_matches_csv() -> None:
    rows = _csv_rows("la.csv")
    lookup = la_lookup()
    assert len(lookup) == len(rows) == 153
    assert list(lookup["dfe_la_code"]) == [r["dfe_la_code"] for r in rows]
    assert list(lookup["ons_code"]) == [r["ons_code"] for r in rows]
    lookup.loc[0, "la_name"] = "changed"  # a copy: callers cannot corrupt the cache
    assert la_lookup().loc[0, "la_name"] == rows[0]["la_name"]


def test_load_reference_fills_both_tables(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        create_tables(engine)
        load_reference(engine)
        load_reference(engine)  # reloading replaces, never duplicates
        with engine.connect() as conn:
            la = {r.ons_code: r for r in conn.execute(sa.text("SELECT * FROM ref_la"))}
            sn = conn.execute(
                sa.text(
                    "SELECT model, dfe_la_code, ons_code, rank, neighbour_dfe_la_code,"
                    " neighbour_ons_code, closeness FROM ref_statistical_neighbours"
                )
            ).fetchall()
    finally:
        engine.dispose()
    rows = _csv_rows("la.csv")
    assert set(la) == {r["ons_code"] for r in rows}
    for r in rows:
        got = la[r["ons_code"]]
        assert got.dfe_la_code == r["dfe_la_code"]
        assert got.la_name == r["la_name"]
        assert got.population_0_17 == int(r["population_0_17"])
        assert got.centroid_lat == pytest.approx(float(r["centroid_lat"]), abs=1e-9)
        assert got.inner_outer_london == (r["inner_outer_london"] or None)
    expected = set()
    for model, name in [
        (2025, "statistical_neighbours.csv"),
        (2021, "statistical_neighbours_2021.csv"),
    ]:
        for r in _csv_rows(name):
            expected.add(
                (
                    model,
                    r["dfe_la_code"],
                    r["ons_code"],
                    int(r["rank"]),
                    r["neighbour_dfe_la_code"],
                    r["neighbour_ons_code"],
                    r["closeness"],
                )
            )
    assert len(sn) == len(expected) == 1530 + 1520
    assert {tuple(r) for r in sn} == expected
