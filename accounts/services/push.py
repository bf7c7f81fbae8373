"""Web Push: urgent notices reach the phone of the person on duty (docs/coverage.md).

Invariants:
- only notices of ``settings.WEBPUSH_KINDS`` about an institution push, and only to a
  recipient who is on duty there when the fan-out runs (``settings.ON_DUTY_RESOLVER``) and
  outside their quiet hours; the inbox and the e-mail are unchanged (the fallback);
- nothing is sent inside a request or the deadline check: ``notification_send`` and
  ``notifications_insert`` enqueue the fan-out after commit, the fan-out writes one
  ``PushDelivery`` per (notice, device) (unique: a re-run pushes nothing twice) and each is sent
  by its own task;
- a message is encrypted for its device (RFC 8291, aes128gcm) and signed with the server's
  VAPID key (RFC 8292) by pywebpush; the push service answering 404 or 410 means the device
  unsubscribed: its subscription is deleted (the delivery stays, marked gone); 429, 5xx and
  network errors are retried with backoff, other refusals are final;
- GovSocial only posts to the browsers' push services (``WEBPUSH_SERVICE_HOSTS``): an endpoint
  is a URL typed by a browser, so any other server is refused at subscription.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any, TypeGuard
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from pywebpush import WebPushException, webpush

from accounts.models import Institution, Notification, PushDelivery, PushSubscription, User
from accounts.vapid import VapidKeyMissing, vapid_key
from govsocial.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

SEND_TIMEOUT = 10  # seconds; a row lock is held meanwhile (see push_deliver)
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH = 500
BODY_LIMIT = 600  # characters of a notice's body in the message (the encrypted payload is
# limited to 4 KiB by push services; the notice itself is one tap away)


class PushRefused(ValueError):
    """A subscription that cannot be accepted; the message says why, for the person."""


class Outcome(StrEnum):
    SENT = "sent"
    GONE = "gone"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class DeviceKeys:
    endpoint: str
    p256dh: str
    auth: str


def device_keys_parse(data: Any) -> DeviceKeys:
    """The browser's ``PushSubscription.toJSON()``: ``{endpoint, keys: {p256dh, auth}}``,
    checked: a P-256 public point (65 bytes) and a 16-byte authentication secret."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise PushRefused(_("The browser sent no subscription."))
    endpoint, keys = data.get("endpoint"), data["keys"]
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not (_text(endpoint) and _text(p256dh) and _text(auth)):
        raise PushRefused(_("The browser sent an incomplete subscription."))
    if len(_b64(p256dh)) != 65 or len(_b64(auth)) != 16:
        raise PushRefused(_("The browser sent keys GovSocial cannot use."))
    endpoint_check(endpoint)
    return DeviceKeys(endpoint=endpoint, p256dh=p256dh, auth=auth)


def _text(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value)


def _b64(value: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return b""


def endpoint_check(endpoint: str) -> None:
    """Refuse an endpoint outside the known push services (see the module's docstring)."""
    if len(endpoint) > 1000:
        raise PushRefused(_("The push service address is too long."))
    if any(endpoint.startswith(prefix) for prefix in settings.WEBPUSH_EXTRA_ENDPOINTS):
        return
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    known = any(
        host == suffix or host.endswith(f".{suffix}") for suffix in settings.WEBPUSH_SERVICE_HOSTS
    )
    if parts.scheme != "https" or not known or parts.username or parts.port not in (None, 443):
        raise PushRefused(
            _("This browser's push service (%(host)s) is not one GovSocial sends to.")
            % {"host": host or "?"}
        )


@transaction.atomic
def push_subscribe(*, user: User, keys: DeviceKeys, label: str = "") -> PushSubscription:
    """Record (or refresh) a device; an endpoint belongs to one person, so a browser shared by
    two people follows whoever subscribed last."""
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=keys.endpoint,
        defaults={"user": user, "p256dh": keys.p256dh, "auth": keys.auth, "label": label[:200]},
    )
    return subscription


def push_unsubscribe(*, user: User, endpoint: str) -> bool:
    """The browser gave its subscription up (the page's "turn off" or the person's settings)."""
    deleted, _per_model = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted > 0


def push_device_remove(*, user: User, subscription: PushSubscription) -> None:
    if subscription.user_id != user.pk:
        raise PermissionError("A device can only be removed by its owner.")
    subscription.delete()


@transaction.atomic
def push_test(*, user: User) -> int:
    """Queue a test message to each of the person's devices (whatever their duty: they asked)."""
    deliveries = PushDelivery.objects.bulk_create(
        PushDelivery(subscription=subscription)
        for subscription in PushSubscription.objects.filter(user=user)
    )
    from accounts.tasks import push_deliver_task

    for delivery in deliveries:
        enqueue_on_commit(push_deliver_task, delivery.pk)
    return len(deliveries)


def quiet_hours_set(*, user: User, start: time | None, end: time | None) -> None:
    user.push_quiet_start, user.push_quiet_end = start, end
    user.full_clean()
    user.save(update_fields=["push_quiet_start", "push_quiet_end"])


def in_quiet_hours(start: time | None, end: time | None, moment: time) -> bool:
    """Whether the local ``moment`` falls in the daily window [start, end), which may span
    midnight (22:00 to 07:00); no window, or an empty one, is never quiet."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def push_queue(notification_ids: Iterable[int]) -> None:
    """Called by the notification services for new notices of a pushed kind."""
    ids = sorted(set(notification_ids))
    if ids:
        from accounts.tasks import push_fanout_task

        enqueue_on_commit(push_fanout_task, ids)


def push_fanout(notification_ids: list[int], now: datetime | None = None) -> int:
    """Write the deliveries of these notices to the devices of recipients on duty and outside
    their quiet hours, enqueue them after commit; returns how many were written."""
    now = now or timezone.now()
    notices = list(
        Notification.objects.filter(
            pk__in=notification_ids,
            kind__in=settings.WEBPUSH_KINDS,
            institution__isnull=False,
            recipient__is_active=True,
        ).values_list("pk", "recipient_id", "institution_id")
    )
    devices: dict[int, list[int]] = {}
    for pk, user_id in PushSubscription.objects.filter(
        user_id__in={recipient for _pk, recipient, _inst in notices}
    ).values_list("pk", "user_id"):
        devices.setdefault(user_id, []).append(pk)
    notices = [notice for notice in notices if notice[1] in devices]
    if not notices:
        return 0
    reachable = _reachable({(inst, user) for _pk, user, inst in notices}, now)
    rows = [
        PushDelivery(notification_id=pk, subscription_id=device, created_at=now)
        for pk, user, inst in notices
        if (inst, user) in reachable
        for device in devices[user]
    ]
    with transaction.atomic():
        PushDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        fresh = PushDelivery.objects.filter(
            notification_id__in={row.notification_id for row in rows},
            status=PushDelivery.Status.PENDING,
            attempts=0,
        ).values_list("pk", flat=True)
        from accounts.tasks import push_deliver_task

        for delivery_id in fresh:
            enqueue_on_commit(push_deliver_task, delivery_id)
    return len(rows)


def _reachable(pairs: set[tuple[int, int]], now: datetime) -> set[tuple[int, int]]:
    """Of these (institution id, user id) pairs, those on duty and outside quiet hours now."""
    resolver = import_string(settings.ON_DUTY_RESOLVER)
    on_duty = resolver({inst for inst, _user in pairs}, now)
    zones = {
        inst.pk: inst.zone for inst in Institution.objects.filter(pk__in={i for i, _u in pairs})
    }
    quiet = {
        pk: (start, end)
        for pk, start, end in User.objects.filter(pk__in={u for _i, u in pairs}).values_list(
            "pk", "push_quiet_start", "push_quiet_end"
        )
    }
    return {
        (inst, user)
        for inst, user in pairs
        if user in on_duty.get(inst, set())
        and not in_quiet_hours(*quiet[user], timezone.localtime(now, zones[inst]).time())
    }


def push_deliver(delivery_id: int) -> Outcome:
    """Send one pending delivery. The row is locked (SKIP LOCKED) while sending, so two workers
    handed the same id cannot both send it."""
    with transaction.atomic():
        delivery = (
            PushDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription__user", "notification__institution")
            .filter(pk=delivery_id, status=PushDelivery.Status.PENDING)
            .first()
        )
        if delivery is None or delivery.subscription is None:
            return Outcome.SKIPPED
        try:
            key = vapid_key()
        except VapidKeyMissing:
            return _failed(delivery, "No VAPID key: push is not configured.", final=True)
        return _send(delivery, delivery.subscription, key)


def _send(delivery: PushDelivery, subscription: PushSubscription, key: Any) -> Outcome:
    try:
        webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps(payload(delivery, subscription.user)),
            vapid_private_key=key,
            vapid_claims={"sub": settings.WEBPUSH_SUBJECT},
            ttl=settings.WEBPUSH_TTL,
            headers={"Urgency": "high"},
            timeout=SEND_TIMEOUT,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            return _gone(delivery, subscription, status)
        retry = status is None or status in (408, 429) or status >= 500
        return _failed(delivery, f"{status}: {error.message}"[:2000], final=not retry)
    except requests.RequestException as error:
        return _failed(delivery, f"{type(error).__name__}: {error}"[:2000], final=False)
    now = timezone.now()
    delivery.status, delivery.sent_at = PushDelivery.Status.SENT, now
    delivery.attempts += 1
    delivery.save(update_fields=["status", "sent_at", "attempts"])
    PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=now)
    return Outcome.SENT


def _gone(delivery: PushDelivery, subscription: PushSubscription, status: int) -> Outcome:
    """The device unsubscribed or expired: forget it (the delivery keeps the record)."""
    logger.info("Push subscription %s gone (%s): removed.", subscription.pk, status)
    delivery.status, delivery.last_error = PushDelivery.Status.GONE, str(status)
    delivery.attempts += 1
    delivery.save(update_fields=["status", "last_error", "attempts"])
    subscription.delete()
    return Outcome.GONE


def _failed(delivery: PushDelivery, error: str, *, final: bool) -> Outcome:
    delivery.attempts += 1
    delivery.last_error = error
    final = final or delivery.attempts >= PushDelivery.MAX_ATTEMPTS
    if final:
        delivery.status = PushDelivery.Status.FAILED
    delivery.save(update_fields=["attempts", "last_error", "status"])
    logger.warning(
        "Push delivery %s not sent (attempt %s): %s", delivery.pk, delivery.attempts, error
    )
    return Outcome.FAILED if final else Outcome.RETRY


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: 30 s, 60 s, 120 s, 240 s (urgent notices go stale)."""
    return 30 * 2 ** max(attempts - 1, 0)


def payload(delivery: PushDelivery, user: User) -> dict[str, str]:
    """What the service worker shows, in the recipient's language: the notice's own texts were
    rendered in it when created; the institution's name and a test message are rendered now."""
    with translation.override(user.preferred_language):
        notice = delivery.notification
        if notice is None:
            return {
                "title": _("GovSocial test notification"),
                "body": _("Notifications reach this device. You can close this message."),
                "url": _absolute("/"),
                "tag": f"test-{delivery.pk}",
                "lang": user.preferred_language,
            }
        title = notice.subject
        if notice.institution is not None:
            title = f"{notice.institution.name}: {title}"
        return {
            "title": title[:200],
            "body": notice.body[:BODY_LIMIT],
            "url": _absolute(notice.url or "/"),
            "tag": str(notice.public_id),
            "lang": user.preferred_language,
        }


def _absolute(url: str) -> str:
    return url if url.startswith("http") else f"{settings.SITE_URL}{url}"


def push_deliveries_sweep(now: datetime | None = None) -> int:
    """Re-enqueue deliveries still pending after ``SWEEP_GRACE`` (the broker was down at commit,
    a worker died) while they are worth sending (younger than ``WEBPUSH_TTL``); returns how
    many. A delivery also waiting for its own retry may be tried a little earlier: the row lock
    and the status make a second send impossible."""
    now = now or timezone.now()
    due = list(
        PushDelivery.objects.filter(
            status=PushDelivery.Status.PENDING,
            created_at__lt=now - SWEEP_GRACE,
            created_at__gte=now - timedelta(seconds=settings.WEBPUSH_TTL),
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    from accounts.tasks import push_deliver_task

    for delivery_id in due:
        push_deliver_task.delay(delivery_id)
    return len(due)


def push_deliveries_purge(now: datetime | None = None) -> int:
    """Delete delivery records older than ``EMAIL_RETENTION_DAYS`` (the outbox's rule)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EMAIL_RETENTION_DAYS)
    deleted, _per_model = PushDelivery.objects.filter(created_at__lt=cutoff).delete()
    return deleted
