"""Coverage `/coverage`: how complete each return is, where, and which indicators each gap bends.

No comparable tool shows how many children are missing from the records behind a figure (the
design's anchors, section 4), yet an absence rate for children in need is only as good as the
share of them linked to school records. This page puts every measured gap in one place: all LAs
for one gap and year, one LA's profile across gaps beside England, linkage to education records
through the UPN (the nearest thing to a single unique identifier), returns not received, and
for each gap the indicators it affects. The view lives in the URL (`?measure=&area=&year=`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update, register_page
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.components import TableColumn, aria, chart_block, table
from dashboard.context import current_data
from dashboard.coverage_data import (
    LINK_MEASURE,
    CoverageData,
    CoverageMeasure,
    CoverageQueryError,
    CoverageView,
    all_las,
    area_code_from_text,
    area_row,
    coverage_data,
    profile,
    resolve_view,
    series,
    years_of,
)
from dashboard.download_links import coverage_href
from dashboard.figures import coverage as fig
from dashboard.origins import ImportedYear, imported_years
from dashboard.picker import area_picker, option_text
from metrics.api import ENGLAND_CODE, Tidy

PATH = "/coverage"
TITLE = "Data coverage and quality"
EDUCATION_DOMAINS = (
    "Child wellbeing and development",
    "Educational attainment",
    "School readiness",
    "School stability",
)

register_page(
    __name__,
    path=PATH,
    title=f"{TITLE} - Children's social care indicators",
    name="Coverage",
    order=50,
)


# ------------------------------------------------------------------------ URLs


def view_href(measure: str | None, year: int | str | None, area: str | None) -> str:
    """The address of a coverage view; empty values are left out."""
    pairs = [(k, str(v)) for k, v in (("measure", measure), ("area", area), ("year", year)) if v]
    return PATH + (f"?{urlencode(pairs)}" if pairs else "")


def choice_href(measure: object, year: object, area_text: object) -> str:
    """The URL for the controls' values. Values are passed on for the layout to validate, except
    that a year the new measure lacks is dropped (its latest year is shown instead) and a typed
    area is turned into its code when it names exactly one area."""
    if not isinstance(measure, str) or len(measure) > 100:
        raise PreventUpdate
    tidy = current_data().tidy
    data = coverage_data(tidy)
    if measure not in {m.key for m in data.measures}:
        raise PreventUpdate
    chosen_year = str(year) if isinstance(year, int | str) and not isinstance(year, bool) else ""
    if chosen_year and chosen_year not in {str(y) for y in years_of(data, measure)}:
        chosen_year = ""
    area: str | None = None
    if isinstance(area_text, str) and area_text.strip():
        if len(area_text) > 200:
            raise PreventUpdate
        area = area_code_from_text(area_text, tidy.areas) or area_text.strip()
    elif area_text not in (None, ""):
        raise PreventUpdate
    return view_href(measure, chosen_year or None, area)


def area_sync(view: object, stored: object) -> tuple[Any, Any, Any]:
    """(chosen-area store, picker text, remembered-LA note) after a render.

    An LA the page shows is remembered for other pages. A page opened with no area offers the
    LA chosen elsewhere (picker filled in, and a link to its view) rather than redirecting:
    a redirect would add a history entry that the back button returns to, and bounces from."""
    if not isinstance(view, dict):
        raise PreventUpdate
    tidy = current_data().tidy
    las = tidy.areas[tidy.areas["level"] == "local_authority"]
    codes = set(las["code"])
    area = view.get("area")
    if isinstance(area, str) and area in codes:
        if area == stored:
            raise PreventUpdate
        return area, no_update, no_update
    if area is None and isinstance(stored, str) and stored in codes:
        measure, year = view.get("measure"), view.get("year")
        if not isinstance(measure, str) or not isinstance(year, int) or len(measure) > 100:
            raise PreventUpdate
        name = str(las.loc[las["code"] == stored, "name"].iloc[0])
        note = html.P(
            [
                f"You chose {name} on another page. ",
                html.A(
                    f"Show {name}'s coverage",
                    href=view_href(measure, year, stored),
                    className="govuk-link",
                ),
                ".",
            ],
            className="govuk-body",
        )
        return no_update, option_text(name, stored), note
    raise PreventUpdate


# ------------------------------------------------------------------------ layout


def layout(measure: object = None, year: object = None, area: object = None, **_: Any) -> Any:
    tidy = current_data().tidy
    data = coverage_data(tidy)
    try:
        view = resolve_view(data, tidy.areas, measure=measure, year=year, area=area)
    except CoverageQueryError as error:
        return not_found(str(error))
    imported = imported_years(tidy)
    return html.Div(
        [
            dcc.Location(id=ids.COVERAGE_LOCATION, refresh="callback-nav"),
            dcc.Store(
                id=ids.COVERAGE_VIEW,
                data={
                    "measure": view.measure.key,
                    "year": view.year,
                    "area": view.area,
                },
            ),
            html.H1(TITLE, id=ids.COVERAGE_HEADING, className="govuk-heading-xl"),
            _intro(imported),
            _controls(tidy, data, view),
            _all_las_block(tidy, data, view),
            _profile_section(tidy, data, view),
            _link_section(tidy, data, view),
            _returns_section(data),
            _origins_section(imported),
            _gaps_section(data.measures, view),
        ],
        className="csc-coverage",
    )


def not_found(message: str) -> html.Div:
    return html.Div(
        [
            html.H1("Coverage view not found", className="govuk-heading-xl"),
            html.P(f"We could not show this view: {message}.", className="govuk-body"),
            html.P(
                [
                    "Check the address, or ",
                    html.A("start again from the coverage page", href=PATH, className="govuk-link"),
                    ".",
                ],
                className="govuk-body",
            ),
        ],
        id=ids.COVERAGE_NOT_FOUND,
    )


def _intro(imported: list[ImportedYear]) -> html.Div:
    synthetic: list[Any] = [
        html.Strong("The data is synthetic. ", className="govuk-!-font-weight-bold"),
        "The gaps were put into the simulated returns on purpose, at rates modelled "
        "on known recording problems; they describe no real local authority.",
    ]
    if imported:
        synthetic = [
            html.Strong(
                "The data is synthetic, except some local authorities' own returns. ",
                className="govuk-!-font-weight-bold",
            ),
            "The gaps in synthetic returns were put there on purpose and describe no real "
            "local authority; the gaps in the LA-years listed under ",
            html.A(ORIGINS_TITLE, href=f"#{ids.COVERAGE_ORIGINS}", className="govuk-link"),
            " are the LAs' own.",
        ]
    return html.Div(
        [
            html.P(
                "Every figure on this site is computed from child-level returns, and every "
                "return has gaps: fields left blank, children who cannot be matched to school "
                "records, whole returns not received. This page measures those gaps for every "
                "local authority and says which indicators each one affects.",
                className="govuk-body-l",
            ),
            html.Div(synthetic, className="govuk-inset-text"),
        ]
    )


def _fieldset(legend: str, hint: str, control: Any, hint_id: str) -> html.Div:
    return html.Div(
        html.Fieldset(
            [
                html.Legend(legend, className="govuk-fieldset__legend govuk-fieldset__legend--s"),
                html.Div(hint, id=hint_id, className="govuk-hint"),
                control,
            ],
            className="govuk-fieldset",
            **aria(describedby=hint_id),
        ),
        className="govuk-form-group",
    )


def _controls(tidy: Tidy, data: CoverageData, view: CoverageView) -> html.Div:
    areas = tidy.areas[tidy.areas["level"] != "national"]
    years = years_of(data, view.measure.key)
    return html.Div(
        [
            html.H2("Choose what to show", className="govuk-heading-l"),
            _fieldset(
                "Gap in the returns",
                "What is missing, and from which return.",
                dcc.RadioItems(
                    id=ids.COVERAGE_MEASURE,
                    options=[{"label": m.option_label, "value": m.key} for m in data.measures],
                    value=view.measure.key,
                    className="govuk-radios govuk-radios--small csc-coverage-radios",
                    labelClassName="govuk-label govuk-radios__label csc-radio-label",
                    inputClassName="csc-radio-input",
                ),
                f"{ids.COVERAGE_MEASURE}-hint",
            ),
            _fieldset(
                "Collection year",
                "The year to 31 March (30 September for the workforce census). If the gap "
                "you choose has no figure for this year, its latest year is shown.",
                dcc.RadioItems(
                    id=ids.COVERAGE_YEAR,
                    options=[{"label": str(y), "value": str(y)} for y in years],
                    value=str(view.year),
                    inline=True,
                    className="govuk-radios govuk-radios--small govuk-radios--inline "
                    "csc-coverage-radios",
                    labelClassName="govuk-label govuk-radios__label csc-radio-label",
                    inputClassName="csc-radio-input",
                ),
                f"{ids.COVERAGE_YEAR}-hint",
            ),
            area_picker(
                ids.COVERAGE_AREA, areas, label="Local authority or region", value=view.area
            ),
            html.Div(id=ids.COVERAGE_REMEMBERED, **aria(live="polite")),
            html.Button(
                "Show coverage",
                id=ids.COVERAGE_APPLY,
                n_clicks=0,
                className="govuk-button",
                type="button",
            ),
        ],
        className="csc-coverage-controls",
    )


def _block(view: CoverageView) -> str:
    return f"{view.measure.title} ({view.measure.return_name})"


def _all_las_block(tidy: Tidy, data: CoverageData, view: CoverageView) -> html.Div:
    item = view.measure
    rows = all_las(data, item.key, view.year)
    england = area_row(data, item.key, view.year, ENGLAND_CODE)
    eng_value = None if england is None or england["status"] else float(england["value"])
    eng_status = "x" if england is None else str(england["status"])
    chosen = view.area if view.area in set(rows["area_code"]) else None
    summary = fig.all_las_summary(
        rows,
        title=_block(view),
        year=view.year,
        england=eng_value,
        england_status=eng_status,
        chosen=chosen,
    )
    data_table = table(
        fig.all_las_table(rows, chosen),
        fig.ALL_LAS_COLUMNS,
        caption=f"{item.title}, every local authority, {view.year}",
        table_id=f"{ids.COVERAGE_ALL_LAS}-table",
        row_header="area_name",
    )
    return html.Div(
        [
            html.H2("Every local authority", className="govuk-heading-l"),
            chart_block(
                block_id=ids.COVERAGE_ALL_LAS,
                heading=f"{item.title}: England and every local authority, {view.year}",
                figure=fig.all_las_figure(rows, of=item.of, england=eng_value, chosen=chosen),
                summary=summary,
                data_table=data_table,
                download_href=coverage_href(item.source_indicator, years=[view.year]),
            ),
            _affects(tidy, item),
        ]
    )


def _indicator_links(tidy: Tidy, indicators: tuple[str, ...]) -> html.Ul:
    return html.Ul(
        [
            html.Li(
                html.A(
                    tidy.catalogue.indicator(i).title,
                    href=f"/indicator/{i}",
                    className="govuk-link",
                )
            )
            for i in indicators
        ],
        className="govuk-list govuk-list--bullet",
    )


def _affects(tidy: Tidy, item: CoverageMeasure) -> html.Details:
    count = len(item.indicators)
    return html.Details(
        [
            html.Summary(
                html.Span(
                    f"Indicators this gap affects ({count})",
                    className="govuk-details__summary-text",
                ),
                className="govuk-details__summary",
            ),
            html.Div(
                [
                    html.P(_gap_effect(item), className="govuk-body"),
                    _indicator_links(tidy, item.indicators),
                ],
                className="govuk-details__text",
                id=f"{ids.COVERAGE_ALL_LAS}-indicators",
            ),
        ],
        className="govuk-details",
    )


def _profile_section(tidy: Tidy, data: CoverageData, view: CoverageView) -> html.Div:
    heading = html.H2("One local authority against England", className="govuk-heading-l")
    if view.area is None or view.area == ENGLAND_CODE:
        return html.Div(
            [
                heading,
                html.P(
                    "Choose a local authority or region above to see all of its gaps beside "
                    "England's.",
                    className="govuk-inset-text",
                ),
            ],
            id=ids.COVERAGE_PROFILE,
        )
    name = _area_name(data, view.area)
    rows = profile(data, view.area, view.year)
    data_table = table(
        fig.profile_table(rows),
        fig.PROFILE_COLUMNS,
        caption=f"Coverage of {name}'s returns against England, {view.year}",
        table_id=f"{ids.COVERAGE_PROFILE}-table",
        row_header="title",
    )
    return html.Div(
        [
            heading,
            chart_block(
                block_id=ids.COVERAGE_PROFILE,
                heading=f"{name}: every gap against England, {view.year}",
                # Link rates are shares linked (near 100%), not gaps: their own chart below.
                figure=fig.profile_figure(
                    rows[~rows["key"].isin([m.key for m in data.measures if m.higher_is_better])],
                    area_name=name,
                ),
                summary=fig.profile_summary(rows, area_name=name, year=view.year),
                data_table=data_table,
                download_href=coverage_href(
                    view.measure.source_indicator,
                    areas=[view.area, ENGLAND_CODE],
                    years=[view.year],
                ),
            ),
        ]
    )


def _link_section(tidy: Tidy, data: CoverageData, view: CoverageView) -> html.Div:
    item = next((m for m in data.measures if m.key == LINK_MEASURE), None)
    heading = html.H2("Linkage to education records", className="govuk-heading-l")
    intro = html.P(
        [
            "There is no single unique identifier for a child across services. The ",
            html.Abbr("UPN", title="unique pupil number"),
            " is the only key that joins a social care record to the school census, so a child "
            "without one, or with one that does not match, drops out of every absence, "
            "attainment and school readiness figure for children in need and children looked "
            "after.",
        ],
        className="govuk-body",
    )
    if item is None:
        return html.Div(
            [
                heading,
                intro,
                html.P("No linkage figures have been computed.", className="govuk-body"),
            ],
            id=ids.COVERAGE_LINK,
        )
    areas = [ENGLAND_CODE] + ([view.area] if view.area and view.area != ENGLAND_CODE else [])
    names = {code: _area_name(data, code) for code in reversed(areas)}
    rows = series(data, item.key, areas)
    limited = tuple(
        i for i in item.indicators if tidy.catalogue.indicator(i).domain in EDUCATION_DOMAINS
    )
    return html.Div(
        [
            heading,
            intro,
            chart_block(
                block_id=ids.COVERAGE_LINK,
                heading="School-age children linked to school records, by year",
                figure=fig.link_figure(rows, names=names),
                summary=fig.link_summary(rows, names=names, affected=len(limited)),
                data_table=table(
                    fig.link_table(rows),
                    fig.LINK_COLUMNS,
                    caption="School-age children known to social care linked to school records",
                    table_id=f"{ids.COVERAGE_LINK}-table",
                ),
                download_href=coverage_href(item.source_indicator, areas=areas),
            ),
            html.H3(
                "Attainment, absence and school indicators the link rate limits",
                className="govuk-heading-m",
            ),
            html.Div(_indicator_links(tidy, limited), id=ids.COVERAGE_LINK_INDICATORS),
        ]
    )


def _returns_section(data: CoverageData) -> html.Div:
    rows = data.returns
    return html.Div(
        [
            html.H2("Returns not received", className="govuk-heading-l"),
            html.P(
                "When a local authority's whole return is missing for a year, every indicator "
                "from that return has no value for it, and the regional and England figures are "
                "computed without its children. Counts of 1 to 5 are suppressed (c), as for "
                "every other figure.",
                className="govuk-body",
            ),
            html.Div(
                table(
                    fig.returns_table(rows),
                    fig.RETURNS_COLUMNS,
                    caption="Returns not received, by return and year",
                    table_id=ids.COVERAGE_RETURNS,
                    row_header="return_name",
                ),
                className="govuk-table-wrapper",
                tabIndex="0",
                role="region",
                **aria(label="Returns not received"),
            ),
        ]
    )


ORIGINS_TITLE = "Synthetic data and LAs' own returns"
ORIGIN_COLUMNS = (
    TableColumn("area_name", "Local authority"),
    TableColumn("area_code", "ONS code"),
    TableColumn("year", "Year"),
    TableColumn("returns", "Returns loaded from the LA's own files"),
)


def _origins_section(imported: list[ImportedYear]) -> html.Div:
    """Which LA-years are an LA's own returns (``python -m data import`` or the upload page)."""
    heading = html.H2(ORIGINS_TITLE, className="govuk-heading-l")
    if not imported:
        return html.Div(
            [
                heading,
                html.P(
                    "All data on this site are synthetic: no local authority's own returns "
                    "have been loaded.",
                    className="govuk-body",
                ),
            ],
            id=ids.COVERAGE_ORIGINS,
        )
    rows = pd.DataFrame(
        [
            {
                "area_name": i.area_name,
                "area_code": i.area_code,
                "year": str(i.year),
                "returns": i.returns_text,
            }
            for i in imported
        ]
    )
    return html.Div(
        [
            heading,
            html.P(
                "These local authorities loaded their own returns for the years listed. "
                "Every other LA-year and return is synthetic. Regional and England figures for "
                "these years add them up with the synthetic ones.",
                className="govuk-body",
            ),
            html.Div(
                table(
                    rows,
                    ORIGIN_COLUMNS,
                    caption="LA-years loaded from the LA's own returns",
                    table_id=f"{ids.COVERAGE_ORIGINS}-table",
                    row_header="area_name",
                ),
                className="govuk-table-wrapper",
                tabIndex="0",
                role="region",
                **aria(label="LA-years loaded from the LA's own returns"),
            ),
        ],
        id=ids.COVERAGE_ORIGINS,
    )


def _gaps_section(measures: tuple[CoverageMeasure, ...], view: CoverageView) -> html.Div:
    """One row per gap: the return, how many indicators it touches and what it does to them;
    the gap's name links to its view, which lists the indicators."""
    header = html.Thead(
        html.Tr(
            [
                html.Th(text, scope="col", className=f"govuk-table__header{extra}")
                for text, extra in (
                    ("Gap", ""),
                    ("Return", ""),
                    ("Indicators affected", " govuk-table__header--numeric"),
                    ("What it does to them", ""),
                )
            ],
            className="govuk-table__row",
        ),
        className="govuk-table__head",
    )
    rows = [
        html.Tr(
            [
                html.Th(
                    html.A(
                        item.title,
                        href=view_href(item.key, None, view.area),
                        className="govuk-link",
                    ),
                    scope="row",
                    className="govuk-table__header",
                ),
                html.Td(item.return_name, className="govuk-table__cell"),
                html.Td(
                    str(len(item.indicators)),
                    className="govuk-table__cell govuk-table__cell--numeric",
                ),
                html.Td(_gap_effect(item), className="govuk-table__cell"),
            ],
            className="govuk-table__row",
        )
        for item in measures
    ]
    return html.Div(
        [
            html.H2("What each gap does to which indicators", className="govuk-heading-l"),
            html.P(
                "Choose a gap to see every local authority's figure and the list of indicators "
                "it affects.",
                className="govuk-body",
            ),
            html.Div(
                html.Table(
                    [
                        html.Caption(
                            "Gaps in the returns and the indicators they affect",
                            className="govuk-table__caption govuk-table__caption--m",
                        ),
                        header,
                        html.Tbody(rows, className="govuk-table__body"),
                    ],
                    id=ids.COVERAGE_GAPS,
                    className="govuk-table",
                ),
                className="govuk-table-wrapper",
                tabIndex="0",
                role="region",
                **aria(label="Gaps and the indicators they affect"),
            ),
        ]
    )


def _gap_effect(item: CoverageMeasure) -> str:
    if item.measure == "returns_missing":
        return (
            f"Without the {item.return_name} the local authority has no value for these "
            "indicators that year, and its children are missing from the totals."
        )
    if item.higher_is_better:
        return (
            "Children who are not linked are left out of these indicators; if they differ "
            "from linked children, the figures are biased, not just smaller."
        )
    return (
        f"Records with this gap ({item.title.lower()}) are counted in these indicators but "
        "cannot be placed in the breakdown or check the field needs; breakdowns and disparity "
        "signals miss them."
    )


def _area_name(data: CoverageData, code: str) -> str:
    return data.names.get(code, code)


# ------------------------------------------------------------------------ callbacks


@callback(
    Output(ids.COVERAGE_LOCATION, "href"),
    Input(ids.COVERAGE_APPLY, "n_clicks"),
    Input(ids.COVERAGE_AREA, "n_submit"),
    State(ids.COVERAGE_MEASURE, "value"),
    State(ids.COVERAGE_YEAR, "value"),
    State(ids.COVERAGE_AREA, "value"),
    prevent_initial_call=True,
)
def _apply(
    _clicks: object, _submitted: object, measure: object, year: object, area_text: object
) -> str:
    return choice_href(measure, year, area_text)


@callback(
    Output(ids.CHOSEN_AREA, "data", allow_duplicate=True),
    Output(ids.COVERAGE_AREA, "value"),
    Output(ids.COVERAGE_REMEMBERED, "children"),
    Input(ids.COVERAGE_VIEW, "data"),
    State(ids.CHOSEN_AREA, "data"),
    prevent_initial_call="initial_duplicate",
)
def _sync_area(view: object, stored: object) -> tuple[Any, Any, Any]:
    return area_sync(view, stored)
