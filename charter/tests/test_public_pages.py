"""Public charter pages: version in force, ?v=N, language choice and fallback, rule anchors."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from charter.services import TextInput, draft_save, draft_start, version_publish
from charter.tests.factories import publish_new_version, published_charter, rules

pytestmark = pytest.mark.django_db
URL = "/charters/defence/house-rules/"


def speak(client: Client, language: str) -> Client:
    """The visitor chose this language (the cookie the header's switcher sets)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def charter(defence, defence_admin):
    charter = published_charter(defence, defence_admin, rule_numbers=(1, 2, 3))
    publish_new_version(charter, defence_admin, rule_numbers=(1, 2, 3, 4), summary="R4 added.")
    return charter


def test_current_version_with_a_stable_anchor_per_rule(client: Client, charter) -> None:
    page = speak(client, "fr").get(URL).content.decode()
    assert 'id="R4"' in page
    assert 'href="#R4"' in page
    assert "version 2" in page
    assert "remplacée" not in page


def test_an_older_version_is_marked_superseded_with_a_link_to_the_current(
    client: Client, charter
) -> None:
    page = speak(client, "en").get(URL, {"v": "1"}).content.decode()
    assert "This is version 1, which has been replaced" in page
    assert 'id="R4"' not in page
    assert f'href="{URL}">Read the version in force' in page


@pytest.mark.parametrize(
    ("v", "status", "message"),
    [
        ("9", 404, "Version 9 of this charter does not exist."),
        ("abc", 400, "“abc” is not a version number."),
    ],
)
def test_unknown_or_malformed_version_gets_a_clear_message(
    client: Client, charter, v: str, status: int, message: str
) -> None:
    response = speak(client, "en").get(URL, {"v": v})
    assert response.status_code == status
    assert message in response.content.decode()


def test_language_from_the_switcher_or_the_browser(client: Client, charter) -> None:
    assert "Huisregels" in speak(Client(), "nl").get(URL).content.decode()
    browser = client.get(URL, headers={"Accept-Language": "nl-BE"}).content.decode()
    assert "Huisregels" in browser
    assert '<html lang="nl">' in browser


def test_a_missing_language_falls_back_with_a_visible_notice(client: Client, charter) -> None:
    page = speak(client, "en").get(URL).content.decode()
    assert "This text is not available in your language" in page
    assert "Règles de la page" in page or "Huisregels" in page


def test_unpublished_charters_and_other_institutions_are_not_shown(
    client: Client, defence, defence_admin, police
) -> None:
    from charter.services import charter_create

    charter_create(
        institution=defence,
        actor=defence_admin,
        audience="public",
        slug="unpublished",
        title="Unpublished",
    )
    assert client.get("/charters/defence/unpublished/").status_code == 404
    assert client.get("/charters/federal-police/house-rules/").status_code == 404
    assert client.get("/charters/no-such-institution/").status_code == 404


def test_staff_charters_are_not_public(client: Client, defence, defence_admin) -> None:
    published_charter(defence, defence_admin, slug="staff-charter", audience="staff")
    assert client.get("/charters/defence/staff-charter/").status_code == 404
    assert "staff-charter" not in client.get("/charters/defence/").content.decode()


def test_the_rendered_body_is_cached_until_the_next_publication(
    client: Client, charter, defence_admin, django_assert_max_num_queries
) -> None:
    speak(client, "fr").get(URL)
    with django_assert_max_num_queries(6):
        speak(client, "fr").get(URL)
    version = draft_start(charter=charter, actor=defence_admin)
    draft_save(
        version=version,
        actor=defence_admin,
        texts=[TextInput("fr", "Nouveau titre", "Texte nouveau.")],
        rules=rules(1, 2, 3, 4),
    )
    version_publish(version=version, actor=defence_admin, change_summary="New text.")
    assert "Texte nouveau." in speak(client, "fr").get(URL).content.decode()


def test_the_public_list_names_the_house_rules(client: Client, charter) -> None:
    page = speak(client, "fr").get("/charters/defence/").content.decode()
    assert "Règles de la page" in page


def test_an_old_lang_link_sets_the_language_and_redirects_without_it(
    client: Client, charter
) -> None:
    response = client.get(URL, {"v": "1", "lang": "nl"})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?v=1"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
    assert "Huisregels" in client.get(response["Location"]).content.decode()


def test_the_header_switcher_changes_the_language_of_a_house_rules_page(
    client: Client, charter
) -> None:
    """The switcher sends the visitor back to the address of the page; that address must not
    pin the old language."""
    page = client.get(URL, {"lang": "nl"}, follow=True).content.decode()
    back_to = re.search(r'name="next" value="([^"]*)"', page)
    assert back_to is not None
    assert "lang=" not in back_to.group(1)
    switched = client.post(
        "/language/", {"language": "fr", "next": back_to.group(1)}, follow=True
    ).content.decode()
    assert '<html lang="fr">' in switched
    assert "Règles de la page" in switched
