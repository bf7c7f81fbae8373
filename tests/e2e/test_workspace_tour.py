"""The moderation workspace in a real browser: on a wide screen the item opens beside the queue
(by a click, by j/k) without a page load; the action bar is a set of tabs worked with the arrow
keys; "… and next" lands on the next item's heading with the confirmation read out; a decision
that stays focuses its confirmation. On a phone: the filters behind one button, items as cards,
no sideways scrolling at 320 and 375 px, buttons big enough for a thumb. axe-core finds nothing
on the queue and the item at 375, 1280 and 1920 px in French, Dutch and English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User
from moderation.models import Decision, Item
from tests.e2e.axe import axe_violations
from tests.e2e.test_sign_in_tour import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUEUE = "/i/defence/queue/?status=open&language=fr"
COMMUNICATOR = "communicator@defence.demo"


def speak(page: Page, language: str) -> None:
    """The interface language, as the user's preference (whatever the shell's switcher)."""
    User.objects.filter(email=COMMUNICATOR).update(preferred_language=language)


def item_id(link_or_url: str) -> int:
    return int(re.search(r"/items/(\d+)/", link_or_url).group(1))


def no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def marker_survives(page: Page) -> None:
    assert page.evaluate("window.workspaceMarker") == "still here", "the page was reloaded"


@pytest.mark.usefixtures("demo_data")
def test_side_by_side_by_click_and_keys_then_decisions_with_focus(
    watched_page: Page, live_server
) -> None:
    page = watched_page
    base = live_server.url
    sign_in(page, base, COMMUNICATOR)
    speak(page, "en")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}{QUEUE}")
    page.evaluate("window.workspaceMarker = 'still here'")
    links = page.locator("[data-item] [data-item-link]")
    order = [item_id(href) for href in links.evaluate_all("l => l.map(a => a.href)")]
    assert len(order) >= 4
    panel = page.locator("#item-panel")
    heading = page.locator("#item-heading")

    # A click opens the item beside the list: its own URL, its row marked, the focus in it.
    links.nth(1).click()
    expect(panel.locator(f"[data-item-id='{order[1]}']")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/items/{order[1]}/\?queue="))
    expect(links.nth(1)).to_have_attribute("aria-current", "true")
    expect(page.locator("[aria-current='true']")).to_have_count(1)
    expect(heading).to_be_focused()
    expect(page.locator("[data-item]").first).to_be_visible()  # the list stays
    expect(page).to_have_title(re.compile(r"Moderation queue · GovSocial$"))
    marker_survives(page)

    # Escape goes back to the row; j/k browse: the item follows, the focus stays on the list.
    page.keyboard.press("Escape")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("j")
    expect(links.nth(2)).to_be_focused()
    expect(panel.locator(f"[data-item-id='{order[2]}']")).to_be_visible()
    expect(links.nth(2)).to_have_attribute("aria-current", "true")
    expect(links.nth(1)).not_to_have_attribute("aria-current", "true")
    expect(page).to_have_url(re.compile(rf"/items/{order[2]}/\?queue="))
    expect(links.nth(2)).to_be_focused()
    page.keyboard.press("k")
    page.keyboard.press("k")
    expect(links.nth(0)).to_be_focused()
    expect(panel.locator(f"[data-item-id='{order[0]}']")).to_be_visible()
    marker_survives(page)
    assert axe_violations(page) == []

    # The action bar: tabs, one form at a time, arrow keys, Home and End.
    page.keyboard.press("Enter")
    expect(heading).to_be_focused()
    tabs = panel.get_by_role("tab")
    names = tabs.all_inner_texts()
    assert names == ["Reply", "Hide", "Remove", "No action", "Escalate", "Harassment", "Assign"]
    expect(tabs.nth(0)).to_have_attribute("aria-selected", "true")
    expect(panel.get_by_role("textbox", name="Reply")).to_be_visible()
    expect(panel.locator("#action-remove")).to_be_hidden()
    tabs.nth(0).focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(tabs.nth(2)).to_be_focused()
    expect(tabs.nth(2)).to_have_attribute("aria-selected", "true")
    expect(panel.locator("#action-remove")).to_be_visible()
    expect(panel.locator("#action-reply")).to_be_hidden()
    page.keyboard.press("End")
    expect(tabs.nth(6)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowRight")  # wraps round
    expect(tabs.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(tabs.nth(3)).to_be_focused()  # No action
    expect(panel.locator("#action-no-action")).to_be_visible()
    assert axe_violations(page) == []

    # "No action and next": the next item beside the list, its heading focused, the message
    # read out, the decided row updated; no page load.
    page.keyboard.press("Tab")
    expect(page.locator("#no-action-note")).to_be_focused()
    page.keyboard.type("Question answered elsewhere.")
    panel.get_by_role("button", name="No action and next").click()
    expect(panel.locator(f"[data-item-id='{order[1]}']")).to_be_visible()
    expect(heading).to_be_focused()
    expect(heading).to_have_attribute("aria-describedby", "workspace-messages")
    expect(
        page.get_by_role("status").filter(has_text="Recorded: no action needed.")
    ).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/items/{order[1]}/\?queue="))
    first_row = page.locator(f"#queue-row-{order[0]}")
    expect(first_row.locator("[data-status]")).to_have_text("No action needed")
    expect(links.nth(1)).to_have_attribute("aria-current", "true")
    marker_survives(page)
    decided = Decision.objects.get(item_id=order[0], action="no_action")
    assert decided.note == "Question answered elsewhere."

    # A decision that stays: the focus on its confirmation.
    page.keyboard.press("a")  # assign to me: the Assign tab opens, its button focused
    expect(panel.get_by_role("button", name="Assign to me")).to_be_focused()
    expect(panel.get_by_role("tab", name="Assign")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    confirmation = page.locator("#workspace-messages .alert", has_text="assigned to you")
    expect(confirmation).to_be_focused()
    expect(panel.locator(f"[data-item-id='{order[1]}']")).to_be_visible()
    assert Item.objects.get(pk=order[1]).assigned_to.email == COMMUNICATOR
    marker_survives(page)
    assert axe_violations(page) == []

    # Reload and Back work on the item's own URL (the whole item page, its list beside it).
    page.reload()
    expect(page.locator("#item-heading")).to_be_visible()
    # The item itself (its row in the list beside it carries the same id).
    expect(page.locator(f"[data-item-view][data-item-id='{order[1]}']")).to_be_visible()
    expect(page.locator(f"#queue-row-{order[1]} [data-item-link]")).to_have_attribute(
        "aria-current", "true"
    )
    page.go_back()
    expect(page).to_have_url(re.compile(rf"/items/{order[0]}/\?queue="))
    expect(page.locator(f"[data-item-view][data-item-id='{order[0]}']")).to_be_visible()


@pytest.mark.usefixtures("demo_data")
def test_on_a_phone_filters_behind_a_button_cards_and_thumb_sized_actions(
    watched_page: Page, live_server
) -> None:
    page = watched_page
    base = live_server.url
    sign_in(page, base, COMMUNICATOR)
    speak(page, "fr")
    for width in (320, 375):
        page.set_viewport_size({"width": width, "height": 740})
        page.goto(f"{base}{QUEUE}")
        filters = page.locator("details.queue-filters > summary")
        expect(filters).to_be_visible()
        expect(filters).to_contain_text("2")  # status and language
        expect(page.get_by_label("Langue", exact=True)).to_be_hidden()
        expect(page.locator("table")).to_have_count(0)
        first = page.locator("li.queue-row").first
        expect(first).to_be_visible()
        assert first.bounding_box()["y"] < 700  # the first item on the first screen
        no_sideways_scroll(page)
        filters.click()
        expect(page.get_by_label("Langue", exact=True)).to_be_visible()
        no_sideways_scroll(page)
        assert axe_violations(page) == []

    # The whole card opens the item's own page (no room beside the list).
    page.evaluate("window.workspaceMarker = 'still here'")
    first.click(position={"x": 200, "y": 12})
    expect(page).to_have_url(re.compile(r"/items/\d+/\?queue="))
    assert page.evaluate("window.workspaceMarker") is None
    expect(page.locator("[data-item]")).to_have_count(0)  # the list is not loaded beside it
    no_sideways_scroll(page)
    tabs = page.get_by_role("tab")
    expect(tabs.first).to_be_in_viewport()
    reply = page.locator("#reply-text")
    record = page.get_by_role("button", name="Enregistrer la réponse")
    expect(reply).to_be_visible()
    for button in (record, page.locator("#action-reply button[name='then']")):
        assert button.bounding_box()["height"] >= 44
    reply_box, record_box = reply.bounding_box(), record.bounding_box()
    assert record_box["y"] - (reply_box["y"] + reply_box["height"]) < 24  # one thumb apart
    for tab in tabs.all():
        assert tab.bounding_box()["height"] >= 44
    assert axe_violations(page) == []


@pytest.mark.usefixtures("demo_data")
def test_axe_finds_nothing_on_the_workspace_at_three_widths_in_three_languages(
    watched_page: Page, live_server
) -> None:
    page = watched_page
    base = live_server.url
    sign_in(page, base, COMMUNICATOR)
    found: dict[str, list[str]] = {}
    for language in ("fr", "nl", "en"):
        speak(page, language)
        for width in (375, 1280, 1920):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{base}{QUEUE}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            no_sideways_scroll(page)
            found[f"queue {language} {width}"] = axe_violations(page)
            page.locator("[data-item-link]").first.click()
            expect(page.locator("#item-heading")).to_be_visible()
            no_sideways_scroll(page)
            found[f"item {language} {width}"] = axe_violations(page)
    assert found == {key: [] for key in found}
