"""Which database we talk to, and refusing early and clearly when we cannot.

The project promises three engines (DuckDB for the default embedded file, SQLite, PostgreSQL);
anything else may work through SQLAlchemy but is not tested, so we reject it up front rather than
fail halfway through a 40-million-row build. Errors are one line, name the offending value, and
never echo a password, because URLs end up in logs and terminals.

On PostgreSQL all our tables live in one schema (``csc`` by default) selected through the
connection's ``search_path``; code above this layer never names a schema, which is what lets an
atomic build fill a side schema and swap it in.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import Float

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "duckdb:///data/csc.duckdb"
LIVE_SCHEMA = "csc"
CONNECT_TIMEOUT_S = 5

_SUPPORTED = {
    "duckdb": {None, "duckdb"},
    "sqlite": {None, "pysqlite"},
    "postgresql": {None, "psycopg"},
}
_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([A-Za-z_][A-Za-z0-9_]*)")
_PASSWORD_IN_TEXT = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


class DatabaseURLError(ValueError):
    """A database URL we cannot use; the message is one line and safe to print."""


@compiles(Float, "duckdb")
def _duckdb_float_is_double(type_: Float, compiler: object, **kw: object) -> str:
    # DuckDB reads FLOAT as 4-byte REAL; money and distances need 8 bytes, as on the other engines.
    return "DOUBLE"


def mask_url(url: str | URL) -> str:
    """The URL as text with any password replaced by ***."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return _PASSWORD_IN_TEXT.sub(r"\1***@", url)


def _one_line(text: str, password: str | None) -> str:
    line = " ".join(str(text).split())
    if password:
        line = line.replace(password, "***")
    return line


def database_url(explicit: str | None = None) -> str:
    """The URL to use: the explicit one, else env DATABASE_URL, else the repo's default file."""
    if explicit:
        return explicit
    env = os.environ.get("DATABASE_URL")
    if env:
        return env
    return _absolute_default()


def _absolute_default() -> str:
    relative = DEFAULT_DATABASE_URL.removeprefix("duckdb:///")
    return f"duckdb:///{REPO_ROOT / relative}"


def parse_url(url: str | URL) -> URL:
    """Parse and normalise: ``postgresql://`` means psycopg 3; the literal default path is
    anchored at the repo root. Raises DatabaseURLError for malformed or unsupported URLs."""
    if isinstance(url, URL):
        parsed = url
    else:
        if url == DEFAULT_DATABASE_URL:
            url = _absolute_default()
        try:
            parsed = sa.make_url(url)
        except (ArgumentError, ValueError) as exc:
            raise DatabaseURLError(
                f"malformed database URL {mask_url(str(url))!r}: expected e.g. "
                "duckdb:///path/file.duckdb, sqlite:///path/file.sqlite or "
                "postgresql+psycopg://user@host/dbname"
            ) from exc
    backend = parsed.get_backend_name()
    driver = parsed.drivername.split("+", 1)[1] if "+" in parsed.drivername else None
    if backend not in _SUPPORTED or driver not in _SUPPORTED[backend]:
        raise DatabaseURLError(
            f"unsupported database {parsed.drivername!r} in {mask_url(parsed)!r}: "
            "use duckdb, sqlite or postgresql (psycopg)"
        )
    if backend == "postgresql" and driver is None:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def is_file_database(url: str | URL) -> bool:
    parsed = parse_url(url)
    return parsed.get_backend_name() in ("duckdb", "sqlite") and file_path(parsed) is not None


def file_path(url: str | URL) -> Path | None:
    """The database file for DuckDB/SQLite URLs, None for in-memory or server databases."""
    parsed = parse_url(url)
    if parsed.get_backend_name() not in ("duckdb", "sqlite"):
        return None
    db = parsed.database
    if not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db).expanduser().resolve()


def pg_schema(url: str | URL) -> str:
    """The schema our tables live in on PostgreSQL: the URL's ``options=-c search_path=...``,
    else ``csc``."""
    parsed = parse_url(url)
    options = parsed.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    match = _SEARCH_PATH.search(options)
    return match.group(1) if match else LIVE_SCHEMA


def with_pg_schema(url: str | URL, schema: str) -> str:
    """The same PostgreSQL URL pointed at another schema (password kept: for our own engines)."""
    parsed = parse_url(url)
    options = parsed.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    options = _SEARCH_PATH.sub("", options).strip()
    options = f"{options} -c search_path={schema}".strip()
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def make_engine(url: str | URL | None = None) -> sa.Engine:
    """An engine for a supported URL (None means :func:`database_url`)."""
    parsed = parse_url(database_url(None) if url is None else url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if "options" not in parsed.query or "search_path" not in str(parsed.query["options"]):
            parsed = parse_url(with_pg_schema(parsed, LIVE_SCHEMA))
        return sa.create_engine(
            parsed,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
            pool_pre_ping=True,
        )
    if backend == "sqlite":
        return sa.create_engine(parsed, connect_args={"timeout": 30})
    engine = sa.create_engine(parsed)
    sa.event.listen(engine, "connect", _quiet_duckdb)
    return engine


DUCKDB_MEMORY_LIMIT = os.environ.get("CSC_DUCKDB_MEMORY_LIMIT", "3GB")


def _quiet_duckdb(dbapi_connection: Any, connection_record: Any) -> None:
    # No progress bar: builds draw their own, and DuckDB's would print over them.
    dbapi_connection.execute("SET enable_progress_bar = false")
    # DuckDB takes 80% of RAM by default; a build's workers need room beside it (the 6 GB
    # budget), and larger queries spill to disk instead.
    dbapi_connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")


def check_database_url(url: str | URL) -> None:
    """Raise DatabaseURLError (one line, password masked) unless we can use ``url``: well formed,
    a supported engine, a reachable server, or a writable folder for a file database."""
    parsed = parse_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        _check_server(parsed)
        return
    path = file_path(parsed)
    if path is None:
        return
    _check_folder(parsed, path)


def _check_folder(parsed: URL, path: Path) -> None:
    shown = mask_url(parsed)
    folder = path.parent
    if not folder.is_dir():
        raise DatabaseURLError(f"folder {str(folder)!r} for database {shown!r} does not exist")
    if path.exists() and not path.is_file():
        raise DatabaseURLError(f"database path {str(path)!r} exists but is not a file")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".csc-write-check-"):
            pass
    except OSError as exc:
        raise DatabaseURLError(
            f"folder {str(folder)!r} for database {shown!r} is not writable: {exc.strerror}"
        ) from exc
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseURLError(f"database file {str(path)!r} is not readable and writable")


def _check_server(parsed: URL) -> None:
    engine = make_engine(parsed)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # any driver failure means "cannot use this URL"
        where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"
        reason = getattr(exc, "orig", None) or exc
        detail = _one_line(str(reason), parsed.password)
        raise DatabaseURLError(
            f"cannot connect to database {mask_url(parsed)!r} at {where}: {detail}"
        ) from None
    finally:
        engine.dispose()
