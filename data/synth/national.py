"""National shape of the simulation: volumes by year and the published mixes it draws from.

Every number here is a published England figure (DfE children in need, children looked after
and workforce statistics; see docs/design/calibration_targets.csv) or, where marked, our
interpolation between published years. Keeping them as data, apart from the mechanics, lets a
reader check each against its source.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# Referrals in the year to 31 March (DfE CIN statistics; 2017-2019 and 2021 from the same series,
# 2026 our carry-forward, earlier years a flat 620k to seed histories).
REFERRALS = {
    2017: 646_120,
    2018: 655_630,
    2019: 650_930,
    2020: 642_980,
    2021: 597_760,
    2022: 650_270,
    2023: 640_430,
    2024: 621_880,
    2025: 632_830,
    2026: 630_000,
}
REFERRALS_BEFORE_2017 = 620_000

# Unaccompanied asylum-seeking children starting to be looked after (DfE CLA statistics; 2025
# is 22% of 32,270 starts; 2026 ours).
UASC_STARTS = {
    2014: 1_900,
    2015: 2_700,
    2016: 4_600,
    2017: 3_200,
    2018: 2_900,
    2019: 3_800,
    2020: 3_700,
    2021: 2_100,
    2022: 6_200,
    2023: 7_400,
    2024: 6_800,
    2025: 5_800,
    2026: 6_000,
}
UASC_STARTS_BEFORE = 1_200

AGE_BANDS_REFERRAL = {
    # (probability, min age, max age inclusive); -1 means unborn at referral
    "unborn": (0.025, -1, -1),
    "under1": (0.070, 0, 0),
    "1-4": (0.170, 1, 4),
    "5-9": (0.240, 5, 9),
    "10-15": (0.370, 10, 15),
    "16-17": (0.125, 16, 17),
}

# Ethnic mix of the child population by region (Census 2021, under-18s, rounded) and the relative
# likelihood of social-care contact by group (the known disproportionality: Mixed and Black
# children over-represented, Asian children under-represented).
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other")
REGION_ETHNIC_MIX = {
    "E12000001": (0.88, 0.03, 0.06, 0.02, 0.01),
    "E12000002": (0.79, 0.05, 0.12, 0.03, 0.01),
    "E12000003": (0.78, 0.05, 0.13, 0.03, 0.01),
    "E12000004": (0.79, 0.06, 0.10, 0.04, 0.01),
    "E12000005": (0.68, 0.07, 0.17, 0.06, 0.02),
    "E12000006": (0.80, 0.06, 0.07, 0.05, 0.02),
    "E12000007": (0.43, 0.11, 0.21, 0.17, 0.08),
    "E12000008": (0.81, 0.06, 0.08, 0.03, 0.02),
    "E12000009": (0.89, 0.05, 0.03, 0.02, 0.01),
}
CONTACT_MULTIPLIER = np.array([1.0, 1.75, 0.55, 1.35, 1.05])
ETHNIC_CODES = {
    "White": (("WBRI", 0.86), ("WIRI", 0.01), ("WIRT", 0.01), ("WOTH", 0.11), ("WROM", 0.01)),
    "Mixed": (("MWBC", 0.35), ("MWBA", 0.15), ("MWAS", 0.15), ("MOTH", 0.35)),
    "Asian": (("AIND", 0.25), ("APKN", 0.35), ("ABAN", 0.15), ("AOTH", 0.25)),
    "Black": (("BCRB", 0.25), ("BAFR", 0.60), ("BOTH", 0.15)),
    "Other": (("CHNE", 0.10), ("OOTH", 0.90)),
}

REFERRAL_SOURCES = (
    ("1A", 0.035),
    ("1B", 0.008),
    ("1C", 0.008),
    ("1D", 0.005),
    ("2A", 0.206),
    ("2B", 0.010),
    ("3A", 0.020),
    ("3B", 0.020),
    ("3C", 0.005),
    ("3D", 0.020),
    ("3E", 0.030),
    ("3F", 0.057),
    ("4", 0.015),
    ("5A", 0.050),
    ("5B", 0.030),
    ("5C", 0.025),
    ("5D", 0.040),
    ("6", 0.283),
    ("7", 0.020),
    ("8", 0.040),
    ("9", 0.008),
    ("10", 0.041),
)

PRIMARY_NEED_IN_NEED = (
    ("N1", 0.545),
    ("N2", 0.0),
    ("N3", 0.065),
    ("N4", 0.075),
    ("N5", 0.165),
    ("N6", 0.030),
    ("N7", 0.010),
    ("N8", 0.060),
    ("N0", 0.050),
)
PRIMARY_NEED_NOT_IN_NEED = (("N9", 0.55), ("N0", 0.30), ("N4", 0.08), ("N5", 0.07))
PRIMARY_NEED_CLA = (
    ("N1", 0.70),
    ("N2", 0.025),
    ("N3", 0.03),
    ("N4", 0.06),
    ("N5", 0.13),
    ("N6", 0.03),
    ("N7", 0.005),
    ("N8", 0.02),
)

# Factors identified at the end of assessment: probability per completed assessment that found
# need (2025 rate per 10,000 children / ~533 assessments per 10,000), and whether it is seen only
# in children aged 10 or over. Scaled once against the national build (the age weighting and
# the one-factor-at-least rule add to the raw rates): England within 5% of DfE's 2025 rates.
ASSESSMENT_FACTORS = (
    ("3B", 0.276, False),
    ("17A", 0.152, False),
    ("16A", 0.154, False),
    ("18C", 0.104, False),
    ("3A", 0.102, False),
    ("3C", 0.044, False),
    ("19C", 0.03, False),
    ("10A", 0.028, True),
    ("18B", 0.026, False),
    ("24A", 0.024, True),
    ("19B", 0.0196, False),
    ("11A", 0.0185, True),
    ("13A", 0.014, True),
    ("23A", 0.004, False),
    ("12A", 0.0039, False),
    ("4B", 0.300, False),
    ("4A", 0.130, False),
    ("2B", 0.090, False),
    ("1B", 0.080, False),
    ("6B", 0.060, False),
    ("5B", 0.040, False),
    ("7A", 0.020, False),
    ("14A", 0.045, True),
    ("15A", 0.045, True),
    ("1A", 0.015, True),
    ("2A", 0.020, True),
    ("22A", 0.002, False),
    ("9A", 0.002, True),
    ("20", 0.090, False),
)

CPP_CATEGORY = (("NEG", 0.50), ("EMO", 0.365), ("PHY", 0.072), ("SAB", 0.037), ("MUL", 0.026))

# Length of ended CP plans (DfE 2025): share in each band of days.
CPP_DURATION_BANDS = (
    (0, 91, 0.159),
    (91, 182, 0.110),
    (182, 365, 0.435),
    (365, 730, 0.252),
    # 3.4% of open plans are over 2 years against DfE's 2.3%, but shortening them thins the
    # low-rate LAs' CP stock below the LA spread (realism test); kept until the LA effects move.
    (730, 1300, 0.044),
)

# Working days from S47 start to ICPC (DfE 2025 bands: 0-10, 11-15, 16-20, 21+).
ICPC_WORKING_DAYS = ((5, 10, 0.087), (11, 15, 0.727), (16, 20, 0.089), (21, 45, 0.097))

# Assessment length in working days: a piecewise-linear inverse CDF through the published
# quartiles (17, 33, 43) with 85.7% completed within 45 days.
ASSESSMENT_WD_QUANTILES = (
    (0.0, 1.0),
    (0.25, 17.0),
    (0.5, 33.0),
    (0.75, 43.0),
    (0.857, 45.0),
    (0.97, 80.0),
    (1.0, 140.0),
)

REVIEW_CODES = (
    ("PN1", 0.46),
    ("PN2", 0.07),
    ("PN3", 0.10),
    ("PN4", 0.05),
    ("PN5", 0.10),
    ("PN6", 0.15),
    ("PN7", 0.07),
)

PLACE_CHANGE_REASONS = (
    ("CARPL", 0.31),
    ("PLACE", 0.24),
    ("OTHER", 0.22),
    ("CREQB", 0.08),
    ("CREQO", 0.06),
    ("CHILD", 0.03),
    ("CLOSE", 0.01),
    ("STAND", 0.01),
    ("ALLEG", 0.01),
    ("LAREQ", 0.01),
    ("APPRR", 0.01),
    ("CUSTOD", 0.01),
)


def codes_and_probs(table: tuple[tuple[str, float], ...]) -> tuple[np.ndarray, np.ndarray]:
    codes = np.array([c for c, _ in table])
    p = np.array([w for _, w in table], dtype=float)
    return codes, p / p.sum()


def referrals_in(year: int) -> int:
    return REFERRALS.get(year, REFERRALS_BEFORE_2017)


def uasc_starts_in(year: int) -> int:
    return UASC_STARTS.get(year, UASC_STARTS_BEFORE)


# Section 47 enquiries per referral rose from 2020 to 2025 (201,000 to 230,590 against flat
# referrals); multipliers on the non-plan share of enquiries by collection year.
S47_INDEX = {
    2019: 0.80,
    2020: 0.81,
    2021: 0.86,
    2022: 0.93,
    2023: 1.0,
    2024: 1.03,
    2025: 1.065,
    2026: 1.065,
}

# Entries to care other than UASC drifted down from about 29,000 (2017-19) to 25,200 (2025):
# relative multipliers by collection year (ours, fitted to DfE starts less UASC starts).
CARE_ENTRY_INDEX = {
    2019: 1.10,
    2020: 1.06,
    2021: 1.0,
    2022: 1.03,
    2023: 1.02,
    2024: 1.0,
    2025: 0.98,
    2026: 0.97,
}


def s47_index(year: int) -> float:
    return S47_INDEX.get(year, 0.80 if year < 2019 else 1.065)


def care_entry_index(year: int) -> float:
    return CARE_ENTRY_INDEX.get(year, 1.10 if year < 2019 else 0.97)


def by_year(series: Callable[[int], float], years: np.ndarray) -> np.ndarray:
    """``series`` evaluated for an array of collection years, by table lookup."""
    lo, hi = int(years.min()), int(years.max())
    table = np.array([series(y) for y in range(lo, hi + 1)], dtype=float)
    return table[years - lo]
