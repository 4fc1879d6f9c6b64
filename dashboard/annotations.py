"""The framework's annotations for one indicator, with the figures that back them for the area
and year on screen, set beside the indicator's charts.

A number read without knowing whose needs it leaves out is easily misread, so the panel puts
the catalogue's prose (purpose, voice, coverage, hidden needs, caveats, risks) next to the
computed coverage measures (for example the share of children with ethnicity unknown) and the
hidden-need signals (expected rates, disparities between groups). Signals are computed by the
metrics build only for some indicators; when they are missing the panel says so plainly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from dash import dcc, html

from dashboard.components import aria

SIGNAL_PREFIXES = ("expected_rate", "disparity_")


def is_signal(measure: str) -> bool:
    """Whether a ``coverage_values`` measure is a hidden-need signal rather than coverage."""
    return str(measure).startswith(SIGNAL_PREFIXES)


def split_coverage(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``coverage_values`` rows split into (coverage measures, hidden-need signals)."""
    if rows.empty:
        return rows, rows
    signal = rows["measure"].astype(str).map(is_signal).astype(bool)
    return rows[~signal.to_numpy()], rows[signal.to_numpy()]


def _row_text(row: Mapping[Any, Any]) -> str:
    label = str(row.get("label") or row.get("measure") or "")
    lower, upper = row.get("lower_95"), row.get("upper_95")
    if lower is None or upper is None or pd.isna(lower) or pd.isna(upper):
        return label
    if "95%" not in label:
        label += f" (95% range {float(lower):,.1f} to {float(upper):,.1f})"
    return label


def _measure_list(rows: pd.DataFrame, list_id: str) -> html.Ul:
    items = [html.Li(_row_text(r)) for r in rows.to_dict("records")]
    return html.Ul(items, className="govuk-list govuk-list--bullet", id=list_id)


def _entry(key: str, value: Any) -> html.Div:
    return html.Div(
        [
            html.Dt(key, className="govuk-summary-list__key"),
            html.Dd(value, className="govuk-summary-list__value"),
        ],
        className="govuk-summary-list__row",
    )


def _details(summary: str, body: Any, details_id: str) -> html.Details:
    return html.Details(
        [
            html.Summary(
                html.Span(summary, className="govuk-details__summary-text"),
                className="govuk-details__summary",
            ),
            html.Div(body, className="govuk-details__text"),
        ],
        className="govuk-details",
        id=details_id,
    )


def _text_and_measured(
    text: str, rows: pd.DataFrame, *, listed: bool, shown: str, none: str, list_id: str
) -> list[Any]:
    """An annotation's text, then what was computed for the area and year: the rows as a list,
    or, where the catalogue lists measures but none were computed, a sentence saying so."""
    body: list[Any] = [html.P(text, className="govuk-body")]
    if len(rows):
        body += [
            html.P(shown, className="govuk-body govuk-!-margin-bottom-1"),
            _measure_list(rows, list_id),
        ]
    elif listed:
        body.append(html.P(none, className="govuk-body", id=list_id))
    return body


def annotation_panel(
    annotations: Any,
    coverage: pd.DataFrame,
    *,
    area_name: str,
    year: int | None,
    related: Sequence[tuple[str, str]] = (),
    panel_id: str = "annotations",
) -> html.Aside:
    """The panel for an indicator's ``annotations`` (``Indicator.annotations``), with
    ``coverage`` the ``coverage_values`` rows of the shown area and year, and ``related``
    (title, href) pairs."""
    where = f"{area_name}, {year}" if year is not None else area_name
    measures, signals = split_coverage(coverage)
    coverage_body = _text_and_measured(
        annotations.coverage.text,
        measures,
        listed=bool(annotations.coverage.measures),
        shown=f"Measured for {where}:",
        none=f"No coverage measures are available for {where}.",
        list_id=f"{panel_id}-coverage-measures",
    )
    hidden_body = _text_and_measured(
        annotations.hidden_needs.text,
        signals,
        listed=bool(annotations.hidden_needs.signals),
        shown=f"Signals for {where}:",
        none=f"The hidden-need signals for this indicator are not available for {where} yet.",
        list_id=f"{panel_id}-signals",
    )
    rows = [
        _entry("Purpose", html.P(annotations.purpose, className="govuk-body")),
        _entry("Coverage", coverage_body),
        _entry("Hidden needs", hidden_body),
        _entry("Whose voice is missing", html.P(annotations.voice, className="govuk-body")),
    ]
    parts: list[Any] = [
        html.H2("Reading this indicator", className="govuk-heading-m", id=f"{panel_id}-heading"),
        html.Dl(rows, className="govuk-summary-list csc-annotations"),
        _details(
            "Caveats", html.P(annotations.caveats, className="govuk-body"), f"{panel_id}-caveats"
        ),
        _details(
            "Risks of misreading",
            html.P(annotations.risks, className="govuk-body"),
            f"{panel_id}-risks",
        ),
    ]
    if related:
        parts += [
            html.H3("Related indicators", className="govuk-heading-s"),
            html.Ul(
                [
                    html.Li(dcc.Link(title, href=href, className="govuk-link"))
                    for title, href in related
                ],
                className="govuk-list",
                id=f"{panel_id}-related",
            ),
        ]
    return html.Aside(
        parts,
        id=panel_id,
        className="csc-annotation-panel",
        **aria(labelledby=f"{panel_id}-heading"),
    )
