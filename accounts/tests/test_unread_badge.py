"""The unread-notifications badge and its poll: a count kept in the cache per user, generation
and institutions, right on the next poll after any change, and 304 while it does not change
(issue 21)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.models import Membership, Role
from accounts.services.members import member_deactivate
from accounts.services.notifications import (
    notification_mark_read,
    notification_send,
    notifications_delete,
    notifications_mark_all_read,
)
from accounts.tests.factories import member

pytestmark = pytest.mark.django_db
POLL = reverse("accounts:notification-unread-count")
SUBJECT = gettext_lazy("Your session expired. Please sign in again.")


def badge(client: Client) -> str:
    response = client.get(POLL)
    assert response.status_code == 200
    shown = re.search(r">\s*(\d+)\s*<", response.content.decode())
    return shown.group(1) if shown else ""


def notify(user, institution=None, about: str = ""):
    return notification_send(
        recipient=user, institution=institution, kind="t", subject=SUBJECT, about=about
    )


def test_the_next_poll_shows_a_new_notification_then_its_reading(
    client: Client, defence, defence_communicator
) -> None:
    client.force_login(defence_communicator)
    assert badge(client) == ""
    first = notify(defence_communicator, defence)
    assert badge(client) == "1"
    notify(defence_communicator)
    assert badge(client) == "2"
    notification_mark_read(user=defence_communicator, notification=first)
    assert badge(client) == "1"
    notifications_mark_all_read(user=defence_communicator)
    assert badge(client) == ""
    notify(defence_communicator, defence, about="moderation.item:1")
    assert badge(client) == "1"
    notifications_delete("moderation.item:1")
    assert badge(client) == ""


def test_counts_are_kept_per_user(client: Client, defence, defence_communicator) -> None:
    colleague = member(defence, Role.COMMUNICATOR)
    other = Client()
    client.force_login(defence_communicator)
    other.force_login(colleague)
    notify(defence_communicator, defence)
    assert badge(other) == ""
    assert badge(client) == "1"
    notify(colleague, defence)
    notify(colleague, defence)
    assert badge(other) == "2"
    assert badge(client) == "1"


def test_notices_of_an_institution_left_disappear_from_the_count(
    client: Client, defence, police, defence_admin
) -> None:
    person = member(defence, Role.COMMUNICATOR)
    Membership.objects.create(institution=police, user=person, role=Role.COMMUNICATOR)
    client.force_login(person)
    notify(person, defence)
    notify(person, police)
    assert badge(client) == "2"
    member_deactivate(institution=defence, actor=defence_admin, user=person)
    assert badge(client) == "1"


def test_an_unchanged_badge_is_answered_304_and_may_be_revalidated_by_the_browser(
    client: Client, defence, defence_communicator
) -> None:
    client.force_login(defence_communicator)
    notify(defence_communicator, defence)
    first = client.get(POLL)
    etag = first["ETag"]
    assert "no-store" not in first["Cache-Control"]
    assert "no-cache" in first["Cache-Control"]
    assert "private" in first["Cache-Control"]
    again = client.get(POLL, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    notify(defence_communicator, defence)
    changed = client.get(POLL, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    page = client.get(reverse("accounts:notification-list"))
    assert "no-store" in page["Cache-Control"]  # pages themselves are never kept


def test_the_poll_reads_no_notification_while_the_count_is_cached(
    client: Client, defence, defence_communicator, django_assert_max_num_queries
) -> None:
    """The user with their memberships (one query, accounts.auth_backends); the session and the
    count from the cache (the old poll ran five)."""
    client.force_login(defence_communicator)
    notify(defence_communicator, defence)
    client.get(POLL)
    with django_assert_max_num_queries(1):
        assert client.get(POLL).status_code == 200
