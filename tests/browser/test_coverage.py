"""The coverage page in headless Chromium: choose a gap and an LA, press the button, and see the
address, the chart and the table change; the back button returns to the first view."""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import create_engine, text

from dashboard import ids

pytestmark = pytest.mark.browser

MEASURE = "ethnicity_unknown"
MEASURE_TITLE = "Children with ethnicity refused or not obtained"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def an_la_with_a_share(url: str) -> tuple[str, str, float]:
    """An LA whose latest ethnicity-unknown share is shown (not suppressed)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            code, name, value = conn.execute(
                text(
                    "select area_code, area_name, value from coverage_values "
                    "where measure = :m and geographic_level = 'local_authority' "
                    "and value is not null and time_period = (select max(time_period) "
                    "from coverage_values where measure = :m) order by area_name limit 1"
                ),
                {"m": MEASURE},
            ).one()
    finally:
        engine.dispose()
    return str(code), str(name), float(value)


def legend(dash_duo: Any) -> list[str]:
    items = dash_duo.find_elements(f"#{ids.COVERAGE_ALL_LAS}-graph .legendtext")
    return [item.text for item in items]


def wait_for_stored_area(dash_duo: Any, code: str, seconds: float = 10) -> bool:
    """Whether the chosen-area store (localStorage) comes to hold ``code``."""
    script = f"return window.localStorage.getItem('{ids.CHOSEN_AREA}');"
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        stored = dash_duo.driver.execute_script(script)
        if stored is not None and code in stored:
            return True
        time.sleep(0.2)
    return False


def test_choose_a_gap_and_an_la(dash_duo: Any, small_db: str, small_app: Any) -> None:
    code, name, value = an_la_with_a_share(small_db)
    dash_duo.start_server(small_app, port=free_port())
    dash_duo.driver.get(f"{dash_duo.server_url}/coverage")
    dash_duo.wait_for_text_to_equal(f"#{ids.COVERAGE_HEADING}", "Data coverage and quality")
    first_url = dash_duo.driver.current_url
    first_summary = dash_duo.find_element(f"#{ids.COVERAGE_ALL_LAS}-summary").text

    dash_duo.find_element(f"#{ids.COVERAGE_MEASURE} input[value='{MEASURE}']").click()
    picker = dash_duo.find_element(f"#{ids.COVERAGE_AREA}")
    picker.clear()
    picker.send_keys(f"{name} ({code})")
    dash_duo.find_element(f"#{ids.COVERAGE_APPLY}").click()

    dash_duo.wait_for_contains_text(f"#{ids.COVERAGE_ALL_LAS}-summary", f"{name}: {value:.1f}%")
    query = parse_qs(urlsplit(dash_duo.driver.current_url).query)
    assert query["measure"] == [MEASURE]
    assert query["area"] == [code]
    summary = dash_duo.find_element(f"#{ids.COVERAGE_ALL_LAS}-summary").text
    assert summary.startswith(MEASURE_TITLE)
    # Plotly redraws after the summary has changed: wait for the legend rather than look once.
    WebDriverWait(dash_duo.driver, 10).until(lambda _: f"{name} {value:.1f}%" in legend(dash_duo))
    chosen = dash_duo.find_elements(f"#{ids.COVERAGE_ALL_LAS}-table tbody th")
    assert f"{name} (chosen)" in [cell.get_attribute("textContent") for cell in chosen]
    assert dash_duo.find_element(f"#{ids.COVERAGE_PROFILE}-summary").text.startswith(
        f"Coverage of {name}'s returns"
    )
    assert wait_for_stored_area(dash_duo, code)

    dash_duo.driver.back()
    dash_duo.wait_for_text_to_equal(f"#{ids.COVERAGE_ALL_LAS}-summary", first_summary)
    assert dash_duo.driver.current_url == first_url
    # The LA chosen a moment ago is offered, not forced: no redirect away from this view.
    dash_duo.wait_for_contains_text(f"#{ids.COVERAGE_REMEMBERED}", f"Show {name}'s coverage")
    assert dash_duo.find_element(f"#{ids.COVERAGE_AREA}").get_attribute("value") == (
        f"{name} ({code})"
    )
    assert dash_duo.driver.current_url == first_url
    assert dash_duo.get_logs() == []
