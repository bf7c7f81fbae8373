"""An institution's public pages: one header (institution, house rules, transparency, complaint
form, languages) and one footer (accessibility statement, privacy notice, contact) on each,
the accessibility statement and privacy notice built from the institution's settings, and
those settings saved, recorded and checked on the settings page."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Institution
from accounts.selectors import settings_history
from accounts.tests.factories import settings_form_data
from charter.tests.factories import published_charter

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = {
    "charter:public-list": "/charters/defence/",
    "charter:public-detail": "/charters/defence/house-rules/",
    "reports:transparency": "/transparency/defence/",
    "complaints:public-form": "/complaints/defence/new/",
    "accounts:public-accessibility": "/accessibility/defence/",
    "accounts:public-privacy": "/privacy/defence/",
    "accounts:public-contact": "/contact/defence/",
}
HEADER_LINKS = {
    "/charters/defence/": "House rules",
    "/transparency/defence/": "Transparency",
    "/complaints/defence/new/": "Complaint form",
}
FOOTER_LINKS = {
    "/accessibility/defence/": "Accessibility statement",
    "/privacy/defence/": "Privacy notice",
    "/contact/defence/": "Contact",
}
SETTINGS = "/i/defence/settings/"
TODAY = timezone.localdate()  # the statement's dates are checked against today


def get(client: Client, path: str, language: str = "en") -> str:
    response = client.get(path, headers={"accept-language": language})
    assert response.status_code == 200, path
    return re.sub(r"\s+", " ", response.content.decode())


def part(page: str, tag: str) -> str:
    match = re.search(rf"<{tag} class=\"public-{tag}[^>]*>.*?</{tag}>", page)
    assert match, tag
    return match.group(0)


def links(html: str) -> dict[str, tuple[str, bool]]:
    """href → (text, aria-current) of every link in ``html``."""
    return {
        href: (text.strip(), "aria-current" in attributes)
        for href, attributes, text in re.findall(r'<a [^>]*href="([^"]+)"([^>]*)>([^<]*)</a>', html)
    }


@pytest.fixture
def house_rules(defence: Institution, defence_admin) -> None:
    published_charter(defence, defence_admin)


@pytest.mark.usefixtures("house_rules")
@pytest.mark.parametrize(("name", "path"), PUBLIC_PAGES.items())
def test_every_public_page_has_the_header_and_the_footer_marking_the_current_page(
    client: Client, name: str, path: str
) -> None:
    page = get(client, path)
    header, footer = part(page, "header"), part(page, "footer")
    assert 'aria-label="Public pages"' in header
    assert ">Defence</a>" in header  # the institution, first in the header
    shown = links(header) | links(footer)
    for href, text in (HEADER_LINKS | FOOTER_LINKS).items():
        assert shown[href][0] == text
    current = [href for href, (_text, is_current) in shown.items() if is_current]
    expected = path if path in shown else "/charters/defence/"  # a charter: the house rules
    assert current == [expected]
    assert 'aria-current="true">EN' in header  # the language chooser names the current one
    assert "Accessibility: partially compliant" in footer
    assert "site-footer" not in page  # the staff footer is replaced


@pytest.mark.parametrize(
    ("language", "name", "prepared", "ombudsman", "html_lang"),
    [
        ("fr", "Défense", "15 janvier 2026", "Rue Ducale 43, 1000 Bruxelles", "fr"),
        ("nl", "Defensie", "15 januari 2026", "Hertogsstraat 43, 1000 Brussel", "nl"),
        ("en", "Defence", "15 January 2026", "Rue Ducale 43 / Hertogsstraat 43", "en"),
    ],
)
def test_the_accessibility_statement_speaks_the_visitors_language(
    client: Client,
    defence: Institution,
    language: str,
    name: str,
    prepared: str,
    ombudsman: str,
    html_lang: str,
) -> None:
    defence.accessibility_prepared_on = date(2026, 1, 15)
    defence.accessibility_email = "a11y@defence.test"
    defence.save()
    page = get(client, "/accessibility/defence/", language)
    assert f'<html lang="{html_lang}">' in page
    assert f">{name}</a>" in page
    assert prepared in page
    assert ombudsman in page
    assert 'href="mailto:a11y@defence.test"' in page
    assert 'href="/complaints/defence/new/"' in page  # the complaint step of the procedure


def test_the_statement_follows_the_model_statement_and_the_institutions_settings(
    client: Client, defence: Institution
) -> None:
    page = get(client, "/accessibility/defence/")
    for heading in (
        "Compliance status",
        "Non-accessible content",
        "Preparation of this accessibility statement",
        "Feedback and contact information",
        "Enforcement procedure",
    ):
        assert f">{heading}</h2>" in page
    assert "partially compliant with the Web Content Accessibility Guidelines (WCAG) 2.1" in page
    assert "Non-compliance with the accessibility requirements" in page
    assert "not within the scope" in page  # third-party content from social media
    assert "self-assessment" in page
    assert "axe-core" in page
    assert "last reviewed" not in page  # never reviewed yet
    assert "Federal Ombudsman" in page
    assert "https://www.federalombudsman.be" in page

    defence.accessibility_status = "full"
    defence.accessibility_reviewed_on = date(2026, 3, 2)
    defence.accessibility_ombudsman = "other"
    defence.accessibility_ombudsman_other = "Vlaamse Ombudsdienst\nLeuvenseweg 86, 1000 Brussel"
    defence.contact_email = "info@defence.test"
    defence.save()
    page = get(client, "/accessibility/defence/")
    assert "fully compliant with the Web Content" in page
    assert "Non-compliance with the accessibility requirements" not in page
    assert "It was last reviewed on 2 March 2026." in page
    assert "Vlaamse Ombudsdienst<br>Leuvenseweg 86" in page
    assert "Federal Ombudsman" not in page
    assert 'href="mailto:info@defence.test"' in page  # no accessibility address: the general one
    assert "Accessibility: fully compliant" in page


def test_the_privacy_notice_quotes_the_retention_periods_in_force(
    client: Client, defence: Institution, settings
) -> None:
    settings.EMAIL_RETENTION_DAYS = 45
    defence.complaint_retention_months = 18
    defence.item_retention_months = 6
    defence.dpo_email = "dpo@defence.test"
    defence.save()
    page = get(client, "/privacy/defence/")
    assert "erased 18 months after your complaint is closed" in page
    assert "erased 6 months after we receive it" in page
    assert "for 45 days, to check that it was delivered" in page
    assert 'href="mailto:dpo@defence.test"' in page
    assert "article 6(1)(e)" in page
    assert "Data Protection Authority" in page
    assert "Rue de la Presse 35" in page
    assert "Only our complaint officers" in page
    french = get(client, "/privacy/defence/", "fr")
    assert "https://www.autoriteprotectiondonnees.be" in french
    assert "Rue de la Presse 35, 1000 Bruxelles" in french


def test_the_complaint_form_links_its_privacy_sentence_to_the_notice(
    client: Client, defence: Institution
) -> None:
    page = get(client, "/complaints/defence/new/")
    main = page.split("<main", 1)[1]
    assert '<a href="/privacy/defence/">Our privacy notice</a>' in main


def test_the_contact_page_shows_the_details_given_or_says_none_are_published(
    client: Client, defence: Institution
) -> None:
    page = get(client, "/contact/defence/")
    assert "We have not published our contact details here yet." in page
    defence.contact_postal_address = "Rue d'Evere 1\n1140 Bruxelles"
    defence.contact_phone = "+32 2 000 00 00"
    defence.contact_url = "https://www.example.be"
    defence.save()
    page = get(client, "/contact/defence/")
    assert "Rue d&#x27;Evere 1<br>1140 Bruxelles" in page
    assert "+32 2 000 00 00" in page
    assert '<a href="https://www.example.be">' in page
    assert "not published" not in page


def test_a_public_page_of_an_unknown_institution_is_404(client: Client, defence) -> None:
    for path in ("/accessibility/nowhere/", "/privacy/nowhere/", "/contact/nowhere/"):
        assert client.get(path).status_code == 404


def test_the_settings_are_saved_and_recorded_in_the_history(
    client: Client, defence: Institution, defence_admin
) -> None:
    client.force_login(defence_admin)
    data = settings_form_data(
        defence,
        contact_email="info@defence.test",
        contact_phone="+32 2 701 00 00",
        dpo_email="dpo@defence.test",
        accessibility_status="full",
        accessibility_prepared_on=(TODAY - timedelta(days=100)).isoformat(),
        accessibility_reviewed_on=(TODAY - timedelta(days=10)).isoformat(),
        accessibility_ombudsman="brussels",
    )
    response = client.post(SETTINGS, data)
    assert response.status_code == 302
    defence.refresh_from_db()
    assert defence.accessibility_status == "full"
    assert defence.accessibility_reviewed_on == TODAY - timedelta(days=10)
    assert defence.contact_phone == "+32 2 701 00 00"
    changes = {c.label: (c.old, c.new) for c in settings_history(defence)[0].changes}
    assert changes["compliance with WCAG 2.1 level AA"] == (
        "partially compliant",
        "fully compliant",
    )
    assert changes["contact e-mail address"] == ("—", "info@defence.test")
    reviewed = (TODAY - timedelta(days=10)).isoformat()
    assert changes["accessibility statement last reviewed on"] == ("—", reviewed)
    assert settings_history(defence)[0].record.history_user == defence_admin
    page = get(client, SETTINGS)
    assert "compliance with WCAG 2.1 level AA: partially compliant → fully compliant" in page
    assert "Brussels Ombudsman" in get(client, "/accessibility/defence/")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {
                "accessibility_prepared_on": (TODAY - timedelta(days=10)).isoformat(),
                "accessibility_reviewed_on": (TODAY - timedelta(days=20)).isoformat(),
            },
            "accessibility_reviewed_on",
            "The review cannot come before the statement was prepared.",
        ),
        (
            {"accessibility_prepared_on": (TODAY + timedelta(days=2)).isoformat()},
            "accessibility_prepared_on",
            "This date is in the future.",
        ),
        (
            {"accessibility_ombudsman": "other", "accessibility_ombudsman_other": " "},
            "accessibility_ombudsman_other",
            "Name the ombudsman and how to reach them.",
        ),
        ({"contact_phone": "call us"}, "contact_phone", "Enter a phone number"),
        ({"dpo_email": "not an address"}, "dpo_email", "Enter a valid email address."),
        ({"accessibility_url": "javascript:alert(1)"}, "accessibility_url", "Enter a valid URL."),
        ({"accessibility_status": "perfect"}, "accessibility_status", "Select a valid choice."),
    ],
)
def test_bad_settings_are_refused_with_a_message_and_nothing_is_saved(
    client: Client,
    defence: Institution,
    defence_admin,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    client.force_login(defence_admin)
    before = defence.history.count()
    response = client.post(SETTINGS, settings_form_data(defence, **changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert message in response.content.decode()
    assert defence.history.count() == before
