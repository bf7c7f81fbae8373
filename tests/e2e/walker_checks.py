"""What the page walker measures in a loaded page, at the current viewport width (the scripts
are walker_overflow.js and walker_contrast.js beside this module)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

HERE = Path(__file__).parent
OVERFLOW = (HERE / "walker_overflow.js").read_text()
CONTRAST = (HERE / "walker_contrast.js").read_text()
TARGETS = (HERE / "walker_targets.js").read_text()
SETTLE = """() => new Promise(resolve => requestAnimationFrame(
    () => resolve(!document.querySelector('.htmx-request'))))"""


def settle(page: Page) -> None:
    """Wait for the next frame after a load or resize (resize handlers have run by then; the
    layout itself is brought up to date by whatever reads it), and for htmx requests a page
    sends on load (the draft editor's preview) to land."""
    if not page.evaluate(SETTLE):
        page.wait_for_function("() => !document.querySelector('.htmx-request')")


def horizontal_overflow(page: Page) -> tuple[int, list[str]]:
    """How many pixels the document is wider than the viewport, and the elements to blame."""
    excess, culprits = page.evaluate(OVERFLOW)
    return int(excess), list(culprits)


def unusable_controls(page: Page) -> list[str]:
    """Controls out of the viewport's reach or too small to tap (see walker_targets.js)."""
    return list(page.evaluate(TARGETS))


# axe's reasons for leaving a contrast undecided that the painted colours settle: text in an SVG
# chart (imgNode), a short text (shortTextContent), an icon glyph (nonBmp), overlapping boxes
# (bgOverlap, elmPartiallyObscured/Obscuring); and bgImage on a select box, whose image is its
# arrow. Any other reason (a gradient, text over a picture) needs a person: the walker fails.
DECIDED_FROM_COLOURS = {
    "imgNode",
    "shortTextContent",
    "nonBmp",
    "bgOverlap",
    "elmPartiallyObscured",
    "elmPartiallyObscuring",
}


@dataclass(frozen=True)
class Contrast:
    ratio: float
    required: float
    colours: str
    tag: str

    def decides(self, reason: str) -> bool:
        return reason in DECIDED_FROM_COLOURS or (reason == "bgImage" and self.tag == "select")


def contrast(page: Page, selectors: list[str]) -> list[Contrast | None]:
    """The worst contrast of each element's text over what is painted under it (None: the
    element is gone, or nowhere visible in the viewport)."""
    return [
        Contrast(round(c["ratio"], 2), c["required"], f"{c['fg']} on {c['bg']}", c["tag"])
        if c
        else None
        for c in page.evaluate(CONTRAST, selectors)
    ]


# Which elements are rendered (checkVisibility), hashed with their positions in the document.
RENDERED = """() => {
  const all = document.body.getElementsByTagName('*');
  let hash = 2166136261;
  for (let i = 0; i < all.length; i++) {
    const shown = all[i].checkVisibility({checkVisibilityCSS: true, visibilityProperty: true});
    hash = Math.imul(hash ^ (i * 2 + (shown ? 1 : 0)), 16777619);
  }
  return `${all.length}:${(hash >>> 0).toString(16)}`;
}"""


def rendered_state(page: Page) -> str:
    """A fingerprint of which elements are rendered: what axe looks at (it skips hidden ones),
    apart from the text itself and the room there is."""
    return str(page.evaluate(RENDERED))
