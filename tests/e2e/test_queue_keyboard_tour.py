"""A communicator works the queue with the keyboard in a real browser: filter, j/k, Enter,
a saved reply, the reply recorded; shortcuts never fire while typing and can be switched off."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from moderation.models import Decision
from tests.e2e.test_complaint_tour import in_english
from tests.e2e.test_sign_in_tour import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo")


@pytest.mark.usefixtures("demo")
def test_keyboard_reply_to_a_dutch_item(watched_page: Page, live_server) -> None:
    page = watched_page
    base = live_server.url
    started = timezone.now()  # decisions taken in this tour (the demo has past ones)
    sign_in(page, base, "communicator@defence.demo")
    in_english(page)
    page.goto(f"{base}/i/defence/queue/?status=open&language=nl")
    expect(page.locator("[data-item]").first).to_be_visible()

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("[data-item].is-current")).to_have_count(1)
    page.keyboard.press("k")
    first_row = page.locator("[data-item]").first
    expect(first_row).to_have_class("is-current")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/i/defence/queue/items/\d+/$"))
    expect(page.get_by_role("heading", name="Actions")).to_be_visible()

    # A saved reply with the keyboard: focus the list, choose, use.
    page.get_by_label("Saved reply").select_option(label="Bedankt")
    page.get_by_role("button", name="Use").focus()
    page.keyboard.press("Enter")
    reply = page.locator("#reply-text")
    expect(reply).to_have_value(re.compile(r"^Dag .*bedankt voor uw bericht"))
    page.keyboard.press("r")
    expect(reply).to_be_focused()
    assert reply.input_value().startswith("Dag ")
    reply.press("Control+End")
    page.keyboard.type(" j k")  # typing in a field never triggers shortcuts
    expect(reply).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".badge.text-bg-secondary", has_text="Answered")).to_be_visible()
    decision = Decision.objects.filter(created_at__gte=started).get(action="reply")
    assert decision.reply_text.startswith("Dag ")
    assert decision.reply_text.endswith(" j k")

    # Switched off, the keys do nothing.
    page.goto(f"{base}/i/defence/queue/?status=open&language=nl")
    page.get_by_role("button", name="Shortcuts on").click()
    page.keyboard.press("j")
    expect(page.locator("[data-item].is-current")).to_have_count(0)
