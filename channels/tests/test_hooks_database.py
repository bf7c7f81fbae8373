"""Real database faults and races (two connections), no mocks: never a 200 without a row."""

from __future__ import annotations

import threading

import psycopg2
import pytest
from django.db import connection, transaction
from django.test import Client

from channels.connectors.base import ItemEvent, Verb
from channels.models import InboundDelivery
from channels.services.deliveries import delivery_process
from channels.tests.factories import ChannelFactory
from channels.tests.test_hooks import fixture, post_meta
from moderation.models import Item
from moderation.services.ingest import item_apply_event


def other_connection():
    params = connection.get_connection_params()
    return psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})


@pytest.mark.django_db(transaction=True)
def test_database_unavailable_gives_503_never_200(client: Client, defence) -> None:
    channel = ChannelFactory(institution=defence)
    blocker = other_connection()
    try:
        with blocker.cursor() as cursor:
            cursor.execute("LOCK TABLE channels_inbounddelivery IN ACCESS EXCLUSIVE MODE")
            with connection.cursor() as ours:
                ours.execute("SET lock_timeout = '200ms'")
            response = post_meta(client, channel, fixture("meta_comment_add.json"))
        blocker.rollback()
    finally:
        blocker.close()
    assert response.status_code == 503
    assert "retry" in response.json()["error"]
    assert not InboundDelivery.objects.exists()
    with connection.cursor() as ours:
        ours.execute("SET lock_timeout = 0")
    assert post_meta(client, channel, fixture("meta_comment_add.json")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_workers_creating_the_same_item_make_one(defence) -> None:
    channel = ChannelFactory(institution=defence)
    event = ItemEvent(external_id="race-1", verb=Verb.CREATE, text="Hello")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            item_apply_event(channel=channel, event=event)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    for _ in range(5):
        threads = [threading.Thread(target=work) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert Item.objects.filter(external_id="race-1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_processing_one_delivery_does_not_hold_up_the_channels_others(defence) -> None:
    """Regression (found by bench/ingest): the lock once covered the joined channel row too."""
    channel = ChannelFactory(institution=defence)
    first, second = (
        InboundDelivery.objects.create(
            institution=defence,
            channel=channel,
            source="generic",
            body=f'{{"items": [{{"external_id": "{name}"}}]}}'.encode(),
            body_sha256=name * 64,
        )
        for name in ("a", "b")
    )
    with transaction.atomic():  # Django compiles FOR UPDATE only inside a transaction
        sql, params = InboundDelivery.objects.claim(first.pk).query.sql_with_params()
    other_worker = other_connection()
    try:
        with other_worker.cursor() as cursor:
            cursor.execute(sql, params)  # another worker is busy with the first delivery
            assert cursor.fetchone() is not None
            assert delivery_process(second.pk) is True
            assert delivery_process(first.pk) is False  # held: skipped, not waited for
        other_worker.rollback()
    finally:
        other_worker.close()
    assert delivery_process(first.pk) is True
    assert Item.objects.filter(channel=channel).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_drain_passes_over_a_delivery_another_worker_holds(defence) -> None:
    from channels.services.deliveries import deliveries_drain

    channel = ChannelFactory(institution=defence)
    held, *_ = (
        InboundDelivery.objects.create(
            institution=defence,
            channel=channel,
            source="generic",
            body=f'{{"items": [{{"external_id": "{name}"}}]}}'.encode(),
            body_sha256=name * 64,
        )
        for name in ("a", "b", "c")
    )
    with transaction.atomic():
        sql, params = InboundDelivery.objects.claim(held.pk).query.sql_with_params()
    other_worker = other_connection()
    try:
        with other_worker.cursor() as cursor:
            cursor.execute(sql, params)
            assert deliveries_drain(channel.pk, helpers=0) == 2
        other_worker.rollback()
    finally:
        other_worker.close()
    assert InboundDelivery.objects.get(pk=held.pk).status == "received"
    assert deliveries_drain(channel.pk, helpers=0) == 1
