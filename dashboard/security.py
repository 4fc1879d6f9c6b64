"""HTTP security headers, including a Content-Security-Policy that allows no foreign code.

The dashboard needs nothing from other origins at run time (no CDN, no web fonts, no analytics),
so the policy is 'self' only. Dash writes a few inline scripts (the renderer bootstrap and
clientside callbacks, some registered only on the first request), so their hashes are read when
each response is sent rather than once at start-up.
"""

from __future__ import annotations

import dash
import flask
from flask_talisman import Talisman

_BASE_POLICY: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],  # React and Plotly set style attributes
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def content_security_policy(script_hashes: list[str]) -> str:
    policy = {**_BASE_POLICY, "script-src": ["'self'", *script_hashes]}
    return "; ".join(f"{name} {' '.join(values)}" for name, values in policy.items())


def install_security_headers(app: dash.Dash) -> None:
    Talisman(
        app.server,
        force_https=False,  # TLS is terminated in front of the app, when there is one
        session_cookie_secure=False,
        content_security_policy=None,  # set below, once Dash's inline scripts are known
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )

    def set_policy(response: flask.Response) -> flask.Response:
        response.headers["Content-Security-Policy"] = content_security_policy(
            list(app.csp_hashes())
        )
        return response

    app.server.after_request(set_policy)
