"""The home page in a real headless Chromium: what a visitor actually sees."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, insert

from app import create_app
from dashboard import ids
from data.schema import ref_la

pytestmark = pytest.mark.browser

LAS = [
    ("E06000001", "805", "Hartlepool", "North East", "E12000001", 21090),
    ("E06000002", "806", "Middlesbrough", "North East", "E12000001", 35617),
    ("E09000007", "202", "Camden", "London", "E12000007", 41502),
    ("E08000013", "342", "St. Helens", "North West", "E12000002", 37120),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def app_url(tmp_path: Path) -> str:
    url = f"duckdb:///{tmp_path / 'browser.duckdb'}"
    engine = create_engine(url)
    ref_la.create(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(ref_la),
            [
                {
                    "ons_code": ons,
                    "dfe_la_code": dfe,
                    "la_name": name,
                    "la_type": "Unitary authority",
                    "region_code": region_code,
                    "region_name": region,
                    "inner_outer_london": None,
                    "population_0_17": population,
                    "centroid_lat": 53.0,
                    "centroid_lon": -1.5,
                }
                for ons, dfe, name, region, region_code, population in LAS
            ],
        )
    engine.dispose()
    return url


def test_home_page_in_chromium(dash_duo: Any, app_url: str) -> None:
    dash_duo.start_server(create_app(app_url), port=free_port())

    dash_duo.wait_for_text_to_equal(f"#{ids.HOME_HEADING}", "Local authorities covered")
    banner = dash_duo.find_element(f"#{ids.PHASE_BANNER}")
    assert banner.is_displayed()
    assert "SYNTHETIC" in banner.text

    rows = dash_duo.find_elements(f"#{ids.HOME_LA_TABLE} tbody tr")
    names = [row.find_element("css selector", "th").text for row in rows]
    assert names == sorted(name for _, _, name, *_ in LAS)
    camden_cells = [cell.text for cell in rows[0].find_elements("css selector", "td")]
    assert camden_cells == ["E09000007", "202", "London", "41,502"]

    assert dash_duo.driver.find_element("css selector", "html").get_attribute("lang") == "en"
    assert dash_duo.driver.title == "Local authorities covered - Children's social care indicators"
    # The stylesheet from assets/ is applied: the header is the GOV.UK black bar.
    header = dash_duo.find_element(f"#{ids.HEADER}")
    assert header.value_of_css_property("background-color") == "rgba(11, 12, 12, 1)"

    assert dash_duo.get_logs() == []


def test_unknown_address_shows_not_found_page(dash_duo: Any, app_url: str) -> None:
    dash_duo.start_server(create_app(app_url), port=free_port())
    dash_duo.driver.get(f"{dash_duo.server_url}/not/a/page")

    dash_duo.wait_for_text_to_equal(f"#{ids.NOT_FOUND_HEADING}", "Page not found")
    # The only console error allowed is the 404 status of the document itself.
    unexpected = [
        entry
        for entry in dash_duo.get_logs()
        if not ("/not/a/page - " in entry["message"] and "404 (NOT FOUND)" in entry["message"])
    ]
    assert unexpected == []
