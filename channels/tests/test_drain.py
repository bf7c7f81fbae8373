"""Draining a channel's deliveries: one Celery message per burst, nothing forgotten."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from channels.models import Channel, InboundDelivery
from channels.services import deliveries
from channels.services.deliveries import deliveries_drain
from channels.tests.factories import ChannelFactory
from channels.tests.test_hooks import fixture, post_meta
from moderation.models import Item

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(defence) -> Channel:
    return ChannelFactory(institution=defence)


@pytest.fixture
def published(monkeypatch) -> list[tuple[int, dict]]:
    """Drain requests that reached the broker (channel id, keyword arguments)."""
    sent: list[tuple[int, dict]] = []
    monkeypatch.setattr(
        "channels.tasks.deliveries_drain_task.delay",
        lambda channel_id, **kwargs: sent.append((channel_id, kwargs)),
    )
    return sent


def generic_body(n: int) -> bytes:
    return f'{{"items": [{{"external_id": "burst-{n}", "text": "Message {n}"}}]}}'.encode()


def store(channel: Channel, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        deliveries.delivery_accept(
            channel=channel, source="generic", body=generic_body(n), headers={}
        )


def test_a_burst_of_deliveries_publishes_one_drain(
    client: Client, channel, published, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post_meta(client, channel, fixture("meta_comment_add.json"))
        store(channel, 20)
    assert published == [(channel.pk, {})]

    assert deliveries_drain(channel.pk, helpers=0) == 21
    assert InboundDelivery.objects.filter(status="received").count() == 0
    assert Item.objects.filter(channel=channel).count() == 21


def test_a_delivery_arriving_after_the_drain_started_gets_a_new_drain(
    channel, published, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        store(channel, 1)
    deliveries_drain(channel.pk, helpers=0)  # clears the flag first
    with django_capture_on_commit_callbacks(execute=True):
        store(channel, 1, start=1)
    assert [channel_id for channel_id, _ in published] == [channel.pk, channel.pk]
    assert deliveries_drain(channel.pk, helpers=0) == 1


def test_each_channel_has_its_own_flag(
    defence, channel, published, django_capture_on_commit_callbacks
) -> None:
    other = ChannelFactory(institution=defence)
    with django_capture_on_commit_callbacks(execute=True):
        store(channel, 2)
        store(other, 2)
    assert sorted(channel_id for channel_id, _ in published) == sorted([channel.pk, other.pk])


def test_a_large_backlog_brings_helpers(channel, published, monkeypatch) -> None:
    monkeypatch.setattr(deliveries, "HELPER_BACKLOG", 3)
    store(channel, 5)
    assert deliveries_drain(channel.pk, helpers=1) == 5
    assert published == [(channel.pk, {"helpers": 0})]
    store(channel, 5, start=5)
    deliveries_drain(channel.pk, helpers=0)  # a helper never brings helpers
    assert len(published) == 1


def test_a_drain_over_its_time_budget_hands_over(channel, published, monkeypatch) -> None:
    monkeypatch.setattr(deliveries, "DRAIN_BUDGET_SECONDS", 0.0)
    monkeypatch.setattr(deliveries, "DRAIN_BATCH", 1)
    store(channel, 3)
    assert deliveries_drain(channel.pk, helpers=0) == 1
    assert published == [(channel.pk, {})]
    assert InboundDelivery.objects.filter(status="received").count() == 2


@pytest.mark.usefixtures("broker_down")
def test_drain_requests_fail_quietly_when_the_broker_is_down(
    client: Client, channel, monkeypatch, caplog, django_capture_on_commit_callbacks
) -> None:
    """The webhook is still answered 200 with its row committed; once the broker is back, the
    sweeper asks for the drain the webhook could not request, and the item appears."""
    with django_capture_on_commit_callbacks(execute=True):
        response = post_meta(client, channel, fixture("meta_comment_add.json"))
    assert response.status_code == 200
    delivery = InboundDelivery.objects.get()
    assert (delivery.channel, delivery.status) == (channel, "received")
    assert f"Could not request a drain of channel {channel.pk}" in caplog.text

    sent: list[int] = []  # the broker is back
    monkeypatch.setattr(
        "channels.tasks.deliveries_drain_task.delay",
        lambda channel_id, **_: sent.append(channel_id),
    )
    assert deliveries.deliveries_sweep(timezone.now()) == 0  # not yet: the drain may be running
    assert deliveries.deliveries_sweep(timezone.now() + deliveries.SWEEP_AFTER) == 1
    assert sent == [channel.pk]
    assert deliveries_drain(channel.pk, helpers=0) == 1
    assert Item.objects.get(channel=channel).external_id == "998877_112233"


def test_a_drain_takes_its_deliveries_in_batches(channel, monkeypatch) -> None:
    monkeypatch.setattr(deliveries, "DRAIN_BATCH", 2)
    store(channel, 5)
    assert deliveries.deliveries_process_next(channel.pk) == 2
    assert deliveries.deliveries_process_next(channel.pk) == 2
    assert deliveries.deliveries_process_next(channel.pk) == 1
    assert deliveries.deliveries_process_next(channel.pk) is None


def test_failed_payloads_do_not_stop_the_drain(channel, published) -> None:
    deliveries.delivery_accept(channel=channel, source="generic", body=b"[]", headers={})
    store(channel, 2)
    InboundDelivery.objects.filter(body=b"[]").update(status="received", error="")
    assert deliveries_drain(channel.pk, helpers=0) == 2
    assert InboundDelivery.objects.get(body=b"[]").status == "failed"
