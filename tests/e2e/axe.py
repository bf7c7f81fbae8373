"""axe-core (through axe-playwright-python, which ships the engine) run inside a tour's page.

The script is evaluated through the DevTools protocol, which the page's Content Security Policy
does not govern, so the strict CSP stays on for the page itself.
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE = Axe()


def axe_violations(page: Page) -> list[str]:
    """WCAG violations axe finds in the page as it is now, one line each (empty: none)."""
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results.response["violations"]
    ]
