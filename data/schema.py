"""The record-level tables: the one contract between generator, importer, loader and metrics.

Every record table holds returns as an LA submits them, one collection year at a time, so an
episode still open across years appears in each year's return (as in the real CIN census and
SSDA903). That makes "replace this LA-year" a plain delete-and-insert, and lets the same metrics
run on an LA's own files. Keys ``year`` (collection year, named by the 31 March or 30 September it
ends on) and ``la_code`` (DfE three-digit code, as text) lead every record table.

Column names are the DfE field names in snake_case; the 903 keeps its own short names.
Codes are stored canonically (sex as M/F/U in every year); writers map them to each year's format.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Float,
    Integer,
    MetaData,
    String,
    Table,
)

metadata = MetaData()


def _keys() -> list[Column]:
    return [
        Column("year", Integer, nullable=False),
        Column("la_code", String(3), nullable=False),
    ]


# ---------------------------------------------------------------- reference facts
ref_la = Table(
    "ref_la",
    metadata,
    Column("ons_code", String(9), primary_key=True),
    Column("dfe_la_code", String(3), nullable=False, unique=True),
    Column("la_name", String, nullable=False),
    Column("la_type", String, nullable=False),
    Column("region_code", String(9), nullable=False),
    Column("region_name", String, nullable=False),
    Column("inner_outer_london", String),
    Column("population_0_17", Integer, nullable=False),
    Column("centroid_lat", Float, nullable=False),
    Column("centroid_lon", Float, nullable=False),
)

ref_statistical_neighbours = Table(
    "ref_statistical_neighbours",
    metadata,
    Column("model", Integer, nullable=False),  # 2025 or 2021
    Column("dfe_la_code", String(3), nullable=False),
    Column("ons_code", String(9), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("neighbour_dfe_la_code", String(3), nullable=False),
    Column("neighbour_ons_code", String(9), nullable=False),
    Column("closeness", String, nullable=False),
)

# Synthetic split of the real 0-17 totals; ``year`` is the collection year whose rates use it
# (mid-2024 estimate -> year 2025).
ref_population = Table(
    "ref_population",
    metadata,
    *_keys(),
    Column("age", Integer, nullable=False),  # 0..17
    Column("sex", String(1), nullable=False),  # M / F
    Column("ethnicity_group", String, nullable=False),  # White Mixed Asian Black Other
    Column("population", Integer, nullable=False),
)

# Which return exists for which LA-year, and where it came from.
return_status = Table(
    "return_status",
    metadata,
    *_keys(),
    Column("return_name", String, nullable=False),  # cin | ssda903 | csww
    Column("status", String, nullable=False),  # submitted | missing
    Column("origin", String, nullable=False),  # synthetic | imported
)

# ---------------------------------------------------------------- CIN census
cin_child = Table(
    "cin_child",
    metadata,
    *_keys(),
    Column("child_id", String, nullable=False),  # LAchildID
    Column("upn", String),
    Column("former_upn", String),
    Column("upn_unknown", String),  # UN1..UN7
    Column("birth_date", Date),
    Column("expected_birth_date", Date),
    Column("sex", String(1), nullable=False),  # M F U
    Column("death_date", Date),
    Column("ethnicity", String(4), nullable=False),
)

cin_disability = Table(
    "cin_disability",
    metadata,
    *_keys(),
    Column("child_id", String, nullable=False),
    Column("disability", String(4), nullable=False),
)

cin_episode = Table(  # CINdetails
    "cin_episode",
    metadata,
    *_keys(),
    Column("child_id", String, nullable=False),
    Column("episode_id", String, nullable=False),
    Column("referral_date", Date, nullable=False),
    Column("referral_source", String(2), nullable=False),
    Column("primary_need", String(2)),
    Column("closure_date", Date),
    Column("closure_reason", String(3)),
    Column("referral_nfa", Boolean, nullable=False),
    Column("date_initial_cpc", Date),
)

cin_assessment = Table(
    "cin_assessment",
    metadata,
    *_keys(),
    Column("child_id", String, nullable=False),
    Column("episode_id", String, nullable=False),
    Column("assessment_id", String, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("authorisation_date", Date),
)

cin_assessment_factor = Table(
    "cin_assessment_factor",
    metadata,
    *_keys(),
    Column("assessment_id", String, nullable=False),
    Column("factor", String(3), nullable=False),
)

cin_plan = Table(
    "cin_plan",
    metadata,
    *_keys(),
    Column("child_id", String, nullable=False),
    Column("episode_id", String, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
)

cin_s47 = Table(
    "cin_s47",
    metadata,
    *_keys(),
    Column("child_id", String, nullable=False),
    Column("episode_id", String, nullable=False),
    Column("s47_id", String, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("icpc_target", Date),
    Column("icpc_date", Date),
    Column("icpc_not_required", Boolean, nullable=False),
)

cin_cpp = Table(
    "cin_cpp",
    metadata,
    *_keys(),
    Column("child_id", String, nullable=False),
    Column("episode_id", String, nullable=False),
    Column("cpp_id", String, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date),
    Column("initial_category", String(3), nullable=False),
    Column("latest_category", String(3), nullable=False),
    Column("previous_cpp", Integer, nullable=False),
)

cin_cpp_review = Table(
    "cin_cpp_review",
    metadata,
    *_keys(),
    Column("cpp_id", String, nullable=False),
    Column("review_date", Date, nullable=False),
)

# ---------------------------------------------------------------- SSDA903
cla_header = Table(
    "cla_header",
    metadata,
    *_keys(),
    Column("child", String, nullable=False),
    Column("sex", String(1), nullable=False),  # M F U
    Column("dob", Date, nullable=False),
    Column("ethnic", String(4), nullable=False),
    Column("upn", String),  # a UPN or an UN1..UN5 code, as the 903 carries it
    Column("mother", Integer),
    Column("mc_dob", Date),
)

cla_episode = Table(
    "cla_episode",
    metadata,
    *_keys(),
    Column("child", String, nullable=False),
    Column("decom", Date, nullable=False),
    Column("rne", String(1), nullable=False),
    Column("ls", String(2), nullable=False),
    Column("cin", String(2), nullable=False),
    Column("place", String(3), nullable=False),
    Column("place_provider", String(3)),
    Column("dec", Date),
    Column("rec", String(3)),
    Column("reason_place_change", String(6)),
    Column("home_post", String),  # internal token, never a real postcode
    Column("pl_post", String),
    Column("urn", String),
    # Derived by DfE from postcodes; ours from synthetic coordinates (returns_spec 4.2).
    Column("pl_distance", Float),  # miles, null when unknown
    Column("pl_la", String(3)),
    Column("pl_location", String(3)),  # IN / OUT
)

cla_uasc = Table(
    "cla_uasc",
    metadata,
    *_keys(),
    Column("child", String, nullable=False),
    Column("sex", String(1), nullable=False),
    Column("dob", Date, nullable=False),
    Column("duc", Date),
)

cla_review = Table(
    "cla_review",
    metadata,
    *_keys(),
    Column("child", String, nullable=False),
    Column("dob", Date, nullable=False),
    Column("review", Date, nullable=False),
    Column("review_code", String(3)),
)

cla_oc2 = Table(
    "cla_oc2",
    metadata,
    *_keys(),
    Column("child", String, nullable=False),
    Column("dob", Date, nullable=False),
    Column("sdq_score", Integer),
    Column("sdq_reason", String(4)),
    Column("convicted", Integer),
    Column("health_check", Integer),
    Column("immunisations", Integer),
    Column("teeth_check", Integer),
    Column("health_assessment", Integer),
    Column("substance_misuse", Integer),
    Column("intervention_received", Integer),
    Column("intervention_offered", Integer),
)

cla_oc3 = Table(
    "cla_oc3",
    metadata,
    *_keys(),
    Column("child", String, nullable=False),
    Column("dob", Date, nullable=False),
    Column("in_touch", String(4), nullable=False),
    Column("activ", String(2)),
    Column("accom", String(2)),
)

cla_ad1 = Table(
    "cla_ad1",
    metadata,
    *_keys(),
    Column("child", String, nullable=False),
    Column("dob", Date, nullable=False),
    Column("date_int", Date),
    Column("date_match", Date),
    Column("foster_care", Integer),
    Column("nb_adoptr", Integer),
    Column("sex_adoptr", String(2)),
    Column("ls_adoptr", String(3)),
)

cla_placed_adoption = Table(
    "cla_placed_adoption",
    metadata,
    *_keys(),
    Column("child", String, nullable=False),
    Column("dob", Date, nullable=False),
    Column("date_placed", Date, nullable=False),
    Column("date_placed_ceased", Date),
    Column("reason_placed_ceased", String(3)),
)

cla_prev_perm = Table(
    "cla_prev_perm",
    metadata,
    *_keys(),
    Column("child", String, nullable=False),
    Column("dob", Date, nullable=False),
    Column("prev_perm", String(2)),
    Column("la_perm", String(3)),
    Column("date_perm", Date),
)

cla_missing = Table(
    "cla_missing",
    metadata,
    *_keys(),
    Column("child", String, nullable=False),
    Column("dob", Date, nullable=False),
    Column("missing", String(1), nullable=False),  # M / A
    Column("mis_start", Date, nullable=False),
    Column("mis_end", Date),
)

cla_social_worker = Table(
    "cla_social_worker",
    metadata,
    *_keys(),
    Column("child", String, nullable=False),
    Column("dob", Date, nullable=False),
    Column("sw_id", String, nullable=False),
    Column("sw_decom", Date, nullable=False),
    Column("sw_dec", Date),
    Column("sw_reason", String(6)),
)

# ---------------------------------------------------------------- workforce census (CSWW)
csww_worker = Table(
    "csww_worker",
    metadata,
    *_keys(),
    Column("swe_no", String, nullable=False),
    Column("agency_worker", Integer, nullable=False),
    Column("fte", Float),
    Column("birth_date", Date),
    Column("gender", Integer),  # 0 1 2 9, as CSWW still codes it
    Column("ethnicity", String(4)),
    Column("qual_level", Integer),
    Column("org_role", Integer),
    Column("role_start_date", Date),
    Column("start_origin", Integer),
    Column("role_end_date", Date),
    Column("leaver_destination", Integer),
    Column("reason_leave", Integer),
    Column("fte30", Float),
    Column("cases30", Integer),
    Column("working_days_lost", Float),
    Column("contract_weeks", Float),
    Column("absat30sept", Integer),
    Column("reason_absence", String(3)),
    Column("cfkss_status", Integer),
)

csww_la = Table(
    "csww_la",
    metadata,
    *_keys(),
    Column("vacancies_fte", Float, nullable=False),
    Column("agency_fte", Float, nullable=False),
    Column("agency_headcount", Integer, nullable=False),
)

# ---------------------------------------------------------------- education (linked by UPN only)
# Pupil-level outcomes for children known to social care; ``year`` is the academic year's end.
edu_pupil = Table(
    "edu_pupil",
    metadata,
    *_keys(),
    Column("upn", String, nullable=False),
    Column("sessions_possible", Integer),
    Column("sessions_missed", Integer),
    Column("ks2_rwm_expected", Boolean),  # only for the KS2 cohort
    Column("attainment8", Float),  # only for the KS4 cohort
    Column("eyfs_gld", Boolean),  # only for the reception cohort (age 5)
)

# All-pupil comparison baselines per LA (numerator/denominator so they aggregate).
edu_la_baseline = Table(
    "edu_la_baseline",
    metadata,
    *_keys(),
    Column("measure", String, nullable=False),
    Column("numerator", Float, nullable=False),
    Column("denominator", Float, nullable=False),
)

# ---------------------------------------------------------------- LA-level figures
la_finance = Table(
    "la_finance",
    metadata,
    *_keys(),
    Column("line", String, nullable=False),
    Column("value_gbp", Float, nullable=False),
)

la_ofsted = Table(
    "la_ofsted",
    metadata,
    *_keys(),
    Column("leadership_judgement", String, nullable=False),
)

la_hospital_injury = Table(
    "la_hospital_injury",
    metadata,
    *_keys(),
    Column("admissions_0_14", Integer, nullable=False),
    Column("population_0_14", Integer, nullable=False),
)

REFERENCE_TABLES = ("ref_la", "ref_statistical_neighbours")
RECORD_TABLES = tuple(name for name in metadata.tables if name not in REFERENCE_TABLES)
CIN_TABLES = tuple(n for n in metadata.tables if n.startswith("cin_"))
CLA_TABLES = tuple(n for n in metadata.tables if n.startswith("cla_"))
CSWW_TABLES = tuple(n for n in metadata.tables if n.startswith("csww_"))
