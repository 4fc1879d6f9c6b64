from __future__ import annotations

import pandas as pd
import pytest

from dashboard.components import TableColumn, format_count, table


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (999, "999"),
        (1000, "1,000"),
        (1234567, "1,234,567"),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_format_count(value: object, text: str) -> None:
    assert format_count(value) == text


def test_table_structure_and_classes() -> None:
    frame = pd.DataFrame({"name": ["Camden", "Hartlepool"], "n": [41502, 21090]})
    columns = [TableColumn("name", "Name"), TableColumn("n", "Children", True, format_count)]

    result = table(frame, columns, caption="Caption", table_id="t", row_header="name")

    caption, head, body = result.children
    assert result.id == "t"
    assert caption.children == "Caption"
    head_cells = head.children.children
    assert [cell.children for cell in head_cells] == ["Name", "Children"]
    assert all(cell.scope == "col" for cell in head_cells)
    assert head_cells[1].className.endswith("govuk-table__header--numeric")

    rows = body.children
    assert [[cell.children for cell in row.children] for row in rows] == [
        ["Camden", "41,502"],
        ["Hartlepool", "21,090"],
    ]
    first_cell, count_cell = rows[0].children
    assert type(first_cell).__name__ == "Th" and first_cell.scope == "row"
    assert type(count_cell).__name__ == "Td"
    assert count_cell.className == "govuk-table__cell govuk-table__cell--numeric"
