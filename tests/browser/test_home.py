"""The overview page and the shell in a real headless Chromium: what a visitor actually sees."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from dashboard import ids
from metrics.catalogue import load_catalogue

pytestmark = pytest.mark.browser

CAMDEN = "E09000007"
CARDS = f"#{ids.OVERVIEW_CARDS} li.csc-card"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def severe(dash_duo: Any) -> list[Any]:
    return [e for e in dash_duo.get_logs() or [] if e.get("level") == "SEVERE"]


def nav_link(dash_duo: Any, label: str) -> Any:
    for link in dash_duo.find_elements(f"#{ids.NAV} a"):
        if link.text == label:
            return link
    raise AssertionError(f"no navigation link {label!r}")


def test_overview_search_lives_in_the_url(dash_duo: Any, small_app: Any) -> None:
    dash_duo.start_server(small_app, port=free_port())
    driver = dash_duo.driver
    dash_duo.wait_for_contains_text(f"#{ids.OVERVIEW_HEADING}", "Children's social care")
    assert "SYNTHETIC" in dash_duo.find_element(f"#{ids.PHASE_BANNER}").text
    assert driver.find_element("css selector", "html").get_attribute("lang") == "en"
    assert driver.title == "Overview - Children's social care indicators"
    header = dash_duo.find_element(f"#{ids.HEADER}")
    assert header.value_of_css_property("background-color") == "rgba(11, 12, 12, 1)"
    assert nav_link(dash_duo, "Overview").get_attribute("aria-current") == "page"
    total = len(load_catalogue())
    assert len(dash_duo.find_elements(CARDS)) == total

    box = dash_duo.find_element(f"#{ids.OVERVIEW_SEARCH}")
    box.send_keys("protection plan")
    box.send_keys(Keys.ENTER)
    WebDriverWait(driver, 15).until(lambda d: d.current_url.endswith("/?q=protection+plan"))
    dash_duo.wait_for_contains_text(f"#{ids.OVERVIEW_RESULT_COUNT}", "match")
    shown = len(dash_duo.find_elements(CARDS))
    assert 0 < shown < total
    count = dash_duo.find_element(f"#{ids.OVERVIEW_RESULT_COUNT}").text
    assert count.startswith(f"{shown} of {total}")
    # The page re-rendered from its new URL: the count reaches screen readers through the
    # shell's live region, and the keyboard user is still in the search box.
    announcer = dash_duo.find_element(f"#{ids.ANNOUNCER}")
    assert announcer.get_attribute("aria-live") == "polite"
    WebDriverWait(driver, 5).until(lambda d: announcer.get_attribute("textContent") == count)
    WebDriverWait(driver, 5).until(
        lambda d: d.execute_script("return document.activeElement.id") == ids.OVERVIEW_SEARCH
    )

    driver.back()
    WebDriverWait(driver, 15).until(lambda d: "?q=" not in d.current_url)
    dash_duo.wait_for_text_to_equal(
        f"#{ids.OVERVIEW_RESULT_COUNT}", f"Showing all {total} indicators."
    )
    assert len(dash_duo.find_elements(CARDS)) == total

    # A card leads to its indicator page, which the navigation files under the overview.
    dash_duo.find_element(f"#{ids.OVERVIEW_CARD}-cin_rate a").click()
    WebDriverWait(driver, 15).until(lambda d: d.current_url.endswith("/indicator/cin_rate"))
    WebDriverWait(driver, 15).until(
        lambda d: nav_link(dash_duo, "Overview").get_attribute("aria-current") == "true"
    )
    assert severe(dash_duo) == []


def test_navigation_carries_the_chosen_area_and_reflows(dash_duo: Any, small_app: Any) -> None:
    dash_duo.start_server(small_app, port=free_port())
    driver = dash_duo.driver
    dash_duo.wait_for_contains_text(f"#{ids.OVERVIEW_HEADING}", "Children's social care")
    profile = nav_link(dash_duo, "Local authority profile")
    assert profile.get_attribute("href").endswith("/la")
    # What dcc.Store(storage_type="local") writes when a page stores the chosen LA.
    driver.execute_script(f"localStorage.setItem('{ids.CHOSEN_AREA}', '\"{CAMDEN}\"')")
    driver.execute_script("arguments[0].focus()", profile)
    assert profile.get_attribute("href").endswith(f"/la/{CAMDEN}")
    assert nav_link(dash_duo, "Compare").get_attribute("href").endswith(f"/compare?area={CAMDEN}")
    assert nav_link(dash_duo, "Glossary").get_attribute("href").endswith("/glossary")

    # A link to a glossary entry lands on it once Dash has drawn the page.
    driver.get(f"{dash_duo.server_url}/glossary#term-sdq")
    dash_duo.wait_for_element("#term-sdq")
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return window.scrollY") > 0)
    assert nav_link(dash_duo, "Glossary").get_attribute("aria-current") == "page"
    # The remembered area survives a full page load.
    assert nav_link(dash_duo, "Coverage").get_attribute("href").endswith(f"?area={CAMDEN}")

    # 320 CSS pixels wide (WCAG reflow): nothing scrolls sideways.
    driver.set_window_size(320, 900)
    driver.get(f"{dash_duo.server_url}/")
    dash_duo.wait_for_element(CARDS)
    width = driver.execute_script("return document.documentElement.clientWidth")
    scroll = driver.execute_script("return document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll}px wide in a {width}px window"
    assert severe(dash_duo) == []


def test_unknown_address_shows_not_found_page(dash_duo: Any, small_app: Any) -> None:
    dash_duo.start_server(small_app, port=free_port())
    dash_duo.driver.get(f"{dash_duo.server_url}/not/a/page")

    dash_duo.wait_for_text_to_equal(f"#{ids.NOT_FOUND_HEADING}", "Page not found")
    # The only console error allowed is the 404 status of the document itself.
    unexpected = [
        entry
        for entry in dash_duo.get_logs()
        if not ("/not/a/page - " in entry["message"] and "404 (NOT FOUND)" in entry["message"])
    ]
    assert unexpected == []
