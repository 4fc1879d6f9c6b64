"""Glossary: every abbreviation and statistical term the pages use, with a stable anchor each.

A summary list (``<dl>``) is the GOV.UK pattern for term-and-meaning pairs, and screen readers
announce it as a description list. Each row's id is the term's anchor, so ``/glossary#term-cin``
lands on the entry (assets/nav.js scrolls there once Dash has drawn the page).
"""

from __future__ import annotations

from dash import html, register_page

from dashboard import ids
from dashboard.components import aria
from dashboard.glossary import CATEGORIES, GLOSSARY_PATH, TERMS, Term
from dashboard.shell import SERVICE_NAME

TITLE = "Glossary"

register_page(
    __name__,
    path=GLOSSARY_PATH,
    name=TITLE,
    title=f"{TITLE} - {SERVICE_NAME}",
    description="Abbreviations and statistical terms used on this dashboard.",
    order=90,
)


def _row(entry: Term) -> html.Div:
    key: list[str | html.Abbr] = [entry.name]
    if entry.expansion:
        key = [html.Abbr(entry.name, title=entry.expansion)]
    value: list[str | html.Span] = []
    if entry.expansion:
        value.append(
            html.Span(
                entry.expansion[0].upper() + entry.expansion[1:] + ". ",
                className="csc-glossary__expansion",
            )
        )
    value.append(entry.definition)
    return html.Div(
        [
            html.Dt(key, className="govuk-summary-list__key"),
            html.Dd(value, className="govuk-summary-list__value"),
        ],
        id=entry.anchor,
        className="govuk-summary-list__row",
    )


def _section(category: str, number: int) -> html.Section:
    heading_id = f"{ids.GLOSSARY_LIST}-{number}-heading"
    entries = sorted((t for t in TERMS if t.category == category), key=lambda t: t.name.lower())
    return html.Section(
        [
            html.H2(category, id=heading_id, className="govuk-heading-l"),
            html.Dl([_row(t) for t in entries], className="govuk-summary-list"),
        ],
        id=f"{ids.GLOSSARY_LIST}-{number}",
        **aria(labelledby=heading_id),
    )


def layout(**_query: object) -> html.Div:
    """The same page whatever the query string: there is nothing to choose."""
    return html.Div(
        [
            html.H1(TITLE, id=ids.GLOSSARY_HEADING, className="govuk-heading-xl"),
            html.P(
                "What the abbreviations and statistical terms on this dashboard mean. Other pages "
                "link to these entries where a term first appears.",
                className="govuk-body-l",
            ),
            html.Nav(
                html.Ul(
                    [
                        html.Li(html.A(c, href=f"#{ids.GLOSSARY_LIST}-{n}", className="govuk-link"))
                        for n, c in enumerate(CATEGORIES, start=1)
                    ],
                    className="govuk-list",
                ),
                **aria(label="Glossary sections"),
            ),
            *[_section(c, n) for n, c in enumerate(CATEGORIES, start=1)],
        ],
        id=ids.GLOSSARY_LIST,
    )
