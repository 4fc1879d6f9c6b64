"""One indicator in depth: what it counts, what it hides, and how an area compares.

The page is a pure function of its address (``/indicator/<id>?area=&year=&breakdown=&compare=``):
the controls only write a new address, and Dash pages renders the view from it, so a copied
link, a bookmark and the browser's back button all reproduce what was on screen. Every chart has
a sentence stating its finding, its data as a table and a CSV download, and the framework's
annotations sit beside the first chart with the coverage figures for the area and year shown.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import pandas as pd
from dash import (
    Input,
    Output,
    State,
    callback,
    dcc,
    get_asset_url,
    get_relative_path,
    html,
    no_update,
    register_page,
)
from dash.exceptions import PreventUpdate

from dashboard import glossary, ids, routing
from dashboard.annotations import annotation_panel
from dashboard.components import aria, chart_block, input_label
from dashboard.context import current_data
from dashboard.download_links import values_href
from dashboard.figures.bars import bars_figure
from dashboard.figures.breakdown import BREAKDOWN_LABELS, breakdown_figure
from dashboard.figures.choropleth import ASSET_NAME, choropleth_figure, outline_traces
from dashboard.figures.funnel import FunnelView, funnel_figure, funnel_kind, funnel_view
from dashboard.figures.timeseries import AREA_LEVELS, series_role, timeseries_figure
from dashboard.indicator_summaries import (
    bars_summary,
    breakdown_summary,
    funnel_summary,
    headline,
    map_summary,
    rank_of,
    trend_sentence,
)
from dashboard.indicator_tables import breakdown_table, funnel_table, la_table, timeseries_table
from dashboard.indicator_view import (
    MAX_COMPARE,
    IndicatorView,
    known_indicator,
    parse_view,
    view_path,
    year_number,
)
from dashboard.origins import origin_notice, source_returns
from dashboard.picker import area_from_text, area_picker
from metrics.api import ENGLAND_CODE, Tidy
from metrics.catalogue import Indicator, load_catalogue

PATH_TEMPLATE = "/indicator/<indicator_id>"
SERVICE = "Children's social care indicators"
MAX_INPUT = 200  # characters accepted from a text control
YEAR_LEVELS = ["local_authority", "national"]

MEASURE_TEXT = {
    "rate_per_10000": "A rate per 10,000",
    "proportion": "A percentage",
    "mean": "An average (mean)",
    "median": "A median",
    "ratio": "A ratio",
    "count": "A count",
}
INTERVAL_TEXT = {
    "wilson": "95% and 99.8% Wilson score intervals for a proportion",
    "poisson_exact": "95% and 99.8% exact Poisson intervals for a count",
    "t_mean": "95% and 99.8% t intervals for a mean",
    "none": "no interval: the value is not an estimate from a sample or a count of events",
}
POLARITY_TEXT = {
    "higher_better": "A higher value is better. Areas are compared with England as better, "
    "similar or worse, and ranked.",
    "lower_better": "A lower value is better. Areas are compared with England as better, "
    "similar or worse, and ranked.",
    "no_judgement": "Neither a higher nor a lower value is better in itself, so areas are "
    "compared with England as higher, similar or lower, and not ranked.",
}


def _title(indicator_id: str | None = None, **_: Any) -> str:
    cat = load_catalogue()
    if isinstance(indicator_id, str) and indicator_id in cat:
        return f"{cat.indicator(indicator_id).short_title} - {SERVICE}"
    return f"Indicator not found - {SERVICE}"


register_page(__name__, path_template=PATH_TEMPLATE, title=_title, order=3)


def _indicator_exists(variables: Mapping[str, str]) -> bool:
    return known_indicator(current_data().tidy, variables.get("indicator_id"))


routing.VALIDATORS[PATH_TEMPLATE] = _indicator_exists


# ---------------------------------------------------------------------------- small builders


_ABBREVIATIONS = {t.name: t for t in glossary.TERMS if t.expansion and t.name.isupper()}
_WORD = re.compile(r"\b([A-Z][A-Z0-9]{1,5})\b")


def with_abbreviations(text: str, seen: set[str]) -> list[Any]:
    """``text`` with the first use (across ``seen``) of each glossary abbreviation wrapped in
    an ``<abbr>`` giving its expansion."""
    parts: list[Any] = []
    last = 0
    for match in _WORD.finditer(text):
        word = match.group(1)
        if word in _ABBREVIATIONS and word not in seen:
            seen.add(word)
            parts += [text[last : match.start()], glossary.term(word)]
            last = match.end()
    parts.append(text[last:])
    return [p for p in parts if p != ""]


def not_found_content(indicator_id: object) -> html.Div:
    shown = str(indicator_id)[:40]
    return html.Div(
        [
            html.H1("Page not found", id=ids.NOT_FOUND_HEADING, className="govuk-heading-xl"),
            html.P(
                f"There is no indicator called '{shown}'. If you typed the web address, check it "
                "is correct.",
                className="govuk-body",
            ),
            html.P(
                [
                    "Find an indicator on the ",
                    dcc.Link("overview page", href=get_relative_path("/"), className="govuk-link"),
                    ".",
                ],
                className="govuk-body",
            ),
        ]
    )


def _messages(messages: Sequence[str]) -> html.Div:
    if not messages:
        return html.Div(id=ids.INDICATOR_MESSAGE)
    return html.Div(
        [
            html.H2("Part of this address could not be used", className="govuk-heading-s"),
            html.Ul([html.Li(m) for m in messages], className="govuk-list"),
        ],
        id=ids.INDICATOR_MESSAGE,
        className="govuk-inset-text csc-indicator-message",
        role="status",
    )


def _definition(ind: Indicator, seen: set[str]) -> html.Section:
    entries = [
        ("Definition", with_abbreviations(ind.definition, seen)),
        ("Measure", f"{MEASURE_TEXT[ind.measure]} ({ind.unit})"),
        ("Source", f"{ind.source.return_} (synthetic returns), from {ind.first_year}"),
        ("Intervals", INTERVAL_TEXT[ind.interval]),
        ("Comparison", POLARITY_TEXT[ind.polarity]),
    ]
    if not ind.computable and ind.not_computable_reason:
        entries.append(("Not computed", ind.not_computable_reason))
    return html.Section(
        [
            html.H2("Definition and method", className="govuk-heading-m"),
            html.Dl(
                [
                    html.Div(
                        [
                            html.Dt(key, className="govuk-summary-list__key"),
                            html.Dd(value, className="govuk-summary-list__value"),
                        ],
                        className="govuk-summary-list__row",
                    )
                    for key, value in entries
                ],
                className="govuk-summary-list",
            ),
        ],
        id=ids.INDICATOR_DEFINITION,
    )


def _radios(
    control_id: str, legend: str, options: Sequence[tuple[str, str]], value: str | None
) -> html.Fieldset:
    return html.Fieldset(
        [
            html.Legend(legend, className="govuk-fieldset__legend govuk-fieldset__legend--s"),
            dcc.RadioItems(
                id=control_id,
                options=[{"label": label, "value": v} for v, label in options],
                value=value,
                inline=True,
                className="govuk-radios govuk-radios--inline govuk-radios--small",
                labelClassName="govuk-radios__item",
                inputClassName="govuk-radios__input",
            ),
        ],
        className="govuk-fieldset govuk-form-group",
    )


def _controls(tidy: Tidy, view: IndicatorView | None) -> html.Div:
    years = tidy.years(view.indicator_id) if view else []
    breakdowns = [b for b in _breakdowns(view.indicator_id) if b != "total"] if view else []
    compare_text = ""
    if view and view.compare:
        compare_text = ", ".join(view.compare)
    parts: list[Any] = [
        area_picker(
            ids.INDICATOR_AREA,
            tidy.areas,
            label="Area",
            value=view.area if view else None,
        ),
        _radios(
            ids.INDICATOR_YEAR,
            "Year",
            [(str(y), str(y)) for y in years],
            str(view.year) if view and view.year is not None else None,
        ),
        _radios(
            ids.INDICATOR_BREAKDOWN,
            "Breakdown",
            [(b, BREAKDOWN_LABELS.get(b, b)) for b in breakdowns],
            view.breakdown if view else None,
        ),
        html.Div(
            [
                input_label(
                    "Compare with (optional)",
                    f"Up to {MAX_COMPARE} local authorities: names or codes, separated by commas.",
                    ids.INDICATOR_COMPARE,
                ),
                dcc.Input(
                    id=ids.INDICATOR_COMPARE,
                    type="text",
                    value=compare_text,
                    debounce=True,
                    maxLength=MAX_INPUT,
                    autoComplete="off",
                    className="govuk-input govuk-!-width-two-thirds",
                ),
            ],
            className="govuk-form-group",
        ),
    ]
    parts.append(
        html.Button(
            "Show",
            id=ids.INDICATOR_APPLY,
            n_clicks=0,
            type="button",
            className="govuk-button govuk-!-margin-bottom-0",
        )
    )
    return html.Div(
        [html.H2("Choose what to show", className="govuk-heading-m"), *parts],
        className="csc-indicator-controls",
        role="group",
        **aria(label="Choose the area, year, breakdown and comparison"),
    )


def _stores(view: IndicatorView | None) -> list[Any]:
    data = None
    if view is not None:
        data = {
            "indicator": view.indicator_id,
            "area": view.area,
            "area_given": view.area_given,
            "year": view.year,
            "breakdown": view.breakdown,
            "compare": list(view.compare),
        }
    return [
        dcc.Location(id=ids.INDICATOR_LOCATION, refresh="callback-nav"),
        dcc.Store(id=ids.INDICATOR_VIEW, data=data),
        dcc.Store(id=ids.INDICATOR_REDIRECTED, storage_type="session"),
    ]


def _neighbours(la_code: str) -> list[str]:
    frame = current_data().statistical_neighbours
    if frame is None or frame.empty:
        return []
    mine = frame[frame["ons_code"].astype(str) == la_code].sort_values("rank")
    return [str(c) for c in mine["neighbour_ons_code"]]


def _area_name(tidy: Tidy, code: str) -> str:
    match = tidy.areas.loc[tidy.areas["code"] == code, "name"]
    return str(match.iloc[0]) if len(match) else code


def _area_level(tidy: Tidy, code: str) -> str:
    match = tidy.areas.loc[tidy.areas["code"] == code, "level"]
    return str(match.iloc[0]) if len(match) else ""


def _first_row(frame: pd.DataFrame) -> dict[str, Any] | None:
    if frame.empty:
        return None
    return {str(k): v for k, v in frame.iloc[0].to_dict().items()}


# ---------------------------------------------------------------------------- per-app caches

_CACHE_KEY = "csc_indicator_page_cache"
CACHE_SIZE = 256  # indicator-years kept per worker; each holds a few hundred KB at most
T = TypeVar("T")


def _per_app(build: Callable[[str, int], T]) -> Callable[[str, int], T]:
    """``build`` memoised per app on (indicator id, year). The parts of a view that do not
    depend on the chosen area (the year's rows, the LA tables, the funnel, the map's shapes)
    are built once per indicator-year and reused for every area; the cache lives with the app's
    data because each app may serve a different database, and an upload may replace the data."""
    caches = current_data().caches.setdefault(_CACHE_KEY, {})
    cached = caches.get(build.__name__)
    if cached is None:
        cached = caches[build.__name__] = functools.lru_cache(maxsize=CACHE_SIZE)(build)
    return cast(Callable[[str, int], T], cached)


def _breakdowns(indicator_id: str) -> list[str]:
    """``Tidy.breakdowns``, memoised per app (it scans the indicator's rows)."""
    return list(_per_app(_breakdowns_of)(indicator_id, 0))


def _breakdowns_of(indicator_id: str, _unused: int) -> tuple[str, ...]:
    return tuple(current_data().tidy.breakdowns(indicator_id))


def _year_rows(indicator_id: str, year: int) -> pd.DataFrame:
    """Every LA and England, headline breakdown, one year (read-only: shared between views)."""
    return current_data().tidy.values(indicator_id, year=year, breakdown="total", level=YEAR_LEVELS)


def _la_tables(indicator_id: str, year: int) -> tuple[html.Table, html.Table]:
    ind = current_data().tidy.indicator(indicator_id)
    rows = _per_app(_year_rows)(indicator_id, year)
    return (
        la_table(
            ind,
            rows,
            caption=f"{ind.short_title} by local authority, {year}",
            table_id=f"{ids.INDICATOR_BARS}-table",
        ),
        la_table(
            ind,
            rows,
            caption=f"{ind.short_title} by local authority (map data), {year}",
            table_id=f"{ids.INDICATOR_MAP}-table",
            brief=True,
        ),
    )


def _funnel(indicator_id: str, year: int) -> tuple[FunnelView, html.Table] | None:
    ind = current_data().tidy.indicator(indicator_id)
    view = funnel_view(ind, _per_app(_year_rows)(indicator_id, year))
    if view is None:
        return None
    caption = f"{ind.short_title}: each local authority against the funnel limits, {year}"
    return view, funnel_table(ind, view, caption=caption, table_id=f"{ids.INDICATOR_FUNNEL}-table")


def _map(indicator_id: str, year: int) -> dict[str, Any]:
    ind = current_data().tidy.indicator(indicator_id)
    rows = _per_app(_year_rows)(indicator_id, year)
    return choropleth_figure(ind, rows, geojson_url=get_asset_url(ASSET_NAME))


# ---------------------------------------------------------------------------- the charts


def _timeseries_block(
    ind: Indicator,
    tidy: Tidy,
    view: IndicatorView,
    region: str | None,
    year: int,
    year_rows: pd.DataFrame,
) -> html.Section:
    areas = [view.area, ENGLAND_CODE, *([region] if region else []), *view.compare]
    rows = tidy.values(ind.id, area=list(dict.fromkeys(areas)))
    rows = rows[rows["breakdown"] == "total"]
    name = _area_name(tidy, view.area)
    roles = series_role(rows, chosen=view.area, compare=view.compare)
    chosen_rows = rows[(roles == "la").to_numpy()]
    current = _first_row(chosen_rows[chosen_rows["time_period"] == year])
    england = rows[(roles == "england").to_numpy() & (rows["time_period"] == year).to_numpy()]
    rank = rank_of(year_rows, view.area) if ind.polarity != "no_judgement" else None
    summary = headline(ind, current, _first_row(england), area_name=name, year=year, rank=rank)
    years = [int(y) for y in chosen_rows["time_period"]]
    if years:
        summary += trend_sentence(current, min(years), max(years))
    return chart_block(
        block_id=ids.INDICATOR_TIMESERIES,
        heading=f"{name} over time",
        figure=timeseries_figure(ind, rows, chosen=view.area, compare=view.compare),
        summary=summary,
        data_table=timeseries_table(
            ind,
            rows,
            chosen=view.area,
            compare=view.compare,
            caption=f"{ind.short_title}: {name} and its comparators by year",
            table_id=f"{ids.INDICATOR_TIMESERIES}-table",
        ),
        download_href=values_href(ind.id, areas=areas, breakdown="total"),
    )


def _year_blocks(
    ind: Indicator,
    tidy: Tidy,
    view: IndicatorView,
    year: int,
    neighbours: list[str],
    rows: pd.DataFrame,
) -> list[html.Section]:
    is_la = _area_level(tidy, view.area) == "local_authority"
    chosen = view.area if is_la else None
    name = _area_name(tidy, view.area)
    national = rows[rows["geographic_level"] == "national"]
    england = _first_row(national)
    england_value = None
    if england is not None and not str(england.get("status") or ""):
        england_value = england.get("value")
    download = values_href(ind.id, years=[year], breakdown="total", levels=YEAR_LEVELS)
    bars_table, map_table = _per_app(_la_tables)(ind.id, year)
    base_map = _per_app(_map)(ind.id, year)
    blocks = [
        chart_block(
            block_id=ids.INDICATOR_BARS,
            heading=f"All local authorities in {year}",
            figure=bars_figure(
                ind,
                rows,
                chosen=chosen,
                neighbours=neighbours,
                compare=view.compare,
                england=england_value,
            ),
            summary=bars_summary(
                ind, rows, chosen=chosen, chosen_name=name, neighbours=neighbours, year=year
            ),
            data_table=bars_table,
            download_href=download,
        )
    ]
    cached_funnel = _per_app(_funnel)(ind.id, year)
    if cached_funnel is not None:
        funnel, funnel_data = cached_funnel
        blocks.append(
            chart_block(
                block_id=ids.INDICATOR_FUNNEL,
                heading=f"Funnel plot, {year}",
                figure=funnel_figure(
                    ind, funnel, chosen=chosen, neighbours=neighbours, compare=view.compare
                ),
                summary=funnel_summary(funnel, chosen=chosen, chosen_name=name),
                data_table=funnel_data,
                download_href=download,
            )
        )
    else:
        reason = (
            "A funnel plot does not apply to this indicator: it needs a value with a "
            "confidence interval, such as a rate, a percentage or an average."
            if funnel_kind(ind) is None
            else "Too few local authorities have a value this year to draw a funnel plot."
        )
        blocks.append(
            html.Section(
                [
                    html.H3(f"Funnel plot, {year}", className="govuk-heading-m"),
                    html.P(reason, className="govuk-body"),
                ],
                id=ids.INDICATOR_FUNNEL,
                className="csc-chart-block",
            )
        )
    blocks.append(
        chart_block(
            block_id=ids.INDICATOR_MAP,
            heading=f"Map of local authorities, {year}",
            figure={
                "data": [
                    *base_map["data"],
                    *outline_traces(chosen, geojson_url=get_asset_url(ASSET_NAME)),
                ],
                "layout": base_map["layout"],
            },
            summary=map_summary(ind, rows, chosen=chosen, chosen_name=name, year=year),
            data_table=map_table,
            download_href=download,
        )
    )
    return blocks


def _breakdown_block(ind: Indicator, tidy: Tidy, view: IndicatorView, year: int) -> html.Section:
    name = _area_name(tidy, view.area)
    if view.breakdown is None:
        return html.Section(
            [
                html.H3("Breakdowns", className="govuk-heading-m"),
                html.P(
                    "This indicator is not broken down by age, sex, ethnicity or disability.",
                    className="govuk-body",
                ),
            ],
            id=ids.INDICATOR_BREAKDOWN_CHART,
            className="csc-chart-block",
        )
    breakdown = view.breakdown
    # One lookup for the area and England; the breakdown (already validated) is filtered here.
    both = tidy.values(ind.id, area=list(dict.fromkeys([view.area, ENGLAND_CODE])), year=year)
    both = both[((both["breakdown"] == breakdown) & both["geographic_level"].isin(AREA_LEVELS))]
    rows = both[both["area_code"] == view.area]
    england = both[both["area_code"] == ENGLAND_CODE] if view.area != ENGLAND_CODE else None
    label = BREAKDOWN_LABELS.get(breakdown, breakdown).lower()
    return chart_block(
        block_id=ids.INDICATOR_BREAKDOWN_CHART,
        heading=f"{name} by {label}, {year}",
        figure=breakdown_figure(ind, rows, breakdown=breakdown, area_name=name, england=england),
        summary=breakdown_summary(ind, rows, breakdown=breakdown, area_name=name, year=year),
        data_table=breakdown_table(
            ind,
            rows,
            breakdown=breakdown,
            england=england,
            area_name=name,
            caption=f"{ind.short_title} for {name} by {label}, {year}",
            table_id=f"{ids.INDICATOR_BREAKDOWN_CHART}-table",
        ),
        download_href=values_href(
            ind.id,
            areas=list(dict.fromkeys([view.area, ENGLAND_CODE])),
            years=[year],
            breakdown=breakdown,
            levels=["local_authority", "regional", "national"],
        ),
    )


def _related(tidy: Tidy, ind: Indicator, view: IndicatorView) -> list[tuple[str, str]]:
    area = view.area if view.area_given else None
    return [
        (
            tidy.indicator(other).title,
            get_relative_path(view_path(other, area=area)),
        )
        for other in ind.related
        if other in tidy.catalogue
    ]


# ---------------------------------------------------------------------------- layout


def layout(indicator_id: str | None = None, **query: Any) -> html.Div:
    tidy = current_data().tidy
    if indicator_id is None:
        # Dash asks for the layout without a path once, to learn the page's component ids.
        return html.Div([*_stores(None), _controls(tidy, None)])
    if not known_indicator(tidy, indicator_id):
        return not_found_content(indicator_id)
    ind = tidy.indicator(indicator_id)
    view = parse_view(tidy, ind.id, query, breakdowns=_breakdowns(ind.id))
    group = tidy.catalogue.group(ind.group)
    seen: set[str] = set()
    year = view.year
    name = _area_name(tidy, view.area)
    region = None
    neighbours: list[str] = []
    if _area_level(tidy, view.area) == "local_authority":
        match = tidy.areas.loc[tidy.areas["code"] == view.area, "region_code"]
        region = str(match.iloc[0]) if len(match) and pd.notna(match.iloc[0]) else None
        neighbours = _neighbours(view.area)
    coverage = (
        tidy.coverage(ind.id, area=view.area, year=year)
        if year is not None
        else pd.DataFrame(columns=["measure", "label"])
    )
    panel = annotation_panel(
        ind.annotations,
        coverage,
        area_name=name,
        year=year,
        related=_related(tidy, ind, view),
        panel_id=ids.INDICATOR_ANNOTATIONS,
    )
    notice = origin_notice(
        tidy, view.area, ids.INDICATOR_ORIGIN, returns=source_returns(ind.source.return_)
    )
    header = [
        html.Span(group.title, className="govuk-caption-l"),
        html.H1(
            with_abbreviations(ind.title, seen),
            id=ids.INDICATOR_HEADING,
            className="govuk-heading-xl",
        ),
        _messages(view.messages),
        html.P(
            f"Showing {name}"
            + (f", {year}" if year is not None else "")
            + ". "
            + (
                "All figures are synthetic."
                if notice is None
                else "Figures are synthetic except where an LA's own returns are named below."
            ),
            className="govuk-body-l",
        ),
        notice,
    ]
    if year is None:
        body: list[Any] = [
            html.Div(
                [
                    html.Div(
                        [
                            _definition(ind, seen),
                            html.P(
                                "No values are available for this indicator.",
                                className="govuk-body",
                            ),
                        ],
                        className="govuk-grid-column-two-thirds",
                    ),
                    html.Div(panel, className="govuk-grid-column-one-third"),
                ],
                className="govuk-grid-row",
            )
        ]
    else:
        year_rows = _per_app(_year_rows)(ind.id, year)
        body = [
            _controls(tidy, view),
            html.Div(
                [
                    html.Div(
                        [
                            _timeseries_block(ind, tidy, view, region, year, year_rows),
                            _definition(ind, seen),
                        ],
                        className="govuk-grid-column-two-thirds",
                    ),
                    html.Div(panel, className="govuk-grid-column-one-third"),
                ],
                className="govuk-grid-row",
            ),
            *_year_blocks(ind, tidy, view, year, neighbours, year_rows),
            _breakdown_block(ind, tidy, view, year),
        ]
    return html.Div(
        [*_stores(view), *header, *body],
        className="csc-indicator-page",
    )


# ---------------------------------------------------------------------------- callbacks


def _text(value: object) -> str | None:
    """A control's text, or None when empty; PreventUpdate for anything but short text."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_INPUT:
        raise PreventUpdate
    return value.strip() or None


def _valid_view(view: object, tidy: Tidy) -> dict[str, Any]:
    if not isinstance(view, dict) or not known_indicator(tidy, view.get("indicator")):
        raise PreventUpdate
    return view


def address_for_controls(
    tidy: Tidy,
    view: object,
    area_text: object,
    year: object,
    breakdown: object,
    compare_text: object,
) -> str:
    """The address of the view the controls describe. An area text that matches no area is
    passed on as typed, so the page explains it rather than silently ignoring it."""
    current = _valid_view(view, tidy)
    area_raw = _text(area_text)
    area = area_from_text(area_raw, tidy.areas) if area_raw else None
    year_text = _text(year)
    return get_relative_path(
        view_path(
            str(current["indicator"]),
            area=area or area_raw,
            year=year_number(year_text),
            breakdown=_text(breakdown),
            compare=[part for part in (_text(compare_text) or "").split(",") if part.strip()],
        )
    )


@callback(
    Output(ids.INDICATOR_LOCATION, "href"),
    Input(ids.INDICATOR_APPLY, "n_clicks"),
    Input(ids.INDICATOR_AREA, "n_submit"),
    Input(ids.INDICATOR_COMPARE, "n_submit"),
    State(ids.INDICATOR_AREA, "value"),
    State(ids.INDICATOR_YEAR, "value"),
    State(ids.INDICATOR_BREAKDOWN, "value"),
    State(ids.INDICATOR_COMPARE, "value"),
    State(ids.INDICATOR_VIEW, "data"),
    prevent_initial_call=True,
)
def navigate(
    _clicks: object,
    _area_enter: object,
    _compare_enter: object,
    area_text: object,
    year: object,
    breakdown: object,
    compare_text: object,
    view: object,
) -> str:
    """The controls change the view only when asked (the button, or Enter in a text box), so
    moving through the radio buttons with the keyboard does not reload the page at each step."""
    return address_for_controls(current_data().tidy, view, area_text, year, breakdown, compare_text)


def on_render(tidy: Tidy, view: object, chosen: object, redirected: object) -> tuple[Any, Any, Any]:
    """(new address, chosen LA, redirected list) once a view renders: an LA shown becomes the
    chosen LA; a view opened without an area moves to the chosen LA, once per indicator and
    browser session, so the back button can still reach the England view."""
    current = _valid_view(view, tidy)
    area = current.get("area")
    if current.get("area_given"):
        if isinstance(area, str) and _area_level(tidy, area) == "local_authority":
            return no_update, area, no_update
        raise PreventUpdate
    if not isinstance(chosen, str) or _area_level(tidy, chosen) != "local_authority":
        raise PreventUpdate
    done = [r for r in redirected if isinstance(r, str)] if isinstance(redirected, list) else []
    indicator_id = str(current["indicator"])
    if indicator_id in done:
        raise PreventUpdate
    year = current.get("year")
    breakdown = current.get("breakdown")
    compare = current.get("compare")
    address = view_path(
        indicator_id,
        area=chosen,
        year=year if isinstance(year, int) else None,
        breakdown=breakdown if isinstance(breakdown, str) else None,
        compare=[c for c in compare if isinstance(c, str)] if isinstance(compare, list) else [],
    )
    return get_relative_path(address), no_update, [*done[-50:], indicator_id]


@callback(
    Output(ids.INDICATOR_LOCATION, "href", allow_duplicate=True),
    Output(ids.CHOSEN_AREA, "data", allow_duplicate=True),
    Output(ids.INDICATOR_REDIRECTED, "data"),
    Input(ids.INDICATOR_VIEW, "data"),
    State(ids.CHOSEN_AREA, "data"),
    State(ids.INDICATOR_REDIRECTED, "data"),
    prevent_initial_call="initial_duplicate",
)
def remember_or_redirect(view: object, chosen: object, redirected: object) -> tuple[Any, Any, Any]:
    return on_render(current_data().tidy, view, chosen, redirected)


__all__ = [
    "address_for_controls",
    "layout",
    "not_found_content",
    "on_render",
    "with_abbreviations",
]
