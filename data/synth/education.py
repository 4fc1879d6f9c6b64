"""Synthetic school outcomes for children known to social care, linked by UPN only.

DfE's outcomes publication matches the CIN census to the school census by UPN, so a child without a
valid UPN (unborn, under school age, an UN code, a typo) never gets an education record, and a
share of valid UPNs still fails to match. We reproduce both: rows exist only for valid UPNs found
in the LA's own CIN and 903 tables, and, when not clean, about 2% of them are dropped as unmatched.

Outcomes depend on the child's social care status at 31 March (looked after 12 months, on a plan,
in need, or only known earlier in the year), on an LA effect drawn from deprivation and local
noise, and on a child-level latent that persists across years (the same UPN keeps a similar
absence level and is less likely to reach the expected standard when it is absent a lot).

Assumptions (documented because no published child-level figure pins them):
- Age is taken on 31 August before the academic year starts: reception = 4 (EYFS profile at the
  end of the year, when the child is 5), year 6 = 10 (KS2), year 11 = 15 (KS4); absence covers
  ages 5-15 (years 1-11). Rows exist for ages 4-15.
- Absence was not published for 2019/20 (schools closed), so sessions are null for 2020.
- KS2 and the EYFS profile were not assessed in 2019/20 and 2020/21: null in 2020 and 2021.
  KS4 grades in those years were centre- and teacher-assessed and higher; Attainment 8 follows.
- EYFS good level of development: about 42% for children in need against about 68% for all
  pupils in 2025 (roughly the gap published for disadvantaged pupils, widened for social care).
- Children known during the year but not in need on 31 March, and children looked after for
  under 12 months, have no published target; they sit between the neighbouring groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, ndtr, ndtri
from scipy.stats import gamma

from data.synth.latent import LAFactors, la_rng, population_0_17

GROUPS = ("cla12", "cla_short", "cppo", "cino", "known")

# Overall absence %, persistent (>=10%) %, severe (>=50%) %, by group and academic year end.
# 2025 values are the published England figures; earlier years follow the published series where
# one exists (CINO 2019 and 2024, CLA12 PA 2017/2019/2022, CLA12 severe 2019) and are otherwise
# interpolated or scaled from CINO's shape. 2020 is absent on purpose.
ABSENCE = {
    "cino": {
        2017: (11.2, 32.0, 4.3), 2018: (11.4, 32.8, 4.5), 2019: (11.5, 33.3, 4.6),
        2021: (14.0, 39.0, 7.0), 2022: (17.2, 47.0, 9.8), 2023: (18.1, 48.5, 11.0),
        2024: (17.7, 47.0, 11.4), 2025: (17.4, 46.0, 11.3), 2026: (17.2, 45.5, 11.2),
    },
    "cla12": {
        2017: (5.0, 11.2, 2.0), 2018: (5.2, 11.6, 2.2), 2019: (5.3, 12.1, 2.3),
        2021: (6.5, 15.0, 3.5), 2022: (8.4, 19.1, 5.0), 2023: (9.0, 20.5, 6.0),
        2024: (9.1, 20.6, 6.3), 2025: (9.0, 20.3, 6.4), 2026: (8.9, 20.0, 6.4),
    },
}  # fmt: skip
ABSENCE_2025 = {"cppo": (21.8, 55.4, 15.4)}
# KS2 reading, writing and maths at the expected standard, % (no 2020, 2021).
KS2 = {
    "all": {2017: 61, 2018: 64, 2019: 65, 2022: 59, 2023: 59, 2024: 61, 2025: 62, 2026: 62},
    "cino": {2017: 32, 2018: 34, 2019: 35, 2022: 28, 2023: 28, 2024: 29, 2025: 30, 2026: 30},
    "cppo": {2017: 33, 2018: 35, 2019: 36, 2022: 30, 2023: 30, 2024: 31, 2025: 32, 2026: 32},
    "cla12": {2017: 32, 2018: 35, 2019: 37, 2022: 32, 2023: 32, 2024: 34, 2025: 35, 2026: 35},
}
# Attainment 8 mean points.
ATTAINMENT8 = {
    "all": {
        2017: 46.4, 2018: 46.6, 2019: 46.7, 2020: 50.2, 2021: 50.9,
        2022: 48.8, 2023: 46.4, 2024: 46.1, 2025: 45.9, 2026: 46.0,
    },
    "cino": {
        2017: 18.9, 2018: 18.6, 2019: 18.5, 2020: 21.0, 2021: 22.5,
        2022: 19.8, 2023: 18.2, 2024: 17.6, 2025: 17.3, 2026: 17.2,
    },
    "cla12": {
        2017: 19.2, 2018: 18.8, 2019: 19.0, 2020: 21.4, 2021: 23.2,
        2022: 20.3, 2023: 18.3, 2024: 17.7, 2025: 17.3, 2026: 17.2,
    },
}  # fmt: skip
# EYFS good level of development, % (not assessed 2020, 2021; new framework from 2022).
EYFS_ALL = {2017: 70.7, 2018: 71.5, 2019: 71.8, 2022: 65.2, 2023: 67.2, 2024: 67.7, 2025: 68.3,
            2026: 68.5}  # fmt: skip
EYFS_GAP = {"cino": 26.0, "cppo": 28.0, "cla12": 23.0, "cla_short": 27.0, "known": 23.0}
# All-pupil absence (overall %, persistent %, severe %).
ABSENCE_ALL = {
    2017: (4.7, 10.8, 0.7), 2018: (4.8, 11.2, 0.8), 2019: (4.7, 10.9, 0.8),
    2021: (4.6, 12.1, 1.1), 2022: (7.6, 22.5, 1.7), 2023: (7.4, 22.3, 2.0),
    2024: (7.1, 20.7, 2.2), 2025: (6.9, 19.5, 2.3), 2026: (6.8, 19.0, 2.3),
}  # fmt: skip

# Pupils eligible for free school meals, % of all pupils in the January school census (DfE
# "Schools, pupils and their characteristics"). 2026 is held at the 2025 level (not published).
FSM_ALL = {2017: 14.1, 2018: 13.6, 2019: 15.4, 2020: 17.3, 2021: 20.8, 2022: 22.5, 2023: 23.8,
           2024: 24.6, 2025: 25.7, 2026: 25.7}  # fmt: skip
# Log-odds of eligibility per standard deviation of deprivation, and of persistent local noise:
# about 10% to 45% across LAs (one or two outliers above) around England's 25.7% in 2025.
FSM_DEPRIVATION = 0.40
FSM_NOISE = 0.12
# Larger LAs are more deprived on average, so the pupil-weighted England share sits above the
# LA-level centre; this shift of the log-odds puts England back near the published level.
FSM_SHIFT = -0.05

UPN_PATTERN = r"^[A-Z](?:\d{12}|\d{11}[A-Z])$"
UNMATCHED_SHARE = 0.02
EDU_COLUMNS = [
    "year", "la_code", "upn", "sessions_possible", "sessions_missed", "ks2_rwm_expected",
    "attainment8", "eyfs_gld",
]  # fmt: skip
BASELINE_COLUMNS = ["year", "la_code", "measure", "numerator", "denominator"]
# Attainment 8: a share score zero (no qualifying entries); the rest are gamma distributed.
A8_ZERO_SHARE = 0.12
A8_SHAPE = 2.2


def absence_targets(group: str, year: int) -> tuple[float, float, float] | None:
    """(overall, persistent, severe) absence fractions for a group, or None when not published."""
    if year == 2020:
        return None
    year = min(max(year, 2017), 2026)
    cino = np.array(ABSENCE["cino"][year])
    if group == "cla12":
        vals = np.array(ABSENCE["cla12"][year])
    elif group in ("cppo", "cla_short"):
        # CPPO keeps its 2025 ratio to CINO in every year; recent entrants to care sit below it.
        vals = cino * np.array(ABSENCE_2025["cppo"]) / np.array(ABSENCE["cino"][2025])
        if group == "cla_short":
            vals = 0.85 * vals
    elif group == "known":
        vals = 0.9 * cino
    else:
        vals = cino
    return (float(vals[0]) / 100, float(vals[1]) / 100, float(vals[2]) / 100)


def _ks2_target(group: str, year: int) -> float | None:
    key = {"cla_short": "cppo", "known": "cino"}.get(group, group)
    value = KS2[key].get(year)
    if value is None:
        return None
    return (value + (4 if group == "known" else 0)) / 100


def _a8_target(group: str, year: int) -> float:
    y = min(max(year, 2017), 2026)
    if group in ("cla12",):
        return ATTAINMENT8["cla12"][y]
    cino = ATTAINMENT8["cino"][y]
    return {"cppo": cino - 0.4, "cla_short": cino - 1.5, "known": cino + 2.0}.get(group, cino)


def _eyfs_target(group: str, year: int) -> float | None:
    value = EYFS_ALL.get(year)
    return None if value is None else (value - EYFS_GAP[group]) / 100


# --------------------------------------------------------------------------- absence draws
def _absence_rate(q: np.ndarray, targets: tuple[float, float, float]) -> np.ndarray:
    """Absence rates at quantiles ``q`` of a three-band distribution that hits the targets.

    Below 10%, 10-50% and 50-100% hold 1-persistent, persistent-severe and severe of pupils; within
    a band the rate is lo + (hi - lo) * u**k, whose mean fraction of the band is 1/(k+1). The upper
    two bands have fixed shapes and the lowest band's shape absorbs the overall mean.
    """
    mean, persistent, severe = targets
    severe = min(severe, persistent - 1e-6)
    mid_share = persistent - severe
    low_share = 1 - persistent
    m3, m2 = 0.5 + 0.5 * 0.35, 0.1 + 0.4 * 0.28
    m1 = (mean - severe * m3 - mid_share * m2) / max(low_share, 1e-6)
    r1 = float(np.clip(m1 / 0.1, 0.05, 0.95))
    out = np.empty_like(q)
    low = q < low_share
    mid = (q >= low_share) & (q < low_share + mid_share)
    high = ~low & ~mid
    u1 = q[low] / max(low_share, 1e-9)
    u2 = (q[mid] - low_share) / max(mid_share, 1e-9)
    u3 = (q[high] - low_share - mid_share) / max(severe, 1e-9)
    out[low] = 0.1 * u1 ** (1 / r1 - 1)
    out[mid] = 0.1 + 0.4 * u2 ** (1 / 0.28 - 1)
    out[high] = 0.5 + 0.5 * np.clip(u3, 0, 1) ** (1 / 0.35 - 1)
    return out


def _la_shifts(factors: LAFactors, seed: int) -> dict[str, float]:
    """LA effects: deprivation raises absence and lowers attainment, plus local noise."""
    noise = la_rng(seed, factors.la_code, "ed:la").standard_normal(4)
    e = 0.6 * factors.deprivation
    return {
        "absence": float(np.exp(0.12 * (e + 0.8 * noise[0]))),
        "ks2": float(-0.12 * (e + 0.8 * noise[1])),
        "a8": float(np.exp(-0.10 * (e + 0.8 * noise[2]))),
        "eyfs": float(-0.10 * (e + 0.8 * noise[3])),
    }


def _child_latent(upn: pd.Series, seed: int) -> np.ndarray:
    """A standard-normal value per UPN that is the same in every year (hash of seed and UPN)."""
    key = f"{seed % 10**14:014d}ed"
    h = pd.util.hash_array(upn.to_numpy(dtype=object), hash_key=key)
    u = ((h >> np.uint64(11)).astype(np.float64) + 0.5) / float(2**53)
    return np.asarray(ndtri(u))


# --------------------------------------------------------------------------- cohorts
def _to_date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s)


def _valid_upn(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str).str.fullmatch(UPN_PATTERN)


def children_known_all(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per collection year and valid UPN known to social care that year, with the
    child's status on 31 March and birth date, for every year in the tables at once.

    Each year's return already holds exactly the episodes open at some point in that year, and
    nothing after its 31 March, so "known in the year" is "in that year's return" and "open on
    31 March" is "no end date". Ids are factorised to integers once so that the set logic runs
    on integers rather than on millions of strings.
    """
    ep, cpp = tables["cin_episode"], tables["cin_cpp"]
    cla = tables["cla_episode"]
    cla = cla[~cla["ls"].isin(["V3", "V4"])]
    cin_child, header = tables["cin_child"], tables["cla_header"]
    id_cols = [
        ep["child_id"],
        cpp["child_id"],
        cla["child"],
        cin_child["child_id"],
        header["child"],
    ]
    codes, uniques = pd.factorize(pd.concat(id_cols, ignore_index=True))
    n_codes = max(len(uniques), 1)
    frames = (ep, cpp, cla, cin_child, header)
    first_year = min((int(f["year"].min()) for f in frames if len(f)), default=0)
    last_year = max((int(f["year"].max()) for f in frames if len(f)), default=0)
    size = (last_year - first_year + 1) * n_codes
    bounds = np.cumsum([0, *(len(c) for c in id_cols)])
    # Dense child-year keys make every set a boolean array: membership is a lookup.
    keys = [
        (f["year"].to_numpy(np.int64) - first_year) * n_codes + codes[bounds[i] : bounds[i + 1]]
        for i, f in enumerate(frames)
    ]
    k_ep, k_cpp, k_cla, k_child, k_header = keys

    def member(k: np.ndarray) -> np.ndarray:
        flags = np.zeros(size, bool)
        flags[k] = True
        return flags

    known = member(k_ep) | member(k_cla)
    cin_31 = member(k_ep[ep["closure_date"].isna().to_numpy()])
    cpp_31 = member(k_cpp[cpp["end_date"].isna().to_numpy()])
    cla_31 = member(k_cla[cla["dec"].isna().to_numpy()])
    # The open period began at the latest episode with RNE S in the return, if that episode is
    # there at all; it is CLA12 unless that start is within the year (after 31 March a year ago).
    starts = cla["rne"].to_numpy(dtype=str) == "S"
    s_keys = k_cla[starts]
    s_decom = cla["decom"].to_numpy(dtype="datetime64[D]")[starts]
    s_year = s_keys // n_codes + first_year
    march = ((s_year - 1 - 1970) * 12 + 2).astype("datetime64[M]")
    year_ago = march.astype("datetime64[D]") + np.timedelta64(30, "D")  # 31 March a year earlier
    cla12 = cla_31 & ~member(s_keys[s_decom > year_ago])

    people = pd.concat(
        [
            pd.DataFrame(
                {
                    "key": k_child,
                    "upn": cin_child["upn"],
                    "birth_date": cin_child["birth_date"],
                    "_src": 0,
                }
            ),
            pd.DataFrame(
                {"key": k_header, "upn": header["upn"], "birth_date": header["dob"], "_src": 1}
            ),
        ],
        ignore_index=True,
    )
    people = people[_valid_upn(people["upn"]) & people["birth_date"].notna()]
    people = people.sort_values(["key", "_src"], kind="stable").drop_duplicates("key")
    people = people[known[people["key"].to_numpy()]]
    key = people["key"].to_numpy()
    group = np.select(
        [cla12[key], cla_31[key], cpp_31[key], cin_31[key]],
        ["cla12", "cla_short", "cppo", "cino"],
        "known",
    )
    out = pd.DataFrame(
        {
            "year": key // n_codes + first_year,
            "upn": people["upn"].to_numpy(),
            "child_id": np.asarray(uniques)[key % n_codes],
            "birth_date": _to_date(people["birth_date"]).to_numpy(),
            "group": group,
        }
    )
    # One row per UPN a year: if two records share a UPN, keep the most intensive status.
    out["_rank"] = out["group"].map({g: i for i, g in enumerate(GROUPS)})
    out = out.sort_values(["year", "upn", "_rank"]).drop_duplicates(["year", "upn"])
    return out.drop(columns="_rank").reset_index(drop=True)


def children_known(tables: dict[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """The children known to social care in collection ``year`` (see ``children_known_all``)."""
    known = children_known_all(tables)
    known = known[known["year"] == year]
    return known[["upn", "child_id", "birth_date", "group"]].reset_index(drop=True)


def _age_on(birth: pd.Series, when: pd.Timestamp) -> np.ndarray:
    b = pd.DatetimeIndex(birth)
    had_birthday = (b.month < when.month) | ((b.month == when.month) & (b.day <= when.day))
    return np.asarray(when.year - b.year - (~had_birthday).astype(int))


# --------------------------------------------------------------------------- generation
def generate_education(
    tables: dict[str, pd.DataFrame],
    factors: LAFactors,
    years: range,
    seed: int,
    clean: bool,
) -> dict[str, pd.DataFrame]:
    """``edu_pupil`` (children known to social care) and ``edu_la_baseline`` (all pupils)."""
    la = factors.la_code
    shifts = _la_shifts(factors, seed)
    frames = []
    no_records = tables["cin_episode"].empty and tables["cla_episode"].empty
    all_known = None if no_records else children_known_all(tables)
    for year in years:
        if all_known is None:
            continue
        known = all_known[all_known["year"] == year].drop(columns="year")
        age = _age_on(known["birth_date"], pd.Timestamp(f"{year - 1}-08-31"))
        known = known[(age >= 4) & (age <= 15)].assign(age=age[(age >= 4) & (age <= 15)])
        known = known.sort_values("upn").reset_index(drop=True)
        rng = la_rng(seed, la, f"ed{year}")
        if not clean:
            known = known[rng.random(len(known)) >= UNMATCHED_SHARE].reset_index(drop=True)
        frames.append(_outcomes(known, year, la, shifts, rng, seed))
    pupil = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({c: pd.Series(dtype=object) for c in EDU_COLUMNS})
    )
    return {"edu_pupil": pupil[EDU_COLUMNS], "edu_la_baseline": _baseline(factors, years, seed)}


def _outcomes(
    known: pd.DataFrame,
    year: int,
    la: str,
    shifts: dict[str, float],
    rng: np.random.Generator,
    seed: int,
) -> pd.DataFrame:
    n = len(known)
    age = known["age"].to_numpy()
    group = known["group"].to_numpy()
    child = _child_latent(known["upn"], seed)
    fresh = rng.standard_normal((n, 4))
    # Absence quantile: mostly the child's persistent level, partly this year's circumstances.
    q_abs = ndtr(0.7 * child + 0.714 * fresh[:, 0])
    school_age = (age >= 5) & (age <= 15)
    targets_known = absence_targets("cino", year) is not None
    possible = np.where(rng.random(n) < 0.08, rng.integers(150, 300, n), rng.integers(300, 331, n))
    rate = np.zeros(n)
    for g in GROUPS:
        t = absence_targets(g, year)
        m = group == g
        if t is None or not m.any():
            continue
        k = shifts["absence"]
        scaled = (min(t[0] * k, 0.6), min(t[1] * k**0.8, 0.95), min(t[2] * k**1.5, 0.6))
        rate[m] = _absence_rate(q_abs[m], scaled)
    has_absence = school_age & targets_known
    missed = np.round(rate * possible).astype(np.int64)

    # Attainment: pass if a probit latent, correlated with absence, falls below the threshold.
    latent_ks2 = 0.5 * child + 0.866 * fresh[:, 1]
    latent_a8 = 0.5 * child + 0.866 * fresh[:, 2]
    latent_eyfs = 0.3 * child + 0.954 * fresh[:, 3]
    ks2 = np.full(n, np.nan)
    a8 = np.full(n, np.nan)
    eyfs = np.full(n, np.nan)
    for g in GROUPS:
        m = group == g
        if not m.any():
            continue
        p_ks2 = _ks2_target(g, year)
        cohort = m & (age == 10)
        if p_ks2 is not None and cohort.any():
            ks2[cohort] = latent_ks2[cohort] < ndtri(p_ks2) + shifts["ks2"]
        p_eyfs = _eyfs_target(g, year)
        cohort = m & (age == 4)
        if p_eyfs is not None and cohort.any():
            eyfs[cohort] = latent_eyfs[cohort] < ndtri(p_eyfs) + shifts["eyfs"]
        cohort = m & (age == 15)
        if cohort.any():
            mean = _a8_target(g, year) * shifts["a8"]
            q = ndtr(-latent_a8[cohort])
            scale = mean / (1 - A8_ZERO_SHARE) / A8_SHAPE
            pos = np.clip((q - A8_ZERO_SHARE) / (1 - A8_ZERO_SHARE), 1e-9, 1 - 1e-9)
            score = np.where(q < A8_ZERO_SHARE, 0.0, gamma.ppf(pos, A8_SHAPE, scale=scale))
            a8[cohort] = np.round(np.minimum(score, 90.0), 1)

    def nullable_bool(values: np.ndarray) -> pd.Series:
        return pd.Series(values, dtype="float").map({1.0: True, 0.0: False}).astype("boolean")

    return pd.DataFrame(
        {
            "year": np.full(n, year),
            "la_code": la,
            "upn": known["upn"].to_numpy(dtype=object),
            "sessions_possible": pd.array(np.where(has_absence, possible, 0), dtype="Int64"),
            "sessions_missed": pd.array(np.where(has_absence, missed, 0), dtype="Int64"),
            "ks2_rwm_expected": nullable_bool(ks2),
            "attainment8": a8,
            "eyfs_gld": nullable_bool(eyfs),
        }
    ).pipe(_null_absent_sessions, has_absence)


def _null_absent_sessions(frame: pd.DataFrame, has_absence: np.ndarray) -> pd.DataFrame:
    frame.loc[~has_absence, ["sessions_possible", "sessions_missed"]] = pd.NA
    return frame


def _baseline(factors: LAFactors, years: range, seed: int) -> pd.DataFrame:
    """All-pupil numerators and denominators from the LA's child population and deprivation."""
    la = factors.la_code
    noise = la_rng(seed, la, "ed:base").standard_normal(4)
    dep = factors.deprivation
    rows: list[tuple[int, str, str, float, float]] = []
    for year in years:
        rng = la_rng(seed, la, f"eb{year}")
        per_year_group = population_0_17(factors, year) / 18 * 0.93  # state-funded share
        absence = ABSENCE_ALL.get(year)
        if absence is not None:
            pupils = round(per_year_group * 11)
            k = float(np.exp(0.10 * dep + 0.06 * noise[0]))
            possible = pupils * 320.0
            rows.append((year, la, "absence_overall", possible * absence[0] / 100 * k, possible))
            for measure, value, power in (
                ("persistent_absence", absence[1], 1.3),
                ("severe_absence", absence[2], 2.0),
            ):
                p = min(value / 100 * k**power, 0.9)
                rows.append((year, la, measure, float(rng.binomial(pupils, p)), float(pupils)))
        cohort = max(round(per_year_group), 1)
        ks2 = KS2["all"].get(year)
        if ks2 is not None:
            p = float(ndtr(ndtri(ks2 / 100) - 0.12 * dep + 0.05 * noise[1]))
            rows.append((year, la, "ks2_rwm_expected", float(rng.binomial(cohort, p)), cohort))
        a8 = ATTAINMENT8["all"][min(max(year, 2017), 2026)]
        mean = a8 * float(np.exp(-0.06 * dep + 0.03 * noise[2]))
        rows.append((year, la, "attainment8", round(mean * cohort, 1), float(cohort)))
        eyfs = EYFS_ALL.get(year)
        if eyfs is not None:
            p = float(ndtr(ndtri(eyfs / 100) - 0.10 * dep + 0.05 * noise[3]))
            rows.append((year, la, "eyfs_gld", float(rng.binomial(cohort, p)), float(cohort)))
        rows.append(_fsm_row(factors, year, seed))
    out = pd.DataFrame(rows, columns=BASELINE_COLUMNS)
    out["numerator"] = out["numerator"].astype(float)
    out["denominator"] = out["denominator"].astype(float)
    return out


def _fsm_row(factors: LAFactors, year: int, seed: int) -> tuple[int, str, str, float, float]:
    """Free school meal eligibility, the deprivation figure the hidden-need signals adjust for.

    Drawn from streams of its own (``ed:fsm`` for the LA's persistent noise, ``fsm<year>`` for
    the count), so adding it left every other generated value unchanged."""
    la = factors.la_code
    noise = float(la_rng(seed, la, "ed:fsm").standard_normal())
    share = FSM_ALL[min(max(year, 2017), 2026)] / 100
    logit = (
        np.log(share / (1 - share))
        + FSM_SHIFT
        + FSM_DEPRIVATION * factors.deprivation
        + FSM_NOISE * noise
    )
    pupils = round(population_0_17(factors, year) / 18 * 0.93 * 14)  # reception to year 13
    eligible = la_rng(seed, la, f"fsm{year}").binomial(pupils, float(expit(logit)))
    return (year, la, "fsm_eligible", float(eligible), float(pupils))
