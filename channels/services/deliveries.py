"""Raw webhook deliveries: accepted durably, processed once, swept when left behind.

Invariants:
- the web request commits the raw bytes before answering 200; nothing else happens in it;
- a delivery is processed inside one transaction together with the items it produces, after
  locking its row with SKIP LOCKED: two workers handed the same delivery cannot both apply it;
- a delivery whose payload is not what the platform documents is kept, marked failed with the
  reason, and can be re-processed by an admin; nothing is lost;
- the sweeper re-enqueues deliveries still waiting after ``SWEEP_AFTER`` (broker down at accept
  time, worker killed mid-task), long before Redis's one-hour visibility timeout.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from channels.connectors import generic, meta
from channels.connectors.base import ItemEvent, PayloadError
from channels.connectors.registry import POLLING_CONNECTORS
from channels.models import Channel, InboundDelivery
from govsocial.queueing import enqueue_on_commit
from moderation.services.ingest import item_apply_event

logger = logging.getLogger(__name__)

SWEEP_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 1000
PARSERS: dict[str, Callable[[object], list[ItemEvent]]] = {
    InboundDelivery.Source.META: meta.parse,
    InboundDelivery.Source.GENERIC: generic.parse,
    **{connector.source: connector.parse for connector in POLLING_CONNECTORS.values()},
}


def delivery_accept(
    *, channel: Channel, source: str, body: bytes, headers: dict[str, str]
) -> tuple[InboundDelivery, str]:
    """Store the delivery (or count a repeat of the same bytes); enqueue it after commit.

    Returns the delivery and, when the body is malformed, the reason: such a body is kept (as a
    failed delivery, for diagnosis) but not processed, and the caller answers 400.
    """
    digest = hashlib.sha256(body).hexdigest()
    problem = _malformation(source, body)
    try:
        with transaction.atomic():
            delivery = InboundDelivery.objects.create(
                institution_id=channel.institution_id,
                channel=channel,
                source=source,
                body=body,
                body_sha256=digest,
                headers=headers,
                status=InboundDelivery.Status.FAILED
                if problem
                else InboundDelivery.Status.RECEIVED,
                error=problem,
            )
    except IntegrityError:
        InboundDelivery.objects.filter(channel=channel, body_sha256=digest).update(
            times_received=F("times_received") + 1
        )
        return InboundDelivery.objects.get(channel=channel, body_sha256=digest), problem
    if not problem:
        _enqueue(delivery.pk)
    return delivery, problem


def _malformation(source: str, body: bytes) -> str:
    try:
        PARSERS[source](_decode(body))
    except PayloadError as error:
        return str(error)
    return ""


def _enqueue(delivery_id: int) -> None:
    from channels.tasks import delivery_process_task

    enqueue_on_commit(delivery_process_task, delivery_id)


def delivery_process(delivery_id: int) -> bool:
    """Apply a waiting delivery; True when this call processed it."""
    with transaction.atomic():
        delivery = (
            InboundDelivery.objects.select_for_update(skip_locked=True)
            .select_related("channel__institution")
            .filter(pk=delivery_id, status=InboundDelivery.Status.RECEIVED)
            .first()
        )
        if delivery is None:
            return False
        delivery.attempts += 1
        try:
            with transaction.atomic():
                events = PARSERS[delivery.source](_decode(bytes(delivery.body)))
                for event in events:
                    item_apply_event(channel=delivery.channel, event=event)
        except PayloadError as error:
            _fail(delivery, str(error))
            return False
        except DatabaseError:
            raise  # transient: the row stays waiting and the sweeper retries it
        except Exception as error:  # a bug: park the delivery, visible to admins, reprocessable
            logger.exception("Delivery %s raised", delivery.pk)
            _fail(delivery, f"Internal error: {type(error).__name__}: {error}")
            return False
        delivery.status = InboundDelivery.Status.PROCESSED
        delivery.processed_at = timezone.now()
        delivery.error = ""
        delivery.save(update_fields=["status", "processed_at", "error", "attempts"])
        return True


def _decode(body: bytes) -> object:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise PayloadError("The body is not valid UTF-8.") from None
    except json.JSONDecodeError as error:
        raise PayloadError(f"The body is not valid JSON: {error.msg} at {error.pos}.") from None


def _fail(delivery: InboundDelivery, reason: str) -> None:
    delivery.status = InboundDelivery.Status.FAILED
    delivery.error = reason[:2000]
    delivery.save(update_fields=["status", "error", "attempts"])
    logger.warning("Delivery %s failed: %s", delivery.pk, reason)


def delivery_reprocess(*, delivery: InboundDelivery) -> None:
    """An admin sends a failed delivery through processing again (after a connector fix)."""
    InboundDelivery.objects.filter(pk=delivery.pk, status=InboundDelivery.Status.FAILED).update(
        status=InboundDelivery.Status.RECEIVED, error=""
    )
    _enqueue(delivery.pk)


def deliveries_sweep(now: datetime | None = None) -> int:
    """Enqueue deliveries waiting for more than ``SWEEP_AFTER``."""
    from channels.tasks import delivery_process_task

    cutoff = (now or timezone.now()) - SWEEP_AFTER
    waiting = list(
        InboundDelivery.objects.waiting_since(cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for delivery_id in waiting:
        delivery_process_task.delay(delivery_id)
    return len(waiting)
