"""A decision contested and reversed, in a real browser (issue 15): a visitor's comment reaches
a Facebook page of the platform sandbox; a communicator hides it citing a house rule; the
platform sends its author a private reply with the decision page's link; the author opens the
page in Dutch and contests; a second moderator reverses the decision; the page shows the
outcome and the comment is visible again on the sandbox. Built from a few rows, not the demo."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.tests.factories import TEST_PASSWORD, member
from channels.services.deliveries import deliveries_drain
from channels.tests.test_meta_connectors import comment
from channels.tests.test_meta_ingest import hooked_channel
from charter.tests.factories import published_charter
from moderation.models import Contest, Item, PlatformAction
from moderation.services.platform_actions import action_execute
from tests.e2e.axe import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
COMMENT = "Koop nu goedkope volgers op mijn site!"
REASONS = "Commercial spam, unrelated to the page."
EXPLANATION = "Dit is geen reclame: ik verwijs naar onze vereniging zonder winstoogmerk."
REVERSAL = "The link leads to a non-profit association: not advertising."


def sign_in(page: Page, base: str, email: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_hidden_comment_is_contested_reversed_and_unhidden(
    watched_page: Page, browser, live_server, platform_sandbox, defence, defence_admin,
    defence_communicator,
) -> None:  # fmt: skip
    published_charter(defence, defence_admin)
    reviewer = member(defence, Role.COMMUNICATOR)
    channel = hooked_channel(defence, platform_sandbox, live_server, "facebook", "104017331234567")
    comment_id = comment(platform_sandbox, channel, COMMENT)
    assert deliveries_drain(channel.pk) == 1
    item = Item.objects.get(channel=channel, external_id=comment_id)

    page = watched_page
    base = live_server.url
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    sign_in(page, base, defence_communicator.email, f"/i/defence/queue/items/{item.pk}/")
    page.get_by_role("tab", name="Hide", exact=True).click()
    page.locator("#hide-rule").select_option(index=1)
    page.locator("#hide-reasons").fill(REASONS)
    page.locator("#action-hide").get_by_role("button", name="Hide", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="The item was hidden.")).to_be_visible()

    # No worker runs in tests: carry out what the decision queued, as the worker's task does.
    message = PlatformAction.objects.get(decision__item=item, kind="private_reply")
    hide = PlatformAction.objects.get(decision__item=item, kind="hide")
    assert action_execute(message.pk) == "verified"
    assert action_execute(hide.pk) == "verified"
    sent = [
        node["text"]
        for node in platform_sandbox.data["meta"]["objects"].values()
        if node.get("kind") == "message" and "/decisions/" in node.get("text", "")
    ]
    assert len(sent) == 1  # the author's private reply, naming the page
    link = urlsplit(re.search(r"https?://\S+", sent[0]).group(0))

    # The author, not signed in, opens the link and reads the page in Dutch.
    author = browser.new_context()
    visitor = author.new_page()
    visitor.goto(f"{base}{link.path}?{link.query}")
    visitor.get_by_role("button", name=re.compile("^NL")).click()
    expect(visitor.locator("html")).to_have_attribute("lang", "nl")
    expect(visitor.get_by_text("Tekst van regel 1.")).to_be_visible()  # the rule as applied
    expect(visitor.get_by_text(REASONS)).to_be_visible()
    assert defence_communicator.full_name not in visitor.content()
    assert axe_violations(visitor) == []
    visitor.locator("#id_explanation").fill(EXPLANATION)
    visitor.wait_for_timeout(3200)  # a person takes more than the robot trap's 3 seconds
    visitor.locator("form[action$='/contest/'] button[type=submit]").click()
    contest = Contest.objects.get()
    expect(visitor.get_by_text(contest.reference).first).to_be_visible()

    # A second moderator reverses it from the workspace.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    sign_in(page, base, reviewer.email, "/i/defence/contests/")
    page.get_by_role("link", name=contest.reference).click()
    expect(page.get_by_text(EXPLANATION)).to_be_visible()
    page.get_by_label("Decision reversed").check()
    page.locator("#id_reasons").fill(REVERSAL)
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_role("status").filter(has_text="The outcome is recorded")).to_be_visible()
    assert axe_violations(page) == []

    unhide = PlatformAction.objects.get(decision__item=item, kind="unhide")
    assert action_execute(unhide.pk) == "verified"
    visitor.reload()
    expect(visitor.get_by_text(REVERSAL)).to_be_visible()
    # The author reads the page in Dutch, the language they chose.
    expect(visitor.get_by_text("Beslissing herroepen")).to_be_visible()
    expect(visitor.get_by_text("op het platform opnieuw zichtbaar gemaakt")).to_be_visible()
    on_sandbox = requests.get(
        f"{platform_sandbox.url}/_sandbox/meta/objects/{comment_id}", timeout=10
    ).json()
    assert (on_sandbox["hidden"], on_sandbox["deleted"]) == (False, False)
    author.close()
