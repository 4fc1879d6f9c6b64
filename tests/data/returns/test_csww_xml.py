from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from data.returns.csww_xml import read_csww_xml, write_csww_xml
from data.returns.frames import ReturnFormatError

# xs:sequence of CSWWWorker in the 2022 workforce XSD.
WORKER_SEQUENCE = [
    "AgencyWorker", "SWENo", "FTE", "PersonBirthDate", "GenderCurrent", "Ethnicity",
    "QualInst", "QualLevel", "StepUpGrad", "OrgRole", "RoleStartDate", "StartOrigin",
    "RoleEndDate", "LeaverDestination", "ReasonLeave", "FTE30", "Cases30", "WorkingDaysLost",
    "ContractWeeks", "FrontlineGrad", "Absat30Sept", "ReasonAbsence", "CFKSSstatus",
]  # fmt: skip


def test_round_trip_gives_the_same_rows(la_year, norm, tmp_path):
    tables = la_year(2025)
    back = read_csww_xml(write_csww_xml(tables, 2025, "805", tmp_path / "csww.xml"))
    for name in ("csww_la", "csww_worker"):
        assert norm(back[name], name).equals(norm(tables[name], name)), name


def test_layout_follows_the_xsd(la_year, tmp_path):
    root = ET.parse(write_csww_xml(la_year(2025), 2025, "805", tmp_path / "c.xml")).getroot()
    assert [c.tag for c in root] == ["Header", "LALevelVacancies"] + ["CSWWWorker"] * 3
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2025-09-30"
    assert [c.tag for c in root.find("LALevelVacancies")] == [
        "NumberOfVacancies",
        "NoAgencyFTE",
        "NoAgencyHeadcount",
    ]
    for worker in root.iter("CSWWWorker"):
        positions = [WORKER_SEQUENCE.index(c.tag) for c in worker]
        assert positions == sorted(positions)
        assert worker.find("QualInst") is not None
    first = root.find("CSWWWorker")
    assert first.findtext("FTE") == "1.000000"
    assert first.findtext("WorkingDaysLost") == "3.50"


def test_bad_number_names_worker_and_field(la_year, tmp_path):
    path = write_csww_xml(la_year(2025), 2025, "805", tmp_path / "csww.xml")
    path.write_text(path.read_text().replace("<Cases30>17<", "<Cases30>many<"))
    with pytest.raises(ReturnFormatError, match=r"CSWWWorker 1, field Cases30: 'many'"):
        read_csww_xml(path)
