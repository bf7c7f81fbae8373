"""The moderation tour of the issue, in a real browser: a communicator filters the queue to
Dutch items, answers one with a saved reply using only the keyboard, removes a spam item citing
a house rule, escalates a complaint, and finds every decision in the items' histories."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.models import Case
from moderation.models import Decision, Item
from tests.e2e.test_complaint_tour import in_english
from tests.e2e.test_sign_in_tour import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_item(page: Page, base: str, text: str) -> Item:
    item = Item.objects.filter(
        institution__slug="defence", status="open", text__startswith=text
    ).first()
    assert item is not None
    page.goto(f"{base}/i/defence/queue/items/{item.pk}/")
    return item


@pytest.mark.usefixtures("demo_data")
def test_a_communicators_day_in_the_queue(watched_page: Page, live_server) -> None:
    page = watched_page
    base = live_server.url
    started = timezone.now()  # decisions taken in this tour (the demo has past ones)
    sign_in(page, base, "communicator@defence.demo")
    in_english(page)

    # Filter to Dutch items with the filter form.
    page.goto(f"{base}/i/defence/queue/")
    page.locator("summary", has_text="Filters").click()  # collapsed behind one button
    page.get_by_label("Language", exact=True).select_option("nl")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"language=nl"))
    languages = page.locator("[data-item] [data-language]").all_inner_texts()
    assert languages
    assert set(languages) == {"NL"}

    # Only the keyboard: open the first item, take the saved reply, record it.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/items/\d+/\?queue="))
    # The item page puts focus on the item's heading once it has loaded; a key pressed before
    # that would be overtaken by it.
    expect(page.locator("#item-heading")).to_be_focused()
    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.press("Shift+Tab")  # the saved reply's "Use" button
    expect(page.get_by_role("button", name="Use")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#reply-text")).to_have_value(re.compile(r"^Dag .*bedankt"))
    expect(page.locator("#reply-text")).to_be_focused()  # the filled box, ready to edit
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Record the reply")).to_be_focused()
    page.keyboard.press("Enter")
    status = page.locator("#item-panel .badge.text-bg-secondary")  # the item's, not its row's
    expect(status.filter(has_text="Answered")).to_be_visible()
    # The reply is a platform action now (issue 14): posted through the channel's connector,
    # or on the "to do on the platform" list where the channel cannot post it.
    expect(page.locator("#item-panel .platform-actions")).to_contain_text("Reply")
    answered = Decision.objects.filter(created_at__gte=started).get(action="reply")
    assert answered.item.language == "nl"
    assert answered.reply_text.startswith("Dag ")

    # Remove spam, citing a rule; without one the browser's own check stops the form.
    spam = open_item(page, base, "Gagnez un iPhone")
    page.keyboard.press("x")
    rule_select = page.locator("#remove-rule")
    expect(rule_select).to_be_focused()
    rule_label = rule_select.locator("option").nth(1).inner_text()
    rule_select.select_option(label=rule_label)
    page.get_by_label("Reasons").nth(1).fill("Commercial spam, unrelated to the page.")
    page.get_by_role("button", name="Remove", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="The item was removed.")).to_be_visible()
    expect(status.filter(has_text="Removed")).to_be_visible()
    history = page.locator("section[aria-labelledby='history-heading']")
    expect(history).to_contain_text(f"Rule {rule_label.split(' ')[0]}")
    expect(history).to_contain_text("Commercial spam, unrelated to the page.")

    # Escalate a complaint to the complaints service.
    complaint = open_item(page, base, "Ik wacht al een maand")
    page.keyboard.press("e")
    expect(page.locator("#escalate-subject")).to_be_focused()
    page.keyboard.type("Geen antwoord op klacht na een maand")
    page.get_by_role("button", name="Escalate", exact=True).click()
    expect(page.get_by_text("A complaint was opened for the complaints service.")).to_be_visible()
    expect(status.filter(has_text="Escalated")).to_be_visible()
    case = Case.objects.get(items=complaint)
    assert case.evidence.count() == 1

    # Every decision is in the histories, with who took it.
    for item, action in ((spam, "Remove"), (complaint, "Escalate to a complaint")):
        page.goto(f"{base}/i/defence/queue/items/{item.pk}/")
        entry = page.locator("section[aria-labelledby='history-heading'] li", has_text=action)
        expect(entry).to_contain_text("by ")
    actions = set(
        Decision.objects.filter(
            actor__email="communicator@defence.demo", created_at__gte=started
        ).values_list("action", flat=True)
    )
    assert {"reply", "remove", "escalate"} <= actions
