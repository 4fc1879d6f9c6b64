"""The comparison rows against the tidy table read with plain SQL."""

from __future__ import annotations

import math
from typing import Any

import pytest

from dashboard.compare_table import COLUMNS, compare_frame
from dashboard.data_access import read_tidy
from dashboard.headline import headline
from metrics.api import Tidy
from tests.dashboard.tidy_sql import ENGLAND, query

CAMDEN, HARTLEPOOL, LONDON, UNBUILT = "E09000007", "E06000001", "E12000007", "E08000035"


@pytest.fixture(scope="module")
def tidy(small_db: str) -> Tidy:
    return read_tidy(small_db)


def test_every_area_indicator_year_has_a_row(small_db: str, tidy: Tidy) -> None:
    areas = [HARTLEPOOL, LONDON, UNBUILT, CAMDEN]  # Leeds has no records in the small database
    frame = compare_frame(tidy, headline(tidy), areas, ["cla_rate", "cin_rate"], [2024, 2025])
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 2 * (len(areas) + 1) * 2
    order = list(dict.fromkeys(frame["area_code"]))
    assert order == [*areas, ENGLAND]
    assert list(dict.fromkeys(frame["indicator_id"])) == ["cla_rate", "cin_rate"]
    expected = query(
        small_db,
        "SELECT indicator_id, area_code, time_period, value, status FROM indicator_values "
        "WHERE breakdown = 'total' AND geographic_level IN ('local_authority', 'regional', "
        "'national') AND indicator_id IN ('cla_rate', 'cin_rate') AND time_period >= 2024",
    )
    lookup: dict[tuple[str, str, int], tuple[Any, str]] = {
        (str(r["indicator_id"]), str(r["area_code"]), int(r["time_period"])): (
            r["value"],
            r["status"] or "",
        )
        for r in expected.to_dict("records")
    }
    for row in frame.to_dict("records"):
        key = (str(row["indicator_id"]), str(row["area_code"]), int(row["time_period"]))
        want = lookup.get(key)
        if want is None:
            assert math.isnan(row["value"]) and row["status"] == "", row
            continue
        value, status = want
        assert row["status"] == status
        if value is None or (isinstance(value, float) and math.isnan(value)):
            assert math.isnan(row["value"])
        else:
            assert row["value"] == pytest.approx(value)
    leeds = frame[frame["area_code"] == UNBUILT]
    assert leeds["value"].isna().all() and set(leeds["area_name"]) == {"Leeds"}


def test_no_years_means_each_indicators_latest(small_db: str, tidy: Tidy) -> None:
    frame = compare_frame(tidy, headline(tidy), [CAMDEN], ["cin_rate"], [])
    latest = query(
        small_db,
        "SELECT max(time_period) AS y FROM indicator_values WHERE indicator_id = 'cin_rate' "
        "AND (value IS NOT NULL OR status <> '')",
    )["y"].iloc[0]
    assert set(frame["time_period"]) == {int(latest)}
    assert frame["area_code"].tolist() == [CAMDEN, ENGLAND]


def test_nothing_chosen_is_an_empty_frame(tidy: Tidy) -> None:
    frame = compare_frame(tidy, headline(tidy), [CAMDEN], [], [2025])
    assert frame.empty and list(frame.columns) == list(COLUMNS)
