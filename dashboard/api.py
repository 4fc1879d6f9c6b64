"""The open, read-only HTTP API ``/api/v1`` (ARCHITECTURE.md, "HTTP API").

Analysts asked the DfE dashboard and LAIT for the numbers behind the charts without scraping;
Fingertips answers with an API, and so does this dashboard. It serves exactly what the pages
show, from the same in-memory tidy tables (``current_data().tidy``), so every row has passed
disclosure control and a figure never differs between a chart and the API. Arguments come from
anyone: a malformed query answers 400 and an unknown indicator, area, year or breakdown 404, each
with a JSON body naming the value; nothing a client sends can produce a 500. Responses are
cacheable for five minutes and carry a strong ETag, so polling clients cost almost nothing.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import dash
import flask
import numpy as np
import pandas as pd
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from dashboard import request_args as ra
from dashboard.context import current_data
from dashboard.csv_text import frame_csv
from dashboard.openapi import openapi_document
from dashboard.row_origins import ORIGIN_COLUMN, with_origin
from metrics.api import COVERAGE_COLUMNS, VALUE_COLUMNS, Tidy
from metrics.catalogue import Indicator

API_PREFIX = "/api/v1"
NOTICE = "Synthetic data generated for testing and demonstration: NOT REAL DATA."
NOTICE_WITH_IMPORTED = (
    "Synthetic data generated for testing and demonstration: NOT REAL DATA, except rows whose "
    "data_origin is 'imported' (counted from a local authority's own returns) or 'includes "
    "imported' (adding such rows up)."
)
CACHE_CONTROL = "public, max-age=300"
_CACHE_KEY = "csc_api_cache"
_INTEGER_COLUMNS = ("time_period", "rank", "neighbours_used")

DATA_PARAMS = (
    ra.Param("indicator", ra.INDICATOR_PATTERN, required=True),
    ra.Param("area", ra.AREA_PATTERN),
    ra.Param("year", ra.YEAR_PATTERN),
    ra.Param("breakdown", ra.BREAKDOWN_PATTERN),
    ra.Param("format", ra.FORMAT_PATTERN),
)
COVERAGE_PARAMS = DATA_PARAMS[:3]

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- serialisation (pure)
def indicator_entry(ind: Indicator, years: list[int]) -> dict[str, Any]:
    """One catalogue entry as the API publishes it."""
    return {
        "id": ind.id,
        "title": ind.title,
        "short_title": ind.short_title,
        "group": ind.group,
        "domain": ind.domain,
        "measure": ind.measure,
        "unit": ind.unit,
        "decimals": ind.decimals,
        "polarity": ind.polarity,
        "definition": ind.definition,
        "numerator": ind.numerator.model_dump(mode="json"),
        "denominator": ind.denominator.model_dump(mode="json") if ind.denominator else None,
        "source": ind.source.model_dump(mode="json", by_alias=True),
        "breakdowns": list(ind.breakdowns),
        "annotations": ind.annotations.model_dump(mode="json"),
        "related": list(ind.related),
        "first_year": ind.first_year,
        "computable": ind.computable,
        "years": years,
    }


def area_entries(areas: pd.DataFrame) -> list[dict[str, Any]]:
    columns = ["code", "name", "level", "region_code", "dfe_la_code"]
    frame = areas[columns].astype(object)
    frame = frame.where(frame.notna(), None)
    return [dict(zip(columns, row, strict=True)) for row in frame.itertuples(index=False)]


def plain_rows(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``columns`` of a tidy frame with JSON-friendly types: whole numbers as nullable integers,
    infinities as missing."""
    out = frame.reindex(columns=columns)
    for col in _INTEGER_COLUMNS:
        if col in out:
            out[col] = pd.to_numeric(out[col], errors="coerce").round().astype("Int64")
    floats = out.select_dtypes("float").columns
    if len(floats):
        out[floats] = out[floats].replace([np.inf, -np.inf], np.nan)
    return out


def rows_json(frame: pd.DataFrame) -> str:
    """A JSON array of row objects; missing numbers are ``null`` (never NaN)."""
    if frame.empty:
        return "[]"
    text = frame.to_json(orient="records", double_precision=15, force_ascii=False)
    return text or "[]"


def _envelope(meta: dict[str, Any], key: str, rows: str, count: int, imported: bool = False) -> str:
    notice = NOTICE_WITH_IMPORTED if imported else NOTICE
    head = json.dumps({"notice": notice, **meta, "count": count}, ensure_ascii=False)
    return f'{head[:-1]}, "{key}": {rows}}}'


# ---------------------------------------------------------------- per-app memo
def _memo(name: str, build: Any) -> Any:
    cache: dict[str, Any] = current_data().caches.setdefault(_CACHE_KEY, {})
    if name not in cache:
        cache[name] = build()
    return cache[name]


def _catalogue_entries(tidy: Tidy) -> dict[str, dict[str, Any]]:
    return _memo(
        "catalogue",
        lambda: {ind.id: indicator_entry(ind, tidy.years(ind.id)) for ind in tidy.catalogue},
    )


def _json(body: str | bytes, status: int = 200) -> flask.Response:
    return flask.Response(body, status=status, mimetype="application/json")


def _error(message: str, status: int) -> flask.Response:
    return _json(json.dumps({"error": message}, ensure_ascii=False), status)


# ---------------------------------------------------------------- views
def _no_params() -> None:
    ra.read_query(flask.request.args, ())


def indicators_view() -> flask.Response:
    _no_params()
    tidy = current_data().tidy

    def build() -> str:
        entries = list(_catalogue_entries(tidy).values())
        body = {"notice": NOTICE, "count": len(entries), "indicators": entries}
        return json.dumps(body, ensure_ascii=False)

    return _json(_memo("indicators_json", build))


def indicator_view(indicator_id: str) -> flask.Response:
    _no_params()
    tidy = current_data().tidy
    ra.indicator_id(tidy, ra.checked_path_id(indicator_id))
    return _json(json.dumps(_catalogue_entries(tidy)[indicator_id], ensure_ascii=False))


def areas_view() -> flask.Response:
    _no_params()
    tidy = current_data().tidy

    def build() -> str:
        entries = area_entries(tidy.areas)
        body = {"notice": NOTICE, "count": len(entries), "areas": entries}
        return json.dumps(body, ensure_ascii=False)

    return _json(_memo("areas_json", build))


def _filters(tidy: Tidy, query: dict[str, list[str]], ind: str) -> dict[str, Any]:
    area = ra.area_codes(tidy, query["area"])[0] if "area" in query else None
    year = ra.years(tidy, [ind], query["year"])[0] if "year" in query else None
    return {"area": area, "year": year}


def data_view() -> flask.Response:
    query = ra.read_query(flask.request.args, DATA_PARAMS)
    tidy = current_data().tidy
    ind = ra.indicator_id(tidy, query["indicator"][0])
    filters = _filters(tidy, query, ind)
    filters["breakdown"] = (
        ra.breakdown(tidy, ind, query["breakdown"][0]) if "breakdown" in query else None
    )
    frame, imported = with_origin(tidy, tidy.values(ind, **filters))
    columns = [*VALUE_COLUMNS, ORIGIN_COLUMN]
    rows = plain_rows(frame, columns)
    if query.get("format", ["json"])[0] == "csv":
        return flask.Response(frame_csv(rows, columns), mimetype="text/csv")
    meta = {"indicator": ind, "filters": filters}
    return _json(_envelope(meta, "rows", rows_json(rows), len(rows), bool(imported)))


def coverage_view() -> flask.Response:
    query = ra.read_query(flask.request.args, COVERAGE_PARAMS)
    tidy = current_data().tidy
    ind = ra.indicator_id(tidy, query["indicator"][0])
    filters = _filters(tidy, query, ind)
    frame, imported = with_origin(tidy, tidy.coverage(ind, **filters))
    rows = plain_rows(frame, [*COVERAGE_COLUMNS, ORIGIN_COLUMN])
    meta = {"indicator": ind, "filters": filters}
    return _json(_envelope(meta, "rows", rows_json(rows), len(rows), bool(imported)))


def openapi_view() -> flask.Response:
    _no_params()
    tidy = current_data().tidy
    return _json(_memo("openapi", lambda: json.dumps(openapi_document(tidy.catalogue.ids))))


def index_view() -> flask.Response:
    _no_params()
    body = {
        "notice": NOTICE,
        "openapi": f"{API_PREFIX}/openapi.json",
        "endpoints": [f"{API_PREFIX}/{p}" for p in ("indicators", "areas", "data", "coverage")],
    }
    return _json(json.dumps(body))


def no_endpoint(rest: str) -> flask.Response:
    return _error(f"no API endpoint {ra.shown('/' + rest)}; see {API_PREFIX}/openapi.json", 404)


# ---------------------------------------------------------------- wiring
def _after(response: flask.Response) -> flask.Response:
    response.headers["Access-Control-Allow-Origin"] = "*"  # open, read-only, no credentials
    if flask.request.method in ("GET", "HEAD") and response.status_code == 200:
        response.headers["Cache-Control"] = CACHE_CONTROL
        response.add_etag()
        response.make_conditional(flask.request)
    return response


def _bad_parameter(error: Exception) -> flask.Response:
    return _error(str(error), 400)


def _not_found(error: Exception) -> flask.Response:
    return _error(str(error), 404)


def _http_error(error: HTTPException) -> flask.Response:
    response = _error(error.description or error.name, error.code or 500)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _unexpected(error: Exception) -> flask.Response:
    log.exception("unexpected error in %s", flask.request.path)
    return _error("internal error: the failure has been logged", 500)


def _method_not_allowed(error: MethodNotAllowed) -> Any:
    """JSON 405 under the API prefix; other paths keep Flask's own answer."""
    if flask.request.path.startswith(API_PREFIX + "/") or flask.request.path == API_PREFIX:
        return _http_error(error)
    return error


def _blueprint() -> flask.Blueprint:
    bp = flask.Blueprint("api_v1", __name__, url_prefix=API_PREFIX)
    get = ["GET"]
    bp.add_url_rule("/", "index", index_view, methods=get, strict_slashes=False)
    bp.add_url_rule("/indicators", "indicators", indicators_view, methods=get)
    bp.add_url_rule("/indicators/<indicator_id>", "indicator", indicator_view, methods=get)
    bp.add_url_rule("/areas", "areas", areas_view, methods=get)
    bp.add_url_rule("/data", "data", data_view, methods=get)
    bp.add_url_rule("/coverage", "coverage", coverage_view, methods=get)
    bp.add_url_rule("/openapi.json", "openapi", openapi_view, methods=get)
    bp.add_url_rule("/<path:rest>", "no_endpoint", no_endpoint, methods=get)
    bp.after_request(_after)
    bp.register_error_handler(ra.BadParameterError, _bad_parameter)
    for error in (ra.NotFoundError, *ra.NOT_FOUND_ERRORS):
        bp.register_error_handler(error, _not_found)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(Exception, _unexpected)
    return bp


def install_api(app: dash.Dash) -> None:
    """Serve ``/api/v1`` from ``app``'s Flask server."""
    app.server.register_blueprint(_blueprint())
    app.server.register_error_handler(MethodNotAllowed, _method_not_allowed)
