"""The report as the upload page shows it: verdicts, counts per rule and a capped, accessible
table of findings, from real ``Report`` objects."""

from __future__ import annotations

import json
from typing import Any

import plotly

from dashboard.upload_report import (
    FINDING_HEADERS,
    counts_table,
    findings_table,
    report_block,
    shown_total,
    totals,
    verdict,
)
from data.validate.report import COLUMNS, MAX_PER_RULE_AND_FILE, Report
from tests.dashboard.helpers import find_by_id, nodes_of_type, text_of

IDS = {"summary": "s", "counts": "c", "findings": "f", "csv": "d"}


def as_json(component: Any) -> Any:
    """A component as the browser receives it, for the tree helpers."""
    return json.loads(json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder))


def sample() -> Report:
    report = Report()
    report.warning("episodes.csv", "row 3", "PLACE", "Z9", "903.code", "unknown placement code")
    report.error("episodes.csv", "row 2", "DECOM", "32/13/2024", "903.date", "not a date")
    report.error(
        "cin.xml",
        "/Message/Children/Child[1]/CINdetails[1]/CINreferralDate",
        "CINreferralDate",
        "2026-01-01",
        "cin.date",
        "after the collection year",
    )
    return report


def test_headers_follow_the_report_columns() -> None:
    assert len(FINDING_HEADERS) == len(COLUMNS)


def test_verdicts() -> None:
    assert verdict(sample(), "Camden", 2025) == (
        "Not loaded: the files for Camden, 2025 have 2 errors and 1 warning. "
        "Nothing was changed; fix the files and check them again."
    )
    clean = Report()
    assert verdict(clean, "Camden", 2025).startswith(
        "Ready to load: the files for Camden, 2025 have no errors."
    )
    clean.warning("a.csv", "row 2", "X", "", "903.x", "odd")
    assert "no errors and 1 warning to read" in verdict(clean, "Camden", 2025)


def test_counts_table_lists_each_rule_errors_first() -> None:
    table = as_json(counts_table(sample(), "c"))
    body = nodes_of_type(table, "Tbody")[0]
    rows = [[text_of(c) for c in r["props"]["children"]] for r in nodes_of_type(body, "Tr")]
    assert [r[:2] for r in rows] == [
        ["903.date", "error"],
        ["cin.date", "error"],
        ["903.code", "warning"],
    ]
    assert all(r[2] == "1" for r in rows)
    headers = nodes_of_type(table, "Th")
    assert all(h["props"]["scope"] in {"col", "row"} for h in headers)


def test_findings_table_shows_every_column_errors_first() -> None:
    table = as_json(findings_table(sample(), "f"))
    assert text_of(nodes_of_type(table, "Caption")[0]) == "Findings (3 findings)"
    rows = nodes_of_type(nodes_of_type(table, "Tbody")[0], "Tr")
    first = [text_of(c) for c in rows[0]["props"]["children"]]
    assert first[5] == "error"
    assert first[0] in {"episodes.csv", "cin.xml"}
    last = [text_of(c) for c in rows[-1]["props"]["children"]]
    assert last == ["episodes.csv", "row 3", "PLACE", "Z9", "903.code", "warning",
                    "unknown placement code"]  # fmt: skip


def test_a_long_report_is_capped_and_counted() -> None:
    report = Report()
    for n in range(MAX_PER_RULE_AND_FILE + 40):
        report.error("episodes.csv", f"row {n + 2}", "DECOM", "x", "903.date", "not a date")
    assert totals(report) == (MAX_PER_RULE_AND_FILE + 40, 0)
    assert shown_total(report) == MAX_PER_RULE_AND_FILE + 40
    table = as_json(findings_table(report, "f", limit=25))
    assert len(nodes_of_type(nodes_of_type(table, "Tbody")[0], "Tr")) == 25
    caption = text_of(nodes_of_type(table, "Caption")[0])
    assert caption == f"The first 25 of {MAX_PER_RULE_AND_FILE + 40} findings"


def test_report_block_parts_and_download_link() -> None:
    block = as_json(
        report_block(
            sample(), la_name="Camden", year=2025, files=["episodes.csv"], report_href="/r", ids=IDS
        )
    )
    assert text_of(find_by_id(block, "s")) == "Summary: rejected: 2 errors, 1 warning under 3 rules"
    assert find_by_id(block, "c") is not None and find_by_id(block, "f") is not None
    link = find_by_id(block, "d")
    assert link is not None and link["props"]["href"] == "/r"
    clean = as_json(
        report_block(Report(), la_name="Camden", year=2025, files=[], report_href="/r", ids=IDS)
    )
    assert find_by_id(clean, "f") is None
    assert "No rule found anything to report." in text_of(clean)
