"""The upload page in headless Chromium: choose an LA, drop a bad file, check it with the
keyboard, read the report (announced in the live region), and find the database unchanged.
axe-core runs on the page with the report shown."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from app import create_app
from dashboard import ids
from data.load import table_checksums
from tests.browser.axe import axe_violations, describe

pytestmark = pytest.mark.browser

# A 903 episodes table separated by semicolons: the file layer refuses it.
BAD_EPISODES = "CHILD;DECOM;RNE;LS;CIN;PLACE;PLACE_PROVIDER;DEC;REC;REASON_PLACE_CHANGE\n1;x\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def checksums(url: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        return table_checksums(engine)
    finally:
        engine.dispose()


def test_a_bad_file_shows_the_report_and_loads_nothing(
    dash_duo: Any, small_db: str, tmp_path: Path
) -> None:
    db = tmp_path / "upload.duckdb"
    shutil.copyfile(str(make_url(small_db).database), db)
    db.chmod(0o644)
    url = f"duckdb:///{db}"
    bad = tmp_path / "episodes.csv"
    bad.write_text(BAD_EPISODES, encoding="utf-8")
    before = checksums(url)

    dash_duo.start_server(create_app(url, allow_upload=True), port=free_port())
    driver = dash_duo.driver
    driver.get(f"{dash_duo.server_url}/upload")
    dash_duo.wait_for_text_to_equal(f"#{ids.UPLOAD_HEADING}", "Load an LA's own returns")
    assert "SYNTHETIC" in dash_duo.find_element(f"#{ids.PHASE_BANNER}").text

    picker = dash_duo.find_element(f"#{ids.UPLOAD_LA}")
    picker.send_keys("Hartlepool (E06000001)")
    picker.send_keys(Keys.TAB)

    # The file input is a real, focusable control inside the drop box's label.
    chooser = driver.find_element(By.CSS_SELECTOR, f"#{ids.UPLOAD_FILES} input[type=file]")
    assert driver.execute_script(
        "arguments[0].focus(); return document.activeElement === arguments[0];", chooser
    )
    assert driver.execute_script(
        "return arguments[0].labels.length === 1 && "
        "arguments[0].labels[0].textContent.includes('Return files');",
        chooser,
    )
    chooser.send_keys(str(bad))
    dash_duo.wait_for_contains_text(f"#{ids.UPLOAD_FILE_LIST}", "episodes.csv", timeout=10)

    check = dash_duo.find_element(f"#{ids.UPLOAD_CHECK}")
    driver.execute_script("arguments[0].focus();", check)
    check.send_keys(Keys.ENTER)

    verdict = "Not loaded: the files for Hartlepool, 2025 have 1 error"
    dash_duo.wait_for_contains_text(f"#{ids.UPLOAD_STATUS}", verdict, timeout=30)
    status = dash_duo.find_element(f"#{ids.UPLOAD_STATUS}")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    summary = dash_duo.find_element(f"#{ids.UPLOAD_SUMMARY}").text
    assert summary.startswith("Summary: rejected: 1 error")
    assert "file.delimiter" in dash_duo.find_element(f"#{ids.UPLOAD_COUNTS}").text
    first = dash_duo.find_element(f"#{ids.UPLOAD_FINDINGS} tbody tr")
    assert first.text.startswith("episodes.csv")
    assert "semicolons" in first.text
    assert driver.find_elements(By.ID, ids.UPLOAD_CONFIRM) == []  # nothing to load
    assert dash_duo.find_element(f"#{ids.UPLOAD_REPORT_CSV}").get_attribute("href")

    found = describe(axe_violations(driver))
    assert not found, f"axe on the upload report:\n{found}"
    severe = [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]
    assert not severe, severe
    assert checksums(url) == before
