"""One role's walk through its pages, in a browser context signed in once (the measurements
themselves: walker_checks.py; which pages: walker_pages.py)."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page

from accounts.demo import DEMO_PASSWORD, demo_email
from accounts.models import MFA_ROLES, Role
from tests.e2e.axe import Finding, axe_audit
from tests.e2e.test_sign_in_tour import sign_in, sign_in_with_code
from tests.e2e.walker_checks import (
    Contrast,
    contrast,
    horizontal_overflow,
    rendered_state,
    settle,
    unusable_controls,
)
from tests.e2e.walker_pages import (
    ANONYMOUS,
    INSTITUTION,
    LANGUAGES,
    PHONE_PAGES,
    PHONE_WIDTH,
    REFLOW_WIDTH,
    WIDTHS,
    Visit,
)

HEIGHT = 800
DESKTOP_WIDTHS = {1280, 1920}
"""Past every breakpoint the templates use (lg, 992 px): one layout with more or less room. An
element shown at one of them and hidden at the other changes the rendered state."""
VAR = Path(settings.BASE_DIR) / "var"
SCREENSHOTS = {  # the main pages, photographed by the role that works there, at every width
    "reports:dashboard": ("dashboard", Role.INSTITUTION_ADMIN),
    "moderation:queue": ("queue", Role.COMMUNICATOR),
    "moderation:item-detail": ("item", Role.COMMUNICATOR),
    "complaints:case-list": ("cases", Role.COMPLAINT_OFFICER),
    "complaints:case-detail": ("case", Role.COMPLAINT_OFFICER),
    "charter:charter-detail": ("charter", Role.CHARTER_EDITOR),
    "charter:public-detail": ("house-rules", ANONYMOUS),
    "reports:transparency": ("transparency", ANONYMOUS),
    "complaints:public-form": ("complaint-form", ANONYMOUS),
    "accounts:public-accessibility": ("accessibility", ANONYMOUS),  # issue 18, part 3
}


@dataclass
class Reviewed:
    lowest: Contrast
    where: set[str] = field(default_factory=set)


@dataclass
class Walk:
    """One role's walk: what it saw, what was wrong."""

    role: str
    base: str
    problems: list[str] = field(default_factory=list)
    contrast_checked: dict[tuple[str, str, str], Reviewed] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    pages: int = 0
    loads: int = 0
    measurements: int = 0
    screenshots: int = 0
    audits_spared: int = 0
    audited: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    seconds: Counter[str] = field(default_factory=Counter)

    def run(self, browser: Browser, pages: list[Visit], session: str) -> None:
        """Sign in (visitors carry ``session``), then each page in each language."""
        started, cpu = time.perf_counter(), process_tree_cpu()
        self.pages = len(pages)
        (VAR / "screenshots").mkdir(parents=True, exist_ok=True)
        context = browser.new_context(
            reduced_motion="reduce", viewport={"width": REFLOW_WIDTH, "height": HEIGHT}
        )
        try:
            page = context.new_page()
            self.watch(page)
            if self.role == ANONYMOUS:
                cookie = {"name": settings.SESSION_COOKIE_NAME, "value": session}
                context.add_cookies([cookie | {"url": self.base}])  # type: ignore[list-item]
            else:
                sign_in_as(page, self.base, self.role)
            for language in LANGUAGES:
                speak(context, self.base, self.role, language)
                for order, visit in enumerate(pages):
                    self.page(page, visit, language, order)
            if self.role == ANONYMOUS:
                self.second_step(browser)
            self.seconds["cpu"] = process_tree_cpu() - cpu
        finally:
            context.close()
            self.seconds["total"] = time.perf_counter() - started

    def second_step(self, browser: Browser) -> None:
        """The second-factor page, reached after the password of a user who must use MFA."""
        self.pages += 1
        context = browser.new_context(
            reduced_motion="reduce", viewport={"width": REFLOW_WIDTH, "height": HEIGHT}
        )
        try:
            page = context.new_page()
            self.watch(page)
            page.goto(self.base + reverse("account_login"))
            page.get_by_label("Email").fill(demo_email(Role.INSTITUTION_ADMIN, INSTITUTION))
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign In").click()
            path = reverse("mfa_authenticate")
            page.wait_for_url(self.base + path)
            for order, language in enumerate(LANGUAGES):
                speak(context, self.base, ANONYMOUS, language)
                self.page(page, Visit("mfa_authenticate", path), language, order)
        finally:
            context.close()

    def problem(self, visit: Visit, language: str, width: int | str, what: str) -> None:
        self.problems.append(f"{visit.name} | {self.role} | {language} | {width} | {what}")

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on(
            "console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None
        )

    def page(self, page: Page, visit: Visit, language: str, order: int) -> None:
        self.errors.clear()
        clock = time.perf_counter()
        response = page.goto(self.base + visit.path)
        self.seconds["load"] += time.perf_counter() - clock
        self.loads += 1
        status = response.status if response else 0
        if status != visit.status or page.url != self.base + visit.path:
            self.problem(visit, language, "-", f"HTTP {status} at {page.url} ({visit.path})")
            return
        lang = page.evaluate("document.documentElement.lang")
        if lang != language:
            self.problem(visit, language, "-", f'<html lang="{lang}">')
        widths = (REFLOW_WIDTH, *WIDTHS)
        for width in widths if order % 2 == 0 else widths[::-1]:  # no resize between pages
            page.set_viewport_size({"width": width, "height": HEIGHT})
            self.measure(page, visit, language, width)
        for error in self.errors:
            if visit.status != 200 and f"status of {visit.status}" in error:
                continue  # the browser's note that the error page came with its status
            self.problem(visit, language, "-", f"console error: {error}")

    def measure(self, page: Page, visit: Visit, language: str, width: int) -> None:
        clock = time.perf_counter()
        settle(page)
        excess, culprits = horizontal_overflow(page)
        self.seconds["layout"] += time.perf_counter() - clock
        if excess > 0:
            self.problem(
                visit, language, width, f"overflow {excess} px: " + "; ".join(culprits or ["?"])
            )
        if width == REFLOW_WIDTH:
            return
        if width == PHONE_WIDTH and visit.name in PHONE_PAGES:
            for what in unusable_controls(page):
                self.problem(visit, language, width, f"on a phone: {what}")
        if self.needs_audit(page, visit, width):
            self.audit(page, visit, language, width)
        if SCREENSHOTS.get(visit.name, ("", ""))[1] == self.role:
            name = f"{SCREENSHOTS[visit.name][0]}-{self.role}-{language}-{width}.png"
            clock = time.perf_counter()
            page.screenshot(path=VAR / "screenshots" / name, full_page=True)
            self.seconds["screenshots"] += time.perf_counter() - clock
            self.screenshots += 1

    def needs_audit(self, page: Page, visit: Visit, width: int) -> bool:
        """axe runs once per rendered state of a page (docs/accessibility.md): a state already
        audited in another language at this width, or at the other desktop width, is spared."""
        state = rendered_state(page)
        audited = self.audited.setdefault(visit.name, [])
        if any(
            seen == state and (other == width or {other, width} <= DESKTOP_WIDTHS)
            for other, seen in audited
        ):
            self.audits_spared += 1
            return False
        audited.append((width, state))
        return True

    def audit(self, page: Page, visit: Visit, language: str, width: int) -> None:
        self.measurements += 1
        clock = time.perf_counter()
        audit = axe_audit(page)
        self.seconds["axe"] += time.perf_counter() - clock
        for finding in audit.violations:
            self.problem(
                visit, language, width, f"{finding.rule}: {finding.detail} at {finding.target}"
            )
        self.check_contrast(page, visit, language, width, audit.contrast_to_review)

    def check_contrast(
        self, page: Page, visit: Visit, language: str, width: int, undecided: list[Finding]
    ) -> None:
        """Decide from the painted colours what axe left for review (walker_contrast.js)."""
        if not undecided:
            return
        for finding, found in zip(
            undecided, contrast(page, [f.target for f in undecided]), strict=True
        ):
            if found is None:
                continue
            if not found.decides(finding.detail):
                self.problem(
                    visit,
                    language,
                    width,
                    f"color-contrast left for review by axe ({finding.detail}), which the "
                    f"walker cannot decide from colours alone: check it, then record it in "
                    f"walker_checks.DECIDED_FROM_COLOURS and docs/accessibility.md; at "
                    f"{finding.target}",
                )
            elif found.ratio < found.required:
                self.problem(
                    visit,
                    language,
                    width,
                    f"color-contrast {found.ratio}:1, {found.required}:1 needed ({found.colours}; "
                    f"axe left it for review: {finding.detail}) at {finding.target}",
                )
            key = (visit.name, finding.target, finding.detail)
            reviewed = self.contrast_checked.setdefault(key, Reviewed(found))
            reviewed.lowest = min(reviewed.lowest, found, key=lambda c: c.ratio)
            reviewed.where.add(f"{language}@{width}")

    def report(self) -> str:
        """The walk's figures and findings, also kept in var/walker/<role>.txt."""
        lines = [
            f"role {self.role}: {self.pages} pages x {len(LANGUAGES)} languages x "
            f"{len(WIDTHS)} widths (+ overflow at {REFLOW_WIDTH} px): {self.loads} loads, "
            f"{self.measurements} axe audits ({self.audits_spared} spared: same rendered state), "
            f"{self.screenshots} screenshots, {len(self.problems)} problems; seconds: "
            + ", ".join(f"{k} {v:.1f}" for k, v in self.seconds.most_common()),
            *self.problems,
            f"contrasts axe left for review ({len(self.contrast_checked)}), from the colours:",
            *(
                f"{name} | {target} | {detail} | {r.lowest.ratio}:1 ({r.lowest.colours}) | "
                + " ".join(sorted(r.where))
                for (name, target, detail), r in sorted(self.contrast_checked.items())
            ),
        ]
        text = "\n".join(lines)
        (VAR / "walker").mkdir(parents=True, exist_ok=True)
        (VAR / "walker" / f"{self.role}.txt").write_text(text + "\n")
        return text


def process_tree_cpu() -> float:
    """CPU seconds used so far by this process and its descendants (the browser, and the live
    server's thread): the walk's cost on one core, whatever else the machine runs (Linux)."""
    stats = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        stats[int(stat.parent.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
    tree, grown = {os.getpid()}, True
    while grown:
        found = {pid for pid, (parent, _) in stats.items() if parent in tree} - tree
        tree, grown = tree | found, bool(found)
    return sum(stats[pid][1] for pid in tree if pid in stats) / os.sysconf("SC_CLK_TCK")


def sign_in_as(page: Page, base: str, role: str) -> None:
    email = demo_email(role, INSTITUTION)
    (sign_in_with_code if role in MFA_ROLES else sign_in)(page, base, email)


def speak(context: BrowserContext, base: str, role: str, language: str) -> None:
    """The language switcher's choice: a cookie for visitors, plus the preference of signed-in
    users (posted once per language, as the switcher's form does)."""
    if role == ANONYMOUS:
        cookie = {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}
        context.add_cookies([cookie])  # type: ignore[list-item]
        return
    token = next(
        c["value"] for c in context.cookies(base) if c["name"] == settings.CSRF_COOKIE_NAME
    )
    response = context.request.post(
        base + reverse("accounts:language-set"),
        form={"language": language, "next": "/", "csrfmiddlewaretoken": token},
        max_redirects=0,
    )
    assert response.status == 302, response.text()
