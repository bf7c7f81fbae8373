"""Four eyes in a real browser, on the demo's removal waiting for a second look: its proposer
(the demo communicator) finds no approve button, only "withdraw"; the spokesperson opens
*Removals to approve*, then the item, and approves; the item is removed and the history names
both. axe-core on the list and on the item's review panel, no sideways scroll at 320 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from moderation.models import Decision, RemovalProposal
from tests.e2e.axe import axe_violations
from tests.e2e.test_complaint_tour import in_english
from tests.e2e.test_sign_in_tour import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.usefixtures("demo_data")
def test_the_proposer_cannot_approve_and_a_spokesperson_does(
    page: Page, browser: Browser, live_server
) -> None:
    base = live_server.url
    proposal = RemovalProposal.objects.pending().get(institution__slug="defence")
    item_url = f"{base}/i/defence/queue/items/{proposal.item_id}/"

    sign_in(page, base, "communicator@defence.demo")
    in_english(page)
    page.goto(item_url)
    review = page.locator("#action-review")
    expect(review).to_contain_text("another moderator must approve or reject it")
    expect(page.get_by_role("button", name="Approve: remove it")).to_have_count(0)
    expect(page.get_by_role("button", name="Withdraw the proposal")).to_be_visible()
    page.close()

    page = browser.new_page()  # a session of its own
    sign_in(page, base, "spokesperson@defence.demo")
    in_english(page)
    page.goto(f"{base}/i/defence/queue/approvals/")
    expect(page.get_by_role("heading", name="Removals to approve")).to_be_visible()
    expect(page.get_by_text("1 proposal waits.")).to_be_visible()
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 320, "height": 800})
    assert no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Open the item").click()
    expect(page.get_by_role("button", name="Approve: remove it")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Approve: remove it").click()
    expect(page.locator("#workspace-messages")).to_contain_text("Approved: the item was removed.")
    removal = Decision.objects.get(item_id=proposal.item_id, action="remove")
    assert removal.proposed_by_id == proposal.proposer_id
    assert removal.actor.email == "spokesperson@defence.demo"
    expect(page.locator("#history-heading + ol")).to_contain_text("proposed by")
