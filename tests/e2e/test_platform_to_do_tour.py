"""The "to do on the platform" list on a 320 px phone: it fits, axe finds nothing, the text is
there to copy, and "done" takes the item off the list (issue 14). Built from a few rows rather
than the demo, which is slow to seed."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from accounts.tests.factories import TEST_PASSWORD
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from moderation.models import PlatformAction
from moderation.services.decisions import item_reply
from moderation.services.ingest import item_apply_event
from tests.e2e.axe import axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
REPLY = "Merci pour votre message : nos horaires sont sur https://www.defence.example/heures-douverture-des-services"


def test_the_list_fits_320_px_passes_axe_and_marks_done(
    watched_page: Page, live_server, defence, defence_communicator
) -> None:
    channel = ChannelFactory(
        institution=defence, platform="facebook", name="Défense - page Facebook officielle"
    )
    item = item_apply_event(
        channel=channel,
        event=ItemEvent(external_id="c-1", verb=Verb.CREATE, author_name="Citoyen",
                        text="Quels horaires ?", permalink="https://www.facebook.com/defence/posts/1?comment_id=1"),
    )  # fmt: skip
    decision = item_reply(item=item, actor=defence_communicator, text=REPLY).decision
    # The channel has no page token: the engine put the reply on the list, with its deadline.
    assert decision.platform_actions.get().state == PlatformAction.State.MANUAL
    page = watched_page
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/accounts/login/?next=/i/defence/platform-to-do/")
    page.get_by_label("Email").fill(defence_communicator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("To do on the platform")
    expect(page.get_by_label("Text to copy")).to_have_value(REPLY)
    expect(page.get_by_role("button", name="Copy the text")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert axe_violations(page) == []
    page.get_by_label("Link to it on the platform (optional)").fill(
        "https://www.facebook.com/defence/posts/1?comment_id=2"
    )
    page.get_by_role("button", name="Done on the platform").click()
    expect(page.get_by_text("Recorded: done on the platform.")).to_be_visible()
    expect(page.get_by_text("Nothing to do on the platform.")).to_be_visible()
    assert axe_violations(page) == []
