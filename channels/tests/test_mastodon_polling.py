"""Mastodon polling against a local stub server: cursor, paging, rate limits, failures, leases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from channels.connectors.mastodon import CONNECTOR, status_text
from channels.models import Channel, InboundDelivery, PollState
from channels.services.deliveries import delivery_process
from channels.services.polling import LEASE, POLL_INTERVAL, channel_poll, channels_due
from channels.tests import mastodon_stub
from channels.tests.factories import ChannelFactory
from moderation.models import Item

pytestmark = pytest.mark.django_db
RECORDED = json.loads((Path(__file__).parent / "fixtures" / "mastodon_mentions.json").read_text())


@pytest.fixture
def stub(settings) -> Iterator[mastodon_stub.MastodonStub]:
    settings.CONNECTORS_ALLOW_PRIVATE_HOSTS = True  # the stub listens on 127.0.0.1
    yield from mastodon_stub.serve()


@pytest.fixture
def channel(defence, stub) -> Channel:
    channel = ChannelFactory(
        institution=defence,
        platform="mastodon",
        name="Defensie op Mastodon",
        url=f"{stub.base_url}/@defensie",
        languages=["nl", "fr"],
    )
    channel.access_token = mastodon_stub.TOKEN
    channel.save()
    return channel


def process_all() -> None:
    for delivery_id in InboundDelivery.objects.filter(status="received").values_list(
        "pk", flat=True
    ):
        delivery_process(delivery_id)


def state_of(channel: Channel) -> PollState:
    return PollState.objects.get(channel=channel)


def test_recorded_mentions_become_items(channel, stub) -> None:
    stub.notifications.extend(RECORDED)

    stored = channel_poll(channel.pk)
    process_all()

    assert stored == 3  # the deleted status is stored with the page but makes no item
    jan = Item.objects.get(channel=channel, external_id="113501218001")
    assert jan.kind == "mention"
    assert jan.author_name == "Jan Peeters"
    assert jan.author_handle == "@jan@mastodon.example"
    assert jan.language == "nl"
    assert jan.permalink == "https://mastodon.example/@jan/113501218001"
    assert jan.text == (
        "@defensie Waarom vliegen er vannacht helikopters boven Leopoldsburg?\n\n"
        "Mijn kinderen kunnen niet slapen & ik ook niet."
    )
    claire = Item.objects.get(channel=channel, external_id="113501406220")
    assert claire.kind == "direct_message"
    assert claire.author_name == "claire"  # no display name: the handle stands in
    assert claire.parent_external_id == "113501218001"
    assert claire.language == "fr"  # none sent: detected from the text
    assert claire.text.startswith("Question privée\n\n@defensie Bonjour,\nje souhaite")
    assert Item.objects.filter(channel=channel).count() == 2
    assert state_of(channel).cursor == "34975880"
    assert stub.requests[0]["types[]"] == ["mention"]


def test_first_poll_takes_the_latest_page_then_pages_forward_from_the_cursor(channel, stub) -> None:
    template = RECORDED[0]
    stub.add_mentions(template, 50, first_id=1000)

    assert channel_poll(channel.pk) == 40  # history before connection: latest page only
    assert state_of(channel).cursor == "1049"
    assert "min_id" not in stub.requests[0]

    new_ids = stub.add_mentions(template, 95, first_id=2000)
    PollState.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now())
    stub.requests.clear()

    assert channel_poll(channel.pk) == 95
    assert [query["min_id"] for query in stub.requests] == [["1049"], ["2039"], ["2079"]]
    assert state_of(channel).cursor == new_ids[-1]
    process_all()
    assert Item.objects.filter(channel=channel).count() == 135


def test_nothing_new_stores_nothing_and_schedules_the_next_poll(channel, stub) -> None:
    stub.notifications.extend(RECORDED)
    channel_poll(channel.pk)
    deliveries = InboundDelivery.objects.count()
    moment = timezone.now()

    assert channel_poll(channel.pk, now=moment + POLL_INTERVAL) == 0

    assert InboundDelivery.objects.count() == deliveries
    state = state_of(channel)
    assert state.next_poll_at == moment + 2 * POLL_INTERVAL
    assert state.last_error == ""
    assert state.items_fetched == 3


def test_a_poll_before_its_time_does_not_call_the_platform(channel, stub) -> None:
    channel_poll(channel.pk)
    stub.requests.clear()

    assert channel_poll(channel.pk) == 0
    assert stub.requests == []


def test_rate_limit_sets_the_next_poll_to_the_reset_time_without_waiting(channel, stub) -> None:
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=7)
    stub.fail_with = 429
    stub.rate_limit_reset = reset.isoformat()

    assert channel_poll(channel.pk) == 0

    state = state_of(channel)
    assert len(stub.requests) == 1  # thrown, not waited and retried in the worker
    assert abs((state.next_poll_at - reset).total_seconds()) < 5
    assert "Rate limited" in state.last_error
    assert state.consecutive_failures == 0
    assert state.lease_until is None
    assert channel.pk not in channels_due(now=reset - timedelta(minutes=1))
    assert channel.pk in channels_due(now=reset + timedelta(seconds=5))


def test_rate_limit_without_a_reset_time_backs_off_five_minutes(channel, stub) -> None:
    stub.fail_with = 429
    before = timezone.now()

    channel_poll(channel.pk)

    waited = state_of(channel).next_poll_at - before
    assert timedelta(minutes=4, seconds=50) < waited < timedelta(minutes=5, seconds=10)


def test_rate_limit_mid_backlog_keeps_the_pages_already_read(channel, stub) -> None:
    template = RECORDED[0]
    stub.add_mentions(template, 1, first_id=1000)
    channel_poll(channel.pk)
    stub.add_mentions(template, 100, first_id=2000)
    original_page = stub.page
    served = []

    def page_then_limit(query):
        served.append(query)
        if len(served) == 2:
            stub.fail_with = 429
            stub.rate_limit_reset = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
        return original_page(query)

    stub.page = page_then_limit  # type: ignore[method-assign]
    moment = timezone.now() + POLL_INTERVAL

    assert channel_poll(channel.pk, now=moment) == 80
    assert state_of(channel).cursor == "2079"

    assert channel_poll(channel.pk, now=moment + timedelta(minutes=2)) == 20
    process_all()
    assert Item.objects.filter(channel=channel).count() == 101
    assert state_of(channel).cursor == "2099"


def test_bad_token_backs_off_exponentially_and_is_shown(channel, stub, client: Client) -> None:
    channel.access_token = "revoked"
    channel.save()
    moment = timezone.now()

    channel_poll(channel.pk, now=moment)
    first = state_of(channel)
    channel_poll(channel.pk, now=first.next_poll_at)
    second = state_of(channel)

    assert first.next_poll_at == moment + 2 * POLL_INTERVAL
    assert second.next_poll_at == first.next_poll_at + 4 * POLL_INTERVAL
    assert second.consecutive_failures == 2
    assert "MastodonUnauthorizedError" in second.last_error
    assert InboundDelivery.objects.count() == 0


def test_server_error_then_recovery_resets_the_failure_count(channel, stub) -> None:
    stub.notifications.extend(RECORDED)
    stub.fail_with = 500
    moment = timezone.now()
    channel_poll(channel.pk, now=moment)
    assert state_of(channel).consecutive_failures == 1

    assert channel_poll(channel.pk, now=state_of(channel).next_poll_at) == 3
    assert state_of(channel).consecutive_failures == 0
    assert state_of(channel).last_error == ""


def test_a_leased_channel_is_left_alone_until_the_lease_expires(channel, stub) -> None:
    moment = timezone.now()
    PollState.objects.create(channel=channel, next_poll_at=moment, lease_until=moment + LEASE)

    assert channel_poll(channel.pk, now=moment) == 0
    assert channel.pk not in channels_due(now=moment)
    assert stub.requests == []

    later = moment + LEASE + timedelta(seconds=1)  # the worker holding it died
    assert channel.pk in channels_due(now=later)
    channel_poll(channel.pk, now=later)
    assert len(stub.requests) == 1


def test_the_same_page_fetched_twice_is_stored_once(channel, stub) -> None:
    stub.notifications.extend(RECORDED)
    channel_poll(channel.pk)
    PollState.objects.filter(pk=channel.pk).update(cursor="", next_poll_at=timezone.now())

    channel_poll(channel.pk)  # a crash lost the cursor: the same records come back

    delivery = InboundDelivery.objects.get(channel=channel)
    assert delivery.times_received == 2
    process_all()
    assert Item.objects.filter(channel=channel).count() == 2


def test_only_configured_active_polling_channels_are_due(defence, channel) -> None:
    ChannelFactory(institution=defence, platform="facebook")
    ChannelFactory(institution=defence, platform="mastodon", url="https://x.example/@a")
    inactive = ChannelFactory(
        institution=defence, platform="mastodon", url="https://x.example/@b", is_active=False
    )
    inactive.access_token = "t"
    inactive.save()

    assert channels_due() == [channel.pk]


def test_status_text_strips_markup_and_keeps_paragraphs() -> None:
    status = {
        "content": '<p>Un <a href="javascript:x">lien</a><br/>ligne</p><p>&lt;b&gt; &amp; é</p>',
        "spoiler_text": "",
    }
    assert status_text(status) == "Un lien\nligne\n\n<b> & é"


@pytest.mark.parametrize(
    "payload",
    [[], {"records": "x"}, {"records": [1]}, {"records": [{"type": "mention", "status": {}}]}],
)
def test_malformed_pages_are_refused_with_a_reason(payload) -> None:
    from channels.connectors.base import PayloadError

    with pytest.raises(PayloadError):
        CONNECTOR.parse(payload)
