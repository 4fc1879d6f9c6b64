"""Field and record checks of the CIN census XML.

The census feeds most indicators (referrals, re-referrals, assessments on time, CP plans), so a
fault that would change a count is an error: a date that is not a date, a code outside the
year's list, an episode that closes before it opens or belongs to another year, a child listed
twice. What is merely suspicious (a UPN with a wrong check letter, an element we do not read)
is a warning and the file still loads.

Structure and element names follow returns_spec 1.1 and the writer in data/returns/cin_xml.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from data.returns.codes import CIN_PLAN_DATES_FROM, CIN_SEX_LETTERS_FROM
from data.validate.cin_records import check_records
from data.validate.codesets import year_label
from data.validate.report import Report
from data.validate.xml_fields import Context, Field, check_block, present
from data.validate.xml_header import HEADER, check_header
from data.validate.xml_walk import Block, walk

DATE = Field("date")
CODE = Field("code")

REVIEW = Block("review", value="CPPreviewDate")
CPP = Block(
    "cpp",
    fields={
        c: c
        for c in (
            "CPPstartDate",
            "CPPendDate",
            "InitialCategoryOfAbuse",
            "LatestCategoryOfAbuse",
            "NumberOfPreviousCPP",
        )
    },
    blocks={"Reviews/CPPreviewDate": REVIEW},
)
S47 = Block(
    "s47",
    fields={
        c: c
        for c in ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired")
    },
)
PLAN = Block("plan", fields={c: c for c in ("CINPlanStartDate", "CINPlanEndDate")})
FACTOR = Block("factor", value="AssessmentFactors")
ASSESSMENT = Block(
    "assessment",
    fields={
        c: c
        for c in (
            "AssessmentActualStartDate",
            "AssessmentInternalReviewDate",
            "AssessmentAuthorisationDate",
        )
    },
    blocks={"FactorsIdentifiedAtAssessment/AssessmentFactors": FACTOR},
)
# The 2025-26 pre-proceedings elements are schema elements we do not read [verify their layout].
PRE_PROCEEDINGS = [
    "PPStartDate",
    "LBPSentDate",
    "FGDMMeetingOffer",
    "FGDMMeetingFac",
    "InitialPPMeetingDate",
    "ReviewMeetingsCount",
    "StepDecisionDate",
    "PPOutcome",
    "CourtAppDate",
    "LetterInitCPDate",
]
EPISODE = Block(
    "episode",
    fields={
        c: c
        for c in (
            "CINreferralDate",
            "ReferralSource",
            "PrimaryNeedCode",
            "CINclosureDate",
            "ReasonForClosure",
            "DateOfInitialCPC",
            "ReferralNFA",
        )
    },
    blocks={
        "Assessments": ASSESSMENT,
        "CINPlanDates": PLAN,
        "Section47": S47,
        "ChildProtectionPlans": CPP,
    },
    ignored=frozenset(PRE_PROCEEDINGS),
)
DISABILITY = Block("disability", value="Disability")
_IDS = [
    "LAchildID",
    "UPN",
    "FormerUPN",
    "UPNunknown",
    "PersonBirthDate",
    "ExpectedPersonBirthDate",
    "GenderCurrent",
    "Sex",
    "PersonDeathDate",
]
CHILD = Block(
    "child",
    fields={
        **{c: f"ChildIdentifiers/{c}" for c in _IDS},
        "Ethnicity": "ChildCharacteristics/Ethnicity",
    },
    blocks={
        "ChildCharacteristics/Disabilities/Disability": DISABILITY,
        "CINdetails": EPISODE,
    },
)
RECORDS = {"Header": HEADER, "Children/Child": CHILD}

SEX_NOTE = "from 2024-25 the census records Sex (M, F, U) instead of GenderCurrent"
FIELDS: dict[str, dict[str, Field]] = {
    "child": {
        "LAchildID": Field(required=True),
        "UPN": Field("upn"),
        "FormerUPN": Field("upn"),
        "UPNunknown": CODE,
        "PersonBirthDate": DATE,
        "ExpectedPersonBirthDate": DATE,
        "GenderCurrent": Field("code", years=(None, CIN_SEX_LETTERS_FROM - 1), note=SEX_NOTE),
        "Sex": Field(
            "code",
            years=(CIN_SEX_LETTERS_FROM, None),
            note="before 2024-25 the census records GenderCurrent (1, 2, 0, 9)",
        ),
        "PersonDeathDate": DATE,
        "Ethnicity": Field("code", required=True),
    },
    "disability": {"value": Field("code", required=True)},
    "episode": {
        "CINreferralDate": Field("date", required=True),
        "ReferralSource": Field("code", required=True),
        "PrimaryNeedCode": CODE,
        "CINclosureDate": DATE,
        "ReasonForClosure": CODE,
        "DateOfInitialCPC": DATE,
        "ReferralNFA": Field("bool", required=True),
    },
    "assessment": {
        "AssessmentActualStartDate": Field("date", required=True),
        "AssessmentInternalReviewDate": DATE,
        "AssessmentAuthorisationDate": DATE,
    },
    "factor": {"value": Field("code", required=True)},
    "plan": {"CINPlanStartDate": Field("date", required=True), "CINPlanEndDate": DATE},
    "s47": {
        "S47ActualStartDate": Field("date", required=True),
        "InitialCPCtarget": DATE,
        "DateOfInitialCPC": DATE,
        "ICPCnotRequired": Field("bool", required=True),
    },
    "cpp": {
        "CPPstartDate": Field("date", required=True),
        "CPPendDate": DATE,
        "InitialCategoryOfAbuse": Field("code", required=True),
        "LatestCategoryOfAbuse": Field("code", required=True),
        "NumberOfPreviousCPP": Field("int", required=True),
    },
    "review": {"value": Field("date", required=True)},
}
BLOCKS = {
    b.name: b for b in (CHILD, DISABILITY, EPISODE, ASSESSMENT, FACTOR, PLAN, S47, CPP, REVIEW)
}


def check_cin(path: Path, name: str, la_code: str, year: int, report: Report) -> None:
    """Add the field- and record-level findings for one CIN census file to ``report``."""
    ctx = Context(name, "cin", year, report)
    frames = walk(path, name, "cin", RECORDS, report)
    if frames is None:
        return
    check_header(ctx, frames["header"], "CIN", f"{year}-03-31", la_code)
    for block_name, block in BLOCKS.items():
        check_block(ctx, block, frames[block_name], FIELDS[block_name])
    _sex_present(ctx, frames["child"])
    if year < CIN_PLAN_DATES_FROM:
        plans = frames["plan"]
        ctx.emit(
            "error",
            plans,
            np.ones(len(plans), dtype=bool),
            "",
            "CINPlanDates",
            "element.year",
            f"CINPlanDates is not part of the {year_label(year)} census (it starts in "
            f"{year_label(CIN_PLAN_DATES_FROM)})",
        )
    check_records(ctx, frames, BLOCKS)


def _sex_present(ctx: Context, child: pd.DataFrame) -> None:
    """The year's sex element is required; the other year's one is reported as out of place."""
    tag = "Sex" if ctx.year >= CIN_SEX_LETTERS_FROM else "GenderCurrent"
    other = "GenderCurrent" if tag == "Sex" else "Sex"
    missing = ~present(child[tag]) & child[other].isna()
    ctx.emit(
        "error",
        child,
        missing,
        f"ChildIdentifiers/{tag}",
        tag,
        "field.missing",
        f"{tag} is required but is missing or empty",
    )
