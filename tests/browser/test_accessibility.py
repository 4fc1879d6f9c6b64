"""axe-core on every registered page in headless Chromium: no WCAG 2.0, 2.1 or 2.2 A or AA
violation, and no SEVERE console message.

Pages come from Dash's page registry, so a page added later is checked without editing this
file; templated paths get a sample indicator and LA. A few extra states (a search, an LA chosen)
are checked too. One browser visits every page and the failures of all pages are reported
together, so one run shows every page that needs fixing.
"""

from __future__ import annotations

import re
import socket
import time
from typing import Any

import dash
import pytest
from selenium.webdriver.support.ui import WebDriverWait

from app import create_app
from tests.browser.axe import axe_violations, describe

pytestmark = pytest.mark.browser

CAMDEN = "E09000007"  # in the small database (DfE code 202)
SAMPLES = {"indicator_id": "cin_rate", "area_code": CAMDEN, "ons_code": CAMDEN, "code": CAMDEN}
EXTRA_STATES = ["/?q=protection+plan", f"/indicator/cin_rate?area={CAMDEN}"]
NOT_FOUND_SUFFIX = "not_found_404"
RENDERED = """
const content = document.getElementById("_pages_content");
return !!content && content.children.length > 0
  && !document.querySelector('[data-dash-is-loading="true"]');
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def page_paths() -> list[tuple[str, bool]]:
    """(path, is the not-found page) for every registered page, templates filled in."""
    out = []
    for page in dash.page_registry.values():
        template = str(page.get("path_template") or page["path"])
        names = re.findall(r"<([^>]+)>", template)
        unknown = [n for n in names if n not in SAMPLES]
        assert not unknown, f"no sample value for path variable <{unknown[0]}> in {template}"
        path = re.sub(r"<([^>]+)>", lambda m: SAMPLES[m.group(1)], template)
        out.append((path, str(page["module"]).endswith(NOT_FOUND_SUFFIX)))
    return out


def severe_messages(dash_duo: Any, allow_document_404: str | None) -> list[str]:
    messages = []
    for entry in dash_duo.get_logs() or []:
        if entry.get("level") != "SEVERE":
            continue
        message = str(entry.get("message", ""))
        if allow_document_404 and f"{allow_document_404} - " in message and "404" in message:
            continue  # the not-found page's own 404 status
        messages.append(message)
    return messages


def test_every_page_passes_axe(dash_duo: Any, small_db: str) -> None:
    # The upload page is on (it is off by default), so its form is checked too; the check
    # writes nothing, so the shared read-only database will do.
    dash_duo.start_server(create_app(small_db, allow_upload=True), port=free_port())
    driver = dash_duo.driver
    paths = [*page_paths(), *((p, False) for p in EXTRA_STATES)]
    assert any(p == "/" for p, _ in paths), "the page registry has no overview"
    problems: dict[str, str] = {}
    for path, not_found in paths:
        driver.get(f"{dash_duo.server_url}{path}")
        try:
            WebDriverWait(driver, 30).until(lambda d: d.execute_script(RENDERED))
        except Exception as error:
            problems[path] = f"did not render: {type(error).__name__}"
            continue
        time.sleep(1.0)  # redirects from the remembered area, charts drawing
        found = describe(axe_violations(driver))
        logs = severe_messages(dash_duo, path if not_found else None)
        if found or logs:
            problems[path] = "\n".join(filter(None, [found, *(f"console: {m}" for m in logs)]))
    report = "\n\n".join(f"{path}\n{text}" for path, text in problems.items())
    assert not problems, f"{len(problems)} of {len(paths)} pages fail:\n\n{report}"
