"""The interface speaks French, Dutch and English; signed-in users keep their choice."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

pytestmark = pytest.mark.django_db


def switch(client: Client, language: str, next_url: str = "/"):
    return client.post(reverse("accounts:language-set"), {"language": language, "next": next_url})


@pytest.mark.parametrize(
    ("language", "text"),
    [("fr", "Vos institutions"), ("nl", "Uw instellingen"), ("en", "Your institutions")],
)
def test_home_page_renders_in_the_chosen_language(
    client: Client, defence_communicator, language: str, text: str
) -> None:
    client.force_login(defence_communicator)
    assert switch(client, language).status_code == 302
    page = client.get("/")
    body = page.content.decode()
    assert f'<html lang="{language}">' in body
    assert text in body
    defence_communicator.refresh_from_db()
    assert defence_communicator.preferred_language == language


def test_anonymous_visitors_get_the_language_of_their_browser(client: Client) -> None:
    page = client.get(reverse("account_login"), headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert '<html lang="nl">' in page.content.decode()


def test_an_unknown_language_is_a_clear_400(client: Client) -> None:
    response = switch(client, "xx")
    assert response.status_code == 400


def test_the_switcher_never_redirects_off_site(client: Client) -> None:
    response = switch(client, "fr", "https://evil.example/")
    assert response.url == "/"


@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "25/11/2026"), ("nl", "25/11/2026"), ("en", "25/11/2026")]
)
def test_dates_use_belgian_day_first_format(language: str, expected: str) -> None:
    import datetime

    with translation.override(language):
        assert formats.date_format(datetime.date(2026, 11, 25), "SHORT_DATE_FORMAT") == expected


@pytest.mark.parametrize(
    ("language", "text"), [("fr", "Connexion avec"), ("nl", "U bent nu aangemeld als")]
)
def test_the_signed_in_message_speaks_the_users_language(
    client: Client, defence_communicator, language: str, text: str
) -> None:
    """The sign-in page was in the browser's English; the message after it is in the language
    the user chose, and in Dutch it says "u" like the rest of the application."""
    from accounts.tests.factories import TEST_PASSWORD

    defence_communicator.preferred_language = language
    defence_communicator.save(update_fields=["preferred_language"])
    home = client.post(
        reverse("account_login"),
        {"login": defence_communicator.email, "password": TEST_PASSWORD},
        headers={"Accept-Language": "en"},
        follow=True,
    )
    assert text in home.content.decode()
    assert "Successfully signed in" not in home.content.decode()
