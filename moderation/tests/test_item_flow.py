"""Working through the queue from the item page: a confirmation after every action, "… and
next" in the queue's order and filters, the chosen saved reply kept selected."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from channels.connectors.base import ItemEvent, Verb
from channels.tests.factories import ChannelFactory
from charter.models import CharterRule
from charter.tests.factories import published_charter
from complaints.tests.factories import builtin
from moderation.models import Item, SavedReply
from moderation.services import decisions
from moderation.services.ingest import item_apply_event

pytestmark = pytest.mark.django_db
BASE = "/i/defence/queue/items/"


@pytest.fixture
def channel(defence):
    return ChannelFactory(institution=defence)


def arrive(channel, name: str, language: str, minutes_ago: int) -> Item:
    now = timezone.now()
    return item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id=name, verb=Verb.CREATE, text=f"Text of {name}", language=language,
            author_name="Sofie", occurred_at=now - timedelta(minutes=minutes_ago),
        ),
        now=now - timedelta(minutes=minutes_ago),
    )  # fmt: skip


def shown(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_every_action_on_an_item_confirms_what_was_done(
    client: Client, channel, defence, defence_communicator, defence_admin
) -> None:
    published_charter(defence, defence_admin)
    rule = CharterRule.objects.get(version__status="published", number=2)
    items = [arrive(channel, f"fr-{n}", "fr", 60 - n) for n in range(6)]
    client.force_login(defence_communicator)
    steps = [
        (items[0], "reply", {"text": "Bonjour !"}, "The reply was recorded."),
        (items[1], "hide", {"rule": rule.pk, "reasons": "Insultes."}, "The item was hidden."),
        (items[2], "remove", {"rule": rule.pk, "reasons": "Spam."}, "The item was removed."),
        (items[3], "no-action", {}, "Recorded: no action needed."),
        (items[4], "escalate", {"category": builtin().pk, "subject": "Plainte"},
         "A complaint was opened for the complaints service."),
        (items[5], "assign-me", {}, "The item is assigned to you."),
        (items[5], "assign", {"assignee": ""}, "The item is assigned to nobody."),
        (items[0], "reopen", {"reason": "Answered too fast."}, "The item was reopened."),
    ]  # fmt: skip
    for item, action, data, message in steps:
        response = client.post(f"{BASE}{item.pk}/{action}/", data, follow=True)
        [(url, status)] = response.redirect_chain
        assert (status, url.split("?")[0]) == (302, f"{BASE}{item.pk}/"), action
        assert [str(shown) for shown in response.context["workspace_messages"]] == [message]
        assert message in response.content.decode()


def test_act_and_next_follows_the_queues_order_and_filters(
    client: Client, channel, defence_communicator
) -> None:
    first = arrive(channel, "nl-1", "nl", 50)
    arrive(channel, "fr-1", "fr", 40)  # filtered out
    second = arrive(channel, "nl-2", "nl", 30)
    third = arrive(channel, "nl-3", "nl", 20)
    client.force_login(defence_communicator)
    queue = client.get("/i/defence/queue/?status=open&language=nl").content.decode()
    in_queue = "?" + urlencode({"queue": "status=open&language=nl"})
    assert f'href="{BASE}{first.pk}/{in_queue}"' in queue

    # The second item is handled by someone else meanwhile: next skips what left the queue.
    decisions.item_no_action(item=second, actor=defence_communicator)
    response = client.post(
        f"{BASE}{first.pk}/reply/",
        {"text": "Dag Sofie", "then": "next", "queue": "status=open&language=nl"},
    )
    assert response.url == f"{BASE}{third.pk}/{in_queue}"
    assert shown(response) == ["The reply was recorded."]
    page = client.get(response.url).content.decode()
    assert 'name="queue" value="status=open&amp;language=nl"' in page
    assert 'href="/i/defence/queue/?status=open&amp;language=nl"' in page  # back to this queue

    last = client.post(
        f"{BASE}{third.pk}/no-action/", {"then": "next", "queue": "status=open&language=nl"}
    )
    assert last.url == "/i/defence/queue/?status=open&language=nl"
    assert shown(last) == [
        "Recorded: no action needed.",
        "No item left after this one in the queue.",
    ]


def test_act_and_next_without_a_queue_uses_the_open_items(
    client: Client, channel, defence_communicator
) -> None:
    first = arrive(channel, "fr-1", "fr", 50)
    second = arrive(channel, "nl-1", "nl", 40)
    client.force_login(defence_communicator)
    response = client.post(f"{BASE}{first.pk}/no-action/", {"then": "next"})
    assert response.url == f"{BASE}{second.pk}/?" + urlencode({"queue": "status=open"})


def test_a_refused_action_keeps_the_queue_and_moves_nowhere(
    client: Client, channel, defence_communicator
) -> None:
    first = arrive(channel, "fr-1", "fr", 50)
    arrive(channel, "fr-2", "fr", 40)
    decisions.item_no_action(item=first, actor=defence_communicator)
    client.force_login(defence_communicator)
    response = client.post(
        f"{BASE}{first.pk}/reply/", {"text": "Bonjour", "then": "next", "queue": "language=fr"}
    )
    assert response.status_code == 400
    assert 'name="queue" value="language=fr"' in response.content.decode()


def test_the_chosen_saved_reply_stays_selected(
    client: Client, channel, defence, defence_communicator
) -> None:
    item = arrive(channel, "nl-1", "nl", 10)
    for title in ("Bedankt", "Doorverwezen", "Klacht"):
        SavedReply.objects.create(
            institution=defence, language="nl", title=title, text=f"{title}, {{author}}."
        )
    chosen = SavedReply.objects.get(title="Doorverwezen")
    client.force_login(defence_communicator)
    page = client.get(f"{BASE}{item.pk}/", {"saved": chosen.pk}).content.decode()
    saved_select = page[page.index('id="saved-reply"') :].split("</select>")[0]
    assert saved_select.count(" selected") == 1
    assert f'<option value="{chosen.pk}" selected>Doorverwezen</option>' in saved_select
    assert ">Doorverwezen, Sofie.</textarea>" in page


@pytest.mark.parametrize(
    "queue", ["status=nonsense&due_within=abc&after=x|y", "%zz&&==", "channel=999999", "a" * 3000]
)
def test_a_garbled_queue_never_breaks_the_page_or_the_next_button(
    client: Client, channel, defence_communicator, queue: str
) -> None:
    first = arrive(channel, "fr-1", "fr", 50)
    arrive(channel, "fr-2", "fr", 40)
    client.force_login(defence_communicator)
    assert client.get(f"{BASE}{first.pk}/", {"queue": queue}).status_code == 200
    response = client.post(f"{BASE}{first.pk}/no-action/", {"then": "next", "queue": queue})
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
