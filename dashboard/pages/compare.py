"""Compare: LAIT's "create your own" - many areas by many indicators by years, as a table, a
chart and a download.

The selection lives in the URL (``?area=..&area=..&indicator=..&year=..``), so a comparison can be
bookmarked and sent to a colleague. Every button only writes a new address; the page is then
drawn again from it, which keeps back and forward working and the view reproducible.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update, register_page
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.compare_selection import (
    MAX_AREAS,
    MAX_INDICATORS,
    MAX_YEARS,
    Selection,
    add_areas,
    parse_selection,
)
from dashboard.compare_table import compare_frame
from dashboard.components import TableColumn, aria, chart_block, input_label, table
from dashboard.context import current_data
from dashboard.download_links import compare_href
from dashboard.figures.compare import compare_figure, compare_summary
from dashboard.formatting import format_value
from dashboard.headline import headline
from dashboard.picker import area_from_text, area_picker
from dashboard.profile_summary import available_years
from dashboard.shell import SERVICE_NAME
from metrics.api import Tidy
from metrics.catalogue import Indicator

PATH = "/compare"
TITLE = "Compare areas and indicators"
MAX_TEXT = 200  # longest picker or search text a callback reads
SMALL_BUTTON = "govuk-button csc-button csc-button--secondary csc-button--small"

register_page(
    __name__,
    path=PATH,
    name="Compare",
    title=f"{TITLE} - {SERVICE_NAME}",
    description="Many local authorities by many indicators and years, as a table and a chart.",
    order=40,
)


def compare_url(selection: Selection) -> str:
    query = selection.query()
    return PATH + (f"?{query}" if query else "")


# ------------------------------------------------------------------ layout pieces
def _button(text: str, button_id: Any, *, secondary: bool = True) -> html.Button:
    return html.Button(
        text,
        id=button_id,
        n_clicks=0,
        type="button",
        className="govuk-button csc-button" + (" csc-button--secondary" if secondary else ""),
    )


def _area_list(selection: Selection, tidy: Tidy) -> html.Div:
    names = tidy.areas.set_index("code")["name"]
    if not selection.areas:
        listing: Any = html.P("No areas chosen yet.", className="govuk-body")
    else:
        listing = html.Ul(
            [
                html.Li(
                    [
                        html.Span(
                            f"{names.get(code, code)} ({code})", className="csc-compare-name"
                        ),
                        html.Button(
                            [
                                "Remove",
                                html.Span(
                                    f" {names.get(code, code)}", className="govuk-visually-hidden"
                                ),
                            ],
                            id={"type": ids.COMPARE_REMOVE_AREA, "code": code},
                            n_clicks=0,
                            type="button",
                            className=SMALL_BUTTON,
                        ),
                    ],
                    className="csc-compare-item",
                )
                for code in selection.areas
            ],
            className="govuk-list csc-compare-list",
        )
    return html.Div(listing, id=ids.COMPARE_AREA_LIST)


def _area_controls(selection: Selection, tidy: Tidy) -> html.Fieldset:
    return html.Fieldset(
        [
            html.Legend(
                f"1. Areas (up to {MAX_AREAS})",
                className="govuk-fieldset__legend govuk-fieldset__legend--m",
            ),
            _area_list(selection, tidy),
            area_picker(
                ids.COMPARE_AREA_PICKER,
                tidy.areas[tidy.areas["level"] != "national"],
                label="Add a local authority or region",
            ),
            html.Div(
                [
                    _button("Add area", ids.COMPARE_ADD_AREA, secondary=False),
                    _button("Add my statistical neighbours", ids.COMPARE_ADD_NEIGHBOURS),
                    _button("Add my region", ids.COMPARE_ADD_REGION),
                ],
                className="govuk-button-group",
            ),
            html.P(
                '"My" means the local authority you last chose on any page, or else the '
                "first one in the list. England is always shown as the reference.",
                className="govuk-hint",
            ),
        ],
        className="govuk-fieldset csc-compare-step",
    )


def _indicator_controls(selection: Selection, tidy: Tidy) -> html.Fieldset:
    groups = []
    chosen = set(selection.indicators)
    for group in tidy.catalogue.groups:
        options = [{"label": ind.title, "value": ind.id} for ind in group.indicators]
        picked = [ind.id for ind in group.indicators if ind.id in chosen]
        summary = group.title + (f" ({len(picked)} chosen)" if picked else "")
        groups.append(
            html.Details(
                [
                    html.Summary(
                        html.Span(summary, className="govuk-details__summary-text"),
                        className="govuk-details__summary",
                    ),
                    html.Div(
                        dcc.Checklist(
                            id={"type": ids.COMPARE_INDICATORS, "group": group.group},
                            options=options,
                            value=picked,
                            className="govuk-checkboxes govuk-checkboxes--small",
                            inputClassName="govuk-checkboxes__input",
                            labelClassName="govuk-checkboxes__item",
                        ),
                        className="govuk-details__text",
                        role="group",
                        **aria(label=group.title),
                    ),
                ],
                className="govuk-details",
                open=bool(picked),
            )
        )
    search_list = f"{ids.COMPARE_INDICATOR_SEARCH}-options"
    return html.Fieldset(
        [
            html.Legend(
                f"2. Indicators (up to {MAX_INDICATORS})",
                className="govuk-fieldset__legend govuk-fieldset__legend--m",
            ),
            html.Div(
                [
                    input_label(
                        "Find an indicator",
                        "Type part of its title, then choose from the list.",
                        ids.COMPARE_INDICATOR_SEARCH,
                    ),
                    dcc.Input(
                        id=ids.COMPARE_INDICATOR_SEARCH,
                        type="search",
                        list=search_list,
                        value="",
                        debounce=True,
                        autoComplete="off",
                        className="govuk-input govuk-!-width-two-thirds",
                    ),
                    html.Datalist(
                        [html.Option(value=ind.title) for ind in tidy.catalogue.indicators],
                        id=search_list,
                    ),
                    _button("Add indicator", ids.COMPARE_ADD_INDICATOR),
                ],
                className="govuk-form-group",
            ),
            html.P("Or tick indicators in each framework group:", className="govuk-body"),
            *groups,
        ],
        className="govuk-fieldset csc-compare-step",
    )


def _year_controls(selection: Selection, years: list[int]) -> html.Fieldset:
    return html.Fieldset(
        [
            html.Legend(
                f"3. Years (up to {MAX_YEARS}; none ticked shows each indicator's latest)",
                className="govuk-fieldset__legend govuk-fieldset__legend--m",
            ),
            dcc.Checklist(
                id=ids.COMPARE_YEARS,
                options=[{"label": str(y), "value": str(y)} for y in years],
                value=[str(y) for y in selection.years],
                inline=True,
                className="govuk-checkboxes govuk-checkboxes--small govuk-checkboxes--inline",
                inputClassName="govuk-checkboxes__input",
                labelClassName="govuk-checkboxes__item",
            ),
        ],
        className="govuk-fieldset csc-compare-step",
    )


def _message(lines: Sequence[str], heading: str) -> html.Div:
    return html.Div(
        [
            html.H2(heading, className="govuk-error-summary__title"),
            html.Ul(
                [html.Li(line) for line in lines], className="govuk-list govuk-error-summary__list"
            ),
        ],
        className="govuk-error-summary",
        role="alert",
    )


def _title_of(ind: Indicator) -> str:
    """The title with its unit, unless the title already says it."""
    unit = "%" if ind.measure == "proportion" else ind.unit
    return ind.title if unit.lower() in ind.title.lower() else f"{ind.title} ({unit})"


def results_tables(frame: pd.DataFrame, tidy: Tidy) -> list[html.Div]:
    """One table per indicator: areas as rows, years as columns, symbols where suppressed."""
    out = []
    for ind_id, part in frame.groupby("indicator_id", sort=False):
        ind = tidy.indicator(str(ind_id))
        years = sorted({int(y) for y in part["time_period"]})
        cells = {
            (str(r["area_code"]), int(r["time_period"])): format_value(
                ind, r["value"], str(r["status"])
            )
            for r in part.to_dict("records")
        }
        areas = list(
            dict.fromkeys(zip(part["area_code"].astype(str), part["area_name"], strict=True))
        )
        head = html.Thead(
            html.Tr(
                [html.Th("Area", scope="col", className="govuk-table__header")]
                + [
                    html.Th(
                        str(y) if y > 0 else "Year",
                        scope="col",
                        className="govuk-table__header govuk-table__header--numeric",
                    )
                    for y in years
                ],
                className="govuk-table__row",
            ),
            className="govuk-table__head",
        )
        body = [
            html.Tr(
                [html.Th(name, scope="row", className="govuk-table__header")]
                + [
                    html.Td(
                        cells.get((code, y), "x"),
                        className="govuk-table__cell govuk-table__cell--numeric",
                    )
                    for y in years
                ],
                className="govuk-table__row",
            )
            for code, name in areas
        ]
        table = html.Table(
            [
                html.Caption(
                    _title_of(ind), className="govuk-table__caption govuk-table__caption--m"
                ),
                head,
                html.Tbody(body, className="govuk-table__body"),
            ],
            className="govuk-table",
            id=f"{ids.COMPARE_TABLES}-{ind.id}",
        )
        out.append(
            html.Div(
                table,
                className="govuk-table-wrapper",
                tabIndex="0",
                role="region",
                **aria(label=f"{ind.title}: comparison table"),
            )
        )
    return out


CHART_YEARS = 3  # a chart with more bars per area stops being readable; the tables show all


def chart_table(frame: pd.DataFrame) -> html.Table:
    """The chart's data: indicator, area, year and value, as drawn."""
    return table(
        frame,
        (
            TableColumn("title", "Indicator"),
            TableColumn("area_name", "Area"),
            TableColumn("time_period", "Year", numeric=True),
            TableColumn("value_text", "Value", numeric=True),
        ),
        caption="The values in the comparison chart",
        table_id=f"{ids.COMPARE_CHART}-table",
    )


def _results(selection: Selection, tidy: Tidy) -> list[Any]:
    index = headline(tidy)
    frame = compare_frame(tidy, index, selection.areas, selection.indicators, selection.years)
    inds = {i: tidy.indicator(i) for i in selection.indicators}
    titles = {i: _title_of(ind) for i, ind in inds.items()}
    frame = frame.assign(
        value_text=[
            format_value(inds[str(i)], v, str(s))
            for i, v, s in zip(frame["indicator_id"], frame["value"], frame["status"], strict=True)
        ],
        title=[inds[str(i)].short_title for i in frame["indicator_id"]],
    )
    shown_years = sorted({int(y) for y in frame["time_period"]})[-CHART_YEARS:]
    drawn = frame[frame["time_period"].isin(shown_years)]
    summary = compare_summary(drawn)
    if len(selection.years) > CHART_YEARS:
        summary += f" The chart shows the latest {CHART_YEARS} years chosen; the tables show all."
    return [
        chart_block(
            block_id=ids.COMPARE_CHART,
            heading="Comparison chart",
            figure=compare_figure(drawn, titles),
            summary=summary,
            data_table=chart_table(drawn),
            download_href=compare_href(selection.indicators, selection.areas, selection.years),
        ),
        html.H2("Comparison tables", className="govuk-heading-l"),
        html.Div(results_tables(frame, tidy), id=ids.COMPARE_TABLES),
    ]


def layout(**query: object) -> html.Div:
    tidy = current_data().tidy
    selection = parse_selection(query, tidy)
    state = {
        "areas": list(selection.areas),
        "indicators": list(selection.indicators),
        "years": list(selection.years),
        "valid": selection.valid,
    }
    parts: list[Any] = [
        dcc.Location(id=ids.COMPARE_LOCATION, refresh="callback-nav"),
        dcc.Store(id=ids.COMPARE_STATE, data=state),
        html.H1(TITLE, id=ids.COMPARE_HEADING, className="govuk-heading-xl"),
        html.P(
            "Choose local authorities or regions, indicators and years to see them side by side "
            "with England. The address of this page keeps your choices, so you can bookmark or "
            "share it.",
            className="govuk-body-l",
        ),
    ]
    message: list[Any] = []
    if not selection.valid:
        message = [_message(list(selection.unknown), "Some of this comparison was not found")]
        selection = Selection()
    elif not selection.within_limits:
        message = [_message(list(selection.too_many), "This comparison is too large")]
    parts.append(html.Div(message, id=ids.COMPARE_MESSAGE, role="status"))
    parts.append(
        html.Div(
            [
                _area_controls(selection, tidy),
                _indicator_controls(selection, tidy),
                _year_controls(selection, available_years(headline(tidy))),
                _button("Show comparison", ids.COMPARE_APPLY, secondary=False),
            ],
            className="csc-no-print csc-compare-controls",
        )
    )
    if selection.areas and selection.indicators and selection.within_limits:
        parts += _results(selection, tidy)
    elif selection.valid and selection.within_limits:
        parts.append(
            html.P(
                "Choose at least one area and one indicator, then select Show comparison.",
                className="govuk-inset-text",
            )
        )
    return html.Div(parts, className="csc-compare")


# ------------------------------------------------------------------ callbacks (thin)
def _text(value: object) -> str | None:
    return value if isinstance(value, str) and len(value) <= MAX_TEXT else None


def _codes(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)][: MAX_AREAS * 10]


def my_la(chosen: object, areas: Sequence[str], tidy: Tidy) -> str | None:
    """The LA "my" refers to: the remembered one, else the first LA in the list."""
    las = tidy.areas.loc[tidy.areas["level"] == "local_authority", "code"]
    known = set(las)
    if isinstance(chosen, str) and chosen in known:
        return chosen
    return next((a for a in areas if a in known), None)


def next_query(
    trigger: object,
    *,
    picker: object,
    search: object,
    checked: object,
    years: object,
    state: object,
    chosen: object,
    tidy: Tidy,
    neighbours: pd.DataFrame,
) -> tuple[str | None, str]:
    """The address after a button press (or None and a message saying why nothing changed)."""
    current = state if isinstance(state, dict) else {}
    areas = _codes(current.get("areas"))
    indicators: list[str] = []
    if isinstance(checked, list):
        for group in checked:
            indicators += _codes(group)
    year_values = _codes(years)
    message = ""
    if trigger in (ids.COMPARE_ADD_AREA, ids.COMPARE_AREA_PICKER):
        text = _text(picker)
        code = area_from_text(text, tidy.areas[tidy.areas["level"] != "national"]) if text else None
        if code is None:
            return None, "No single local authority or region matches; choose one from the list."
        areas = add_areas(areas, [code])
    elif trigger in (ids.COMPARE_ADD_NEIGHBOURS, ids.COMPARE_ADD_REGION):
        base = my_la(chosen, areas, tidy)
        if base is None:
            return None, "Choose a local authority first: add one to the list."
        if trigger == ids.COMPARE_ADD_REGION:
            region = tidy.areas.loc[tidy.areas["code"] == base, "region_code"]
            areas = add_areas(areas, [base, str(region.iloc[0])])
        else:
            mine = neighbours.loc[neighbours["ons_code"] == base].sort_values("rank")
            areas = add_areas(areas, [base, *mine["neighbour_ons_code"].astype(str)])
    elif isinstance(trigger, dict) and trigger.get("type") == ids.COMPARE_REMOVE_AREA:
        areas = [a for a in areas if a != trigger.get("code")]
    elif trigger in (ids.COMPARE_ADD_INDICATOR, ids.COMPARE_INDICATOR_SEARCH):
        text = _text(search)
        wanted = (text or "").strip().lower()
        found = [i.id for i in tidy.catalogue.indicators if wanted and i.title.lower() == wanted]
        if not found and wanted:
            found = [i.id for i in tidy.catalogue.indicators if i.id == wanted]
        if not found:
            return None, "No indicator has that title; choose one from the list."
        indicators = list(dict.fromkeys([*indicators, *found]))
    elif trigger != ids.COMPARE_APPLY:
        return None, message
    selection = parse_selection({"area": areas, "indicator": indicators, "year": year_values}, tidy)
    return compare_url(selection), message


@callback(
    Output(ids.COMPARE_LOCATION, "href"),
    Output(ids.COMPARE_MESSAGE, "children"),
    Input(ids.COMPARE_ADD_AREA, "n_clicks"),
    Input(ids.COMPARE_AREA_PICKER, "n_submit"),
    Input(ids.COMPARE_ADD_NEIGHBOURS, "n_clicks"),
    Input(ids.COMPARE_ADD_REGION, "n_clicks"),
    Input({"type": ids.COMPARE_REMOVE_AREA, "code": ALL}, "n_clicks"),
    Input(ids.COMPARE_ADD_INDICATOR, "n_clicks"),
    Input(ids.COMPARE_INDICATOR_SEARCH, "n_submit"),
    Input(ids.COMPARE_APPLY, "n_clicks"),
    State(ids.COMPARE_AREA_PICKER, "value"),
    State(ids.COMPARE_INDICATOR_SEARCH, "value"),
    State({"type": ids.COMPARE_INDICATORS, "group": ALL}, "value"),
    State(ids.COMPARE_YEARS, "value"),
    State(ids.COMPARE_STATE, "data"),
    State(ids.CHOSEN_AREA, "data"),
    prevent_initial_call=True,
)
def _navigate(*args: object) -> tuple[Any, Any]:
    picker, search, checked, years, state, chosen = args[-6:]
    if not ctx.triggered or not any(t.get("value") for t in ctx.triggered):
        raise PreventUpdate  # a remove button appearing, not a press
    data = current_data()
    href, message = next_query(
        ctx.triggered_id,
        picker=picker,
        search=search,
        checked=checked,
        years=years,
        state=state,
        chosen=chosen,
        tidy=data.tidy,
        neighbours=data.statistical_neighbours,
    )
    if href is None:
        if not message:
            raise PreventUpdate
        return no_update, _message([message], "Nothing was added")
    return href, no_update


@callback(
    Output(ids.COMPARE_LOCATION, "href", allow_duplicate=True),
    Input(ids.CHOSEN_AREA, "data"),
    State(ids.COMPARE_STATE, "data"),
    prevent_initial_call="initial_duplicate",
)
def _start_with_my_la(chosen: object, state: object) -> str:
    """A comparison opened with no areas starts with the LA chosen on other pages."""
    if not isinstance(state, dict) or state.get("areas") or not state.get("valid"):
        raise PreventUpdate
    tidy = current_data().tidy
    base = my_la(chosen, [], tidy)
    if base is None:
        raise PreventUpdate
    selection = parse_selection(
        {
            "area": [base],
            "indicator": _codes(state.get("indicators")),
            "year": [str(y) for y in state.get("years", []) if isinstance(y, int)],
        },
        tidy,
    )
    return compare_url(selection)
