"""Reading a comparison from a URL query: shapes, unknown values, caps and the round trip."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest

from dashboard.compare_selection import (
    MAX_AREAS,
    MAX_INDICATORS,
    Selection,
    add_areas,
    parse_selection,
)
from dashboard.data_access import read_tidy
from metrics.api import Tidy
from tests.dashboard.tidy_sql import catalogue_yaml, query

CAMDEN, HARTLEPOOL, LONDON = "E09000007", "E06000001", "E12000007"


@pytest.fixture(scope="module")
def tidy(small_db: str) -> Tidy:
    return read_tidy(small_db)


@pytest.fixture(scope="module")
def all_las(small_db: str) -> list[str]:
    return list(query(small_db, "SELECT ons_code FROM ref_la ORDER BY ons_code")["ons_code"])


def test_valid_selection_keeps_order_and_drops_duplicates(tidy: Tidy) -> None:
    got = parse_selection(
        {
            "area": [HARTLEPOOL, "202", CAMDEN, LONDON],  # 202 is Camden's DfE code
            "indicator": ["cla_rate", "cin_rate", "cla_rate"],
            "year": ["2025", "2024", "2025"],
        },
        tidy,
    )
    assert got == Selection(
        areas=(HARTLEPOOL, CAMDEN, LONDON),
        indicators=("cla_rate", "cin_rate"),
        years=(2024, 2025),
    )
    assert got.valid and got.within_limits
    assert parse_qs(got.query()) == {
        "area": [HARTLEPOOL, CAMDEN, LONDON],
        "indicator": ["cla_rate", "cin_rate"],
        "year": ["2024", "2025"],
    }


def test_single_values_come_as_strings(tidy: Tidy) -> None:
    got = parse_selection({"area": CAMDEN, "indicator": "cin_rate"}, tidy)
    assert (got.areas, got.indicators, got.years) == ((CAMDEN,), ("cin_rate",), ())


@pytest.mark.parametrize(
    ("query_", "named"),
    [
        ({"area": "E09999999"}, "area 'E09999999'"),
        ({"indicator": "no_such_indicator"}, "indicator 'no_such_indicator'"),
        ({"indicator": "cin_rate", "year": "1999"}, "year '1999'"),
        ({"area": "<script>"}, "area '<script>'"),
        ({"indicator": "DROP TABLE"}, "indicator 'DROP TABLE'"),
        ({"year": "20x5"}, "year '20x5'"),
        ({"area": "E" * 500}, "area 'EEEE"),
    ],
)
def test_unknown_or_malformed_values_are_named(
    tidy: Tidy, query_: dict[str, Any], named: str
) -> None:
    got = parse_selection(query_, tidy)
    assert not got.valid
    assert any(message.startswith(named) for message in got.unknown), got.unknown
    assert all(len(message) < 120 for message in got.unknown)


def test_wrong_types_are_ignored(tidy: Tidy) -> None:
    got = parse_selection({"area": 12, "indicator": {"a": 1}, "year": [None, 3]}, tidy)
    assert got == Selection()


def test_caps_give_a_message_not_an_error(tidy: Tidy, all_las: list[str]) -> None:
    indicators = list(catalogue_yaml())[: MAX_INDICATORS + 2]
    got = parse_selection({"area": all_las[: MAX_AREAS + 3], "indicator": indicators}, tidy)
    assert got.valid and not got.within_limits
    assert got.too_many == (
        f"You chose {MAX_AREAS + 3} areas; a comparison shows at most {MAX_AREAS}. "
        "Remove 3 to see the table and chart.",
        f"You chose {MAX_INDICATORS + 2} indicators; a comparison shows at most "
        f"{MAX_INDICATORS}. Remove 2 to see the table and chart.",
    )


def test_absurdly_many_values_are_refused(tidy: Tidy) -> None:
    got = parse_selection({"area": [CAMDEN] * 5000}, tidy)
    assert not got.valid
    assert "given 5000 times" in " ".join(got.unknown)


def test_add_areas() -> None:
    assert add_areas([CAMDEN], [HARTLEPOOL, CAMDEN, LONDON]) == [CAMDEN, HARTLEPOOL, LONDON]
