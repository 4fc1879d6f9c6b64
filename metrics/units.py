"""The units indicators count: one row per referral, per child in need on 31 March, per care
leaver, and so on, with the flags and attributes indicators filter and break down by.

Indicators are declared in the catalogue as (unit, aggregate, filter) for the numerator and the
denominator; this module declares what each unit is and which columns it carries, so the
catalogue can be validated against it and the SQL builders (one per unit, in ``unit_sql.py``)
have a fixed contract. Every unit has ``year`` and ``la_code``; person units also carry the
breakdown columns ``age_band``, ``sex``, ``ethnicity_group`` and ``disability``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BREAKDOWN_COLUMNS = ("age_band", "sex", "ethnicity_group", "disability")
BREAKDOWN_VALUES = {
    "age_band": ("Under 1", "1-4", "5-9", "10-15", "16+"),
    "sex": ("Male", "Female", "Unknown"),
    "ethnicity_group": ("White", "Mixed", "Asian", "Black", "Other", "Unknown"),
    "disability": ("Disabled", "Not disabled", "Not recorded"),
}


@dataclass(frozen=True)
class Unit:
    name: str
    description: str
    source: str  # the return it comes from
    columns: dict[str, str]  # column -> type ("bool", "text", "number") with a comment in docs
    breakdowns: tuple[str, ...] = BREAKDOWN_COLUMNS
    notes: str = ""
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # allowed text values


UNITS: dict[str, Unit] = {
    u.name: u
    for u in (
        Unit(
            "referral",
            "A referral received in the year (CINreferralDate from 1 April to 31 March).",
            "CIN census",
            {
                "rereferral_12m": "bool",  # the same child had a referral in the 12 months before
                "nfa": "bool",  # closed with no further action
                "source": "text",  # ReferralSource code
            },
        ),
        Unit(
            "child_referred",
            "A child with at least one referral in the year (each child once).",
            "CIN census",
            {"rereferred_12m": "bool"},
        ),
        Unit(
            "cin_31mar",
            "A child with a CIN episode open on 31 March (each child once; includes unborn "
            "children, children on a plan and children looked after).",
            "CIN census",
            {"on_cpp": "bool", "looked_after": "bool", "primary_need": "text", "upn_known": "bool"},
        ),
        Unit(
            "assessment",
            "A child and family assessment authorised (completed) in the year.",
            "CIN census",
            {"within_45wd": "bool", "working_days": "number"},
        ),
        Unit(
            "assessment_factor",
            "A factor identified at the end of an assessment authorised in the year (one row per "
            "assessment and factor code).",
            "CIN census",
            {"factor": "text"},
            notes="factor is the AssessmentFactors code, e.g. 3A, 16A, 18C.",
        ),
        Unit(
            "s47", "A section 47 enquiry started in the year.", "CIN census", {"icpc_held": "bool"}
        ),
        Unit(
            "icpc",
            "An initial child protection conference held in the year.",
            "CIN census",
            {"within_15wd": "bool"},
        ),
        Unit(
            "cpp_start",
            "A child protection plan starting in the year.",
            "CIN census",
            {"repeat": "bool", "initial_category": "text"},
        ),
        Unit(
            "cpp_31mar",
            "A child on a child protection plan on 31 March (each child once).",
            "CIN census",
            {"over_2y": "bool", "initial_category": "text"},
        ),
        Unit(
            "cla_31mar",
            "A child looked after on 31 March (open 903 episode; V3/V4 short breaks excluded).",
            "SSDA903",
            {
                "uasc": "bool",
                "placement_group": "text",
                "distance_known": "bool",
                "over_20mi": "bool",  # known distance above 20 miles
                "placements_3plus": "bool",  # 3 or more placements during the year
                "social_workers_3plus": "bool",  # 3 or more social workers in the 12 months
                "under_16_in_care_2_5y": "bool",  # aged under 16, looked after 2.5 years or more
                "same_placement_2y": "bool",  # ... and in the same placement for 2 years
                "school_move": "bool",  # mid-year school move (not collected: always null)
                "upn_known": "bool",
            },
            values={
                "placement_group": (
                    "foster",
                    "childrens_homes",
                    "independent_supported",
                    "placed_with_parents",
                    "placed_for_adoption",
                    "other_residential",
                    "other",
                )
            },
        ),
        Unit(
            "cla_start",
            "A child who started to be looked after in the year (each child once).",
            "SSDA903",
            {"uasc": "bool"},
        ),
        Unit(
            "cla_ceased",
            "A period of care that ended in the year.",
            "SSDA903",
            {"reason": "text", "adopted": "bool", "sgo": "bool", "cao": "bool"},
        ),
        Unit(
            "cla_in_year",
            "A child looked after at any time in the year (each child once).",
            "SSDA903",
            {"went_missing": "bool", "away": "bool"},
        ),
        Unit(
            "cla12",
            "A child looked after continuously for 12 months or more on 31 March (OC2 cohort).",
            "SSDA903",
            {"sdq_score": "number", "sdq_due": "bool", "sdq_recorded": "bool"},
        ),
        Unit(
            "care_leaver",
            "A care leaver whose 17th to 21st birthday fell in the year (OC3).",
            "SSDA903",
            {
                "leaver_age_band": "text",  # 17-18 or 19-21
                "in_touch": "bool",
                "eet": "bool",
                "suitable_accom": "bool",
                "staying_put": "bool",
            },
            breakdowns=("sex", "ethnicity_group"),
        ),
        Unit(
            "adoption",
            "A child adopted from care in the year (AD1).",
            "SSDA903",
            {"months_decision_to_match": "number"},
        ),
        Unit(
            "pupil",
            "A school-age child known to social care in the year whose UPN links to the school "
            "census (education outcomes for the academic year ending in the collection year).",
            "Education records (linked by UPN)",
            {
                "group": "text",  # cino, cppo or cla12
                "sessions_possible": "number",
                "sessions_missed": "number",
                "absence_recorded": "bool",  # sessions possible recorded (the absence base)
                "persistent": "bool",  # 10% or more sessions missed
                "severe": "bool",  # 50% or more sessions missed
                "ks2_cohort": "bool",
                "ks2_expected": "bool",
                "ks4_cohort": "bool",
                "attainment8": "number",
                "eyfs_cohort": "bool",
                "eyfs_gld": "bool",
            },
            values={"group": ("cino", "cppo", "cla12")},
        ),
        Unit(
            "all_pupils",
            "All pupils in the LA's schools: the comparison baseline, one row per LA-year and "
            "measure (absence_overall, persistent_absence, severe_absence, ks2_rwm_expected, "
            "attainment8, eyfs_gld) with its numerator and denominator.",
            "Education statistics (all pupils)",
            {"measure": "text", "numerator": "number", "denominator": "number"},
            breakdowns=(),
            notes="Aggregate with sum over numerator and denominator, filtered by measure.",
        ),
        Unit(
            "social_care_child",
            "A child in a CIN census or 903 return in the year (each child once), for linkage and "
            "completeness measures.",
            "CIN census and SSDA903",
            {
                "school_age": "bool",
                "upn_known": "bool",
                "linked_to_education": "bool",
                "ethnicity_known": "bool",
                "disability_recorded": "bool",
            },
        ),
        Unit(
            "workforce",
            "The LA's children and family social workers in the workforce census (year to 30 "
            "September): FTE sums as columns.",
            "CSWW",
            {
                "fte_in_post": "number",
                "leaver_fte": "number",
                "agency_fte": "number",
                "vacancy_fte": "number",
                "caseholder_fte": "number",
                "cases": "number",
                "headcount": "number",
                "ethnicity_known_headcount": "number",
                "ethnic_minority_headcount": "number",
            },
            breakdowns=(),
            notes="One row per LA-year; aggregate with sum.",
        ),
        Unit(
            "la_finance",
            "The LA's spending lines for the year (s251 outturn), one row per LA-year.",
            "LA finance",
            {
                "total_la_spend": "number",
                "childrens_services_total": "number",
                "children_looked_after": "number",
                "population_0_17": "number",
            },
            breakdowns=(),
        ),
        Unit(
            "la_ofsted",
            "The LA's Ofsted leadership judgement in force, one row per LA-year.",
            "Ofsted",
            {"judgement": "text"},
            breakdowns=(),
            values={"judgement": ("Outstanding", "Good", "Requires improvement", "Inadequate")},
        ),
        Unit(
            "la_hospital",
            "Hospital admissions for injuries in children aged 0-14, one row per LA-year.",
            "Hospital Episode Statistics (via Fingertips)",
            {"admissions_0_14": "number", "population_0_14": "number"},
            breakdowns=(),
        ),
    )
}

# Denominators that are populations rather than units.
POPULATIONS = {
    "children_0_17": "ONS mid-year estimate of children aged 0-17 for the previous calendar year",
}
