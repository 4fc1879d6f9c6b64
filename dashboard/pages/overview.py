"""Overview: the national framework at a glance, one card per indicator, searchable.

Cards are grouped as the framework groups them (outcomes for children and families, the
enablers that make good practice possible, and the data-quality measures) so a reader sees the
shape of the framework before any number. The search is server-side and lives in the URL
(``/?q=...``): a search can be bookmarked or shared, and works the same after back and forward.
The result count is announced through the shell's persistent live region, and the search box
gets its focus back after the re-render (assets/nav.js), so screen-reader and keyboard users
hear how many indicators match without losing their place.
"""

from __future__ import annotations

import functools
from typing import Any

from dash import Input, Output, State, callback, dcc, html, register_page
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.components import aria
from dashboard.context import current_data
from dashboard.glossary import term_link
from dashboard.overview_cards import KIND_TITLES, Card, cards_for
from dashboard.overview_search import (
    MAX_QUERY_CHARS,
    filter_cards,
    result_count_text,
    search_href,
    validate_query,
)
from dashboard.shell import SERVICE_NAME

TITLE = "Children's social care indicators for England"
# A data-* attribute, which Dash accepts but Python keyword names cannot spell.
_ANNOUNCE: dict[str, Any] = {"data-announce": "polite"}

register_page(
    __name__,
    path="/",
    name="Overview",
    title=f"Overview - {SERVICE_NAME}",
    description="England's children's social care indicators as outcomes and enablers.",
    order=0,
)


# ---------------------------------------------------------------- components
@functools.lru_cache(maxsize=2048)
def _card(card: Card) -> html.Li:
    """A card's components, built once per card: the tidy tables do not change under a running
    app, and building ~15 components for each of ~100 cards on every request would cost more
    than the rest of the page. Components are never mutated after construction."""
    heading_id = f"{ids.OVERVIEW_CARD}-{card.indicator_id}-heading"
    parts: list[Any] = [
        html.H4(
            dcc.Link(card.title, href=f"/indicator/{card.indicator_id}", className="govuk-link"),
            className="govuk-heading-s csc-card__title",
            id=heading_id,
        )
    ]
    if not card.computable:
        parts.append(
            html.P(
                ["Not computed from these returns: ", card.not_computable_reason],
                className="govuk-body-s",
            )
        )
    elif card.latest_year is None:
        parts.append(html.P("No figures yet.", className="govuk-body-s"))
    else:
        # Few components per card: the page holds about a hundred cards, and every component
        # costs server time to serialise on each request.
        parts += [
            html.P(f"England, {card.latest_year}", className="csc-card__caption"),
            html.P(card.england_text, className="csc-card__figure"),
        ]
        trend = f"Trend: {card.trend or 'not assessed'}"
        if card.sparkline_src:
            trend += f" (since {card.first_year}: {card.first_text})"
            sparkline = html.Img(
                src=card.sparkline_src,
                alt=card.sparkline_alt,
                className="csc-card__sparkline",
                width="120",
                height="36",
            )
            parts.append(html.Div([sparkline, trend], className="csc-card__trend govuk-body-s"))
        else:
            parts.append(html.P(trend, className="govuk-body-s"))
        if card.strip_src:
            # Decorative (empty alt): the sentence beside it says the same in words.
            strip = html.Img(
                src=card.strip_src, alt="", className="csc-card__strip", width="120", height="20"
            )
            parts.append(
                html.Div([strip, card.spread_text], className="csc-card__spread govuk-body-s")
            )
        else:
            parts.append(html.P(card.spread_text, className="govuk-body-s"))
        if card.coverage_flags:
            parts.append(
                html.P(
                    [
                        html.Strong("Coverage warning", className="govuk-tag govuk-tag--yellow"),
                        " " + "; ".join(card.coverage_flags) + ".",
                    ],
                    className="govuk-body-s csc-card__coverage",
                )
            )
    return html.Li(
        parts,
        id=f"{ids.OVERVIEW_CARD}-{card.indicator_id}",
        className="csc-card",
    )


def _sections(cards: list[Card]) -> list[html.Section]:
    sections = []
    for kind, kind_title in KIND_TITLES.items():
        of_kind = [c for c in cards if c.kind == kind]
        if not of_kind:
            continue
        groups: dict[str, list[Card]] = {}
        for c in of_kind:
            groups.setdefault(c.group, []).append(c)
        heading_id = f"{ids.OVERVIEW_CARDS}-{kind}"
        children: list[Any] = [html.H2(kind_title, className="govuk-heading-l", id=heading_id)]
        for group, members in groups.items():
            group_heading = f"{ids.OVERVIEW_CARDS}-{group}"
            children += [
                html.H3(members[0].group_title, className="govuk-heading-m", id=group_heading),
                html.Ul(
                    [_card(c) for c in members],
                    className="csc-cards",
                    **aria(labelledby=group_heading),
                ),
            ]
        sections.append(html.Section(children, **aria(labelledby=heading_id)))
    return sections


def _how_to_read() -> html.Details:
    return html.Details(
        [
            html.Summary(
                html.Span("How to read this page", className="govuk-details__summary-text"),
                className="govuk-details__summary",
            ),
            html.Div(
                [
                    html.P(
                        [
                            "The national framework for children's social care says what should "
                            "improve for children and families (the ",
                            html.Strong("outcomes"),
                            ": help early, safety, strong family networks, stable loving homes) "
                            "and what makes that possible (the ",
                            html.Strong("enablers"),
                            ": leadership and spending, and the social work workforce). Data "
                            "quality measures say how complete the returns behind the figures "
                            "are.",
                        ],
                        className="govuk-body",
                    ),
                    html.P(
                        "Each card shows England's latest figure, its line over the years, and "
                        "how far local authorities (LAs) spread: half are above the median, and "
                        "the middle 80% lie between the two figures given. A grey bar in the "
                        "small chart spans that middle 80%, a tick marks the median and a black "
                        "diamond marks England. Choose a card's title for the charts, "
                        "definitions and notes.",
                        className="govuk-body",
                    ),
                    html.P(
                        [
                            "Numbers hide needs. A figure counts only children who reached a "
                            "service and were recorded: families turned away at the door, "
                            "children helped outside statutory services, and records missing the "
                            "field that is counted all drop out. A low rate may mean little need, "
                            "or a high threshold; a high one may mean deprivation, or careful "
                            "recording. Read every number beside its ",
                            term_link("Coverage", "coverage"),
                            " and its ",
                            term_link("Hidden needs", "hidden-needs"),
                            " notes, and ask who is not in it. A ",
                            html.Strong("coverage warning"),
                            " on a card means that, for England in the latest year, a return is "
                            "missing or at least one record in ten lacks information the "
                            "indicator relies on.",
                        ],
                        className="govuk-body",
                    ),
                ],
                className="govuk-details__text",
            ),
        ],
        className="govuk-details",
        id=ids.OVERVIEW_HOW_TO_READ,
    )


def _search_form(query: str, error: str) -> html.Div:
    input_class = "govuk-input csc-search__input" + (" govuk-input--error" if error else "")
    children: list[Any] = [
        html.Label(
            "Search indicators",
            htmlFor=ids.OVERVIEW_SEARCH,
            className="govuk-label govuk-label--m",
        ),
        html.Div(
            "Words from a title, definition or note, for example \u201cabsence\u201d or "
            "\u201cprotection plan\u201d.",
            className="govuk-hint",
            id=f"{ids.OVERVIEW_SEARCH}-hint",
        ),
    ]
    if error:
        children.append(
            html.P(
                [html.Span("Error: ", className="govuk-visually-hidden"), error],
                className="govuk-error-message",
                id=ids.OVERVIEW_SEARCH_ERROR,
            )
        )
    children.append(
        html.Div(
            [
                dcc.Input(
                    id=ids.OVERVIEW_SEARCH,
                    type="search",
                    value=query,
                    debounce=True,
                    autoComplete="off",
                    maxLength=MAX_QUERY_CHARS * 2,
                    className=input_class,
                ),
                html.Button(
                    "Search",
                    id=ids.OVERVIEW_SEARCH_BUTTON,
                    n_clicks=0,
                    type="button",
                    className="govuk-button csc-search__button",
                ),
            ],
            className="csc-search",
        )
    )
    group_class = "govuk-form-group" + (" govuk-form-group--error" if error else "")
    return html.Div(children, className=group_class, role="search")


def layout(q: object = None, **_other: object) -> html.Div:
    query, error = validate_query(q)
    cards = cards_for(current_data().tidy)
    shown = filter_cards(cards, query)
    count = result_count_text(len(shown), len(cards), query)
    return html.Div(
        [
            dcc.Location(id=ids.OVERVIEW_LOCATION, refresh="callback-nav"),
            html.H1(TITLE, id=ids.OVERVIEW_HEADING, className="govuk-heading-xl"),
            html.P(
                "How children and families fare, and what supports the work, across England's "
                "local authorities. All figures are synthetic.",
                className="govuk-body-l",
            ),
            _how_to_read(),
            _search_form(query, error),
            html.P(
                count,
                id=ids.OVERVIEW_RESULT_COUNT,
                className="govuk-body csc-result-count",
                # Announced through the shell's persistent live region (assets/nav.js): this
                # element is replaced when the search re-renders the page.
                **_ANNOUNCE,
            ),
            html.Div(_sections(shown), id=ids.OVERVIEW_CARDS),
        ]
    )


@callback(
    Output(ids.OVERVIEW_LOCATION, "search"),
    Input(ids.OVERVIEW_SEARCH, "value"),
    Input(ids.OVERVIEW_SEARCH_BUTTON, "n_clicks"),
    State(ids.OVERVIEW_LOCATION, "search"),
    prevent_initial_call=True,
)
def search_to_url(text: object, _clicks: object, current: object) -> str:
    """The search box's text, as the page address's query string."""
    href = search_href(text)
    if href == (current or ""):
        raise PreventUpdate
    return href
