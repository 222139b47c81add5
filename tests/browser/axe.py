"""axe-core in the browser tests: the accessibility rules run on the page as the browser drew it.

axe-core comes from node_modules (package-lock.json, installed by `make test` through `npm ci`),
injected into the page from our own files, never fetched from the web. The pages' Content
Security Policy allows only our own script files, so a context that runs axe is opened with
`bypass_csp=True`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# Every rule axe runs by default (WCAG 2.x A and AA, and its best practices), whatever the impact.
_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary.replace(/\\s+/g, " ")),
  }));
}"""


def axe_path() -> Path:
    """The axe-core script, or a loud skip (a failure under REQUIRE_BROWSER=1) where it is not
    installed."""
    if not AXE_JS.exists():
        message = f"ACCESSIBILITY CHECKS NOT RUN: {AXE_JS} is missing; `npm ci` installs it (make test does)."
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message + " REQUIRE_BROWSER=1 makes this a failure.")
        pytest.skip(message)
    return AXE_JS


def violations(page) -> list[dict]:
    """axe's violations on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_path()))
    return page.evaluate(_RUN)


def describe(found: list[dict]) -> str:
    return "\n".join(f"  {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found)


def assert_no_violations(page, where: str = "") -> None:
    found = violations(page)
    assert not found, f"axe found problems on {where or page.url}:\n{describe(found)}"
