"""The validator's code sets accept everything the generator writes, year by year."""

from __future__ import annotations

import pytest

from data.synth import national as nat
from data.synth import workforce as wf
from data.synth.annual import DISABILITY_CODES
from data.validate.codesets import codes_for, span_of, year_label

CIN_YEARS = range(2023, 2027)  # the CIN schemas an LA may import: 2022-23 to 2025-26


@pytest.mark.parametrize("year", CIN_YEARS)
def test_generator_cin_codes_are_accepted(year: int) -> None:
    def ok(element: str, codes: set[str]) -> None:
        assert codes <= codes_for("cin", element, year), (element, codes)

    ok("ReferralSource", {c for c, _ in nat.REFERRAL_SOURCES})
    needs = nat.PRIMARY_NEED_IN_NEED + nat.PRIMARY_NEED_NOT_IN_NEED + nat.PRIMARY_NEED_CLA
    ok("PrimaryNeedCode", {c for c, _ in needs})
    ok("AssessmentFactors", {c for c, _, _ in nat.ASSESSMENT_FACTORS} | {"21"})
    ok("InitialCategoryOfAbuse", {c for c, _ in nat.CPP_CATEGORY})
    ok("Disability", {c for c, _ in DISABILITY_CODES} | {"NONE"})
    ok("Ethnicity", {c for group in nat.ETHNIC_CODES.values() for c, _ in group})
    ok("ReasonForClosure", {f"RC{i}" for i in range(1, 10)})


def test_codes_added_in_2022_23_are_refused_before() -> None:
    assert "5D" not in codes_for("cin", "ReferralSource", 2022)
    assert "RC9" not in codes_for("cin", "ReasonForClosure", 2022)
    assert "24A" not in codes_for("cin", "AssessmentFactors", 2021)
    assert "24A" in codes_for("cin", "AssessmentFactors", 2022)
    assert span_of("cin", "ReferralSource", "5D") == (2023, None)
    assert span_of("cin", "ReferralSource", "5E") is None


@pytest.mark.parametrize("year", range(2017, 2027))
def test_generator_workforce_codes_are_accepted(year: int) -> None:
    def ok(element: str, codes: set[str]) -> None:
        assert codes <= codes_for("csww", element, year), (element, codes)

    ok("Ethnicity", set(wf.ETHNICITY_CODES))
    ok("ReasonAbsence", set(wf.ABSENCE_REASONS))
    ok("GenderCurrent", {str(g) for g in wf.GENDERS})
    ok("OrgRole", {str(r) for r in wf.ROLES})
    ok("StartOrigin", {str(i) for i in range(1, len(wf.START_ORIGIN_P) + 1)})
    ok("LeaverDestination", {str(d) for d in wf.LEAVER_DEST})
    ok("ReasonLeave", {str(r) for r in wf.REASON_LEAVE})
    ok("QualLevel", {str(i) for i in range(1, len(wf.QUAL_P) + 1)})
    ok("CFKSSstatus", {str(c) for c in wf.CFKSS if c != 0} | {"1"})  # 0 is written as empty


def test_workforce_ethnicity_leaves_out_two_cin_codes() -> None:
    cin, csww = codes_for("cin", "Ethnicity", 2025), codes_for("csww", "Ethnicity", 2025)
    assert cin - csww == {"WIRT", "WROM"}


def test_year_label() -> None:
    assert year_label(2025) == "2024-25"
    assert year_label(2000) == "1999-00"
