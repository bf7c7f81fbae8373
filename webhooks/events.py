"""``emit``: the one call a feature makes when something an integration may want to hear happens.

Called inside the transaction of the change, at the one place the change happens (the feature's
service), with plain data: the institution's id, the event name and a JSON-ready ``data`` dict
(ids, references, statuses, never personal data of complainants: docs/webhooks.md). It costs
nothing when nobody listens: the institution's subscriptions per event are cached under a
generation bumped by every subscription change (``govsocial.generations``), so the common case
is two cache reads and no query. When someone listens, it writes the deliveries in **one**
INSERT (the outbox, committed or rolled back with the change) and enqueues their sending once
the transaction commits; the sweeper picks up any the broker missed.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from govsocial.generations import generation, generations_bump
from govsocial.queueing import enqueue_on_commit
from webhooks.models import Delivery, Event, Subscription

RETRY_FOR = timedelta(hours=24)
CACHE_SECONDS = 300
"""Bounds how long a change stays unseen by a process that missed its generation bump (Redis
down: ``govsocial.cache`` falls back to a per-process cache)."""


def emit(institution_id: int, event: Event, data: dict[str, Any]) -> None:
    listening = subscribed(institution_id).get(event)
    if not listening:
        return
    now = timezone.now()
    event_id = uuid.uuid4()
    payload = {
        "id": str(event_id),
        "type": str(event),
        "created_at": now.isoformat(),
        "institution": listening["institution"],
        "data": data,
    }
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            institution_id=institution_id,
            subscription_id=subscription_id,
            event_id=event_id,
            event=event,
            payload=payload,
            created_at=now,
            next_attempt_at=now,
            retry_until=now + RETRY_FOR,
        )
        for subscription_id in listening["subscriptions"]
    )
    from webhooks.tasks import webhook_deliver_task

    for delivery in deliveries:
        enqueue_on_commit(webhook_deliver_task, delivery.pk)


def listens(institution_id: int, event: Event) -> bool:
    """Whether an active subscription of the institution listens for ``event`` (cached)."""
    return bool(subscribed(institution_id).get(event))


def subscribed(institution_id: int) -> dict[str, dict[str, Any]]:
    """Per event: the institution's slug and its active subscriptions' ids."""
    key = f"webhooks:subscribed:{institution_id}:{generation(generation_key(institution_id))}"
    found: dict[str, dict[str, Any]] | None = cache.get(key)
    if found is None:
        found = {}
        rows = Subscription.objects.filter(institution_id=institution_id, is_active=True)
        for pk, events, slug in rows.values_list("pk", "events", "institution__slug"):
            for event in events:
                entry = found.setdefault(event, {"institution": slug, "subscriptions": []})
                entry["subscriptions"].append(pk)
        cache.set(key, found, CACHE_SECONDS)
    return found


def generation_key(institution_id: int) -> str:
    return f"webhooks:generation:{institution_id}"


def subscriptions_changed(institution_id: int) -> None:
    generations_bump([generation_key(institution_id)])
