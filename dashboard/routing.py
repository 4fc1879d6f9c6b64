"""Real HTTP 404s for addresses no page claims.

Dash answers every path with the same HTML and routes in the browser, so by default a mistyped
address returns 200. Search engines, link checkers and API clients rely on the status code, so
the catch-all response is turned into a 404 (its body still renders the "Page not found" page).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import dash
import flask

NOT_FOUND_MODULE_SUFFIX = "not_found_404"


def _template_regex(template: str) -> re.Pattern[str]:
    parts = []
    for segment in template.strip("/").split("/"):
        if segment.startswith("<") and segment.endswith(">"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(segment))
    return re.compile("/".join(parts))


def is_known_page(path: str, pages: Iterable[Mapping[str, Any]]) -> bool:
    """Whether ``path`` (relative to the app's prefix) is served by one of ``pages``."""
    wanted = path.strip("/")
    for page in pages:
        if str(page.get("module", "")).endswith(NOT_FOUND_MODULE_SUFFIX):
            continue
        template = page.get("path_template")
        if template and _template_regex(str(template)).fullmatch(wanted):
            return True
        if str(page.get("path", "")).strip("/") == wanted:
            return True
    return False


def install_not_found_status(app: dash.Dash) -> None:
    """Make the catch-all route answer 404 for paths no registered page matches."""
    prefix = app.config.routes_pathname_prefix
    catch_all_rule = f"{prefix}<path:path>"

    def set_status(response: flask.Response) -> flask.Response:
        rule = flask.request.url_rule
        if rule is None or rule.rule != catch_all_rule or response.status_code != 200:
            return response
        relative = flask.request.path[len(prefix) - 1 :]
        if not is_known_page(relative, dash.page_registry.values()):
            response.status_code = 404
        return response

    app.server.after_request(set_status)
