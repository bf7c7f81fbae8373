"""The installable web app in a real browser: the service worker registers from /sw.js with the
whole site as its scope under the strict CSP, the devices page offers to turn notifications on,
and with the network gone a page opens as the offline page instead of the browser's error."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_service_worker_devices_page_and_offline_page(
    watched_page: Page, live_server, defence_communicator, settings, tmp_path
) -> None:
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    settings.WEBPUSH_VAPID_KEY_FILE = tmp_path / "vapid.pem"
    call_command("push_keys", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    client = Client()
    client.force_login(defence_communicator)
    watched_page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    watched_page.set_viewport_size({"width": 375, "height": 800})
    watched_page.goto(f"{live_server.url}/profile/devices/")
    scope = watched_page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{live_server.url}/"
    expect(watched_page.locator("#push-status")).not_to_have_text("Checking this browser…")
    expect(
        watched_page.get_by_role("button", name="Turn on notifications on this device")
    ).to_be_visible()
    manifest = watched_page.locator("link[rel=manifest]").get_attribute("href")
    assert (
        watched_page.request.get(f"{live_server.url}{manifest}").json()["display"] == "standalone"
    )
    # The worker has cached the offline page once it is active: reload so it controls the page.
    watched_page.reload()
    assert watched_page.evaluate("Boolean(navigator.serviceWorker.controller)")
    watched_page.context.set_offline(True)
    watched_page.goto(f"{live_server.url}/i/defence/moderation/")
    expect(watched_page.get_by_role("heading", name="No connection")).to_be_visible()
    watched_page.context.set_offline(False)
