"""Disclosure control: a worked example by hand, and property tests on random tidy tables full of
small counts, checking each published relation independently of the code under test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.disclosure import apply_disclosure

INTERVALS = ["lower_95", "upper_95", "lower_998", "upper_998"]


def cell(
    level: str, area: str, region: str, part: str, num: float, den: float, **kw: object
) -> dict:
    breakdown = "total" if part == "total" else "sex"
    value = num / den * 100 if den else np.nan
    return {
        "time_period": 2025,
        "geographic_level": level,
        "area_code": area,
        "region_code": region,
        "indicator_id": "ind",
        "breakdown": breakdown,
        "breakdown_value": part,
        "numerator": num,
        "denominator": den,
        "value": value,
        "lower_95": value - 1,
        "upper_95": value + 1,
        "lower_998": value - 2,
        "upper_998": value + 2,
        "status": "",
        **kw,
    }


def test_worked_example() -> None:
    rows = [
        cell("local_authority", "A", "R", "total", 50, 100),
        cell("local_authority", "A", "R", "Male", 47, 60),
        cell("local_authority", "A", "R", "Female", 3, 40),
        cell("local_authority", "B", "R", "total", 30, 100),
        cell("local_authority", "B", "R", "Male", 12, 60),
        cell("local_authority", "B", "R", "Female", 18, 40),
        cell("regional", "R", "R", "total", 80, 200),
        cell("regional", "R", "R", "Male", 59, 120),
        cell("regional", "R", "R", "Female", 21, 80),
    ]
    out = apply_disclosure(pd.DataFrame(rows))
    # A Female is primary; A Male hides it within A; B Female hides it within the region's
    # Female cells; B Male then protects B Female within B.
    assert out["status"].tolist() == ["", "c", "c", "", "c", "c", "", "", ""]
    assert out["numerator"].tolist()[:1] == [50] and out["numerator"].iloc[3] == 30
    assert out.loc[out["status"] == "c", ["numerator", "value", *INTERVALS]].isna().all().all()
    assert out.loc[out["status"] == "c", "denominator"].notna().all()
    # Regional counts rounded half up to 10; values kept from the unrounded counts.
    assert out["numerator"].tolist()[6:] == [80, 60, 20]
    assert out["value"].iloc[7] == pytest.approx(59 / 120 * 100)


def test_small_denominator_hides_the_rate_and_itself() -> None:
    rows = [
        cell("local_authority", "A", "R", "total", 0, 3),
        cell("local_authority", "B", "R", "total", 0, 50),
        cell("local_authority", "C", "R", "total", 20, 80),
    ]
    out = apply_disclosure(pd.DataFrame(rows))
    assert out["status"].tolist() == ["c", "", ""]
    assert np.isnan(
        out.loc[0, ["numerator", "denominator", "value", *INTERVALS]].astype(float)
    ).all()
    assert out.loc[1, "value"] == 0


def test_a_table_without_small_counts_is_unchanged() -> None:
    rows = [
        cell("local_authority", "A", "R", "total", 60, 100),
        cell("local_authority", "A", "R", "Male", 0, 50),
        cell("local_authority", "A", "R", "Female", 60, 50),
    ]
    frame = pd.DataFrame(rows)
    out = apply_disclosure(frame)
    pd.testing.assert_frame_equal(out, frame, check_dtype=False)


def test_national_rounding_is_half_up_and_can_give_k() -> None:
    rows = [
        cell("national", "E92000001", "", "total", 1235, 10_004),
        cell("national", "E92000001", "", "Male", 1234, 5_000),
        cell("national", "E92000001", "", "Female", np.nan, 5_004, status="z"),
    ]
    out = apply_disclosure(pd.DataFrame(rows))
    assert out["numerator"].tolist()[:2] == [1240, 1230] and np.isnan(out.loc[2, "numerator"])
    assert out["denominator"].tolist() == [10_000, 5_000, 5_000]
    assert out["status"].tolist() == ["", "", "z"]  # a z cell is not confidential
    assert out.loc[1, "value"] == pytest.approx(1234 / 5000 * 100)
    rounded = apply_disclosure(pd.DataFrame(rows[:1]), primary=5, round_to=20_000)
    assert rounded["status"].tolist() == ["k"] and np.isnan(rounded.loc[0, "numerator"])


def test_local_rounding_rounds_la_counts_but_not_populations() -> None:
    rows = [
        cell("local_authority", "E06000001", "E12000001", "total", 139, 20_001),
        cell("local_authority", "E06000002", "E12000001", "total", 142, 30_003),
        cell("regional", "E12000001", "E12000001", "total", 281, 50_004),
    ]
    out = apply_disclosure(pd.DataFrame(rows), primary=5, round_to=10, round_local=5)
    assert out["numerator"].tolist() == [140, 140, 280]
    assert out["denominator"].tolist() == [20_001, 30_003, 50_000]
    untouched = apply_disclosure(pd.DataFrame(rows), primary=5, round_to=10)
    assert untouched["numerator"].tolist()[:2] == [139, 142]


def test_a_small_count_is_hidden_even_in_a_z_cell() -> None:
    rows = [
        cell("local_authority", "A", "R", "total", 235, 1004),
        cell("local_authority", "A", "R", "Male", 234, 500),
        cell("local_authority", "A", "R", "Female", 1, 504, status="z"),
    ]
    out = apply_disclosure(pd.DataFrame(rows))
    assert out["status"].tolist() == ["", "c", "c"]  # the count was withheld: "c", not "z"
    assert out["numerator"].isna().tolist() == [False, True, True]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.drop(columns="region_code"), "lacks column.*region_code"),
        (lambda f: pd.concat([f, f.iloc[:1]]), "row 3 repeats the cell"),
        (lambda f: f.assign(numerator=[1, -2, 3]), "row 1 has a negative numerator"),
        (lambda f: f.assign(denominator=["a", "b", "c"]), "'denominator' is not numeric"),
    ],
)
def test_bad_input_is_named(change: object, message: str) -> None:
    frame = pd.DataFrame([cell("local_authority", a, "R", "total", 10, 20) for a in "ABC"])
    with pytest.raises(ValueError, match=message):
        apply_disclosure(change(frame))  # type: ignore[operator]


# ---- property tests ---------------------------------------------------------------------------

PARTS = {"sex": ["Male", "Female", "Unknown"], "age_band": ["0-9", "10-17"]}
small_or_large = st.one_of(st.integers(0, 7), st.integers(0, 7), st.integers(0, 400))


@st.composite
def tidy_tables(draw: st.DrawFn) -> pd.DataFrame:
    """England > regions > LAs, each with a total and sex and age parts summing to it."""
    years = draw(st.integers(1, 2))
    regions = draw(st.integers(1, 3))
    rows = []
    for year in range(2024, 2024 + years):
        la_cells: list[dict] = []
        for r in range(regions):
            for la in range(draw(st.integers(1, 4))):
                sex = [(draw(small_or_large), draw(small_or_large)) for _ in PARTS["sex"]]
                num = [s[0] for s in sex]
                den = [s[0] + s[1] for s in sex]
                ages = [draw(st.integers(0, num[0] + num[1] + num[2]))]
                ages.append(sum(num) - ages[0])
                age_den = [draw(st.integers(ages[0], sum(den) - ages[1]))]
                age_den.append(sum(den) - age_den[0])
                for bd, values, dens in (
                    ("total", [sum(num)], [sum(den)]),
                    ("sex", num, den),
                    ("age_band", ages, age_den),
                ):
                    labels = ["total"] if bd == "total" else PARTS[bd]
                    for label, n, d in zip(labels, values, dens, strict=True):
                        la_cells.append(
                            {
                                "time_period": year,
                                "geographic_level": "local_authority",
                                "area_code": f"L{r}{la}",
                                "region_code": f"R{r}",
                                "breakdown": bd,
                                "breakdown_value": label,
                                "numerator": n,
                                "denominator": d,
                            }
                        )
        las = pd.DataFrame(la_cells)
        keys = ["time_period", "breakdown", "breakdown_value"]
        regional = las.groupby([*keys, "region_code"], as_index=False)[
            ["numerator", "denominator"]
        ].sum()
        regional = regional.assign(geographic_level="regional", area_code=regional["region_code"])
        national = las.groupby(keys, as_index=False)[["numerator", "denominator"]].sum()
        national = national.assign(
            geographic_level="national", area_code="E92000001", region_code=""
        )
        rows.append(pd.concat([las, regional, national], ignore_index=True))
    frame = pd.concat(rows, ignore_index=True)
    frame["indicator_id"] = "ind"
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["value"] = np.where(
            frame["denominator"] > 0, frame["numerator"] / frame["denominator"] * 100, np.nan
        )
    for offset, column in zip([-2.0, 2.0, -3.0, 3.0], INTERVALS, strict=True):
        frame[column] = frame["value"] + offset
    frame["status"] = ""
    return frame.sample(frac=1, random_state=draw(st.integers(0, 1000))).reset_index(drop=True)


def relations(frame: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """(total row, part rows) for every additive relation the table publishes."""
    out: list[tuple[int, list[int]]] = []
    index = {
        tuple(row): i
        for i, row in enumerate(
            frame[
                ["time_period", "geographic_level", "area_code", "breakdown", "breakdown_value"]
            ].itertuples(index=False)
        )
    }
    for (year, level, area, _bd), parts in frame[frame["breakdown"] != "total"].groupby(
        ["time_period", "geographic_level", "area_code", "breakdown"]
    ):
        out.append((index[(year, level, area, "total", "total")], list(parts.index)))
    las = frame[frame["geographic_level"] == "local_authority"]
    for (year, region, bd, label), parts in las.groupby(
        ["time_period", "region_code", "breakdown", "breakdown_value"]
    ):
        out.append((index[(year, "regional", region, bd, label)], list(parts.index)))
    regions = frame[frame["geographic_level"] == "regional"]
    for (year, bd, label), parts in regions.groupby(
        ["time_period", "breakdown", "breakdown_value"]
    ):
        out.append((index[(year, "national", "E92000001", bd, label)], list(parts.index)))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tidy_tables())
def test_disclosure_properties(frame: pd.DataFrame) -> None:
    out = apply_disclosure(frame)
    assert len(out) == len(frame)
    for column in ("numerator", "denominator"):
        shown = out[column].astype(float)
        # (a) no visible count of 1 to 5 anywhere.
        assert not ((shown >= 1) & (shown <= 5)).any(), column
        # (b) no relation with a visible total has exactly one hidden part; and no relation
        # has exactly one hidden cell at all (a hidden total is the sum of visible parts).
        hidden = shown.isna().to_numpy()
        for total, parts in relations(out):
            hidden_parts = int(hidden[parts].sum())
            if not hidden[total]:
                assert hidden_parts != 1, (column, out.loc[[total, *parts]].to_dict("records"))
            assert hidden_parts + int(hidden[total]) != 1, column
    # (c) a hidden numerator means no value or interval, and the status says c.
    suppressed = out["numerator"].isna()
    assert out.loc[suppressed, ["value", *INTERVALS]].isna().all().all()
    assert (out.loc[suppressed, "status"] == "c").all()
    assert (out.loc[~suppressed, "status"] == "").all()
    # A hidden denominator always comes with a hidden numerator.
    assert not (out["denominator"].isna() & out["numerator"].notna()).any()
    # Visible LA counts and all visible values are unchanged; national and regional counts are
    # rounded half up to 10.
    visible = ~suppressed
    la = (out["geographic_level"] == "local_authority") & visible
    assert (out.loc[la, "numerator"] == frame.loc[la, "numerator"]).all()
    np.testing.assert_array_equal(out.loc[visible, "value"], frame.loc[visible, "value"])
    wide = ~la & visible
    expected = np.floor(frame.loc[wide, "numerator"] / 10 + 0.5) * 10
    assert (out.loc[wide, "numerator"] == expected).all()
    # Every primary cell (numerator or denominator 1 to 5) is suppressed.
    primary = frame["numerator"].between(1, 5) | frame["denominator"].between(1, 5)
    assert suppressed[primary].all()
