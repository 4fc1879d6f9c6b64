"""What the overview cards say: search matching, coverage flags and spreads on hand-made rows,
and the cards of the small database against figures read straight from its tidy tables."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.overview_cards import (
    COVERAGE_WARNING_PERCENT,
    Card,
    build_cards,
    cards_for,
    coverage_flags,
    spread_of,
)
from dashboard.overview_search import matches, query_words
from data.engine import make_engine
from metrics.api import ENGLAND_CODE, Tidy
from metrics.catalogue import load_catalogue


def card(text: str) -> Card:
    return Card(
        "x", "X", "outcome", "g", "G", True, "", None, "", "", None, "", "", "", None, "", "",
        (), text,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("protection", True),
        ("PROTECT", True),  # the start of a word, any case
        ("plan protection", True),  # every word, in any order
        ("tection", False),  # not the middle of a word
        ("protection missing", False),
        ("", True),
    ],
)
def test_matches_every_word_as_the_start_of_a_word(query: str, found: bool) -> None:
    text = "child protection plans per 10 000 children"
    assert matches(card(text), query_words(query)) is found


def test_query_words_drop_punctuation_and_keep_at_most_twelve() -> None:
    assert query_words("S47, ICPC & re-referral!") == ["s47", "icpc", "re", "referral"]
    assert len(query_words(" ".join(f"w{i}" for i in range(30)))) == 12


def coverage_rows(rows: list[tuple[str, float | None, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"measure": m, "value": v, "denominator": d, "label": f"{m} label"} for m, v, d in rows]
    )


def test_coverage_flags_apply_the_threshold_to_listed_measures_only() -> None:
    cin = load_catalogue().indicator("cin_rate")  # lists returns_missing, ethnicity_unknown, ...
    rows = coverage_rows(
        [
            ("ethnicity_unknown", COVERAGE_WARNING_PERCENT - 0.1, 100.0),
            ("sex_unknown", COVERAGE_WARNING_PERCENT, 100.0),
            ("primary_need_not_stated", math.nan, 100.0),  # suppressed share: no judgement
            ("returns_missing", 0.0, 153.0),
            ("disability_not_recorded", math.nan, None),  # nothing expected: no flag
            ("upn_missing", 60.0, 100.0),  # not listed for this indicator
        ]
    )
    assert coverage_flags(cin, rows) == ("sex_unknown label",)
    suppressed_returns = coverage_rows([("returns_missing", math.nan, 153.0)])
    assert coverage_flags(cin, suppressed_returns) == ("returns_missing label",)
    one_missing = coverage_rows([("returns_missing", 0.4, 250.0)])
    assert coverage_flags(cin, one_missing) == ("returns_missing label",)


def test_linkage_rate_is_flagged_by_its_gap() -> None:
    ind = load_catalogue().indicator("cla_school_move_pct")  # lists education_link_rate
    low = coverage_rows([("education_link_rate", 100 - COVERAGE_WARNING_PERCENT - 0.1, 50.0)])
    high = coverage_rows([("education_link_rate", 100 - COVERAGE_WARNING_PERCENT + 0.1, 50.0)])
    assert coverage_flags(ind, low) == ("education_link_rate label",)
    assert coverage_flags(ind, high) == ()


def test_spread_interpolates_between_ordered_values() -> None:
    # five values 10..50: the 10th percentile sits 0.4 of the way from 10 to 20 -> 14
    spread = spread_of(pd.Series([50.0, 10.0, None, 30.0, 20.0, 40.0]), of=6)
    assert spread is not None
    assert (spread.p10, spread.median, spread.p90) == pytest.approx((14.0, 30.0, 46.0))
    assert (spread.with_value, spread.of) == (5, 6)
    assert spread_of(pd.Series([None, math.nan], dtype=float), of=2) is None


# ------------------------------------------------------------------ the small database
@pytest.fixture(scope="module")
def tidy(small_db: str) -> Tidy:
    engine = make_engine(small_db)
    try:
        return Tidy.load(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def direct(small_db: str) -> dict[str, pd.DataFrame]:
    """The tidy rows read with plain SQL: the independent path the cards are checked against."""
    engine = sa.create_engine(small_db)
    try:
        with engine.connect() as conn:
            values = pd.read_sql(
                sa.text(
                    "SELECT indicator_id, time_period, geographic_level, value, status, trend "
                    "FROM indicator_values WHERE breakdown = 'total' "
                    "AND geographic_level IN ('national', 'local_authority')"
                ),
                conn,
            )
            coverage = pd.read_sql(
                sa.text(
                    "SELECT indicator_id, time_period, measure, value, denominator, label "
                    "FROM coverage_values "
                    f"WHERE area_code = '{ENGLAND_CODE}'"
                ),
                conn,
            )
    finally:
        engine.dispose()
    return {"values": values, "coverage": coverage}


def test_one_card_per_indicator_in_catalogue_order(tidy: Tidy) -> None:
    cards = build_cards(tidy)
    assert [c.indicator_id for c in cards] == [i.id for i in tidy.catalogue]
    kinds = [c.kind for c in cards]
    assert kinds == sorted(kinds, key=["outcome", "enabler", "data_quality"].index)
    assert cards_for(tidy) is cards_for(tidy)  # computed once per app


def test_cards_agree_with_the_tidy_tables(tidy: Tidy, direct: dict[str, pd.DataFrame]) -> None:
    values = direct["values"]
    checked = 0
    for c in cards_for(tidy):
        rows = values[values["indicator_id"] == c.indicator_id]
        england = rows[rows["geographic_level"] == "national"]
        if england.empty:
            assert c.latest_year is None
            continue
        year = int(england["time_period"].max())
        assert c.latest_year == year
        latest = england[england["time_period"] == year].iloc[0]
        assert c.trend == (latest["trend"] or "")
        if not latest["status"] and not pd.isna(latest["value"]):
            # The figure shown is the England value with the indicator's decimals.
            decimals = tidy.indicator(c.indicator_id).decimals
            shown = float(re.sub(r"[^0-9.\-]", "", c.england_text.split(" ")[0]))
            assert shown == pytest.approx(round(float(latest["value"]), decimals))
        las = rows[(rows["geographic_level"] == "local_authority") & (rows["time_period"] == year)]
        present = las["value"].dropna()
        if present.empty:
            assert c.spread is None
        else:
            assert c.spread is not None
            assert c.spread.median == pytest.approx(present.median())
            assert c.spread.p10 == pytest.approx(present.quantile(0.1))
            assert c.spread.p90 == pytest.approx(present.quantile(0.9))
            assert c.spread.with_value == len(present)
            checked += 1
    assert checked >= 20, "too few indicators with LA values to check"


def test_flags_are_england_latest_year_gaps(tidy: Tidy, direct: dict[str, pd.DataFrame]) -> None:
    coverage = direct["coverage"]
    flagged = 0
    for c in cards_for(tidy):
        if c.latest_year is None:
            continue
        ind = tidy.indicator(c.indicator_id)
        rows = coverage[
            (coverage["indicator_id"] == c.indicator_id)
            & (coverage["time_period"] == c.latest_year)
            & coverage["measure"].isin(ind.annotations.coverage.measures)
        ]
        expected = set()
        for row in rows.itertuples(index=False):
            if row.measure in ("returns_missing", "values_imputed"):
                gap = (row.value or 0) > 0 or (pd.isna(row.value) and (row.denominator or 0) > 0)
            elif pd.isna(row.value):
                gap = False
            elif row.measure == "education_link_rate":
                gap = 100 - row.value >= COVERAGE_WARNING_PERCENT
            else:
                gap = row.value >= COVERAGE_WARNING_PERCENT
            if gap:
                expected.add(row.label)
        assert set(c.coverage_flags) == expected, c.indicator_id
        flagged += bool(expected)
    assert flagged > 0, "no card flagged: the check exercised nothing"
