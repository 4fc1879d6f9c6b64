"""Every CIN census and education indicator's published numbers, checked against a second
reading of the records that shares no code with the metrics build.

The expectations come from ``independent_cin`` (pandas over the raw record tables) and from the
catalogue YAML read as plain data, so a defect in the unit SQL, the catalogue loader or the
aggregation cannot agree with itself. The tricky definitions (12-month re-referral window across
a year boundary, working days around bank holidays, a child with two open episodes) also get
tiny hand-written record sets whose answers are worked out in the comments.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
import yaml

from data.engine import make_engine
from data.load import bulk_insert
from data.refdata import load_reference
from data.schema import metadata
from metrics.build import build_metrics
from tests.metrics import independent_cin as ind
from tests.metrics.conftest import read_sql

CATALOGUE_DIR = Path(__file__).resolve().parents[2] / "metrics" / "catalogue"
REL = 1e-9


def _catalogue() -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for path in sorted(CATALOGUE_DIR.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text())["indicators"]:
            entries[entry["id"]] = entry
    return entries


CATALOGUE = _catalogue()
CIN_IDS = sorted(
    i
    for i, e in CATALOGUE.items()
    if e.get("computable", True) and e["numerator"]["unit"] in ind.UNIT_NAMES
)


def _scale(entry: dict[str, Any]) -> float:
    default = {"rate_per_10000": 10_000, "proportion": 100}.get(entry["measure"], 1)
    return float(entry.get("scale") or default)


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def records(small_db: str) -> ind.Frames:
    return ind.read_records(small_db)


@pytest.fixture(scope="module")
def units(records: ind.Frames) -> ind.Frames:
    return ind.build_units(records)


@pytest.fixture(scope="module")
def tidy(small_db: str) -> pd.DataFrame:
    rows = read_sql(
        small_db,
        "SELECT v.time_period AS year, v.geographic_level, v.area_code, r.dfe_la_code AS la_code,"
        " v.indicator_id, v.breakdown, v.breakdown_value, v.numerator, v.denominator, v.value,"
        " v.status FROM indicator_values v LEFT JOIN ref_la r ON r.ons_code = v.area_code"
        " WHERE v.geographic_level IN ('local_authority', 'national')",
    )
    rows["status"] = rows["status"].fillna("")
    return rows


def _got(tidy: pd.DataFrame, indicator: str, level: str, breakdown: str) -> pd.DataFrame:
    keep = (
        (tidy["indicator_id"] == indicator)
        & (tidy["geographic_level"] == level)
        & (tidy["breakdown"] == breakdown)
    )
    return tidy[keep]


# ----------------------------------------------------------------------------- comparison
def _row_counts(entry: dict[str, Any], units: ind.Frames, by: list[str]) -> pd.DataFrame:
    """Records behind each side (what a small-number rule can look at)."""
    out = {}
    for side in ("numerator", "denominator"):
        spec = entry.get(side)
        if not spec or "unit" not in spec:
            continue
        frame = ind.filtered(units[spec["unit"]], spec.get("where"))
        if spec["aggregate"] == "mean":
            frame = frame[frame[spec["column"]].notna()]
        out[f"{side}_rows"] = frame.groupby(by).size()
    return pd.DataFrame(out).reset_index() if out else pd.DataFrame(columns=by)


def _close(a: pd.Series, b: pd.Series) -> pd.Series:
    a = a.astype(float)
    b = b.astype(float)
    both_nan = a.isna() & b.isna()
    near = (a - b).abs() <= REL * np.maximum(a.abs(), b.abs()) + 1e-12
    return both_nan | near.fillna(False)


def _primary(entry: dict[str, Any]) -> int:
    return int(entry.get("disclosure", {}).get("primary", 0))


def _years_with_primary_cells(entry: dict[str, Any], units: ind.Frames) -> set[int]:
    """Years in which some LA cell (total or any declared breakdown value) has a count of 1 to
    ``primary`` records: only those years can hold secondary suppressions, which spread across
    LAs, regions and breakdown values."""
    primary = _primary(entry)
    years: set[int] = set()
    if not primary:
        return years
    for breakdown in [None, *entry.get("breakdowns", [])]:
        counts = _row_counts(entry, units, [*ind.KEYS, *([breakdown] if breakdown else [])])
        sides = [c for c in ("numerator_rows", "denominator_rows") if c in counts]
        small = counts[sides].apply(lambda col: col.between(1, primary)).any(axis=1)
        years |= set(counts.loc[small, "year"].astype(int))
    return years


def _compare(
    entry: dict[str, Any],
    expected: pd.DataFrame,
    got: pd.DataFrame,
    counts: pd.DataFrame,
    keys: list[str],
    secondary_years: set[int],
) -> list[str]:
    """Human-readable disagreements between expected and published rows."""
    primary = _primary(entry)
    no_population = "population" in (entry.get("denominator") or {})
    mean = entry["numerator"]["aggregate"] == "mean"
    if mean:  # the tidy row carries the count of values as its numerator
        expected = expected.assign(numerator=expected["denominator"], denominator=np.nan)
    both = expected.merge(got, on=keys, how="outer", suffixes=("_exp", ""), indicator=True)
    both = both.merge(counts, on=keys, how="left")
    for col in ("numerator_rows", "denominator_rows"):
        if col not in both:
            both[col] = np.nan
    small = pd.Series(False, index=both.index)
    if primary:
        for col in ("numerator_rows", "denominator_rows"):
            small |= both[col].between(1, primary)
    both["small"] = small
    problems = []
    for _, row in both.iterrows():
        where = ", ".join(f"{k}={row[k]}" for k in keys)
        if row["_merge"] == "left_only":
            if no_population and pd.isna(row["denominator_exp"]):
                continue  # e.g. sex "Unknown": no population, so no rate to publish
            if row["numerator_exp"] > 0 or row.get("denominator_exp", 0) > 0:
                problems.append(f"{where}: expected a row (num {row['numerator_exp']}), none")
            continue
        if row["_merge"] == "right_only":
            if row["status"] in ("c", "x", "z") or not row["numerator"]:
                continue
            problems.append(f"{where}: unexpected row num={row['numerator']} value={row['value']}")
            continue
        if row["status"] == "c":
            if pd.notna(row["value"]):
                problems.append(f"{where}: suppressed but shows value {row['value']}")
            if not row["small"] and int(row["year"]) not in secondary_years:
                problems.append(
                    f"{where}: status c but counts {row['numerator_exp']}/"
                    f"{row['denominator_exp']} are neither small nor secondary"
                )
            continue
        agg_count = entry["numerator"]["aggregate"] in ("count", "mean")
        if primary and agg_count and row["small"]:
            problems.append(
                f"{where}: count {row['numerator_rows']}/{row['denominator_rows']} "
                f"should be suppressed, status {row['status']!r}"
            )
        for col in ("numerator", "denominator", "value"):
            exp, pub = pd.Series([row[f"{col}_exp"]]), pd.Series([row[col]])
            if col == "denominator" and mean:
                continue
            if not _close(exp, pub).iloc[0]:
                problems.append(f"{where}: {col} expected {exp.iloc[0]!r}, got {pub.iloc[0]!r}")
    return problems


# ----------------------------------------------------------------------------- tests
def test_every_cin_and_education_indicator_is_covered() -> None:
    """Guards the parametrisation: the list is read from the catalogue, not typed in."""
    assert len(CIN_IDS) >= 40
    assert {"cin_rate", "rereferral_12m_pct", "assessments_45wd_pct", "education_link_pct"} <= set(
        CIN_IDS
    )


@pytest.mark.parametrize("indicator", CIN_IDS)
def test_la_totals_match_independent_pandas(
    indicator: str, records: ind.Frames, units: ind.Frames, tidy: pd.DataFrame
) -> None:
    entry = CATALOGUE[indicator]
    expected = ind.expected_values(entry, records, units)
    got = _got(tidy, indicator, "local_authority", "total")[
        ["year", "la_code", "numerator", "denominator", "value", "status"]
    ]
    assert not got.empty, f"{indicator}: no local_authority rows built"
    counts = _row_counts(entry, units, ind.KEYS)
    secondary = _years_with_primary_cells(entry, units)
    problems = _compare(entry, expected, got, counts, ind.KEYS, secondary)
    assert not problems, f"{indicator}:\n" + "\n".join(problems[:12])


BREAKDOWN_CASES = [
    ("cin_rate", "age_band"),
    ("referral_rate", "sex"),
    ("rereferral_12m_pct", "sex"),
    ("assessments_45wd_pct", "disability"),
    ("cpp_repeat_pct", "ethnicity_group"),
    ("cin_ethnicity_known_pct", "sex"),
]


@pytest.mark.parametrize(("indicator", "breakdown"), BREAKDOWN_CASES)
def test_one_breakdown_matches_independent_pandas(
    indicator: str, breakdown: str, records: ind.Frames, units: ind.Frames, tidy: pd.DataFrame
) -> None:
    entry = CATALOGUE[indicator]
    assert breakdown in entry["breakdowns"]
    keys = [*ind.KEYS, breakdown]
    expected = ind.expected_values(entry, records, units, breakdown)
    got = _got(tidy, indicator, "local_authority", breakdown).rename(
        columns={"breakdown_value": breakdown}
    )[[*keys, "numerator", "denominator", "value", "status"]]
    assert not got.empty
    counts = _row_counts(entry, units, keys)
    secondary = _years_with_primary_cells(entry, units)
    problems = _compare(entry, expected, got, counts, keys, secondary)
    assert not problems, f"{indicator} by {breakdown}:\n" + "\n".join(problems[:12])


def test_no_small_count_is_recoverable_from_a_total_and_its_shown_parts(
    tidy: pd.DataFrame,
) -> None:
    """An LA total minus its shown breakdown parts is a count too: when a part has no row at all
    (sex "Unknown" has no population, so no rate), 1 to 5 records must not be left over."""
    leaks = []
    la = tidy[tidy["geographic_level"] == "local_authority"]
    for indicator in CIN_IDS:
        entry = CATALOGUE[indicator]
        primary = _primary(entry)
        rows = la[la["indicator_id"] == indicator]
        totals = rows[rows["breakdown"] == "total"].set_index(["year", "la_code"])["numerator"]
        for breakdown in entry.get("breakdowns", []):
            parts = rows[rows["breakdown"] == breakdown]
            for (year, code), group in parts.groupby(["year", "la_code"]):
                total = totals.get((year, code))
                if total is None or pd.isna(total) or group["numerator"].isna().any():
                    continue
                left = total - group["numerator"].sum()
                if primary and 1 <= left <= primary:
                    leaks.append(f"{indicator} {code} {year} by {breakdown}: {left:g} left over")
    assert not leaks, "\n".join(leaks[:12])


ENGLAND_CASES = ["cin_rate", "rereferral_12m_pct", "assessments_45wd_pct", "af_neglect_rate"]


@pytest.mark.parametrize("indicator", ENGLAND_CASES)
def test_england_is_the_rounded_sum_of_the_three_las(
    indicator: str, records: ind.Frames, units: ind.Frames, tidy: pd.DataFrame
) -> None:
    entry = CATALOGUE[indicator]
    step = int(entry["disclosure"].get("round_national", 1))
    sums = (
        ind.expected_values(entry, records, units)
        .groupby("year")[["numerator", "denominator"]]
        .sum()
    )
    england = _got(tidy, indicator, "national", "total").set_index("year")
    assert sorted(england.index) == sorted(sums.index)
    for year in sums.index:
        row, pub = sums.loc[year], england.loc[year]
        for col in ("numerator", "denominator"):
            assert pub[col] % step == 0, (year, col, pub[col])
            assert abs(pub[col] - row[col]) <= step / 2, (year, col, pub[col], row[col])
        want = row["numerator"] / row["denominator"] * _scale(entry)
        assert pub["value"] == pytest.approx(want, rel=REL), year


# ----------------------------------------------------------------------------- hand-worked
LA = "805"  # Hartlepool, E06000001
LA_ONS = "E06000001"


@pytest.fixture
def empty_db(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = make_engine(f"duckdb:///{tmp_path / 'hand.duckdb'}")
    metadata.create_all(engine)
    load_reference(engine)
    try:
        yield engine
    finally:
        engine.dispose()


def _insert(engine: sa.Engine, tables: dict[str, list[dict[str, Any]]]) -> None:
    with engine.begin() as conn:
        for name, rows in tables.items():
            frame = pd.DataFrame(rows).assign(la_code=LA)
            columns = [c.name for c in metadata.tables[name].columns]
            bulk_insert(conn, name, frame.reindex(columns=columns))


def _child(year: int, child_id: str, born: date = date(2015, 6, 1)) -> dict[str, Any]:
    return {
        "year": year,
        "child_id": child_id,
        "upn": None,
        "upn_unknown": "UN5",
        "birth_date": born,
        "sex": "F",
        "ethnicity": "WBRI",
    }


def _episode(
    year: int, child_id: str, n: int, referred: date, closed: date | None = None
) -> dict[str, Any]:
    return {
        "year": year,
        "child_id": child_id,
        "episode_id": f"{child_id}-{n}",
        "referral_date": referred,
        "referral_source": "1A",
        "primary_need": "N1",
        "closure_date": closed,
        "closure_reason": "RC8" if closed else None,
        "referral_nfa": False,
    }


def _la_row(engine: sa.Engine, indicator: str, year: int) -> pd.Series:
    with engine.connect() as conn:
        rows = pd.read_sql(
            sa.text(
                "SELECT numerator, denominator, value, status FROM indicator_values "
                "WHERE indicator_id = :i AND area_code = :a AND time_period = :y "
                "AND breakdown = 'total' AND geographic_level = 'local_authority'"
            ),
            conn,
            params={"i": indicator, "a": LA_ONS, "y": year},
        )
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_rereferral_window_crosses_the_year_boundary(empty_db: sa.Engine) -> None:
    """Scenarios repeated a different number of times so each one's share is identifiable.

    A x6: referred 15 Mar 2024 (closed), again 10 Jan 2025: re-referral (10 months).
    B x7: referred 1 Feb 2024, again 2 Feb 2025: not (12 months and a day).
    C x8: referred 1 Feb 2024, again 1 Feb 2025: re-referral (exactly 12 months, inclusive).
    D x9: one referral, 1 May 2024: not.
    E x10: referred 1 Jun 2024 (closed) and 1 Sep 2024: the second is a re-referral.
    2025 referrals: 6 + 7 + 8 + 9 + 20 = 50; re-referrals 6 + 8 + 10 = 24; 48.0%.
    """
    kids: list[dict[str, Any]] = []
    eps: list[dict[str, Any]] = []
    scenarios: dict[str, tuple[int, list[tuple[date, date | None]]]] = {
        "A": (6, [(date(2024, 3, 15), date(2024, 3, 20)), (date(2025, 1, 10), None)]),
        "B": (7, [(date(2024, 2, 1), date(2024, 2, 10)), (date(2025, 2, 2), None)]),
        "C": (8, [(date(2024, 2, 1), date(2024, 2, 10)), (date(2025, 2, 1), None)]),
        "D": (9, [(date(2024, 5, 1), None)]),
        "E": (10, [(date(2024, 6, 1), date(2024, 6, 9)), (date(2024, 9, 1), None)]),
    }
    for name, (copies, referrals) in scenarios.items():
        for k in range(copies):
            cid = f"{name}{k}"
            years: set[int] = set()
            for n, (referred, closed) in enumerate(referrals):
                year = referred.year + (referred.month >= 4)
                years.add(year)
                eps.append(_episode(year, cid, n, referred, closed))
            kids += [_child(y, cid) for y in sorted(years)]
    _insert(empty_db, {"cin_child": kids, "cin_episode": eps})
    build_metrics(empty_db, indicator_ids=["rereferral_12m_pct"])
    row = _la_row(empty_db, "rereferral_12m_pct", 2025)
    assert (row["numerator"], row["denominator"]) == (24, 50)
    assert row["value"] == pytest.approx(48.0)


def test_assessment_45_working_days_around_easter_and_may_bank_holidays(
    empty_db: sa.Engine,
) -> None:
    """Started Thursday 28 March 2024. Working days from it (start counted, end not):
    28 Mar = 1; Good Friday 29 Mar and Easter Monday 1 Apr are holidays; 2-5 Apr -> 5;
    three full weeks -> 20; 29 Apr-3 May -> 25; Mon 6 May holiday, 7-10 May -> 29; two weeks
    -> 39; Mon 27 May holiday, 28-31 May -> 43; Mon 3 Jun 44, Tue 4 Jun 45.
    So authorised Wed 5 June: 45 working days elapsed (on time); Thu 6 June: 46 (late).
    Ignoring the four holidays would make both late (49 and 50).
    7 on time + 8 late = 15 assessments authorised in 2024-25; 7/15 = 46.67%.
    """
    kids, eps, assessments = [], [], []
    for k, done in enumerate([date(2024, 6, 5)] * 7 + [date(2024, 6, 6)] * 8):
        cid = f"K{k}"
        kids.append(_child(2025, cid))
        eps.append(_episode(2025, cid, 0, date(2024, 3, 20)))
        assessments.append(
            {
                "year": 2025,
                "child_id": cid,
                "episode_id": f"{cid}-0",
                "assessment_id": f"{cid}-a",
                "start_date": date(2024, 3, 28),
                "authorisation_date": done,
            }
        )
    _insert(empty_db, {"cin_child": kids, "cin_episode": eps, "cin_assessment": assessments})
    build_metrics(empty_db, indicator_ids=["assessments_45wd_pct"])
    row = _la_row(empty_db, "assessments_45wd_pct", 2025)
    assert (row["numerator"], row["denominator"]) == (7, 15)
    assert row["value"] == pytest.approx(700 / 15)


def test_child_with_two_open_episodes_counts_once_in_cin_rate(empty_db: sa.Engine) -> None:
    """On 31 March 2025: X x6 children each with two open episodes (6 children), Y x7 with one
    open episode (7), Z x8 whose episode closed on 31 March itself (not open "after" 31 March:
    0). 13 children; population 10,000 -> 13.0 per 10,000."""
    kids, eps = [], []
    for k in range(6):
        kids.append(_child(2025, f"X{k}"))
        eps += [
            _episode(2025, f"X{k}", 0, date(2024, 5, 1)),
            _episode(2025, f"X{k}", 1, date(2024, 11, 1)),
        ]
    for k in range(7):
        kids.append(_child(2025, f"Y{k}"))
        eps.append(_episode(2025, f"Y{k}", 0, date(2023, 7, 1)))
    for k in range(8):
        kids.append(_child(2025, f"Z{k}"))
        eps.append(_episode(2025, f"Z{k}", 0, date(2024, 7, 1), date(2025, 3, 31)))
    population = [
        {"year": 2025, "age": 9, "sex": "F", "ethnicity_group": "White", "population": 6000},
        {"year": 2025, "age": 9, "sex": "M", "ethnicity_group": "White", "population": 4000},
    ]
    _insert(empty_db, {"cin_child": kids, "cin_episode": eps, "ref_population": population})
    build_metrics(empty_db, indicator_ids=["cin_rate"])
    row = _la_row(empty_db, "cin_rate", 2025)
    assert (row["numerator"], row["denominator"]) == (13, 10_000)
    assert row["value"] == pytest.approx(13.0)
