"""The web dashboard: ``create_app()`` for tests and WSGI servers, ``python app.py`` to serve.

The app reads the small reference tables once at creation and keeps no database connection, so
a running dashboard never blocks a rebuild of an embedded DuckDB file. ``server`` is resolved on
first access (``gunicorn app:server``) so that importing this module never builds a database.
"""

from __future__ import annotations

import argparse
import importlib
import os
import secrets
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:  # the heavy imports wait until an app is built, so usage errors come fast
    import flask
    from dash import Dash

    from dashboard.context import DashboardData

ROOT = Path(__file__).resolve().parent
DEFAULT_DATABASE_PATH = ROOT / "data" / "csc.duckdb"
DEFAULT_DATABASE_URL = f"duckdb:///{DEFAULT_DATABASE_PATH}"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050


def database_url_from_env() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def ensure_default_database(database_url: str, *, progress: bool = True) -> None:
    """Build the default DuckDB file if it is missing; other databases are left alone."""
    if database_url != DEFAULT_DATABASE_URL or DEFAULT_DATABASE_PATH.exists():
        return
    from dashboard.data_access import DatabaseNotReadyError

    try:
        # Imported here: the builder pulls in the whole simulation, which serving never needs.
        builder = importlib.import_module("data.build")
    except ModuleNotFoundError as error:
        if error.name != "data.build":
            raise
        raise DatabaseNotReadyError(
            f"{DEFAULT_DATABASE_PATH} is missing and this checkout has no data.build to make it; "
            "set DATABASE_URL to a built database"
        ) from error
    build_database = builder.build_database
    from data.cli import metrics_step

    print(f"Building the default database {DEFAULT_DATABASE_PATH} (first run only)...")
    build_database(database_url, progress=progress, after_load=metrics_step(quiet=not progress))


def upload_allowed_from_env() -> bool:
    """The upload page is off unless the person running the app turns it on."""
    return os.environ.get("CSC_ALLOW_UPLOAD") == "1"


def create_app(database_url: str | None = None, *, allow_upload: bool | None = None) -> Dash:
    """The Dash app for ``database_url`` (default: ``DATABASE_URL`` or the bundled DuckDB file).

    Only with the default DuckDB file is a missing database built first; any other URL must point
    at a database that ``python -m data build`` has filled. ``allow_upload`` (default: the
    environment's ``CSC_ALLOW_UPLOAD=1``) serves the upload page at ``/upload``, to requests
    from this machine only.
    """
    from dash import Dash, dcc, html, page_container

    from dashboard import ids
    from dashboard.api import install_api
    from dashboard.downloads import install_downloads
    from dashboard.routing import install_not_found_status
    from dashboard.security import install_security_headers
    from dashboard.shell import APP_TITLE
    from dashboard.upload_access import install_upload

    if database_url is None:
        database_url = database_url_from_env()
        ensure_default_database(database_url)
    if allow_upload is None:
        allow_upload = upload_allowed_from_env()
    data = read_data(database_url)

    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(ROOT / "dashboard" / "pages"),
        assets_folder=str(ROOT / "assets"),
        title=APP_TITLE,
        update_title="",
        serve_locally=True,
        compress=True,  # gzip every response (flask-compress): pages must stay under 2 MB
        # True: otherwise Dash pages embeds every page's full layout in every HTML response as
        # a validation layout (over 500 kB here). Callbacks are exercised by the server tests.
        suppress_callback_exceptions=True,
    )
    # The chosen area lives in the browser (localStorage) so it follows the user across pages;
    # everything else about a view lives in its URL.
    app.layout = html.Div([dcc.Store(id=ids.CHOSEN_AREA, storage_type="local"), page_container])
    server = app.server
    server.secret_key = os.environ.get("SECRET_KEY") or secrets.token_hex(32)
    serve_data(app, data)
    install_not_found_status(app)
    install_security_headers(app)
    install_api(app)
    install_downloads(app)

    def reload() -> None:
        serve_data(app, read_data(str(database_url)))

    install_upload(app, database_url, enabled=allow_upload, reload=reload)
    return app


def read_data(database_url: str) -> DashboardData:
    """Everything the pages show, read from the database once (the engine is let go after)."""
    from dashboard.context import DashboardData
    from dashboard.data_access import (
        read_local_authorities,
        read_statistical_neighbours,
        read_tidy,
    )

    return DashboardData(
        local_authorities=read_local_authorities(database_url),
        tidy=read_tidy(database_url),
        statistical_neighbours=read_statistical_neighbours(database_url),
    )


def serve_data(app: Dash, data: DashboardData) -> None:
    """Make ``data`` what ``app`` shows: at creation, and after an upload loads new returns.
    The banner is part of the page template, so its wording follows the data's origins."""
    from dashboard import shell
    from dashboard.context import attach
    from dashboard.origins import imported_years, phase_text

    _warm(data)
    attach(app.server, data)
    app.index_string = shell.index_string(phase_text(imported_years(data.tidy)))


def _warm(data: DashboardData) -> None:
    """Derive the per-app summaries the pages share (headline values, overview cards, coverage
    folds) now, once, so the first visitor does not wait seconds for them."""
    from dashboard.coverage_data import coverage_data
    from dashboard.headline import headline
    from dashboard.overview_cards import cards_for

    headline(data.tidy)
    cards_for(data.tidy)
    coverage_data(data.tidy)


_default_app: Dash | None = None


def __getattr__(name: str) -> flask.Flask:
    """``server`` for WSGI servers, created on first access rather than at import."""
    if name != "server":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    global _default_app
    if _default_app is None:
        _default_app = create_app()
    server: flask.Flask = _default_app.server
    return server


class _OneLineParser(argparse.ArgumentParser):
    """Usage errors as a single line on stderr, exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a whole number, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 1 and 65535, got {port}")
    return port


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = _OneLineParser(
        prog="app.py",
        description="Serve the children's social care indicators dashboard (synthetic data).",
    )
    parser.add_argument("--host", default=None, help=f"interface (env HOST; {DEFAULT_HOST})")
    parser.add_argument("--port", type=_port, default=None, help=f"port (env PORT; {DEFAULT_PORT})")
    args = parser.parse_args(argv)
    if args.host is None:
        args.host = os.environ.get("HOST") or DEFAULT_HOST
    if args.port is None:
        env_port = os.environ.get("PORT")
        try:
            args.port = _port(env_port) if env_port else DEFAULT_PORT
        except argparse.ArgumentTypeError as error:
            parser.error(f"environment variable PORT: {error}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from sqlalchemy.engine import make_url

    from dashboard.data_access import DatabaseNotReadyError

    database_url = database_url_from_env()
    try:
        app = create_app()
    except DatabaseNotReadyError as error:
        print(f"app.py: error: {error}", file=sys.stderr)
        return 1
    shown = make_url(database_url).render_as_string(hide_password=True)
    print(f"Serving {shown} on http://{args.host}:{args.port}/ (synthetic data)")
    app.run(host=args.host, port=args.port, debug=os.environ.get("CSC_DEBUG") == "1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
