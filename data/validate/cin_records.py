"""Record-level checks of the CIN census: how the dates of a child's records fit together.

These run on the frames ``data.validate.cin`` flattened, with the dates its field checks parsed
(NaT where a date was absent or already reported as bad, so no rule here fires twice for one
bad value). Every comparison is a whole-column operation; records are joined to their episode
or child through the ``_parent`` row numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.validate.codesets import year_label
from data.validate.xml_fields import Context, present
from data.validate.xml_walk import PARENT, PATH, Block

OPEN_END = pd.Timestamp("2200-01-01")  # the end of an interval that has none yet
# Dates that may lie after the census reference date: a target and an expected birth.
MAY_BE_LATER = {("child", "ExpectedPersonBirthDate"), ("s47", "InitialCPCtarget")}


def check_records(ctx: Context, frames: dict[str, pd.DataFrame], blocks: dict[str, Block]) -> None:
    """Every record-level finding for one census's flattened frames."""
    d = _Dates(ctx, frames)
    year_start = pd.Timestamp(f"{ctx.year - 1}-04-01")
    reference = pd.Timestamp(f"{ctx.year}-03-31")
    _check_children(ctx, d, frames["child"], frames["episode"])
    _check_episodes(ctx, d, frames["episode"], year_start)
    _check_within_episode(ctx, d, frames)
    _check_plans(ctx, d, frames)
    _check_after_year(ctx, frames, blocks, reference)


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


def _check_children(ctx: Context, d: _Dates, child: pd.DataFrame, episode: pd.DataFrame) -> None:
    ids = child["LAchildID"].where(present(child["LAchildID"]))
    repeat = ids.notna() & ids.duplicated()
    first: dict[object, str] = {}
    if repeat.any():
        known = ids.notna()
        first = {k: str(v) for k, v in child[PATH][known].groupby(ids[known]).first().items()}
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
    ctx: Context,
    frames: dict[str, pd.DataFrame],
    blocks: dict[str, Block],
    reference: pd.Timestamp,
) -> None:
    for (block, col), dates in ctx.dates.items():
        if (block, col) in MAY_BE_LATER:
            continue
        b = blocks[block]
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
