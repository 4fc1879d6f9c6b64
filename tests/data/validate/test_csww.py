"""Each workforce census rule fires on a small document made to break it, and not on clean data."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from data.returns.csww_xml import write_csww_xml
from data.returns.exchange import read_la_year_tables
from data.validate.csww import check_csww
from data.validate.report import Report
from tests.conftest import SMALL_LAS, SMALL_YEARS
from tests.data.returns.conftest import build_tables
from tests.data.validate.xml_docs import check, csww, header, la_block, where, worker

W1 = "/Message/CSWWWorker[1]"
LA = "/Message/LALevelVacancies"


def test_a_clean_document_has_no_findings(tmp_path: Path) -> None:
    doc = csww(
        worker(),
        worker(
            SWENo="SW100002",
            AgencyWorker="1",
            StartOrigin=None,
            WorkingDaysLost=None,
            Absat30Sept=None,
            ContractWeeks="26.5",
        ),
        worker(
            SWENo="SW100003",
            RoleEndDate="2025-06-30",
            LeaverDestination="2",
            ReasonLeave="1",
            FTE30=None,
            Cases30=None,
            Absat30Sept="1",
            ReasonAbsence="SIC",
        ),
    )
    assert check(tmp_path, doc, "csww").findings == []


@pytest.mark.parametrize(
    ("head", "rule", "location", "field"),
    [
        (header("CSWW", la="926"), "csww.header.la", "/Message/Header/Source/LEA", "LEA"),
        (header("CSWW", year=2024, reference_date="2025-09-30"), "csww.header.year",
         "/Message/Header/CollectionDetails/Year", "Year"),
        (header("CSWW", reference_date="2025-03-31"), "csww.header.reference_date",
         "/Message/Header/CollectionDetails/ReferenceDate", "ReferenceDate"),
        (header("CIN", reference_date="2025-09-30"), "csww.header.collection",
         "/Message/Header/CollectionDetails/Collection", "Collection"),
        ("", "csww.header.missing", "/Message", "Header"),
    ],
)  # fmt: skip
def test_header_must_name_this_la_year_and_collection(
    tmp_path: Path, head: str, rule: str, location: str, field: str
) -> None:
    report = check(tmp_path, csww(head=head), "csww")
    assert [(f.rule, f.location, f.field) for f in report.errors] == [(rule, location, field)]


def test_the_la_block_is_required_once(tmp_path: Path) -> None:
    missing = check(tmp_path, csww(la=""), "csww")
    assert [(f.rule, f.location) for f in missing.errors] == [("csww.la.missing", "/Message")]
    twice = check(tmp_path, csww(la=la_block() + la_block()), "csww")
    assert where(twice, "csww.la.repeated") == [(f"{LA}[2]", "LALevelVacancies", "")]


@pytest.mark.parametrize(
    ("doc", "rule", "location", "field"),
    [
        (csww(la=la_block(NoAgencyFTE=None)), "csww.field.missing", f"{LA}/NoAgencyFTE",
         "NoAgencyFTE"),
        (csww(la=la_block(NumberOfVacancies="-1")), "csww.field.range",
         f"{LA}/NumberOfVacancies", "NumberOfVacancies"),
        (csww(la=la_block(NoAgencyHeadcount="2.5")), "csww.field.number",
         f"{LA}/NoAgencyHeadcount", "NoAgencyHeadcount"),
        (csww(worker(AgencyWorker=None)), "csww.field.missing", f"{W1}/AgencyWorker",
         "AgencyWorker"),
        (csww(worker(SWENo="")), "csww.field.missing", f"{W1}/SWENo", "SWENo"),
        (csww(worker(FTE=None)), "csww.field.missing", f"{W1}/FTE", "FTE"),
        (csww(worker(FTE="1.5")), "csww.field.range", f"{W1}/FTE", "FTE"),
        (csww(worker(FTE="-0.2")), "csww.field.range", f"{W1}/FTE", "FTE"),
        (csww(worker(FTE30="1.01")), "csww.field.range", f"{W1}/FTE30", "FTE30"),
        (csww(worker(FTE="full")), "csww.field.number", f"{W1}/FTE", "FTE"),
        (csww(worker(FTE="1e0")), "csww.field.number", f"{W1}/FTE", "FTE"),
        (csww(worker(Cases30="12.5")), "csww.field.number", f"{W1}/Cases30", "Cases30"),
        (csww(worker(WorkingDaysLost="400")), "csww.field.range", f"{W1}/WorkingDaysLost",
         "WorkingDaysLost"),
        (csww(worker(AgencyWorker="1", StartOrigin=None, WorkingDaysLost=None,
                     Absat30Sept=None, ContractWeeks="60")),
         "csww.field.range", f"{W1}/ContractWeeks", "ContractWeeks"),
        (csww(worker(RoleStartDate="01/09/2019")), "csww.date.format", f"{W1}/RoleStartDate",
         "RoleStartDate"),
        (csww(worker(PersonBirthDate="1985-02-29")), "csww.date.invalid",
         f"{W1}/PersonBirthDate", "PersonBirthDate"),
    ],
)  # fmt: skip
def test_field_rules(tmp_path: Path, doc: str, rule: str, location: str, field: str) -> None:
    report = check(tmp_path, doc, "csww")
    assert [(f.rule, f.location, f.field) for f in report.errors] == [(rule, location, field)]


@pytest.mark.parametrize(
    ("element", "value"),
    [
        ("AgencyWorker", "2"),
        ("AgencyWorker", "true"),
        ("GenderCurrent", "M"),
        ("GenderCurrent", "3"),
        ("Ethnicity", "WROM"),  # in the CIN list, not in the workforce one
        ("QualLevel", "4"),
        ("OrgRole", "7"),
        ("StartOrigin", "0"),
        ("CFKSSstatus", "5"),
        ("Absat30Sept", "2"),
    ],
)
def test_codes(tmp_path: Path, element: str, value: str) -> None:
    report = check(tmp_path, csww(worker(**{element: value})), "csww")
    assert where(report, "csww.code.unknown") == [(f"{W1}/{element}", element, value)]


def test_leaver_codes_and_absence_reasons(tmp_path: Path) -> None:
    leaver = worker(RoleEndDate="2025-06-30", LeaverDestination="11", ReasonLeave="0")
    absent = worker(SWENo="SW100002", Absat30Sept="1", ReasonAbsence="HOL")
    report = check(tmp_path, csww(leaver, absent), "csww")
    assert [(loc, f) for loc, f, _ in where(report, "csww.code.unknown")] == [
        (f"{W1}/LeaverDestination", "LeaverDestination"),
        (f"{W1}/ReasonLeave", "ReasonLeave"),
        ("/Message/CSWWWorker[2]/ReasonAbsence", "ReasonAbsence"),
    ]


def test_duplicate_worker(tmp_path: Path) -> None:
    report = check(tmp_path, csww(worker(), worker(SWENo="SW100002"), worker()), "csww")
    assert where(report, "csww.worker.duplicate") == [
        ("/Message/CSWWWorker[3]/SWENo", "SWENo", "SW100001")
    ]


def test_left_before_starting(tmp_path: Path) -> None:
    doc = csww(worker(RoleStartDate="2025-05-01", RoleEndDate="2025-04-30", ReasonLeave="1"))
    report = check(tmp_path, doc, "csww")
    assert [(f.rule, f.location) for f in report.errors] == [
        ("csww.worker.dates_order", f"{W1}/RoleEndDate")
    ]


def test_leaver_from_an_earlier_census(tmp_path: Path) -> None:
    doc = csww(worker(RoleEndDate="2024-09-30", ReasonLeave="1"))
    report = check(tmp_path, doc, "csww")
    assert where(report, "csww.worker.other_year") == [
        (f"{W1}/RoleEndDate", "RoleEndDate", "2024-09-30")
    ]
    first_day = doc.replace("2024-09-30", "2024-10-01")
    assert check(tmp_path, first_day, "csww").ok


def test_dates_after_30_september(tmp_path: Path) -> None:
    doc = csww(worker(RoleStartDate="2025-10-01"))
    report = check(tmp_path, doc, "csww")
    assert where(report, "csww.date.after_year") == [
        (f"{W1}/RoleStartDate", "RoleStartDate", "2025-10-01")
    ]
    assert check(tmp_path, doc.replace("2025-10-01", "2025-09-30"), "csww").ok


@pytest.mark.parametrize(
    ("values", "location"),
    [
        ({"RoleEndDate": "2025-06-30"}, f"{W1}/ReasonLeave"),
        ({"ReasonLeave": "1"}, f"{W1}/ReasonLeave"),
        ({"LeaverDestination": "2"}, f"{W1}/LeaverDestination"),
    ],
)
def test_leaver_fields_go_together(tmp_path: Path, values: dict[str, str], location: str) -> None:
    report = check(tmp_path, csww(worker(**values)), "csww")
    assert [(f.rule, f.location) for f in report.warnings] == [
        ("csww.worker.leaver_fields", location)
    ]
    assert report.ok


@pytest.mark.parametrize(
    ("values", "location"),
    [
        ({"AgencyWorker": "1", "StartOrigin": "4", "WorkingDaysLost": None}, f"{W1}/StartOrigin"),
        ({"AgencyWorker": "1", "StartOrigin": None}, f"{W1}/WorkingDaysLost"),
        ({"ContractWeeks": "20"}, f"{W1}/ContractWeeks"),
    ],
)
def test_agency_and_employed_fields(
    tmp_path: Path, values: dict[str, str | None], location: str
) -> None:
    report = check(tmp_path, csww(worker(**values)), "csww")
    assert [(f.rule, f.location) for f in report.warnings] == [
        ("csww.worker.agency_fields", location)
    ]


@pytest.mark.parametrize(
    ("absent", "reason"),
    [("1", None), ("0", "SIC")],
)
def test_absence_and_its_reason_go_together(
    tmp_path: Path, absent: str, reason: str | None
) -> None:
    report = check(tmp_path, csww(worker(Absat30Sept=absent, ReasonAbsence=reason)), "csww")
    assert [(f.rule, f.location) for f in report.warnings] == [
        ("csww.worker.absence", f"{W1}/ReasonAbsence")
    ]


def test_swe_number_shape_is_a_warning(tmp_path: Path) -> None:
    report = check(tmp_path, csww(worker(SWENo="123456")), "csww")
    assert where(report, "csww.worker.swe_format") == [(f"{W1}/SWENo", "SWENo", "123456")]
    assert report.ok


def test_the_hand_made_fixture_is_clean(tmp_path: Path) -> None:
    path = write_csww_xml(build_tables(2025), 2025, "805", tmp_path / "csww.xml")
    report = Report()
    check_csww(path, path.name, "805", 2025, report)
    assert report.findings == []


def test_every_small_db_la_year_exports_clean(small_db: str, tmp_path: Path) -> None:
    """The workforce file as export_la_year writes it (see test_cin for why not through it)."""
    engine = create_engine(small_db)
    for la in SMALL_LAS:
        for year in SMALL_YEARS:
            tables = read_la_year_tables(engine, la, year)
            path = write_csww_xml(tables, year, la, tmp_path / f"csww_{la}_{year}.xml")
            report = Report()
            check_csww(path, path.name, la, year, report)
            assert report.findings == [], f"{la} {year}: {report.format_text()}"
