"""The area picker: type part of a name or code (LA, region or England) and choose.

A native ``<input list>`` with a ``<datalist>`` rather than a JavaScript dropdown: browsers and
screen readers already know how to announce and navigate it, it needs no ARIA repair (Dash's
dropdown hides focusable parts from assistive technology), and it works with the keyboard alone.
Values are "Name (code)" so a typed code or name both match; ``area_from_text`` reads it back.
"""

from __future__ import annotations

import re

import pandas as pd
from dash import dcc, html

from dashboard.components import input_label

_CODE = re.compile(r"\(([A-Z]\d{8})\)\s*$")


def option_text(name: str, code: str) -> str:
    return f"{name} ({code})"


def area_from_text(text: str | None, areas: pd.DataFrame) -> str | None:
    """The area code a user typed or chose: 'Leeds (E08000035)', 'E08000035', 'leeds' or a DfE
    code such as '383'; None when nothing matches exactly one area."""
    if not text:
        return None
    text = text.strip()
    match = _CODE.search(text)
    if match and (areas["code"] == match.group(1)).any():
        return match.group(1)
    upper = text.upper()
    if (areas["code"] == upper).any():
        return upper
    if "dfe_la_code" in areas:
        by_dfe = areas.loc[areas["dfe_la_code"] == text, "code"]
        if len(by_dfe) == 1:
            return str(by_dfe.iloc[0])
    by_name = areas.loc[areas["name"].str.lower() == text.lower(), "code"]
    if len(by_name) == 1:
        return str(by_name.iloc[0])
    return None


def area_picker(
    picker_id: str,
    areas: pd.DataFrame,
    *,
    label: str = "Local authority, region or England",
    value: str | None = None,
    hint: str = "Type part of a name or an ONS or DfE code, then choose from the list.",
) -> html.Div:
    """A labelled type-ahead over ``areas`` (columns code, name, level as in ``Tidy.areas``).

    The input's id is ``picker_id``; read its ``value`` and pass it to :func:`area_from_text`."""
    options = [
        html.Option(value=option_text(str(r.name), str(r.code)))
        for r in areas.itertuples(index=False)
    ]
    current = ""
    if value is not None:
        row = areas.loc[areas["code"] == value]
        if len(row):
            current = option_text(str(row["name"].iloc[0]), value)
    list_id = f"{picker_id}-options"
    return html.Div(
        [
            input_label(label, hint, picker_id),
            dcc.Input(
                id=picker_id,
                type="search",
                list=list_id,
                value=current,
                debounce=True,
                autoComplete="off",
                className="govuk-input govuk-!-width-two-thirds",
            ),
            html.Datalist(options, id=list_id),
        ],
        className="govuk-form-group",
    )
