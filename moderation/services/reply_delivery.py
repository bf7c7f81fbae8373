"""Getting a recorded reply onto the platform.

A reply decision gets one ``ReplyDelivery``: *queued* when the channel's platform has a reply
connector and the channel is configured for it, else *to post* (the moderator copies the text,
opens the original, posts it and says so). A queued delivery is sent by a Celery task after
commit; a sweeper re-enqueues what is due, so a broker outage or a lost task only delays it.

Sending holds the delivery's row lock (``SKIP LOCKED``: a second worker moves on) and passes
the platform an idempotency key fixed per delivery, so a retry after a crash mid-request never
publishes twice. Temporary failures retry with a growing pause; a final refusal, or
``MAX_ATTEMPTS`` failures, leaves the reply "to post" with the platform's answer for admins.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from channels.connectors.polling import ConnectorError, RateLimited
from channels.connectors.registry import REPLY_CONNECTORS
from channels.connectors.replies import ReplyRejected
from channels.models import Channel
from govsocial.queueing import enqueue_on_commit
from moderation.models import Decision, ItemKind, ReplyDelivery

MAX_ATTEMPTS = 6
FIRST_PAUSE = timedelta(minutes=1)
State = ReplyDelivery.State


class DeliveryRefused(ValueError):
    """Shown to the moderator."""


def can_send(channel: Channel) -> bool:
    connector = REPLY_CONNECTORS.get(channel.platform)
    return connector is not None and channel.is_active and connector.configured(channel)


def delivery_create(decision: Decision) -> ReplyDelivery:
    """Called in the reply decision's transaction."""
    queued = can_send(decision.item.channel)
    delivery = ReplyDelivery.objects.create(
        institution_id=decision.institution_id,
        decision=decision,
        state=State.QUEUED if queued else State.TO_POST,
        next_attempt_at=timezone.now() if queued else None,
    )
    if queued:
        _enqueue(delivery.pk)
    return delivery


def reply_deliver(delivery_id: int) -> str:
    """Send one queued reply if it is due; returns the state it is left in."""
    with transaction.atomic():
        delivery = (
            ReplyDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("decision__item__channel")
            .filter(pk=delivery_id, state=State.QUEUED, next_attempt_at__lte=timezone.now())
            .first()
        )
        if delivery is None:
            return "skipped"
        _attempt(delivery)
        delivery.save()
    return delivery.state


def _attempt(delivery: ReplyDelivery) -> None:
    item = delivery.decision.item
    connector = REPLY_CONNECTORS.get(item.channel.platform)
    now = timezone.now()
    delivery.attempts += 1
    if connector is None or not connector.configured(item.channel):
        _fail(delivery, "The channel can no longer send replies through the platform.", now)
        return
    try:
        sent = connector.reply(
            item.channel,
            in_reply_to=item.external_id,
            text=reply_text_for_platform(delivery.decision),
            direct=item.kind == ItemKind.DIRECT_MESSAGE,
            key=f"govsocial-reply-{delivery.pk}",
        )
    except ReplyRejected as error:
        _fail(delivery, str(error), now)
    except RateLimited as limited:
        _retry(delivery, str(limited), now, not_before=limited.retry_at)
    except ConnectorError as error:
        _retry(delivery, str(error), now)
    else:
        delivery.state = State.SENT
        delivery.sent_at = now
        delivery.platform_id = sent.platform_id
        delivery.platform_url = sent.url
        delivery.next_attempt_at = None
        delivery.last_error = ""


def reply_text_for_platform(decision: Decision) -> str:
    """Mastodon notifies only the accounts a status names: start with the author's handle."""
    handle = decision.item.author_handle
    text = decision.reply_text
    if handle and handle.startswith("@") and handle.lower() not in text.lower():
        return f"{handle} {text}"
    return text


def _retry(
    delivery: ReplyDelivery, error: str, now: datetime, not_before: datetime | None = None
) -> None:
    if delivery.attempts >= MAX_ATTEMPTS:
        _fail(delivery, error, now)
        return
    pause = FIRST_PAUSE * 2 ** (delivery.attempts - 1)
    delivery.last_error = error[:2000]
    delivery.next_attempt_at = max(now + pause, not_before) if not_before else now + pause


def _fail(delivery: ReplyDelivery, error: str, now: datetime) -> None:
    delivery.state = State.FAILED
    delivery.failed_at = now
    delivery.next_attempt_at = None
    delivery.last_error = error[:2000]


def replies_sweep() -> int:
    """Every minute: enqueue the queued deliveries whose next attempt is due."""
    due = list(
        ReplyDelivery.objects.filter(
            state=State.QUEUED, next_attempt_at__lte=timezone.now()
        ).values_list("pk", flat=True)[:500]
    )
    for delivery_id in due:
        _enqueue(delivery_id)
    return len(due)


def delivery_mark_posted(*, delivery: ReplyDelivery, actor: User) -> ReplyDelivery:
    """The moderator posted the reply by hand on the platform."""
    changed = ReplyDelivery.objects.filter(
        pk=delivery.pk, state__in=(State.TO_POST, State.FAILED)
    ).update(state=State.POSTED, posted_by=actor, posted_at=timezone.now(), next_attempt_at=None)
    if not changed:
        raise DeliveryRefused(_("This reply does not wait to be posted by hand."))
    return ReplyDelivery.objects.get(pk=delivery.pk)


def _enqueue(delivery_id: int) -> None:
    from moderation.tasks import reply_deliver_task

    enqueue_on_commit(reply_deliver_task, delivery_id)
