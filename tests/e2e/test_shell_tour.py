"""The staff shell in a real browser. With the demo data: each role finds its own side navigation,
and the institution admin's French pages fit every width from 320 to 2,560 px with the top bar
whole and axe silent. With a communicator of a test institution: on a wide screen the side
navigation collapses and expands from the keyboard and the choice survives a reload; on a phone
it is an off-canvas panel. Screenshots land in var/screenshots/shell-*.png.

The demo data takes some 40 s to seed, so one test walks every demo role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Browser, Locator, Page, expect

from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD
from govsocial.tests.test_navigation import PAGES_BY_ROLE
from tests.e2e.axe import axe_violations
from tests.e2e.test_sign_in_tour import sign_in, sign_in_with_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (320, 375, 1280, 1920, 2560)
CIRB = "Centre d'informatique pour la Région bruxelloise"
DEMO_ROLES = {
    "communicator@defence.demo": "communicator",
    "complaint_officer@federal-police.demo": "complaint_officer",
    "institution_admin@cirb.demo": "institution_admin",
    "charter_editor@bosa.demo": "charter_editor",
}
MFA = ("institution_admin", "complaint_officer")


@pytest.fixture
def signed_in(browser: Browser, live_server) -> Iterator[Callable[[str], Page]]:
    """A signed-in browser context per demo person (signed in once: a TOTP code is accepted
    once), failing the test on any console error or CSP violation, as ``watched_page`` does."""
    pages: dict[str, Page] = {}
    problems: list[str] = []

    def open_as(email: str) -> Page:
        if email not in pages:
            page = browser.new_context(
                reduced_motion="reduce", viewport={"width": 1280, "height": 900}
            ).new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            if email.split("@")[0] in MFA:
                sign_in_with_code(page, live_server.url, email)
            else:
                sign_in(page, live_server.url, email)
                expect(page).not_to_have_url(re.compile(r"/accounts/"))
            pages[email] = page
        return pages[email]

    yield open_as
    for page in pages.values():
        page.context.close()
    assert problems == []


@pytest.fixture
def communicator(watched_page: Page, live_server, defence_communicator: User) -> Page:
    """A communicator of the test institution "Defence", signed in, reading English."""
    page = watched_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(defence_communicator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{live_server.url}/")
    return page


def in_language(page: Page, language: str) -> None:
    switcher = page.locator("header form.language-switcher")
    switcher.get_by_role("combobox").select_option(language)
    switcher.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def side_navigation(page: Page) -> Locator:
    return page.locator("nav.sidenav-nav")


def linked_paths(page: Page) -> set[str]:
    links = side_navigation(page).get_by_role("link")
    return set(links.evaluate_all("links => links.map(link => link.getAttribute('href'))"))


def overflow(page: Page) -> int:
    """How far the page scrolls sideways."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def shell_overflow(page: Page) -> float:
    """How far the top bar or the side navigation reach past the right edge of the window."""
    return page.evaluate(
        """() => Math.max(0, ...Array.from(document.querySelectorAll(
                 'header, header *, .sidenav-column, .sidenav-column *'))
               .filter((element) => element.getClientRects().length)
               .map((element) => element.getBoundingClientRect().right))
             - document.documentElement.clientWidth"""
    )


def test_every_demo_role_gets_its_navigation_and_the_admins_french_shell_fits_every_width(
    demo_data: None, signed_in: Callable[[str], Page], live_server
) -> None:
    for email, role in DEMO_ROLES.items():
        page = signed_in(email)
        slug = email.split("@")[1].removesuffix(".demo")
        page.goto(f"{live_server.url}/i/{slug}/")
        expected = {
            reverse(name, kwargs={"institution_slug": slug}) for name in PAGES_BY_ROLE[role]
        }
        assert linked_paths(page) == expected, role
        current = side_navigation(page).locator('a[aria-current="page"]')
        expect(current).to_have_attribute("href", f"/i/{slug}/")
        assert axe_violations(page) == [], role

    page = signed_in("institution_admin@cirb.demo")
    in_language(page, "fr")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        # The dashboard and the overview fit entirely; on the members page (a wide table) the
        # shell at least must.
        for path, whole_page in (
            ("/i/cirb/dashboard/", True),
            ("/i/cirb/", True),
            ("/i/cirb/members/", False),
        ):
            page.goto(live_server.url + path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert shell_overflow(page) <= 0, f"{path} at {width}px"
            if whole_page:
                assert overflow(page) <= 0, f"{path} at {width}px"
            banner = page.get_by_role("banner")
            for control in (
                banner.locator("#institution-switcher"),
                banner.get_by_role("link", name="Notifications"),
                banner.get_by_role("combobox", name="Langue de l'interface"),
                banner.get_by_role("button", name="Changer de langue"),
                banner.locator("#user-menu"),
            ):
                expect(control).to_be_in_viewport()
            switcher = banner.locator("#institution-switcher")
            expect(switcher).to_have_attribute("title", CIRB)  # cut short on a phone
            expect(switcher).to_have_accessible_name(CIRB)
            if path == "/i/cirb/dashboard/" or width in (320, 1280):  # axe takes a second
                assert axe_violations(page) == [], f"{path} at {width}px"
        if width in (375, 1280, 1920):  # for people to look at
            page.goto(f"{live_server.url}/i/cirb/dashboard/")
            shot = SHOTS / f"shell-admin-dashboard-fr-{width}.png"
            page.screenshot(path=str(shot), full_page=True)


def test_the_side_navigation_collapses_from_the_keyboard_and_stays_so(
    communicator: Page, live_server
) -> None:
    page = communicator
    page.goto(f"{live_server.url}/i/defence/queue/")
    nav = side_navigation(page)
    expect(nav.get_by_role("link", name="Queue")).to_have_attribute("aria-current", "page")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Tab")
    toggle = page.get_by_role("button", name="Main navigation")
    expect(toggle).to_be_focused()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_attribute("aria-controls", "sidenav")
    beside = page.locator("main").bounding_box()

    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    alone = page.locator("main").bounding_box()
    assert beside is not None
    assert alone is not None
    assert alone["width"] > beside["width"]  # the content takes the freed space
    page.reload()
    expect(nav).to_be_hidden()  # remembered in this browser...
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.goto(f"{live_server.url}/i/defence/posts/")
    expect(nav).to_be_hidden()  # ...on every page

    toggle.focus()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    page.reload()
    expect(nav).to_be_visible()
    expect(nav.get_by_role("link", name="Outgoing posts")).to_have_attribute("aria-current", "page")
    assert axe_violations(page) == []

    page.emulate_media(media="print")  # paper gets the content alone
    for part in (nav, page.get_by_role("banner"), page.locator(".skip-link")):
        expect(part).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_on_a_phone_the_navigation_is_an_off_canvas_panel(communicator: Page, live_server) -> None:
    page = communicator
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/i/defence/queue/")
    nav = side_navigation(page)
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name="Main navigation")).to_be_hidden()
    banner = page.get_by_role("banner")
    expect(banner.get_by_role("link", name="Notifications")).to_be_in_viewport()
    expect(banner.get_by_role("button", name="Change language")).to_be_in_viewport()
    expect(banner.get_by_role("button", name="Defence")).to_be_in_viewport()
    menu = banner.get_by_role("button", name="Show the menu")
    menu.focus()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Defence")
    expect(panel).to_be_visible()
    expect(panel).to_be_focused()  # Bootstrap moves the focus into the panel
    expect(nav).to_be_in_viewport()
    assert shell_overflow(page) <= 0
    assert axe_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "shell-offcanvas-communicator-en-375.png"))
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(menu).to_be_focused()

    menu.click()
    nav.get_by_role("link", name="Outgoing posts").click()
    expect(page).to_have_url(f"{live_server.url}/i/defence/posts/")
    expect(nav).to_be_hidden()
    assert shell_overflow(page) <= 0
