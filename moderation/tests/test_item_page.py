"""The item page's reads: its thread through the ``item_replies`` index, and a number of queries
that does not grow with the channel (issue 21)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from charter.tests.factories import publish_new_version, published_charter
from complaints.tests.factories import builtin
from moderation.models import Item, SavedReply
from moderation.selectors import item_thread
from moderation.services.decisions import item_assign
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db


def post(channel, external_id: str, *, parent: str = "", minutes_ago: int = 0) -> Item:
    at = timezone.now() - timedelta(minutes=minutes_ago)
    return item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id=external_id,
            verb=Verb.CREATE,
            occurred_at=at,
            kind="reply" if parent else "comment",
            author_name=f"Auteur {external_id}",
            text=f"Texte {external_id}",
            language="fr",
            parent_external_id=parent,
        ),
        now=at,
    )


def test_the_thread_shows_the_parent_its_other_replies_and_the_items_replies_in_order(
    defence,
) -> None:
    channel = ChannelFactory(institution=defence)
    parent = post(channel, "p", minutes_ago=50)
    sibling = post(channel, "s", parent="p", minutes_ago=40)
    item = post(channel, "i", parent="p", minutes_ago=30)
    later_sibling = post(channel, "s2", parent="p", minutes_ago=10)
    reply_1 = post(channel, "r1", parent="i", minutes_ago=20)
    reply_2 = post(channel, "r2", parent="i", minutes_ago=5)
    elsewhere = ChannelFactory(institution=defence)
    post(elsewhere, "r3", parent="i")  # same ids on another channel: another thread

    thread = item_thread(Item.objects.get(pk=item.pk))

    assert [row.pk for row in thread.around] == [parent.pk, sibling.pk, later_sibling.pk]
    assert [row.pk for row in thread.replies] == [reply_1.pk, reply_2.pk]


def test_the_thread_is_one_query_and_keeps_at_most_twenty_of_each(defence) -> None:
    channel = ChannelFactory(institution=defence)
    post(channel, "p", minutes_ago=200)
    item = post(channel, "i", parent="p", minutes_ago=199)
    for n in range(25):
        post(channel, f"s{n}", parent="p", minutes_ago=150 - n)
        post(channel, f"r{n}", parent="i", minutes_ago=100 - n)
    with CaptureQueriesContext(connection) as captured:
        thread = item_thread(item)
    assert len(captured.captured_queries) == 1
    assert len(thread.around) == 20
    assert [row.text for row in thread.around[:2]] == ["Texte p", "Texte s0"]
    assert [row.text for row in thread.replies] == [f"Texte r{n}" for n in range(20)]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def _fill(channel, count: int) -> None:
    """``count`` items of the channel without a parent, then fresh statistics."""
    first = post(channel, "filler-0", minutes_ago=1000)
    Item.objects.bulk_create(
        Item(
            institution_id=first.institution_id,
            channel=channel,
            external_id=f"filler-{n}",
            text="x",
            received_at=first.received_at,
            due_at=first.due_at,
            warn_at=first.warn_at,
            posted_at=first.posted_at,
        )
        for n in range(1, count)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE moderation_item")


def test_the_replies_are_read_through_the_item_replies_index(defence) -> None:
    """Before the index the planner had only indexes on the channel: it read every item of the
    channel to find the replies (issue 21). With a few thousand items in the channel and
    sequential scans disabled, the plan shows what the indexes allow."""
    channel = ChannelFactory(institution=defence)
    _fill(channel, 3000)
    post(channel, "p", minutes_ago=10)
    item = post(channel, "i", parent="p", minutes_ago=5)
    post(channel, "r", parent="i")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'item_replies'")
        (definition,) = cursor.fetchone()
    assert "(channel_id, parent_external_id, posted_at, id)" in definition
    assert "WHERE (NOT ((parent_external_id)::text = ''::text))" in definition

    for thread_item in (item, Item.objects.get(external_id="p")):  # with and without a parent
        with CaptureQueriesContext(connection) as captured:
            item_thread(thread_item)
        plan = _plan(captured.captured_queries[0]["sql"])
        assert "item_replies" in plan, plan
        assert "Seq Scan" not in plan, plan


def _world(defence, defence_admin: User, moderator: User) -> tuple[Item, object]:
    published_charter(defence, defence_admin)
    published_charter(defence, defence_admin, slug="staff", audience="staff")  # to accept
    builtin("other")
    channel = ChannelFactory(institution=defence)
    SavedReply.objects.create(institution=defence, language="fr", title="Merci", text="Merci !")
    post(channel, "p", minutes_ago=30)
    item = post(channel, "i", parent="p", minutes_ago=20)
    post(channel, "r", parent="i", minutes_ago=10)
    item_assign(item=item, actor=moderator, assignee=moderator)
    return item, channel


def test_the_item_page_runs_at_most_5_queries_whatever_the_size_of_its_channel(
    client: Client, defence, defence_communicator, defence_admin, django_assert_max_num_queries
) -> None:
    item, channel = _world(defence, defence_admin, defence_communicator)
    client.force_login(defence_communicator)
    url = f"/i/defence/queue/items/{item.pk}/?queue=status%3Dopen"
    assert client.get(url).status_code == 200  # warm the session and caches
    # 4 today (issue 21 asked for at most 12): the memberships, the item (with its markers,
    # whether it has earlier versions, platform actions or a legal hold), the thread, the
    # decisions. The session, the charter banner, the rules in force and the action bar's
    # choices come from the cache.
    with django_assert_max_num_queries(5) as small:
        page = client.get(url)
    assert "Texte p" in page.content.decode()
    assert "Texte r" in page.content.decode()
    for n in range(60):
        post(channel, f"other-{n}", parent="p" if n % 2 else "", minutes_ago=100 + n)
    with django_assert_max_num_queries(5) as large:
        client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)


def test_the_rules_offered_follow_a_newly_published_version_at_once(
    client: Client, defence, defence_admin, defence_communicator
) -> None:
    """The rules in force are cached for the item page (issue 21); publishing renews them."""
    charter = published_charter(defence, defence_admin, rule_numbers=(1, 2))
    channel = ChannelFactory(institution=defence)
    item = post(channel, "p")
    client.force_login(defence_communicator)
    url = f"/i/defence/queue/items/{item.pk}/"
    page = client.get(url).content.decode()
    assert ">R2 " in page
    assert ">R3 " not in page
    publish_new_version(charter, defence_admin, (1, 2, 3))
    assert ">R3 " in client.get(url).content.decode()


def test_the_action_bar_choices_follow_categories_people_and_saved_replies_at_once(
    client: Client, defence, defence_admin, defence_communicator
) -> None:
    """The categories, moderators and saved replies are cached for the item page (issue 21);
    each change is offered on the next visit, and a login alone keeps the cache."""
    from complaints.models import Category

    builtin("other")
    channel = ChannelFactory(institution=defence)
    item = post(channel, "p")  # French
    client.force_login(defence_communicator)
    url = f"/i/defence/queue/items/{item.pk}/"
    page = client.get(url).content.decode()
    assert "Drone noise" not in page
    assert "Merci d'avance" not in page
    Category.objects.create(
        institution=defence, code="drones", name_en="Drone noise", name_fr="Bruit de drones",
        name_nl="Dronegeluid",
    )  # fmt: skip
    SavedReply.objects.create(
        institution=defence, language="fr", title="Merci d'avance", text="Merci !"
    )
    SavedReply.objects.create(institution=defence, language="nl", title="Bedankt", text="Dank!")
    defence_communicator.full_name = "Renamed Moderator"
    defence_communicator.save()
    page = client.get(url).content.decode()
    assert "Drone noise" in page
    assert "Merci d&#x27;avance" in page
    assert "Bedankt" not in page  # another language's reply
    assert "Renamed Moderator" in page
    with CaptureQueriesContext(connection) as login:
        client.force_login(defence_communicator)  # updates last_login only
    assert login.captured_queries
    with CaptureQueriesContext(connection) as cached:
        client.get(url)
    assert not [q for q in cached.captured_queries if "complaints_category" in q["sql"]]
    assert not [q for q in cached.captured_queries if "moderation_savedreply" in q["sql"]]
