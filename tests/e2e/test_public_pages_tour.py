"""A member of the public in a real browser: the institution's public pages (house rules,
transparency, complaint form) share a header that leads from each to the others, fit a 320 px
screen, work with the keyboard alone, switch language from the header, and pass axe."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from charter.tests.factories import published_charter
from tests.e2e.axe import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = (
    "/charters/defence/",
    "/charters/defence/house-rules/",
    "/transparency/defence/",
    "/complaints/defence/new/",
)


@pytest.fixture
def visitor(watched_page: Page, live_server, defence, defence_admin) -> Page:
    """A visitor reading English (the language cookie the switcher sets), at a phone's width."""
    published_charter(defence, defence_admin)
    watched_page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    watched_page.set_viewport_size({"width": 320, "height": 640})
    return watched_page


def test_every_public_page_fits_a_320_px_screen(visitor: Page, live_server) -> None:
    for path in PAGES:
        visitor.goto(live_server.url + path)
        expect(visitor.get_by_role("heading", level=1)).to_be_visible()
        overflow = visitor.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"


def test_from_the_house_rules_to_the_complaint_form_with_the_keyboard(
    visitor: Page, live_server
) -> None:
    visitor.goto(f"{live_server.url}/charters/defence/house-rules/")
    visitor.keyboard.press("Tab")
    expect(visitor.get_by_role("link", name="Skip to main content")).to_be_focused()
    visitor.keyboard.press("Tab")
    expect(visitor.get_by_role("link", name="Defence", exact=True)).to_be_focused()
    visitor.keyboard.press("Tab")
    menu = visitor.get_by_role("button", name="Show the menu")
    expect(menu).to_be_focused()
    visitor.keyboard.press("Enter")
    header = visitor.get_by_role("navigation", name="Public pages")
    complaint_form = header.get_by_role("link", name="Complaint form")
    expect(complaint_form).to_be_visible()
    for _ in range(3):  # house rules, transparency, complaint form
        visitor.keyboard.press("Tab")
    expect(complaint_form).to_be_focused()
    visitor.keyboard.press("Enter")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Submit a complaint to")
    expect(visitor.locator('header a[aria-current="page"]')).to_have_text("Complaint form")


def test_the_header_switcher_changes_the_language_of_the_house_rules(
    visitor: Page, live_server
) -> None:
    visitor.set_viewport_size({"width": 1280, "height": 800})
    visitor.goto(f"{live_server.url}/charters/defence/house-rules/?lang=nl")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Huisregels")
    assert "lang=" not in visitor.url
    switcher = visitor.locator("form.language-switcher")
    switcher.get_by_role("combobox").select_option("fr")
    switcher.get_by_role("button").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Règles de la page")
    expect(visitor.locator("html")).to_have_attribute("lang", "fr")
    expect(switcher.get_by_role("combobox")).to_have_text(
        re.compile(r"Français\s*Nederlands\s*English")
    )


def test_every_public_page_passes_axe(visitor: Page, live_server) -> None:
    for width in (320, 1280):
        visitor.set_viewport_size({"width": width, "height": 800})
        for path in PAGES:
            visitor.goto(live_server.url + path)
            assert axe_violations(visitor) == [], f"{path} at {width}px"
