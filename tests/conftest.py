"""Fixtures every test folder shares: a fresh database on each supported engine, and the
headless Chromium options dash[testing] needs on Debian, as root, with no network."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL_ENV = "CSC_TEST_PG_URL"
PG_MISSING = "CSC_TEST_PG_URL not set: run through `make test`, which starts PostgreSQL"
CHROMIUM = "/usr/bin/chromium"


SMALL_DB_ENV = "CSC_SMALL_DB"  # local only: path of a prebuilt small database to reuse
SMALL_LAS = ["202", "805", "926"]
SMALL_YEARS = range(2023, 2026)


def _built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The file ``build`` makes, made once per test session. Under pytest-xdist each worker is
    a process with its own session fixtures, so the first worker to take the lock builds the
    file in the folder the workers share and the others wait for it and reuse it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        path = factory.mktemp(name) / f"{name}.duckdb"
        build(path)
        return path
    shared = factory.getbasetemp().parent  # the run's folder; each worker's is inside it
    path, done = shared / f"{name}.duckdb", shared / f"{name}.done"
    with (shared / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            build(path)
            done.touch()
    return path


def _built_db(factory: pytest.TempPathFactory, name: str, **params: Any) -> Path:
    """A DuckDB file built once per session as ``python -m data build`` builds one (records,
    then the tidy tables), with ``params`` for ``build_database``."""
    from data.build import build_database
    from data.cli import metrics_step

    def build(path: Path) -> None:
        build_database(
            f"duckdb:///{path}", progress=False, workers=1, after_load=metrics_step(), **params
        )

    return _built_once(factory, name, build)


@pytest.fixture(scope="session")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URL of a DuckDB database built as ``python -m data build`` builds one, but small: records
    for ``SMALL_LAS`` (three regions, three sizes) x ``SMALL_YEARS`` and the tidy tables for every
    computable indicator. Shared by the session, and read-only: open it, never change it."""
    prebuilt = os.environ.get(SMALL_DB_ENV)
    if prebuilt and not os.environ.get("CI"):
        # Local speed-up while developing: reuse a file built by an earlier session.
        return f"duckdb:///{prebuilt}?access_mode=read_only"
    path = _built_db(
        tmp_path_factory, "small", la_codes=SMALL_LAS, seed=11, scale=0.3, years=SMALL_YEARS
    )
    # Read-only: several processes may open one DuckDB file only that way.
    return f"duckdb:///{path}?access_mode=read_only"


@pytest.fixture(scope="session")
def small_app(small_db: str) -> Any:
    """The dashboard over ``small_db``, created once for every test that only requests pages:
    creating an app reads and summarises every tidy table, seconds each time. Tests that
    change what an app serves (an upload, another database) create their own."""
    from app import create_app

    return create_app(small_db, allow_upload=False)


TINY_LA, TINY_YEARS = "805", range(2024, 2026)


@pytest.fixture(scope="session")
def tiny_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file built as ``python -m data build`` builds one, for one LA (``TINY_LA``) and
    two years, with its tidy tables: the database imports are tried against. Copy it before
    changing it (``tiny_db``)."""
    return _built_db(
        tmp_path_factory, "tiny", la_codes=[TINY_LA], seed=5, scale=0.2, years=TINY_YEARS
    )


@pytest.fixture
def tiny_db(tiny_db_file: Path, tmp_path: Path) -> str:
    """URL of a private, writable copy of the tiny database."""
    path = tmp_path / "tiny.duckdb"
    shutil.copyfile(tiny_db_file, path)
    return f"duckdb:///{path}"


NATIONAL_DB_ENV = "CSC_REALISM_DB"  # a prebuilt national database to reuse (local or CI cache)


NATIONAL_BUILD_DIR_ENV = "CSC_NATIONAL_BUILD_DIR"  # a build scripts/test.sh started already
NATIONAL_BUILD_LIMIT_S = 45 * 60


def _national_build_command(path: Path) -> list[str]:
    """``python -m data build`` of the default national database into ``path`` (as
    scripts/test.sh runs it)."""
    return [sys.executable, "-m", "data", "build", "--quiet", "--database-url", f"duckdb:///{path}"]


class _NationalBuild:
    """``python -m data build`` of the default national database, run in the background so that
    its ~10 minutes of simulation use the second core beside the rest of the suite instead of
    following it. ``make test`` starts it before lint and types and names its folder in
    ``CSC_NATIONAL_BUILD_DIR`` (the folder gets a ``status`` file holding the exit code when
    the build ends); otherwise the session starts it as soon as the tests that need it are
    collected."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None
        self.adopted = False

    @property
    def path(self) -> Path:
        assert self.folder is not None
        return self.folder / "national.duckdb"

    @property
    def log(self) -> Path:
        assert self.folder is not None
        return self.folder / "build.log"

    def start(self) -> None:
        if self.folder is not None:
            return
        started = os.environ.get(NATIONAL_BUILD_DIR_ENV)
        if started:
            self.folder, self.adopted = Path(started), True
            return
        self.folder = Path(tempfile.mkdtemp(prefix="csc-national-"))
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                _national_build_command(self.path),
                cwd=Path(__file__).resolve().parents[1],
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=lambda: os.nice(10),  # the tests in the foreground come first
            )

    def wait(self) -> Path:
        self.start()
        status = self._wait_adopted() if self.adopted else self._wait_own()
        if status != 0:
            tail = self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
            pytest.fail(f"national build failed (exit {status}):\n{tail}", pytrace=False)
        return self.path

    def _wait_own(self) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout=NATIONAL_BUILD_LIMIT_S)

    def _wait_adopted(self) -> int:
        assert self.folder is not None
        status = self.folder / "status"
        deadline = time.monotonic() + NATIONAL_BUILD_LIMIT_S
        while not status.exists():
            if time.monotonic() > deadline:
                pytest.fail(f"national build in {self.folder} did not finish", pytrace=False)
            time.sleep(1)
        return int(status.read_text().strip() or 1)

    def stop(self) -> None:
        if self.adopted:
            return  # scripts/test.sh started it and stops it
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


_NATIONAL = _NationalBuild()


@pytest.fixture(scope="session")
def national_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the default national DuckDB database (153 LAs, 2017-2026, seed 1) with its tidy
    tables, built once per session as ``python -m data build`` builds it (in the background
    from the start of the session), or reused from ``CSC_REALISM_DB``. The realism and
    calibration tests open it read-only."""
    existing = os.environ.get(NATIONAL_DB_ENV)
    if existing:
        return Path(existing)
    if _xdist_without_adopted_build():
        # Workers of one run must not each build it: one does, in the foreground.
        def build(path: Path) -> None:
            subprocess.run(_national_build_command(path), check=True)

        return _built_once(tmp_path_factory, "national", build)
    return _NATIONAL.wait()


def _xdist_without_adopted_build() -> bool:
    return bool(os.environ.get("PYTEST_XDIST_WORKER")) and not os.environ.get(
        NATIONAL_BUILD_DIR_ENV
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _NATIONAL.stop()


def engine_name_of(url: str) -> str:
    """``duckdb``, ``sqlite`` or ``postgresql`` for a SQLAlchemy URL."""
    return make_url(url).get_backend_name()


@pytest.fixture(
    params=[
        "duckdb",
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a fresh, empty database, once per supported engine."""
    engine: str = request.param
    if engine == "duckdb":
        yield f"duckdb:///{tmp_path / 'test.duckdb'}"
    elif engine == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
    else:
        yield from _fresh_postgres_database()


@pytest.fixture
def engine_name(db_url: str) -> str:
    """The engine behind ``db_url``: ``duckdb``, ``sqlite`` or ``postgresql``."""
    return engine_name_of(db_url)


def _fresh_postgres_database() -> Iterator[str]:
    server_url = os.environ.get(PG_URL_ENV)
    if not server_url:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_MISSING} (CI must run the PostgreSQL tests)", pytrace=False)
        pytest.skip(PG_MISSING)
    name = f"csc_t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def pytest_setup_options() -> Any:
    """Chrome options for dash[testing]'s ``dash_duo`` (a dash[testing] hook)."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    if not os.environ.get("DASH_TEST_CHROMEPATH") and Path(CHROMIUM).exists():
        options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
        "--window-size=1280,1024",
    ):
        options.add_argument(flag)
    return options


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests on the national database run last, with its build started now in the background.
    Locally, browser tests without Chromium are skipped with the fix; in CI they run (and
    fail) because CI must exercise them."""
    national = [i for i in items if "national_db" in getattr(i, "fixturenames", ())]
    if national:
        items[:] = [i for i in items if i not in national] + national
        if not os.environ.get(NATIONAL_DB_ENV) and not _xdist_without_adopted_build():
            _NATIONAL.start()
    if os.environ.get("CI") or (
        shutil.which("chromedriver")
        and (Path(CHROMIUM).exists() or os.environ.get("DASH_TEST_CHROMEPATH"))
    ):
        return
    skip = pytest.mark.skip(
        reason="chromium/chromedriver not installed: run `make test` (installs them as root)"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)
