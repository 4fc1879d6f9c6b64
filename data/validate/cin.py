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
from data.validate.codesets import year_label
from data.validate.report import Report
from data.validate.xml_fields import Context, Field, check_block, present
from data.validate.xml_header import HEADER, check_header
from data.validate.xml_walk import PARENT, PATH, Block, walk

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
    "disability": {"value": CODE},
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
    "factor": {"value": CODE},
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
    "review": {"value": DATE},
}
BLOCKS = {
    b.name: b for b in (CHILD, DISABILITY, EPISODE, ASSESSMENT, FACTOR, PLAN, S47, CPP, REVIEW)
}
OPEN_END = pd.Timestamp("2200-01-01")  # the end of an interval that has none yet
# Dates that may lie after the census reference date: a target and an expected birth.
MAY_BE_LATER = {("child", "ExpectedPersonBirthDate"), ("s47", "InitialCPCtarget")}


def check_cin(path: Path, name: str, la_code: str, year: int, report: Report) -> None:
    """Add the field- and record-level findings for one CIN census file to ``report``."""
    ctx = Context(name, "cin", year, report)
    frames = walk(path, name, "cin", RECORDS, report)
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
            f"CINPlanDates is not part of the {year_label(year)} census (it starts in 2021-22)",
        )
    _check_records(ctx, frames)


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


# ---------------------------------------------------------------- record level


class _Dates:
    """Parsed dates by block and column; NaT where absent or not a date (already reported)."""

    def __init__(self, ctx: Context, frames: dict[str, pd.DataFrame]) -> None:
        self.ctx, self.frames = ctx, frames

    def __call__(self, block: str, col: str) -> pd.Series:
        got = self.ctx.dates.get((block, col))
        if got is None:
            return pd.Series(pd.NaT, index=self.frames[block].index, dtype="datetime64[ns]")
        return got

    def parent(self, block: str, parent_block: str, col: str) -> pd.Series:
        """The parent row's date for each row of ``block``."""
        values = self(parent_block, col).to_numpy()
        parents = self.frames[block][PARENT].to_numpy(dtype=np.int64)
        return pd.Series(values[parents], index=self.frames[block].index)


def _check_records(ctx: Context, frames: dict[str, pd.DataFrame]) -> None:
    d = _Dates(ctx, frames)
    child, episode = frames["child"], frames["episode"]
    year_start = pd.Timestamp(f"{ctx.year - 1}-04-01")
    reference = pd.Timestamp(f"{ctx.year}-03-31")

    ids = child["LAchildID"].where(present(child["LAchildID"]))
    repeat = ids.notna() & ids.duplicated()
    first = child[PATH][ids.notna()].groupby(ids[ids.notna()]).first().to_dict()
    ctx.emit(
        "error",
        child,
        repeat,
        "ChildIdentifiers/LAchildID",
        "LAchildID",
        "child.duplicate",
        lambda v: (
            f"LAchildID {v} is already used by {first.get(v, 'another child')}; "
            "each child must appear once"
        ),
        child["LAchildID"],
    )
    has_episode = np.isin(np.arange(len(child)), episode[PARENT].to_numpy())
    ctx.emit(
        "error",
        child,
        ~has_episode,
        "",
        "CINdetails",
        "child.no_episode",
        "the child has no CINdetails (episode of need); every child in the census needs one",
    )
    born, died = d("child", "PersonBirthDate"), d("child", "PersonDeathDate")
    ctx.emit(
        "error",
        child,
        died < born,
        "ChildIdentifiers/PersonDeathDate",
        "PersonDeathDate",
        "child.dates_order",
        "PersonDeathDate is before PersonBirthDate",
        child["PersonDeathDate"],
    )
    no_birth = ~present(child["PersonBirthDate"]) & ~present(child["ExpectedPersonBirthDate"])
    ctx.emit(
        "warning",
        child,
        no_birth,
        "ChildIdentifiers/PersonBirthDate",
        "PersonBirthDate",
        "child.no_birth_date",
        "the child has neither PersonBirthDate nor ExpectedPersonBirthDate, so has no age",
    )
    no_upn = ~present(child["UPN"]) & ~present(child["UPNunknown"])
    ctx.emit(
        "warning",
        child,
        no_upn,
        "ChildIdentifiers/UPN",
        "UPN",
        "upn.missing",
        "the child has neither a UPN nor a UPNunknown reason",
    )

    _check_episodes(ctx, d, episode, year_start)
    _check_within_episode(ctx, d, frames)
    _check_plans(ctx, d, frames)
    _check_after_year(ctx, d, frames, reference)


def _check_episodes(
    ctx: Context, d: _Dates, episode: pd.DataFrame, year_start: pd.Timestamp
) -> None:
    referral, closure = d("episode", "CINreferralDate"), d("episode", "CINclosureDate")
    ctx.emit(
        "error",
        episode,
        closure < referral,
        "CINclosureDate",
        "CINclosureDate",
        "episode.dates_order",
        "CINclosureDate is before CINreferralDate: the episode closes before it opens",
        episode["CINclosureDate"],
    )
    ctx.emit(
        "error",
        episode,
        closure < year_start,
        "CINclosureDate",
        "CINclosureDate",
        "episode.other_year",
        f"the episode closed before {year_start:%d %B %Y}, so it belongs to an earlier "
        f"year's census, not {year_label(ctx.year)}",
        episode["CINclosureDate"],
    )
    has_date, has_reason = present(episode["CINclosureDate"]), present(episode["ReasonForClosure"])
    ctx.emit(
        "error",
        episode,
        has_date & ~has_reason,
        "ReasonForClosure",
        "ReasonForClosure",
        "episode.closure_reason",
        "the episode has a CINclosureDate but no ReasonForClosure",
    )
    ctx.emit(
        "error",
        episode,
        has_reason & ~has_date,
        "CINclosureDate",
        "CINclosureDate",
        "episode.closure_reason",
        "the episode has a ReasonForClosure but no CINclosureDate",
        episode["ReasonForClosure"],
    )
    overlap = _overlaps(episode[PARENT], referral, closure)
    ctx.emit(
        "error",
        episode,
        overlap,
        "CINreferralDate",
        "CINreferralDate",
        "episode.overlap",
        "the episode starts before the child's previous episode closed; a child has one "
        "episode of need at a time",
        episode["CINreferralDate"],
    )


def _overlaps(group: pd.Series, start: pd.Series, end: pd.Series) -> pd.Series:
    """True for each interval that starts before the previous one of its group ends (open
    intervals never end); intervals are ordered by start within the group."""
    frame = pd.DataFrame({"g": group.to_numpy(), "s": start.to_numpy(), "e": end.to_numpy()})
    frame = frame[frame["s"].notna()].sort_values(["g", "s"], kind="stable")
    open_end = frame["e"].fillna(OPEN_END)
    # The latest end of any earlier interval in the group: an episode may be nested.
    previous = open_end.groupby(frame["g"]).cummax().groupby(frame["g"]).shift()
    hit = pd.Series(False, index=group.index)
    flagged = frame.index[(frame["s"] < previous).to_numpy()]
    hit.iloc[flagged] = True
    return hit


def _check_within_episode(ctx: Context, d: _Dates, frames: dict[str, pd.DataFrame]) -> None:
    """Assessments, section 47 enquiries, CIN plans and CP plans inside their episode."""
    starts = {
        "assessment": "AssessmentActualStartDate",
        "s47": "S47ActualStartDate",
        "plan": "CINPlanStartDate",
        "cpp": "CPPstartDate",
    }
    for block, col in starts.items():
        frame = frames[block]
        start = d(block, col)
        referral = d.parent(block, "episode", "CINreferralDate")
        closure = d.parent(block, "episode", "CINclosureDate")
        ctx.emit(
            "error",
            frame,
            start < referral,
            col,
            col,
            f"{block}.before_referral",
            f"{col} is before the episode's CINreferralDate",
            frame[col],
        )
        ctx.emit(
            "warning",
            frame,
            start > closure,
            col,
            col,
            f"{block}.after_closure",
            f"{col} is after the episode's CINclosureDate",
            frame[col],
        )
    assessment = frames["assessment"]
    done = d("assessment", "AssessmentAuthorisationDate")
    ctx.emit(
        "error",
        assessment,
        done < d("assessment", "AssessmentActualStartDate"),
        "AssessmentAuthorisationDate",
        "AssessmentAuthorisationDate",
        "assessment.dates_order",
        "AssessmentAuthorisationDate is before AssessmentActualStartDate: the assessment was "
        "completed before it started",
        assessment["AssessmentAuthorisationDate"],
    )
    s47 = frames["s47"]
    ctx.emit(
        "error",
        s47,
        d("s47", "DateOfInitialCPC") < d("s47", "S47ActualStartDate"),
        "DateOfInitialCPC",
        "DateOfInitialCPC",
        "s47.dates_order",
        "DateOfInitialCPC is before S47ActualStartDate: the conference precedes its enquiry",
        s47["DateOfInitialCPC"],
    )


def _check_plans(ctx: Context, d: _Dates, frames: dict[str, pd.DataFrame]) -> None:
    plan, cpp, review = frames["plan"], frames["cpp"], frames["review"]
    ctx.emit(
        "error",
        plan,
        d("plan", "CINPlanEndDate") < d("plan", "CINPlanStartDate"),
        "CINPlanEndDate",
        "CINPlanEndDate",
        "plan.dates_order",
        "CINPlanEndDate is before CINPlanStartDate: the CIN plan ended before it started",
        plan["CINPlanEndDate"],
    )
    start, end = d("cpp", "CPPstartDate"), d("cpp", "CPPendDate")
    ctx.emit(
        "error",
        cpp,
        end < start,
        "CPPendDate",
        "CPPendDate",
        "cpp.dates_order",
        "CPPendDate is before CPPstartDate: the plan ended before it started",
        cpp["CPPendDate"],
    )
    # CP plans of one child (across its episodes) must not run at the same time.
    child_of_cpp = frames["episode"][PARENT].to_numpy(dtype=np.int64)[
        cpp[PARENT].to_numpy(dtype=np.int64)
    ]
    ctx.emit(
        "error",
        cpp,
        _overlaps(pd.Series(child_of_cpp, index=cpp.index), start, end.mask(end < start, start)),
        "CPPstartDate",
        "CPPstartDate",
        "cpp.overlap",
        "the CP plan starts before the child's previous CP plan ended",
        cpp["CPPstartDate"],
    )
    when = d("review", "value")
    outside = (when < d.parent("review", "cpp", "CPPstartDate")) | (
        when > d.parent("review", "cpp", "CPPendDate")
    )
    ctx.emit(
        "warning",
        review,
        outside,
        "",
        "CPPreviewDate",
        "cpp.review_outside",
        "the CP plan review date is outside the plan's start and end dates",
        review["value"],
    )


def _check_after_year(
    ctx: Context, d: _Dates, frames: dict[str, pd.DataFrame], reference: pd.Timestamp
) -> None:
    for (block, col), dates in ctx.dates.items():
        if (block, col) in MAY_BE_LATER:
            continue
        b = BLOCKS[block]
        ctx.emit(
            "error",
            frames[block],
            dates > reference,
            b.location(col),
            b.element(col),
            "date.after_year",
            f"{b.element(col)} is after the census reference date {reference:%d %B %Y}",
            frames[block][col],
        )
