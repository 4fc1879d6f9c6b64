"""Upload `/upload`: an analyst who does not use a terminal checks their LA's own returns and,
when nothing is wrong, loads them into the dashboard running on their computer.

The page is the command line's ``python -m data import`` in a form: choose the LA and year, drop
the files, read the same report (summary, counts per rule, every finding by file and row or XML
path), and confirm. It exists only when the app was started with ``CSC_ALLOW_UPLOAD=1`` and
answers only requests from the same machine (dashboard/upload_access.py). The browser holds a
random token between the check and the load, never the files' contents once checked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import Input, Output, State, callback, dcc, html, register_page
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.components import aria
from dashboard.context import current_data
from dashboard.headline import headline
from dashboard.origins import RETURN_TITLES, join_words
from dashboard.picker import area_picker
from dashboard.profile_summary import available_years
from dashboard.routing import VALIDATORS
from dashboard.shell import SERVICE_NAME
from dashboard.upload_access import (
    NOT_LOCAL,
    REPORT_PATH,
    UPLOAD_PATH,
    request_is_local,
    require_upload,
    upload_enabled,
)
from dashboard.upload_actions import (
    Checked,
    check_upload,
    choice_from_state,
    load_upload,
    local_authorities,
    read_choice,
)
from dashboard.upload_files import UploadError, is_token, remove, unique_names
from dashboard.upload_report import report_block, verdict
from data.validate.files import MB

TITLE = "Load an LA's own returns"

register_page(
    __name__,
    path=UPLOAD_PATH,
    title=f"{TITLE} - {SERVICE_NAME}",
    name="Upload",
    order=90,
)
VALIDATORS[UPLOAD_PATH] = lambda _variables: upload_enabled()  # off: an unknown page (404)


# ------------------------------------------------------------------ layout
def _not_found() -> html.Div:
    return html.Div(
        [
            html.H1("Page not found", id=ids.NOT_FOUND_HEADING, className="govuk-heading-xl"),
            html.P("If you typed the web address, check it is correct.", className="govuk-body"),
            html.P(
                ["Go to the ", dcc.Link("home page", href="/", className="govuk-link"), "."],
                className="govuk-body",
            ),
        ]
    )


def _refused() -> html.Div:
    return html.Div(
        [
            html.H1("Upload is not available here", className="govuk-heading-xl"),
            html.P(NOT_LOCAL, className="govuk-body"),
        ]
    )


def _years() -> list[int]:
    return available_years(headline(current_data().tidy))


def _step(number: int, text: str) -> html.H2:
    return html.H2(f"{number}. {text}", className="govuk-heading-l")


def _form() -> html.Div:
    tidy = current_data().tidy
    years = _years()
    limits = require_upload().limits
    hint = (
        "The SSDA903 tables as CSV files, the CIN census XML file and the workforce census XML "
        "file, in any mix, as your case management system exports them: they are recognised "
        f"by their columns and elements, not their names. Up to {limits.files} files, "
        f"{limits.file_bytes // MB} MB each."
    )
    return html.Div(
        [
            html.Span("Your own data", className="govuk-caption-l"),
            html.H1(TITLE, id=ids.UPLOAD_HEADING, className="govuk-heading-xl"),
            html.P(
                "Check a local authority's returns for one collection year, read every problem "
                "found, and load them into this copy of the dashboard when there are no errors.",
                className="govuk-body-l",
            ),
            html.Div(
                [
                    html.Span("!", className="govuk-warning-text__icon", **aria(hidden="true")),
                    html.Strong(
                        [
                            html.Span("Warning", className="govuk-visually-hidden"),
                            "Loading replaces what this dashboard holds for that local "
                            "authority and year in each return you give, and rebuilds every "
                            "indicator. The files stay on this computer. Figures from loaded "
                            "returns are marked as the LA's own returns; everything else stays "
                            "synthetic.",
                        ],
                        className="govuk-warning-text__text",
                    ),
                ],
                className="govuk-warning-text",
            ),
            dcc.Store(id=ids.UPLOAD_STATE, data=None),
            _step(1, "Choose the local authority and year"),
            area_picker(
                ids.UPLOAD_LA,
                local_authorities(tidy.areas),
                label="Local authority",
                hint="Type part of the name, or its ONS or DfE code, then choose from the list.",
            ),
            html.Div(
                html.Fieldset(
                    [
                        html.Legend(
                            "Collection year",
                            className="govuk-fieldset__legend govuk-fieldset__legend--s",
                        ),
                        html.Div(
                            "The year ending 31 March: 2025 is 2024-25.",
                            id=f"{ids.UPLOAD_YEAR}-hint",
                            className="govuk-hint",
                        ),
                        dcc.RadioItems(
                            id=ids.UPLOAD_YEAR,
                            options=[{"label": str(y), "value": str(y)} for y in years],
                            value=str(years[-1]) if years else None,
                            inline=True,
                            className="govuk-radios govuk-radios--small govuk-radios--inline "
                            "csc-coverage-radios",
                            labelClassName="govuk-label govuk-radios__label csc-radio-label",
                            inputClassName="csc-radio-input",
                        ),
                    ],
                    className="govuk-fieldset",
                    **aria(describedby=f"{ids.UPLOAD_YEAR}-hint"),
                ),
                className="govuk-form-group",
            ),
            _step(2, "Choose the files"),
            html.Div(
                # The label wraps dcc.Upload's own file input, which gives that input its name
                # and lets a click anywhere in the box (or Enter on the focused input) open the
                # file chooser; dropping files on the box works too.
                html.Label(
                    [
                        html.Span("Return files", className="govuk-label--s"),
                        html.Span(hint, className="govuk-hint"),
                        dcc.Upload(
                            html.Span(
                                [
                                    "Drop the files here, or ",
                                    html.Span("choose files", className="csc-upload-choose"),
                                ]
                            ),
                            id=ids.UPLOAD_FILES,
                            multiple=True,
                            max_size=limits.file_bytes,
                            disable_click=True,
                            className="csc-upload-drop",
                            className_active="csc-upload-drop csc-upload-drop--active",
                        ),
                    ],
                    className="govuk-label csc-upload-label",
                ),
                className="govuk-form-group",
            ),
            html.Div(
                html.P("No files chosen yet.", className="govuk-body"),
                id=ids.UPLOAD_FILE_LIST,
                **aria(live="polite"),
            ),
            _step(3, "Check the files"),
            html.P(
                "Nothing is loaded at this step: the files are read and every rule is applied.",
                className="govuk-body",
            ),
            html.P("", id=ids.UPLOAD_FORM_ERROR, className="govuk-error-message", role="status"),
            html.Button(
                "Check files",
                id=ids.UPLOAD_CHECK,
                n_clicks=0,
                className="govuk-button csc-button",
                type="button",
            ),
            # The verdict for screen readers; everyone sees it at the top of the report.
            html.P(
                "",
                id=ids.UPLOAD_STATUS,
                className="govuk-visually-hidden",
                role="status",
                **aria(live="polite"),
            ),
            html.Div(id=ids.UPLOAD_RESULT),
        ],
        className="csc-upload",
    )


def layout(**_query: object) -> html.Div:
    if not upload_enabled():
        return _not_found()
    if not request_is_local():
        return _refused()
    return _form()


# ------------------------------------------------------------------ pieces the callbacks return
def file_list(names: object) -> html.Div | html.P:
    """The files chosen, under the names they will be saved and reported as."""
    if not isinstance(names, list) or not names:
        return html.P("No files chosen yet.", className="govuk-body")
    saved = unique_names(names)
    count = f"{len(saved)} file{'s' if len(saved) != 1 else ''} chosen"
    return html.Div(
        [
            html.P(count + ":", className="govuk-body"),
            html.Ul([html.Li(html.Code(n)) for n in saved], className="govuk-list"),
        ]
    )


def confirm_section(checked: Checked) -> html.Section:
    choice = checked.choice
    names = join_words([RETURN_TITLES.get(r, r) for r in checked.returns]) or "returns"
    return html.Section(
        [
            _step(4, "Load these returns"),
            html.P(
                f"Loading replaces the {names} records this dashboard holds for "
                f"{choice.la_name} in {choice.year} with these files, then rebuilds every "
                "indicator. This can take a minute.",
                className="govuk-body",
            ),
            html.Button(
                f"Load these returns for {choice.la_name}, {choice.year}",
                id=ids.UPLOAD_CONFIRM,
                n_clicks=0,
                className="govuk-button csc-button csc-button--warning",
                type="button",
            ),
            html.Div(id=ids.UPLOAD_OUTCOME, role="status", **aria(live="polite")),
        ],
        **aria(label="Load these returns"),
    )


def check_result(checked: Checked) -> html.Div:
    choice = checked.choice
    href = f"{REPORT_PATH}?{urlencode({'token': checked.token})}"
    parts: list[Any] = [
        report_block(
            checked.report,
            la_name=choice.la_name,
            year=choice.year,
            files=checked.files,
            report_href=href,
            ids={
                "summary": ids.UPLOAD_SUMMARY,
                "counts": ids.UPLOAD_COUNTS,
                "findings": ids.UPLOAD_FINDINGS,
                "csv": ids.UPLOAD_REPORT_CSV,
            },
        )
    ]
    if checked.ok:
        parts.append(confirm_section(checked))
    return html.Div(parts)


def loaded_message(la_name: str, ons_code: str, year: int, rows: dict[str, int]) -> html.Div:
    records = sum(n for name, n in rows.items() if name != "return_status")
    return html.Div(
        [
            html.H2("Returns loaded", className="govuk-heading-l"),
            html.P(
                f"Loaded {records:,} records for {la_name}, {year}. The dashboard now shows "
                f"them, marked as {la_name}'s own returns.",
                className="govuk-body",
            ),
            html.P(
                dcc.Link(
                    f"See {la_name}'s profile",
                    href=f"/la/{ons_code}?year={year}",
                    id=ids.UPLOAD_PROFILE_LINK,
                    className="govuk-link",
                ),
                className="govuk-body",
            ),
        ],
        className="csc-upload-loaded",
    )


# ------------------------------------------------------------------ callbacks (thin)
@callback(
    Output(ids.UPLOAD_FILE_LIST, "children"),
    Input(ids.UPLOAD_FILES, "filename"),
    prevent_initial_call=True,
)
def _list_files(names: object) -> Any:
    require_upload()
    return file_list(names)


@callback(
    Output(ids.UPLOAD_STATE, "data"),
    Output(ids.UPLOAD_RESULT, "children"),
    Output(ids.UPLOAD_STATUS, "children"),
    Output(ids.UPLOAD_FORM_ERROR, "children"),
    Output(ids.UPLOAD_FILES, "contents"),
    Output(ids.UPLOAD_FILES, "filename"),
    Input(ids.UPLOAD_CHECK, "n_clicks"),
    State(ids.UPLOAD_LA, "value"),
    State(ids.UPLOAD_YEAR, "value"),
    State(ids.UPLOAD_FILES, "contents"),
    State(ids.UPLOAD_FILES, "filename"),
    State(ids.UPLOAD_STATE, "data"),
    prevent_initial_call=True,
    running=[(Output(ids.UPLOAD_CHECK, "disabled"), True, False)],
)
def _check(
    clicks: object, la: object, year: object, contents: object, names: object, previous: object
) -> tuple[Any, ...]:
    settings = require_upload()
    if not clicks:
        raise PreventUpdate
    if isinstance(previous, dict) and is_token(previous.get("token")):
        remove(settings.work_dir(), str(previous["token"]))  # a new check replaces the last
    try:
        choice = read_choice(la, year, current_data().tidy.areas, _years())
        checked = check_upload(settings, choice, names, contents)
    except UploadError as error:
        return None, None, "", f"{error}.", None, None
    said = verdict(checked.report, choice.la_name, choice.year)
    return checked.state(), check_result(checked), said, "", None, None


@callback(
    Output(ids.UPLOAD_OUTCOME, "children"),
    Input(ids.UPLOAD_CONFIRM, "n_clicks"),
    State(ids.UPLOAD_STATE, "data"),
    prevent_initial_call=True,
    running=[(Output(ids.UPLOAD_CONFIRM, "disabled"), True, False)],
)
def _load(clicks: object, state: object) -> Any:
    settings = require_upload()
    if not clicks:
        raise PreventUpdate
    tidy = current_data().tidy
    try:
        token, choice = choice_from_state(state, tidy.areas, _years())
        if token in settings.loaded:
            return html.P(
                f"These returns for {choice.la_name}, {choice.year} are loaded already.",
                className="govuk-body",
            )
        result = load_upload(settings, token, choice)
    except UploadError as error:
        return html.P(f"{error}.", className="govuk-error-message")
    if not result.imported:
        return html.P(
            f"Not loaded: {result.report.summary()}. Nothing was changed.",
            className="govuk-error-message",
        )
    return loaded_message(choice.la_name, choice.ons_code, choice.year, result.rows)
