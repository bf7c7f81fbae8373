"""A communicator works the queue with the keyboard in a real browser: filter, j/k, Enter,
a saved reply (which stays chosen), the reply recorded with "Reply and next", confirmed, and the
next item of the same filtered queue opened; shortcuts never fire while typing and can be
switched off."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from moderation.models import Decision
from tests.e2e.axe import axe_violations
from tests.e2e.test_complaint_tour import in_english
from tests.e2e.test_sign_in_tour import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("demo_data")
def test_keyboard_reply_to_a_dutch_item(watched_page: Page, live_server) -> None:
    page = watched_page
    base = live_server.url
    started = timezone.now()  # decisions taken in this tour (the demo has past ones)
    sign_in(page, base, "communicator@defence.demo")
    in_english(page)
    page.goto(f"{base}/i/defence/queue/?status=open&language=nl")
    expect(page.locator("[data-item]").first).to_be_visible()
    queue_order = [
        int(re.search(r"/items/(\d+)/", href).group(1))
        for href in page.locator("[data-item] [data-item-link]").evaluate_all(
            "links => links.map(link => link.getAttribute('href'))"
        )
    ]
    assert len(queue_order) >= 2
    assert axe_violations(page) == []

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("[data-item].is-current")).to_have_count(1)
    page.keyboard.press("k")
    first_row = page.locator("[data-item]").first
    expect(first_row).to_have_class(re.compile(r"\bis-current\b"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/i/defence/queue/items/{queue_order[0]}/\?queue="))
    expect(page.get_by_role("heading", name="Actions")).to_be_visible()

    reply = page.locator("#reply-text")
    page.keyboard.press("r")
    expect(reply).to_be_focused()

    # A saved reply with the keyboard: focus the list, choose, use; the filled box has the focus.
    page.get_by_label("Saved reply").select_option(label="Bedankt")
    page.get_by_role("button", name="Use").focus()
    page.keyboard.press("Enter")
    expect(reply).to_have_value(re.compile(r"^Dag .*bedankt voor uw bericht"))
    expect(page.get_by_label("Saved reply").locator("option:checked")).to_have_text("Bedankt")
    expect(reply).to_be_focused()
    assert reply.input_value().startswith("Dag ")
    reply.press("Control+End")
    page.keyboard.type(" j k")  # typing in a field never triggers shortcuts
    expect(reply).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Record the reply")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Reply and next")).to_be_focused()
    page.keyboard.press("Enter")

    # Confirmed, and on the next item of the same filtered queue.
    expect(page.get_by_role("status").filter(has_text="The reply was recorded.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/i/defence/queue/items/{queue_order[1]}/\?queue="))
    expect(page.locator("#item-panel .badge.text-bg-secondary", has_text="Open")).to_be_visible()
    assert axe_violations(page) == []  # the item page, with its confirmation
    decision = Decision.objects.filter(created_at__gte=started).get(action="reply")
    assert decision.item_id == queue_order[0]
    assert decision.reply_text.startswith("Dag ")
    assert decision.reply_text.endswith(" j k")
    page.get_by_role("link", name="Moderation queue").click()
    expect(page).to_have_url(re.compile(r"/i/defence/queue/\?status=open&language=nl$"))

    # Switched off, the keys do nothing.
    page.goto(f"{base}/i/defence/queue/?status=open&language=nl")
    page.get_by_role("button", name="Shortcuts on").click()
    page.keyboard.press("j")
    expect(page.locator("[data-item].is-current")).to_have_count(0)
