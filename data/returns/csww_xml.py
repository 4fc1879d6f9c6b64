"""The Children's Social Work Workforce census as the XML file an LA sends to DfE.

Layout and element order follow the 2022 XSD (the latest public one, returns_spec 3): the
LA-level ``LALevelVacancies`` block, then one ``CSWWWorker`` per worker. Decimals are written at
the schema's precision (FTE 6 places, vacancies and days lost 2, contract weeks 1), so values
finer than that are rounded on export. ``QualInst`` is required by the XSD but not held in our
tables, so it is written empty; StepUpGrad and FrontlineGrad are optional and left out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from data.returns.codes import XML_DATE
from data.returns.frames import (
    ReturnFormatError,
    as_text,
    column_kinds,
    conform,
    empty_frame,
    format_dates,
    parse_dates,
    parse_floats,
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

CSWW_TABLES = ("csww_la", "csww_worker")

# Worker elements in XSD order: (element, column or None if we hold no such field, decimals).
WORKER_ELEMENTS: list[tuple[str, str | None, int | None]] = [
    ("AgencyWorker", "agency_worker", None),
    ("SWENo", "swe_no", None),
    ("FTE", "fte", 6),
    ("PersonBirthDate", "birth_date", None),
    ("GenderCurrent", "gender", None),
    ("Ethnicity", "ethnicity", None),
    ("QualInst", None, None),
    ("QualLevel", "qual_level", None),
    ("StepUpGrad", None, None),
    ("OrgRole", "org_role", None),
    ("RoleStartDate", "role_start_date", None),
    ("StartOrigin", "start_origin", None),
    ("RoleEndDate", "role_end_date", None),
    ("LeaverDestination", "leaver_destination", None),
    ("ReasonLeave", "reason_leave", None),
    ("FTE30", "fte30", 6),
    ("Cases30", "cases30", None),
    ("WorkingDaysLost", "working_days_lost", 2),
    ("ContractWeeks", "contract_weeks", 1),
    ("FrontlineGrad", None, None),
    ("Absat30Sept", "absat30sept", None),
    ("ReasonAbsence", "reason_absence", None),
    ("CFKSSstatus", "cfkss_status", None),
]
REQUIRED_EMPTY = {"QualInst"}
LA_ELEMENTS: list[tuple[str, str, int | None]] = [
    ("NumberOfVacancies", "vacancies_fte", 2),
    ("NoAgencyFTE", "agency_fte", 2),
    ("NoAgencyHeadcount", "agency_headcount", None),
]


def _text(values: pd.Series, kind: str, decimals: int | None) -> pd.Series:
    return as_text(_formatted(values, kind, decimals))


def _formatted(values: pd.Series, kind: str, decimals: int | None) -> pd.Series:
    if kind == "date":
        return format_dates(values, XML_DATE)
    if kind == "int":
        return values.astype(object).map(lambda v: None if pd.isna(v) else str(int(v)))
    if kind == "float":
        places = 6 if decimals is None else decimals
        return values.astype(object).map(lambda v: None if pd.isna(v) else f"{v:.{places}f}")
    return values


def write_csww_xml(
    tables: Mapping[str, pd.DataFrame],
    year: int,
    la_code: str,
    path: str | Path,
    *,
    created: datetime | None = None,
) -> Path:
    """Write one LA-year's workforce census (``csww_la`` one row, ``csww_worker``) to ``path``."""
    frames = {}
    for name in CSWW_TABLES:
        frame = tables.get(name)
        if frame is None:
            frame = empty_frame(name)
        fill: dict[str, object] = {
            k: v for k, v in {"year": year, "la_code": la_code}.items() if k not in frame
        }
        frames[name] = conform(frame, name, fill=fill)
    la_rows = frames["csww_la"]
    if len(la_rows) > 1:
        raise ReturnFormatError(f"csww_la: {len(la_rows)} rows for LA {la_code} {year}, want 1")
    out = Path(path)
    with StreamWriter(out, ["Message"]) as xml:
        xml.open("Message", 0)
        xml.write(_header(year, la_code, created or datetime.now()), 1)
        block = ET.Element("LALevelVacancies")
        kinds = column_kinds("csww_la")
        for la_tag, la_col, places in LA_ELEMENTS:
            text = _text(la_rows[la_col], kinds[la_col], places)
            sub(block, la_tag, text.iloc[0] if len(text) else None)
        xml.write(block, 1)
        workers = frames["csww_worker"]
        kinds = column_kinds("csww_worker")
        texts = {
            col: _text(workers[col], kinds[col], places).tolist()
            for _, col, places in WORKER_ELEMENTS
            if col is not None
        }
        for i in range(len(workers)):
            node = ET.Element("CSWWWorker")
            for tag, col, _ in WORKER_ELEMENTS:
                if tag in REQUIRED_EMPTY:
                    sub(node, tag, "")
                elif col is not None:
                    if tag in ("AgencyWorker", "SWENo"):
                        sub(node, tag, texts[col][i])
                    else:
                        opt(node, tag, texts[col][i])
            xml.write(node, 1)
        xml.close("Message", 0)
    return out


def _header(year: int, la_code: str, created: datetime) -> ET.Element:
    return message_header("CSWW", year, f"{year}-09-30", la_code, created, ())


def read_csww_xml(
    path: str | Path, *, la_code: str | None = None, year: int | None = None
) -> dict[str, pd.DataFrame]:
    """Read a workforce census XML into ``csww_la`` and ``csww_worker``."""
    header: dict[str, str | None] = {}
    la_rows: list[dict[str, str | None]] = []
    workers: list[dict[str, str | None]] = []
    for elem in stream_records(path, {"Header", "LALevelVacancies", "CSWWWorker"}):
        if elem.tag == "Header":
            header = header_values(elem)
        elif elem.tag == "LALevelVacancies":
            la_rows.append({col: text_of(elem, tag) for tag, col, _ in LA_ELEMENTS})
        else:
            workers.append(
                {col: text_of(elem, tag) for tag, col, _ in WORKER_ELEMENTS if col is not None}
            )
    la, yr = resolve_keys(path, header, la_code, year)
    la_frame = _typed(
        "csww_la", la_rows, {col: tag for tag, col, _ in LA_ELEMENTS}, "LALevelVacancies", path
    )
    worker_frame = _typed(
        "csww_worker",
        workers,
        {col: tag for tag, col, _ in WORKER_ELEMENTS if col is not None},
        "CSWWWorker",
        path,
    )
    return {
        "csww_la": conform(la_frame, "csww_la", fill={"year": yr, "la_code": la}),
        "csww_worker": conform(worker_frame, "csww_worker", fill={"year": yr, "la_code": la}),
    }


def _typed(
    name: str,
    rows: list[dict[str, str | None]],
    elements: dict[str, str],
    record: str,
    path: str | Path,
) -> pd.DataFrame:
    kinds = column_kinds(name)
    raw = pd.DataFrame(rows, columns=list(elements))
    locs = [f"{record} {i}" for i in range(1, len(raw) + 1)]
    out = pd.DataFrame(index=raw.index)
    for col, tag in elements.items():
        kind = kinds[col]
        if kind == "date":
            out[col] = parse_dates(raw[col], XML_DATE, str(path), tag, locs)
        elif kind == "int":
            out[col] = parse_ints(raw[col], str(path), tag, locs)
        elif kind == "float":
            out[col] = parse_floats(raw[col], str(path), tag, locs)
        else:
            out[col] = as_text(raw[col])
        if not table(name).c[col].nullable and out[col].isna().any():
            pos = int(np.flatnonzero(out[col].isna().to_numpy())[0])
            raise ReturnFormatError(f"{path}, {locs[pos]}, field {tag}: required but missing")
    return out
