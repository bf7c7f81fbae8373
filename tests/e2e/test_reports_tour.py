"""The dashboard and the public transparency page in real Chromium, in French and in Dutch, with
screenshots kept under var/screenshots/ for people to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.e2e.test_sign_in_tour import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def in_language(page: Page, language: str) -> None:
    switcher = page.locator("form.language-switcher")
    switcher.get_by_role("combobox").select_option(language)
    switcher.get_by_role("button").click()


@pytest.mark.usefixtures("demo_data")
@pytest.mark.parametrize(
    ("language", "dashboard_heading", "public_heading", "handled"),
    [
        ("fr", "tableau de bord", "comment nous modérons et répondons", "Messages traités"),
        ("nl", "dashboard", "hoe wij modereren en antwoorden", "Behandelde berichten"),
    ],
)
def test_dashboard_and_transparency_in_french_and_dutch(
    watched_page: Page, live_server, language, dashboard_heading, public_heading, handled
) -> None:
    page = watched_page
    base = live_server.url
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, base, "communicator@defence.demo")
    in_language(page, language)
    page.goto(f"{base}/i/defence/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(dashboard_heading)
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.screenshot(path=SHOTS / f"dashboard-{language}.png", full_page=True)

    page.goto(f"{base}/i/defence/reports/")
    expect(page.locator("svg.report-chart").first).to_be_visible()
    page.screenshot(path=SHOTS / f"monthly-report-{language}.png", full_page=True)

    page.goto(f"{base}/transparency/defence/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(public_heading)
    expect(page.get_by_text(handled).first).to_be_visible()
    rule_links = page.locator("a[href*='/charters/defence/'][href*='#R']")
    expect(rule_links.first).to_be_visible()  # hides and removals link to the rule's wording
    page.screenshot(path=SHOTS / f"transparency-{language}.png", full_page=True)
    assert (SHOTS / f"transparency-{language}.png").stat().st_size > 10_000
