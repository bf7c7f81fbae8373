"""Real database faults and races (two connections), no mocks: never a 200 without a row."""

from __future__ import annotations

import threading

import psycopg2
import pytest
from django.db import connection
from django.test import Client

from channels.connectors.base import ItemEvent, Verb
from channels.models import InboundDelivery
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
