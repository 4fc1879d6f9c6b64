"""Who may use the upload page: nobody unless it is turned on, and then only this machine.

Loading returns replaces an LA-year in the database, and the files hold real children's
records, so the page exists only for an analyst running the dashboard on their own computer
(``CSC_ALLOW_UPLOAD=1 python app.py``). Off, ``/upload`` is an unknown page (404) and its
callbacks accept nothing. On, every upload request must come from a loopback address, carry no
proxy forwarding header (a proxy on the same machine would make every visitor look local), and
name a loopback host (a page elsewhere cannot reach it by pointing its own domain name at
127.0.0.1). Refusals are 403 with a sentence saying why, never a 500.
"""

from __future__ import annotations

import atexit
import ipaddress
import math
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import dash
import flask

from dashboard.upload_files import UploadError, read_report
from data.validate.files import MB, Limits

UPLOAD_PATH = "/upload"
REPORT_PATH = "/upload/report.csv"
_EXTENSION_KEY = "csc_upload"
LOOPBACK_NAMES = frozenset({"localhost"})
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-Ip")
# dcc.Upload sends each file base64-encoded (4 bytes per 3) inside a JSON callback request.
REQUEST_OVERHEAD = 1 * MB
# With the page off no request needs more than this (the largest callback states are a few kB).
OFF_REQUEST_BYTES = 10 * MB
NOT_LOCAL = (
    "The upload page answers only requests made on the computer running the dashboard "
    "(open it at http://127.0.0.1:PORT/upload there)."
)


@dataclass
class UploadSettings:
    """The upload page's configuration for one app."""

    enabled: bool
    database_url: str
    reload: Callable[[], None]  # re-read the database into the running app after a load
    limits: Limits = field(default_factory=Limits)
    load_lock: threading.Lock = field(default_factory=threading.Lock)  # one load at a time
    loaded: set[str] = field(default_factory=set)  # tokens loaded (a second click says so)
    _dir_lock: threading.Lock = field(default_factory=threading.Lock)
    _work_dir: Path | None = None

    def work_dir(self) -> Path:
        """The app's private folder for checked files (mode 0700, removed at exit)."""
        with self._dir_lock:
            if self._work_dir is None:
                path = Path(tempfile.mkdtemp(prefix="csc-upload-"))
                atexit.register(shutil.rmtree, path, True)
                self._work_dir = path
            return self._work_dir


def max_request_bytes(limits: Limits) -> int:
    """The largest request an upload of ``limits.total_bytes`` of files can make."""
    return math.ceil(limits.total_bytes * 4 / 3) + REQUEST_OVERHEAD


# ---------------------------------------------------------------- where a request comes from
class _Headers(Protocol):
    def get(self, key: str, /) -> str | None: ...


def is_loopback_address(address: str | None) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def is_loopback_host(host: str | None) -> bool:
    """Whether a Host header ('127.0.0.1:8050', 'localhost', '[::1]:8050') names this machine."""
    if not host:
        return False
    text = host.strip().lower()
    if text.startswith("["):
        name = text[1:].split("]", 1)[0]
    else:
        name = text.rsplit(":", 1)[0] if text.count(":") == 1 else text
    return name in LOOPBACK_NAMES or is_loopback_address(name)


def is_local_request(remote_address: str | None, host: str | None, headers: _Headers) -> bool:
    """A request made on this machine, straight to this server."""
    if any(headers.get(name) for name in FORWARDING_HEADERS):
        return False
    return is_loopback_address(remote_address) and is_loopback_host(host)


# ---------------------------------------------------------------- the current request
def settings() -> UploadSettings | None:
    found = flask.current_app.extensions.get(_EXTENSION_KEY)
    return found if isinstance(found, UploadSettings) else None


def upload_enabled() -> bool:
    found = settings()
    return found is not None and found.enabled


def request_is_local() -> bool:
    request = flask.request
    return is_local_request(request.remote_addr, request.host, request.headers)


def require_upload() -> UploadSettings:
    """The settings, for an upload callback or view; aborts 404 when the page is off and 403
    for a request from another machine."""
    found = settings()
    if found is None or not found.enabled:
        flask.abort(404)
    if not request_is_local():
        flask.abort(403, NOT_LOCAL)
    return found


def _refuse_remote() -> flask.Response | None:
    """Before any request for the page or its report: refuse other machines with a reason."""
    path = flask.request.path
    if path != UPLOAD_PATH and not path.startswith(UPLOAD_PATH + "/"):
        return None
    if upload_enabled() and not request_is_local():
        return flask.Response(NOT_LOCAL + "\n", status=403, mimetype="text/plain")
    return None


def report_view() -> flask.Response:
    """The full report of a check as CSV (the page shows only the first findings)."""
    found = require_upload()
    token = flask.request.args.get("token", "")
    try:
        text = read_report(found.work_dir(), token)
    except UploadError:
        flask.abort(404)
    response = flask.Response("\ufeff" + text, mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="upload-report.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


def install_upload(
    app: dash.Dash,
    database_url: str,
    *,
    enabled: bool,
    reload: Callable[[], None],
    limits: Limits | None = None,
) -> None:
    """Attach the upload settings to ``app``, cap request sizes and guard the page's paths."""
    chosen = limits or Limits()
    found = UploadSettings(enabled, database_url, reload, chosen)
    server = app.server
    server.extensions[_EXTENSION_KEY] = found
    # Oversized requests are refused with 413 before their body is read.
    server.config["MAX_CONTENT_LENGTH"] = (
        max_request_bytes(chosen) if enabled else OFF_REQUEST_BYTES
    )
    server.before_request(_refuse_remote)
    server.add_url_rule(REPORT_PATH, "upload_report", report_view, methods=["GET"])
