"""The indicator page in headless Chromium: pick an LA, see the address and the charts change,
reload the address and see the same view."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import create_engine, text

from dashboard import ids

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def an_la(url: str) -> tuple[str, str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            code, name = conn.execute(
                text(
                    "select area_code, area_name from indicator_values where indicator_id = "
                    "'cin_rate' and geographic_level = 'local_authority' and breakdown = 'total' "
                    "and value is not null order by area_name limit 1"
                )
            ).one()
    finally:
        engine.dispose()
    return str(code), str(name)


def summary_text(dash_duo: Any, block: str) -> str:
    return str(dash_duo.find_element(f"#{block}-summary").text)


def test_pick_an_la_then_reload_the_address(dash_duo: Any, small_db: str, small_app: Any) -> None:
    code, name = an_la(small_db)
    dash_duo.start_server(small_app, port=free_port())
    dash_duo.driver.get(f"{dash_duo.server_url}/indicator/cin_rate")
    title = "Children in need per 10,000 children"
    dash_duo.wait_for_text_to_equal(f"#{ids.INDICATOR_HEADING}", title)
    dash_duo.wait_for_contains_text(f"#{ids.INDICATOR_TIMESERIES}-summary", "England's rate")
    # Plotly draws each figure after its props arrive: wait for it rather than look once.
    assert dash_duo.wait_for_element(f"#{ids.INDICATOR_MAP}-graph .js-plotly-plot")

    picker = dash_duo.find_element(f"#{ids.INDICATOR_AREA}")
    picker.clear()
    picker.send_keys(f"{name} ({code})")
    picker.send_keys(Keys.ENTER)

    dash_duo.wait_for_contains_text(f"#{ids.INDICATOR_TIMESERIES}-summary", f"{name}'s rate")
    assert f"area={code}" in dash_duo.driver.current_url
    seen = {
        block: summary_text(dash_duo, block)
        for block in (ids.INDICATOR_TIMESERIES, ids.INDICATOR_BARS, ids.INDICATOR_MAP)
    }
    assert f"{name} is outlined" in seen[ids.INDICATOR_MAP]

    def legend(driver: Any) -> list[str]:
        found = driver.find_elements("css selector", f"#{ids.INDICATOR_BARS}-graph .legendtext")
        return [item.text for item in found]

    WebDriverWait(dash_duo.driver, 10).until(lambda d: f"{name} (chosen)" in legend(d))
    stored = dash_duo.driver.execute_script(
        f"return window.localStorage.getItem('{ids.CHOSEN_AREA}');"
    )
    assert stored is not None and code in stored

    address = dash_duo.driver.current_url
    dash_duo.driver.get(address)
    dash_duo.wait_for_contains_text(f"#{ids.INDICATOR_TIMESERIES}-summary", f"{name}'s rate")
    assert dash_duo.driver.current_url == address
    for block, before in seen.items():
        assert summary_text(dash_duo, block) == before
    assert dash_duo.find_element(f"#{ids.INDICATOR_AREA}").get_attribute("value") == (
        f"{name} ({code})"
    )
    assert dash_duo.get_logs() == []
