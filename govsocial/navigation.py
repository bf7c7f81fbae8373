"""The staff side navigation: every institution page worth a link, grouped by area.

``NAVIGATION`` is the one place that lists the pages. Who sees an entry is not written here: it
is read from the view itself (``@requires_role`` or ``required_roles``, the roles the tenancy
middleware enforces), so the navigation can never offer a link that answers 403, nor hide a page
the person may open, and a change of a view's roles changes the navigation with it.

The menu is built from the request alone (the roles the middleware already read, reversed URLs):
it costs no query, however many entries it has. docs/ui-shell.md explains how to add a page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve, reverse
from django.utils.translation import gettext_lazy as _

from accounts.tenancy import ANY_MEMBER, declared_roles

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import Institution


@dataclass(frozen=True)
class Entry:
    url_name: str
    """A tenant page whose only URL argument is ``institution_slug``."""
    label: StrOrPromise
    """Its page title where it is short enough, so that link and heading match."""
    icon: str
    """A Bootstrap Icons id (static/vendor/bootstrap-icons-*/bootstrap-icons.svg)."""
    exact: bool = False
    """Current only on its own URL, not on the pages below it (the institution overview, whose
    URL is the prefix of every institution page)."""
    download: bool = False
    """A file, not a page: never marked as the current page."""


@dataclass(frozen=True)
class Group:
    key: str
    heading: StrOrPromise
    entries: tuple[Entry, ...]


NAVIGATION: tuple[Group, ...] = (
    Group(
        "moderation",
        _("Moderation"),
        (
            Entry("moderation:queue", _("Queue"), "inbox"),
            Entry("moderation:removal-approvals", _("Removals to approve"), "shield-check"),
            Entry("moderation:platform-to-do", _("To do on the platform"), "check2-square"),
            Entry("moderation:contest-list", _("Contested decisions"), "arrow-counterclockwise"),
            Entry("moderation:post-list", _("Outgoing posts"), "send"),
            Entry("moderation:post-calendar", _("Editorial calendar"), "calendar3"),
            Entry("moderation:duty", _("On duty"), "person-check"),
            Entry("moderation:saved-replies", _("Saved replies"), "chat-square-quote"),
            Entry("channels:watch-list", _("Keyword watch"), "binoculars"),
            Entry("moderation:sensitive-accounts", _("Sensitive accounts"), "person-vcard"),
            Entry("channels:import-list", _("Import items"), "upload"),
        ),
    ),
    Group(
        "complaints",
        _("Complaints"),
        (
            Entry("complaints:case-list", _("Cases"), "folder2-open"),
            Entry("complaints:analysis", _("Complaint analysis"), "bar-chart"),
            Entry("complaints:recommendation-list", _("Recommendations"), "lightbulb"),
            Entry("complaints:template-list", _("Letter templates"), "envelope-paper"),
            Entry("complaints:hold-list", _("Legal holds"), "shield-lock"),
        ),
    ),
    Group(
        "charters",
        _("Charters"),
        (Entry("charter:charter-list", _("Charters"), "journal-text"),),
    ),
    Group(
        "reports",
        _("Reports"),
        (
            Entry("reports:dashboard", _("Dashboard"), "speedometer2"),
            Entry("reports:monthly", _("Monthly reports"), "calendar-month"),
            Entry(
                "reports:statements",
                _("Statements of reasons (JSON Lines)"),
                "download",
                download=True,
            ),
            Entry("deadlines-breached", _("Missed deadlines"), "hourglass-bottom"),
        ),
    ),
    Group(
        "institution",
        _("Institution"),
        (
            Entry("accounts:institution-detail", _("Overview"), "building", exact=True),
            Entry("accounts:member-list", _("Members"), "people"),
            Entry("channels:channel-list", _("Channels"), "broadcast"),
            Entry("channels:delivery-list", _("Webhook deliveries"), "box-arrow-in-down"),
            Entry("webhooks:subscription-list", _("Outgoing webhooks"), "send"),
            Entry("complaints:routing", _("Complaint routing"), "signpost-split"),
            Entry("complaints:category-list", _("Complaint categories"), "tags"),
            Entry("api:tokens", _("API tokens"), "key"),
            Entry("accounts:institution-settings", _("Settings"), "gear"),
        ),
    ),
)


@dataclass(frozen=True)
class Link:
    label: StrOrPromise
    url: str
    icon: str
    current: bool
    download: bool


@dataclass(frozen=True)
class Section:
    key: str
    heading: StrOrPromise
    links: tuple[Link, ...]


@functools.cache
def entry_roles(url_name: str) -> frozenset[str]:
    """The roles the entry's view declares (read once per process: views do not change)."""
    view = resolve(reverse(url_name, kwargs={"institution_slug": "_"})).func
    roles = declared_roles(view)
    if not roles:
        raise ImproperlyConfigured(f"The navigation links to {url_name}, which declares no roles.")
    return roles


def opens(entry: Entry, roles: frozenset[str]) -> bool:
    """Whether a member holding ``roles`` (expanded, as the middleware gives them) may open it."""
    required = entry_roles(entry.url_name)
    return ANY_MEMBER in required or bool(required & roles)


def menu(institution: Institution | None, roles: frozenset[str], path: str) -> tuple[Section, ...]:
    """The sections a member sees on ``path``, the current entry marked; empty outside an
    institution and on public pages (where the middleware gives no roles)."""
    if institution is None or not roles:
        return ()
    slug = {"institution_slug": institution.slug}
    visible = [
        (group, [(e, reverse(e.url_name, kwargs=slug)) for e in group.entries if opens(e, roles)])
        for group in NAVIGATION
    ]
    current = current_url([pair for _group, links in visible for pair in links], path)
    return tuple(
        Section(
            group.key,
            group.heading,
            tuple(
                Link(entry.label, url, entry.icon, url == current, entry.download)
                for entry, url in links
            ),
        )
        for group, links in visible
        if links
    )


def current_url(links: list[tuple[Entry, str]], path: str) -> str | None:
    """The entry the page belongs to: the longest URL that is the page's or a prefix of it (an
    item page belongs to the queue, the calendar is not the post list)."""
    matches = [
        url
        for entry, url in links
        if not entry.download and (path == url or (not entry.exact and path.startswith(url)))
    ]
    return max(matches, key=len, default=None)
