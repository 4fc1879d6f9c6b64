"""Page shown for addresses the dashboard does not know (Dash finds it by its module name)."""

from __future__ import annotations

from dash import dcc, html, register_page

from dashboard import ids

register_page(__name__, path="/404", title="Page not found - Children's social care indicators")


def layout(**_query: str) -> html.Div:
    return html.Div(
        [
            html.H1("Page not found", id=ids.NOT_FOUND_HEADING, className="govuk-heading-xl"),
            html.P(
                "If you typed the web address, check it is correct. If you pasted it, check you "
                "copied the entire address.",
                className="govuk-body",
            ),
            html.P(
                ["Go to the ", dcc.Link("home page", href="/", className="govuk-link"), "."],
                className="govuk-body",
            ),
        ]
    )
