"""The institution's own posts, replies and messages: recorded in their thread, never in the
queue, the deadline check or the reports; and the messaging window shown on direct messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import timezone

from channels.connectors.base import ItemEvent, Verb
from channels.connectors.meta.messaging import conversation_key
from channels.tests.factories import ChannelFactory
from moderation.deadlines import ItemDeadlines
from moderation.messaging import messaging_window
from moderation.models import ItemStatus
from moderation.selectors import queue_items
from moderation.services.ingest import item_apply_event
from reports.monthly import monthly_report
from reports.periods import Month

pytestmark = pytest.mark.django_db


def apply(channel, external_id: str, *, own: bool = False, hours_ago: float = 0, **fields):
    at = timezone.now() - timedelta(hours=hours_ago)
    event = ItemEvent(
        external_id=external_id, verb=Verb.CREATE, occurred_at=at, text=f"Text {external_id}",
        language="fr", own=own, **fields,
    )  # fmt: skip
    return item_apply_event(channel=channel, event=event, now=at)


def test_own_items_stay_out_of_the_queue_the_deadlines_and_the_reports(
    defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence)
    channel.moderators.add(defence_communicator)
    visitor = apply(channel, "c1", hours_ago=30)
    own = apply(channel, "c2", own=True, hours_ago=30, kind="reply", parent_external_id="c1")
    assert (own.status, own.assigned_to, own.keyword_hits) == (ItemStatus.OWN, None, [])
    now = timezone.now()
    assert list(ItemDeadlines().to_breach(now)) == [visitor]
    assert list(ItemDeadlines().to_warn(now)) == [visitor]
    for query in ("", "status="):
        queue = queue_items(defence, defence_communicator, QueryDict(query or "status=open"))
        assert list(queue.items) == [visitor]
    report = monthly_report(defence, Month.containing(now - timedelta(hours=30), defence.zone), now)
    assert report.table("items_kind").total == 1


def test_an_item_first_known_without_its_author_becomes_own_when_an_event_says_so(
    defence,
) -> None:
    channel = ChannelFactory(institution=defence)
    item = item_apply_event(
        channel=channel, event=ItemEvent(external_id="c3", verb=Verb.HIDE), now=timezone.now()
    )
    assert item.status == ItemStatus.OPEN
    apply(channel, "c3", own=True)
    item.refresh_from_db()
    assert item.status == ItemStatus.OWN


def test_the_thread_names_the_institutions_reply(
    client: Client, defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence)
    channel.moderators.add(defence_communicator)
    visitor = apply(channel, "c1")
    apply(channel, "c2", own=True, kind="reply", parent_external_id="c1")
    client.force_login(defence_communicator)
    page = client.get(f"/i/defence/queue/items/{visitor.pk}/").content.decode()
    assert "The institution&#x27;s reply" in page or "The institution's reply" in page


@pytest.mark.parametrize(
    ("hours_ago", "expected"),
    [(1, "(in 22\xa0hours"), (23, "after that the reply goes"), (25, "closed at")],
)
def test_the_item_page_shows_the_messaging_window(
    client: Client, defence, defence_communicator, hours_ago, expected
) -> None:
    channel = ChannelFactory(institution=defence, platform="facebook")
    conversation = conversation_key("6543210987654321")
    message = apply(channel, "m_1", hours_ago=hours_ago, kind="direct_message",
                    parent_external_id=conversation)  # fmt: skip
    client.force_login(defence_communicator)
    page = client.get(f"/i/defence/queue/items/{message.pk}/").content.decode()
    assert 'id="messaging-window"' in page
    assert expected in page, page.split('id="messaging-window"')[1][:300]
    assert ("alert-warning" in page.split('id="messaging-window"')[0][-80:]) is (hours_ago > 22)


def test_the_window_counts_from_the_persons_latest_message_not_ours(defence) -> None:
    channel = ChannelFactory(institution=defence, platform="instagram")
    conversation = conversation_key("998877665544332")
    first = apply(channel, "m_1", hours_ago=30, kind="direct_message",
                  parent_external_id=conversation)  # fmt: skip
    apply(channel, "m_2", hours_ago=3, kind="direct_message", parent_external_id=conversation)
    apply(channel, "m_3", own=True, kind="direct_message", parent_external_id=conversation)
    first.refresh_from_db()
    window = messaging_window(first, timezone.now())
    assert window is not None
    assert (window.platform, window.closed) == ("Instagram", False)
    assert timedelta(hours=20) < window.remaining < timedelta(hours=21)


def test_no_window_for_comments_or_other_platforms(defence) -> None:
    comment = apply(ChannelFactory(institution=defence, platform="facebook"), "1_2")
    message = apply(ChannelFactory(institution=defence, platform="mastodon"), "m",
                    kind="direct_message")  # fmt: skip
    assert messaging_window(comment, timezone.now()) is None
    assert messaging_window(message, timezone.now()) is None
