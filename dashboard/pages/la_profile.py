"""LA profile: every indicator for one local authority (or region) on one page, beside its
statistical neighbours, its region and England, for a manager or a committee paper.

The whole view is the URL (``/la/<code>?year=``): the picker and the year choice only write a
new address, so a copied link, the back button and a printed page all show the same thing. The
chosen LA also goes to the browser's chosen-area store, so other pages open on it.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update, register_page
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.components import TableColumn, aria, chart_block, table
from dashboard.context import current_data
from dashboard.download_links import profile_href
from dashboard.figures.spine import COMPARISON_STYLE, spine_figure, spine_summary
from dashboard.formatting import SYMBOLS, format_interval, format_value
from dashboard.glossary import term, term_link
from dashboard.headline import headline
from dashboard.origins import origin_notice
from dashboard.picker import area_from_text, area_picker
from dashboard.profile_summary import available_years, profile_frame
from dashboard.routing import VALIDATORS
from dashboard.shell import SERVICE_NAME
from metrics.api import ENGLAND_CODE, Tidy
from metrics.catalogue import Indicator

PATH_TEMPLATE = "/la/<area_code>"
INDEX_PATH = "/la"
LATEST = "latest"
PROFILE_LEVELS = ("local_authority", "regional")
MAX_CODE_LENGTH = 12


def _title(area_code: str | None = None, **_query: Any) -> str:
    name = None
    if area_code is not None:
        try:
            name = _area_row(current_data().tidy, area_code)["name"]
        except (LookupError, RuntimeError):
            name = None
    page = f"{name}: profile" if name else "Local authority profile"
    return f"{page} - {SERVICE_NAME}"


register_page(
    __name__,
    path_template=PATH_TEMPLATE,
    name="Local authority profile",
    title=_title,
    description="Every indicator for one local authority beside its neighbours and England.",
    order=20,
)


# ------------------------------------------------------------------ validation (pure)
def _area_row(tidy: Tidy, text: str) -> dict[str, Any]:
    """The area row of ``text`` (ONS or DfE code) if it is an LA or a region, else LookupError."""
    if not isinstance(text, str) or len(text) > MAX_CODE_LENGTH:
        raise LookupError("not an area code")
    code = tidy.area_code(text)
    row = tidy.areas.loc[tidy.areas["code"] == code].iloc[0]
    if row["level"] not in PROFILE_LEVELS:
        raise LookupError(f"no profile for {code}")
    return {str(k): (None if pd.isna(v) else v) for k, v in row.to_dict().items()}


def profile_path_is_valid(variables: Mapping[str, str]) -> bool:
    """Whether ``/la/<area_code>`` names an LA or region (the routing 404 hook)."""
    try:
        _area_row(current_data().tidy, variables.get("area_code", ""))
    except LookupError:
        return False
    return True


VALIDATORS[PATH_TEMPLATE] = profile_path_is_valid


def parse_year(text: object, years: list[int]) -> int | None:
    """``None`` for the latest; a year present in ``years``; else LookupError."""
    if text is None or text == "" or text == LATEST:
        return None
    if isinstance(text, str) and text.isdigit() and len(text) == 4 and int(text) in years:
        return int(text)
    raise LookupError(f"unknown year {str(text)[:20]!r}")


def profile_url(area_code: str, year: int | None = None) -> str:
    return f"/la/{area_code}" + (f"?year={year}" if year is not None else "")


# ------------------------------------------------------------------ layout pieces
def _controls(tidy: Tidy, area_code: str | None, years: list[int], year: int | None) -> html.Div:
    areas = tidy.areas[tidy.areas["level"] != "national"]
    options = [{"label": "Latest year for each indicator", "value": LATEST}] + [
        {"label": str(y), "value": str(y)} for y in years
    ]
    return html.Div(
        [
            html.Div(
                [
                    area_picker(
                        ids.PROFILE_PICKER,
                        areas,
                        label="Local authority or region",
                        value=area_code,
                    ),
                    html.Button(
                        "Show profile",
                        id=ids.PROFILE_PICKER_BUTTON,
                        n_clicks=0,
                        className="govuk-button csc-button",
                        type="button",
                    ),
                    html.P(
                        "",
                        id=ids.PROFILE_PICKER_ERROR,
                        className="govuk-error-message",
                        role="status",
                    ),
                ],
                className="csc-profile-picker",
            ),
            html.Fieldset(
                [
                    html.Legend(
                        "Year", className="govuk-fieldset__legend govuk-fieldset__legend--s"
                    ),
                    dcc.RadioItems(
                        id=ids.PROFILE_YEAR,
                        options=options,
                        value=str(year) if year is not None else LATEST,
                        inline=True,
                        className="govuk-radios govuk-radios--small govuk-radios--inline",
                        inputClassName="govuk-radios__input",
                        labelClassName="govuk-radios__item",
                    ),
                ],
                className="govuk-fieldset csc-profile-year",
            ),
        ],
        className="csc-no-print csc-profile-controls",
    )


def _shell(children: list[Any], area_code: str | None) -> html.Div:
    return html.Div(
        [
            dcc.Location(id=ids.PROFILE_LOCATION, refresh="callback-nav"),
            dcc.Store(id=ids.PROFILE_AREA, data=area_code),
            *children,
        ],
        className="csc-profile",
    )


def not_found(message: str) -> html.Div:
    tidy = current_data().tidy
    return _shell(
        [
            html.H1("Profile not found", id=ids.PROFILE_HEADING, className="govuk-heading-xl"),
            html.P(message, className="govuk-body", id=ids.PROFILE_NOT_FOUND),
            html.P(
                "Choose a local authority or region below, or check the address you typed.",
                className="govuk-body",
            ),
            _controls(tidy, None, [], None),
        ],
        None,
    )


def _indicator_link(ind: Indicator, area_code: str) -> dcc.Link:
    return dcc.Link(ind.title, href=f"/indicator/{ind.id}?area={area_code}", className="govuk-link")


def _comparison_tag(comparison: str) -> html.Strong | str:
    if not comparison:
        return ""
    text = COMPARISON_STYLE[comparison][0] if comparison in COMPARISON_STYLE else comparison
    return html.Strong(
        text.replace(" (no judgement)", ""),
        className=f"govuk-tag csc-compare-tag csc-compare-tag--{comparison}",
    )


def _rank_text(quartile: str, rank: Any, ranked: int) -> str:
    if not quartile and (rank is None or pd.isna(rank)):
        return ""
    parts = []
    if quartile:
        parts.append(quartile)
    if rank is not None and not pd.isna(rank):
        parts.append(f"rank {int(rank)} of {ranked}")
    return ", ".join(parts)


def summary_table(
    records: list[dict[str, Any]],
    tidy: Tidy,
    area: Mapping[str, Any],
    caption: str,
    table_id: str,
) -> html.Table:
    """The summary table of one framework group (records of ``profile_frame`` rows)."""
    is_la = area["level"] == "local_authority"
    name = str(area["name"])
    headers = ["Indicator", "Year", name, "95% interval"]
    if is_la:
        headers += ["Neighbours median", "Neighbours mean", "Region"]
    headers += ["England", "Compared with England", "Trend"]
    if is_la:
        headers += ["Quartile and rank"]
    headers += ["Coverage"]
    numeric = {name, "Neighbours median", "Neighbours mean", "Region", "England"}
    head = html.Thead(
        html.Tr(
            [
                html.Th(
                    h,
                    scope="col",
                    className="govuk-table__header"
                    + (" govuk-table__header--numeric" if h in numeric else ""),
                )
                for h in headers
            ],
            className="govuk-table__row",
        ),
        className="govuk-table__head",
    )
    body = []
    for record in records:
        ind = tidy.indicator(str(record["indicator_id"]))
        year = int(record["time_period"])
        cells: list[Any] = [
            html.Th(
                _indicator_link(ind, str(area["code"])),
                scope="row",
                className="govuk-table__header",
            ),
            _cell(str(year) if year > 0 else "x"),
            _cell(format_value(ind, record["value"], str(record["status"])), numeric=True),
            _cell(format_interval(ind, record["lower_95"], record["upper_95"])),
        ]
        if is_la:
            cells += [
                _cell(
                    format_value(ind, record["sn_median"], str(record["sn_median_status"])), True
                ),
                _cell(format_value(ind, record["sn_mean"], str(record["sn_mean_status"])), True),
                _cell(
                    format_value(ind, record["region_value"], str(record["region_status"])), True
                ),
            ]
        cells += [
            _cell(format_value(ind, record["england_value"], str(record["england_status"])), True),
            html.Td(
                _comparison_tag(str(record["compared_to_england"])), className="govuk-table__cell"
            ),
            _cell(str(record["trend"])),
        ]
        if is_la:
            cells.append(
                _cell(_rank_text(str(record["quartile"]), record["rank"], int(record["ranked"])))
            )
        warning = str(record["coverage_warning"])
        cells.append(
            html.Td(
                [html.Strong("Check coverage: ", className="csc-coverage-flag"), warning]
                if warning
                else "",
                className="govuk-table__cell csc-coverage-cell",
            )
        )
        body.append(html.Tr(cells, className="govuk-table__row"))
    return html.Table(
        [
            html.Caption(caption, className="govuk-table__caption govuk-table__caption--m"),
            head,
            html.Tbody(body, className="govuk-table__body"),
        ],
        id=table_id,
        className="govuk-table csc-profile-table",
    )


def _cell(text: str, numeric: bool = False) -> html.Td:
    return html.Td(
        text, className="govuk-table__cell" + (" govuk-table__cell--numeric" if numeric else "")
    )


def spine_rows(records: list[dict[str, Any]], tidy: Tidy, area_name: str) -> pd.DataFrame:
    """The spine chart's input (``spine.INPUT_COLUMNS``) and its table's text columns, from
    profile rows (``profile_frame(...).to_dict("records")``)."""
    out = []
    seen: set[str] = set()
    for record in records:
        ind = tidy.indicator(str(record["indicator_id"]))
        label = ind.short_title
        if label in seen:  # category axes merge equal labels
            label = f"{label} ({ind.id})"
        seen.add(label)
        texts = {
            "value_text": format_value(ind, record["value"], str(record["status"])),
            "england_text": format_value(
                ind, record["england_value"], str(record["england_status"])
            ),
            "min_text": format_value(ind, record["la_min"]),
            "p25_text": format_value(ind, record["la_p25"]),
            "p75_text": format_value(ind, record["la_p75"]),
            "max_text": format_value(ind, record["la_max"]),
        }
        comparison = str(record["compared_to_england"])
        year = int(record["time_period"])
        out.append(
            {
                **record,
                **texts,
                "label": label,
                "polarity": ind.polarity,
                "hover": f"{area_name} {texts['value_text']}; England {texts['england_text']}; "
                f"LAs {texts['min_text']} to {texts['max_text']} ({year})",
                "comparison_text": COMPARISON_STYLE[comparison][0]
                if comparison in COMPARISON_STYLE and comparison
                else "Not compared",
            }
        )
    return pd.DataFrame(out)


SPINE_TABLE_COLUMNS = (
    TableColumn("label", "Indicator"),
    TableColumn("value_text", "Value", numeric=True),
    TableColumn("england_text", "England", numeric=True),
    TableColumn("min_text", "Lowest LA", numeric=True),
    TableColumn("p25_text", "25th percentile", numeric=True),
    TableColumn("p75_text", "75th percentile", numeric=True),
    TableColumn("max_text", "Highest LA", numeric=True),
    TableColumn("comparison_text", "Compared with England"),
)


def _spine_block(group: str, title: str, rows: pd.DataFrame, area_name: str) -> html.Section:
    figure = spine_figure(rows, area_name=area_name)
    summary = spine_summary(rows, area_name=area_name)
    return chart_block(
        block_id=f"{ids.PROFILE_SPINE}-{group}",
        heading=f"{title}: {area_name} against England",
        figure=figure,
        summary=summary,
        data_table=table(
            rows[[column.key for column in SPINE_TABLE_COLUMNS]],
            SPINE_TABLE_COLUMNS,
            caption=f"{title}: {area_name}, England and the spread of LAs",
            table_id=f"{ids.PROFILE_SPINE}-{group}-table",
            row_header="label",
        ),
    )


def neighbours_table(area_code: str, neighbours: pd.DataFrame, tidy: Tidy) -> html.Table | None:
    mine = neighbours[neighbours["ons_code"] == area_code].sort_values("rank")
    if mine.empty:
        return None
    names = tidy.areas.set_index("code")["name"]
    body = []
    for record in mine.to_dict("records"):
        code = str(record["neighbour_ons_code"])
        name = str(names.get(code, code))
        body.append(
            html.Tr(
                [
                    _cell(str(int(record["rank"])), numeric=True),
                    html.Th(
                        dcc.Link(name, href=profile_url(code), className="govuk-link"),
                        scope="row",
                        className="govuk-table__header",
                    ),
                    _cell(code),
                    _cell(str(record["closeness"])),
                ],
                className="govuk-table__row",
            )
        )
    head = html.Thead(
        html.Tr(
            [
                html.Th(
                    "Rank",
                    scope="col",
                    className="govuk-table__header govuk-table__header--numeric",
                ),
                html.Th("Local authority", scope="col", className="govuk-table__header"),
                html.Th("ONS code", scope="col", className="govuk-table__header"),
                html.Th("Closeness", scope="col", className="govuk-table__header"),
            ],
            className="govuk-table__row",
        ),
        className="govuk-table__head",
    )
    return html.Table(
        [
            html.Caption(
                "The 10 statistical neighbours, closest first",
                className="govuk-table__caption govuk-table__caption--m",
            ),
            head,
            html.Tbody(body, className="govuk-table__body"),
        ],
        id=ids.PROFILE_NEIGHBOURS,
        className="govuk-table",
    )


def _wrapped(node: Any, label: str) -> html.Div:
    return html.Div(
        node, className="govuk-table-wrapper", tabIndex="0", role="region", **aria(label=label)
    )


def _notes(is_la: bool) -> html.Section:
    items: list[Any] = [
        html.Li(
            [
                "Each indicator shows its latest year unless you choose one; ",
                "the Year column says which year each row is.",
            ]
        ),
        html.Li(
            [
                "Compared with England: whether the 95% interval of the value excludes England's "
                "value. Indicators with a ",
                term_link("Polarity", "polarity"),
                " say better or worse; the others say higher or lower.",
            ]
        ),
        html.Li(
            [
                "Quartile A is the best quarter of LAs and D the worst; rank 1 is the best. ",
                "Shown only where higher or lower is clearly better.",
            ]
        ),
        html.Li(
            "Coverage: a warning where records behind the value are incomplete (for example "
            "more than 10% missing a field), so the value may hide need."
        ),
    ]
    if is_la:
        items.insert(
            1,
            html.Li(
                [
                    term("Statistical neighbours"),
                    ": the 10 LAs most like this one (DfE 2025 model). The median is the "
                    "middle of their 10 values; the mean is their average, leaving out "
                    "missing values.",
                ]
            ),
        )
    symbols = [html.Li([html.Strong(s), f": {meaning}"]) for s, meaning in SYMBOLS.items()]
    return html.Section(
        [
            html.H2("How to read this profile", className="govuk-heading-m"),
            html.Ul(items, className="govuk-list govuk-list--bullet"),
            html.H3("Symbols", className="govuk-heading-s"),
            html.Ul(symbols, className="govuk-list"),
            html.P(
                [
                    "Abbreviations such as ",
                    term("CIN"),
                    ", ",
                    term("CPP"),
                    " and ",
                    term("CLA"),
                    " are explained in the ",
                    dcc.Link("glossary", href="/glossary", className="govuk-link"),
                    ".",
                ],
                className="govuk-body",
            ),
        ],
        className="csc-profile-notes",
    )


def _profile(tidy: Tidy, area: dict[str, Any], year: int | None) -> html.Div:
    data = current_data()
    index = headline(tidy)
    years = available_years(index)
    code = str(area["code"])
    name = str(area["name"])
    is_la = area["level"] == "local_authority"
    region_code = area.get("region_code") if is_la else None
    frame = profile_frame(
        tidy, index, code, level=str(area["level"]), region_code=region_code, year=year
    )
    region_name = None
    if region_code:
        match = tidy.areas.loc[tidy.areas["code"] == region_code, "name"]
        region_name = str(match.iloc[0]) if len(match) else None
    facts = [f"ONS code {code}"]
    if area.get("dfe_la_code"):
        facts.append(f"DfE code {area['dfe_la_code']}")
    if region_name:
        facts.append(f"region {region_name}")
    facts.append(f"year: {year}" if year is not None else "latest year for each indicator")
    intro = (
        f"Every indicator for {name} beside its statistical neighbours, its region and England."
        if is_la
        else f"Every indicator for the {name} region beside England."
    )
    records = [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]
    tables = []
    spines = []
    for group in tidy.catalogue.groups:
        mine = [r for r in records if r["group"] == group.group]
        if not mine:
            continue
        tables.append(
            _wrapped(
                summary_table(
                    mine, tidy, area, group.title, f"{ids.PROFILE_SUMMARY}-{group.group}"
                ),
                f"{group.title}: summary table",
            )
        )
        spines.append(_spine_block(group.group, group.title, spine_rows(mine, tidy, name), name))
    neighbours_part: list[Any] = []
    if is_la:
        sn_table = neighbours_table(code, data.statistical_neighbours, tidy)
        neighbours_part = [
            html.H2("Statistical neighbours", className="govuk-heading-l"),
            _wrapped(sn_table, "Statistical neighbours table")
            if sn_table is not None
            else html.P(
                "No statistical neighbours are recorded for this LA.", className="govuk-body"
            ),
        ]
    return _shell(
        [
            html.Span(
                "Local authority profile" if is_la else "Regional profile",
                className="govuk-caption-l",
            ),
            html.H1(name, id=ids.PROFILE_HEADING, className="govuk-heading-xl"),
            html.P(intro, className="govuk-body-l"),
            html.P(_sentence("; ".join(facts)), className="govuk-body csc-profile-facts"),
            origin_notice(tidy, code, ids.PROFILE_ORIGIN),
            _controls(tidy, code, years, year),
            html.P(
                html.A(
                    "Download this profile (CSV)",
                    href=profile_href(code, year),
                    className="govuk-link",
                    id=ids.PROFILE_DOWNLOAD,
                    download="",
                ),
                className="govuk-body",
            ),
            html.Div(
                [html.H2("Summary of every indicator", className="govuk-heading-l"), *tables],
                id=ids.PROFILE_SUMMARY,
            ),
            html.Div(
                [html.H2("Spine charts", className="govuk-heading-l"), *spines],
                className="csc-profile-spines",
            ),
            *neighbours_part,
            _notes(is_la),
        ],
        code,
    )


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def layout(area_code: str | None = None, year: object = None, **_query: object) -> html.Div:
    tidy = current_data().tidy
    try:
        area = _area_row(tidy, area_code or "")
    except LookupError:
        return not_found(
            "There is no local authority or region with the code "
            f"{str(area_code)[:MAX_CODE_LENGTH]!r}."
        )
    try:
        chosen = parse_year(year, available_years(headline(tidy)))
    except LookupError:
        return not_found(f"There are no figures for the year {str(year)[:20]!r}.")
    return _cached_profile(tidy, area, chosen)


# A profile is a pure function of the loaded data, the area and the year, and building its ~3,000
# components costs far more than serving them, so recent ones are kept (per loaded Tidy).
_PROFILES: OrderedDict[tuple[int, str, int | None], tuple[weakref.ref[Tidy], html.Div]] = (
    OrderedDict()
)
_PROFILES_KEPT = 48
_PROFILES_LOCK = threading.Lock()


def _cached_profile(tidy: Tidy, area: dict[str, Any], year: int | None) -> html.Div:
    key = (id(tidy), str(area["code"]), year)
    with _PROFILES_LOCK:
        hit = _PROFILES.get(key)
        if hit is not None and hit[0]() is tidy:
            _PROFILES.move_to_end(key)
            return hit[1]
    built = _profile(tidy, area, year)
    with _PROFILES_LOCK:
        _PROFILES[key] = (weakref.ref(tidy), built)
        while len(_PROFILES) > _PROFILES_KEPT:
            _PROFILES.popitem(last=False)
    return built


def index_layout(**_query: object) -> html.Div:
    tidy = current_data().tidy
    return _shell(
        [
            html.H1(
                "Local authority profile", id=ids.PROFILE_HEADING, className="govuk-heading-xl"
            ),
            html.P(
                "Choose a local authority or region to see every indicator beside its "
                "statistical neighbours, its region and England.",
                className="govuk-body-l",
            ),
            _controls(tidy, None, available_years(headline(tidy)), None),
        ],
        None,
    )


register_page(
    f"{__name__}_index",
    path=INDEX_PATH,
    name="Choose a local authority",
    title=f"Local authority profile - {SERVICE_NAME}",
    layout=index_layout,
    order=21,
)


# ------------------------------------------------------------------ callbacks (thin)
def url_for_choice(
    trigger: object, text: object, year: object, current: object, areas: pd.DataFrame
) -> tuple[str | None, str]:
    """The address a control change leads to, or (None, message) when the text names nothing."""
    year_text = year if isinstance(year, str) and year != LATEST else None
    chosen_year = (
        int(year_text) if year_text and len(year_text) == 4 and year_text.isdigit() else None
    )
    if trigger == ids.PROFILE_YEAR:
        profiled = areas.loc[areas["level"].isin(PROFILE_LEVELS), "code"]
        if not isinstance(current, str) or not (profiled == current).any():
            return None, ""
        return profile_url(current, chosen_year), ""
    if not isinstance(text, str) or len(text) > 200:
        return None, "Enter the name or code of a local authority or region."
    code = area_from_text(text, areas[areas["level"] != "national"])
    if code is None:
        return None, "No single local authority or region matches; choose one from the list."
    return profile_url(code, chosen_year), ""


@callback(
    Output(ids.PROFILE_LOCATION, "href"),
    Output(ids.PROFILE_PICKER_ERROR, "children"),
    Input(ids.PROFILE_PICKER_BUTTON, "n_clicks"),
    Input(ids.PROFILE_PICKER, "n_submit"),
    Input(ids.PROFILE_YEAR, "value"),
    State(ids.PROFILE_PICKER, "value"),
    State(ids.PROFILE_AREA, "data"),
    prevent_initial_call=True,
)
def _navigate(
    _clicks: object, _submits: object, year: object, text: object, current: object
) -> tuple[Any, str]:
    href, message = url_for_choice(ctx.triggered_id, text, year, current, current_data().tidy.areas)
    if href is None:
        if not message:
            raise PreventUpdate
        return no_update, message
    return href, ""


def chosen_la(value: object, areas: pd.DataFrame) -> str | None:
    """``value`` if it is the ONS code of an LA, else None (stores hold only LAs)."""
    if not isinstance(value, str) or len(value) > MAX_CODE_LENGTH:
        return None
    match = areas.loc[(areas["code"] == value) & (areas["level"] == "local_authority")]
    return value if len(match) else None


@callback(
    Output(ids.CHOSEN_AREA, "data", allow_duplicate=True),
    Input(ids.PROFILE_AREA, "data"),
    prevent_initial_call="initial_duplicate",
)
def _remember(area: object) -> str:
    code = chosen_la(area, current_data().tidy.areas)
    if code is None:
        raise PreventUpdate
    return code


@callback(
    Output(ids.PROFILE_LOCATION, "href", allow_duplicate=True),
    Input(ids.CHOSEN_AREA, "data"),
    State(ids.PROFILE_AREA, "data"),
    State(ids.PROFILE_HEADING, "children"),
    prevent_initial_call="initial_duplicate",
)
def _open_remembered(stored: object, shown: object, heading: object) -> str:
    """``/la`` with a remembered LA goes straight to its profile."""
    if shown is not None or heading != "Local authority profile":
        raise PreventUpdate
    code = chosen_la(stored, current_data().tidy.areas)
    if code is None or code == ENGLAND_CODE:
        raise PreventUpdate
    return profile_url(code)
