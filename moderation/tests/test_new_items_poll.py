"""The queue's "N new items" poll: right on the next poll after an arrival, 304 while nothing
changed, per institution (issue 21)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from channels.tests.factories import ChannelFactory
from moderation.tests.test_queue import make_items

pytestmark = pytest.mark.django_db


def test_an_unchanged_count_is_answered_304_and_an_arrival_shows_on_the_next_poll(
    client: Client, defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence)
    since = (timezone.now() - timedelta(seconds=30)).isoformat()
    client.force_login(defence_communicator)
    url = "/i/defence/queue/new/"
    first = client.get(url, {"since": since}, headers={"HX-Request": "true"})
    assert first.status_code == 200
    assert "new item" not in first.content.decode()
    etag = first["ETag"]
    assert "no-store" not in first["Cache-Control"]
    unchanged = client.get(url, {"since": since}, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    make_items(channel, 1)
    arrived = client.get(url, {"since": since}, headers={"If-None-Match": etag})
    assert arrived.status_code == 200
    assert "1 new item" in arrived.content.decode()
    assert arrived["ETag"] != etag


def test_the_tag_of_one_institution_never_answers_for_another(
    client: Client, defence, police, defence_communicator, police_communicator
) -> None:
    since = (timezone.now() - timedelta(seconds=90)).isoformat()
    client.force_login(defence_communicator)
    etag = client.get("/i/defence/queue/new/", {"since": since})["ETag"]
    make_items(ChannelFactory(institution=police), 2)
    other = Client()
    other.force_login(police_communicator)
    police_url = f"/i/{police.slug}/queue/new/"
    answer = other.get(police_url, {"since": since}, headers={"If-None-Match": etag})
    assert answer.status_code == 200
    assert "2 new items" in answer.content.decode()
    assert client.get(police_url, {"since": since}).status_code == 404


def test_the_poll_runs_two_queries(
    client: Client, defence, defence_communicator, django_assert_max_num_queries
) -> None:
    """The user with their memberships (accounts.auth_backends), the count; the session from the
    cache (the old poll ran four: session, user, memberships twice)."""
    client.force_login(defence_communicator)
    url = f"/i/defence/queue/new/?since={timezone.now().isoformat()}"
    client.get(url)
    with django_assert_max_num_queries(2):
        assert client.get(url).status_code == 200
