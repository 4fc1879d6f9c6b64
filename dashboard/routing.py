"""Real HTTP 404s for addresses no page claims.

Dash answers every path with the same HTML and routes in the browser, so by default a mistyped
address returns 200. Search engines, link checkers and API clients rely on the status code, so
the catch-all response is turned into a 404 (its body still renders the "Page not found" page).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import dash
import flask

NOT_FOUND_MODULE_SUFFIX = "not_found_404"

# A templated page whose variables can name something that does not exist (an unknown indicator
# id, an unknown LA code) registers here, keyed by its path template, a check of its path
# variables, so a mistyped address answers 404 although the template matches. A plain path may
# register too (its check gets no variables): a page that an app may have turned off, such as
# /upload. Checks run inside the request, so they may read the app's data and settings.
PathValidator = Callable[[Mapping[str, str]], bool]
VALIDATORS: dict[str, PathValidator] = {}


def _template_regex(template: str) -> re.Pattern[str]:
    parts = []
    for segment in template.strip("/").split("/"):
        if segment.startswith("<") and segment.endswith(">"):
            parts.append(f"(?P<{segment[1:-1]}>[^/]+)")
        else:
            parts.append(re.escape(segment))
    return re.compile("/".join(parts))


def is_known_page(
    path: str,
    pages: Iterable[Mapping[str, Any]],
    validators: Mapping[str, PathValidator] | None = None,
) -> bool:
    """Whether ``path`` (relative to the app's prefix) is served by one of ``pages``; the path
    must also pass its template's (or plain path's) entry in ``validators``, if it has one."""
    wanted = path.strip("/")
    for page in pages:
        if str(page.get("module", "")).endswith(NOT_FOUND_MODULE_SUFFIX):
            continue
        template = page.get("path_template")
        if template:
            match = _template_regex(str(template)).fullmatch(wanted)
            if match:
                check = (validators or {}).get(str(template))
                return check is None or bool(check(match.groupdict()))
        path = str(page.get("path", ""))
        if path.strip("/") == wanted:
            check = (validators or {}).get(path)
            return check is None or bool(check({}))
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
        if not is_known_page(relative, dash.page_registry.values(), VALIDATORS):
            response.status_code = 404
        return response

    app.server.after_request(set_status)
