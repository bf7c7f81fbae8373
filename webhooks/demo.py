"""Demo outgoing webhooks: per institution one subscription, inactive (nobody listens at its
address), with one delivery that failed, so the pages show what an admin will see.
Idempotent; the secret is the documented demo secret ``govsocial-demo-secret``."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Institution
from webhooks.models import Attempt, Delivery, Event, Subscription

DEMO_SECRET = "govsocial-demo-secret"  # noqa: S105 (the documented demo secret)
DEMO_URL = "https://hooks.example.org/govsocial"


@transaction.atomic
def seed_webhooks() -> int:
    created = 0
    for institution in Institution.objects.exclude(webhook_subscriptions__isnull=False):
        subscription = Subscription(
            institution=institution,
            url=DEMO_URL,
            events=list(Event.values),
            description="Ticketing system (demo: inactive)",
            is_active=False,
        )
        subscription.secret = DEMO_SECRET
        subscription.save()
        _failed_delivery(subscription)
        created += 1
    return created


def _failed_delivery(subscription: Subscription) -> None:
    at = timezone.now() - timedelta(days=2)
    event_id = uuid.uuid4()
    delivery = Delivery.objects.create(
        institution=subscription.institution,
        subscription=subscription,
        event_id=event_id,
        event=Event.CASE_CREATED,
        payload={
            "id": str(event_id),
            "type": Event.CASE_CREATED.value,
            "created_at": at.isoformat(),
            "institution": subscription.institution.slug,
            "data": {"case_id": 0, "reference": "DEMO", "status": "received"},
        },
        created_at=at,
        status=Delivery.Status.FAILED,
        attempts=1,
        retry_until=at,
        last_status_code=503,
    )
    Attempt.objects.create(
        institution=subscription.institution,
        delivery=delivery,
        started_at=at,
        duration_ms=120,
        status_code=503,
        response_excerpt="Service Unavailable",
    )
