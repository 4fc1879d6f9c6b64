"""Field and record checks of the children's social work workforce census XML.

The workforce indicators are ratios of FTE (turnover, agency and vacancy rates, caseloads), so
an FTE outside 0 to 1, a worker counted twice or a leaver from another year is an error: each
moves a rate. Agency records legitimately leave many fields empty (returns_spec 3), so gaps are
not reported; fields that only employed staff have are warnings when an agency record has them.

Layout follows returns_spec 3 and the writer in data/returns/csww_xml.py. The census counts on
30 September: the header's ReferenceDate is 30 September of the collection year and the year's
flows run from 1 October of the year before.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from data.validate.report import Report
from data.validate.xml_fields import Context, Field, check_block, present
from data.validate.xml_header import HEADER, check_header
from data.validate.xml_walk import Block, walk

DATE = Field("date")
CODE = Field("code")
FTE = Field("decimal", low=0, high=1)

WORKER_FIELDS: dict[str, Field] = {
    "AgencyWorker": Field("code", required=True),
    "SWENo": Field(required=True),
    "FTE": Field("decimal", required=True, low=0, high=1),
    "PersonBirthDate": DATE,
    "GenderCurrent": CODE,
    "Ethnicity": CODE,
    "QualInst": Field(),
    "QualLevel": CODE,
    "StepUpGrad": CODE,
    "OrgRole": CODE,
    "RoleStartDate": DATE,
    "StartOrigin": CODE,
    "RoleEndDate": DATE,
    "LeaverDestination": CODE,
    "ReasonLeave": CODE,
    "FTE30": FTE,
    "Cases30": Field("int"),
    "WorkingDaysLost": Field("decimal", low=0, high=366),
    "ContractWeeks": Field("decimal", low=0, high=53),
    "FrontlineGrad": CODE,
    "Absat30Sept": CODE,
    "ReasonAbsence": CODE,
    "CFKSSstatus": CODE,
}
LA_FIELDS: dict[str, Field] = {
    "NumberOfVacancies": Field("decimal", required=True, low=0),
    "NoAgencyFTE": Field("decimal", required=True, low=0),
    "NoAgencyHeadcount": Field("int", required=True),
}
WORKER = Block("worker", fields={c: c for c in WORKER_FIELDS})
LA = Block("la", fields={c: c for c in LA_FIELDS}, repeats=False)
RECORDS = {"Header": HEADER, "LALevelVacancies": LA, "CSWWWorker": WORKER}
SWE_SHAPE = r"SW[0-9]+"
# Filled in for employed staff only (flows and absence); agency staff have ContractWeeks.
EMPLOYED_ONLY = ("StartOrigin", "LeaverDestination", "ReasonLeave", "WorkingDaysLost")


def check_csww(path: Path, name: str, la_code: str, year: int, report: Report) -> None:
    """Add the field- and record-level findings for one workforce census file to ``report``."""
    ctx = Context(name, "csww", year, report)
    frames = walk(path, name, "csww", RECORDS, report)
    if frames is None:
        return
    check_header(ctx, frames["header"], "CSWW", f"{year}-09-30", la_code)
    check_block(ctx, LA, frames["la"], LA_FIELDS)
    check_block(ctx, WORKER, frames["worker"], WORKER_FIELDS)
    _check_la(ctx, frames["la"])
    _check_workers(ctx, frames["worker"])


def _check_la(ctx: Context, la: pd.DataFrame) -> None:
    if la.empty:
        ctx.report.error(
            ctx.file,
            "/Message",
            "LALevelVacancies",
            "",
            "csww.la.missing",
            "the file has no LALevelVacancies block, so vacancy and agency rates cannot be "
            "worked out",
        )
    ctx.emit(
        "error",
        la,
        la.index > 0,
        "",
        "LALevelVacancies",
        "la.repeated",
        "the file has more than one LALevelVacancies block; there is one per LA",
    )


def _date(ctx: Context, worker: pd.DataFrame, col: str) -> pd.Series:
    got = ctx.dates.get(("worker", col))
    if got is None:
        return pd.Series(pd.NaT, index=worker.index, dtype="datetime64[ns]")
    return got


def _check_workers(ctx: Context, worker: pd.DataFrame) -> None:
    year_start = pd.Timestamp(f"{ctx.year - 1}-10-01")
    reference = pd.Timestamp(f"{ctx.year}-09-30")
    swe = worker["SWENo"].where(present(worker["SWENo"]))
    ctx.emit(
        "warning",
        worker,
        swe.notna() & ~swe.astype(str).str.fullmatch(SWE_SHAPE),
        "SWENo",
        "SWENo",
        "worker.swe_format",
        "SWENo is not a Social Work England number (SW followed by digits)",
        worker["SWENo"],
    )
    ctx.emit(
        "error",
        worker,
        swe.notna() & swe.duplicated(),
        "SWENo",
        "SWENo",
        "worker.duplicate",
        "the worker (SWENo) appears more than once; each worker has one record",
        worker["SWENo"],
    )
    start, end = _date(ctx, worker, "RoleStartDate"), _date(ctx, worker, "RoleEndDate")
    ctx.emit(
        "error",
        worker,
        end < start,
        "RoleEndDate",
        "RoleEndDate",
        "worker.dates_order",
        "RoleEndDate is before RoleStartDate: the worker left before starting",
        worker["RoleEndDate"],
    )
    ctx.emit(
        "error",
        worker,
        end < year_start,
        "RoleEndDate",
        "RoleEndDate",
        "worker.other_year",
        f"the worker left before {year_start:%d %B %Y}, so belongs to an earlier census",
        worker["RoleEndDate"],
    )
    for col in ("PersonBirthDate", "RoleStartDate", "RoleEndDate"):
        ctx.emit(
            "error",
            worker,
            _date(ctx, worker, col) > reference,
            col,
            col,
            "date.after_year",
            f"{col} is after the census reference date {reference:%d %B %Y}",
            worker[col],
        )
    left = present(worker["RoleEndDate"])
    ctx.emit(
        "warning",
        worker,
        left & ~present(worker["ReasonLeave"]) & (worker["AgencyWorker"] == "0"),
        "ReasonLeave",
        "ReasonLeave",
        "worker.leaver_fields",
        "the worker has a RoleEndDate but no ReasonLeave",
    )
    for col in ("ReasonLeave", "LeaverDestination"):
        ctx.emit(
            "warning",
            worker,
            present(worker[col]) & ~left,
            col,
            col,
            "worker.leaver_fields",
            f"{col} is given but the worker has no RoleEndDate",
            worker[col],
        )
    agency = worker["AgencyWorker"] == "1"
    employed = worker["AgencyWorker"] == "0"
    for col in EMPLOYED_ONLY:
        ctx.emit(
            "warning",
            worker,
            agency & present(worker[col]),
            col,
            col,
            "worker.agency_fields",
            f"{col} is recorded for employed staff only, not for agency workers",
            worker[col],
        )
    ctx.emit(
        "warning",
        worker,
        employed & present(worker["ContractWeeks"]),
        "ContractWeeks",
        "ContractWeeks",
        "worker.agency_fields",
        "ContractWeeks is recorded for agency workers only",
        worker["ContractWeeks"],
    )
    absent = worker["Absat30Sept"] == "1"
    ctx.emit(
        "warning",
        worker,
        absent & ~present(worker["ReasonAbsence"]),
        "ReasonAbsence",
        "ReasonAbsence",
        "worker.absence",
        "the worker is absent on 30 September (Absat30Sept 1) but has no ReasonAbsence",
    )
    ctx.emit(
        "warning",
        worker,
        ~absent & present(worker["ReasonAbsence"]),
        "ReasonAbsence",
        "ReasonAbsence",
        "worker.absence",
        "ReasonAbsence is given but Absat30Sept does not say the worker is absent",
        worker["ReasonAbsence"],
    )
