"""Education outcomes: linkage rules on a hand-built LA, and group levels pooled over all LAs.

The lead's life-course simulation is not ready, so the CIN and 903 tables here are built by hand
with known statuses, birth dates and UPNs; expectations come from that construction.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from data.schema import edu_la_baseline, edu_pupil
from data.synth.education import generate_education
from data.synth.latent import LAFactors, draw_factors

SEED = 11
STATUSES = ("cino", "cppo", "cla12", "cla_short", "closed", "none")
STATUS_P = (0.36, 0.18, 0.22, 0.06, 0.10, 0.08)


def build_tables(n: int, seed: int) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """CIN and 903 tables for ``n`` children of one LA, returned in 2024 and 2025, plus the truth
    (status at 31 March 2025, UPN, validity, birth date) used to compute expectations."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"C{i:05d}" for i in range(n)])
    status = rng.choice(STATUSES, n, p=STATUS_P)
    birth = pd.to_datetime("2007-04-01") + pd.to_timedelta(rng.integers(0, 18 * 365, n), "D")
    kind = rng.choice(["full", "temp", "un", "none", "bad"], n, p=[0.8, 0.05, 0.08, 0.04, 0.03])
    digits = rng.integers(10**11, 10**12 - 1, n)
    upn = np.select(
        [kind == "full", kind == "temp", kind == "un", kind == "bad"],
        [
            np.char.add("A", np.char.zfill(digits.astype(str), 12)),
            np.char.add(np.char.add("B", (digits // 10).astype(str)), "Z"),
            np.full(n, "UN2"),
            np.char.add("A", (digits // 10).astype(str)),  # 11 digits: malformed
        ],
        "",
    ).astype(object)
    upn[upn == ""] = None
    truth = pd.DataFrame(
        {"child_id": ids, "status": status, "upn": upn, "valid": np.isin(kind, ["full", "temp"])}
    )
    truth["birth_date"] = birth

    referral = np.where(status == "closed", "2024-05-01", "2023-06-01")
    closure = np.where(status == "closed", "2024-09-01", None)
    cin_rows = status != "none"
    episodes = pd.DataFrame(
        {
            "child_id": ids,
            "episode_id": np.char.add("E", ids),
            "referral_date": pd.to_datetime(referral),
            "referral_source": "1A",
            "primary_need": "N1",
            "closure_date": pd.to_datetime(closure),
            "closure_reason": np.where(status == "closed", "RC8", None),
            "referral_nfa": False,
            "date_initial_cpc": pd.NaT,
        }
    )[cin_rows]
    cpp = pd.DataFrame(
        {
            "child_id": ids,
            "episode_id": np.char.add("E", ids),
            "cpp_id": np.char.add("P", ids),
            "start_date": pd.Timestamp("2024-06-01"),
            "end_date": pd.NaT,
            "initial_category": "NEG",
            "latest_category": "NEG",
            "previous_cpp": 0,
        }
    )[status == "cppo"]
    cla_mask = np.isin(status, ["cla12", "cla_short"])
    decom = np.where(status == "cla12", "2022-01-10", "2024-10-01")
    # CLA12 children have two episodes joined on the same day, to exercise the spell logic.
    first = pd.DataFrame({"child": ids, "decom": pd.to_datetime(decom), "dec": pd.NaT})[cla_mask]
    first.loc[first["decom"] < "2023-01-01", "dec"] = pd.Timestamp("2023-03-01")
    second = first[first["dec"].notna()].assign(decom=pd.Timestamp("2023-03-01"), dec=pd.NaT)
    cla_ep = pd.concat([first, second], ignore_index=True)
    cla_ep = cla_ep.assign(
        rne="S", ls="C2", cin="N1", place="U1", place_provider="PR1", rec=None,
        reason_place_change=None, home_post=None, pl_post=None, urn=None, pl_distance=None,
        pl_la=None, pl_location=None,
    )  # fmt: skip
    child = pd.DataFrame(
        {
            "child_id": ids,
            "upn": upn,
            "former_upn": None,
            "upn_unknown": np.where(kind == "un", "UN2", None),
            "birth_date": birth,
            "expected_birth_date": pd.NaT,
            "sex": "F",
            "death_date": pd.NaT,
            "ethnicity": "WBRI",
        }
    )[cin_rows]
    header = pd.DataFrame(
        {
            "child": ids,
            "sex": "F",
            "dob": birth,
            "ethnic": "WBRI",
            "upn": upn,
            "mother": None,
            "mc_dob": pd.NaT,
        }
    )[cla_mask]

    def both_years(frame: pd.DataFrame) -> pd.DataFrame:
        return pd.concat(
            [frame.assign(year=y, la_code="999") for y in (2024, 2025)], ignore_index=True
        )

    tables = {
        "cin_child": both_years(child),
        "cin_episode": both_years(episodes),
        "cin_cpp": both_years(cpp),
        "cla_header": both_years(header),
        "cla_episode": both_years(cla_ep),
    }
    return tables, truth


def _age_31_aug(birth: pd.Series, year: int) -> pd.Series:
    ref = date(year - 1, 8, 31)
    return birth.map(
        lambda b: ref.year - b.year - ((b.month, b.day) > (ref.month, ref.day))
    ).astype(int)


@pytest.fixture(scope="module")
def factors() -> LAFactors:
    return next(iter(draw_factors(SEED).values()))


@pytest.fixture(scope="module")
def small() -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    return build_tables(400, 5)


def test_columns_match_schema(small, factors) -> None:
    out = generate_education(small[0], factors, range(2024, 2026), SEED, clean=False)
    assert list(out["edu_pupil"].columns) == [c.name for c in edu_pupil.columns]
    assert list(out["edu_la_baseline"].columns) == [c.name for c in edu_la_baseline.columns]


def test_deterministic_and_seed_sensitive(small, factors) -> None:
    a = generate_education(small[0], factors, range(2024, 2026), SEED, clean=False)
    b = generate_education(small[0], factors, range(2024, 2026), SEED, clean=False)
    c = generate_education(small[0], factors, range(2024, 2026), SEED + 1, clean=False)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["edu_pupil"].equals(c["edu_pupil"])


def test_rows_only_for_valid_known_school_age_upns(small, factors) -> None:
    tables, truth = small
    pupil = generate_education(tables, factors, range(2025, 2026), SEED, clean=True)["edu_pupil"]
    age = _age_31_aug(truth["birth_date"], 2025)
    expected = truth[truth["valid"] & (truth["status"] != "none") & age.between(4, 15)]
    assert sorted(pupil["upn"]) == sorted(expected["upn"])
    assert pupil["upn"].is_unique
    assert (pupil["year"] == 2025).all() and (pupil["la_code"] == factors.la_code).all()


def test_unclean_drops_a_few_unmatched_upns(small, factors) -> None:
    tables, _ = build_tables(3000, 8)
    years = range(2024, 2026)
    clean = generate_education(tables, factors, years, SEED, clean=True)["edu_pupil"]
    messy = generate_education(tables, factors, years, SEED, clean=False)["edu_pupil"]
    assert set(messy["upn"]) <= set(clean["upn"])
    lost = 1 - len(messy) / len(clean)
    assert 0.005 < lost < 0.04


def test_cohort_fields_follow_age(small, factors) -> None:
    tables, truth = small
    pupil = generate_education(tables, factors, range(2025, 2026), SEED, clean=True)["edu_pupil"]
    age = pupil["upn"].map(
        dict(zip(truth["upn"], _age_31_aug(truth["birth_date"], 2025), strict=True))
    )
    assert pupil["ks2_rwm_expected"].notna().eq(age == 10).all()
    assert pupil["attainment8"].notna().eq(age == 15).all()
    assert pupil["eyfs_gld"].notna().eq(age == 4).all()
    assert pupil["sessions_possible"].notna().eq(age.between(5, 15)).all()
    sessions = pupil.dropna(subset=["sessions_possible"])
    assert sessions["sessions_possible"].between(100, 330).all()
    assert (sessions["sessions_missed"] <= sessions["sessions_possible"]).all()
    assert (sessions["sessions_missed"] >= 0).all()
    assert pupil["attainment8"].dropna().between(0, 90).all()


def _shift_years(tables: dict[str, pd.DataFrame], years: int) -> dict[str, pd.DataFrame]:
    out = {}
    for name, frame in tables.items():
        frame = frame.copy()
        frame["year"] -= years
        for col in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[col]):
                frame[col] = frame[col] - pd.DateOffset(years=years)
        out[name] = frame
    return out


def test_no_ks2_or_eyfs_in_covid_years_and_no_absence_2020(factors) -> None:
    tables = _shift_years(build_tables(600, 3)[0], 4)  # returns for 2020 and 2021
    pupil = generate_education(tables, factors, range(2020, 2022), SEED, clean=True)["edu_pupil"]
    assert (pupil["year"] == 2020).any() and (pupil["year"] == 2021).any()
    assert pupil["ks2_rwm_expected"].isna().all()
    assert pupil["eyfs_gld"].isna().all()
    assert pupil.loc[pupil["year"] == 2020, "sessions_possible"].isna().all()
    assert pupil.loc[pupil["year"] == 2021, "sessions_possible"].notna().any()


# ----------------------------------------------------------------------- England-level levels
TARGETS_2025 = {
    # group: overall absence %, persistent %, severe %, KS2 %, Attainment 8
    "cino": (17.4, 46.0, 11.3, 30, 17.3),
    "cppo": (21.8, 55.4, 15.4, 32, 16.9),
    "cla12": (9.0, 20.3, 6.4, 35, 17.3),
}


@pytest.fixture(scope="module")
def pooled() -> pd.DataFrame:
    """Hand-built LAs (different children each) generated under 30 LAs' factors and pooled, so
    LA effects average out as they do in an England total."""
    out = []
    for i, f in enumerate(list(draw_factors(SEED).values())[::5]):
        tables, truth = build_tables(600, 100 + i)
        pupil = generate_education(tables, f, range(2025, 2026), SEED, clean=True)["edu_pupil"]
        status = dict(zip(truth["upn"], truth["status"], strict=True))
        out.append(pupil.assign(status=pupil["upn"].map(status)))
    return pd.concat(out, ignore_index=True)


def _close(value: float, target: float, n: int, sd: float) -> bool:
    """Within 5% of the target, or within 3 standard errors when the pooled sample is too small
    for 5% to be resolvable (KS2 and Attainment 8 cohorts are single year groups)."""
    return abs(value - target) <= max(0.05 * target, 3 * sd / np.sqrt(n))


@pytest.mark.slow
@pytest.mark.parametrize("group", sorted(TARGETS_2025))
def test_england_group_levels_2025(pooled, group) -> None:
    g = pooled[pooled["status"] == group]
    s = g.dropna(subset=["sessions_possible"])
    rate = s["sessions_missed"].astype(float) / s["sessions_possible"].astype(float)
    overall, persistent, severe, ks2_target, a8_target = TARGETS_2025[group]
    assert 100 * s["sessions_missed"].sum() / s["sessions_possible"].sum() == pytest.approx(
        overall, rel=0.05
    )
    assert 100 * (rate >= 0.1).mean() == pytest.approx(persistent, rel=0.05)
    p_severe = severe / 100
    assert _close(
        100 * (rate >= 0.5).mean(), severe, len(s), 100 * np.sqrt(p_severe * (1 - p_severe))
    )
    ks2 = g["ks2_rwm_expected"].dropna().astype(float)
    assert _close(100 * ks2.mean(), ks2_target, len(ks2), 50.0)
    a8 = g["attainment8"].dropna()
    assert _close(a8.mean(), a8_target, len(a8), 15.0)


def test_baseline_england_levels(factors) -> None:
    empty = {k: v.iloc[0:0] for k, v in build_tables(5, 1)[0].items()}
    frames = [
        generate_education(empty, f, range(2025, 2026), SEED, clean=True)["edu_la_baseline"]
        for f in draw_factors(SEED).values()
    ]
    base = pd.concat(frames).groupby("measure")[["numerator", "denominator"]].sum()
    ratio = base["numerator"] / base["denominator"]
    assert 100 * ratio["absence_overall"] == pytest.approx(6.9, rel=0.05)
    assert 100 * ratio["persistent_absence"] == pytest.approx(19.5, rel=0.05)
    assert 100 * ratio["ks2_rwm_expected"] == pytest.approx(62, rel=0.05)
    assert ratio["attainment8"] == pytest.approx(45.9, rel=0.05)
    assert 100 * ratio["eyfs_gld"] == pytest.approx(68.3, rel=0.05)
    # Cohorts are about one eighteenth of the 0-17 population.
    population = sum(f.population_0_17 for f in draw_factors(SEED).values())
    assert base.loc["ks2_rwm_expected", "denominator"] == pytest.approx(population / 18, rel=0.1)


def test_more_deprived_las_have_higher_baseline_absence() -> None:
    base = draw_factors(SEED)["805"]
    empty = {k: v.iloc[0:0] for k, v in build_tables(5, 1)[0].items()}
    rates = []
    for dep in (-1.5, 1.5):
        f = dataclasses.replace(base, deprivation=dep)
        b = generate_education(empty, f, range(2025, 2026), SEED, clean=True)["edu_la_baseline"]
        row = b[b["measure"] == "absence_overall"].iloc[0]
        rates.append(row["numerator"] / row["denominator"])
    assert rates[1] > rates[0]
