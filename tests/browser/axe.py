"""Run axe-core (the npm build that scripts/axe.sh installs into .cache/axe) in the page a
dash[testing] driver shows, and return what it finds.

WebDriver evaluates the script through the DevTools protocol, so the page's Content Security
Policy (no inline scripts) does not stop the injection, and nothing about the app changes for
the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe files 2.2's new A criteria under wcag22a when it
# has rules for them; naming the tag costs nothing when it has none).
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")

_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then((result) => done({violations: result.violations, version: axe.version}))
  .catch((error) => done({error: String(error)}));
"""


def axe_source() -> str:
    if not AXE_JS.exists():
        raise FileNotFoundError(
            f"{AXE_JS.relative_to(ROOT)} is missing: run `bash scripts/axe.sh` (make test does)"
        )
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(driver: Any, tags: tuple[str, ...] = WCAG_TAGS) -> list[dict[str, Any]]:
    """axe's violations for the page ``driver`` shows (injecting axe once per document)."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(axe_source())
    driver.set_script_timeout(60)
    result: dict[str, Any] = driver.execute_async_script(_RUN, list(tags))
    if "error" in result:
        raise RuntimeError(f"axe-core failed: {result['error']}")
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]], limit: int = 3) -> str:
    """One line per rule broken, with the first few offending elements, for test messages."""
    lines = []
    for v in violations:
        targets = [" ".join(map(str, node.get("target", []))) for node in v.get("nodes", [])]
        shown = ", ".join(targets[:limit]) + (" ..." if len(targets) > limit else "")
        lines.append(f"{v['id']} ({v.get('impact')}): {v.get('help')} [{len(targets)}: {shown}]")
    return "\n".join(lines)
