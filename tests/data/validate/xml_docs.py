"""Small hand-written CIN and workforce census documents for the rule tests.

Each builder gives a valid piece by default; a test overrides one value (None leaves the element
out) to make one fault, so the document stays small enough to read in the test itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from data.validate.cin import check_cin
from data.validate.csww import check_csww
from data.validate.report import Finding, Report

LA = "805"
YEAR = 2025
Values = Mapping[str, str | None]


def tags(values: Values) -> str:
    """``<k>v</k>`` for each value in order; None leaves the element out."""
    return "".join(f"<{k}>{v}</{k}>" for k, v in values.items() if v is not None)


def header(
    collection: str = "CIN",
    year: int | str = YEAR,
    reference_date: str | None = None,
    la: str | None = LA,
) -> str:
    ref = reference_date or (f"{year}-03-31" if collection == "CIN" else f"{year}-09-30")
    return (
        "<Header><CollectionDetails>"
        + tags({"Collection": collection, "Year": str(year), "ReferenceDate": ref})
        + "</CollectionDetails><Source>"
        + tags({"SourceLevel": "L", "LEA": la, "SoftwareCode": "tests"})
        + "</Source></Header>"
    )


def episode(
    inner: str = "",
    after_nfa: str = "",
    **values: str | None,
) -> str:
    """A CINdetails; ``inner`` goes before ReferralNFA (assessments, plans, section 47s),
    ``after_nfa`` after it (child protection plans), as in the schema's order."""
    fields: dict[str, str | None] = {
        "CINreferralDate": "2024-06-01",
        "ReferralSource": "2A",
        "PrimaryNeedCode": "N1",
        "CINclosureDate": None,
        "ReasonForClosure": None,
    }
    nfa = values.pop("ReferralNFA", "0")
    fields.update(values)
    return f"<CINdetails>{tags(fields)}{inner}{tags({'ReferralNFA': nfa})}{after_nfa}</CINdetails>"


def assessment(factors: tuple[str, ...] = ("3B",), **values: str | None) -> str:
    fields: dict[str, str | None] = {
        "AssessmentActualStartDate": "2024-06-03",
        "AssessmentAuthorisationDate": "2024-07-10",
    }
    fields.update(values)
    listed = "".join(f"<AssessmentFactors>{f}</AssessmentFactors>" for f in factors)
    block = f"<FactorsIdentifiedAtAssessment>{listed}</FactorsIdentifiedAtAssessment>"
    return f"<Assessments>{tags(fields)}{block if factors else ''}</Assessments>"


def plan(**values: str | None) -> str:
    fields: dict[str, str | None] = {"CINPlanStartDate": "2024-07-15", "CINPlanEndDate": None}
    fields.update(values)
    return f"<CINPlanDates>{tags(fields)}</CINPlanDates>"


def s47(**values: str | None) -> str:
    fields: dict[str, str | None] = {
        "S47ActualStartDate": "2024-06-02",
        "InitialCPCtarget": "2024-06-23",
        "DateOfInitialCPC": "2024-06-20",
        "ICPCnotRequired": "0",
    }
    fields.update(values)
    return f"<Section47>{tags(fields)}</Section47>"


def cpp(reviews: tuple[str, ...] = ("2024-09-10",), **values: str | None) -> str:
    fields: dict[str, str | None] = {
        "CPPstartDate": "2024-06-20",
        "CPPendDate": None,
        "InitialCategoryOfAbuse": "NEG",
        "LatestCategoryOfAbuse": "NEG",
        "NumberOfPreviousCPP": "0",
    }
    fields.update(values)
    listed = "".join(f"<CPPreviewDate>{r}</CPPreviewDate>" for r in reviews)
    return f"<ChildProtectionPlans>{tags(fields)}<Reviews>{listed}</Reviews></ChildProtectionPlans>"


def child(
    *episodes: str,
    disabilities: tuple[str, ...] = (),
    ethnicity: str | None = "WBRI",
    **ids: str | None,
) -> str:
    """A Child with the given CINdetails (one default episode if none is given)."""
    fields: dict[str, str | None] = {
        "LAchildID": "C1",
        "UPN": None,
        "UPNunknown": "UN1",
        "PersonBirthDate": "2020-05-01",
        "Sex": "F",
    }
    fields.update(ids)
    dis = "".join(f"<Disability>{d}</Disability>" for d in disabilities)
    chars = tags({"Ethnicity": ethnicity}) + (f"<Disabilities>{dis}</Disabilities>" if dis else "")
    return (
        f"<Child><ChildIdentifiers>{tags(fields)}</ChildIdentifiers>"
        f"<ChildCharacteristics>{chars}</ChildCharacteristics>"
        f"{''.join(episodes or (episode(),))}</Child>"
    )


def cin(*children: str, head: str | None = None, year: int = YEAR) -> str:
    """A CIN census holding the given children (one default child if none is given)."""
    top = header("CIN", year) if head is None else head
    kids = "".join(children or (child(),))
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Message>{top}<Children>{kids}</Children></Message>'
    )


def la_block(**values: str | None) -> str:
    fields: dict[str, str | None] = {
        "NumberOfVacancies": "4.50",
        "NoAgencyFTE": "2.00",
        "NoAgencyHeadcount": "2",
    }
    fields.update(values)
    return f"<LALevelVacancies>{tags(fields)}</LALevelVacancies>"


def worker(**values: str | None) -> str:
    """An employed case holder in post on 30 September, unless ``values`` say otherwise."""
    fields: dict[str, str | None] = {
        "AgencyWorker": "0",
        "SWENo": "SW100001",
        "FTE": "1.000000",
        "PersonBirthDate": "1985-04-04",
        "GenderCurrent": "2",
        "Ethnicity": "WBRI",
        "QualLevel": "2",
        "OrgRole": "5",
        "RoleStartDate": "2019-09-01",
        "StartOrigin": "1",
        "RoleEndDate": None,
        "LeaverDestination": None,
        "ReasonLeave": None,
        "FTE30": "1.000000",
        "Cases30": "15",
        "WorkingDaysLost": "3.50",
        "ContractWeeks": None,
        "Absat30Sept": "0",
        "ReasonAbsence": None,
        "CFKSSstatus": "2",
    }
    fields.update(values)
    return f"<CSWWWorker>{tags(fields)}</CSWWWorker>"


def csww(*workers: str, head: str | None = None, la: str | None = None, year: int = YEAR) -> str:
    """A workforce census with an LA block and the given workers (one default worker)."""
    top = header("CSWW", year) if head is None else head
    block = la_block() if la is None else la
    body = "".join(workers or (worker(),))
    return f'<?xml version="1.0" encoding="UTF-8"?><Message>{top}{block}{body}</Message>'


def check(tmp_path: Path, text: str, kind: str = "cin", year: int = YEAR, la: str = LA) -> Report:
    """Findings for ``text`` checked as a ``kind`` return of ``la`` and ``year``."""
    path = tmp_path / f"{kind}.xml"
    path.write_text(text, encoding="utf-8")
    report = Report()
    (check_cin if kind == "cin" else check_csww)(path, path.name, la, year, report)
    return report


def where(report: Report, rule: str) -> list[tuple[str, str, str]]:
    """(location, field, value) of every finding under ``rule``."""
    return [(f.location, f.field, f.value) for f in report.findings if f.rule == rule]


def only(report: Report) -> list[Finding]:
    return list(report.findings)
