"""Decided, executed, verified, in a real browser (issue 14): a visitor's comment reaches a
Facebook page of the platform sandbox, which delivers it as a signed webhook to the live server;
a communicator hides it citing a house rule; the item then shows the hide carried out and
verified, and the sandbox's comment reads back hidden. Built from a few rows, not the demo."""

from __future__ import annotations

import re

import pytest
import requests
from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.tests.factories import TEST_PASSWORD
from channels.services.deliveries import deliveries_drain
from channels.tests.test_meta_connectors import comment
from channels.tests.test_meta_ingest import hooked_channel
from charter.tests.factories import published_charter
from moderation.models import Item, PlatformAction
from moderation.services.platform_actions import action_execute
from tests.e2e.axe import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
COMMENT = "Achetez des followers pas chers sur mon site !"
REASONS = "Commercial spam, unrelated to the page."


def test_a_facebook_comment_is_hidden_on_the_platform_and_verified(
    watched_page: Page, live_server, platform_sandbox, defence, defence_admin, defence_communicator
) -> None:
    published_charter(defence, defence_admin)
    channel = hooked_channel(defence, platform_sandbox, live_server, "facebook", "104017331234567")
    comment_id = comment(platform_sandbox, channel, COMMENT)
    assert [d["status"] for d in platform_sandbox.data["meta"]["deliveries"]] == [200]
    # Celery does not run in tests: drain the channel's deliveries as the worker's task does.
    assert deliveries_drain(channel.pk) == 1
    item = Item.objects.get(channel=channel, external_id=comment_id)

    page = watched_page
    base = live_server.url
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    page.goto(f"{base}/accounts/login/?next=/i/defence/queue/")
    page.get_by_label("Email").fill(defence_communicator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("link", name=re.compile(re.escape(COMMENT[:30]))).first.click()
    expect(page).to_have_url(re.compile(rf"/items/{item.pk}/"))

    page.get_by_role("tab", name="Hide", exact=True).click()
    rule = page.locator("#hide-rule")
    rule.select_option(index=1)
    page.locator("#hide-reasons").fill(REASONS)
    page.locator("#action-hide").get_by_role("button", name="Hide", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="The item was hidden.")).to_be_visible()
    action = PlatformAction.objects.get(decision__item=item, kind="hide")
    assert (action.state, action.target_id) == ("queued", comment_id)
    # and, planned first, the private reply telling the author where the decision page is
    notice = PlatformAction.objects.get(decision__item=item, kind="private_reply")
    assert (notice.state, notice.target_id) == ("queued", comment_id)

    # The decision enqueued the action after commit; no worker runs in tests, so the test
    # carries it out as the worker's task does: execute, then read back.
    assert action_execute(notice.pk) == "verified"
    assert action_execute(action.pk) == "verified"
    page.reload()
    status = page.locator("#item-panel .badge.text-bg-secondary")  # the item's, not its row's
    expect(status.filter(has_text="Hidden")).to_be_visible()
    section = page.locator("section[aria-labelledby='platform-actions-heading']")
    expect(section).to_contain_text("Hide")
    verified = str(PlatformAction.State.VERIFIED.label)
    expect(section.locator(".badge")).to_have_text([verified, verified])  # message, then hide
    expect(section).to_contain_text("Verified")
    assert axe_violations(page) == []

    on_sandbox = requests.get(
        f"{platform_sandbox.url}/_sandbox/meta/objects/{comment_id}", timeout=10
    ).json()
    assert (on_sandbox["hidden"], on_sandbox["deleted"]) == (True, False)
