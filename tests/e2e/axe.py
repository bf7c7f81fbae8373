"""axe-core (through axe-playwright-python, which ships the engine) run inside a tour's page.

The script is evaluated through the DevTools protocol, which the page's Content Security Policy
does not govern, so the strict CSP stays on for the page itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from axe_playwright_python.base import AXE_SCRIPT
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

AXE = Axe()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Page) -> list[str]:
    """WCAG violations axe finds in the page as it is now, one line each (empty: none)."""
    results = AXE.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results.response["violations"]
    ]


@dataclass(frozen=True)
class Finding:
    """A violation (``rule``) or a colour contrast axe could not decide, at one element."""

    rule: str
    target: str
    detail: str


@dataclass(frozen=True)
class Audit:
    violations: list[Finding]
    contrast_to_review: list[Finding]


def axe_audit(page: Page) -> Audit:
    """The WCAG 2.1 A and AA rules only, on the page as it is now.

    axe is injected once per document (it stays for the next runs, e.g. at other widths). Its
    colour-contrast rule returns as "incomplete" what it cannot decide alone (text over an image
    or a gradient, overlapping elements, SVG text): those come back for review, with axe's reason.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate(
        "options => axe.run(document, options)",
        {
            "runOnly": {"type": "tag", "values": WCAG_21_AA},
            "resultTypes": ["violations", "incomplete"],
        },
    )
    violations = [
        Finding(rule["id"], _target(node), rule["help"])
        for rule in results["violations"]
        for node in rule["nodes"]
    ]
    review = [
        Finding("color-contrast", _target(node), _contrast_detail(node))
        for rule in results["incomplete"]
        if rule["id"] == "color-contrast"
        for node in rule["nodes"]
    ]
    return Audit(violations, review)


def _target(node: dict[str, Any]) -> str:
    return " ".join(str(part) for part in node["target"])


def _contrast_detail(node: dict[str, Any]) -> str:
    """axe's reason for leaving the contrast undecided (bgImage, imgNode, bgOverlap...)."""
    data = next((check["data"] for check in node["any"] if check.get("data")), None) or {}
    return str(data.get("messageKey") or "unknown")
