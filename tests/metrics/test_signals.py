"""Hidden-need signals on small hand-made frames. Expected counts are checked against a negative
binomial fit written here with scipy.optimize; disparity ratios and ranges against values worked
by hand, and the log-ratio variances against simulation; suppressed cells must leave no trace."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from scipy import optimize, stats
from scipy.special import gammaln

from data.schema import edu_la_baseline
from metrics.catalogue import HiddenNeeds, Indicator, Signal, load_catalogue
from metrics.signals import read_context, signal_frame
from metrics.tidy import coverage_values

Z = 1.959964
COLUMNS = [c.name for c in coverage_values.columns]
YEAR = 2025


def _indicator(indicator_id: str, signals: list[Signal]) -> Indicator:
    """A real catalogue entry with its signal list set here, so YAML edits do not move tests."""
    ind = load_catalogue().indicator(indicator_id)
    hidden = HiddenNeeds(text="test", signals=signals)
    return ind.model_copy(
        update={"annotations": ind.annotations.model_copy(update={"hidden_needs": hidden})}
    )


def _row(area: int, breakdown: str, group: str, num: float, den: float, **extra: Any) -> dict:
    row: dict[str, Any] = {
        "time_period": YEAR,
        "geographic_level": "local_authority",
        "area_code": f"E0800{area:04d}",
        "area_name": f"Area {area}",
        "region_code": "E12000001",
        "indicator_id": "cin_rate",
        "breakdown": breakdown,
        "breakdown_value": group,
        "numerator": num,
        "denominator": den,
        "value": np.nan,
        "lower_95": np.nan,
        "upper_95": np.nan,
        "status": "",
    }
    row.update(extra)
    return row


def _frame(rows: list[dict], multiplier: float = 10_000.0) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    computed = frame["numerator"] / frame["denominator"] * multiplier
    frame["value"] = frame["value"].fillna(computed)
    return frame


def _geo(n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "la_code": [str(100 + i) for i in range(n)],
            "area_code": [f"E0800{i:04d}" for i in range(n)],
            "area_name": [f"Area {i}" for i in range(n)],
            "region_code": "E12000001",
        }
    )


NO_CONTEXT = pd.DataFrame({"year": pd.Series(dtype=int), "la_code": [], "fsm_share": []})


# ---------------------------------------------------------------- expected rate
N_LAS = 40


@pytest.fixture(scope="module")
def synthetic_las() -> pd.DataFrame:
    """Counts from a known NB2 model: log rate = -5 + 2.5 * fsm, dispersion 0.05."""
    rng = np.random.default_rng(3)
    pop = rng.integers(20_000, 250_000, N_LAS).astype(float)
    fsm = rng.uniform(0.08, 0.45, N_LAS)
    mean = pop * np.exp(-5 + 2.5 * fsm)
    alpha = 0.05
    count = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mean)).astype(float)
    return pd.DataFrame(
        {"i": range(N_LAS), "la_code": [str(100 + i) for i in range(N_LAS)]}
    ).assign(pop=pop, fsm=fsm, events=count)


def _expected_inputs(las: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = zip(las["i"].tolist(), las["events"].tolist(), las["pop"].tolist(), strict=True)
    values = _frame([_row(i, "total", "total", n, p) for i, n, p in rows])
    context = pd.DataFrame({"year": YEAR, "la_code": las["la_code"], "fsm_share": las["fsm"]})
    return values, context


def _nb2_negloglik(theta: np.ndarray, y: np.ndarray, x: np.ndarray, pop: np.ndarray) -> float:
    b0, b1, log_alpha = theta
    alpha = math.exp(log_alpha)
    mu = pop * np.exp(b0 + b1 * x)
    size = 1 / alpha
    ll = (
        gammaln(y + size)
        - gammaln(size)
        - gammaln(y + 1)
        + size * np.log(size / (size + mu))
        + y * np.log(mu / (size + mu))
    )
    return float(-ll.sum())


def _numerical_hessian(f: Any, theta: np.ndarray, h: float = 1e-4) -> np.ndarray:
    k = len(theta)
    out = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h, np.eye(k)[j] * h
            out[i, j] = (
                f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)
            ) / (4 * h * h)
    return out


def test_expected_count_matches_an_independent_nb2_fit(synthetic_las: pd.DataFrame) -> None:
    las = synthetic_las
    values, context = _expected_inputs(las)
    out = signal_frame(values, [_indicator("cin_rate", ["expected_rate"])], context, _geo(N_LAS))
    out = out[out["measure"] == "expected_rate"].set_index("area_code")
    assert len(out) == N_LAS

    y, x, pop = (las[c].to_numpy(dtype=float) for c in ("events", "fsm", "pop"))

    def f(t: np.ndarray) -> float:
        return _nb2_negloglik(t, y, x, pop)

    start = np.array([math.log(y.sum() / pop.sum()), 0.0, math.log(0.1)])
    fit = optimize.minimize(
        f,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 20_000, "maxfev": 40_000},
    )
    fit = optimize.minimize(f, fit.x, method="BFGS", options={"gtol": 1e-8})
    b0, b1, log_alpha = fit.x
    mu = pop * np.exp(b0 + b1 * x)
    codes = [f"E0800{i:04d}" for i in las["i"]]
    got = out.loc[codes]
    np.testing.assert_allclose(got["denominator"].to_numpy(), mu, rtol=2e-4)
    np.testing.assert_allclose(got["numerator"].to_numpy(), y)
    np.testing.assert_allclose(got["value"].to_numpy(), y / mu, rtol=2e-4)

    # The 95% range: NB2 quantiles with the dispersion widened by the fitted mean's variance.
    cov = np.linalg.inv(_numerical_hessian(f, fit.x))[:2, :2]
    design = np.column_stack([np.ones_like(x), x])
    v = np.einsum("ij,jk,ik->i", design, cov, design)
    a = math.exp(log_alpha) + v
    low = stats.nbinom.ppf(0.025, 1 / a, 1 / (1 + a * mu))
    high = stats.nbinom.ppf(0.975, 1 / a, 1 / (1 + a * mu))
    np.testing.assert_allclose(got["lower_95"].to_numpy() * mu, low, atol=1.0)
    np.testing.assert_allclose(got["upper_95"].to_numpy() * mu, high, atol=1.0)
    assert (got["lower_95"] < 1).all() and (got["upper_95"] > 1).all()


def test_expected_rate_sentences_say_which_way(synthetic_las: pd.DataFrame) -> None:
    las = synthetic_las.copy()
    true_mean = las["pop"] * np.exp(-5 + 2.5 * las["fsm"])
    las.loc[0, "events"] = round(true_mean[0] * 3)  # far above its expected count
    las.loc[1, "events"] = round(true_mean[1] / 4)  # far below
    las.loc[2, "events"] = round(true_mean[2])  # on the model
    values, context = _expected_inputs(las)
    out = signal_frame(values, [_indicator("cin_rate", ["expected_rate"])], context, _geo(N_LAS))
    label = out.set_index("area_code")["label"]
    high, low, mid = label["E08000000"], label["E08000001"], label["E08000002"]
    assert "higher than expected" in high and "above the" in high
    assert high.startswith("Area 0: Children in need rate ")
    assert "lower than expected" in low and "below the" in low
    assert "need may be going unidentified" in low
    assert "about as expected" in mid
    # The figures quoted are rates per 10,000 (observed, expected) with one decimal.
    pop0 = las["pop"].to_numpy(dtype=float)[0]
    observed = las["events"].to_numpy(dtype=float)[0] / pop0 * 10_000
    by_area = out.set_index("area_code")["denominator"]
    expected = float(by_area["E08000000"]) / pop0 * 10_000
    assert f"{observed:,.1f} per 10,000 children" in high
    assert f"the {expected:,.1f} expected from its deprivation and size" in high


def test_expected_rate_ignores_suppressed_las(synthetic_las: pd.DataFrame) -> None:
    values, context = _expected_inputs(synthetic_las)
    ind = [_indicator("cin_rate", ["expected_rate"])]
    without = signal_frame(values.drop(index=[5, 6, 7]), ind, context, _geo(N_LAS))
    hidden = values.copy()
    # A suppressed cell whose count is (wrongly) still present must neither appear nor count.
    hidden.loc[[5, 6], "status"] = "c"
    hidden.loc[5, "numerator"] = 1e6
    hidden.loc[6, "numerator"] = np.nan
    hidden.loc[7, "status"] = "x"
    out = signal_frame(hidden, ind, context, _geo(N_LAS))
    assert not {"E08000005", "E08000006", "E08000007"} & set(out["area_code"])
    pd.testing.assert_frame_equal(out.reset_index(drop=True), without.reset_index(drop=True))


def test_low_reliability_las_are_predicted_but_not_fitted(synthetic_las: pd.DataFrame) -> None:
    values, context = _expected_inputs(synthetic_las)
    ind = [_indicator("cin_rate", ["expected_rate"])]
    without = signal_frame(values.drop(index=[5]), ind, context, _geo(N_LAS))
    flagged = values.copy()
    flagged.loc[5, "numerator"] = values["numerator"].to_numpy()[5] * 50
    flagged.loc[5, "status"] = "u"
    out = signal_frame(flagged, ind, context, _geo(N_LAS)).set_index("area_code")
    others = without.set_index("area_code")
    np.testing.assert_allclose(
        out.loc[others.index, "denominator"], others["denominator"], rtol=1e-6
    )
    assert "higher than expected" in str(out.loc["E08000005", "label"])


def test_no_expected_rate_without_enough_las_or_context(synthetic_las: pd.DataFrame) -> None:
    values, context = _expected_inputs(synthetic_las.head(6))
    ind = [_indicator("cin_rate", ["expected_rate"])]
    assert signal_frame(values, ind, context, _geo(6)).empty
    values, _ = _expected_inputs(synthetic_las)
    out = signal_frame(values, ind, NO_CONTEXT, _geo(N_LAS))
    assert out.empty and list(out.columns) == COLUMNS


# ---------------------------------------------------------------- disparities
def _rate_area(area: int = 0, **group_extra: Any) -> list[dict]:
    """Hand-worked: 400 of 10,000 children overall; 60 of 1,000 Black children (ratio 1.5)."""
    return [
        _row(area, "total", "total", 400, 10_000),
        _row(area, "ethnicity_group", "Black", 60, 1_000, **group_extra),
        _row(area, "ethnicity_group", "White", 300, 8_000),
        _row(area, "ethnicity_group", "Unknown", 5, 1_000),
        _row(area, "sex", "Female", 180, 4_900),
        _row(area, "age_band", "16+", 0, 800),
    ]


def test_rate_disparity_ratio_and_range_by_hand() -> None:
    ind = _indicator("cin_rate", ["disparity_ethnicity", "disparity_sex", "disparity_age"])
    out = signal_frame(_frame(_rate_area()), [ind], NO_CONTEXT, _geo(1)).set_index("measure")
    black = out.loc["disparity_ethnicity_black"]
    # (60/1000)/(400/10000) = 1.5; var(log) = 1/60 - 1/400 = 0.0141667
    sd = math.sqrt(1 / 60 - 1 / 400)
    assert black["value"] == pytest.approx(1.5)
    assert black["numerator"] == 60 and black["denominator"] == pytest.approx(40.0)
    assert black["lower_95"] == pytest.approx(1.5 * math.exp(-Z * sd), rel=1e-6)
    assert black["upper_95"] == pytest.approx(1.5 * math.exp(Z * sd), rel=1e-6)
    assert black["lower_95"] == pytest.approx(1.1878, abs=1e-4)
    assert black["upper_95"] == pytest.approx(1.8941, abs=1e-4)
    assert "Black children 600.0 per 10,000 children, 1.50 times the 400.0" in black["label"]
    assert "(95% range 1.19 to 1.89)" in black["label"]
    assert "over-represented" in black["label"]
    white = out.loc["disparity_ethnicity_white"]  # 0.9375 with 300 of 400: lower
    assert white["value"] == pytest.approx((300 / 8000) / 0.04)
    assert white["upper_95"] < 1 and "under-represented" in white["label"]
    assert "missing from services" in white["label"]
    female = out.loc["disparity_sex_female"]  # 180/4900 against 400/10000: 0.918, not clear
    assert female["lower_95"] < 1 < female["upper_95"]
    assert "in line with their share" in female["label"] and "females" in female["label"]
    # No events in a group: ratio 0 and the exact Poisson upper limit for a count of 0.
    old = out.loc["disparity_age_16_plus"]
    assert old["value"] == 0 and old["lower_95"] == 0
    assert old["upper_95"] == pytest.approx(3.688879 / (400 * 800 / 10_000), rel=1e-5)
    assert "disparity_ethnicity_unknown" not in out.index
    assert set(out["geographic_level"]) == {"local_authority"}


def test_proportion_disparity_ratio_and_range_by_hand() -> None:
    ind = _indicator("rereferral_12m_pct", ["disparity_disability"])
    rows = [
        _row(0, "total", "total", 50, 200, indicator_id=ind.id),
        _row(0, "disability", "Disabled", 20, 50, indicator_id=ind.id),
        _row(0, "disability", "Not recorded", 3, 40, indicator_id=ind.id),
    ]
    out = signal_frame(_frame(rows, 100), [ind], NO_CONTEXT, _geo(1))
    assert list(out["measure"]) == ["disparity_disability_disabled"]
    row = out.iloc[0]
    # p1 = 0.4, P = 0.25: ratio 1.6; var = .6/20 + (20*.6 + 30*.8)/50^2 - 2*.6/50 = 0.0204
    sd = math.sqrt(0.6 / 20 + (20 * 0.6 + 30 * 0.8) / 50**2 - 2 * 0.6 / 50)
    assert sd == pytest.approx(math.sqrt(0.0204))
    assert row["value"] == pytest.approx(1.6)
    assert row["lower_95"] == pytest.approx(1.6 * math.exp(-Z * sd), rel=1e-6)
    assert row["upper_95"] == pytest.approx(1.6 * math.exp(Z * sd), rel=1e-6)
    assert "disabled children 40.0%, 1.60 times the 25.0% for all children" in row["label"]
    assert row["label"].endswith("higher than for all children.")


def test_log_ratio_variances_agree_with_simulation() -> None:
    rng = np.random.default_rng(8)
    reps = 200_000
    # Proportions: group 50 with p 0.4, rest 150 with p 0.2, as in the hand-worked case.
    a = rng.binomial(50, 0.4, reps)
    rest = rng.binomial(150, 0.2, reps)
    ok = a > 0
    log_ratio = np.log((a[ok] / 50) / ((a[ok] + rest[ok]) / 200))
    assert log_ratio.var() == pytest.approx(0.0204, rel=0.08)
    # Poisson rates: group mean 60, rest mean 340: 1/60 - 1/400.
    a = rng.poisson(60, reps)
    rest = rng.poisson(340, reps)
    log_ratio = np.log((a / 1000) / ((a + rest) / 10_000))
    assert log_ratio.var() == pytest.approx(1 / 60 - 1 / 400, rel=0.05)


def test_mean_disparity_by_hand() -> None:
    ind = _indicator("attainment8_cino_mean", ["disparity_sex"])
    t_g, t_all = stats.t.ppf(0.975, 19), stats.t.ppf(0.975, 99)
    rows = [
        _row(0, "total", "total", 100, np.nan, indicator_id=ind.id, value=40.0,
             lower_95=40 - t_all * 1.0, upper_95=40 + t_all * 1.0),
        _row(0, "sex", "Male", 20, np.nan, indicator_id=ind.id, value=30.0,
             lower_95=30 - t_g * 2.0, upper_95=30 + t_g * 2.0),
    ]  # fmt: skip
    out = signal_frame(_frame(rows, 1.0), [ind], NO_CONTEXT, _geo(1)).iloc[0]
    # ratio 0.75; var = (2/30)^2 + (1/40)^2 - 2 * (20/100) * 2^2 / (30 * 40)
    sd = math.sqrt((2 / 30) ** 2 + (1 / 40) ** 2 - 2 * 0.2 * 4 / 1200)
    assert out["measure"] == "disparity_sex_male"
    assert out["value"] == pytest.approx(0.75)
    assert out["numerator"] == pytest.approx(600) and out["denominator"] == pytest.approx(800)
    assert out["lower_95"] == pytest.approx(0.75 * math.exp(-Z * sd), rel=1e-6)
    assert out["upper_95"] == pytest.approx(0.75 * math.exp(Z * sd), rel=1e-6)
    assert out["label"].endswith("lower than for all children.")
    assert "males 30.0 points, 0.75 times the 40.0 for all children" in out["label"]


@pytest.mark.parametrize("status", ["c", "x", "z", "k"])
def test_no_signal_from_a_suppressed_group(status: str) -> None:
    ind = _indicator("cin_rate", ["disparity_ethnicity"])
    # The count is left in place on purpose: the status alone must keep it out.
    rows = _rate_area(status=status)
    out = signal_frame(_frame(rows), [ind], NO_CONTEXT, _geo(1))
    assert "disparity_ethnicity_black" not in set(out["measure"])
    assert "disparity_ethnicity_white" in set(out["measure"])
    assert not (out["numerator"] == 60).any()


def test_no_signal_when_the_total_is_suppressed() -> None:
    ind = _indicator("cin_rate", ["disparity_ethnicity", "disparity_sex"])
    rows = _rate_area(0) + _rate_area(1)
    rows[0].update(numerator=np.nan, value=np.nan, status="c")
    out = signal_frame(_frame(rows), [ind], NO_CONTEXT, _geo(2))
    assert set(out["area_code"]) == {"E08000001"}


def test_only_listed_signals_and_only_la_rows() -> None:
    ind = _indicator("cin_rate", ["disparity_sex"])
    england = _row(0, "sex", "Female", 5000, 1e5, geographic_level="national", area_code="E92")
    rows = [*_rate_area(0), england]
    out = signal_frame(_frame(rows), [ind], NO_CONTEXT, _geo(1))
    assert list(out["measure"]) == ["disparity_sex_female"]
    assert list(out.columns) == COLUMNS
    none = signal_frame(_frame(rows), [_indicator("cin_rate", [])], NO_CONTEXT, _geo(1))
    assert none.empty and list(none.columns) == COLUMNS


# ---------------------------------------------------------------- context
def _baseline_engine(rows: list[tuple[int, str, str, float, float]]) -> sa.Engine:
    engine = sa.create_engine("sqlite://")
    edu_la_baseline.to_metadata(sa.MetaData()).create(engine)
    with engine.begin() as conn:
        conn.execute(
            edu_la_baseline.insert(),
            [
                dict(
                    zip(["year", "la_code", "measure", "numerator", "denominator"], r, strict=True)
                )
                for r in rows
            ],
        )
    return engine


def test_read_context_returns_the_fsm_share() -> None:
    engine = _baseline_engine(
        [
            (2025, "805", "fsm_eligible", 3_000.0, 12_000.0),
            (2025, "805", "ks2_rwm_expected", 500.0, 900.0),
            (2024, "202", "fsm_eligible", 1_000.0, 8_000.0),
        ]
    )
    with engine.connect() as conn:
        ctx = read_context(conn).sort_values("year").reset_index(drop=True)
    assert list(ctx.columns) == ["year", "la_code", "fsm_share"]
    assert ctx.to_dict("records") == [
        {"year": 2024, "la_code": "202", "fsm_share": 0.125},
        {"year": 2025, "la_code": "805", "fsm_share": 0.25},
    ]


def test_read_context_names_a_bad_row() -> None:
    engine = _baseline_engine([(2025, "805", "fsm_eligible", 13_000.0, 12_000.0)])
    with engine.connect() as conn, pytest.raises(ValueError, match="LA 805, year 2025"):
        read_context(conn)


# ---------------------------------------------------------------- on a built database
def test_signals_from_a_built_database(small_db: str) -> None:
    from data.engine import make_engine

    engine = make_engine(small_db)
    try:
        with engine.connect() as conn:
            context = read_context(conn)
            values = pd.read_sql(sa.text("SELECT * FROM indicator_values"), conn)
            geo = pd.read_sql(
                sa.text("SELECT dfe_la_code AS la_code, ons_code AS area_code FROM ref_la"), conn
            )
    finally:
        engine.dispose()
    # One FSM share per LA and year of the small build, each a fraction.
    assert len(context) == 9 and context["fsm_share"].between(0.02, 0.7).all()
    ind = _indicator("cin_rate", ["expected_rate", "disparity_ethnicity"])
    out = signal_frame(values, [ind], context, geo)
    assert not (out["measure"] == "expected_rate").any()  # three LAs are too few to fit
    groups = values[
        (values["indicator_id"] == "cin_rate")
        & (values["geographic_level"] == "local_authority")
        & (values["breakdown"] == "ethnicity_group")
        & (values["breakdown_value"] != "Unknown")
    ]
    shown = groups[groups["status"].fillna("") == ""]
    assert len(out) > 0 and len(out) <= len(shown)
    merged = out.assign(breakdown_value=out["measure"].str.removeprefix("disparity_ethnicity_"))
    key = shown.assign(breakdown_value=shown["breakdown_value"].str.lower())
    joined = merged.merge(key, on=["time_period", "area_code", "breakdown_value"], how="left")
    np.testing.assert_allclose(joined["numerator_x"], joined["numerator_y"])
