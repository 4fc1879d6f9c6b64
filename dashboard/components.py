"""GOV.UK-styled building blocks shared by the pages.

Tables are real HTML tables (caption, column headers with scope, numeric cells right-aligned)
rather than a data grid, because assistive technology reads them correctly and they need no
JavaScript beyond React.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from dash import html


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
