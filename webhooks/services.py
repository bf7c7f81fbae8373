"""Every write of outgoing webhooks: subscriptions, delivery attempts, redeliveries.

Invariants: a subscription change bumps the institution's subscription generation (so ``emit``
sees it at once) and is recorded in the subscription's history (who, when; never the secret);
a delivery is attempted by one worker at a time (a claim moves ``next_attempt_at`` a lease
ahead, so a killed worker's delivery comes back after the lease); every attempt is an
``Attempt`` row; automatic retries back off exponentially until ``retry_until`` (24 hours after
the event), then the delivery is failed. A redelivery by hand is one more attempt, recorded with
the person who asked.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from govsocial.addresses import public_addresses
from govsocial.queueing import enqueue_on_commit
from webhooks.events import subscriptions_changed
from webhooks.models import Attempt, Delivery, Subscription
from webhooks.sending import Answer, send

LEASE = timedelta(minutes=2)
"""Longer than an attempt can take (connect and read timeouts)."""
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=2)
SWEEP_BATCH = 500


def secret_new() -> str:
    return secrets.token_urlsafe(32)


def subscription_save(
    *,
    subscription: Subscription,
    actor: User,
    url: str,
    events: Collection[str],
    description: str,
    is_active: bool,
) -> Subscription:
    """Create (with a new secret) or change a subscription; the form checked the address."""
    with transaction.atomic():
        subscription.url = url
        subscription.events = sorted(events)
        subscription.description = description
        subscription.is_active = is_active
        if subscription.pk is None:
            subscription.secret = secret_new()
            subscription.created_by = actor
        subscription._history_user = actor  # type: ignore[attr-defined]
        subscription.full_clean()
        subscription.save()
        subscriptions_changed(subscription.institution_id)
    return subscription


def subscription_rotate_secret(*, subscription: Subscription, actor: User) -> Subscription:
    """A new secret; the old one stops signing at once (deliveries sign when they are sent)."""
    with transaction.atomic():
        subscription.secret = secret_new()
        subscription._history_user = actor  # type: ignore[attr-defined]
        subscription._change_reason = "secret rotated"  # type: ignore[attr-defined]
        subscription.save(update_fields=["secret_encrypted"])
    return subscription


def subscription_delete(*, subscription: Subscription, actor: User) -> None:
    """Delete a subscription with its deliveries (the history keeps who deleted it)."""
    with transaction.atomic():
        subscription._history_user = actor  # type: ignore[attr-defined]
        institution_id = subscription.institution_id
        subscription.delete()
        subscriptions_changed(institution_id)


def address_check(url: str) -> None:
    """``AddressRefused`` unless the URL's host resolves to public addresses only."""
    public_addresses(url, allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS)


def delivery_redeliver(*, delivery: Delivery, actor: User) -> Delivery:
    """Send the delivery once more, now (same event id, fresh timestamp and signature). A failed
    delivery gets this one attempt; a pending one keeps its own retries."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        now = timezone.now()
        if delivery.status != Delivery.Status.PENDING:
            delivery.retry_until = now
        delivery.status = Delivery.Status.PENDING
        delivery.next_attempt_at = now
        delivery.redeliver_by = actor
        delivery.save(update_fields=["status", "next_attempt_at", "retry_until", "redeliver_by"])
        from webhooks.tasks import webhook_deliver_task

        enqueue_on_commit(webhook_deliver_task, delivery.pk)
    return delivery


def delivery_attempt(delivery_id: int, now: datetime | None = None) -> Attempt | None:
    """Claim the delivery if it is due, send it, record the answer; None when not due (already
    delivered, failed, or claimed by another worker)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return None
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=now + LEASE)
    subscription = delivery.subscription
    if not subscription.is_active:  # deactivated since the event: nothing more is sent
        answer = Answer(None, "", _("The subscription is inactive: not sent."), 0)
        return _record(delivery, answer, started=now, give_up=True)
    answer = send(subscription.url, subscription.secret, delivery.payload, delivery.pk)
    return _record(delivery, answer, started=now)


def _record(
    delivery: Delivery, answer: Answer, *, started: datetime, give_up: bool = False
) -> Attempt:
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery.pk)
        finished = started + timedelta(milliseconds=answer.duration_ms)
        attempt = Attempt.objects.create(
            institution_id=delivery.institution_id,
            delivery=delivery,
            started_at=started,
            duration_ms=answer.duration_ms,
            status_code=answer.status_code,
            response_excerpt=answer.excerpt,
            error=answer.error,
            requested_by=delivery.redeliver_by,
        )
        delivery.attempts += 1
        delivery.last_status_code = answer.status_code
        delivery.last_error = answer.error
        delivery.redeliver_by = None
        if answer.succeeded:
            delivery.status = Delivery.Status.DELIVERED
            delivery.delivered_at = finished
            delivery.next_attempt_at = None
        elif give_up or finished >= delivery.retry_until:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
        else:
            wait = min(FIRST_RETRY * 2 ** (delivery.attempts - 1), LONGEST_WAIT)
            delivery.next_attempt_at = min(finished + wait, delivery.retry_until)
        delivery.save()
    return attempt


def deliveries_due(now: datetime | None = None) -> list[int]:
    """The ids of deliveries whose attempt has come (the sweeper enqueues them): retries, and
    deliveries the broker lost or a killed worker left behind."""
    due = Delivery.objects.due(now or timezone.now()).order_by("next_attempt_at")
    return list(due.values_list("pk", flat=True)[:SWEEP_BATCH])
