"""The LA profile in headless Chromium: pick an LA, keep it across pages, and print it."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from dashboard import ids

pytestmark = pytest.mark.browser

HARTLEPOOL = "E06000001"
# The text of the print stylesheet's @page rules (margin boxes are not in the DOM).
PAGE_MARGIN_TEXT = """
const out = [];
const walk = (rules) => { for (const rule of rules) {
  if (rule instanceof CSSPageRule) out.push(rule.cssText);
  else if (rule.cssRules) walk(rule.cssRules);
} };
for (const sheet of document.styleSheets) { try { walk(sheet.cssRules); } catch (e) {} }
return out.join(" ");
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def wait_for_url(dash_duo: Any, ending: str) -> None:
    WebDriverWait(dash_duo.driver, 15).until(lambda d: d.current_url.endswith(ending))


def severe(dash_duo: Any) -> list[Any]:
    return [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]


def test_pick_an_la_and_keep_it_across_pages(dash_duo: Any, small_app: Any) -> None:
    dash_duo.start_server(small_app, port=free_port())
    dash_duo.driver.get(f"{dash_duo.server_url}/la")
    dash_duo.wait_for_text_to_equal(f"#{ids.PROFILE_HEADING}", "Local authority profile")

    picker = dash_duo.find_element(f"#{ids.PROFILE_PICKER}")
    picker.send_keys("Hartlepool")
    picker.send_keys(Keys.ENTER)
    dash_duo.wait_for_text_to_equal(f"#{ids.PROFILE_HEADING}", "Hartlepool", timeout=20)
    wait_for_url(dash_duo, f"/la/{HARTLEPOOL}")
    assert dash_duo.find_element(f"#{ids.PROFILE_NEIGHBOURS}").is_displayed()
    stored = dash_duo.driver.execute_script(f"return localStorage.getItem('{ids.CHOSEN_AREA}')")
    assert stored == f'"{HARTLEPOOL}"'

    # A fresh load of the compare page starts from the remembered LA...
    dash_duo.driver.get(f"{dash_duo.server_url}/compare")
    dash_duo.wait_for_contains_text(f"#{ids.COMPARE_AREA_LIST}", "Hartlepool", timeout=20)
    wait_for_url(dash_duo, f"/compare?area={HARTLEPOOL}")

    # ...and so does the profile chooser.
    dash_duo.driver.get(f"{dash_duo.server_url}/la")
    dash_duo.wait_for_text_to_equal(f"#{ids.PROFILE_HEADING}", "Hartlepool", timeout=20)
    wait_for_url(dash_duo, f"/la/{HARTLEPOOL}")
    assert severe(dash_duo) == []


def test_profile_prints_without_navigation_but_with_the_synthetic_notice(
    dash_duo: Any, small_app: Any
) -> None:
    dash_duo.start_server(small_app, port=free_port())
    dash_duo.driver.get(f"{dash_duo.server_url}/la/{HARTLEPOOL}")
    dash_duo.wait_for_text_to_equal(f"#{ids.PROFILE_HEADING}", "Hartlepool", timeout=20)
    assert dash_duo.find_element(f"#{ids.HEADER}").is_displayed()  # on screen first

    dash_duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    header = dash_duo.find_element(f"#{ids.HEADER}")
    WebDriverWait(dash_duo.driver, 5).until(lambda _: not header.is_displayed())
    assert not dash_duo.find_element(f"#{ids.PROFILE_PICKER}").is_displayed()
    assert not dash_duo.find_element(f"#{ids.PROFILE_PICKER_BUTTON}").is_displayed()
    banner = dash_duo.find_element(f"#{ids.PHASE_BANNER}")
    assert banner.is_displayed() and "SYNTHETIC" in banner.text
    # ...and repeated in the top margin of every printed sheet.
    margin_notice = dash_duo.driver.execute_script(PAGE_MARGIN_TEXT)
    assert "SYNTHETIC" in margin_notice
    summary = dash_duo.find_element(f"#{ids.PROFILE_SUMMARY}")
    assert summary.is_displayed()
    row = summary.find_element("css selector", "tbody tr")
    assert row.value_of_css_property("break-inside") == "avoid"
    link = summary.find_element("css selector", "tbody th a")
    after = dash_duo.driver.execute_script(
        "return getComputedStyle(arguments[0], '::after').content", link
    )
    assert "/indicator/" in after  # the address printed after the link text

    dash_duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    WebDriverWait(dash_duo.driver, 5).until(lambda _: header.is_displayed())
    assert severe(dash_duo) == []
