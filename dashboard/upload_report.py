"""The validation report as the upload page shows it: the same findings the command line prints,
as HTML tables a screen reader can navigate.

A systematic fault can produce thousands of findings; the page shows the first ``MAX_SHOWN``
(errors first) and the counts per rule, and offers every finding as a CSV download, so the
page stays fast and the analyst still gets the whole list to work through.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import html

from dashboard.components import aria
from data.validate.report import Report

MAX_SHOWN = 100
FINDING_HEADERS = (
    "File",
    "Row or XML path",
    "Field",
    "Value",
    "Rule",
    "Severity",
    "Message",
)  # the order of data.validate.report.COLUMNS
SEVERITY_TAGS = {"error": "govuk-tag csc-tag--error", "warning": "govuk-tag govuk-tag--yellow"}


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def totals(report: Report) -> tuple[int, int]:
    """(errors, warnings), counting findings beyond the per-file cap too."""
    counts = report.counts()
    errors = sum(n for _, severity, n in counts if severity == "error")
    warnings = sum(n for _, severity, n in counts if severity == "warning")
    return errors, warnings


def verdict(report: Report, la_name: str, year: int) -> str:
    """One sentence for the live region and the top of the report."""
    errors, warnings = totals(report)
    what = f"the files for {la_name}, {year}"
    if errors:
        extra = f" and {_plural(warnings, 'warning')}" if warnings else ""
        return (
            f"Not loaded: {what} have {_plural(errors, 'error')}{extra}. "
            "Nothing was changed; fix the files and check them again."
        )
    extra = f" and {_plural(warnings, 'warning')} to read" if warnings else ""
    return (
        f"Ready to load: {what} have no errors{extra}. Nothing is loaded until you confirm below."
    )


def _th(text: str, numeric: bool = False) -> html.Th:
    return html.Th(
        text,
        scope="col",
        className="govuk-table__header" + (" govuk-table__header--numeric" if numeric else ""),
    )


def _td(content: Any, numeric: bool = False) -> html.Td:
    return html.Td(
        content,
        className="govuk-table__cell" + (" govuk-table__cell--numeric" if numeric else ""),
    )


def _severity(severity: str) -> html.Strong:
    return html.Strong(severity, className=SEVERITY_TAGS.get(severity, "govuk-tag"))


def counts_table(report: Report, table_id: str) -> html.Table:
    """How many findings each rule gave, errors first."""
    rows = [
        html.Tr(
            [
                html.Th(html.Code(rule), scope="row", className="govuk-table__header"),
                _td(_severity(severity)),
                _td(f"{n:,}", numeric=True),
            ],
            className="govuk-table__row",
        )
        for rule, severity, n in report.counts()
    ]
    return html.Table(
        [
            html.Caption(
                "Findings by rule", className="govuk-table__caption govuk-table__caption--m"
            ),
            html.Thead(
                html.Tr(
                    [_th("Rule"), _th("Severity"), _th("Findings", numeric=True)],
                    className="govuk-table__row",
                ),
                className="govuk-table__head",
            ),
            html.Tbody(rows, className="govuk-table__body"),
        ],
        id=table_id,
        className="govuk-table",
    )


def findings_table(report: Report, table_id: str, limit: int = MAX_SHOWN) -> html.Table:
    """The first ``limit`` findings: file, row or XML path, field, value, rule, severity and
    the message, errors first."""
    rows = []
    for file, location, field_name, value, rule, severity, message in report.rows()[:limit]:
        rows.append(
            html.Tr(
                [
                    html.Th(file or "(all files)", scope="row", className="govuk-table__header"),
                    _td(html.Code(location) if location.startswith("/") else location),
                    _td(field_name),
                    _td(html.Code(value) if value else ""),
                    _td(html.Code(rule)),
                    _td(_severity(severity)),
                    _td(message),
                ],
                className="govuk-table__row",
            )
        )
    total = shown_total(report)
    caption = (
        f"Findings ({_plural(total, 'finding')})"
        if total <= limit
        else f"The first {limit} of {total:,} findings"
    )
    return html.Table(
        [
            html.Caption(caption, className="govuk-table__caption govuk-table__caption--m"),
            html.Thead(
                html.Tr([_th(h) for h in FINDING_HEADERS], className="govuk-table__row"),
                className="govuk-table__head",
            ),
            html.Tbody(rows, className="govuk-table__body"),
        ],
        id=table_id,
        className="govuk-table csc-upload-findings",
    )


def shown_total(report: Report) -> int:
    """Every finding, including those beyond the per-rule cap that the CSV does not list."""
    return len(report.findings) + sum(report.dropped.values())


def _wrapped(node: Any, label: str) -> html.Div:
    return html.Div(
        node, className="govuk-table-wrapper", tabIndex="0", role="region", **aria(label=label)
    )


def report_block(
    report: Report,
    *,
    la_name: str,
    year: int,
    files: Sequence[str],
    report_href: str,
    ids: dict[str, str],
) -> html.Div:
    """The whole report: verdict, summary line, the files read, counts per rule, findings and a
    link to the full CSV. ``ids`` names the parts (keys summary, counts, findings, csv)."""
    errors, _ = totals(report)
    parts: list[Any] = [
        html.H2("Report", className="govuk-heading-l"),
        html.P(
            verdict(report, la_name, year),
            className="govuk-body-l csc-upload-verdict"
            + (" csc-upload-verdict--rejected" if errors else " csc-upload-verdict--ready"),
        ),
        html.P(
            ["Summary: ", html.Strong(report.summary())],
            id=ids["summary"],
            className="govuk-body",
        ),
        html.Details(
            [
                html.Summary(
                    html.Span(
                        f"Files checked ({len(files)})", className="govuk-details__summary-text"
                    ),
                    className="govuk-details__summary",
                ),
                html.Ul(
                    [html.Li(html.Code(name)) for name in files],
                    className="govuk-list govuk-details__text",
                ),
            ],
            className="govuk-details",
        ),
    ]
    if report.findings or report.dropped:
        parts += [
            _wrapped(counts_table(report, ids["counts"]), "Findings by rule"),
            _wrapped(findings_table(report, ids["findings"]), "Findings"),
        ]
    else:
        parts.append(html.P("No rule found anything to report.", className="govuk-body"))
    parts.append(
        html.P(
            html.A(
                "Download the full report (CSV)",
                href=report_href,
                id=ids["csv"],
                className="govuk-link",
                download="upload-report.csv",
            ),
            className="govuk-body",
        )
    )
    return html.Div(parts)
