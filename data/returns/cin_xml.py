"""The Children in Need census as the XML file an LA sends to DfE.

Element order follows each year's XSD ``xs:sequence`` (returns_spec 1.1): CINPlanDates only
from 2021-22, ``GenderCurrent`` (1/2/0/9) until 2023-24 and ``Sex`` (M/F/U) from 2024-25.
Yes/no values are written 1/0, the form every published XSD enumerates; true/false are read too.

The XML carries no identifiers for episodes, assessments, section 47 enquiries or plans: they
are nested instead. The reader names them by position, which is stable for a given file:
``<LAchildID>:<n>`` for the n-th CINdetails of a child, and ``<episode>:A<j>``, ``:S<j>``,
``:P<j>`` for its assessments, section 47s and plans. The writer orders each child's blocks by
start date (then id), so data whose ids follow that pattern round-trips exactly.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import pandas as pd

from data.returns.codes import (
    CIN_PLAN_DATES_FROM,
    XML_DATE,
    cin_sex_element,
    parse_yes_no,
    sex_from_cin,
    sex_to_cin,
)
from data.returns.frames import (
    ReturnFormatError,
    as_text,
    column_kinds,
    conform,
    empty_frame,
    format_dates,
    parse_dates,
    parse_ints,
    table,
)
from data.returns.xml_io import (
    StreamWriter,
    header_values,
    message_header,
    opt,
    resolve_keys,
    stream_records,
    sub,
    text_of,
)

CIN_TABLES = (
    "cin_child",
    "cin_disability",
    "cin_episode",
    "cin_assessment",
    "cin_assessment_factor",
    "cin_plan",
    "cin_s47",
    "cin_cpp",
    "cin_cpp_review",
)

Row = dict[str, Any]


# ---------------------------------------------------------------- writing


def write_cin_xml(
    tables: Mapping[str, pd.DataFrame],
    year: int,
    la_code: str,
    path: str | Path,
    *,
    created: datetime | None = None,
) -> Path:
    """Write one LA-year's CIN census to ``path``, streaming one child at a time.

    ``tables`` maps the ``cin_*`` schema table names to that LA-year's rows. Before 2022 the
    schema has no CINPlanDates, so CIN plan rows are not written for those years.
    """
    frames = {name: _prepared(tables, name, year, la_code) for name in CIN_TABLES}
    _check_links(frames)
    by_child = _group(frames["cin_disability"], "child_id")
    episodes = _group(frames["cin_episode"], "child_id", ("referral_date", "episode_id"))
    assessments = _group(frames["cin_assessment"], "episode_id", ("start_date", "assessment_id"))
    factors = _group(frames["cin_assessment_factor"], "assessment_id")
    plans = _group(frames["cin_plan"], "episode_id", ("start_date", "end_date"))
    s47s = _group(frames["cin_s47"], "episode_id", ("start_date", "s47_id"))
    cpps = _group(frames["cin_cpp"], "episode_id", ("start_date", "cpp_id"))
    reviews = _group(frames["cin_cpp_review"], "cpp_id", ("review_date",))
    write_plans = year >= CIN_PLAN_DATES_FROM
    sex_tag = cin_sex_element(year)

    out = Path(path)
    with StreamWriter(out, ["Message", "Children"]) as xml:
        xml.open("Message", 0)
        xml.write(_header(year, la_code, created or datetime.now()), 1)
        xml.open("Children", 1)
        children = frames["cin_child"]
        children = children[[c for c in children.columns if not str(c).startswith("_sort_")]]
        for child in children.to_dict("records"):
            cid = child["child_id"]
            node = ET.Element("Child")
            ids = sub(node, "ChildIdentifiers")
            sub(ids, "LAchildID", cid)
            opt(ids, "UPN", child["upn"])
            opt(ids, "FormerUPN", child["former_upn"])
            opt(ids, "UPNunknown", child["upn_unknown"])
            opt(ids, "PersonBirthDate", child["birth_date"])
            opt(ids, "ExpectedPersonBirthDate", child["expected_birth_date"])
            sub(ids, sex_tag, sex_to_cin(child["sex"], year))
            opt(ids, "PersonDeathDate", child["death_date"])
            chars = sub(node, "ChildCharacteristics")
            sub(chars, "Ethnicity", child["ethnicity"])
            dis = by_child.get(cid, [])
            if dis:
                block = sub(chars, "Disabilities")
                for d in sorted(dis, key=lambda r: str(r["disability"])):
                    sub(block, "Disability", d["disability"])
            for ep in episodes.get(cid, []):
                eid = ep["episode_id"]
                det = sub(node, "CINdetails")
                sub(det, "CINreferralDate", ep["referral_date"])
                sub(det, "ReferralSource", ep["referral_source"])
                opt(det, "PrimaryNeedCode", ep["primary_need"])
                opt(det, "CINclosureDate", ep["closure_date"])
                opt(det, "ReasonForClosure", ep["closure_reason"])
                opt(det, "DateOfInitialCPC", ep["date_initial_cpc"])
                for a in assessments.get(eid, []):
                    block = sub(det, "Assessments")
                    sub(block, "AssessmentActualStartDate", a["start_date"])
                    opt(block, "AssessmentAuthorisationDate", a["authorisation_date"])
                    fs = factors.get(a["assessment_id"], [])
                    if fs:
                        fblock = sub(block, "FactorsIdentifiedAtAssessment")
                        for f in fs:
                            sub(fblock, "AssessmentFactors", f["factor"])
                if write_plans:
                    for p in plans.get(eid, []):
                        block = sub(det, "CINPlanDates")
                        sub(block, "CINPlanStartDate", p["start_date"])
                        opt(block, "CINPlanEndDate", p["end_date"])
                for s in s47s.get(eid, []):
                    block = sub(det, "Section47")
                    sub(block, "S47ActualStartDate", s["start_date"])
                    opt(block, "InitialCPCtarget", s["icpc_target"])
                    opt(block, "DateOfInitialCPC", s["icpc_date"])
                    sub(block, "ICPCnotRequired", s["icpc_not_required"])
                sub(det, "ReferralNFA", ep["referral_nfa"])
                for c in cpps.get(eid, []):
                    block = sub(det, "ChildProtectionPlans")
                    sub(block, "CPPstartDate", c["start_date"])
                    opt(block, "CPPendDate", c["end_date"])
                    sub(block, "InitialCategoryOfAbuse", c["initial_category"])
                    sub(block, "LatestCategoryOfAbuse", c["latest_category"])
                    sub(block, "NumberOfPreviousCPP", c["previous_cpp"])
                    rs = reviews.get(c["cpp_id"], [])
                    if rs:
                        rblock = sub(block, "Reviews")
                        for r in rs:
                            sub(rblock, "CPPreviewDate", r["review_date"])
            xml.write(node, 2)
        xml.close("Children", 1)
        xml.close("Message", 0)
    return out


def _header(year: int, la_code: str, created: datetime) -> ET.Element:
    return message_header(
        "CIN", year, f"{year}-03-31", la_code, created, (("Release", "1"), ("SerialNo", "001"))
    )


def _prepared(tables: Mapping[str, pd.DataFrame], name: str, year: int, la: str) -> pd.DataFrame:
    """The table conformed, then every value as the text the XML needs (None = absent)."""
    frame = tables.get(name)
    if frame is None:
        frame = empty_frame(name)
    fill = {k: v for k, v in {"year": year, "la_code": la}.items() if k not in frame.columns}
    rows = conform(frame, name, fill=fill)
    sort_keys = {c: rows[c] for c in rows.columns}  # typed values, kept for ordering
    text = pd.DataFrame(index=rows.index)
    for col, kind in column_kinds(name).items():
        values = rows[col]
        if kind == "date":
            text[col] = format_dates(values, XML_DATE)
        elif kind == "bool":
            text[col] = values.map(lambda v: None if pd.isna(v) else ("1" if v else "0"))
        elif kind == "int":
            text[col] = values.astype(object).map(lambda v: None if pd.isna(v) else str(int(v)))
        else:
            text[col] = values
        text[col] = as_text(text[col])
        text[f"_sort_{col}"] = sort_keys[col]
    return text


def _group(frame: pd.DataFrame, key: str, order: tuple[str, ...] = ()) -> dict[str, list[Row]]:
    if order:
        frame = frame.sort_values([f"_sort_{c}" for c in order], kind="stable", na_position="last")
    frame = frame[[c for c in frame.columns if not str(c).startswith("_sort_")]]
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in frame.to_dict("records"):
        groups[str(row[key])].append(cast(Row, row))
    return groups


def _check_links(frames: Mapping[str, pd.DataFrame]) -> None:
    """Every nested row must have its parent, or it would silently vanish from the XML."""
    links = [
        ("cin_disability", "child_id", "cin_child", "child_id"),
        ("cin_episode", "child_id", "cin_child", "child_id"),
        ("cin_assessment", "episode_id", "cin_episode", "episode_id"),
        ("cin_assessment_factor", "assessment_id", "cin_assessment", "assessment_id"),
        ("cin_plan", "episode_id", "cin_episode", "episode_id"),
        ("cin_s47", "episode_id", "cin_episode", "episode_id"),
        ("cin_cpp", "episode_id", "cin_episode", "episode_id"),
        ("cin_cpp_review", "cpp_id", "cin_cpp", "cpp_id"),
    ]
    for child, ckey, parent, pkey in links:
        orphans = ~frames[child][ckey].isin(set(frames[parent][pkey]))
        if orphans.any():
            value = frames[child][ckey][orphans].iloc[0]
            raise ReturnFormatError(
                f"{child}: {ckey} {value!r} has no row in {parent} ({int(orphans.sum())} rows)"
            )


# ---------------------------------------------------------------- reading


def read_cin_xml(
    path: str | Path, *, la_code: str | None = None, year: int | None = None
) -> dict[str, pd.DataFrame]:
    """Read a CIN census XML into the ``cin_*`` schema tables.

    LA and year come from the header (Source/LEA, CollectionDetails/Year) unless given; given
    values that disagree with the header are an error. Either sex element is accepted.
    """
    rows: dict[str, list[Row]] = {name: [] for name in CIN_TABLES}
    locs: dict[str, list[str]] = {name: [] for name in CIN_TABLES}
    header: dict[str, str | None] = {}
    n_children = 0
    for elem in stream_records(path, {"Header", "Child"}):
        if elem.tag == "Header":
            header = header_values(elem)
            continue
        n_children += 1
        _read_child(elem, n_children, path, rows, locs)
    la, yr = resolve_keys(path, header, la_code, year)
    return {name: _typed(name, rows[name], locs[name], str(path), la, yr) for name in CIN_TABLES}


_CHILD_FIELDS = [
    ("upn", "UPN"),
    ("former_upn", "FormerUPN"),
    ("upn_unknown", "UPNunknown"),
    ("birth_date", "PersonBirthDate"),
    ("expected_birth_date", "ExpectedPersonBirthDate"),
    ("death_date", "PersonDeathDate"),
]
_EPISODE_FIELDS = [
    ("referral_date", "CINreferralDate"),
    ("referral_source", "ReferralSource"),
    ("primary_need", "PrimaryNeedCode"),
    ("closure_date", "CINclosureDate"),
    ("closure_reason", "ReasonForClosure"),
    ("date_initial_cpc", "DateOfInitialCPC"),
    ("referral_nfa", "ReferralNFA"),
]
_ASSESSMENT_FIELDS = [
    ("start_date", "AssessmentActualStartDate"),
    ("authorisation_date", "AssessmentAuthorisationDate"),
]
_PLAN_FIELDS = [("start_date", "CINPlanStartDate"), ("end_date", "CINPlanEndDate")]
_S47_FIELDS = [
    ("start_date", "S47ActualStartDate"),
    ("icpc_target", "InitialCPCtarget"),
    ("icpc_date", "DateOfInitialCPC"),
    ("icpc_not_required", "ICPCnotRequired"),
]
_CPP_FIELDS = [
    ("start_date", "CPPstartDate"),
    ("end_date", "CPPendDate"),
    ("initial_category", "InitialCategoryOfAbuse"),
    ("latest_category", "LatestCategoryOfAbuse"),
    ("previous_cpp", "NumberOfPreviousCPP"),
]
# Element name of each schema column, for error messages.
FIELD_ELEMENTS: dict[str, dict[str, str]] = {
    "cin_child": {**dict(_CHILD_FIELDS), "child_id": "LAchildID", "ethnicity": "Ethnicity"},
    "cin_disability": {"disability": "Disability"},
    "cin_episode": dict(_EPISODE_FIELDS),
    "cin_assessment": dict(_ASSESSMENT_FIELDS),
    "cin_assessment_factor": {"factor": "AssessmentFactors"},
    "cin_plan": dict(_PLAN_FIELDS),
    "cin_s47": dict(_S47_FIELDS),
    "cin_cpp": dict(_CPP_FIELDS),
    "cin_cpp_review": {"review_date": "CPPreviewDate"},
}


def _fields(node: ET.Element, fields: list[tuple[str, str]]) -> Row:
    return {col: text_of(node, tag) for col, tag in fields}


def _read_child(
    child: ET.Element,
    number: int,
    path: str | Path,
    rows: dict[str, list[Row]],
    locs: dict[str, list[str]],
) -> None:
    ids = child.find("ChildIdentifiers")
    cid = text_of(ids, "LAchildID") if ids is not None else None
    if ids is None or cid is None:
        raise ReturnFormatError(f"{path}: Child {number}: ChildIdentifiers/LAchildID is missing")
    where = f"Child {number} (LAchildID {cid})"
    sex_tag = "Sex" if ids.find("Sex") is not None else "GenderCurrent"
    sex_text = text_of(ids, sex_tag)
    sex = sex_from_cin(sex_tag, sex_text)
    if sex is None:
        raise ReturnFormatError(
            f"{path}: {where}/ChildIdentifiers/{sex_tag}: {sex_text!r} is not a {sex_tag} code"
        )
    chars = child.find("ChildCharacteristics")
    ethnicity = text_of(chars, "Ethnicity") if chars is not None else None
    rows["cin_child"].append(
        {"child_id": cid, **_fields(ids, _CHILD_FIELDS), "sex": sex, "ethnicity": ethnicity}
    )
    locs["cin_child"].append(f"{where}/ChildIdentifiers")
    if chars is not None:
        for d in chars.iterfind("Disabilities/Disability"):
            rows["cin_disability"].append({"child_id": cid, "disability": (d.text or "").strip()})
            locs["cin_disability"].append(f"{where}/ChildCharacteristics/Disabilities")
    for k, det in enumerate(child.iterfind("CINdetails"), start=1):
        eid = f"{cid}:{k}"
        ewhere = f"{where}/CINdetails {k}"
        base = {"child_id": cid, "episode_id": eid}
        rows["cin_episode"].append({**base, **_fields(det, _EPISODE_FIELDS)})
        locs["cin_episode"].append(ewhere)
        for j, a in enumerate(det.iterfind("Assessments"), start=1):
            aid = f"{eid}:A{j}"
            rows["cin_assessment"].append(
                {**base, "assessment_id": aid, **_fields(a, _ASSESSMENT_FIELDS)}
            )
            locs["cin_assessment"].append(f"{ewhere}/Assessments {j}")
            for f in a.iterfind("FactorsIdentifiedAtAssessment/AssessmentFactors"):
                rows["cin_assessment_factor"].append(
                    {"assessment_id": aid, "factor": (f.text or "").strip()}
                )
                locs["cin_assessment_factor"].append(f"{ewhere}/Assessments {j}")
        for j, p in enumerate(det.iterfind("CINPlanDates"), start=1):
            rows["cin_plan"].append({**base, **_fields(p, _PLAN_FIELDS)})
            locs["cin_plan"].append(f"{ewhere}/CINPlanDates {j}")
        for j, s in enumerate(det.iterfind("Section47"), start=1):
            rows["cin_s47"].append({**base, "s47_id": f"{eid}:S{j}", **_fields(s, _S47_FIELDS)})
            locs["cin_s47"].append(f"{ewhere}/Section47 {j}")
        for j, c in enumerate(det.iterfind("ChildProtectionPlans"), start=1):
            pid = f"{eid}:P{j}"
            rows["cin_cpp"].append({**base, "cpp_id": pid, **_fields(c, _CPP_FIELDS)})
            locs["cin_cpp"].append(f"{ewhere}/ChildProtectionPlans {j}")
            for r in c.iterfind("Reviews/CPPreviewDate"):
                rows["cin_cpp_review"].append(
                    {"cpp_id": pid, "review_date": (r.text or "").strip()}
                )
                locs["cin_cpp_review"].append(f"{ewhere}/ChildProtectionPlans {j}/Reviews")


def _typed(
    name: str, rows: list[Row], locs: list[str], path: str, la: str, year: int
) -> pd.DataFrame:
    """Text rows to the schema table's types; errors name the file, element path and value."""
    kinds = column_kinds(name)
    raw = pd.DataFrame(rows, columns=[c for c in kinds if c not in ("year", "la_code")])
    elements = FIELD_ELEMENTS.get(name, {})
    out = pd.DataFrame(index=raw.index)
    for col in raw.columns:
        tag = elements.get(col, col)
        if kinds[col] == "date":
            out[col] = parse_dates(raw[col], XML_DATE, path, tag, locs)
        elif kinds[col] == "int":
            out[col] = parse_ints(raw[col], path, tag, locs)
        elif kinds[col] == "bool":
            parsed = raw[col].map(parse_yes_no)
            bad = parsed.isna()
            if bad.any():
                pos = int(bad.to_numpy().nonzero()[0][0])
                raise ReturnFormatError(
                    f"{path}, {locs[pos]}, field {tag}: {raw[col].iloc[pos]!r} is not "
                    "true, false, 1 or 0"
                )
            out[col] = parsed.astype(bool)
        else:
            out[col] = as_text(raw[col])
        required = not _nullable(name, col)
        if required and out[col].isna().any():
            pos = int(out[col].isna().to_numpy().nonzero()[0][0])
            raise ReturnFormatError(f"{path}, {locs[pos]}, field {tag}: required but missing")
    return conform(out, name, fill={"year": year, "la_code": la})


def _nullable(name: str, col: str) -> bool:
    return bool(table(name).c[col].nullable)
