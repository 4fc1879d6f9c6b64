"""The compare page in headless Chromium: add and remove areas, and go back."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.support.ui import WebDriverWait

from dashboard import ids

pytestmark = pytest.mark.browser

CAMDEN, HARTLEPOOL = "E09000007", "E06000001"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def table_areas(dash_duo: Any) -> list[str]:
    """Row headers of the cin_rate table; [] while the page is being drawn again."""
    try:
        table = dash_duo.driver.find_element("css selector", f"#{ids.COMPARE_TABLES}-cin_rate")
        return [th.text for th in table.find_elements("css selector", "tbody th")]
    except (NoSuchElementException, StaleElementReferenceException):
        return []


def test_add_and_remove_areas_then_go_back(dash_duo: Any, small_app: Any) -> None:
    dash_duo.start_server(small_app, port=free_port())
    dash_duo.driver.get(f"{dash_duo.server_url}/compare?area={CAMDEN}&indicator=cin_rate")
    dash_duo.wait_for_element(f"#{ids.COMPARE_TABLES}-cin_rate", timeout=20)
    assert table_areas(dash_duo) == ["Camden", "England"]

    dash_duo.find_element(f"#{ids.COMPARE_AREA_PICKER}").send_keys(f"Hartlepool ({HARTLEPOOL})")
    dash_duo.find_element(f"#{ids.COMPARE_ADD_AREA}").click()
    WebDriverWait(dash_duo.driver, 20).until(
        lambda _: table_areas(dash_duo) == ["Camden", "Hartlepool", "England"]
    )
    assert f"area={CAMDEN}&area={HARTLEPOOL}" in dash_duo.driver.current_url
    assert dash_duo.find_element(f"#{ids.COMPARE_CHART}-graph .main-svg").is_displayed()

    remove = dash_duo.driver.find_element(
        "xpath", f"//li[contains(., '{CAMDEN}')]//button[contains(., 'Remove')]"
    )
    remove.click()
    WebDriverWait(dash_duo.driver, 20).until(
        lambda _: table_areas(dash_duo) == ["Hartlepool", "England"]
    )

    dash_duo.driver.back()
    WebDriverWait(dash_duo.driver, 20).until(
        lambda _: table_areas(dash_duo) == ["Camden", "Hartlepool", "England"]
    )
    assert [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"] == []
