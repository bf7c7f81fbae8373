"""Ingestion and the answer clock: it counts from receipt; deleted and historic items owe no
answer; out-of-order events apply by platform time (issue 13, items 8, 9 and 22).

The real deadline check (``deadlines_check``) runs under time-machine: no false breach.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import Notification
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from deadlines.engine import deadlines_check
from moderation.models import Action, Decision, Item, ItemRevision
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def channel(defence, defence_communicator, defence_admin):
    channel = ChannelFactory(institution=defence, response_hours=24)
    channel.moderators.set([defence_communicator])
    return channel


def event(verb: Verb, at: datetime, text: str = "", external_id: str = "c1") -> ItemEvent:
    return ItemEvent(external_id=external_id, verb=verb, occurred_at=at, text=text)


def apply(channel, verb: Verb, at: datetime, text: str = "", now: datetime = NOW) -> Item:
    return item_apply_event(channel=channel, event=event(verb, at, text), now=now)


def breach_notices() -> int:
    return Notification.objects.filter(kind="deadline.breach").count()


def test_a_late_retry_of_an_old_comment_gets_its_full_24_hours_from_receipt(channel) -> None:
    posted = NOW - timedelta(days=3)  # a retry, a first poll or an import of older comments
    with time_machine.travel(NOW, tick=False):
        item = apply(channel, Verb.CREATE, posted, "Quand ouvre le recrutement ?")
        assert deadlines_check(NOW).breaches == 0
    assert item.posted_at == posted  # kept for display and reports
    assert (item.received_at, item.due_at) == (NOW, NOW + timedelta(hours=24))
    assert item.warn_at == NOW + timedelta(hours=18)
    with time_machine.travel(NOW + timedelta(hours=23, minutes=59), tick=False):
        result = deadlines_check(NOW + timedelta(hours=23, minutes=59))
    assert (result.warnings, result.breaches) == (1, 0)  # the warning at 18 h, no breach
    assert breach_notices() == 0
    assert deadlines_check(NOW + timedelta(hours=24, minutes=1)).breaches == 1


def test_the_warning_comes_at_18_hours_after_receipt(channel) -> None:
    apply(channel, Verb.CREATE, NOW - timedelta(days=2), "Vraag")
    assert deadlines_check(NOW + timedelta(hours=17, minutes=59)).warnings == 0
    assert deadlines_check(NOW + timedelta(hours=18)).warnings == 1


def test_a_creation_arriving_after_an_edit_corrects_the_post_time_not_the_clock(channel) -> None:
    apply(channel, Verb.EDIT, NOW - timedelta(hours=1), "v2")
    item = apply(channel, Verb.CREATE, NOW - timedelta(hours=30), "v1", now=NOW + timedelta(days=1))
    assert item.posted_at == NOW - timedelta(hours=30)
    assert item.due_at == NOW + timedelta(hours=24)  # from the first receipt
    assert item.text == "v2"


def test_a_comment_deleted_on_the_platform_leaves_the_clock_and_never_breaches(channel) -> None:
    item = apply(channel, Verb.CREATE, NOW, "Spam spam")
    later = NOW + timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        apply(channel, Verb.REMOVE, later, now=later)
    item.refresh_from_db()
    assert item.status == "deleted"
    assert item.deleted_on_platform_at == later
    assert item.text == "Spam spam"  # our copy is kept
    decision = Decision.objects.get(item=item, action=Action.PLATFORM_DELETE)
    assert (decision.actor, decision.created_at) == (None, later)
    for hours in (18, 25, 72):
        with time_machine.travel(NOW + timedelta(hours=hours), tick=False):
            result = deadlines_check(NOW + timedelta(hours=hours))
        assert (result.warnings, result.breaches) == (0, 0)
    assert not Notification.objects.filter(kind__startswith="deadline.").exists()


def test_a_removal_arriving_first_creates_a_deleted_item_without_a_clock(channel) -> None:
    apply(channel, Verb.REMOVE, NOW)
    item = Item.objects.get()
    assert (item.status, item.assigned_to) == ("deleted", None)
    assert deadlines_check(NOW + timedelta(days=2)).breaches == 0
    # The creation arrives later with the text: the empty text is replaced (item 22).
    item = apply(
        channel, Verb.CREATE, NOW - timedelta(hours=1), "Le texte", now=NOW + timedelta(days=1)
    )
    assert (item.text, item.status) == ("Le texte", "deleted")
    assert Decision.objects.filter(item=item, action=Action.PLATFORM_DELETE).count() == 1


def test_a_deletion_after_the_answer_changes_nothing_but_the_mark(
    channel, defence_communicator
) -> None:
    from moderation.services.decisions import item_no_action

    item = apply(channel, Verb.CREATE, NOW, "Merci")
    item_no_action(item=item, actor=defence_communicator)
    apply(channel, Verb.REMOVE, NOW + timedelta(hours=1))
    item.refresh_from_db()
    assert item.status == "no_action"
    assert item.deleted_on_platform_at is not None
    assert not Decision.objects.filter(action=Action.PLATFORM_DELETE).exists()


def test_an_empty_text_is_replaced_by_an_older_creation_and_newer_edits_still_win(
    channel,
) -> None:
    apply(channel, Verb.HIDE, NOW)  # the first event known: a hide, without text
    item = apply(channel, Verb.CREATE, NOW - timedelta(hours=2), "v1")
    assert item.text == "v1"
    item = apply(channel, Verb.EDIT, NOW - timedelta(hours=1), "v2")
    assert item.text == "v2"
    item = apply(channel, Verb.EDIT, NOW - timedelta(hours=3), "v0")  # older: a revision only
    assert item.text == "v2"
    assert set(ItemRevision.objects.values_list("text", flat=True)) == {"v1", "v0"}


@pytest.mark.parametrize(
    ("arrivals", "hidden"),
    [
        ((Verb.HIDE, Verb.UNHIDE), False),  # hidden at 10:00, unhidden at 11:00
        ((Verb.UNHIDE, Verb.HIDE), False),  # the same, arriving the other way round
    ],
)
def test_hide_and_unhide_apply_by_platform_time(channel, arrivals, hidden) -> None:
    apply(channel, Verb.CREATE, NOW - timedelta(hours=3), "Texte")
    times = {Verb.HIDE: NOW - timedelta(hours=2), Verb.UNHIDE: NOW - timedelta(hours=1)}
    for verb in arrivals:
        item = apply(channel, verb, times[verb])
    assert (item.hidden_on_platform_at is not None) == hidden
    assert item.visibility_updated_at == times[Verb.UNHIDE]


def test_an_unhide_older_than_the_hide_leaves_the_item_hidden(channel) -> None:
    apply(channel, Verb.CREATE, NOW - timedelta(hours=3), "Texte")
    apply(channel, Verb.HIDE, NOW - timedelta(hours=1))
    item = apply(channel, Verb.UNHIDE, NOW - timedelta(hours=2))
    assert item.hidden_on_platform_at == NOW - timedelta(hours=1)


def test_the_item_page_shows_the_post_time_and_the_receipt(
    client, channel, defence_communicator
) -> None:
    item = apply(channel, Verb.CREATE, datetime(2026, 11, 20, 9, 0, tzinfo=UTC), "Ancien")
    client.force_login(defence_communicator)
    page = client.get(f"/i/defence/queue/items/{item.pk}/").content.decode()
    assert "posted 20 November 2026, 10:00, received 25 November 2026, 13:00" in page
