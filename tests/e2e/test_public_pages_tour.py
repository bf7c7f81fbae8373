"""A member of the public in a real browser: the institution's public pages (house rules,
transparency, complaint form, accessibility statement, privacy notice, contact) share a header
and a footer that lead from each to the others, fit a 320 px screen, work with the keyboard
alone, switch language from the header, print without their navigation, and pass axe."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.tests.factories import TEST_PASSWORD, member
from charter.tests.factories import published_charter
from tests.e2e.axe import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = (
    "/charters/defence/",
    "/charters/defence/house-rules/",
    "/transparency/defence/",
    "/complaints/defence/new/",
    "/accessibility/defence/",
    "/privacy/defence/",
    "/contact/defence/",
)
WIDTHS = (320, 1280)


@pytest.fixture
def visitor(watched_page: Page, live_server, defence, defence_admin) -> Page:
    """A visitor reading English (the language cookie the chooser sets), at a phone's width."""
    published_charter(defence, defence_admin)
    defence.accessibility_email = "accessibility@defence.test"
    defence.save()
    watched_page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    watched_page.set_viewport_size({"width": 320, "height": 640})
    return watched_page


def overflow(page: Page) -> int:
    """How far the page scrolls sideways (0: it fits the viewport)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_every_public_page_fits_the_screen_and_passes_axe(visitor: Page, live_server) -> None:
    for width in WIDTHS:
        visitor.set_viewport_size({"width": width, "height": 800})
        for path in PAGES:
            visitor.goto(live_server.url + path)
            expect(visitor.get_by_role("heading", level=1)).to_be_visible()
            assert overflow(visitor) <= 0, f"{path} scrolls sideways at {width}px"
            assert axe_violations(visitor) == [], f"{path} at {width}px"


def test_from_the_house_rules_to_the_complaint_form_with_the_keyboard(
    visitor: Page, live_server
) -> None:
    visitor.goto(f"{live_server.url}/charters/defence/house-rules/")
    visitor.keyboard.press("Tab")
    expect(visitor.get_by_role("link", name="Skip to main content")).to_be_focused()
    visitor.keyboard.press("Tab")
    expect(visitor.get_by_role("link", name="Defence", exact=True)).to_be_focused()
    languages = visitor.get_by_role("form", name="Language")
    for name in ("FR \N{EN DASH} Français", "NL \N{EN DASH} Nederlands", "EN \N{EN DASH} English"):
        visitor.keyboard.press("Tab")
        expect(languages.get_by_role("button", name=name)).to_be_focused()
    visitor.keyboard.press("Tab")
    menu = visitor.get_by_role("button", name="Menu")
    expect(menu).to_be_focused()
    expect(menu).to_have_attribute("aria-expanded", "false")
    visitor.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    header = visitor.get_by_role("navigation", name="Public pages")
    complaint_form = header.get_by_role("link", name="Complaint form")
    expect(complaint_form).to_be_visible()
    expect(header.get_by_role("link", name="House rules")).to_have_attribute("aria-current", "page")
    for _ in range(3):  # house rules, transparency, complaint form
        visitor.keyboard.press("Tab")
    expect(complaint_form).to_be_focused()
    visitor.keyboard.press("Enter")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Submit a complaint to")
    expect(visitor.locator('header a[aria-current="page"]')).to_have_text("Complaint form")


def test_the_footer_leads_to_the_accessibility_statement_privacy_notice_and_contact(
    visitor: Page, live_server
) -> None:
    visitor.set_viewport_size({"width": 1280, "height": 800})
    visitor.goto(f"{live_server.url}/transparency/defence/")
    footer = visitor.get_by_role("navigation", name="About this site")
    expect(visitor.get_by_role("contentinfo")).to_contain_text("Accessibility: partially compliant")
    for link, heading in (
        ("Accessibility statement", "Accessibility statement"),
        ("Privacy notice", "Privacy notice"),
        ("Contact", "Contact Defence"),
    ):
        footer.get_by_role("link", name=link).click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text(heading)
        expect(footer.get_by_role("link", name=link)).to_have_attribute("aria-current", "page")
    visitor.goto(f"{live_server.url}/accessibility/defence/")
    main = visitor.get_by_role("main")
    expect(main.get_by_role("link", name="accessibility@defence.test")).to_be_visible()
    expect(main.get_by_role("heading", name="Enforcement procedure")).to_be_visible()


def test_the_language_chooser_changes_the_language_of_the_page(visitor: Page, live_server) -> None:
    visitor.goto(f"{live_server.url}/charters/defence/house-rules/?lang=nl")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Huisregels")
    assert "lang=" not in visitor.url
    visitor.get_by_role("button", name="FR \N{EN DASH} Français").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Règles de la page")
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    expect(visitor.get_by_role("button", name="FR \N{EN DASH} Français")).to_have_attribute(
        "aria-current", "true"
    )
    visitor.get_by_role("button", name="EN \N{EN DASH} English").click()
    visitor.goto(f"{live_server.url}/accessibility/defence/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Accessibility statement")


def test_the_statement_prints_without_the_navigation_or_the_button(
    visitor: Page, live_server
) -> None:
    for width in WIDTHS:
        visitor.set_viewport_size({"width": width, "height": 800})
        visitor.goto(f"{live_server.url}/accessibility/defence/")
        visitor.evaluate(
            "() => { window.printed = 0; window.print = () => { window.printed++; }; }"
        )
        button = visitor.get_by_role("button", name="Print")
        button.click()
        assert visitor.evaluate("window.printed") == 1  # bound by govsocial.js (strict CSP)
        visitor.emulate_media(media="print")
        expect(button).to_be_hidden()
        expect(visitor.get_by_role("navigation", name="Public pages")).to_be_hidden()
        expect(visitor.get_by_role("form", name="Language")).to_be_hidden()
        expect(visitor.get_by_role("contentinfo")).to_be_hidden()
        expect(visitor.get_by_role("link", name="Defence", exact=True)).to_be_visible()
        expect(visitor.get_by_role("heading", name="Enforcement procedure")).to_be_visible()
        visitor.emulate_media(media="screen")


def test_the_charter_banner_and_the_print_button_stay_off_paper(
    watched_page: Page, live_server, defence, defence_admin
) -> None:
    published_charter(defence, defence_admin, slug="staff-charter", audience="staff")
    reader = member(defence, Role.COMMUNICATOR, email="reader@defence.test")
    page = watched_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(reader.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(f"{live_server.url}/i/defence/reports/")
    banner = page.get_by_role("region", name="Please read and accept")
    print_button = page.get_by_role("button", name="Print")
    expect(banner).to_be_visible()
    expect(print_button).to_be_visible()
    page.emulate_media(media="print")
    expect(banner).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
