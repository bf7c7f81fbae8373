"""A charter editor in a real browser: draft with a new rule, live preview, publish, public page.

The rules the editor does not touch survive the save (issue 13, 0a)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_sign_in_tour import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("demo_data")
def test_editor_adds_a_rule_previews_publishes_and_the_public_sees_it(
    watched_page: Page, live_server
) -> None:
    page = watched_page
    base = live_server.url
    sign_in(page, base, "charter_editor@bosa.demo")
    switcher = page.locator("form.language-switcher")  # the editor's own UI in English
    switcher.get_by_role("combobox").select_option("en")
    switcher.get_by_role("button").click()
    page.goto(f"{base}/i/bosa/charters/house-rules/")
    page.locator("main form button[type=submit]").first.click()  # start a new draft
    expect(page).to_have_url(f"{base}/i/bosa/charters/house-rules/draft/")

    # Live preview of the French text, rendered by the server's pipeline.
    body_fr = page.locator("#id_body_fr")
    body_fr.fill("Bienvenue.\n\n**Nouveau** : nous répondons aussi le dimanche.")
    expect(page.locator("#preview-fr strong")).to_have_text("Nouveau")

    # The empty row at the end adds rule R7.
    new_rule = page.locator("fieldset.rule-row").last
    new_rule.get_by_label("Number").fill("7")
    new_rule.get_by_label("Order").fill("7")
    new_rule.get_by_label("Title (Français)").fill("Usurpation d'identité")
    new_rule.get_by_label("Text (Français)").fill("Se faire passer pour quelqu'un d'autre.")
    new_rule.get_by_label("Title (Nederlands)").fill("Identiteitsfraude")
    new_rule.get_by_label("Text (Nederlands)").fill("Zich voordoen als iemand anders.")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("status").first).to_contain_text("Draft saved")
    # The six rules the editor did not touch are still there, followed by R7 and an empty row.
    legends = page.locator("fieldset.rule-row legend")
    expect(legends).to_have_text(["R1", "R2", "R3", "R4", "R5", "R6", "R7", "New rule"])

    page.get_by_role("link", name="Review and publish").first.click()
    expect(page.get_by_text("What will become public")).to_be_visible()
    changes = page.locator("table.rule-changes tbody tr")
    expect(changes).to_have_count(1)  # only R7, added; nothing removed
    expect(changes.first).to_contain_text("added")
    expect(changes.first).to_contain_text("R7")
    page.get_by_label("Summary of changes").fill("R7 added: impersonation.")
    page.get_by_role("button", name="Publish version 2").click()
    expect(page.get_by_role("status").first).to_contain_text("Version 2 is published")

    # The public page speaks the reader's language, chosen in its header (a signed-in
    # editor's preference wins over an old ?lang= link, as on every page).
    page.goto(f"{base}/charters/bosa/house-rules/")
    languages = page.locator("form.public-languages")  # the public header's buttons
    languages.get_by_role("button", name=re.compile("^FR")).click()
    rule = page.locator("#R7")
    expect(rule).to_contain_text("Usurpation d'identité")
    for number in range(1, 7):
        expect(page.locator(f"#R{number}")).to_have_count(1)
    expect(page.locator(".charter-body strong")).to_have_text("Nouveau")
    languages.get_by_role("button", name=re.compile("^NL")).click()
    page.goto(f"{base}/charters/bosa/house-rules/#R7")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("#R7")).to_contain_text("Identiteitsfraude")
    page.goto(f"{base}/charters/bosa/house-rules/?v=1")
    expect(page.locator("#R7")).to_have_count(0)
