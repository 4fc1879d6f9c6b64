"""Code sets of the CIN census and the workforce census by element and collection year.

Facts from returns_spec.md sections 1.2, 1.3 and 3. Each element lists groups of codes with
the first and last collection year they are valid in (None: open-ended), so a code added in
2022-23 is refused in a 2021-22 file with a message saying when it was introduced. The
validator keeps its own lists rather than the generator's (data/synth): a test checks that every
code the generator writes is accepted here, which it could not if both read one list.
"""

from __future__ import annotations

from functools import cache

Span = tuple[int | None, int | None]  # first and last collection year, inclusive
Codes = list[tuple[str, Span]]  # space-separated codes valid over a span of years

ALWAYS: Span = (None, None)

ETHNICITY = (
    "WBRI WIRI WIRT WOTH WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH CHNE OOTH "
    "REFU NOBT"
)
ABUSE_CATEGORY = "NEG PHY SAB EMO MUL"

CIN_CODES: dict[str, Codes] = {
    "GenderCurrent": [("1 2 0 9", ALWAYS)],
    "Sex": [("M F U", ALWAYS)],
    "Ethnicity": [(ETHNICITY, ALWAYS)],
    "UPNunknown": [("UN1 UN2 UN3 UN4 UN5 UN6 UN7", ALWAYS)],
    "Disability": [("NONE MOB HAND PC INC COMM LD HEAR VIS BEH CON AUT DDA", ALWAYS)],
    "ReferralSource": [
        ("1A 1B 1C 1D 2A 2B 3A 3B 3C 3D 3E 3F 4 5A 5B 5C 6 7 8 9 10", ALWAYS),
        ("5D", (2023, None)),
    ],
    "PrimaryNeedCode": [("N0 N1 N2 N3 N4 N5 N6 N7 N8 N9", ALWAYS)],
    "ReasonForClosure": [
        ("RC1 RC2 RC3 RC4 RC5 RC6 RC7 RC8", ALWAYS),
        ("RC9", (2023, None)),
    ],
    "AssessmentFactors": [
        (
            "1A 1B 1C 2A 2B 2C 3A 3B 3C 4A 4B 4C 5A 5B 5C 6A 6B 6C 7A 8B 8C 8D 8E 8F 9A 10A 11A "
            "12A 13A 14A 15A 16A 17A 18B 18C 19B 19C 20 21 22A 23A",
            ALWAYS,
        ),
        ("24A", (2022, None)),
    ],
    "InitialCategoryOfAbuse": [(ABUSE_CATEGORY, ALWAYS)],
    "LatestCategoryOfAbuse": [(ABUSE_CATEGORY, ALWAYS)],
}

ONE_TO = {n: " ".join(str(i) for i in range(1, n + 1)) for n in (3, 4, 6, 10)}
CSWW_CODES: dict[str, Codes] = {
    "AgencyWorker": [("0 1", ALWAYS)],
    "GenderCurrent": [("0 1 2 9", ALWAYS)],
    # The workforce census leaves out WIRT and WROM.
    "Ethnicity": [(ETHNICITY.replace("WIRT ", "").replace("WROM ", ""), ALWAYS)],
    "QualLevel": [(ONE_TO[3], ALWAYS)],
    "StepUpGrad": [("0 1", ALWAYS)],
    "FrontlineGrad": [("0 1", ALWAYS)],
    "OrgRole": [(ONE_TO[6], ALWAYS)],
    "StartOrigin": [(ONE_TO[10], ALWAYS)],
    # "A list in the same style as StartOrigin" (returns_spec 3): 1 to 10 [verify].
    "LeaverDestination": [(ONE_TO[10], ALWAYS)],
    "ReasonLeave": [(ONE_TO[10], ALWAYS)],
    "Absat30Sept": [("0 1", ALWAYS)],
    "ReasonAbsence": [("MAT OTH PUB SIC TRN UNA UNP", ALWAYS)],
    "CFKSSstatus": [(ONE_TO[4], ALWAYS)],
}

SETS = {"cin": CIN_CODES, "csww": CSWW_CODES}


def in_span(span: Span, year: int) -> bool:
    """Whether ``year`` falls in ``span`` (inclusive; None is open-ended)."""
    first, last = span
    return (first is None or year >= first) and (last is None or year <= last)


@cache
def codes_for(kind: str, element: str, year: int) -> frozenset[str]:
    """The codes ``element`` accepts in ``year``'s ``kind`` ('cin' or 'csww') return."""
    return frozenset(
        code for codes, span in SETS[kind][element] if in_span(span, year) for code in codes.split()
    )


def span_of(kind: str, element: str, code: str) -> Span | None:
    """The years ``code`` is valid for ``element`` in, or None if it never is."""
    for codes, span in SETS[kind][element]:
        if code in codes.split():
            return span
    return None


def year_label(year: int) -> str:
    """2025 -> '2024-25', as DfE names collection years."""
    return f"{year - 1}-{year % 100:02d}"
