"""Every public page of an institution (house rules, transparency, complaint form and its
confirmation) carries the institution's own header: its name, its house rules, its transparency
figures, its complaint form and the language chooser; nothing in it leads to the sign-in page.
The footer and the newer public pages: accounts/tests/test_public_pages.py."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from charter.tests.factories import published_charter

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "/charters/defence/",
    "/charters/defence/house-rules/",
    "/charters/defence/house-rules/?v=9",  # the "not available" page keeps the header too
    "/transparency/defence/",
    "/complaints/defence/new/",
    "/complaints/defence/sent/",
]


@pytest.fixture
def public_site(client: Client, defence, defence_admin) -> Client:
    published_charter(defence, defence_admin)
    session = client.session
    session["complaints.sent"] = "DEF-2026-00001"
    session.save()
    return client


def header_of(page: str) -> str:
    match = re.search(r"<header .*?</header>", page, re.DOTALL)
    assert match is not None
    return match.group(0)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_a_public_page_has_the_institutions_header(public_site: Client, url: str) -> None:
    response = public_site.get(url, headers={"Accept-Language": "en"})
    assert response.status_code in (200, 404)
    header = header_of(response.content.decode())
    assert 'href="/charters/defence/">Defence</a>' in header
    assert 'href="/charters/defence/"' in header
    assert 'href="/transparency/defence/"' in header
    assert 'href="/complaints/defence/new/"' in header
    assert 'action="/language/"' in header
    assert "/accounts/login/" not in header
    assert 'href="/"' not in header


def test_the_header_marks_the_page_the_visitor_is_on(public_site: Client) -> None:
    header = header_of(public_site.get("/complaints/defence/new/").content.decode())
    assert re.search(r'href="/complaints/defence/new/"\s+aria-current="page"', header)
    assert not re.search(r'href="/transparency/defence/"\s+aria-current="page"', header)


def test_the_house_rules_link_to_the_complaint_form(public_site: Client) -> None:
    page = public_site.get("/charters/defence/house-rules/").content.decode()
    main = page.split("<main", 1)[1]
    assert 'href="/complaints/defence/new/"' in main


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_language_chooser_names_each_language_in_itself(
    public_site: Client, language: str
) -> None:
    """One button per language: its visible code, then the language named in itself (the
    accessible name starts with what is seen); the language being read is marked current."""
    page = public_site.get("/charters/defence/", headers={"Accept-Language": language})
    html = re.sub(r"\s+", " ", page.content.decode())
    buttons = re.findall(
        r'name="language" value="(\w\w)" lang="\w\w" class="[^"]*" ?(aria-current="true")?>'
        r'(\w\w)<span class="visually-hidden"> \N{EN DASH} (\w+)</span>',
        html,
    )
    assert [(value, code, name) for value, _current, code, name in buttons] == [
        ("fr", "FR", "Français"),
        ("nl", "NL", "Nederlands"),
        ("en", "EN", "English"),
    ]
    assert [value for value, current, _code, _name in buttons if current] == [language]
