"""The served app end to end through Flask's test client, on every database engine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from app import create_app
from dashboard import ids
from dashboard.data_access import DatabaseNotReadyError
from data.schema import ref_la
from tests.dashboard.helpers import find_by_id, render_page, text_of

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def reference_db(small_db: str) -> str:
    """A built database (the app needs the tidy tables as well as the reference tables)."""
    return small_db


def la_count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(ref_la)).scalar_one())
    finally:
        engine.dispose()


def test_overview_page_shows_shell_and_england_figures(small_db: str) -> None:
    client = create_app(small_db).server.test_client()

    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="en"' in html
    assert 'href="#main-content"' in html and "Skip to main content" in html
    assert "SYNTHETIC" in html
    assert "Open Government Licence" in html

    content = render_page(client, "/")
    assert text_of(find_by_id(content, ids.OVERVIEW_HEADING)).startswith("Children's social care")
    # England's latest children-in-need rate, read straight from the tidy table and formatted
    # by hand: one decimal, thousands separators, the unit after it.
    engine = create_engine(small_db)
    with engine.connect() as conn:
        year, value = conn.execute(
            text(
                "SELECT time_period, value FROM indicator_values WHERE indicator_id = 'cin_rate' "
                "AND geographic_level = 'national' AND breakdown = 'total' "
                "ORDER BY time_period DESC LIMIT 1"
            )
        ).one()
    engine.dispose()
    card = find_by_id(content, f"{ids.OVERVIEW_CARD}-cin_rate")
    assert card is not None
    card_text = text_of(card)
    assert f"England, {year}" in card_text
    assert f"{value:,.1f} per 10,000 children" in card_text


def test_unknown_path_is_404_but_still_renders_the_not_found_page(reference_db: str) -> None:
    client = create_app(reference_db).server.test_client()

    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "SYNTHETIC" in response.get_data(as_text=True)

    content = render_page(client, "/no/such/page")
    assert text_of(find_by_id(content, ids.NOT_FOUND_HEADING)) == "Page not found"


def test_assets_are_served_locally_and_policy_forbids_other_origins(reference_db: str) -> None:
    client = create_app(reference_db).server.test_client()

    css = client.get("/assets/govuk.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"

    page = client.get("/")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "http" not in policy
    assert page.headers["X-Frame-Options"] == "DENY"
    # Every script the page loads comes from this server.
    assert 'src="http' not in page.get_data(as_text=True)


def test_missing_reference_table_is_a_clear_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    with pytest.raises(DatabaseNotReadyError, match="ref_la is missing"):
        create_app(url)


def run_app_py(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--port", "eighty"], {}, "port must be a whole number"),
        (["--port", "70000"], {}, "port must be between 1 and 65535"),
        (["--colour", "blue"], {}, "unrecognized arguments: --colour blue"),
        ([], {"PORT": "0"}, "environment variable PORT"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    args: list[str], env: dict[str, str], message: str
) -> None:
    result = run_app_py(*args, env=env)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("app.py: error: ")
    assert message in lines[0]


def test_import_is_lazy_and_server_reads_database_url(reference_db: str) -> None:
    code = (
        "import sys, app\n"
        "assert app._default_app is None, 'importing app.py created the app'\n"
        "assert 'data.build' not in sys.modules, 'importing app.py loaded the builder'\n"
        "print(type(app.server).__name__, len(app._default_app.server.extensions"
        "['csc_dashboard'].local_authorities))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": reference_db},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Flask", str(la_count(reference_db))]
