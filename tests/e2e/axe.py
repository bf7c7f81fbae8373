"""axe-core (Deque's accessibility engine, vendored by ``make vendor``) run inside a tour's page.

The script is evaluated through the DevTools protocol, which the page's Content Security Policy
does not govern, so the strict CSP stays on for the page itself.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
RUN = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ` +
    v.nodes.map((node) => node.target.join(" ")).join(", "));
}"""


def axe_violations(page: Page) -> list[str]:
    """WCAG violations axe finds in the page as it is now, one line each (empty: none)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    return page.evaluate(RUN)
