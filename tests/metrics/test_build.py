"""The metrics build on every engine, checked against counts made here with plain pandas from
the record-level tables (never with the metrics code)."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from data.build import build_database
from data.engine import make_engine
from metrics.build import build_metrics

IDS = ["cin_rate", "rereferral_12m_pct", "cla_rate", "sdq_mean"]


@pytest.fixture
def built(db_url: str) -> str:
    build_database(
        db_url,
        la_codes=["805", "202"],
        seed=3,
        scale=0.2,
        years=range(2023, 2026),
        progress=False,
        workers=1,
    )
    engine = make_engine(db_url)
    try:
        build_metrics(engine, indicator_ids=IDS)
    finally:
        engine.dispose()
    return db_url


def _read(url: str, sql: str) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(sa.text(sql), conn)
    finally:
        engine.dispose()


def _la_rows(url: str, indicator: str) -> pd.DataFrame:
    rows = _read(
        url,
        "SELECT time_period, area_code, numerator, denominator, value, status "
        f"FROM indicator_values WHERE indicator_id = '{indicator}' "
        "AND geographic_level = 'local_authority' AND breakdown = 'total'",
    )
    codes = _read(url, "SELECT ons_code AS area_code, dfe_la_code AS la_code FROM ref_la")
    return rows.merge(codes, on="area_code")


def test_cin_rate_matches_an_independent_count(built: str) -> None:
    ep = _read(built, "SELECT year, la_code, child_id, closure_date FROM cin_episode")
    pop = _read(built, "SELECT year, la_code, population FROM ref_population")
    expected = (
        ep[ep["closure_date"].isna()]
        .groupby(["year", "la_code"])["child_id"]
        .nunique()
        .rename("n")
        .reset_index()
    )
    expected = expected.merge(
        pop.groupby(["year", "la_code"])["population"].sum().reset_index(), on=["year", "la_code"]
    )
    expected["rate"] = expected["n"] / expected["population"] * 10_000
    got = _la_rows(built, "cin_rate").rename(columns={"time_period": "year"})
    both = expected.merge(got, on=["year", "la_code"])
    assert len(both) == 6
    assert (both["numerator"] == both["n"]).all()
    assert both["value"].to_numpy() == pytest.approx(both["rate"].to_numpy())


def test_rereferral_matches_an_independent_count(built: str) -> None:
    ep = _read(built, "SELECT year, la_code, child_id, referral_date FROM cin_episode")
    ep["referral_date"] = pd.to_datetime(ep["referral_date"])
    history = ep[["la_code", "child_id", "referral_date"]].drop_duplicates()
    history = history.sort_values(["la_code", "child_id", "referral_date"])
    history["previous"] = history.groupby(["la_code", "child_id"])["referral_date"].shift()
    history["re"] = history["previous"].notna() & (
        history["referral_date"] <= history["previous"] + pd.DateOffset(months=12)
    )
    rows = []
    for year in range(2023, 2026):
        start, end = pd.Timestamp(f"{year - 1}-04-01"), pd.Timestamp(f"{year}-03-31")
        this = ep[(ep["year"] == year) & ep["referral_date"].between(start, end)]
        flagged = this.merge(history, on=["la_code", "child_id", "referral_date"])
        for la, part in flagged.groupby("la_code"):
            rows.append({"year": year, "la_code": la, "re": part["re"].sum(), "all": len(part)})
    expected = pd.DataFrame(rows)
    got = _la_rows(built, "rereferral_12m_pct").rename(columns={"time_period": "year"})
    both = expected.merge(got, on=["year", "la_code"])
    assert len(both) == 6
    visible = both["status"] != "c"
    assert (both.loc[visible, "numerator"] == both.loc[visible, "re"]).all()
    assert (both["denominator"] == both["all"]).all()


def test_no_count_of_one_to_five_leaves_metrics(built: str) -> None:
    values = _read(built, "SELECT numerator, denominator, status FROM indicator_values")
    for col in ("numerator", "denominator"):
        small = values[col].between(1, 5)
        assert not small.any(), values[small].head()
    coverage = _read(built, "SELECT numerator FROM coverage_values")
    assert not coverage["numerator"].between(1, 5).any()


def test_england_is_the_sum_of_its_las_rounded(built: str) -> None:
    rows = _read(
        built,
        "SELECT time_period, geographic_level, numerator FROM indicator_values "
        "WHERE indicator_id = 'cla_rate' AND breakdown = 'total' "
        "AND geographic_level IN ('local_authority', 'national')",
    )
    la = (
        rows[rows["geographic_level"] == "local_authority"]
        .groupby("time_period")["numerator"]
        .sum()
    )
    england = rows[rows["geographic_level"] == "national"].set_index("time_period")["numerator"]
    assert ((england - la).abs() <= 5).all()
    assert (england % 10 == 0).all()


def test_coverage_matches_independent_counts(built: str) -> None:
    """Two measures from different units in one build: each counts its own records."""
    coverage = _read(
        built,
        "SELECT time_period AS year, area_code, indicator_id, measure, numerator, denominator "
        "FROM coverage_values WHERE geographic_level = 'local_authority'",
    )
    codes = _read(built, "SELECT ons_code AS area_code, dfe_la_code AS la_code FROM ref_la")
    coverage = coverage.merge(codes, on="area_code")

    oc2 = _read(built, "SELECT year, la_code, dob, sdq_score, sdq_reason FROM cla_oc2")
    dob = pd.to_datetime(oc2["dob"])
    ref = pd.to_datetime(oc2["year"].astype(str) + "-03-31")
    had_birthday = (dob.dt.month < 3) | ((dob.dt.month == 3) & (dob.dt.day <= 31))
    age = ref.dt.year - dob.dt.year - (~had_birthday).astype(int)
    due = oc2[age.between(4, 16) & (oc2["sdq_reason"].isna() | (oc2["sdq_reason"] != "SDQ1"))]
    sdq = due.groupby(["year", "la_code"]).agg(
        missing=("sdq_score", lambda x: x.isna().sum()), due=("sdq_score", "size")
    )
    got = coverage[
        (coverage["indicator_id"] == "sdq_mean") & (coverage["measure"] == "sdq_missing")
    ]
    both = got.merge(sdq.reset_index(), on=["year", "la_code"])
    assert len(both) == 6
    assert (both["denominator"] == both["due"]).all()
    visible = both["numerator"].notna()
    assert (both.loc[visible, "numerator"] == both.loc[visible, "missing"]).all()

    kids = _read(built, "SELECT year, la_code, ethnicity FROM cin_child")
    kids["unknown"] = kids["ethnicity"].isin(["REFU", "NOBT"])
    eth = kids.groupby(["year", "la_code"])["unknown"].agg(["sum", "size"]).reset_index()
    got = coverage[
        (coverage["indicator_id"] == "cin_rate") & (coverage["measure"] == "ethnicity_unknown")
    ]
    both = got.merge(eth, on=["year", "la_code"])
    assert len(both) == 6
    assert (both["denominator"] == both["size"]).all()


def test_coverage_from_units_no_indicator_counts(built: str) -> None:
    """cla_rate lists upn_missing, counted on a unit none of the built indicators uses."""
    rows = _read(
        built,
        "SELECT count(*) AS n FROM coverage_values "
        "WHERE indicator_id = 'cla_rate' AND measure = 'upn_missing'",
    )
    assert int(rows["n"].iloc[0]) > 0


def test_the_api_reads_the_tidy_tables_on_every_engine(built: str) -> None:
    from metrics.api import Tidy

    engine = make_engine(built)
    try:
        tidy = Tidy.load(engine)
    finally:
        engine.dispose()
    rows = tidy.values("cin_rate", area="805", breakdown="total", level="local_authority")
    direct = _la_rows(built, "cin_rate")
    direct = direct[direct["la_code"] == "805"].sort_values("time_period")
    rows = rows.sort_values("time_period")
    assert rows["time_period"].astype(int).tolist() == direct["time_period"].tolist()
    assert rows["value"].to_numpy(dtype=float, na_value=float("nan")) == pytest.approx(
        direct["value"].to_numpy(dtype=float, na_value=float("nan")), nan_ok=True
    )
