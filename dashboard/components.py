"""GOV.UK-styled building blocks shared by the pages.

Tables are real HTML tables (caption, column headers with scope, numeric cells right-aligned)
rather than a data grid, because assistive technology reads them correctly and they need no
JavaScript beyond React.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
from dash import dcc, html

from dashboard.figures.theme import GRAPH_CONFIG


def format_count(value: Any) -> str:
    """Whole numbers with thousands separators; empty for missing values."""
    if value is None or pd.isna(value):
        return ""
    return f"{int(value):,}"


@dataclass(frozen=True)
class TableColumn:
    key: str
    header: str
    numeric: bool = False
    formatter: Callable[[Any], str] = str


def table(
    frame: pd.DataFrame,
    columns: Sequence[TableColumn],
    *,
    caption: str,
    table_id: str,
    row_header: str | None = None,
) -> html.Table:
    """An HTML table of ``frame``; the ``row_header`` column's cells become row headers."""
    head = html.Thead(
        html.Tr(
            [
                html.Th(
                    column.header,
                    scope="col",
                    className=_cell_class("header", column.numeric),
                )
                for column in columns
            ],
            className="govuk-table__row",
        ),
        className="govuk-table__head",
    )
    body_rows = []
    for record in frame.to_dict("records"):
        cells: list[html.Th | html.Td] = []
        for column in columns:
            text = column.formatter(record[column.key])
            if column.key == row_header:
                cells.append(
                    html.Th(text, scope="row", className=_cell_class("header", column.numeric))
                )
            else:
                cells.append(html.Td(text, className=_cell_class("cell", column.numeric)))
        body_rows.append(html.Tr(cells, className="govuk-table__row"))
    return html.Table(
        [
            html.Caption(caption, className="govuk-table__caption govuk-table__caption--m"),
            head,
            html.Tbody(body_rows, className="govuk-table__body"),
        ],
        id=table_id,
        className="govuk-table",
    )


def _cell_class(kind: str, numeric: bool) -> str:
    base = f"govuk-table__{kind}"
    return f"{base} {base}--numeric" if numeric else base


def input_label(text: str, hint: str, input_id: str) -> html.Label:
    """A GOV.UK label with its hint inside it. dcc.Input takes no aria-describedby, so a hint
    beside the field would not be read with it; inside the label it is part of the field's
    name."""
    return html.Label(
        [
            html.Span(text, className="govuk-label--s"),
            html.Span(hint, id=f"{input_id}-hint", className="govuk-hint"),
        ],
        htmlFor=input_id,
        className="govuk-label",
    )


def aria(**attributes: str) -> dict[str, Any]:
    """``aria-*`` keyword arguments, which Dash accepts but Python names cannot spell:
    ``html.Div(..., **aria(label="Map"))``."""
    return {f"aria-{name.replace('_', '-')}": value for name, value in attributes.items()}


def chart_block(
    *,
    block_id: str,
    heading: str,
    figure: dict[str, Any],
    summary: str,
    data_table: html.Table,
    download_href: str | None = None,
    graph_id: str | None = None,
) -> html.Section:
    """A chart as every page shows one: heading, a text summary saying what it shows (read first
    by screen readers), the chart, its data as a table behind "View as table", and a CSV link.

    ``graph_id`` lets a callback update the figure; ``summary`` must state the main finding in
    words, because the chart itself is not accessible to everyone."""
    graph = dcc.Graph(
        id=graph_id or f"{block_id}-graph",
        figure=figure,
        config=cast(Any, GRAPH_CONFIG),
        className="csc-chart",
    )
    parts: list[Any] = [
        html.H3(heading, className="govuk-heading-m", id=f"{block_id}-heading"),
        html.P(summary, className="govuk-body csc-chart-summary", id=f"{block_id}-summary"),
        # A figure, not role="img": the chart's mode bar holds buttons, and an image may not
        # contain controls. The summary above describes it in words.
        html.Figure(
            graph,
            className="csc-chart-figure",
            **aria(labelledby=f"{block_id}-heading", describedby=f"{block_id}-summary"),
        ),
        html.Details(
            [
                html.Summary(
                    html.Span("View as table", className="govuk-details__summary-text"),
                    className="govuk-details__summary",
                ),
                html.Div(
                    html.Div(
                        data_table,
                        className="govuk-table-wrapper",
                        tabIndex="0",
                        role="region",
                        **aria(label=f"{heading}: data table"),
                    ),
                    className="govuk-details__text",
                ),
            ],
            className="govuk-details",
            id=f"{block_id}-details",
        ),
    ]
    if download_href:
        parts.append(
            html.P(
                html.A(
                    f"Download the data for {heading[0].lower() + heading[1:]} (CSV)",
                    href=download_href,
                    className="govuk-link",
                    id=f"{block_id}-download",
                    download="",
                ),
                className="govuk-body-s",
            )
        )
    return html.Section(
        parts,
        id=block_id,
        className="csc-chart-block",
        **aria(labelledby=f"{block_id}-heading"),
    )
