"""Outgoing webhooks end to end: emitted in the service's transaction, delivered over real HTTP
to a receiver that checks the signature with its own code, retried, given up, redelivered."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from accounts.models import Institution, User
from complaints.services.cases import case_start
from complaints.tests.factories import register
from webhooks.events import emit
from webhooks.models import Delivery, Event, Subscription
from webhooks.services import (
    deliveries_due,
    delivery_attempt,
    delivery_redeliver,
    subscription_save,
)
from webhooks.tests.receiver import Receiver, receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def listener(settings) -> Iterator[Receiver]:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True  # the receiver listens on 127.0.0.1
    with receiver() as running:
        yield running


def subscribe(institution: Institution, actor: User, url: str, *events: Event) -> Subscription:
    return subscription_save(
        subscription=Subscription(institution=institution),
        actor=actor,
        url=url,
        events=list(events or Event.values),
        description="",
        is_active=True,
    )


def verified(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The receiver's own check, as a newcomer would write it from docs/webhooks.md."""
    timestamp = headers["X-GovSocial-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, "sha256").hexdigest()
    given = headers["X-GovSocial-Signature"].removeprefix("sha256=")
    fresh = abs(time.time() - int(timestamp)) <= 300
    return fresh and hmac.compare_digest(expected, given)


def test_a_case_event_reaches_the_receiver_signed_and_without_personal_data(
    listener: Receiver, defence, defence_admin
) -> None:
    subscription = subscribe(defence, defence_admin, listener.url, Event.CASE_CREATED)
    case = register(defence)  # complainant Anne Dupont, anne@example.be
    delivery = Delivery.objects.get(subscription=subscription)

    attempt = delivery_attempt(delivery.pk)

    assert attempt is not None
    assert attempt.status_code == 200
    [request] = listener.requests
    assert request.path == "/hooks/govsocial?source=test"
    assert verified(subscription.secret, request.headers, request.body)
    assert not verified("another-secret", request.headers, request.body)
    assert hashlib.sha256(request.body).hexdigest()  # raw bytes, verified before parsing
    payload = json.loads(request.body)
    assert payload["type"] == "case.created"
    assert payload["id"] == request.headers["X-GovSocial-Event-Id"] == str(delivery.event_id)
    assert payload["institution"] == "defence"
    assert payload["data"]["reference"] == case.reference
    assert payload["data"]["status"] == case.status
    for personal in (b"Anne", b"Dupont", b"anne@example.be", b"0470", b"Attente", b"Deux heures"):
        assert personal not in request.body
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.last_status_code == 200
    assert attempt.response_excerpt == "ok"


def test_a_status_change_is_emitted_with_the_previous_status(
    listener: Receiver, defence, defence_admin, defence_officer
) -> None:
    subscription = subscribe(defence, defence_admin, listener.url, Event.CASE_STATUS_CHANGED)
    case = register(defence)
    case_start(case=case, actor=defence_officer)
    [delivery] = Delivery.objects.filter(subscription=subscription)
    assert delivery.payload["data"]["previous_status"] != "in_progress"
    assert delivery.payload["data"]["status"] == "in_progress"


def test_an_event_nobody_listens_to_costs_no_query(
    defence, defence_admin, django_assert_num_queries
) -> None:
    subscribe(defence, defence_admin, "https://hooks.example.org/x", Event.CASE_CREATED)
    emit(defence.pk, Event.ITEM_RECEIVED, {"item_id": 1})  # fills the cache
    with django_assert_num_queries(0):
        emit(defence.pk, Event.ITEM_RECEIVED, {"item_id": 2})
    with django_assert_num_queries(1):  # the outbox row: one INSERT
        emit(defence.pk, Event.CASE_CREATED, {"case_id": 2})
    assert Delivery.objects.count() == 1


def test_a_subscription_change_is_seen_at_once(defence, defence_admin) -> None:
    subscription = subscribe(defence, defence_admin, "https://hooks.example.org/x")
    emit(defence.pk, Event.ITEM_RECEIVED, {"item_id": 1})
    subscription_save(
        subscription=subscription,
        actor=defence_admin,
        url=subscription.url,
        events=subscription.events,
        description="",
        is_active=False,
    )
    emit(defence.pk, Event.ITEM_RECEIVED, {"item_id": 2})
    assert Delivery.objects.count() == 1
    assert subscription.history.first().history_user == defence_admin


def test_failures_are_retried_with_growing_waits_for_24_hours_then_failed(
    listener: Receiver, defence, defence_admin
) -> None:
    subscription = subscribe(defence, defence_admin, listener.url, Event.CASE_CREATED)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        register(defence)
        delivery = Delivery.objects.get(subscription=subscription)
        waits = []
        while True:
            listener.answers.append((503, {}, b"maintenance"))
            assert deliveries_due() == [delivery.pk]
            assert delivery_attempt(delivery.pk) is not None
            delivery.refresh_from_db()
            if delivery.status == Delivery.Status.FAILED:
                break
            assert delivery_attempt(delivery.pk) is None  # not due yet
            waits.append(delivery.next_attempt_at - timezone.now())
            clock.move_to(delivery.next_attempt_at)
        assert timezone.now() == start + timedelta(hours=24)  # the last attempt, at 24 h
    minutes = [round(wait.total_seconds() / 60) for wait in waits]
    assert minutes[:8] == [1, 2, 4, 8, 16, 32, 64, 120]
    assert max(minutes) == 120
    assert delivery.attempts == len(listener.requests) == len(waits) + 1
    assert delivery.last_status_code == 503
    assert {r.headers["X-GovSocial-Event-Id"] for r in listener.requests} == {
        str(delivery.event_id)
    }
    assert delivery.attempt_set.first().response_excerpt == "maintenance"


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    listener: Receiver, defence, defence_admin
) -> None:
    subscribe(defence, defence_admin, listener.url, Event.CASE_CREATED)
    register(defence)
    listener.answers.append((302, {"Location": "http://169.254.169.254/latest"}, b""))
    attempt = delivery_attempt(Delivery.objects.get().pk)
    assert attempt is not None
    assert attempt.status_code == 302
    assert not attempt.succeeded
    assert len(listener.requests) == 1
    assert Delivery.objects.get().status == Delivery.Status.PENDING


def test_a_failed_delivery_redelivered_by_hand_is_recorded_with_who_asked(
    listener: Receiver, defence, defence_admin
) -> None:
    subscription = subscribe(defence, defence_admin, listener.url, Event.CASE_CREATED)
    register(defence)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED, next_attempt_at=None, attempts=12
    )

    delivery_redeliver(delivery=delivery, actor=defence_admin)
    attempt = delivery_attempt(delivery.pk)

    assert attempt is not None
    assert attempt.requested_by == defence_admin
    assert verified(subscription.secret, listener.requests[0].headers, listener.requests[0].body)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 13
    assert delivery.redeliver_by is None


def test_a_redelivery_that_fails_is_failed_again_without_more_retries(
    listener: Receiver, defence, defence_admin
) -> None:
    subscribe(defence, defence_admin, listener.url, Event.CASE_CREATED)
    register(defence)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED)
    delivery_redeliver(delivery=delivery, actor=defence_admin)
    listener.answers.append((500, {}, b"still broken"))
    delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert deliveries_due() == []


def test_a_killed_worker_leaves_the_delivery_for_the_sweeper_after_the_lease(
    listener: Receiver, defence, defence_admin
) -> None:
    subscribe(defence, defence_admin, listener.url, Event.CASE_CREATED)
    register(defence)
    delivery = Delivery.objects.get()
    # A worker claimed it (the lease) and died before recording anything.
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=2)
    )
    assert deliveries_due() == []
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        assert deliveries_due() == [delivery.pk]


def test_a_subscription_deactivated_after_the_event_sends_nothing_more(
    listener: Receiver, defence, defence_admin
) -> None:
    subscription = subscribe(defence, defence_admin, listener.url, Event.CASE_CREATED)
    register(defence)
    subscription_save(
        subscription=subscription,
        actor=defence_admin,
        url=subscription.url,
        events=subscription.events,
        description="",
        is_active=False,
    )
    attempt = delivery_attempt(Delivery.objects.get().pk)
    assert attempt is not None
    assert "inactive" in attempt.error
    assert listener.requests == []
    assert Delivery.objects.get().status == Delivery.Status.FAILED
    assert deliveries_due() == []


def test_a_receiver_that_is_down_is_a_failure_to_retry(settings, defence, defence_admin) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    with receiver() as stopped:
        url = stopped.url
    subscribe(defence, defence_admin, url, Event.CASE_CREATED)  # nothing listens there now
    register(defence)
    attempt = delivery_attempt(Delivery.objects.get().pk)
    assert attempt is not None
    assert attempt.status_code is None
    assert "NewConnectionError" in attempt.error
    assert Delivery.objects.get().status == Delivery.Status.PENDING
