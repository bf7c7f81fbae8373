"""The queue page (filters, order, keyset pages, constant queries) and the item page's actions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import member
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from charter.models import CharterRule
from charter.tests.factories import published_charter
from complaints.tests.factories import builtin
from moderation.models import Decision, Item
from moderation.services.ingest import item_apply_event
from moderation.views import queue as queue_view

pytestmark = pytest.mark.django_db


def make_items(channel, count: int, *, language: str = "fr", start: int = 0) -> list[Item]:
    now = timezone.now()
    return [
        item_apply_event(
            channel=channel,
            event=ItemEvent(
                external_id=f"{language}-{n}",
                verb=Verb.CREATE,
                occurred_at=now - timedelta(minutes=n),
                author_name=f"Auteur {n}",
                text=f"Message numéro {n}",
                language=language,
            ),
            now=now - timedelta(minutes=n),  # received in turn: the clock counts from receipt
        )
        for n in range(start, start + count)
    ]


def test_the_queue_lists_open_items_earliest_deadline_first(
    client: Client, defence, defence_communicator, police
) -> None:
    channel = ChannelFactory(institution=defence, name="Belgian Defence")
    items = make_items(channel, 3)
    ChannelFactory(institution=police, name="CANARY-POLICE")
    client.force_login(defence_communicator)
    page = client.get("/i/defence/queue/").content.decode()
    positions = [page.index(f"Message numéro {n}") for n in (2, 1, 0)]  # oldest first
    assert positions == sorted(positions)
    assert "CANARY-POLICE" not in page
    assert 'data-urgency="ok"' in page
    listed = [int(pk) for pk in re.findall(r'name="items" value="(\d+)"', page)]
    assert listed == [items[2].pk, items[1].pk, items[0].pk]


def test_filters_are_kept_in_the_url(client: Client, defence, defence_communicator) -> None:
    channel = ChannelFactory(institution=defence)
    make_items(channel, 2, language="fr")
    make_items(channel, 2, language="nl")
    client.force_login(defence_communicator)
    page = client.get("/i/defence/queue/?status=open&language=nl").content.decode()
    assert page.count("data-item ") == 2  # one row per item
    assert 'value="nl" selected' in page


def test_keyset_pages_cover_everything_once(
    client: Client, defence, defence_communicator, monkeypatch
) -> None:
    monkeypatch.setattr(queue_view, "PAGE_SIZE", 4)
    channel = ChannelFactory(institution=defence)
    make_items(channel, 10)
    client.force_login(defence_communicator)
    seen: list[int] = []
    url = "/i/defence/queue/?status=open"
    while url:
        response = client.get(url)
        seen.extend(item.pk for item in response.context["items"])
        next_url = response.context["next_url"]
        url = f"/i/defence/queue/{next_url}" if next_url else ""
    assert len(seen) == 10
    assert len(set(seen)) == 10


def test_the_queue_page_runs_the_same_queries_for_5_and_50_items(
    client: Client, defence, defence_communicator, django_assert_max_num_queries
) -> None:
    channel = ChannelFactory(institution=defence)
    client.force_login(defence_communicator)
    make_items(channel, 5)
    client.get("/i/defence/queue/")  # warm the session and caches
    # 2 today (10 at the start of issue 21): the memberships and the page's rows; the session,
    # the channels, the charter banner and the filter form come from the cache.
    with django_assert_max_num_queries(2) as small:
        client.get("/i/defence/queue/")
    make_items(channel, 45, start=5)
    with django_assert_max_num_queries(2) as large:
        client.get("/i/defence/queue/")
    assert len(small.captured_queries) == len(large.captured_queries)


def test_new_items_badge(client: Client, defence, defence_communicator) -> None:
    channel = ChannelFactory(institution=defence)
    since = timezone.now() - timedelta(seconds=90)
    make_items(channel, 2)  # received now and a minute ago
    client.force_login(defence_communicator)
    fragment = client.get("/i/defence/queue/new/", {"since": since.isoformat()}).content.decode()
    assert "2 new items" in fragment
    assert "<html" not in fragment


def test_the_item_page_and_its_actions(
    client: Client, defence, defence_communicator, defence_admin
) -> None:
    published_charter(defence, defence_admin)
    channel = ChannelFactory(institution=defence)
    spam, question, complaint = make_items(channel, 3)
    client.force_login(defence_communicator)
    base = "/i/defence/queue/items/"

    page = client.get(f"{base}{question.pk}/").content.decode()
    assert "Message numéro 1" in page
    assert client.post(f"{base}{question.pk}/reply/", {"text": "Bonjour !"}).status_code == 302

    refused = client.post(f"{base}{spam.pk}/remove/", {"rule": "", "reasons": "Spam"})
    assert refused.status_code == 400
    assert "Cite the rule" in refused.content.decode()
    rule = CharterRule.objects.get(version__status="published", number=2)
    client.post(f"{base}{spam.pk}/remove/", {"rule": rule.pk, "reasons": "Publicité."})

    client.post(
        f"{base}{complaint.pk}/escalate/",
        {"category": builtin().pk, "subject": "Réclamation"},
    )
    statuses = dict(Item.objects.values_list("pk", "status"))
    assert statuses == {spam.pk: "removed", question.pk: "answered", complaint.pk: "escalated"}
    history = client.get(f"{base}{spam.pk}/").content.decode()
    assert "Rule R2" in history
    assert "Publicité." in history
    assert client.post(f"{base}{spam.pk}/teleport/").status_code == 404


def test_a_complaint_officer_cannot_moderate(client: Client, defence, defence_officer) -> None:
    channel = ChannelFactory(institution=defence)
    (item,) = make_items(channel, 1)
    client.force_login(defence_officer)
    assert client.post(f"/i/defence/queue/items/{item.pk}/no-action/").status_code == 403
    assert not Decision.objects.exists()


def test_a_spokesperson_moderates(client: Client, defence) -> None:
    spokesperson = member(defence, Role.SPOKESPERSON)
    channel = ChannelFactory(institution=defence)
    (item,) = make_items(channel, 1)
    client.force_login(spokesperson)
    assert client.post(f"/i/defence/queue/items/{item.pk}/no-action/").status_code == 302


def test_bulk_no_action_after_confirmation(
    client: Client, defence, defence_communicator, police
) -> None:
    channel = ChannelFactory(institution=defence)
    first, second, third = make_items(channel, 3)
    foreign = make_items(ChannelFactory(institution=police), 1)[0]
    Item.objects.filter(pk=third.pk).update(status="answered")
    client.force_login(defence_communicator)
    data = {"action": "no-action", "items": [first.pk, second.pk, third.pk, foreign.pk]}
    confirm = client.post("/i/defence/queue/bulk/", data)
    assert "Confirm for 3 items" in confirm.content.decode()  # the other institution's is ignored
    assert not Decision.objects.exists()
    response = client.post("/i/defence/queue/bulk/", {**data, "confirm": "1"}, follow=True)
    assert "2 items done; 1 were already handled" in response.content.decode()
    assert Decision.objects.filter(action="no_action").count() == 2
    assert Item.objects.get(pk=foreign.pk).status == "open"


def test_communicators_see_that_a_complaint_was_opened_never_the_person(
    client: Client, defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence)
    escalated, other = make_items(channel, 2)
    from moderation.services import decisions

    outcome = decisions.item_escalate(
        item=escalated, actor=defence_communicator, category=builtin(), subject="Plainte"
    )
    client.force_login(defence_communicator)
    queue_page = client.get("/i/defence/queue/?status=").content.decode()
    assert queue_page.count("complaint opened") == 1
    item_page = client.get(f"/i/defence/queue/items/{escalated.pk}/").content.decode()
    assert "A complaint was opened from this item" in item_page
    assert outcome.decision.case.reference not in item_page
    other_page = client.get(f"/i/defence/queue/items/{other.pk}/").content.decode()
    assert "Message numéro 1" in other_page  # the other item's own page
    assert "A complaint was opened from this item" not in other_page


def test_an_urgent_item_comes_first_within_its_deadline_band(
    client: Client, defence, defence_communicator
) -> None:
    """Item 25: keyword-watch priority orders the queue within each band (overdue, soon, on
    time); it never jumps a more urgent band."""
    channel = ChannelFactory(institution=defence)
    now = timezone.now()
    ages = {"overdue-plain": 30, "overdue-urgent": 25, "soon-plain": 20, "soon-watched": 19}
    ages |= {"soon-urgent": 18.5, "fresh-plain": 2, "fresh-urgent": 1}
    for name, hours in ages.items():
        item_apply_event(
            channel=channel,
            event=ItemEvent(external_id=name, verb=Verb.CREATE, text=name),
            now=now - timedelta(hours=hours),
        )
    priorities = {"urgent": 2, "watched": 1, "plain": 0}
    for item in Item.objects.all():
        Item.objects.filter(pk=item.pk).update(priority=priorities[item.text.split("-")[1]])
    client.force_login(defence_communicator)
    shown = [item.text for item in client.get("/i/defence/queue/").context["items"]]
    assert shown == [
        "overdue-urgent", "overdue-plain",
        "soon-urgent", "soon-watched", "soon-plain",
        "fresh-urgent", "fresh-plain",
    ]  # fmt: skip


def test_keyset_pages_cover_every_band_and_priority_once_while_time_passes(
    client: Client, defence, defence_communicator, monkeypatch
) -> None:
    monkeypatch.setattr(queue_view, "PAGE_SIZE", 3)
    channel = ChannelFactory(institution=defence)
    now = timezone.now()
    for n in range(14):  # ages from 0 to 26 hours, a third of them urgent, a third watched
        item = item_apply_event(
            channel=channel,
            event=ItemEvent(external_id=f"k{n}", verb=Verb.CREATE, text=f"k{n}"),
            now=now - timedelta(hours=2 * n, minutes=-5),  # 17:55, 23:55: about to cross
        )
        Item.objects.filter(pk=item.pk).update(priority=n % 3)
    client.force_login(defence_communicator)
    seen: list[str] = []
    url = "/i/defence/queue/?status=open"
    with time_machine.travel(now, tick=False) as traveller:
        while url:
            response = client.get(url)
            seen.extend(item.text for item in response.context["items"])
            traveller.shift(timedelta(minutes=10))  # items cross bands between pages
            next_url = response.context["next_url"]
            url = f"/i/defence/queue/{next_url}" if next_url else ""
    assert sorted(seen) == sorted(f"k{n}" for n in range(14))


def test_a_tampered_cursor_shows_the_first_page(
    client: Client, defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence)
    make_items(channel, 2)
    client.force_login(defence_communicator)
    for cursor in ("x", "2026-01-01T00:00:00|9|0|2026-01-01T00:00:00|1", "a|b|c|d|e", "1|2"):
        response = client.get("/i/defence/queue/", {"after": cursor})
        assert response.status_code == 200
        assert len(response.context["items"]) == 2


def test_filters_that_join_or_exclude_everything_keep_the_order(
    client: Client, defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence, platform="facebook")
    plain, urgent = make_items(channel, 2)
    Item.objects.filter(pk=urgent.pk).update(priority=2)
    client.force_login(defence_communicator)
    page = client.get("/i/defence/queue/", {"status": "open", "platform": "facebook"})
    assert [item.pk for item in page.context["items"]] == [urgent.pk, plain.pk]
    assert client.get("/i/defence/queue/", {"platform": "myspace"}).status_code == 200
    empty = client.get("/i/defence/queue/", {"status": "open", "platform": "x"})
    assert empty.context["items"] == []


def test_the_queue_shows_a_renamed_channel_and_a_crisis_at_once(
    client: Client, defence, defence_communicator
) -> None:
    """The channels' names and crisis mode are cached for the queue (issue 21); every save of a
    channel is shown on the next page."""
    channel = ChannelFactory(institution=defence, name="Belgian Defence")
    make_items(channel, 1)
    client.force_login(defence_communicator)
    page = client.get("/i/defence/queue/").content.decode()
    assert "Belgian Defence" in page
    assert "new items must be answered within" not in page
    channel.name = "Defensie België"
    channel.crisis_mode = True
    channel.save()
    page = client.get("/i/defence/queue/").content.decode()
    assert "Belgian Defence" not in page
    assert page.count("Defensie België") >= 3  # the filter, the row, the crisis banner
    assert "Defensie België: new items must be answered within" in page
    ChannelFactory(institution=defence, name="Second channel")  # a new one is offered at once
    assert "Second channel" in client.get("/i/defence/queue/").content.decode()
