"""The staff shell: the side navigation shows each person the pages their roles open in the
institution of the page, marks the current one, costs no query, and leaves public pages and pages
outside an institution alone; the top bar keeps the switcher, notifications, language and user
menu. The browser side (collapse, off-canvas, widths, axe) is tests/e2e/test_shell_tour.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from accounts.models import Institution, Role, User
from accounts.tests.factories import member
from conftest import enrol_totp
from govsocial.navigation import NAVIGATION, entry_roles, menu
from govsocial.tests.test_url_access import EXPECTATIONS, Tenant

pytestmark = pytest.mark.django_db

COMMUNICATOR_PAGES = {
    "moderation:queue",
    "moderation:removal-approvals",
    "moderation:platform-to-do",
    "moderation:contest-list",
    "moderation:post-list",
    "moderation:post-calendar",
    "moderation:duty",
    "moderation:saved-replies",
    "channels:import-list",
    "reports:dashboard",
    "reports:monthly",
    "accounts:institution-detail",
    "channels:channel-list",
}

# What each role finds in the side navigation: written out here rather than derived, so that a
# view whose roles change shows up as a change of this table.
PAGES_BY_ROLE: dict[str, set[str]] = {
    Role.COMMUNICATOR: COMMUNICATOR_PAGES,
    Role.SPOKESPERSON: COMMUNICATOR_PAGES,
    Role.COMPLAINT_OFFICER: {
        "complaints:case-list",
        "complaints:analysis",
        "complaints:recommendation-list",
        "complaints:template-list",
        "complaints:hold-list",
        "reports:dashboard",
        "reports:monthly",
        "accounts:institution-detail",
        "channels:channel-list",
    },
    Role.CHARTER_EDITOR: {
        "charter:charter-list",
        "accounts:institution-detail",
        "channels:channel-list",
    },
    Role.INSTITUTION_ADMIN: {
        "moderation:removal-approvals",
        "moderation:sensitive-accounts",
        "moderation:platform-to-do",
        "moderation:contest-list",
        "moderation:post-list",
        "moderation:post-calendar",
        "moderation:duty",
        "moderation:saved-replies",
        "channels:watch-list",
        "channels:import-list",
        "complaints:template-list",
        "complaints:hold-list",
        "charter:charter-list",
        "reports:dashboard",
        "reports:monthly",
        "reports:statements",
        "deadlines-breached",
        "accounts:institution-detail",
        "accounts:member-list",
        "channels:channel-list",
        "channels:delivery-list",
        "webhooks:subscription-list",
        "complaints:routing",
        "complaints:category-list",
        "api:tokens",
        "accounts:institution-settings",
    },
}

# Institution pages that take no argument but the institution and have no place in the
# navigation, each with the page that leads to it.
NOT_IN_NAVIGATION = {
    "accounts:member-invite": "a form, from the members page",
    "channels:channel-create": "a form, from the channels page",
    "charter:charter-create": "a form, from the charters page",
    "complaints:case-create": "a form, from the cases page",
    "moderation:post-create": "a form, from the outgoing posts page",
    "moderation:new-count": "an htmx fragment of the queue",
    "webhooks:subscription-create": "a form, from the outgoing webhooks page",
    "webhooks:delivery-list": "from the outgoing webhooks page",
    "moderation:ladder": "from the duty page (escalation ladder and duty officer of the week)",
    "moderation:handover": "from the duty page (hand over my items)",
}

MAIN_NAV = re.compile(r'<nav class="sidenav-nav" aria-label="[^"]+">(.*?)</nav>', re.S)
LINK = re.compile(r'<a class="sidenav-link" href="([^"]+)"')


def person(institution: Institution, *roles: str) -> User:
    user = member(institution, *roles)
    if {Role.INSTITUTION_ADMIN, Role.COMPLAINT_OFFICER} & set(roles):
        enrol_totp(user)  # or every product page sends them to the MFA page
    return user


def signed_in(user: User) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


def side_navigation(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    found = MAIN_NAV.search(response.content.decode())
    assert found is not None, f"no side navigation on {url}"
    return found.group(1)


def linked_pages(nav: str, institution: Institution) -> set[str]:
    by_url = {
        reverse(entry.url_name, kwargs={"institution_slug": institution.slug}): entry.url_name
        for group in NAVIGATION
        for entry in group.entries
    }
    return {by_url[href] for href in LINK.findall(nav)}


@pytest.mark.parametrize("role", list(PAGES_BY_ROLE))
def test_each_role_finds_exactly_the_pages_it_opens(defence: Institution, role: str) -> None:
    client = signed_in(person(defence, role))
    nav = side_navigation(client, "/i/defence/")
    assert linked_pages(nav, defence) == PAGES_BY_ROLE[role]


@pytest.mark.parametrize("role", list(PAGES_BY_ROLE))
def test_every_link_of_the_navigation_opens_for_that_person(
    defence: Institution, role: str
) -> None:
    client = signed_in(person(defence, role))
    nav = side_navigation(client, "/i/defence/")
    for href in LINK.findall(nav):
        assert client.get(href).status_code == 200, href


def test_roles_never_add_up_across_institutions(defence: Institution, police: Institution) -> None:
    user = person(defence, Role.INSTITUTION_ADMIN)
    member_of_police = person(police, Role.COMMUNICATOR)
    user.memberships.create(institution=police, role=Role.COMMUNICATOR)
    client = signed_in(user)
    assert linked_pages(side_navigation(client, "/i/federal-police/"), police) == (
        linked_pages(side_navigation(signed_in(member_of_police), "/i/federal-police/"), police)
    )
    assert "accounts:member-list" in linked_pages(side_navigation(client, "/i/defence/"), defence)


def test_the_groups_are_headed_lists_named_by_their_heading(defence: Institution) -> None:
    nav = side_navigation(signed_in(person(defence, Role.INSTITUTION_ADMIN)), "/i/defence/")
    headings = re.findall(r'<h2 class="sidenav-heading" id="sidenav-(\w+)">([^<]+)</h2>', nav)
    assert headings == [
        ("moderation", "Moderation"),
        ("complaints", "Complaints"),
        ("charters", "Charters"),
        ("reports", "Reports"),
        ("institution", "Institution"),
    ]
    for key, _heading in headings:
        assert f'<ul class="sidenav-list" aria-labelledby="sidenav-{key}">' in nav


def test_a_group_none_of_whose_pages_open_is_left_out(defence: Institution) -> None:
    nav = side_navigation(signed_in(person(defence, Role.CHARTER_EDITOR)), "/i/defence/")
    assert "Moderation" not in nav
    assert "Reports" not in nav
    assert "Charters" in nav


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_navigation_speaks_the_persons_language(defence: Institution, language: str) -> None:
    user = person(defence, Role.COMMUNICATOR)
    user.preferred_language = language
    user.save()
    nav = side_navigation(signed_in(user), "/i/defence/")
    assert {"fr": "Calendrier éditorial", "nl": "Redactiekalender"}[language] in nav
    assert "Editorial calendar" not in nav


@pytest.mark.parametrize(
    ("page", "current"),
    [
        ("/i/defence/", "/i/defence/"),
        ("/i/defence/posts/", "/i/defence/posts/"),
        ("/i/defence/posts/calendar/", "/i/defence/posts/calendar/"),  # not the post list
        ("/i/defence/posts/new/", "/i/defence/posts/"),
        ("/i/defence/queue/items/7/", "/i/defence/queue/"),
        ("/i/defence/queue/duty/", "/i/defence/queue/duty/"),  # not the queue
        ("/i/defence/channels/imports/3/", "/i/defence/channels/imports/"),
        ("/i/defence/complaints/DEF-2026-00001/", None),  # not a communicator's page
    ],
)
def test_the_page_belongs_to_the_longest_matching_entry(
    defence: Institution, page: str, current: str | None
) -> None:
    sections = menu(defence, frozenset({Role.COMMUNICATOR}), page)
    marked = [link.url for section in sections for link in section.links if link.current]
    assert marked == ([current] if current else [])


def test_the_institution_overview_is_current_on_its_own_page_only(defence: Institution) -> None:
    sections = menu(defence, frozenset({Role.CHARTER_EDITOR}), "/i/defence/charters/x/acknowledge/")
    assert [link.url for s in sections for link in s.links if link.current] == [
        "/i/defence/charters/"
    ]
    sections = menu(defence, frozenset({Role.COMMUNICATOR}), "/i/defence/charters/x/acknowledge/")
    assert [link.url for s in sections for link in s.links if link.current] == []


def test_a_download_is_never_the_current_page(defence: Institution) -> None:
    sections = menu(defence, frozenset({Role.INSTITUTION_ADMIN}), "/i/defence/reports/statements/")
    marked = [link.url for section in sections for link in section.links if link.current]
    assert marked == ["/i/defence/reports/"]


def test_the_current_page_is_marked_for_assistive_technology(defence: Institution) -> None:
    nav = side_navigation(
        signed_in(person(defence, Role.COMMUNICATOR)), "/i/defence/posts/calendar/"
    )
    assert re.findall(r'href="([^"]+)" aria-current="page"', nav) == ["/i/defence/posts/calendar/"]


def test_building_the_navigation_costs_no_query(
    defence: Institution, django_assert_num_queries
) -> None:
    every_role = frozenset(PAGES_BY_ROLE)
    with django_assert_num_queries(0):
        sections = menu(defence, every_role, "/i/defence/queue/")
    assert sum(len(section.links) for section in sections) == sum(
        len(group.entries) for group in NAVIGATION
    )


def test_the_navigation_adds_no_query_per_link(
    defence: Institution, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same page for the same admin, with every entry and with a single one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(person(defence, Role.INSTITUTION_ADMIN))
    client.get("/i/defence/channels/")  # session and caches warmed
    counts = []
    for navigation in (NAVIGATION, NAVIGATION[-1:]):
        monkeypatch.setattr("govsocial.navigation.NAVIGATION", navigation)
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/i/defence/channels/").content.decode()
        counts.append((len(queries), len(LINK.findall(page))))
    assert counts[0][1] == 26
    assert counts[1][1] == 9
    assert counts[0][0] == counts[1][0]


@pytest.mark.parametrize("url", ["/", "/profile/", "/notifications/"])
def test_pages_outside_an_institution_keep_the_top_bar_without_side_navigation(
    defence: Institution, url: str
) -> None:
    page = signed_in(person(defence, Role.INSTITUTION_ADMIN)).get(url).content.decode()
    assert 'id="sidenav"' not in page
    assert "data-sidenav-toggle" not in page
    assert "sidenav-state.js" not in page
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert 'id="institution-switcher"' not in header or "Defence" in header
    assert 'href="/notifications/"' in header
    assert 'id="user-menu"' in header
    assert 'action="/language/"' in header


def test_a_public_page_has_no_side_navigation_even_for_a_member(defence: Institution) -> None:
    from charter.tests.factories import published_charter

    admin = person(defence, Role.INSTITUTION_ADMIN)
    published_charter(defence, admin)
    page = signed_in(admin).get("/charters/defence/").content.decode()
    assert 'id="sidenav"' not in page
    assert "sidenav-state.js" not in page


def test_the_top_bar_keeps_the_switcher_the_badge_poll_and_a_language_form_without_script(
    defence: Institution, police: Institution
) -> None:
    user = person(defence, Role.COMMUNICATOR)
    user.memberships.create(institution=police, role=Role.COMMUNICATOR)
    page = signed_in(user).get("/i/defence/").content.decode()
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert 'title="Defence"' in header  # the full name, even where it is cut short
    assert re.search(r'href="/i/defence/"\s+aria-current="page"', header)
    assert 'href="/i/federal-police/"' in header
    assert re.search(r'id="unread-badge" hx-get="/notifications/unread-count/"', header)
    form = re.search(r'<form class="language-switcher[^>]*>(.*?)</form>', header, re.S)
    assert form is not None
    assert 'method="post" action="/language/"' in form.group(0)
    assert 'type="submit"' in form.group(1)
    assert '<span class="language-switcher-text">Change language</span>' in form.group(1)
    # The menu buttons: an off-canvas panel below 992 px, a collapsible column above.
    assert 'data-bs-toggle="offcanvas" data-bs-target="#sidenav"' in header
    assert re.search(r'data-sidenav-toggle\s+aria-controls="sidenav" aria-expanded="true"', header)


def test_an_anonymous_visitor_gets_the_brand_and_the_language_only() -> None:
    page = Client().get("/accounts/login/").content.decode()
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert "is-anonymous" in header
    assert 'action="/language/"' in header
    assert "user-menu" not in header
    assert "sidenav" not in header


def test_every_list_page_of_an_institution_is_in_the_navigation_or_says_why_not() -> None:
    linked = {entry.url_name for group in NAVIGATION for entry in group.entries}
    list_pages = set()
    for name, expectation in EXPECTATIONS.items():
        if not isinstance(expectation, Tenant) or expectation.status != 200:
            continue
        try:
            reverse(name, kwargs={"institution_slug": "defence"})
        except NoReverseMatch:
            continue  # a page about one object
        list_pages.add(name)
    assert list_pages - linked - set(NOT_IN_NAVIGATION) == set()
    assert linked <= list_pages
    assert not linked & set(NOT_IN_NAVIGATION)


def test_every_entry_is_a_page_that_declares_its_roles() -> None:
    for group in NAVIGATION:
        for entry in group.entries:
            assert entry_roles(entry.url_name)


def test_every_icon_of_the_navigation_is_in_the_vendored_sprite() -> None:
    sprite = (
        Path(settings.BASE_DIR) / "static/vendor/bootstrap-icons-1.13.2/bootstrap-icons.svg"
    ).read_text()
    for group in NAVIGATION:
        for entry in group.entries:
            assert f'id="{entry.icon}"' in sprite, entry.icon
