"""A complaint officer in a real browser: a phone complaint registered, routed, acknowledged,
answered and closed; a complaint sent through the public form appears in the officer's list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import OutgoingEmail
from tests.e2e.test_sign_in_tour import sign_in_with_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def in_english(page: Page) -> None:
    switcher = page.locator("form.language-switcher")
    switcher.get_by_role("combobox").select_option("en")
    switcher.get_by_role("button").click()


@pytest.mark.usefixtures("demo_data")
def test_a_phone_complaint_from_registration_to_closing(
    watched_page: Page, browser: Browser, live_server
) -> None:
    page = watched_page
    base = live_server.url
    sign_in_with_code(page, base, "complaint_officer@defence.demo")
    in_english(page)
    page.goto(f"{base}/i/defence/complaints/")
    page.get_by_role("link", name="Register a complaint").click()

    page.get_by_label("Received by").select_option("phone")
    page.get_by_label("Category").select_option(label="Staff behaviour")
    page.locator("#id_language").select_option("nl")
    page.get_by_label("Subject").fill("Parkeren geweigerd aan de kazernepoort")
    page.get_by_label("Description").fill("De wacht weigerde de toegang zonder uitleg.")
    page.get_by_label("Complainant's name").fill("Wim Maes")
    page.get_by_label("E-mail").fill("wim.maes@example.org")
    page.get_by_role("button", name="Register the complaint").click()

    expect(page.get_by_role("status").first).to_contain_text("registered")
    reference = page.get_by_role("heading", level=1).inner_text()
    assert re.fullmatch(r"DEF-\d{4}-\d{5}", reference)
    expect(page.get_by_text("By the routing rule “Complaints service”")).to_be_visible()

    page.get_by_role("link", name="Write the acknowledgement of receipt").click()
    expect(page.get_by_label("Subject")).to_have_value(re.compile(reference))
    page.get_by_role("button", name="Preview the letter").click()
    expect(page.locator("[data-letter-preview]")).to_contain_text("wim.maes@example.org")
    page.get_by_role("button", name="Send the e-mail").click()
    expect(page.locator(".badge", has_text="Acknowledged")).to_be_visible()
    follow_the_link_as_the_complainant(browser, live_server.url, "wim.maes@example.org", reference)

    page.get_by_role("link", name="Write the answer").click()
    page.get_by_role("button", name="Preview the letter").click()  # the placeholder is still there
    expect(page.get_by_role("alert")).to_contain_text("[Onze bevindingen en wat we zullen doen.]")
    body = page.get_by_label("Text")
    body.fill(body.input_value().replace("[Onze bevindingen en wat we zullen doen.]", "Excuses."))
    page.get_by_role("button", name="Preview the letter").click()
    preview = page.locator("[data-letter-preview]")
    expect(preview).to_contain_text("Excuses.")
    expect(preview).not_to_contain_text("[")
    page.get_by_role("button", name="Send the e-mail").click()
    expect(page.locator(".badge", has_text="Answered")).to_be_visible()

    page.get_by_label("Outcome").select_option("founded")
    page.get_by_role("button", name="Close the case").click()
    expect(page.locator(".badge", has_text="Closed")).to_be_visible()
    timeline = page.locator("ol.timeline")
    for event in ("Received", "Assigned", "Acknowledgement sent", "Answer sent", "Closed"):
        expect(timeline).to_contain_text(event)


def follow_the_link_as_the_complainant(
    browser: Browser, base: str, address: str, reference: str
) -> None:
    """The acknowledgement's private link, opened by someone with no account: the complaint in
    its language (Dutch), its letters, no officer."""
    mail = OutgoingEmail.objects.filter(to_address=address).latest("pk")
    match = re.search(r"/complaints/defence/track/[^/\s]+/[^/\s]+/", mail.body_text)
    assert match is not None, mail.body_text
    context = browser.new_context()
    visitor = context.new_page()
    visitor.goto(base + match.group(0))
    expect(visitor.locator("html")).to_have_attribute("lang", "nl")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(reference)
    expect(visitor.locator("article")).to_contain_text(reference)  # the acknowledgement
    expect(visitor.locator("main")).not_to_contain_text("complaint_officer")
    context.close()


@pytest.mark.usefixtures("demo_data")
def test_a_public_complaint_reaches_the_officers_list(
    watched_page: Page, browser: Browser, live_server
) -> None:
    base = live_server.url
    visitor = browser.new_page(locale="en-GB")
    visitor.goto(f"{base}/complaints/defence/new/")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Submit a complaint")
    visitor.get_by_label("Your name").fill("Ines Dupont")
    visitor.get_by_label("Your e-mail address").fill("ines@example.org")
    visitor.get_by_label("What is your complaint about?").select_option(label="Accessibility")
    visitor.get_by_label("Subject").fill("Site unreadable with a screen reader")
    visitor.locator("#id_description").fill("The application form has no labels.")
    visitor.get_by_label("Language of the answer").select_option("en")
    visitor.wait_for_timeout(3200)  # a person takes more than the time trap's 3 seconds
    visitor.get_by_role("button", name="Send my complaint").click()
    expect(visitor.get_by_role("status")).to_contain_text("Your reference number is")
    reference = visitor.locator("[role=status] strong").inner_text()
    visitor.close()

    page = watched_page
    sign_in_with_code(page, base, "complaint_officer@defence.demo")
    in_english(page)
    page.goto(f"{base}/i/defence/complaints/?status=received")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
