"""Replies reach the platform: sent through Mastodon (a local stub server speaking its API),
retried without ever publishing twice, or left "to post" by hand elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from channels.connectors.base import ItemEvent, Verb
from channels.models import Channel
from channels.tests import mastodon_stub
from channels.tests.factories import ChannelFactory
from moderation.models import Item, ReplyDelivery
from moderation.services import decisions
from moderation.services.ingest import item_apply_event
from moderation.services.reply_delivery import (
    MAX_ATTEMPTS,
    DeliveryRefused,
    delivery_mark_posted,
    replies_sweep,
    reply_deliver,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stub(settings) -> Iterator[mastodon_stub.MastodonStub]:
    settings.CONNECTORS_ALLOW_PRIVATE_HOSTS = True  # the stub listens on 127.0.0.1
    yield from mastodon_stub.serve()


@pytest.fixture
def mastodon(defence, stub) -> Channel:
    channel = ChannelFactory(
        institution=defence, platform="mastodon", url=f"{stub.base_url}/@defensie"
    )
    channel.access_token = mastodon_stub.TOKEN
    channel.save()
    return channel


def mention(channel: Channel, external_id: str = "9001", kind: str = "mention") -> Item:
    return item_apply_event(
        channel=channel,
        event=ItemEvent(
            external_id=external_id, verb=Verb.CREATE, kind=kind, author_name="Lies",
            author_handle="@lies@social.example", text="Wanneer opent de kazerne?",
        ),
    )  # fmt: skip


def reply(item: Item, actor, text: str = "Morgen om 9 uur.") -> ReplyDelivery:
    return decisions.item_reply(item=item, actor=actor, text=text).decision.delivery


def make_due(delivery: ReplyDelivery) -> None:
    ReplyDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_mastodon_reply_is_sent_as_an_answer_naming_the_author(
    mastodon, stub, defence_communicator
) -> None:
    delivery = reply(mention(mastodon), defence_communicator)
    assert delivery.state == "queued"
    assert reply_deliver(delivery.pk) == "sent"
    delivery.refresh_from_db()
    [status] = stub.posted
    assert status["fields"]["in_reply_to_id"] == "9001"
    assert status["fields"]["status"] == "@lies@social.example Morgen om 9 uur."
    assert "visibility" not in status["fields"]  # the account's default for a public mention
    assert status["idempotency_key"] == f"govsocial-reply-{delivery.pk}"
    assert (delivery.platform_id, delivery.platform_url) == ("1000", status["url"])
    assert delivery.sent_at is not None
    assert reply_deliver(delivery.pk) == "skipped"  # sent once, never again
    assert len(stub.posted) == 1


def test_a_direct_message_is_answered_privately(mastodon, stub, defence_communicator) -> None:
    delivery = reply(mention(mastodon, kind="direct_message"), defence_communicator)
    reply_deliver(delivery.pk)
    assert stub.posted[0]["fields"]["visibility"] == "direct"


def test_a_server_error_is_retried_later_and_publishes_once(
    mastodon, stub, defence_communicator
) -> None:
    delivery = reply(mention(mastodon), defence_communicator)
    stub.fail_with = 500
    assert reply_deliver(delivery.pk) == "queued"
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert "500" in delivery.last_error or "Internal" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert reply_deliver(delivery.pk) == "skipped"  # not due yet
    make_due(delivery)
    # a worker crashed after the platform published but before we stored it: same key again
    stub.publish({"status": "earlier attempt"}, f"govsocial-reply-{delivery.pk}")
    assert reply_deliver(delivery.pk) == "sent"
    assert len(stub.posted) == 1


def test_a_refusal_leaves_the_reply_to_post_by_hand(mastodon, stub, defence_communicator) -> None:
    delivery = reply(mention(mastodon), defence_communicator)
    stub.fail_with = 404  # the status was deleted meanwhile
    assert reply_deliver(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.needs_posting
    assert delivery.failed_at is not None


def test_repeated_failures_give_up_after_the_last_attempt(
    mastodon, stub, defence_communicator
) -> None:
    delivery = reply(mention(mastodon), defence_communicator)
    stub.fail_with, stub.fail_always = 503, True
    states = []
    for _ in range(MAX_ATTEMPTS):
        make_due(delivery)
        states.append(reply_deliver(delivery.pk))
    assert states == ["queued"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert stub.posted == []


def test_the_sweeper_finds_due_deliveries(mastodon, defence_communicator) -> None:
    delivery = reply(mention(mastodon), defence_communicator)
    assert replies_sweep() == 1
    ReplyDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert replies_sweep() == 0


def test_platforms_without_a_reply_api_get_a_reply_to_post(defence, defence_communicator) -> None:
    facebook = ChannelFactory(institution=defence, platform="facebook")
    delivery = reply(mention(facebook), defence_communicator)
    assert delivery.state == "to_post"
    posted = delivery_mark_posted(delivery=delivery, actor=defence_communicator)
    assert (posted.state, posted.posted_by) == ("posted", defence_communicator)
    with pytest.raises(DeliveryRefused):
        delivery_mark_posted(delivery=delivery, actor=defence_communicator)


def test_an_unconfigured_mastodon_channel_gets_a_reply_to_post(
    defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence, platform="mastodon", url="")
    assert reply(mention(channel), defence_communicator).state == "to_post"


def test_the_item_page_offers_copy_link_and_confirmation(
    client: Client, defence, defence_communicator
) -> None:
    facebook = ChannelFactory(institution=defence, platform="facebook")
    item = mention(facebook)
    client.force_login(defence_communicator)
    base = f"/i/defence/queue/items/{item.pk}/"
    client.post(f"{base}reply/", {"text": "Morgen om 9 uur."})
    page = client.get(base).content.decode()
    assert "Copy the text" in page
    assert "I posted it" in page
    delivery = ReplyDelivery.objects.get()
    assert client.post(f"{base}posted/", {"delivery": delivery.pk}).status_code == 302
    page = client.get(base).content.decode()
    assert "Posted on the platform by hand" in page
    assert "I posted it" not in page
    again = client.post(f"{base}posted/", {"delivery": delivery.pk})
    assert again.status_code == 400
