"""A demo user in a real browser: sign in, switch language, see only their institutions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from conftest import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(f"{base_url}/accounts/login/?next=/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def sign_in_with_code(page: Page, base_url: str, email: str) -> None:
    """Sign in a demo user whose role requires MFA (admins, complaint officers): password, then
    the code of the documented demo TOTP secret, as an authenticator app would show it."""
    sign_in(page, base_url, email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.get_by_label("Code").fill(totp_code(DEMO_TOTP_SECRET, margin=5))  # browser round trip
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/"))


@pytest.mark.usefixtures("demo_data")
def test_multi_institution_user_signs_in_switches_language_and_sees_only_their_institutions(
    watched_page: Page, live_server
) -> None:
    page = watched_page
    sign_in(page, live_server.url, "multi@govsocial.demo")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bienvenue, Multi")
    main = page.get_by_role("main")
    # The demo user prefers French: the page is in French until switched.
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    switcher = page.locator("form.language-switcher")
    switcher.get_by_role("combobox").select_option("nl")
    switcher.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(main.get_by_role("heading", name="Uw instellingen")).to_be_visible()
    expect(main.get_by_role("link", name="Defensie", exact=True)).to_be_visible()
    expect(main.get_by_role("link", name="FOD Buitenlandse Zaken", exact=True)).to_be_visible()
    for outsider in ("Federale Politie", "FOD BOSA", "Centrum voor Informatica"):
        expect(page.get_by_text(outsider)).to_have_count(0)
    main.get_by_role("link", name="Defensie", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/i/defence/")
    assert page.context.request.get(f"{live_server.url}/i/federal-police/").status == 404


@pytest.mark.usefixtures("demo_data")
def test_admin_signs_in_with_the_second_factor_and_is_keyboard_reachable(
    watched_page: Page, live_server
) -> None:
    page = watched_page
    sign_in_with_code(page, live_server.url, "institution_admin@cirb.demo")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto(f"{live_server.url}/i/cirb/members/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # The skip link is the first thing the keyboard reaches and it leads to the main content.
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/i/cirb/members/#main")
