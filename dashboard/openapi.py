"""The OpenAPI 3 description of ``/api/v1``, written out as data.

It is the API's public contract: clients generate code from it and the schemathesis tests check
the running API against it, so it spells out every response body, the error body, the headers
and the patterns and limits :mod:`dashboard.request_args` enforces (taken from there, so the two
cannot drift). Only the enum of indicator ids comes from the catalogue at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dashboard.request_args import (
    AREA_PATTERN,
    BREAKDOWN_PATTERN,
    INDICATOR_PATTERN,
    LEVELS,
    MAX_VALUE_LENGTH,
)

OPENAPI_VERSION = "3.0.3"
API_VERSION = "1.0.0"

_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _string(**extra: Any) -> dict[str, Any]:
    return {"type": "string", **extra}


def _nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "nullable": True, **extra}


def _array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _object(properties: dict[str, Any], *, required: Sequence[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties if required is None else required),
    }


_HEADERS = {
    "Cache-Control": {
        "description": "Responses may be cached for five minutes.",
        "schema": _string(example="public, max-age=300"),
    },
    "ETag": {
        "description": "Strong validator of the body; send it back in If-None-Match.",
        "schema": _string(),
    },
}


def _ok(schema_name: str, description: str, *, csv: bool = False) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": _ref(schema_name)}}
    if csv:
        content["text/csv"] = {
            "schema": _string(description="The tidy columns with a header line; no header block.")
        }
    return {"description": description, "headers": _HEADERS, "content": content}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


_ERRORS = {
    "400": _error("Malformed query: unknown or repeated parameter, bad or over-long value."),
    "404": _error("Unknown indicator, area, year or breakdown (the message names it)."),
}


def _query(name: str, description: str, schema: dict[str, Any], *, required: bool = False) -> Any:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def _parameters(indicator_ids: Sequence[str]) -> dict[str, Any]:
    area = _string(pattern=AREA_PATTERN, maxLength=MAX_VALUE_LENGTH)
    return {
        "IndicatorQuery": _query(
            "indicator",
            "Catalogue id of the indicator.",
            _string(enum=list(indicator_ids), pattern=INDICATOR_PATTERN),
            required=True,
        ),
        "AreaQuery": _query(
            "area",
            "ONS code (E92000001 England, E12... a region, an LA), DfE LA code, or 'England'.",
            area,
        ),
        "YearQuery": _query(
            "year",
            "Collection year, named by the year it ends (2025: April 2024 to March 2025).",
            {"type": "integer", "minimum": 1000, "maximum": 9999},
        ),
        "BreakdownQuery": _query(
            "breakdown",
            "total, age_band, sex, ethnicity_group or disability (those the indicator has).",
            _string(pattern=BREAKDOWN_PATTERN, maxLength=32),
        ),
        "FormatQuery": _query(
            "format", "Response format.", _string(enum=["json", "csv"], default="json")
        ),
    }


def _schemas(indicator_ids: Sequence[str]) -> dict[str, Any]:
    text = _string()
    where_value = {"oneOf": [{"type": "boolean"}, text, _array({"type": "boolean"}), _array(text)]}
    count = _object(
        {
            "unit": _nullable("string"),
            "aggregate": _nullable("string", enum=["count", "sum", "mean", "median", None]),
            "column": {"nullable": True, "oneOf": [text, _array(text)]},
            "where": {"type": "object", "additionalProperties": where_value},
            "population": _nullable("string"),
        }
    )
    annotations = _object(
        {
            "purpose": text,
            "voice": text,
            "coverage": _object({"text": text, "measures": _array(text)}),
            "hidden_needs": _object({"text": text, "signals": _array(text)}),
            "caveats": text,
            "risks": text,
        }
    )
    indicator = _object(
        {
            "id": _string(enum=list(indicator_ids)),
            "title": text,
            "short_title": text,
            "group": text,
            "domain": text,
            "measure": text,
            "unit": text,
            "decimals": {"type": "integer", "minimum": 0},
            "polarity": _string(enum=["higher_better", "lower_better", "no_judgement"]),
            "definition": text,
            "numerator": _ref("Count"),
            "denominator": {"nullable": True, "allOf": [_ref("Count")]},
            "source": _object({"return": text, "fields": _array(text)}),
            "breakdowns": _array(text),
            "annotations": _ref("Annotations"),
            "related": _array(text),
            "first_year": {"type": "integer"},
            "computable": {"type": "boolean"},
            "years": _array({"type": "integer"}),
        }
    )
    area = _object(
        {
            "code": text,
            "name": text,
            "level": _string(enum=["national", "regional", "local_authority"]),
            "region_code": _nullable("string"),
            "dfe_la_code": _nullable("string"),
        }
    )
    number = _nullable("number")
    status = _string(enum=["", "c", "k", "u", "x", "z"])
    origin = _string(
        enum=["synthetic", "imported", "includes imported"],
        description="synthetic; imported (an LA's own returns, python -m data import); "
        "includes imported (a region, England or neighbour figure adding imported rows up).",
    )
    value_row = _object(
        {
            "time_period": {"type": "integer"},
            "geographic_level": _string(enum=list(LEVELS)),
            "area_code": text,
            "area_name": text,
            "region_code": _nullable("string"),
            "indicator_id": text,
            "breakdown": text,
            "breakdown_value": text,
            "numerator": number,
            "denominator": number,
            "value": number,
            "lower_95": number,
            "upper_95": number,
            "lower_998": number,
            "upper_998": number,
            "status": status,
            "compared_to_england": _string(
                enum=["", "higher", "lower", "similar", "better", "worse"]
            ),
            "quartile": text,
            "rank": _nullable("integer"),
            "trend": _string(enum=["", "increasing", "decreasing", "no significant change"]),
            "neighbours_used": _nullable("integer"),
            "data_origin": origin,
        }
    )
    coverage_row = _object(
        {
            "time_period": {"type": "integer"},
            "geographic_level": _string(enum=list(LEVELS)),
            "area_code": text,
            "area_name": text,
            "indicator_id": text,
            "measure": text,
            "numerator": number,
            "denominator": number,
            "value": number,
            "label": text,
            "lower_95": number,
            "upper_95": number,
            "data_origin": origin,
        }
    )
    notice = _string(
        description="Every figure is synthetic (NOT REAL DATA) unless its row's data_origin "
        "says it is, or includes, a local authority's own imported returns."
    )
    filters = _object(
        {
            "area": _nullable("string"),
            "year": _nullable("integer"),
            "breakdown": _nullable("string"),
        },
        required=[],
    )

    def envelope(key: str, item: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        props = {"notice": notice, **(extra or {}), "count": {"type": "integer"}}
        props[key] = _array(_ref(item))
        return _object(props)

    return {
        "Error": {**_object({"error": text}), "additionalProperties": False},
        "Count": count,
        "Annotations": annotations,
        "Indicator": indicator,
        "IndicatorList": envelope("indicators", "Indicator"),
        "Area": area,
        "AreaList": envelope("areas", "Area"),
        "ValueRow": value_row,
        "ValuesResponse": envelope(
            "rows", "ValueRow", {"indicator": _string(enum=list(indicator_ids)), "filters": filters}
        ),
        "CoverageRow": coverage_row,
        "CoverageResponse": envelope(
            "rows",
            "CoverageRow",
            {"indicator": _string(enum=list(indicator_ids)), "filters": filters},
        ),
        "OpenApiDocument": {
            "type": "object",
            "required": ["openapi", "info", "paths"],
            "properties": {
                "openapi": text,
                "info": {"type": "object"},
                "paths": {"type": "object"},
            },
        },
    }


def _get(summary: str, ok: dict[str, Any], params: Sequence[Any] = (), **extra: Any) -> Any:
    responses = {"200": ok, "304": {"description": "Not modified (If-None-Match matched)."}}
    responses.update(_ERRORS)
    return {
        "get": {"summary": summary, "parameters": list(params), "responses": responses, **extra}
    }


def openapi_document(indicator_ids: Sequence[str]) -> dict[str, Any]:
    """The whole document; ``indicator_ids`` fills the enum of catalogue ids."""

    def p(name: str) -> dict[str, str]:
        return {"$ref": f"#/components/parameters/{name}"}

    ids_schema = _string(enum=list(indicator_ids), pattern=INDICATOR_PATTERN)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Children's social care indicators (synthetic data)",
            "version": API_VERSION,
            "description": (
                "Read-only access to the dashboard's tidy tables and indicator catalogue. "
                "Every figure is computed from SYNTHETIC child-level returns: NOT REAL DATA. "
                "Every row has passed disclosure control (symbols c, k, u, x, z in `status`)."
            ),
            "license": {"name": "MIT"},
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/indicators": _get(
                "The indicator catalogue", _ok("IndicatorList", "Every indicator.")
            ),
            "/indicators/{id}": _get(
                "One catalogue entry",
                _ok("Indicator", "The indicator."),
                [
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "description": "Catalogue id of the indicator.",
                        "schema": ids_schema,
                    }
                ],
            ),
            "/areas": _get("England, regions and local authorities", _ok("AreaList", "Areas.")),
            "/data": _get(
                "Rows of indicator_values",
                _ok("ValuesResponse", "Rows for the indicator, filtered.", csv=True),
                [
                    p("IndicatorQuery"),
                    p("AreaQuery"),
                    p("YearQuery"),
                    p("BreakdownQuery"),
                    p("FormatQuery"),
                ],
            ),
            "/coverage": _get(
                "Rows of coverage_values",
                _ok("CoverageResponse", "Coverage measures and hidden-need signals."),
                [p("IndicatorQuery"), p("AreaQuery"), p("YearQuery")],
            ),
            "/openapi.json": _get(
                "This document", _ok("OpenApiDocument", "The OpenAPI description.")
            ),
        },
        "components": {
            "schemas": _schemas(indicator_ids),
            "parameters": _parameters(indicator_ids),
        },
    }
