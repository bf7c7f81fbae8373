"""The page walker: every page of the URL walker, for each demo role, in French, Dutch and
English, at 375, 1,280 and 1,920 px, passes axe-core's WCAG 2.1 A/AA rules and never scrolls
sideways (docs/accessibility.md).

One test per role (xdist spreads them over its workers), each with one browser context signed in
once. Each page is loaded once per language and measured at the three widths by resizing the
viewport. Every problem found goes into one assertion, so a run lists all of them; the colour
contrasts axe leaves for review and the run's figures are written to var/walker/, screenshots of
the main pages to var/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from accounts.models import Institution, Role
from tests.demo_snapshot import DemoSeed, restore
from tests.e2e import walker_pages
from tests.e2e.walker import Walk
from tests.e2e.walker_pages import (
    INSTITUTION,
    NOT_PAGES,
    ROLES,
    Unresolved,
    anonymous_session,
    may_open,
    page_path,
    visits,
    why_not_a_page,
)

# The test database is set up for marked tests only; the tests read it, inside a transaction
# that pytest-django rolls back, and write nothing (the live server's writes are its own).
pytestmark = [pytest.mark.e2e, pytest.mark.django_db]


@dataclass(frozen=True)
class Site:
    url: str
    visitor_session: str
    """The session of a visitor who has just sent the public complaint form."""


@pytest.fixture(scope="module")
def demo_site(demo_seed: DemoSeed, django_db_blocker, tmp_path_factory) -> Iterator[Site]:
    """The demo data (demo_snapshot.py), put back once for the whole module, behind a live server
    of the module's own; flushed afterwards, as after any transactional test."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = tmp_path_factory.mktemp("walker-media")
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast, MEDIA_ROOT=media):
        server = None
        try:
            restore(demo_seed.current(), media)
            institution = Institution.objects.get(slug=INSTITUTION)
            session = import_module(settings.SESSION_ENGINE).SessionStore()
            session.update(anonymous_session(institution))
            session.save()
            server = LiveServer("localhost")
            yield Site(server.url, session.session_key)
        finally:
            if server is not None:
                server.stop()
            call_command("flush", interactive=False, verbosity=0)


def test_every_url_name_is_walked_or_excluded_with_a_reason() -> None:
    from govsocial.tests.test_url_access import EXPECTATIONS

    assert set(NOT_PAGES) <= set(EXPECTATIONS), "NOT_PAGES names a URL that no longer exists"
    unwalked = [
        name
        for name in EXPECTATIONS
        if why_not_a_page(name) is None and not any(may_open(role, name) for role in ROLES)
    ]
    assert unwalked == []


def test_a_page_whose_address_the_demo_cannot_give_fails_the_walker(
    defence: Institution, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An institution without the demo's rows, then a parameter nobody knows how to find."""
    with pytest.raises(Unresolved, match="moderation:item-detail: the demo data has no item"):
        visits(Role.COMMUNICATOR, defence)
    monkeypatch.delitem(walker_pages.PARAMETERS, "institution_slug")
    with pytest.raises(Unresolved, match=r"reports:dashboard: no rule .* 'institution_slug'"):
        page_path("reports:dashboard", defence)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_and_fits_every_width(
    role: str, demo_site: Site, browser: Browser
) -> None:
    pages = visits(role, Institution.objects.get(slug=INSTITUTION))
    walk = Walk(role, demo_site.url)
    walk.run(browser, pages, session=demo_site.visitor_session)
    report = walk.report()  # kept in var/walker/<role>.txt, problems or not
    assert walk.problems == [], report
