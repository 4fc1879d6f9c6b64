"""Engine selection and URL checks: wrong URLs are refused early, in one line, without passwords."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from data.engine import (
    DEFAULT_DATABASE_URL,
    DatabaseURLError,
    check_database_url,
    database_url,
    make_engine,
    parse_url,
)
from data.load import create_tables

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "hunter2secret"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _assert_clean_error(exc: pytest.ExceptionInfo[DatabaseURLError], *needles: str) -> None:
    message = str(exc.value)
    assert "\n" not in message
    assert PASSWORD not in message
    for needle in needles:
        assert needle in message


def test_database_url_prefers_explicit_then_env_then_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///from-env.sqlite")
    assert database_url("duckdb:///explicit.duckdb") == "duckdb:///explicit.duckdb"
    assert database_url(None) == "sqlite:///from-env.sqlite"
    monkeypatch.delenv("DATABASE_URL")
    assert database_url(None) == f"duckdb:///{REPO_ROOT / 'data' / 'csc.duckdb'}"


def test_default_path_is_anchored_at_repo_root_not_cwd(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert parse_url(DEFAULT_DATABASE_URL).database == str(REPO_ROOT / "data" / "csc.duckdb")


def test_plain_postgresql_means_psycopg() -> None:
    assert parse_url("postgresql://u@h/d").drivername == "postgresql+psycopg"


@pytest.mark.parametrize(
    "url, needle",
    [
        ("not a url at all", "not a url at all"),
        (f"postgresql://user:{PASSWORD}@host:notaport/db", "notaport"),
    ],
)
def test_malformed_url(url: str, needle: str) -> None:
    with pytest.raises(DatabaseURLError) as exc:
        check_database_url(url)
    _assert_clean_error(exc, "malformed", needle)


@pytest.mark.parametrize(
    "url, needle",
    [
        (f"mysql://user:{PASSWORD}@localhost/db", "mysql"),
        (f"postgresql+asyncpg://user:{PASSWORD}@localhost/db", "postgresql+asyncpg"),
        ("oracle://localhost/db", "oracle"),
    ],
)
def test_unsupported_engine(url: str, needle: str) -> None:
    with pytest.raises(DatabaseURLError) as exc:
        check_database_url(url)
    _assert_clean_error(exc, "unsupported", needle)


def test_unreachable_server_fails_fast_and_hides_password() -> None:
    port = _closed_port()
    started = time.monotonic()
    with pytest.raises(DatabaseURLError) as exc:
        check_database_url(f"postgresql://user:{PASSWORD}@127.0.0.1:{port}/db")
    assert time.monotonic() - started < 10
    _assert_clean_error(exc, f"127.0.0.1:{port}", "cannot connect")


def test_missing_folder_for_file_database(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'no' / 'such' / 'x.duckdb'}"
    with pytest.raises(DatabaseURLError) as exc:
        check_database_url(url)
    _assert_clean_error(exc, str(tmp_path / "no" / "such"), "does not exist")


def test_unwritable_folder_for_file_database(tmp_path: Path) -> None:
    # A "folder" that is a regular file cannot hold a database, even for root.
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(DatabaseURLError) as exc:
        check_database_url(f"sqlite:///{blocker / 'x.sqlite'}")
    _assert_clean_error(exc, str(blocker))


def test_good_file_urls_pass(tmp_path: Path) -> None:
    check_database_url(f"duckdb:///{tmp_path / 'a.duckdb'}")
    check_database_url(f"sqlite:///{tmp_path / 'a.sqlite'}")
    check_database_url("duckdb:///:memory:")
    assert list(tmp_path.iterdir()) == []  # the check leaves nothing behind


def test_make_engine_connects_and_checks(db_url: str) -> None:
    check_database_url(db_url)
    engine = make_engine(db_url)
    try:
        create_tables(engine, ["ref_la"])
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT COUNT(*) FROM ref_la")).scalar() == 0
            if conn.dialect.name == "postgresql":
                schema = conn.execute(
                    sa.text(
                        "SELECT table_schema FROM information_schema.tables"
                        " WHERE table_name = 'ref_la'"
                    )
                ).scalar()
                assert schema == "csc"
    finally:
        engine.dispose()
