"""Time from navigation to the first chart on screen, in headless Chromium.

The app is served by ``create_app(url).run`` in a process of its own, and each repeat uses a
new browser with an empty profile, so every navigation downloads the scripts as a first visit
does. A script injected before the page's own records ``performance.now()`` (milliseconds since
navigation started) on the first animation frame where a Plotly chart's SVG has a size on
screen: the figure does not depend on how often the benchmark polls the browser.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bench.machine import REPO_ROOT
from bench.measure import stop_group

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHART = ".js-plotly-plot .main-svg"
SERVER_START_TIMEOUT_S = 600
CHART_TIMEOUT_S = 60

# Runs in every document before its own scripts: watches for the first visible chart.
WATCH_FIRST_CHART = f"""
(function () {{
  window.__firstChartMs = null;
  function visible(el) {{
    var box = el.getBoundingClientRect();
    var style = window.getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden"
      && style.display !== "none";
  }}
  function check() {{
    var charts = document.querySelectorAll({CHART!r});
    for (var i = 0; i < charts.length; i++) {{
      if (visible(charts[i])) {{ window.__firstChartMs = performance.now(); return; }}
    }}
    window.requestAnimationFrame(check);
  }}
  window.requestAnimationFrame(check);
}})();
"""

_SERVE = (
    "import sys; from app import create_app; "
    "create_app(sys.argv[1]).run(host='127.0.0.1', port=int(sys.argv[2]), debug=False)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _browser(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1024",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


RESOURCES_JS = """
return performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
  .map(function (e) { return {name: e.name, transfer: e.transferSize, encoded: e.encodedBodySize,
                              decoded: e.decodedBodySize}; });
"""


def one_navigation(address: str, workdir: Path) -> dict[str, Any]:
    """A fresh browser opens ``address``; the times to the first visible chart and what it
    downloaded by then."""
    with tempfile.TemporaryDirectory(dir=workdir) as profile:
        driver = _browser(Path(profile))
        try:
            driver.execute_cdp_cmd(
                "Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_FIRST_CHART}
            )
            start = time.perf_counter()
            driver.get(address)
            deadline = start + CHART_TIMEOUT_S
            in_page = None
            while time.perf_counter() < deadline:
                in_page = driver.execute_script("return window.__firstChartMs;")
                if in_page is not None:
                    break
                time.sleep(0.02)
            wall = time.perf_counter() - start
            resources = driver.execute_script(RESOURCES_JS) or []
            logs = [
                entry.get("message", "")
                for entry in driver.get_log("browser")
                if entry.get("level") == "SEVERE"
            ]
        finally:
            driver.quit()
    return {
        "first_chart_s": None if in_page is None else float(in_page) / 1000,
        "wall_to_detection_s": wall,
        "resources": len(resources),
        "transfer_bytes": int(sum(r.get("transfer") or 0 for r in resources)),
        "encoded_body_bytes": int(sum(r.get("encoded") or 0 for r in resources)),
        "decoded_body_bytes": int(sum(r.get("decoded") or 0 for r in resources)),
        "largest_resources": sorted(
            ({"name": r["name"], "encoded": r.get("encoded") or 0} for r in resources),
            key=lambda r: -int(r["encoded"]),
        )[:8],
        "severe_console_messages": logs[:5],
    }


def first_chart_times(url: str, path: str, repeats: int, workdir: Path) -> dict[str, Any]:
    """Serve the app for ``url`` and open ``path`` ``repeats`` times, each in a new browser."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = (workdir / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-c", _SERVE, url, str(port)],
        cwd=REPO_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        while not _answers(base + "/"):
            if server.poll() is not None:
                raise RuntimeError(f"the app server exited {server.returncode} before answering")
            if time.perf_counter() - started > SERVER_START_TIMEOUT_S:
                raise RuntimeError(f"the app server did not answer in {SERVER_START_TIMEOUT_S} s")
            time.sleep(0.5)
        server_start = time.perf_counter() - started
        runs = [one_navigation(base + path, workdir) for _ in range(repeats)]
    finally:
        stop_group(server)
        log.close()
    return {"address": path, "server_start_s": server_start, "runs": runs}
