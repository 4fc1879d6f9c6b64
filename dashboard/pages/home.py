"""Home page: which local authorities the synthetic returns cover.

A first, deliberately small page: it proves the whole path from database to browser (reference
table, app creation, page routing, styling) before the indicator pages arrive.
"""

from __future__ import annotations

from typing import Any

from dash import html, register_page

from dashboard import ids
from dashboard.components import TableColumn, format_count, table
from dashboard.context import current_data

TITLE = "Local authorities covered"

register_page(__name__, path="/", title=f"{TITLE} - Children's social care indicators", order=0)

LA_TABLE_COLUMNS = (
    TableColumn("la_name", "Local authority"),
    TableColumn("ons_code", "ONS code"),
    TableColumn("dfe_la_code", "DfE code"),
    TableColumn("region_name", "Region"),
    TableColumn("population_0_17", "Population aged 0 to 17", numeric=True, formatter=format_count),
)

# Dash passes aria-* attributes through keyword arguments that are not Python identifiers.
_ARIA_TABLE_LABEL: dict[str, Any] = {"aria-label": "Local authorities table"}


def layout(**_query: str) -> html.Div:
    las = current_data().local_authorities
    return html.Div(
        [
            html.H1(TITLE, id=ids.HOME_HEADING, className="govuk-heading-xl"),
            html.P(
                [
                    "This dashboard will show England's children's social care indicators, "
                    "computed from synthetic child-level returns. The simulated returns cover ",
                    html.Strong(_count_text(len(las)), id=ids.HOME_LA_COUNT),
                    ".",
                ],
                className="govuk-body-l",
            ),
            html.P(
                "Indicator, local authority and comparison pages are planned.",
                className="govuk-body",
            ),
            html.Div(
                table(
                    las,
                    LA_TABLE_COLUMNS,
                    caption="Local authorities, with their population aged 0 to 17",
                    table_id=ids.HOME_LA_TABLE,
                    row_header="la_name",
                ),
                className="govuk-table-wrapper",
                tabIndex="0",
                role="region",
                **_ARIA_TABLE_LABEL,
            ),
        ]
    )


def _count_text(count: int) -> str:
    return f"{count:,} local {'authority' if count == 1 else 'authorities'}"
