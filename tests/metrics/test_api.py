"""The metrics layer's Python API: lookups return exactly the tidy rows (checked against SQL
written here), and every unknown argument fails with an error that names it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from data.engine import make_engine
from metrics.api import (
    Tidy,
    UnknownAreaError,
    UnknownBreakdownError,
    UnknownIndicatorError,
    UnknownYearError,
)


@pytest.fixture(scope="module")
def tidy(small_db: str) -> Tidy:
    engine = make_engine(small_db)
    try:
        return Tidy.load(engine)
    finally:
        engine.dispose()


def _sql(url: str, query: str, **params: object) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(sa.text(query), conn, params=params)
    finally:
        engine.dispose()


def test_values_are_the_tidy_rows(tidy: Tidy, small_db: str) -> None:
    got = tidy.values("cin_rate", area="E06000001", year=2025, breakdown="sex")
    expected = _sql(
        small_db,
        "SELECT breakdown_value, numerator, value FROM indicator_values "
        "WHERE indicator_id = 'cin_rate' AND area_code = 'E06000001' AND time_period = 2025 "
        "AND breakdown = 'sex' ORDER BY breakdown_value",
    )
    got = got.sort_values("breakdown_value")
    assert got["breakdown_value"].astype(str).tolist() == expected["breakdown_value"].tolist()
    np.testing.assert_allclose(
        got["value"].to_numpy(dtype=float, na_value=np.nan),
        expected["value"].to_numpy(dtype=float, na_value=np.nan),
    )
    assert set(got["indicator_id"]) == {"cin_rate"}


def test_areas_are_found_by_any_code(tidy: Tidy) -> None:
    assert tidy.area_code("805") == "E06000001"  # DfE code of Hartlepool
    assert tidy.area_code("England") == "E92000001"
    rows = tidy.values("cin_rate", area=["805", "E92000001"], year=2025, breakdown="total")
    assert set(rows["area_code"].astype(str)) == {"E06000001", "E92000001"}


@pytest.mark.parametrize(
    ("call", "error", "named"),
    [
        (lambda t: t.values("no_such_indicator"), UnknownIndicatorError, "no_such_indicator"),
        (lambda t: t.values("cin_rate", area="E99999999"), UnknownAreaError, "E99999999"),
        (lambda t: t.values("cin_rate", year=1999), UnknownYearError, "1999"),
        (lambda t: t.values("cin_rate", year="twenty"), UnknownYearError, "twenty"),
        (lambda t: t.values("cin_rate", breakdown="shoe_size"), UnknownBreakdownError, "shoe_size"),
        (lambda t: t.coverage("cin_rate", area="nowhere"), UnknownAreaError, "nowhere"),
    ],
)
def test_unknown_arguments_raise_errors_that_name_them(
    tidy: Tidy, call: object, error: type[Exception], named: str
) -> None:
    with pytest.raises(error, match=named):
        call(tidy)  # type: ignore[operator]


def test_coverage_rows_belong_to_the_indicator(tidy: Tidy) -> None:
    rows = tidy.coverage("cin_rate", year=2025)
    assert len(rows) > 0
    assert set(rows["indicator_id"]) == {"cin_rate"}
    assert set(rows["time_period"].astype(int)) == {2025}
