"""An institution admin creates an API token in Chromium, copies it (shown once), calls the API
with it, and revokes it; the page passes axe and fits 320 px, before and after. Then the
browsable API docs (Swagger UI) render under the CSP."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_violations
from tests.e2e.test_sign_in_tour import sign_in_with_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fits(page: Page) -> bool:
    page.set_viewport_size({"width": 320, "height": 800})
    fitting = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    return bool(fitting)


@pytest.mark.usefixtures("demo_data")
def test_admin_creates_uses_and_revokes_a_token(watched_page: Page, live_server) -> None:
    page = watched_page
    base = live_server.url
    sign_in_with_code(page, base, "institution_admin@defence.demo")
    page.goto(f"{base}/i/defence/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    assert axe_violations(page) == []
    assert fits(page)

    # The demo admin reads French: the fields by their ids (labels are translated).
    page.locator("#id_name").fill("Ticketing system")
    page.locator("input[name=scopes][value='items:read']").check()
    page.get_by_role("button", name="Create the token").click()
    secret = page.locator("#new-token").input_value()
    assert secret.startswith("gs_")
    assert axe_violations(page) == []
    assert fits(page)

    answer = requests.get(
        f"{base}/api/v1/channels/", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert answer.status_code == 200
    assert answer.json()

    page.get_by_role("button", name="Revoke Ticketing system").click()
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(
        "revoked"
    )
    page.goto(f"{base}/i/defence/api-tokens/")
    expect(page.locator("#new-token")).to_have_count(0)  # shown once
    refused = requests.get(
        f"{base}/api/v1/channels/", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert refused.status_code == 401

    # The browsable docs, from our own static files under the strict CSP.
    page.goto(f"{base}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("GovSocial API")
    expect(page.locator(".opblock-tag-section").first).to_be_visible()
