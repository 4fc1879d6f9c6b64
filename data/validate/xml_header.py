"""The Header both DfE XML returns open with: is this file the return being imported?

A file from the wrong LA or the wrong year is the costliest mistake an import can make (it
silently replaces the right data with someone else's), so each of these is an error that names
both what the file says and what was asked for.
"""

from __future__ import annotations

import pandas as pd

from data.validate.xml_fields import Context, present
from data.validate.xml_walk import Block

HEADER = Block(
    "header",
    fields={
        "Collection": "CollectionDetails/Collection",
        "Year": "CollectionDetails/Year",
        "ReferenceDate": "CollectionDetails/ReferenceDate",
        "SourceLevel": "Source/SourceLevel",
        "LEA": "Source/LEA",
        "SoftwareCode": "Source/SoftwareCode",
        "Release": "Source/Release",
        "SerialNo": "Source/SerialNo",
        "DateTime": "Source/DateTime",
    },
    repeats=False,
)
REQUIRED = ("Collection", "Year", "ReferenceDate", "LEA")


def check_header(
    ctx: Context, frame: pd.DataFrame, collection: str, reference_date: str, la_code: str
) -> None:
    """``frame`` holds the file's Header rows (there should be exactly one)."""
    if frame.empty:
        ctx.report.error(
            ctx.file,
            "/Message",
            "Header",
            "",
            f"{ctx.kind}.header.missing",
            f"the file has no Header, so it cannot be shown to be LA {la_code}'s "
            f"{collection} return for {ctx.year}",
        )
        return
    if len(frame) > 1:
        ctx.emit(
            "error",
            frame,
            frame.index > 0,
            "",
            "Header",
            "header.repeated",
            "the file has more than one Header",
        )
    first = frame.iloc[:1]
    for col in REQUIRED:
        ctx.emit(
            "error",
            first,
            ~present(first[col]),
            HEADER.fields[col],
            col,
            "header.missing",
            f"Header {HEADER.fields[col]} is required but is missing or empty",
        )
    checks = (
        (
            "Collection",
            collection,
            "header.collection",
            f"the Header names another collection; a {collection} return says {collection}",
        ),
        (
            "LEA",
            la_code,
            "header.la",
            f"the file is for another LA: its Header says LEA {{}} but the import is for "
            f"LA {la_code}",
        ),
        (
            "Year",
            str(ctx.year),
            "header.year",
            f"the file is for another year: its Header says {{}} but the import is for {ctx.year}",
        ),
        (
            "ReferenceDate",
            reference_date,
            "header.reference_date",
            f"the reference date should be {reference_date} for the {ctx.year} collection",
        ),
    )
    for col, want, rule, message in checks:
        values = first[col]
        wrong = present(values) & (values.astype(str) != want)
        ctx.emit(
            "error", first, wrong, HEADER.fields[col], col, rule, message.format, values.astype(str)
        )
