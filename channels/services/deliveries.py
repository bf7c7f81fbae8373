"""Raw webhook deliveries: accepted durably, processed once, swept when left behind.

Invariants:
- the web request commits the raw bytes before answering 200; nothing else happens in it;
- a delivery is processed inside one transaction together with the items it produces, after
  locking its row with SKIP LOCKED: two workers handed the same delivery cannot both apply it;
- a delivery whose payload is not what the platform documents is kept, marked failed with the
  reason, and can be re-processed by an admin; nothing is lost;
- workers *drain* a channel: one task processes the channel's waiting deliveries oldest first,
  each in its own transaction, until none is left. The web request asks for a drain only when
  none is pending (a short-lived flag in the cache), so a burst of deliveries costs one Celery
  message, not one each (measured in bench/ingest.py: the publish was a third of the request);
- the flag is cleared when a drain *starts*, before it looks for work: a delivery committed
  while a drain is pending is found by that drain, and one committed after it started raises a
  new flag and a new drain. Nothing can be committed and forgotten;
- the sweeper asks for a drain of every channel with deliveries still waiting after
  ``SWEEP_AFTER`` (broker down at accept time, worker killed mid-task), long before Redis's
  one-hour visibility timeout.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from channels.connectors import generic, meta
from channels.connectors.base import ItemEvent, PayloadError
from channels.connectors.registry import POLLING_CONNECTORS
from channels.events import event_apply
from channels.models import Channel, InboundDelivery

logger = logging.getLogger(__name__)

SWEEP_AFTER = timedelta(minutes=2)
DRAIN_FLAG_SECONDS = 60  # a lost drain message (broker down) blocks new requests this long
DRAIN_BUDGET_SECONDS = 20.0  # then the drain hands over to a fresh task: fair to other channels
DRAIN_HELPERS = 1  # extra drains started on a large backlog, so every worker process helps
HELPER_BACKLOG = 200
DRAIN_BATCH = 50
Parser = Callable[[object, Channel], list[ItemEvent]]
"""(payload, channel) -> events: the channel tells a parser who the institution is there
(its page or account id), so that its own posts and messages are recognised."""


def _channel_blind(parse: Callable[[object], list[ItemEvent]]) -> Parser:
    """A parser whose payload says everything it needs (generic items, polled records)."""
    return lambda payload, _channel: parse(payload)


PARSERS: dict[str, Parser] = {
    InboundDelivery.Source.META: meta.parse,
    InboundDelivery.Source.GENERIC: _channel_blind(generic.parse),
    **{
        connector.source: _channel_blind(connector.parse)
        for connector in POLLING_CONNECTORS.values()
    },
}


def delivery_accept(
    *, channel: Channel, source: str, body: bytes, headers: dict[str, str]
) -> tuple[InboundDelivery, str]:
    """Store the delivery (or count a repeat of the same bytes); enqueue it after commit.

    Returns the delivery and, when the body is malformed, the reason: such a body is kept (as a
    failed delivery, for diagnosis) but not processed, and the caller answers 400.
    """
    digest = hashlib.sha256(body).hexdigest()
    problem = _malformation(source, body, channel)
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
        transaction.on_commit(lambda: drain_request(channel.pk), robust=True)
    return delivery, problem


def _malformation(source: str, body: bytes, channel: Channel) -> str:
    try:
        PARSERS[source](_decode(body), channel)
    except PayloadError as error:
        return str(error)
    return ""


def _drain_flag(channel_id: int) -> str:
    return f"deliveries:drain-pending:{channel_id}"


def drain_request(channel_id: int, *, force: bool = False) -> None:
    """Ask a worker to drain the channel, unless a drain is already pending (or ``force``)."""
    from channels.tasks import deliveries_drain_task

    if not force and not cache.add(_drain_flag(channel_id), 1, DRAIN_FLAG_SECONDS):
        return
    try:
        deliveries_drain_task.delay(channel_id)
    except Exception:  # the broker is down or slow: the sweeper will ask again
        logger.warning("Could not request a drain of channel %s; the sweeper will.", channel_id)


def deliveries_drain(channel_id: int, *, helpers: int = DRAIN_HELPERS) -> int:
    """Process the channel's waiting deliveries, oldest first; returns how many."""
    cache.delete(_drain_flag(channel_id))  # first: see the invariant in the module docstring
    if helpers and InboundDelivery.objects.waiting_for(channel_id)[:HELPER_BACKLOG].count() >= (
        HELPER_BACKLOG
    ):
        from channels.tasks import deliveries_drain_task

        for _ in range(helpers):
            deliveries_drain_task.delay(channel_id, helpers=0)
    processed = 0
    deadline = time.monotonic() + DRAIN_BUDGET_SECONDS
    while (outcome := deliveries_process_next(channel_id)) is not None:
        processed += outcome
        if time.monotonic() > deadline:
            drain_request(channel_id, force=True)
            break
    return processed


def delivery_process(delivery_id: int) -> bool:
    """Apply a waiting delivery; True when this call processed it."""
    with transaction.atomic():
        delivery = InboundDelivery.objects.claim(delivery_id).first()
        return delivery is not None and _apply(delivery)


def deliveries_process_next(channel_id: int) -> int | None:
    """Claim and apply the channel's oldest waiting deliveries (up to ``DRAIN_BATCH``) in one
    transaction, each in its own savepoint; returns how many succeeded, None when none waited.

    Batches, because a queue table scanned from its head pays for every row processed since the
    last vacuum: claiming one delivery at a time made a 10,000-delivery backlog quadratic.
    """
    with transaction.atomic():
        batch = list(InboundDelivery.objects.claim_next(channel_id, DRAIN_BATCH))
        return sum(_apply(delivery) for delivery in batch) if batch else None


def _apply(delivery: InboundDelivery) -> bool:
    """Apply a claimed delivery inside the caller's transaction; True when it succeeded."""
    delivery.attempts += 1
    try:
        with transaction.atomic():
            events = PARSERS[delivery.source](_decode(bytes(delivery.body)), delivery.channel)
            for event in events:
                event_apply(channel=delivery.channel, event=event)
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
    transaction.on_commit(lambda: drain_request(delivery.channel_id, force=True), robust=True)


def deliveries_sweep(now: datetime | None = None) -> int:
    """Ask for a drain of every channel with deliveries waiting longer than ``SWEEP_AFTER``."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    channel_ids = list(InboundDelivery.objects.waiting_since(cutoff).channel_ids())
    for channel_id in channel_ids:
        drain_request(channel_id, force=True)
    return len(channel_ids)
