"""One web worker's resident memory, measured in a process of its own.

The benchmark process holds its own app, timings and rendered pages, so its RSS says nothing
about a worker's. A child process builds the app as ``gunicorn app:server`` would, reports its
RSS, renders every page kind through the test client (the per-app caches fill as they would in
service), reports again, and then after a longer session over many views.
"""

from __future__ import annotations

import ctypes
import gc
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.machine import REPO_ROOT

PROBE_TIMEOUT_S = 1800
_CHILD = "import sys; from bench.dash_memory import probe_main; probe_main(sys.argv[1:])"


def _trim() -> int | None:
    """RSS after glibc hands freed memory back to the system (None where there is no glibc)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return None
    libc.malloc_trim(0)
    return _rss()


def _rss() -> int:
    import psutil

    return int(psutil.Process().memory_info().rss)


def probe(
    url: str, first_of_each_kind: list[list[str]], session: list[list[str]]
) -> dict[str, Any]:
    """In the child: RSS after create_app, after one page of each kind, after the session.
    Pages are ``[path, search]`` pairs; each is fetched as HTML and through the router."""
    import resource

    from app import create_app
    from bench.dash_requests import ROUTER_KEY, router_payload

    before = _rss()
    app = create_app(url)
    client = app.server.test_client()
    client.get("/")  # the first request sets up Dash's callback map
    after_create = _rss()
    spec = app.callback_map[ROUTER_KEY]
    statuses: dict[str, int] = {}

    def visit(path: str, search: str) -> None:
        client.get(path + search)
        response = client.post("/_dash-update-component", json=router_payload(spec, path, search))
        statuses[path + search] = response.status_code

    for path, search in first_of_each_kind:
        visit(path, search)
    after_kinds = _rss()
    for path, search in session:
        visit(path, search)
    after_session = _rss()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    from dashboard.context import current_data

    with app.server.app_context():
        tidy_bytes = current_data().tidy.memory_bytes()
    # Last, as a diagnosis only: how much of the RSS is memory freed but kept by the allocator.
    gc.collect()
    trimmed = _trim()
    return {
        "rss_interpreter_bytes": before,
        "rss_after_create_app_bytes": after_create,
        "rss_after_every_page_kind_bytes": after_kinds,
        "rss_after_session_bytes": after_session,
        "peak_rss_bytes": peak,
        "tidy_frames_bytes": tidy_bytes,
        "rss_after_session_gc_and_malloc_trim_bytes": trimmed,
        "pages_per_kind": len(first_of_each_kind),
        "session_pages": len(session),
        "failed_pages": {k: v for k, v in statuses.items() if v >= 500},
    }


def probe_main(argv: list[str]) -> None:
    spec = json.loads(Path(argv[0]).read_text())
    result = probe(spec["url"], spec["kinds"], spec["session"])
    Path(argv[1]).write_text(json.dumps(result))


def measure_worker_memory(
    url: str, kinds: list[list[str]], session: list[list[str]], workdir: Path
) -> dict[str, Any]:
    """Run :func:`probe` in a fresh interpreter; raises RuntimeError naming what failed."""
    workdir.mkdir(parents=True, exist_ok=True)
    request = workdir / "memory-request.json"
    answer = workdir / "memory-answer.json"
    request.write_text(json.dumps({"url": url, "kinds": kinds, "session": session}))
    done = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _CHILD, str(request), str(answer)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT_S,
    )
    if done.returncode != 0 or not answer.exists():
        last = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"memory probe exited {done.returncode}: {last}")
    result: dict[str, Any] = json.loads(answer.read_text())
    return result
