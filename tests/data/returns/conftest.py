"""A small hand-made LA-year covering the cases the return formats must carry.

CIN ids follow the reader's positional pattern (``<child>:<n>``, ``:A<j>``, ``:S<j>``, ``:P<j>``,
numbered in start-date order) so a write-then-read gives the same rows back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Boolean, Date, Float, Integer

from data.schema import metadata

LA = "805"
D = date


def _frame(name: str, rows: list[dict[str, object]], year: int) -> pd.DataFrame:
    cols = [c.name for c in metadata.tables[name].columns]
    full = [{"year": year, "la_code": LA, **{c: None for c in cols[2:]}, **r} for r in rows]
    return pd.DataFrame(full, columns=cols)


def build_tables(year: int = 2025) -> dict[str, pd.DataFrame]:
    t: dict[str, list[dict[str, object]]] = {}
    t["cin_child"] = [
        # unborn child: expected birth date, sex unknown
        {
            "child_id": "C1",
            "expected_birth_date": D(2025, 5, 10),
            "sex": "U",
            "ethnicity": "NOBT",
            "upn_unknown": "UN1",
        },
        # disabled child with two episodes
        {
            "child_id": "C2",
            "upn": "A805201200001",
            "birth_date": D(2012, 3, 4),
            "sex": "F",
            "ethnicity": "WBRI",
        },
        # S47 with ICPC and a CP plan with reviews
        {
            "child_id": "C3",
            "upn": "A805201500002",
            "birth_date": D(2015, 7, 1),
            "sex": "M",
            "ethnicity": "MWBC",
            "former_upn": "A80520150000Z",
        },
        # S47 without ICPC
        {
            "child_id": "C4",
            "birth_date": D(2010, 1, 31),
            "sex": "F",
            "ethnicity": "BAFR",
            "upn_unknown": "UN3",
        },
        # looked after with an X1 chain
        {
            "child_id": "C5",
            "upn": "A805200900005",
            "birth_date": D(2009, 11, 2),
            "sex": "M",
            "ethnicity": "WBRI",
        },
        # UASC
        {
            "child_id": "C6",
            "birth_date": D(2008, 2, 14),
            "sex": "M",
            "ethnicity": "AOTH",
            "upn_unknown": "UN2",
        },
        # adopted, died later in the year (death date carried)
        {
            "child_id": "C7",
            "upn": "A805202200007",
            "birth_date": D(2022, 6, 30),
            "sex": "F",
            "ethnicity": "WOTH",
            "death_date": None,
        },
    ]
    t["cin_disability"] = [
        {"child_id": "C2", "disability": "AUT"},
        {"child_id": "C2", "disability": "LD"},
        {"child_id": "C5", "disability": "NONE"},
    ]
    t["cin_episode"] = [
        {
            "child_id": "C1",
            "episode_id": "C1:1",
            "referral_date": D(2025, 1, 10),
            "referral_source": "3B",
            "primary_need": "N1",
            "referral_nfa": False,
        },
        {
            "child_id": "C2",
            "episode_id": "C2:1",
            "referral_date": D(2024, 2, 1),
            "referral_source": "2A",
            "primary_need": None,
            "closure_date": D(2024, 4, 5),
            "closure_reason": "RC8",
            "referral_nfa": True,
        },
        {
            "child_id": "C2",
            "episode_id": "C2:2",
            "referral_date": D(2024, 9, 9),
            "referral_source": "5D",
            "primary_need": "N2",
            "referral_nfa": False,
        },
        {
            "child_id": "C3",
            "episode_id": "C3:1",
            "referral_date": D(2024, 6, 3),
            "referral_source": "6",
            "primary_need": "N1",
            "referral_nfa": False,
            "date_initial_cpc": D(2024, 6, 20),
        },
        {
            "child_id": "C4",
            "episode_id": "C4:1",
            "referral_date": D(2024, 10, 1),
            "referral_source": "10",
            "primary_need": "N5",
            "closure_date": D(2025, 2, 1),
            "closure_reason": "RC9",
            "referral_nfa": False,
        },
        {
            "child_id": "C5",
            "episode_id": "C5:1",
            "referral_date": D(2023, 5, 2),
            "referral_source": "1A",
            "primary_need": "N4",
            "referral_nfa": False,
        },
        {
            "child_id": "C6",
            "episode_id": "C6:1",
            "referral_date": D(2024, 8, 1),
            "referral_source": "7",
            "primary_need": "N8",
            "referral_nfa": False,
        },
        {
            "child_id": "C7",
            "episode_id": "C7:1",
            "referral_date": D(2022, 7, 1),
            "referral_source": "3E",
            "primary_need": "N1",
            "closure_date": D(2025, 1, 15),
            "closure_reason": "RC1",
            "referral_nfa": False,
        },
    ]
    t["cin_assessment"] = [
        {
            "child_id": "C1",
            "episode_id": "C1:1",
            "assessment_id": "C1:1:A1",
            "start_date": D(2025, 1, 11),
            "authorisation_date": D(2025, 2, 20),
        },
        {
            "child_id": "C2",
            "episode_id": "C2:2",
            "assessment_id": "C2:2:A1",
            "start_date": D(2024, 9, 10),
            "authorisation_date": D(2024, 10, 30),
        },
        {
            "child_id": "C2",
            "episode_id": "C2:2",
            "assessment_id": "C2:2:A2",
            "start_date": D(2025, 2, 1),
            "authorisation_date": None,
        },
        {
            "child_id": "C3",
            "episode_id": "C3:1",
            "assessment_id": "C3:1:A1",
            "start_date": D(2024, 6, 3),
            "authorisation_date": D(2024, 7, 1),
        },
    ]
    t["cin_assessment_factor"] = [
        {"assessment_id": "C1:1:A1", "factor": "3B"},
        {"assessment_id": "C1:1:A1", "factor": "16A"},
        {"assessment_id": "C2:2:A1", "factor": "6A"},
        {"assessment_id": "C3:1:A1", "factor": "18C"},
        {"assessment_id": "C3:1:A1", "factor": "24A"},
    ]
    t["cin_plan"] = [
        {"child_id": "C2", "episode_id": "C2:2", "start_date": D(2024, 11, 1), "end_date": None},
        {
            "child_id": "C1",
            "episode_id": "C1:1",
            "start_date": D(2025, 2, 21),
            "end_date": D(2025, 3, 20),
        },
    ]
    t["cin_s47"] = [
        {
            "child_id": "C3",
            "episode_id": "C3:1",
            "s47_id": "C3:1:S1",
            "start_date": D(2024, 6, 4),
            "icpc_target": D(2024, 6, 25),
            "icpc_date": D(2024, 6, 20),
            "icpc_not_required": False,
        },
        {
            "child_id": "C4",
            "episode_id": "C4:1",
            "s47_id": "C4:1:S1",
            "start_date": D(2024, 10, 2),
            "icpc_target": D(2024, 10, 23),
            "icpc_date": None,
            "icpc_not_required": True,
        },
    ]
    t["cin_cpp"] = [
        {
            "child_id": "C3",
            "episode_id": "C3:1",
            "cpp_id": "C3:1:P1",
            "start_date": D(2024, 6, 20),
            "end_date": None,
            "initial_category": "PHY",
            "latest_category": "MUL",
            "previous_cpp": 1,
        },
    ]
    t["cin_cpp_review"] = [
        {"cpp_id": "C3:1:P1", "review_date": D(2024, 9, 12)},
        {"cpp_id": "C3:1:P1", "review_date": D(2025, 3, 10)},
    ]
    t["cla_header"] = [
        {
            "child": "C5",
            "sex": "M",
            "dob": D(2009, 11, 2),
            "ethnic": "WBRI",
            "upn": "A805200900005",
            "mother": 0,
        },
        {"child": "C6", "sex": "M", "dob": D(2008, 2, 14), "ethnic": "AOTH", "upn": "UN2"},
        {
            "child": "C7",
            "sex": "F",
            "dob": D(2022, 6, 30),
            "ethnic": "WOTH",
            "upn": "A805202200007",
        },
        {
            "child": "C8",
            "sex": "F",
            "dob": D(2006, 8, 1),
            "ethnic": "BCRB",
            "upn": "UN5",
            "mother": 1,
            "mc_dob": D(2024, 12, 1),
        },
    ]
    t["cla_episode"] = [
        {
            "child": "C5",
            "decom": D(2023, 6, 1),
            "rne": "S",
            "ls": "V2",
            "cin": "N4",
            "place": "U6",
            "place_provider": "PR1",
            "dec": D(2024, 5, 1),
            "rec": "X1",
            "reason_place_change": None,
            "home_post": "H0001",
            "pl_post": "P0001",
            "pl_distance": 3.4,
            "pl_la": "805",
            "pl_location": "IN",
        },
        {
            "child": "C5",
            "decom": D(2024, 5, 1),
            "rne": "P",
            "ls": "V2",
            "cin": "N4",
            "place": "K2",
            "place_provider": "PR4",
            "dec": D(2024, 9, 1),
            "rec": "X1",
            "reason_place_change": "CREQB",
            "home_post": "H0001",
            "pl_post": "P0002",
            "urn": "SC123456",
            "pl_distance": 27.25,
            "pl_la": "806",
            "pl_location": "OUT",
        },
        {
            "child": "C5",
            "decom": D(2024, 9, 1),
            "rne": "L",
            "ls": "C2",
            "cin": "N4",
            "place": "K2",
            "place_provider": "PR4",
            "home_post": "H0001",
            "pl_post": "P0002",
            "urn": "SC123456",
            "pl_distance": 27.25,
            "pl_la": "806",
            "pl_location": "OUT",
        },
        {
            "child": "C6",
            "decom": D(2024, 8, 1),
            "rne": "S",
            "ls": "V2",
            "cin": "N8",
            "place": "U4",
            "place_provider": "PR4",
            "home_post": None,
            "pl_post": "P0003",
        },
        {
            "child": "C7",
            "decom": D(2023, 1, 5),
            "rne": "S",
            "ls": "C1",
            "cin": "N1",
            "place": "U5",
            "place_provider": "PR1",
            "dec": D(2024, 3, 1),
            "rec": "X1",
            "home_post": "H0007",
            "pl_post": "P0007",
            "pl_distance": 0.0,
            "pl_la": "805",
            "pl_location": "IN",
        },
        {
            "child": "C7",
            "decom": D(2024, 3, 1),
            "rne": "B",
            "ls": "E1",
            "cin": "N1",
            "place": "A5",
            "place_provider": "PR1",
            "dec": D(2025, 1, 15),
            "rec": "E11",
            "reason_place_change": "CARPL",
            "home_post": "H0007",
            "pl_post": "P0008",
        },
    ]
    t["cla_uasc"] = [{"child": "C6", "sex": "M", "dob": D(2008, 2, 14), "duc": D(2026, 2, 14)}]
    t["cla_review"] = [
        {"child": "C5", "dob": D(2009, 11, 2), "review": D(2024, 6, 20), "review_code": "PN1"},
        {"child": "C5", "dob": D(2009, 11, 2), "review": D(2024, 12, 18), "review_code": "PN5"},
        {"child": "C7", "dob": D(2022, 6, 30), "review": D(2024, 8, 1), "review_code": "PN0"},
    ]
    t["cla_oc2"] = [
        {
            "child": "C5",
            "dob": D(2009, 11, 2),
            "sdq_score": 17,
            "convicted": 0,
            "health_check": 1,
            "immunisations": 1,
            "teeth_check": 0,
            "health_assessment": 1,
            "substance_misuse": 0,
            "intervention_received": None,
            "intervention_offered": None,
        },
        {
            "child": "C7",
            "dob": D(2022, 6, 30),
            "sdq_reason": "SDQ1",
            "convicted": 0,
            "health_check": 1,
            "immunisations": 1,
            "teeth_check": 1,
            "health_assessment": 1,
            "substance_misuse": 0,
        },
    ]
    t["cla_oc3"] = [
        {"child": "C8", "dob": D(2006, 8, 1), "in_touch": "YES", "activ": "G6", "accom": "U1"},
    ]
    t["cla_ad1"] = [
        {
            "child": "C7",
            "dob": D(2022, 6, 30),
            "date_int": D(2023, 11, 1),
            "date_match": D(2024, 2, 1),
            "foster_care": 0,
            "nb_adoptr": 2,
            "sex_adoptr": "MF",
            "ls_adoptr": "L12",
        },
    ]
    t["cla_placed_adoption"] = [
        {"child": "C7", "dob": D(2022, 6, 30), "date_placed": D(2024, 3, 1)},
        {
            "child": "C5",
            "dob": D(2009, 11, 2),
            "date_placed": D(2023, 9, 1),
            "date_placed_ceased": D(2024, 4, 1),
            "reason_placed_ceased": "RD1",
        },
    ]
    t["cla_prev_perm"] = [
        {"child": "C6", "dob": D(2008, 2, 14), "prev_perm": "Z1", "la_perm": None},
        {
            "child": "C7",
            "dob": D(2022, 6, 30),
            "prev_perm": "P4",
            "la_perm": "999",
            "date_perm": None,
        },
    ]
    t["cla_missing"] = [
        {
            "child": "C5",
            "dob": D(2009, 11, 2),
            "missing": "M",
            "mis_start": D(2024, 7, 1),
            "mis_end": D(2024, 7, 3),
        },
        {
            "child": "C5",
            "dob": D(2009, 11, 2),
            "missing": "A",
            "mis_start": D(2025, 3, 30),
            "mis_end": None,
        },
    ]
    t["cla_social_worker"] = [
        {
            "child": "C5",
            "dob": D(2009, 11, 2),
            "sw_id": "SW001",
            "sw_decom": D(2023, 6, 1),
            "sw_dec": D(2024, 10, 1),
            "sw_reason": None,
        },
        {
            "child": "C5",
            "dob": D(2009, 11, 2),
            "sw_id": "SW002",
            "sw_decom": D(2024, 10, 1),
            "sw_dec": None,
            "sw_reason": "LEFTRL",
        },
        {"child": "C6", "dob": D(2008, 2, 14), "sw_id": "SW002", "sw_decom": D(2024, 8, 1)},
    ]
    t["csww_la"] = [{"vacancies_fte": 12.5, "agency_fte": 8.25, "agency_headcount": 9}]
    t["csww_worker"] = [
        {
            "swe_no": "SW1234567890",
            "agency_worker": 0,
            "fte": 1.0,
            "birth_date": D(1985, 4, 4),
            "gender": 2,
            "ethnicity": "WBRI",
            "qual_level": 2,
            "org_role": 5,
            "role_start_date": D(2019, 9, 1),
            "start_origin": 1,
            "fte30": 1.0,
            "cases30": 17,
            "working_days_lost": 3.5,
            "absat30sept": 0,
            "cfkss_status": 2,
        },
        {
            "swe_no": "SW0000000002",
            "agency_worker": 1,
            "fte": 0.8,
            "gender": 1,
            "org_role": 5,
            "fte30": 0.8,
            "contract_weeks": 26.5,
            "absat30sept": 0,
        },
        {
            "swe_no": "SW0000000003",
            "agency_worker": 0,
            "fte": 0.123456,
            "birth_date": D(1970, 12, 25),
            "gender": 9,
            "ethnicity": "REFU",
            "qual_level": 1,
            "org_role": 2,
            "role_start_date": D(2010, 1, 4),
            "start_origin": 2,
            "role_end_date": D(2025, 6, 30),
            "leaver_destination": 6,
            "reason_leave": 5,
            "working_days_lost": 12.25,
            "absat30sept": 1,
            "reason_absence": "SIC",
        },
    ]
    return {name: _frame(name, rows, year) for name, rows in t.items()}


def normalise(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Comparable form built from the schema types alone: sorted rows, one NA marker."""
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col in metadata.tables[name].columns:
        values = df[col.name].reset_index(drop=True)
        if isinstance(col.type, Date):
            out[col.name] = pd.to_datetime(values).dt.strftime("%Y-%m-%d").fillna("<NA>")
        elif isinstance(col.type, Boolean):
            out[col.name] = values.map(lambda v: "<NA>" if pd.isna(v) else str(bool(v)))
        elif isinstance(col.type, Integer):
            out[col.name] = values.map(lambda v: "<NA>" if pd.isna(v) else str(int(v)))
        elif isinstance(col.type, Float):
            # 6 significant digits: SQLAlchemy Float is a 4-byte REAL on DuckDB.
            out[col.name] = values.map(lambda v: "<NA>" if pd.isna(v) else f"{float(v):.6g}")
        else:
            out[col.name] = values.map(lambda v: "<NA>" if v is None or pd.isna(v) else str(v))
    return out.sort_values(list(out.columns)).reset_index(drop=True)


@pytest.fixture
def la_year() -> Callable[[int], dict[str, pd.DataFrame]]:
    return build_tables


@pytest.fixture
def norm() -> Callable[[pd.DataFrame, str], pd.DataFrame]:
    return normalise
