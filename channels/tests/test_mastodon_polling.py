"""Mastodon polling against the platform sandbox's Mastodon (devtools/platform_sandbox/mastodon.py)
over HTTP: cursor, paging, rate limits, failures, leases."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from channels.connectors.mastodon import CONNECTOR, status_text
from channels.models import Channel, InboundDelivery, PollState
from channels.services.deliveries import delivery_process
from channels.services.polling import LEASE, POLL_INTERVAL, channel_poll, channels_due
from channels.tests.factories import ChannelFactory
from devtools.platform_sandbox import mastodon as sandbox_mastodon
from devtools.platform_sandbox.server import Request, Response, Route, Sandbox
from moderation.models import Item

pytestmark = pytest.mark.django_db
RECORDED = json.loads((Path(__file__).parent / "fixtures" / "mastodon_mentions.json").read_text())


@pytest.fixture
def stub(platform_sandbox) -> Sandbox:
    return platform_sandbox


def notifications(sandbox: Sandbox) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = sandbox.data["mastodon"]["notifications"]
    return result


def add_mentions(
    sandbox: Sandbox, template: dict[str, Any], count: int, first_id: int
) -> list[str]:
    ids = []
    for offset in range(count):
        record = copy.deepcopy(template)
        record["id"] = str(first_id + offset)
        record["status"]["id"] = f"9{first_id + offset}"
        record["status"]["content"] = f"<p>Message {first_id + offset}</p>"
        notifications(sandbox).append(record)
        ids.append(record["id"])
    return ids


def polls(sandbox: Sandbox) -> list[dict[str, list[str]]]:
    """The query of each notifications request the sandbox received."""
    return [call["query"] for call in sandbox.calls_to("GET", "/api/v1/notifications")]


def rate_limit(sandbox: Sandbox, reset: datetime | None = None) -> None:
    headers = {"X-RateLimit-Reset": reset.isoformat()} if reset else {}
    sandbox.fail_next("/api/v1/notifications", 429, {"error": "Too many requests"}, headers)


@pytest.fixture
def channel(defence, stub) -> Channel:
    channel = ChannelFactory(
        institution=defence,
        platform="mastodon",
        name="Defensie op Mastodon",
        url=f"{stub.url}/@defensie",
        languages=["nl", "fr"],
    )
    channel.access_token = sandbox_mastodon.TOKEN
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
    notifications(stub).extend(copy.deepcopy(RECORDED))

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
    assert polls(stub)[0]["types[]"] == ["mention"]


def test_first_poll_takes_the_latest_page_then_pages_forward_from_the_cursor(channel, stub) -> None:
    template = RECORDED[0]
    add_mentions(stub, template, 50, first_id=1000)

    assert channel_poll(channel.pk) == 40  # history before connection: latest page only
    assert state_of(channel).cursor == "1049"
    assert "min_id" not in polls(stub)[0]

    new_ids = add_mentions(stub, template, 95, first_id=2000)
    PollState.objects.filter(pk=channel.pk).update(next_poll_at=timezone.now())
    stub.calls.clear()

    assert channel_poll(channel.pk) == 95
    assert [query["min_id"] for query in polls(stub)] == [["1049"], ["2039"], ["2079"]]
    assert state_of(channel).cursor == new_ids[-1]
    process_all()
    assert Item.objects.filter(channel=channel).count() == 135


def test_nothing_new_stores_nothing_and_schedules_the_next_poll(channel, stub) -> None:
    notifications(stub).extend(copy.deepcopy(RECORDED))
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
    stub.calls.clear()

    assert channel_poll(channel.pk) == 0
    assert polls(stub) == []


def test_rate_limit_sets_the_next_poll_to_the_reset_time_without_waiting(channel, stub) -> None:
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=7)
    rate_limit(stub, reset)

    assert channel_poll(channel.pk) == 0

    state = state_of(channel)
    assert len(polls(stub)) == 1  # thrown, not waited and retried in the worker
    assert abs((state.next_poll_at - reset).total_seconds()) < 5
    assert "Rate limited" in state.last_error
    assert state.consecutive_failures == 0
    assert state.lease_until is None
    assert channel.pk not in channels_due(now=reset - timedelta(minutes=1))
    assert channel.pk in channels_due(now=reset + timedelta(seconds=5))


def test_rate_limit_without_a_reset_time_backs_off_five_minutes(channel, stub) -> None:
    rate_limit(stub)
    before = timezone.now()

    channel_poll(channel.pk)

    waited = state_of(channel).next_poll_at - before
    assert timedelta(minutes=4, seconds=50) < waited < timedelta(minutes=5, seconds=10)


def test_rate_limit_mid_backlog_keeps_the_pages_already_read(channel, stub) -> None:
    template = RECORDED[0]
    add_mentions(stub, template, 1, first_id=1000)
    channel_poll(channel.pk)
    add_mentions(stub, template, 100, first_id=2000)
    served = []

    def page_then_limit(sandbox: Sandbox, request: Request) -> Response:
        served.append(request.query)
        if len(served) == 2:  # the next page is refused
            rate_limit(sandbox, datetime.now(UTC) + timedelta(minutes=1))
        return sandbox_mastodon.notifications(sandbox, request)

    stub.routes.insert(0, Route("GET", "/api/v1/notifications", page_then_limit))
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
    notifications(stub).extend(copy.deepcopy(RECORDED))
    stub.fail_next("/api/v1/notifications", 500, {"error": "Internal server error"})
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
    assert polls(stub) == []

    later = moment + LEASE + timedelta(seconds=1)  # the worker holding it died
    assert channel.pk in channels_due(now=later)
    channel_poll(channel.pk, now=later)
    assert len(polls(stub)) == 1


def test_the_same_page_fetched_twice_is_stored_once(channel, stub) -> None:
    notifications(stub).extend(copy.deepcopy(RECORDED))
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
