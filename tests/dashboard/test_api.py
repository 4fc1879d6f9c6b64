"""The open API /api/v1 through the Flask test client, checked against the tidy tables read with
plain SQL and the catalogue read from its YAML."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd
import pytest

from tests.dashboard.tidy_sql import (
    ENGLAND,
    catalogue_yaml,
    primary_threshold,
    query,
    small_counts,
    table_columns,
)

LA_ONS, LA_DFE = "E09000007", "202"  # Camden: one of the small database's three LAs
INDICATOR = "cin_rate"


def _no_nan(text: str) -> Any:
    raise AssertionError(f"JSON contains {text}")


def strict_json(data: bytes) -> Any:
    return json.loads(data, parse_constant=_no_nan)


@pytest.fixture(scope="module")
def client(small_app: Any) -> Any:
    return small_app.server.test_client()


@pytest.fixture(scope="module")
def latest_year(small_db: str) -> int:
    frame = query(
        small_db, "SELECT max(time_period) AS y FROM indicator_values WHERE indicator_id = :i",
        i=INDICATOR,
    )  # fmt: skip
    return int(frame["y"].iloc[0])


def sql_rows(url: str, where: str, **params: Any) -> pd.DataFrame:
    return query(url, f"SELECT * FROM indicator_values WHERE {where}", **params)


def _key(row: Mapping[Any, Any]) -> tuple[Any, ...]:
    return (row["geographic_level"], row["area_code"], row["breakdown"], row["breakdown_value"],
            row["time_period"])  # fmt: skip


def assert_same_rows(got: list[dict[str, Any]], expected: pd.DataFrame) -> None:
    want = expected.astype(object).where(expected.notna(), None).to_dict("records")
    assert len(got) == len(want) > 0
    by_key = {_key(r): r for r in got}
    assert len(by_key) == len(got)
    for row in want:
        mine: dict[Any, Any] = by_key[_key(row)]
        # The tidy columns, then the row's origin: the small database is synthetic throughout.
        assert set(mine) == set(row) | {"data_origin"}
        assert mine["data_origin"] == "synthetic"
        for col, value in row.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                assert mine[col] is None, col
            elif isinstance(value, float):
                assert mine[col] == pytest.approx(value, rel=1e-12), col
            else:
                assert mine[col] == value, col


# ---------------------------------------------------------------- data
def test_data_json_matches_sql(client: Any, small_db: str, latest_year: int) -> None:
    response = client.get(f"/api/v1/data?indicator={INDICATOR}&area={LA_DFE}&year={latest_year}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = strict_json(response.data)
    assert body["indicator"] == INDICATOR
    assert body["filters"] == {"area": LA_ONS, "year": latest_year, "breakdown": None}
    assert "NOT REAL DATA" in body["notice"]
    expected = sql_rows(
        small_db, "indicator_id = :i AND area_code = :a AND time_period = :y",
        i=INDICATOR, a=LA_ONS, y=latest_year,
    )  # fmt: skip
    assert body["count"] == len(expected)
    assert_same_rows(body["rows"], expected)
    levels = {r["geographic_level"] for r in body["rows"]}
    assert levels == set(expected["geographic_level"])


def test_data_breakdown_filter(client: Any, small_db: str) -> None:
    body = strict_json(client.get(f"/api/v1/data?indicator={INDICATOR}&breakdown=sex").data)
    expected = sql_rows(small_db, "indicator_id = :i AND breakdown = 'sex'", i=INDICATOR)
    assert_same_rows(body["rows"], expected)


def test_data_all_rows_of_england(client: Any, small_db: str) -> None:
    body = strict_json(client.get(f"/api/v1/data?indicator={INDICATOR}&area=England").data)
    expected = sql_rows(small_db, "indicator_id = :i AND area_code = :a", i=INDICATOR, a=ENGLAND)
    assert_same_rows(body["rows"], expected)


def test_data_csv_has_tidy_columns_and_origin(client: Any, small_db: str, latest_year: int) -> None:
    response = client.get(
        f"/api/v1/data?indicator={INDICATOR}&area={LA_ONS}&year={latest_year}&format=csv"
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.data.decode()
    header = text.splitlines()[0].split(",")
    assert header == [*table_columns(small_db, "indicator_values"), "data_origin"]
    got = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    expected = sql_rows(
        small_db, "indicator_id = :i AND area_code = :a AND time_period = :y",
        i=INDICATOR, a=LA_ONS, y=latest_year,
    )  # fmt: skip
    key = ["geographic_level", "breakdown", "breakdown_value"]
    got = got.sort_values(key).reset_index(drop=True)
    expected = expected.sort_values(key).reset_index(drop=True)
    for col in ("numerator", "denominator", "value", "lower_95", "upper_998"):
        pd.testing.assert_series_equal(
            got[col].astype(float), expected[col].astype(float), check_names=False, rtol=1e-12
        )
    for col in ("status", "compared_to_england", "area_name"):
        assert got[col].fillna("").astype(str).tolist() == expected[col].astype(str).tolist()


def test_status_symbols_are_strings_and_missing_numbers_null(client: Any, small_db: str) -> None:
    suppressed = query(
        small_db, "SELECT indicator_id FROM indicator_values WHERE status = 'c' LIMIT 1"
    )
    assert len(suppressed), "the small database should hold at least one suppressed cell"
    ind = suppressed["indicator_id"].iloc[0]
    rows = strict_json(client.get(f"/api/v1/data?indicator={ind}").data)["rows"]
    hidden = [r for r in rows if r["status"] == "c"]
    assert hidden
    assert all(r["value"] is None and r["numerator"] is None for r in hidden)
    assert all(isinstance(r["status"], str) for r in rows)


# ---------------------------------------------------------------- catalogue and areas
def test_indicators_list_the_catalogue(client: Any) -> None:
    body = strict_json(client.get("/api/v1/indicators").data)
    yaml_entries = catalogue_yaml()
    ids = [e["id"] for e in body["indicators"]]
    assert sorted(ids) == sorted(yaml_entries)
    assert body["count"] == len(yaml_entries) == len(ids)
    for entry in body["indicators"]:
        source = yaml_entries[entry["id"]]
        assert entry["title"] == source["title"]
        assert entry["group"] == source["group"]
        assert entry["unit"] == source["unit"]
        assert entry["decimals"] == source["decimals"]
        assert entry["breakdowns"] == source.get("breakdowns", [])
        assert entry["annotations"]["purpose"] == source["annotations"]["purpose"]
        assert entry["annotations"]["coverage"]["measures"] == source["annotations"][
            "coverage"
        ].get("measures", [])
        assert entry["source"]["return"] == source["source"]["return"]


def test_one_indicator(client: Any, small_db: str) -> None:
    response = client.get(f"/api/v1/indicators/{INDICATOR}")
    assert response.status_code == 200
    entry = strict_json(response.data)
    source = catalogue_yaml()[INDICATOR]
    assert entry["id"] == INDICATOR
    assert entry["definition"] == source["definition"]
    assert entry["polarity"] == source["polarity"]
    assert entry["numerator"]["unit"] == source["numerator"]["unit"]
    years = query(
        small_db,
        "SELECT DISTINCT time_period FROM indicator_values WHERE indicator_id = :i ORDER BY 1",
        i=INDICATOR,
    )
    assert entry["years"] == years["time_period"].tolist()


def test_areas_match_reference_table(client: Any, small_db: str) -> None:
    body = strict_json(client.get("/api/v1/areas").data)
    la = query(small_db, "SELECT ons_code, la_name, region_code, dfe_la_code FROM ref_la")
    areas = {a["code"]: a for a in body["areas"]}
    assert body["count"] == len(la) + la["region_code"].nunique() + 1
    assert areas[ENGLAND] == {
        "code": ENGLAND, "name": "England", "level": "national",
        "region_code": None, "dfe_la_code": None,
    }  # fmt: skip
    for row in la.itertuples():
        assert areas[row.ons_code]["name"] == row.la_name
        assert areas[row.ons_code]["dfe_la_code"] == row.dfe_la_code
        assert areas[row.ons_code]["level"] == "local_authority"
        assert areas[row.region_code]["level"] == "regional"


def test_coverage_matches_sql(client: Any, small_db: str, latest_year: int) -> None:
    url = f"/api/v1/coverage?indicator={INDICATOR}&area={LA_ONS}&year={latest_year}"
    body = strict_json(client.get(url).data)
    expected = query(
        small_db,
        "SELECT * FROM coverage_values WHERE indicator_id = :i AND area_code = :a "
        "AND time_period = :y",
        i=INDICATOR, a=LA_ONS, y=latest_year,
    )  # fmt: skip
    assert body["count"] == len(expected) > 0
    got = {r["measure"]: r for r in body["rows"]}
    for row in expected.to_dict("records"):
        mine = got[row["measure"]]
        assert mine["label"] == row["label"]
        if pd.isna(row["value"]):
            assert mine["value"] is None
        else:
            assert mine["value"] == pytest.approx(row["value"], rel=1e-12)
    assert set(body["rows"][0]) == {*table_columns(small_db, "coverage_values"), "data_origin"}


def test_openapi_document(client: Any) -> None:
    doc = strict_json(client.get("/api/v1/openapi.json").data)
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]) == {
        "/indicators", "/indicators/{id}", "/areas", "/data", "/coverage", "/openapi.json"
    }  # fmt: skip
    enum = doc["components"]["parameters"]["IndicatorQuery"]["schema"]["enum"]
    assert sorted(enum) == sorted(catalogue_yaml())


# ---------------------------------------------------------------- errors
NOT_FOUND = [
    ("/api/v1/indicators/no_such_thing", "no_such_thing"),
    ("/api/v1/data?indicator=no_such_thing", "no_such_thing"),
    (f"/api/v1/data?indicator={INDICATOR}&area=E09999999", "E09999999"),
    (f"/api/v1/data?indicator={INDICATOR}&area=999", "999"),
    (f"/api/v1/data?indicator={INDICATOR}&year=1999", "1999"),
    (f"/api/v1/data?indicator={INDICATOR}&breakdown=shoe_size", "shoe_size"),
    (f"/api/v1/coverage?indicator={INDICATOR}&area=E09999999", "E09999999"),
    (f"/api/v1/coverage?indicator={INDICATOR}&year=2001", "2001"),
    ("/api/v1/coverage?indicator=nope", "nope"),
    ("/api/v1/no/such/endpoint", "no/such/endpoint"),
]

BAD_REQUEST = [
    (f"/api/v1/data?indicator={INDICATOR}&year=20x4", "year"),
    (f"/api/v1/data?indicator={INDICATOR}&year=2024.0", "year"),
    (f"/api/v1/data?indicator={INDICATOR}&year=-2024", "year"),
    (f"/api/v1/data?indicator={INDICATOR}&format=xml", "format"),
    (f"/api/v1/data?indicator={INDICATOR}&area=E09000007&area=E06000001", "area"),
    (f"/api/v1/data?indicator={INDICATOR}&year=2024&year=2025", "year"),
    (f"/api/v1/data?indicator={INDICATOR}&indicator={INDICATOR}", "indicator"),
    (f"/api/v1/data?indicator={INDICATOR}&area=" + "E" * 65, "area"),
    ("/api/v1/data?indicator=" + "a" * 65, "indicator"),
    (f"/api/v1/data?indicator={INDICATOR}&colour=red", "colour"),
    (f"/api/v1/data?indicator={INDICATOR}&area=", "area"),
    (f"/api/v1/data?indicator={INDICATOR}&area=E09%00", "area"),
    (f"/api/v1/data?indicator={INDICATOR}&breakdown=Sex!", "breakdown"),
    ("/api/v1/data", "indicator"),
    ("/api/v1/data?area=E09000007", "indicator"),
    ("/api/v1/data?indicator=CIN_RATE", "indicator"),
    (f"/api/v1/coverage?indicator={INDICATOR}&format=json", "format"),
    ("/api/v1/indicators?page=2", "page"),
    ("/api/v1/areas?level=regional", "level"),
    ("/api/v1/indicators/Bad-Id!", "Bad-Id!"),
    ("/api/v1/indicators/" + "a" * 80, "longer than"),
]


@pytest.mark.parametrize(("url", "named"), NOT_FOUND)
def test_unknown_values_are_404_naming_them(client: Any, url: str, named: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    body = strict_json(response.data)
    assert set(body) == {"error"}
    assert named in body["error"]


@pytest.mark.parametrize(("url", "named"), BAD_REQUEST)
def test_malformed_queries_are_400(client: Any, url: str, named: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, response.data
    body = strict_json(response.data)
    assert set(body) == {"error"}
    assert named in body["error"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/data?indicator=%ff%fe",
        "/api/v1/data?indicator[]=cin_rate",
        "/api/v1/data?indicator=cin_rate&area=%F0%9F%92%A9",
        "/api/v1/data?" + "&".join(f"p{i}=x" for i in range(500)),
        "/api/v1/indicators/%00",
        "/api/v1/coverage?indicator=cin_rate&year=99999999999999999999",
    ],
)
def test_hostile_queries_never_500(client: Any, url: str) -> None:
    response = client.get(url)
    assert 400 <= response.status_code < 500
    assert "error" in strict_json(response.data)


def test_wrong_method_is_405_json(client: Any) -> None:
    response = client.post(f"/api/v1/data?indicator={INDICATOR}")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "error" in strict_json(response.data)


# ---------------------------------------------------------------- headers
def test_cache_headers_and_strong_etag(client: Any) -> None:
    response = client.get("/api/v1/areas")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    again = client.get("/api/v1/areas", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    other = client.get(f"/api/v1/data?indicator={INDICATOR}", headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers["ETag"] != etag


def test_security_headers_do_not_break_json(client: Any) -> None:
    response = client.get(f"/api/v1/indicators/{INDICATOR}")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/json"
    assert strict_json(response.data)["id"] == INDICATOR
    csv_response = client.get(f"/api/v1/data?indicator={INDICATOR}&format=csv")
    assert csv_response.mimetype == "text/csv"
    assert csv_response.data.startswith(b"time_period,")


# ---------------------------------------------------------------- disclosure
def test_small_count_check_catches_a_planted_count() -> None:
    primary = {"cin_rate": 5, "ofsted_count": 0}
    rows = [
        {"indicator_id": "cin_rate", "area_code": "A", "numerator": 3.0, "denominator": 900.0},
        {"indicator_id": "cin_rate", "area_code": "B", "numerator": 6.0, "denominator": None},
        {"indicator_id": "ofsted_count", "area_code": "C", "numerator": 2.0, "denominator": ""},
    ]
    assert small_counts(rows, primary) == [("cin_rate", "A", "numerator", 3.0)]


def test_no_small_count_in_any_response(client: Any) -> None:
    primary = primary_threshold()
    checked = 0
    listed = strict_json(client.get("/api/v1/indicators").data)["indicators"]
    for ind in (entry["id"] for entry in listed):
        data = strict_json(client.get(f"/api/v1/data?indicator={ind}").data)["rows"]
        cover = strict_json(client.get(f"/api/v1/coverage?indicator={ind}").data)["rows"]
        assert small_counts(data, primary) == [], ind
        assert small_counts(cover, primary) == [], ind
        checked += len(data)
    assert checked > 0
