from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from data.returns.cin_xml import read_cin_xml, write_cin_xml
from data.returns.frames import ReturnFormatError

# xs:sequence of each complex type, from the DfE CIN XSDs (2020-21 to 2025-26).
BASE_ORDER = {
    "Message": ["Header", "Children"],
    "Header": ["CollectionDetails", "Source"],
    "CollectionDetails": ["Collection", "Year", "ReferenceDate"],
    "Source": ["SourceLevel", "LEA", "SoftwareCode", "Release", "SerialNo", "DateTime"],
    "Child": ["ChildIdentifiers", "ChildCharacteristics", "CINdetails"],
    "ChildCharacteristics": ["Ethnicity", "Disabilities"],
    "Assessments": [
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "FactorsIdentifiedAtAssessment",
    ],
    "CINPlanDates": ["CINPlanStartDate", "CINPlanEndDate"],
    "Section47": ["S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired"],
    "ChildProtectionPlans": [
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
        "Reviews",
    ],
}
DETAILS_2021 = [
    "CINreferralDate",
    "ReferralSource",
    "PrimaryNeedCode",
    "CINclosureDate",
    "ReasonForClosure",
    "DateOfInitialCPC",
    "Assessments",
    "Section47",
    "ReferralNFA",
    "ChildProtectionPlans",
]
DETAILS_2022 = [*DETAILS_2021[:7], "CINPlanDates", *DETAILS_2021[7:]]


def _identifiers(sex: str) -> list[str]:
    return [
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        sex,
        "PersonDeathDate",
    ]


def xsd_order(year: int) -> dict[str, list[str]]:
    order = dict(BASE_ORDER)
    order["CINdetails"] = DETAILS_2021 if year <= 2021 else DETAILS_2022
    order["ChildIdentifiers"] = _identifiers("GenderCurrent" if year <= 2024 else "Sex")
    return order


def assert_follows_sequence(root: ET.Element, order: dict[str, list[str]]) -> int:
    checked = 0
    for node in root.iter():
        if node.tag not in order:
            continue
        tags = [c.tag for c in node]
        allowed = order[node.tag]
        unknown = [t for t in tags if t not in allowed]
        assert not unknown, f"{node.tag} has {unknown}, not in the XSD sequence"
        positions = [allowed.index(t) for t in tags]
        assert positions == sorted(positions), f"{node.tag} children out of order: {tags}"
        checked += 1
    return checked


def test_round_trip_gives_the_same_rows(la_year, norm, tmp_path):
    tables = la_year(2025)
    path = write_cin_xml(tables, 2025, "805", tmp_path / "cin.xml")
    back = read_cin_xml(path)
    for name, frame in back.items():
        assert list(frame.columns) == list(tables[name].columns)
        assert norm(frame, name).equals(norm(tables[name], name)), name
    assert set(back["cin_child"]["year"]) == {2025}
    assert set(back["cin_child"]["la_code"]) == {"805"}


@pytest.mark.parametrize("year", [2021, 2022, 2024, 2025, 2026])
def test_elements_follow_the_xsd_sequence(la_year, tmp_path, year):
    path = write_cin_xml(la_year(year), year, "805", tmp_path / "cin.xml")
    root = ET.parse(path).getroot()
    assert assert_follows_sequence(root, xsd_order(year)) > 20
    plans = root.findall(".//CINPlanDates")
    assert len(plans) == (0 if year <= 2021 else 2)


def test_gender_current_to_2024_and_sex_from_2025(la_year, tmp_path):
    old = ET.parse(write_cin_xml(la_year(2024), 2024, "805", tmp_path / "a.xml")).getroot()
    new = ET.parse(write_cin_xml(la_year(2025), 2025, "805", tmp_path / "b.xml")).getroot()
    assert [e.text for e in old.iter("GenderCurrent")] == ["0", "2", "1", "2", "1", "1", "2"]
    assert not list(old.iter("Sex"))
    assert [e.text for e in new.iter("Sex")] == ["U", "F", "M", "F", "M", "M", "F"]
    assert not list(new.iter("GenderCurrent"))
    canonical = ["U", "F", "M", "F", "M", "M", "F"]
    assert read_cin_xml(tmp_path / "a.xml")["cin_child"]["sex"].tolist() == canonical
    assert read_cin_xml(tmp_path / "b.xml")["cin_child"]["sex"].tolist() == canonical


def test_yes_no_written_as_1_0_and_true_false_read(la_year, tmp_path):
    path = write_cin_xml(la_year(2025), 2025, "805", tmp_path / "cin.xml")
    text = path.read_text()
    assert "<ReferralNFA>1</ReferralNFA>" in text
    assert "<ICPCnotRequired>0</ICPCnotRequired>" in text
    text = text.replace("<ReferralNFA>1<", "<ReferralNFA>true<").replace(
        "<ICPCnotRequired>1<", "<ICPCnotRequired>True<"
    )
    path.write_text(text)
    back = read_cin_xml(path)
    nfa = back["cin_episode"].set_index("episode_id")["referral_nfa"]
    assert bool(nfa["C2:1"]) is True
    assert bool(nfa["C2:2"]) is False
    assert back["cin_s47"]["icpc_not_required"].tolist() == [False, True]


def test_arbitrary_ids_keep_their_links(la_year, tmp_path):
    tables = la_year(2025)
    new_ep = {e: f"EP{i:03d}" for i, e in enumerate(tables["cin_episode"]["episode_id"][::-1])}
    new_as = {a: f"AS{i}" for i, a in enumerate(tables["cin_assessment"]["assessment_id"])}
    new_cp = {c: f"CP{i}" for i, c in enumerate(tables["cin_cpp"]["cpp_id"])}
    for name in ("cin_episode", "cin_assessment", "cin_plan", "cin_s47", "cin_cpp"):
        tables[name]["episode_id"] = tables[name]["episode_id"].map(new_ep)
    for name in ("cin_assessment", "cin_assessment_factor"):
        tables[name]["assessment_id"] = tables[name]["assessment_id"].map(new_as)
    for name in ("cin_cpp", "cin_cpp_review"):
        tables[name]["cpp_id"] = tables[name]["cpp_id"].map(new_cp)
    tables["cin_episode"] = tables["cin_episode"].iloc[::-1]
    back = read_cin_xml(write_cin_xml(tables, 2025, "805", tmp_path / "cin.xml"))

    def factors(t: dict[str, pd.DataFrame]) -> list[tuple[str, str, str]]:
        joined = t["cin_assessment_factor"].merge(t["cin_assessment"], on="assessment_id")
        joined = joined.merge(t["cin_episode"], on=["child_id", "episode_id"])
        return sorted(
            zip(
                joined["child_id"],
                pd.to_datetime(joined["referral_date"]).dt.strftime("%F"),
                joined["factor"],
                strict=True,
            )
        )

    def reviews(t: dict[str, pd.DataFrame]) -> list[tuple[str, str]]:
        joined = t["cin_cpp_review"].merge(t["cin_cpp"], on="cpp_id")
        return sorted(
            zip(
                joined["child_id"],
                pd.to_datetime(joined["review_date"]).dt.strftime("%F"),
                strict=True,
            )
        )

    assert factors(back) == factors(tables)
    assert len(factors(back)) == 5
    assert reviews(back) == reviews(tables)


def test_nested_rows_without_a_parent_are_refused(la_year, tmp_path):
    tables = la_year(2025)
    tables["cin_assessment_factor"].loc[0, "assessment_id"] = "nope"
    with pytest.raises(ReturnFormatError, match="assessment_id 'nope' has no row in cin_assess"):
        write_cin_xml(tables, 2025, "805", tmp_path / "cin.xml")
    assert not (tmp_path / "cin.xml").exists()


def _write(tmp_path: Path, la_year) -> Path:
    return write_cin_xml(la_year(2025), 2025, "805", tmp_path / "cin.xml")


def test_bad_date_names_the_element_path(la_year, tmp_path):
    path = _write(tmp_path, la_year)
    path.write_text(path.read_text().replace("2024-09-12", "2024-09-31"))
    with pytest.raises(ReturnFormatError) as err:
        read_cin_xml(path)
    message = str(err.value)
    assert "cin.xml" in message
    assert "LAchildID C3" in message
    assert "ChildProtectionPlans 1" in message
    assert "CPPreviewDate" in message
    assert "2024-09-31" in message


def test_header_must_agree_with_the_given_la_and_year(la_year, tmp_path):
    path = _write(tmp_path, la_year)
    with pytest.raises(ReturnFormatError, match=r"LEA is '805' but .* LA '806'"):
        read_cin_xml(path, la_code="806")
    with pytest.raises(ReturnFormatError, match=r"Year is 2025 but .* year 2024"):
        read_cin_xml(path, year=2024)


def test_entities_and_malformed_xml_are_refused(tmp_path):
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY a "aaaaaaaaaa">]>\n'
        "<Message><Children><Child>&a;</Child></Children></Message>"
    )
    with pytest.raises(ReturnFormatError, match="forbidden"):
        read_cin_xml(bomb)
    broken = tmp_path / "broken.xml"
    broken.write_text("<Message><Children><Child></Children></Message>")
    with pytest.raises(ReturnFormatError, match=r"broken\.xml: not well-formed"):
        read_cin_xml(broken)


def test_bad_sex_code_is_named(la_year, tmp_path):
    path = write_cin_xml(la_year(2024), 2024, "805", tmp_path / "cin.xml")
    path.write_text(path.read_text().replace("<GenderCurrent>2<", "<GenderCurrent>F<", 1))
    with pytest.raises(ReturnFormatError, match=r"LAchildID C2\)/ChildIdentifiers/GenderCurrent"):
        read_cin_xml(path)
