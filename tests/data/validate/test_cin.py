"""Each CIN census rule fires on a small document made to break it, and not on clean data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine

from data.returns.cin_xml import write_cin_xml
from data.returns.exchange import read_la_year_tables
from data.synth.upn import make_upns
from data.validate.cin import check_cin
from data.validate.report import Report
from tests.conftest import SMALL_LAS, SMALL_YEARS
from tests.data.returns.conftest import build_tables
from tests.data.validate.xml_docs import (
    assessment,
    check,
    child,
    cin,
    cpp,
    episode,
    header,
    plan,
    s47,
    where,
)

C1 = "/Message/Children/Child[1]"
EP = f"{C1}/CINdetails[1]"


def test_a_clean_document_has_no_findings(tmp_path: Path) -> None:
    doc = cin(
        child(
            episode(
                assessment() + plan() + s47(),
                cpp(),
                CINclosureDate="2025-02-01",
                ReasonForClosure="RC7",
            ),
            disabilities=("AUT", "LD"),
        ),
        child(episode(), LAchildID="C2"),
    )
    assert check(tmp_path, doc).findings == []


# ---------------------------------------------------------------- header
@pytest.mark.parametrize(
    ("head", "rule", "location", "field"),
    [
        (header(la="806"), "cin.header.la", "/Message/Header/Source/LEA", "LEA"),
        (header(year=2024, reference_date="2025-03-31"), "cin.header.year",
         "/Message/Header/CollectionDetails/Year", "Year"),
        (header(reference_date="2025-09-30"), "cin.header.reference_date",
         "/Message/Header/CollectionDetails/ReferenceDate", "ReferenceDate"),
        (header("CSWW", reference_date="2025-03-31"), "cin.header.collection",
         "/Message/Header/CollectionDetails/Collection", "Collection"),
        (header(la=None), "cin.header.missing", "/Message/Header/Source/LEA", "LEA"),
        ("", "cin.header.missing", "/Message", "Header"),
    ],
)  # fmt: skip
def test_header_must_name_this_la_year_and_collection(
    tmp_path: Path, head: str, rule: str, location: str, field: str
) -> None:
    report = check(tmp_path, cin(head=head))
    assert [(f.location, f.field) for f in report.errors] == [(location, field)]
    assert report.errors[0].rule == rule


def test_wrong_la_message_names_both_las(tmp_path: Path) -> None:
    report = check(tmp_path, cin(head=header(la="806")))
    assert "806" in report.errors[0].message and "805" in report.errors[0].message


# ---------------------------------------------------------------- fields
@pytest.mark.parametrize(
    ("doc", "location", "field"),
    [
        (cin(child(LAchildID=None)), f"{C1}/ChildIdentifiers/LAchildID", "LAchildID"),
        (cin(child(LAchildID="  ")), f"{C1}/ChildIdentifiers/LAchildID", "LAchildID"),
        (cin(child(ethnicity=None)), f"{C1}/ChildCharacteristics/Ethnicity", "Ethnicity"),
        (cin(child(Sex=None)), f"{C1}/ChildIdentifiers/Sex", "Sex"),
        (cin(child(episode(CINreferralDate=None))), f"{EP}/CINreferralDate", "CINreferralDate"),
        (cin(child(episode(ReferralSource=""))), f"{EP}/ReferralSource", "ReferralSource"),
        (cin(child(episode(ReferralNFA=None))), f"{EP}/ReferralNFA", "ReferralNFA"),
        (cin(child(episode(assessment(AssessmentActualStartDate=None)))),
         f"{EP}/Assessments[1]/AssessmentActualStartDate", "AssessmentActualStartDate"),
        (cin(child(episode(s47(ICPCnotRequired=None)))),
         f"{EP}/Section47[1]/ICPCnotRequired", "ICPCnotRequired"),
        (cin(child(episode(after_nfa=cpp(LatestCategoryOfAbuse=None)))),
         f"{EP}/ChildProtectionPlans[1]/LatestCategoryOfAbuse", "LatestCategoryOfAbuse"),
        (cin(child(disabilities=("AUT", ""))),
         f"{C1}/ChildCharacteristics/Disabilities/Disability[2]", "Disability"),
        (cin(child(episode(assessment(factors=("",))))),
         f"{EP}/Assessments[1]/FactorsIdentifiedAtAssessment/AssessmentFactors[1]",
         "AssessmentFactors"),
        (cin(child(episode(after_nfa=cpp(reviews=(" ",))))),
         f"{EP}/ChildProtectionPlans[1]/Reviews/CPPreviewDate[1]", "CPPreviewDate"),
        (cin(child(episode(after_nfa=cpp(NumberOfPreviousCPP=None)))),
         f"{EP}/ChildProtectionPlans[1]/NumberOfPreviousCPP", "NumberOfPreviousCPP"),
    ],
)  # fmt: skip
def test_required_elements_missing_or_blank(
    tmp_path: Path, doc: str, location: str, field: str
) -> None:
    report = check(tmp_path, doc)
    assert [(loc, f) for loc, f, _ in where(report, "cin.field.missing")] == [(location, field)]
    assert not report.ok


def test_gender_current_is_required_before_2025(tmp_path: Path) -> None:
    doc = cin(child(Sex=None, GenderCurrent=None), year=2024)
    report = check(tmp_path, doc, year=2024)
    assert where(report, "cin.field.missing") == [
        (f"{C1}/ChildIdentifiers/GenderCurrent", "GenderCurrent", "")
    ]


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("01/06/2024", "cin.date.format"),
        ("2024-6-1", "cin.date.format"),
        ("2024-06-01T00:00:00", "cin.date.format"),
        ("yesterday", "cin.date.format"),
        ("\uff12\uff10\uff12\uff14-06-01", "cin.date.format"),  # full-width digits
        ("2024-02-30", "cin.date.invalid"),
        ("2023-02-29", "cin.date.invalid"),
        ("2024-13-01", "cin.date.invalid"),
    ],
)
def test_dates_must_be_real_yyyy_mm_dd(tmp_path: Path, value: str, rule: str) -> None:
    report = check(tmp_path, cin(child(episode(CINreferralDate=value))))
    assert where(report, rule) == [(f"{EP}/CINreferralDate", "CINreferralDate", value)]
    assert [f.rule for f in report.errors] == [rule]


def test_a_leap_day_is_a_date(tmp_path: Path) -> None:
    assert check(tmp_path, cin(child(episode(CINreferralDate="2024-02-29")))).ok


@pytest.mark.parametrize(
    ("doc", "location", "field", "value"),
    [
        (cin(child(episode(ReferralSource="11"))), f"{EP}/ReferralSource", "ReferralSource", "11"),
        (cin(child(episode(PrimaryNeedCode="N10"))), f"{EP}/PrimaryNeedCode",
         "PrimaryNeedCode", "N10"),
        (cin(child(episode(PrimaryNeedCode="n1"))), f"{EP}/PrimaryNeedCode",
         "PrimaryNeedCode", "n1"),
        (cin(child(episode(CINclosureDate="2025-01-01", ReasonForClosure="RC10"))),
         f"{EP}/ReasonForClosure", "ReasonForClosure", "RC10"),
        (cin(child(ethnicity="WHITE")), f"{C1}/ChildCharacteristics/Ethnicity", "Ethnicity",
         "WHITE"),
        (cin(child(disabilities=("AUT", "DEAF"))),
         f"{C1}/ChildCharacteristics/Disabilities/Disability[2]", "Disability", "DEAF"),
        (cin(child(episode(assessment(factors=("3B", "25A"))))),
         f"{EP}/Assessments[1]/FactorsIdentifiedAtAssessment/AssessmentFactors[2]",
         "AssessmentFactors", "25A"),
        (cin(child(episode(after_nfa=cpp(InitialCategoryOfAbuse="NEGL")))),
         f"{EP}/ChildProtectionPlans[1]/InitialCategoryOfAbuse", "InitialCategoryOfAbuse",
         "NEGL"),
        (cin(child(UPNunknown="UN9")), f"{C1}/ChildIdentifiers/UPNunknown", "UPNunknown", "UN9"),
        (cin(child(Sex="X")), f"{C1}/ChildIdentifiers/Sex", "Sex", "X"),
    ],
)  # fmt: skip
def test_codes_outside_the_code_set(
    tmp_path: Path, doc: str, location: str, field: str, value: str
) -> None:
    report = check(tmp_path, doc)
    assert where(report, "cin.code.unknown") == [(location, field, value)]
    assert not report.ok


@pytest.mark.parametrize(
    ("year", "where_", "code", "ok"),
    [
        (2022, "ReferralSource", "5D", False),
        (2023, "ReferralSource", "5D", True),
        (2022, "ReasonForClosure", "RC9", False),
        (2023, "ReasonForClosure", "RC9", True),
        (2021, "AssessmentFactors", "24A", False),
        (2022, "AssessmentFactors", "24A", True),
    ],
)
def test_codes_follow_the_collection_year(
    tmp_path: Path, year: int, where_: str, code: str, ok: bool
) -> None:
    last = year - 1  # dates in the collection year, which runs from April of the year before
    dated = {"CINreferralDate": f"{last}-06-01"}
    episodes = {
        "ReferralSource": episode(ReferralSource=code, **dated),
        "ReasonForClosure": episode(CINclosureDate=f"{last}-09-01", ReasonForClosure=code, **dated),
        "AssessmentFactors": episode(
            assessment(
                factors=(code,),
                AssessmentActualStartDate=f"{last}-06-03",
                AssessmentAuthorisationDate=f"{last}-07-10",
            ),
            **dated,
        ),
    }
    doc = cin(child(episodes[where_], Sex=None, GenderCurrent="2"), year=year)
    report = check(tmp_path, doc, year=year)
    assert report.ok is ok, report.format_text()
    if not ok:
        assert [(f.rule, f.field) for f in report.errors] == [("cin.code.unknown", where_)]
        assert f"only from {year}-{(year + 1) % 100:02d}" in report.errors[0].message


def test_gender_current_is_refused_from_2025_and_sex_before(tmp_path: Path) -> None:
    doc = cin(child(Sex=None, GenderCurrent="2"))
    report = check(tmp_path, doc)
    assert where(report, "cin.element.year") == [
        (f"{C1}/ChildIdentifiers/GenderCurrent", "GenderCurrent", "2")
    ]
    assert where(report, "cin.field.missing") == []  # the misplaced element is the finding
    old = check(tmp_path, cin(child(), year=2024).replace("2025-03-31", "2024-03-31"), year=2024)
    assert where(old, "cin.element.year") == [(f"{C1}/ChildIdentifiers/Sex", "Sex", "F")]


def test_gender_current_codes_before_2025(tmp_path: Path) -> None:
    doc = cin(child(episode(CINreferralDate="2023-06-01"), Sex=None, GenderCurrent="3"), year=2024)
    report = check(tmp_path, doc, year=2024)
    assert where(report, "cin.code.unknown") == [
        (f"{C1}/ChildIdentifiers/GenderCurrent", "GenderCurrent", "3")
    ]
    nine = doc.replace("<GenderCurrent>3<", "<GenderCurrent>9<")
    assert check(tmp_path, nine, year=2024).findings == []


def test_cin_plan_dates_before_2021_22_are_refused(tmp_path: Path) -> None:
    doc = cin(child(episode(plan(CINPlanStartDate="2020-07-15"), CINreferralDate="2020-06-01"),
                    Sex=None, GenderCurrent="1"), year=2021)  # fmt: skip
    report = check(tmp_path, doc, year=2021)
    assert where(report, "cin.element.year") == [(f"{EP}/CINPlanDates[1]", "CINPlanDates", "")]


@pytest.mark.parametrize("value", ["true", "false", "1", "0"])
def test_booleans_accept_true_false_1_0(tmp_path: Path, value: str) -> None:
    assert check(tmp_path, cin(child(episode(ReferralNFA=value)))).ok


@pytest.mark.parametrize("value", ["yes", "True", "Y", "2"])
def test_booleans_refuse_anything_else(tmp_path: Path, value: str) -> None:
    report = check(tmp_path, cin(child(episode(ReferralNFA=value))))
    assert where(report, "cin.field.bool") == [(f"{EP}/ReferralNFA", "ReferralNFA", value)]


@pytest.mark.parametrize("value", ["one", "-1", "1.5"])
def test_number_of_previous_plans_is_a_whole_number(tmp_path: Path, value: str) -> None:
    report = check(tmp_path, cin(child(episode(after_nfa=cpp(NumberOfPreviousCPP=value)))))
    loc = f"{EP}/ChildProtectionPlans[1]/NumberOfPreviousCPP"
    assert where(report, "cin.field.number") == [(loc, "NumberOfPreviousCPP", value)]


# ---------------------------------------------------------------- UPN
# A805900017186: digits 8,0,5,9,0,0,0,1,7,1,8,6 weighted 2..13 sum to 345 = 15 x 23 + 0 -> A.
# Q80590001718A: the last A counts 0, the sum is 267 = 11 x 23 + 14 -> Q (A=0 ... Q=14).
@pytest.mark.parametrize("upn", ["A805900017186", "Q80590001718A"])
def test_valid_upns_pass(tmp_path: Path, upn: str) -> None:
    assert check(tmp_path, cin(child(UPN=upn, UPNunknown=None))).findings == []


def test_upns_the_generator_makes_pass(tmp_path: Path) -> None:
    upns = make_upns("805", np.arange(40), np.full(40, 2014))
    kids = [child(LAchildID=f"C{i}", UPN=u, UPNunknown=None) for i, u in enumerate(upns)]
    assert check(tmp_path, cin(*kids)).findings == []


@pytest.mark.parametrize(
    ("upn", "rule"),
    [
        ("B805900017186", "cin.upn.check_letter"),
        ("A805900017187", "cin.upn.check_letter"),
        ("A80590001718", "cin.upn.format"),
        ("A8059000171860", "cin.upn.format"),
        ("I805900017186", "cin.upn.format"),
        ("A80590001718a", "cin.upn.format"),
    ],
)
def test_bad_upns_are_warnings(tmp_path: Path, upn: str, rule: str) -> None:
    report = check(tmp_path, cin(child(UPN=upn, UPNunknown=None)))
    assert where(report, rule) == [(f"{C1}/ChildIdentifiers/UPN", "UPN", upn)]
    assert report.ok


def test_no_upn_and_no_reason_is_a_warning(tmp_path: Path) -> None:
    report = check(tmp_path, cin(child(UPN=None, UPNunknown=None)))
    assert where(report, "cin.upn.missing") == [(f"{C1}/ChildIdentifiers/UPN", "UPN", "")]
    assert report.ok


# ---------------------------------------------------------------- structure
def test_unknown_elements_are_warnings(tmp_path: Path) -> None:
    doc = cin(child(episode(inner="<Referrer>GP</Referrer>")))
    report = check(tmp_path, doc)
    assert where(report, "cin.element.unknown") == [(f"{EP}/Referrer", "Referrer", "")]
    assert report.ok


def test_unknown_top_level_elements_are_warnings(tmp_path: Path) -> None:
    doc = cin().replace("<Children>", "<Notes><Note>x</Note></Notes><Children>")
    report = check(tmp_path, doc)
    assert where(report, "cin.element.unknown") == [("/Message/Notes", "Notes", "")]


def test_a_repeated_single_element_is_an_error(tmp_path: Path) -> None:
    doc = cin(child(episode(ReferralSource="2A").replace("</ReferralSource>",
                            "</ReferralSource><ReferralSource>6</ReferralSource>")))  # fmt: skip
    report = check(tmp_path, doc)
    assert where(report, "cin.element.repeated") == [
        (f"{EP}/ReferralSource[2]", "ReferralSource", "6")
    ]


def test_paths_count_same_tag_siblings(tmp_path: Path) -> None:
    second = child(
        episode(CINclosureDate="2024-08-01", ReasonForClosure="RC7"),
        episode(CINreferralDate="2024-09-01", ReferralSource="99"),
        LAchildID="C2",
    )
    report = check(tmp_path, cin(child(), second))
    assert where(report, "cin.code.unknown") == [
        ("/Message/Children/Child[2]/CINdetails[2]/ReferralSource", "ReferralSource", "99")
    ]


# ---------------------------------------------------------------- children
def test_duplicate_child(tmp_path: Path) -> None:
    report = check(tmp_path, cin(child(), child(LAchildID="C2"), child()))
    assert where(report, "cin.child.duplicate") == [
        ("/Message/Children/Child[3]/ChildIdentifiers/LAchildID", "LAchildID", "C1")
    ]
    assert "/Message/Children/Child[1]" in report.errors[0].message


def test_child_without_episode(tmp_path: Path) -> None:
    doc = cin(child().replace(episode(), ""))
    report = check(tmp_path, doc)
    assert where(report, "cin.child.no_episode") == [(C1, "CINdetails", "")]


def test_death_before_birth(tmp_path: Path) -> None:
    report = check(tmp_path, cin(child(PersonDeathDate="2019-01-01")))
    assert where(report, "cin.child.dates_order") == [
        (f"{C1}/ChildIdentifiers/PersonDeathDate", "PersonDeathDate", "2019-01-01")
    ]


def test_no_birth_date_of_any_kind_is_a_warning(tmp_path: Path) -> None:
    report = check(tmp_path, cin(child(PersonBirthDate=None)))
    assert [f.rule for f in report.warnings] == ["cin.child.no_birth_date"]
    unborn = cin(child(PersonBirthDate=None, ExpectedPersonBirthDate="2025-05-01"))
    assert check(tmp_path, unborn).findings == []


# ---------------------------------------------------------------- episodes
def test_closure_before_referral(tmp_path: Path) -> None:
    doc = cin(child(episode(CINclosureDate="2024-05-01", ReasonForClosure="RC7")))
    report = check(tmp_path, doc)
    assert where(report, "cin.episode.dates_order") == [
        (f"{EP}/CINclosureDate", "CINclosureDate", "2024-05-01")
    ]
    assert [f.rule for f in report.errors] == ["cin.episode.dates_order"]


def test_episode_closed_before_the_year(tmp_path: Path) -> None:
    doc = cin(child(episode(CINreferralDate="2023-06-01", CINclosureDate="2024-03-31",
                            ReasonForClosure="RC7")))  # fmt: skip
    report = check(tmp_path, doc)
    assert where(report, "cin.episode.other_year") == [
        (f"{EP}/CINclosureDate", "CINclosureDate", "2024-03-31")
    ]
    closed_on_first_day = doc.replace("2024-03-31", "2024-04-01")
    assert check(tmp_path, closed_on_first_day).ok


def test_closure_date_and_reason_go_together(tmp_path: Path) -> None:
    no_reason = check(tmp_path, cin(child(episode(CINclosureDate="2025-01-01"))))
    assert where(no_reason, "cin.episode.closure_reason") == [
        (f"{EP}/ReasonForClosure", "ReasonForClosure", "")
    ]
    no_date = check(tmp_path, cin(child(episode(ReasonForClosure="RC7"))))
    assert where(no_date, "cin.episode.closure_reason") == [
        (f"{EP}/CINclosureDate", "CINclosureDate", "RC7")
    ]


@pytest.mark.parametrize(
    ("first_closure", "second_referral", "overlaps"),
    [
        (None, "2024-09-01", True),  # the first is still open
        ("2024-10-01", "2024-09-01", True),
        ("2024-09-01", "2024-09-01", False),  # closed and re-referred the same day
        ("2024-08-01", "2024-09-01", False),
    ],
)
def test_overlapping_episodes(
    tmp_path: Path, first_closure: str | None, second_referral: str, overlaps: bool
) -> None:
    reason = None if first_closure is None else "RC7"
    doc = cin(
        child(
            episode(CINclosureDate=first_closure, ReasonForClosure=reason),
            episode(CINreferralDate=second_referral),
        )
    )
    report = check(tmp_path, doc)
    expected = [(f"{C1}/CINdetails[2]/CINreferralDate", "CINreferralDate", second_referral)]
    assert where(report, "cin.episode.overlap") == (expected if overlaps else [])


def test_overlap_is_judged_in_date_order_not_file_order(tmp_path: Path) -> None:
    doc = cin(
        child(
            episode(CINreferralDate="2024-09-01"),
            episode(CINreferralDate="2024-05-01", CINclosureDate="2024-12-01",
                    ReasonForClosure="RC7"),
            episode(CINreferralDate="2024-10-01", CINclosureDate="2024-10-20",
                    ReasonForClosure="RC7"),
        )
    )  # fmt: skip
    report = check(tmp_path, doc)
    # 2024-05-01..12-01 holds both others: the open one from 09-01, and 10-01..10-20 inside it.
    assert sorted(loc for loc, _, _ in where(report, "cin.episode.overlap")) == [
        f"{C1}/CINdetails[1]/CINreferralDate",
        f"{C1}/CINdetails[3]/CINreferralDate",
    ]


def test_episodes_of_different_children_never_overlap(tmp_path: Path) -> None:
    assert check(tmp_path, cin(child(), child(LAchildID="C2"))).ok


# ---------------------------------------------------------------- inside an episode
@pytest.mark.parametrize(
    ("inner", "after", "rule", "location", "field"),
    [
        (assessment(AssessmentActualStartDate="2024-05-20"), "", "cin.assessment.before_referral",
         f"{EP}/Assessments[1]/AssessmentActualStartDate", "AssessmentActualStartDate"),
        (s47(S47ActualStartDate="2024-05-20", DateOfInitialCPC=None), "",
         "cin.s47.before_referral", f"{EP}/Section47[1]/S47ActualStartDate",
         "S47ActualStartDate"),
        (plan(CINPlanStartDate="2024-05-20"), "", "cin.plan.before_referral",
         f"{EP}/CINPlanDates[1]/CINPlanStartDate", "CINPlanStartDate"),
        ("", cpp(CPPstartDate="2024-05-20"), "cin.cpp.before_referral",
         f"{EP}/ChildProtectionPlans[1]/CPPstartDate", "CPPstartDate"),
        (assessment(AssessmentAuthorisationDate="2024-06-01"), "", "cin.assessment.dates_order",
         f"{EP}/Assessments[1]/AssessmentAuthorisationDate", "AssessmentAuthorisationDate"),
        (s47(DateOfInitialCPC="2024-06-01"), "", "cin.s47.dates_order",
         f"{EP}/Section47[1]/DateOfInitialCPC", "DateOfInitialCPC"),
        (plan(CINPlanEndDate="2024-07-01"), "", "cin.plan.dates_order",
         f"{EP}/CINPlanDates[1]/CINPlanEndDate", "CINPlanEndDate"),
        ("", cpp(CPPendDate="2024-06-19", reviews=()), "cin.cpp.dates_order",
         f"{EP}/ChildProtectionPlans[1]/CPPendDate", "CPPendDate"),
    ],
)  # fmt: skip
def test_dates_out_of_order_within_an_episode(
    tmp_path: Path, inner: str, after: str, rule: str, location: str, field: str
) -> None:
    report = check(tmp_path, cin(child(episode(inner, after))))
    assert [(loc, f) for loc, f, _ in where(report, rule)] == [(location, field)]
    assert [f.rule for f in report.errors] == [rule]


def test_cp_plan_ended_before_it_started_says_so(tmp_path: Path) -> None:
    report = check(tmp_path, cin(child(episode("", cpp(CPPendDate="2024-06-01", reviews=())))))
    assert "plan ended before it started" in report.errors[0].message


@pytest.mark.parametrize(
    ("inner", "after", "rule"),
    [
        (assessment(AssessmentActualStartDate="2024-08-02", AssessmentAuthorisationDate=None), "",
         "cin.assessment.after_closure"),
        (s47(S47ActualStartDate="2024-08-02", DateOfInitialCPC=None,
             InitialCPCtarget="2024-08-20"), "", "cin.s47.after_closure"),
        (plan(CINPlanStartDate="2024-08-02"), "", "cin.plan.after_closure"),
        ("", cpp(CPPstartDate="2024-08-02", reviews=()), "cin.cpp.after_closure"),
    ],
)  # fmt: skip
def test_starting_after_the_episode_closed_is_a_warning(
    tmp_path: Path, inner: str, after: str, rule: str
) -> None:
    doc = cin(child(episode(inner, after, CINclosureDate="2024-08-01", ReasonForClosure="RC7")))
    report = check(tmp_path, doc)
    assert [f.rule for f in report.warnings] == [rule]
    assert report.ok


def test_cp_plans_of_one_child_must_not_overlap(tmp_path: Path) -> None:
    doc = cin(
        child(
            # the first plan is left open when its episode closes
            episode("", cpp(reviews=()), CINclosureDate="2024-09-30", ReasonForClosure="RC7"),
            episode("", cpp(CPPstartDate="2024-10-05", reviews=()), CINreferralDate="2024-10-01"),
        )
    )
    report = check(tmp_path, doc)
    assert [f.rule for f in report.errors] == ["cin.cpp.overlap"]
    assert where(report, "cin.cpp.overlap") == [
        (f"{C1}/CINdetails[2]/ChildProtectionPlans[1]/CPPstartDate", "CPPstartDate", "2024-10-05")
    ]


def test_review_outside_the_plan_is_a_warning(tmp_path: Path) -> None:
    doc = cin(child(episode("", cpp(reviews=("2024-06-01",)))))
    report = check(tmp_path, doc)
    loc = f"{EP}/ChildProtectionPlans[1]/Reviews/CPPreviewDate[1]"
    assert where(report, "cin.cpp.review_outside") == [(loc, "CPPreviewDate", "2024-06-01")]
    assert report.ok


# ---------------------------------------------------------------- the census year
def test_dates_after_the_reference_date(tmp_path: Path) -> None:
    doc = cin(child(episode(assessment(AssessmentAuthorisationDate="2025-04-01"))))
    report = check(tmp_path, doc)
    assert where(report, "cin.date.after_year") == [
        (f"{EP}/Assessments[1]/AssessmentAuthorisationDate", "AssessmentAuthorisationDate",
         "2025-04-01")
    ]  # fmt: skip
    on_the_day = doc.replace("2025-04-01", "2025-03-31")
    assert check(tmp_path, on_the_day).ok


def test_targets_and_expected_births_may_be_later(tmp_path: Path) -> None:
    doc = cin(
        child(
            episode(s47(S47ActualStartDate="2025-03-20", DateOfInitialCPC=None,
                        InitialCPCtarget="2025-04-10")),
            PersonBirthDate=None,
            ExpectedPersonBirthDate="2025-06-01",
        )
    )  # fmt: skip
    assert check(tmp_path, doc).findings == []


# ---------------------------------------------------------------- real data
def test_the_hand_made_fixture_has_no_errors(tmp_path: Path) -> None:
    path = write_cin_xml(build_tables(2025), 2025, "805", tmp_path / "cin.xml")
    report = Report()
    check_cin(path, path.name, "805", 2025, report)
    assert report.errors == []
    # Its UPNs are made up by hand, with no thought for the check letter.
    assert {f.rule for f in report.warnings} == {"cin.upn.check_letter"}


def test_every_small_db_la_year_exports_clean(small_db: str, tmp_path: Path) -> None:
    """What the generator writes is valid by construction, so any finding here is a wrong rule
    (or a generator bug worth knowing about). The CIN file is written as export_la_year writes
    it; export_la_year itself is not used because its 903 step refuses some of these LA-years
    (sex U before 2025), which has nothing to do with the census."""
    engine = create_engine(small_db)
    for la in SMALL_LAS:
        for year in SMALL_YEARS:
            tables = read_la_year_tables(engine, la, year)
            path = write_cin_xml(tables, year, la, tmp_path / f"cin_{la}_{year}.xml")
            report = Report()
            check_cin(path, path.name, la, year, report)
            assert report.findings == [], f"{la} {year}: {report.format_text()}"


def test_positions_stay_right_deep_into_a_large_census(tmp_path: Path) -> None:
    """Thousands of children with every kind of record: the one fault is found at its place.
    (How fast a census of the largest LA is checked is measured by ``make bench``, not here.)"""

    full = episode(assessment() + plan() + s47(), cpp())
    kids = [child(full, LAchildID=f"C{i:05d}", disabilities=("AUT",)) for i in range(3_000)]
    kids[-1] = kids[-1].replace("<ReferralSource>2A<", "<ReferralSource>99<")
    path = tmp_path / "large.xml"
    path.write_text(cin(*kids), encoding="utf-8")
    report = Report()
    check_cin(path, path.name, "805", 2025, report)
    assert [(f.rule, f.location) for f in report.findings] == [
        ("cin.code.unknown", "/Message/Children/Child[3000]/CINdetails[1]/ReferralSource")
    ]


def test_a_file_that_stops_parsing_is_an_error_not_a_crash(tmp_path: Path) -> None:
    """The file layer refuses malformed XML first; should a file change between the two
    passes, the census check still reports rather than raises."""
    doc = cin(child(), child(LAchildID="C2"))
    report = check(tmp_path, doc[: len(doc) // 2 + 40])
    assert [f.rule for f in report.errors] == ["xml.malformed"]
