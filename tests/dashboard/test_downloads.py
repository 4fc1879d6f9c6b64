"""The dashboard's CSV downloads and the helpers that build their addresses, through the Flask
test client, checked against the tidy tables read with plain SQL."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from sqlalchemy.engine import make_url

from app import create_app
from dashboard.csv_text import escape_frame, escape_text, frame_csv
from dashboard.download_links import compare_href, coverage_href, profile_href, values_href
from dashboard.formatting import SYMBOLS
from tests.dashboard.tidy_sql import (
    ENGLAND,
    catalogue_yaml,
    number_or_none,
    primary_threshold,
    query,
    small_counts,
    split_download,
    table_columns,
)

LA_ONS, LA_DFE, OTHER_LA = "E09000007", "202", "E06000001"  # Camden, Hartlepool
INDICATOR, SECOND = "cin_rate", "cla_rate"
HOSTILE_NAME = '=HYPERLINK("http://evil.example","click")'
HOSTILE_LABEL = "+cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def client(small_app: Any) -> Any:
    return small_app.server.test_client()


@pytest.fixture(scope="module")
def years(small_db: str) -> list[int]:
    frame = query(small_db, "SELECT DISTINCT time_period FROM indicator_values ORDER BY 1")
    return [int(y) for y in frame["time_period"]]


def get_csv(client: Any, url: str) -> tuple[list[list[str]], list[dict[str, str]], list[str]]:
    response = client.get(url)
    assert response.status_code == 200, response.data[:300]
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return split_download(response.data.decode("utf-8"))


def header_dict(block: list[list[str]]) -> dict[str, str]:
    assert all(len(row) == 2 for row in block)
    return {k: v for k, v in block}


# ---------------------------------------------------------------- escaping (pure)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+44 20", "'+44 20"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tdata", "'\tdata"),
        ("\rdata", "'\rdata"),
        ("a=b", "a=b"),
        ("Camden", "Camden"),
        ("", ""),
    ],
)
def test_escape_text(text: str, expected: str) -> None:
    assert escape_text(text) == expected


def test_escape_frame_keeps_numbers_as_numbers() -> None:
    frame = pd.DataFrame(
        {"name": ["=evil()", "fine", None], "value": [-1.5, 2.0, None], "n": [-3, 4, 5]}
    )
    out = escape_frame(frame)
    assert out["name"].tolist()[:2] == ["'=evil()", "fine"]
    assert pd.isna(out["name"].iloc[2])
    text = frame_csv(frame, ["name", "value", "n"])
    assert text.split("\r\n")[1:4] == ["'=evil(),-1.5,-3", "fine,2.0,4", ",,5"]


# ---------------------------------------------------------------- href helpers (pure)
def test_hrefs_are_built_from_their_arguments() -> None:
    assert (
        values_href(INDICATOR, areas=[LA_ONS, OTHER_LA], years=[2024], breakdown="sex",
                    levels=["local_authority"])
        == "/download/values.csv?indicator=cin_rate&area=E09000007&area=E06000001&year=2024"
        "&breakdown=sex&level=local_authority"
    )  # fmt: skip
    assert values_href(INDICATOR) == "/download/values.csv?indicator=cin_rate"
    assert coverage_href(INDICATOR, [LA_ONS], [2025]) == (
        "/download/coverage.csv?indicator=cin_rate&area=E09000007&year=2025"
    )
    assert profile_href(LA_ONS) == "/download/profile.csv?area=E09000007"
    assert profile_href(LA_ONS, 2024) == "/download/profile.csv?area=E09000007&year=2024"
    assert compare_href([INDICATOR, SECOND], [LA_ONS], [2024, 2025]) == (
        "/download/compare.csv?indicator=cin_rate&indicator=cla_rate&area=E09000007"
        "&year=2024&year=2025"
    )
    assert "%26" in values_href("a&b")  # values are encoded, never spliced in


def test_every_helper_href_is_served(client: Any, years: list[int]) -> None:
    for href in (
        values_href(INDICATOR, areas=[LA_ONS], years=years[-1:], breakdown="total"),
        coverage_href(INDICATOR, areas=[LA_ONS]),
        profile_href(LA_ONS),
        profile_href(LA_ONS, years[-1]),
        compare_href([INDICATOR, SECOND], areas=[LA_ONS, OTHER_LA], years=years),
    ):
        assert client.get(href).status_code == 200, href


# ---------------------------------------------------------------- values.csv
def test_values_download_header_block_and_rows(
    client: Any, small_db: str, years: list[int]
) -> None:
    year = years[-1]
    before = dt.datetime.now(dt.UTC).date()
    response = client.get(f"/download/values.csv?indicator={INDICATOR}&area={LA_DFE}&year={year}")
    after = dt.datetime.now(dt.UTC).date()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="values_{INDICATOR}_{LA_ONS}_{year}.csv"'
    )
    block, rows, columns = split_download(response.data.decode("utf-8"))
    head = header_dict(block)
    assert head["Title"] == catalogue_yaml()[INDICATOR]["title"] + ": values"
    assert head["Source"].startswith("Synthetic data generated by ")
    assert head["Source"].endswith(": NOT REAL DATA")
    assert head["Extraction date"] in {before.isoformat(), after.isoformat()}
    assert head["Filters"] == f"indicator={INDICATOR}; area={LA_ONS}; year={year}"
    for symbol, meaning in SYMBOLS.items():
        assert head[f"Symbol {symbol}"] == meaning
    assert list(head)[:4] == ["Title", "Source", "Extraction date", "Filters"]
    # Every download ends with data_origin (issue 5): this database is all synthetic.
    assert columns == [*table_columns(small_db, "indicator_values"), "data_origin"]
    assert {r["data_origin"] for r in rows} == {"synthetic"}
    assert "Imported" not in head
    expected = query(
        small_db,
        "SELECT * FROM indicator_values WHERE indicator_id = :i AND area_code = :a "
        "AND time_period = :y",
        i=INDICATOR, a=LA_ONS, y=year,
    )  # fmt: skip
    assert len(rows) == len(expected) > 0
    want = {
        (r["geographic_level"], r["breakdown"], r["breakdown_value"]): r
        for r in expected.to_dict("records")
    }
    for row in rows:
        source = want[(row["geographic_level"], row["breakdown"], row["breakdown_value"])]
        for col in ("numerator", "denominator", "value", "upper_95"):
            got = number_or_none(row[col])
            if pd.isna(source[col]):
                assert got is None
            else:
                assert got == pytest.approx(source[col], rel=1e-12)
        assert row["status"] == source["status"]
        assert int(row["time_period"]) == year


def test_values_download_repeated_filters(client: Any, small_db: str) -> None:
    url = (
        f"/download/values.csv?indicator={INDICATOR}&area={LA_ONS}&area={OTHER_LA}"
        f"&area={LA_DFE}&level=local_authority&level=regional&breakdown=total"
    )
    block, rows, _ = get_csv(client, url)
    expected = query(
        small_db,
        "SELECT count(*) AS n FROM indicator_values WHERE indicator_id = :i "
        "AND area_code IN (:a, :b) AND geographic_level IN ('local_authority', 'regional') "
        "AND breakdown = 'total'",
        i=INDICATOR, a=LA_ONS, b=OTHER_LA,
    )  # fmt: skip
    assert len(rows) == int(expected["n"].iloc[0]) > 0
    assert {r["area_code"] for r in rows} == {LA_ONS, OTHER_LA}
    assert {r["geographic_level"] for r in rows} == {"local_authority"}  # regions have own codes
    assert header_dict(block)["Filters"] == (
        f"indicator={INDICATOR}; area={LA_ONS}, {OTHER_LA}; breakdown=total; "
        "level=regional, local_authority"
    )


# ---------------------------------------------------------------- coverage.csv
def test_coverage_download_matches_sql(client: Any, small_db: str) -> None:
    block, rows, columns = get_csv(client, f"/download/coverage.csv?indicator={INDICATOR}&area=202")
    assert columns == [*table_columns(small_db, "coverage_values"), "data_origin"]
    expected = query(
        small_db,
        "SELECT * FROM coverage_values WHERE indicator_id = :i AND area_code = :a",
        i=INDICATOR, a=LA_ONS,
    )  # fmt: skip
    assert len(rows) == len(expected) > 0
    assert sorted(r["label"] for r in rows) == sorted(expected["label"])
    assert "coverage" in header_dict(block)["Title"]


# ---------------------------------------------------------------- profile.csv
def _total_rows(url: str) -> pd.DataFrame:
    return query(url, "SELECT * FROM indicator_values WHERE breakdown = 'total'")


def test_profile_download_latest_year_with_comparators(client: Any, small_db: str) -> None:
    block, rows, columns = get_csv(client, f"/download/profile.csv?area={LA_DFE}")
    assert header_dict(block)["Title"].startswith("Profile of Camden")
    assert columns[:21] == table_columns(small_db, "indicator_values")
    assert columns[-1] == "data_origin"
    tidy = _total_rows(small_db)
    own = tidy[(tidy["area_code"] == LA_ONS) & (tidy["geographic_level"] == "local_authority")]
    latest = own.groupby("indicator_id")["time_period"].max()
    assert {r["indicator_id"] for r in rows} == set(latest.index)
    region = query(small_db, "SELECT region_code FROM ref_la WHERE ons_code = :a", a=LA_ONS)
    region_code = region["region_code"].iloc[0]
    for row in rows:
        ind, year = row["indicator_id"], int(row["time_period"])
        assert year == latest[ind]
        at = tidy[(tidy["indicator_id"] == ind) & (tidy["time_period"] == year)]
        own_row = at["area_code"] == LA_ONS
        for prefix, mask in (
            ("england", at["area_code"] == ENGLAND),
            ("region", at["area_code"] == region_code),
            (
                "neighbours_median",
                own_row & (at["geographic_level"] == "statistical_neighbours_median"),
            ),
            (
                "neighbours_mean",
                own_row & (at["geographic_level"] == "statistical_neighbours_mean"),
            ),
        ):
            match = at[mask]
            assert len(match) <= 1
            expected = match["value"].iloc[0] if len(match) else None
            got = number_or_none(row[f"{prefix}_value"])
            if expected is None or pd.isna(expected):
                assert got is None, (ind, prefix)
            else:
                assert got == pytest.approx(expected, rel=1e-12), (ind, prefix)


def test_profile_download_for_a_year(client: Any, years: list[int]) -> None:
    block, rows, _ = get_csv(client, f"/download/profile.csv?area={LA_ONS}&year={years[0]}")
    assert rows and {int(r["time_period"]) for r in rows} == {years[0]}
    assert header_dict(block)["Filters"] == f"area={LA_ONS}; year={years[0]}"


# ---------------------------------------------------------------- compare.csv
def test_compare_download(client: Any, small_db: str, years: list[int]) -> None:
    url = (
        f"/download/compare.csv?indicator={INDICATOR}&indicator={SECOND}"
        f"&area={LA_ONS}&area={OTHER_LA}&area=England&year={years[-1]}"
    )
    response = client.get(url)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="compare_2indicators_3areas_{years[-1]}.csv"'
    )
    _, rows, _ = split_download(response.data.decode("utf-8"))
    expected = query(
        small_db,
        "SELECT indicator_id, area_code FROM indicator_values WHERE indicator_id IN (:i, :j) "
        "AND area_code IN (:a, :b, :e) AND time_period = :y AND breakdown = 'total' "
        "AND geographic_level IN ('national', 'regional', 'local_authority')",
        i=INDICATOR, j=SECOND, a=LA_ONS, b=OTHER_LA, e=ENGLAND, y=years[-1],
    )  # fmt: skip
    assert len(rows) == len(expected) > 0
    # In the order asked for: indicators first, then areas.
    assert [(r["indicator_id"], r["area_code"]) for r in rows] == [
        (i, a) for i in (INDICATOR, SECOND) for a in (LA_ONS, OTHER_LA, ENGLAND)
        if ((expected["indicator_id"] == i) & (expected["area_code"] == a)).any()
    ]  # fmt: skip


# ---------------------------------------------------------------- errors
DOWNLOAD_404 = [
    "/download/values.csv?indicator=no_such_thing",
    f"/download/values.csv?indicator={INDICATOR}&area=E09999999",
    f"/download/values.csv?indicator={INDICATOR}&year=1999",
    f"/download/values.csv?indicator={INDICATOR}&breakdown=shoe_size",
    "/download/coverage.csv?indicator=nope",
    f"/download/coverage.csv?indicator={INDICATOR}&area=E09999999",
    "/download/profile.csv?area=E09999999",
    f"/download/profile.csv?area={ENGLAND}",
    "/download/profile.csv?area=E12000007",
    f"/download/profile.csv?area={LA_ONS}&year=1999",
    f"/download/compare.csv?indicator={INDICATOR}&indicator=nope",
    f"/download/compare.csv?indicator={INDICATOR}&area=E09999999",
    f"/download/compare.csv?indicator={INDICATOR}&year=1999",
]
DOWNLOAD_400 = [
    "/download/values.csv",
    f"/download/values.csv?indicator={INDICATOR}&year=20x4",
    f"/download/values.csv?indicator={INDICATOR}&level=county",
    f"/download/values.csv?indicator={INDICATOR}&breakdown=sex&breakdown=age_band",
    f"/download/values.csv?indicator={INDICATOR}&indicator={SECOND}",
    f"/download/values.csv?indicator={INDICATOR}&area=" + "E" * 65,
    f"/download/values.csv?indicator={INDICATOR}&format=csv",
    f"/download/values.csv?indicator={INDICATOR}&" + "&".join(["area=E09000007"] * 201),
    f"/download/coverage.csv?indicator={INDICATOR}&level=regional",
    "/download/profile.csv",
    f"/download/profile.csv?area={LA_ONS}&year=2024&year=2025",
    f"/download/profile.csv?area={LA_ONS}&year=latest",
    "/download/compare.csv?area=E09000007",
    f"/download/compare.csv?indicator={INDICATOR}&area=%3Dcmd",
]


@pytest.mark.parametrize("url", DOWNLOAD_404)
def test_download_unknown_values_are_404(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404, response.data
    assert response.mimetype == "text/plain"
    assert response.data.startswith(b"Not found: ")


@pytest.mark.parametrize("url", DOWNLOAD_400)
def test_download_malformed_queries_are_400(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, response.data
    assert response.data.startswith(b"Bad request: ")
    assert "Content-Disposition" not in response.headers


def test_no_small_count_in_any_download(client: Any, years: list[int]) -> None:
    primary = primary_threshold()
    listed = client.get("/api/v1/indicators").json["indicators"]
    ids = "&".join(f"indicator={entry['id']}" for entry in listed)
    _, rows, _ = get_csv(client, f"/download/compare.csv?{ids}")
    assert rows
    assert small_counts(rows, primary) == []
    _, profile, _ = get_csv(client, f"/download/profile.csv?area={LA_ONS}")
    assert small_counts(profile, primary) == []
    for ind in (INDICATOR, SECOND):
        _, values, _ = get_csv(client, f"/download/values.csv?indicator={ind}")
        _, cover, _ = get_csv(client, f"/download/coverage.csv?indicator={ind}")
        assert small_counts(values, primary) == [] and small_counts(cover, primary) == []


# ---------------------------------------------------------------- formula injection
@pytest.fixture(scope="module")
def hostile_client(small_db: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """An app over a copy of the small database whose Camden name and one coverage label are
    spreadsheet formulas, as a tampered or careless reference file might hold."""
    source = Path(str(make_url(small_db).database))
    copy = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copy(source, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute("UPDATE ref_la SET la_name = ? WHERE ons_code = ?", [HOSTILE_NAME, LA_ONS])
        for table in ("indicator_values", "coverage_values"):
            con.execute(
                f"UPDATE {table} SET area_name = ? WHERE area_code = ?", [HOSTILE_NAME, LA_ONS]
            )
        con.execute(
            "UPDATE coverage_values SET label = ? WHERE area_code = ?", [HOSTILE_LABEL, LA_ONS]
        )
    finally:
        con.close()
    return create_app(f"duckdb:///{copy}").server.test_client()


def test_downloads_escape_formulas(hostile_client: Any) -> None:
    block, rows, _ = get_csv(hostile_client, f"/download/values.csv?indicator={INDICATOR}")
    mine = [r for r in rows if r["area_code"] == LA_ONS]
    assert mine and all(r["area_name"] == "'" + HOSTILE_NAME for r in mine)
    numbers = [r["value"] for r in mine if r["value"]]
    assert numbers and all(float(v) >= 0 and not v.startswith("'") for v in numbers)
    _, cover, _ = get_csv(hostile_client, f"/download/coverage.csv?indicator={INDICATOR}")
    labels = {r["label"] for r in cover if r["area_code"] == LA_ONS}
    assert labels == {"'" + HOSTILE_LABEL}
    block, profile, _ = get_csv(hostile_client, f"/download/profile.csv?area={LA_ONS}")
    # The title cell starts with "Profile of", so the name inside it is harmless text.
    assert header_dict(block)["Title"].startswith(f"Profile of {HOSTILE_NAME}:")
    assert all(r["area_name"].startswith("'=") for r in profile)


def test_api_csv_escapes_formulas(hostile_client: Any) -> None:
    response = hostile_client.get(f"/api/v1/data?indicator={INDICATOR}&area={LA_ONS}&format=csv")
    text = response.data.decode()
    assert "'" + HOSTILE_NAME.replace('"', '""') in text
    assert "\n=" not in text and ",=" not in text
    json_rows = hostile_client.get(f"/api/v1/data?indicator={INDICATOR}&area={LA_ONS}").json
    assert {r["area_name"] for r in json_rows["rows"]} == {HOSTILE_NAME}  # JSON is not escaped
