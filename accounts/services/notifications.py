"""In-app notifications and the e-mail outbox.

Invariants:
- a notification is rendered in its recipient's language at creation, and e-mailed in it too;
- ``dedupe_key`` makes "notify once" a database fact (unique per recipient): a producer that
  runs twice, or in two workers, creates one notification and one e-mail;
- e-mails are outbox rows written in the caller's transaction and delivered by a Celery task
  after commit; the sweeper retries what is still pending, so a broker outage delays mail but
  never loses it. Delivery is at-least-once (see OutgoingEmail);
- a notification or e-mail carrying someone's personal data names what it is ``about`` (a key
  such as ``complaints.case:42``, made by the owning app): erasing that thing calls
  ``notifications_forget``/``emails_forget`` with the key, so no copy is left behind. The outbox
  also forgets finished mails after ``EMAIL_RETENTION_DAYS`` (``email_outbox_purge``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail import make_msgid
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Institution, Membership, Notification, OutgoingEmail, User
from accounts.services.push import push_queue
from accounts.unread import unread_changed
from govsocial.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
SWEEP_GRACE = timedelta(minutes=2)
"""A fresh row was enqueued on commit; the sweeper only takes rows left pending this long."""


def notification_send(
    *,
    recipient: User,
    kind: str,
    subject: Any,
    body: Any = "",
    params: Mapping[str, Any] | None = None,
    institution: Institution | None = None,
    url: str = "",
    dedupe_key: str = "",
    email: bool = True,
    about: str = "",
) -> Notification | None:
    """Create a notification (and its e-mail); None when ``dedupe_key`` was already used.

    ``subject`` and ``body`` are lazy translatable strings with %(name)s placeholders filled
    from ``params`` once the recipient's language is active. Nothing is sent to a locked
    account, nor, for an institution's notice, to someone no longer active in that institution.
    """
    if not recipient.is_active:
        return None
    if institution is not None and not still_member(recipient.pk, institution.pk):
        return None
    values = dict(params or {})
    with translation.override(recipient.preferred_language):
        subject_text = str(subject) % values if values else str(subject)
        body_text = str(body) % values if values and body else str(body)
        footer = _("Open GovSocial: %(url)s") % {"url": absolute_url(url)} if url else ""
    notification = Notification(
        recipient=recipient,
        institution=institution,
        kind=kind,
        subject=subject_text[:300],
        body=body_text,
        url=url,
        dedupe_key=dedupe_key,
        about=about,
    )
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        return None
    unread_changed([recipient.pk])
    if email:
        email_queue(
            recipient=recipient,
            to_address=recipient.email,
            subject=subject_text,
            body_text="\n\n".join(part for part in (body_text, footer) if part),
            about=about,
        )
    if institution is not None and kind in settings.WEBPUSH_KINDS:
        push_queue([notification.pk])
    return notification


def still_member(user_id: int, institution_id: int) -> bool:
    """Whether the person holds an active role in the institution (and is not locked)."""
    return (
        Membership.objects.active().filter(user_id=user_id, institution_id=institution_id).exists()
    )


def members_among(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Of these ``(institution_id, user_id)`` pairs, those with an active membership (one query)."""
    if not pairs:
        return set()
    rows = (
        Membership.objects.active()
        .filter(
            institution_id__in={institution for institution, _ in pairs},
            user_id__in={user for _, user in pairs},
        )
        .values_list("institution_id", "user_id")
    )
    return set(rows) & pairs


@dataclass(frozen=True)
class NewNotification:
    """A notification already rendered in its recipient's language, for ``notifications_insert``."""

    recipient_id: int
    institution_id: int | None
    kind: str
    subject: str
    body: str
    url: str
    dedupe_key: str
    email_status: str
    created_at: datetime
    about: str = ""


_INSERT_MANY = """
    INSERT INTO accounts_notification (public_id, recipient_id, institution_id, kind, subject,
        body, url, dedupe_key, email_status, created_at, about)
    SELECT gen_random_uuid(), * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[],
        %s::varchar[], %s::text[], %s::varchar[], %s::varchar[], %s::varchar[],
        %s::timestamptz[], %s::varchar[])
    ON CONFLICT DO NOTHING
    RETURNING id, kind, institution_id
"""


def notifications_insert(rows: list[NewNotification]) -> int:
    """Insert many notifications at once, skipping those whose ``dedupe_key`` the recipient
    already has; returns how many were inserted.

    On PostgreSQL one ``INSERT ... SELECT FROM unnest(...)`` per 5,000 rows: building 25,000
    model instances for ``bulk_create`` took most of a 10,000-transition deadline check (see
    docs/benchmarks.md). Other databases (the SQLite demo) use ``bulk_create``.
    """
    unread_changed(row.recipient_id for row in rows)
    if connection.vendor != "postgresql":
        created = Notification.objects.bulk_create(
            (Notification(**asdict(row)) for row in rows), ignore_conflicts=True
        )
        push_queue(_pushed_after_bulk_create(rows))
        return len(created)
    inserted = 0
    pushed: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            batch = rows[start : start + 5000]
            columns = [
                [getattr(row, name) for row in batch]
                for name in ("recipient_id", "institution_id", "kind", "subject", "body", "url",
                             "dedupe_key", "email_status", "created_at", "about")
            ]  # fmt: skip
            cursor.execute(_INSERT_MANY, columns)
            returned = cursor.fetchall()
            inserted += len(returned)
            pushed += [pk for pk, kind, inst in returned if inst and kind in settings.WEBPUSH_KINDS]
    push_queue(pushed)
    return inserted


def _pushed_after_bulk_create(rows: list[NewNotification]) -> list[int]:
    """``bulk_create(ignore_conflicts=True)`` returns no ids: find the pushed kinds' rows by
    their dedupe keys (every deadline notice has one), for the SQLite demo."""
    keyed = [
        row
        for row in rows
        if row.dedupe_key and row.institution_id and row.kind in settings.WEBPUSH_KINDS
    ]
    if not keyed:
        return []
    return list(
        Notification.objects.filter(
            recipient_id__in={row.recipient_id for row in keyed},
            dedupe_key__in={row.dedupe_key for row in keyed},
            read_at__isnull=True,
        ).values_list("pk", flat=True)
    )


def absolute_url(url: str) -> str:
    return url if url.startswith("http") else f"{settings.SITE_URL}{url}"


def notification_mark_read(*, user: User, notification: Notification) -> None:
    if notification.recipient_id != user.pk:
        raise PermissionError("A notification can only be marked read by its recipient.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        unread_changed([user.pk])


def notifications_mark_all_read(*, user: User) -> int:
    unread_changed([user.pk])
    return Notification.objects.visible_to(user).unread().update(read_at=timezone.now())


def email_queue(
    *,
    to_address: str,
    subject: str,
    body_text: str,
    recipient: User | None = None,
    about: str = "",
) -> OutgoingEmail:
    """Write an outbox row; it is sent after the surrounding transaction commits."""
    outgoing = OutgoingEmail.objects.create(
        about=about,
        recipient=recipient,
        to_address=to_address,
        subject=" ".join(subject.split())[:300],
        body_text=body_text,
        message_id=make_msgid(domain="govsocial"),
    )
    from accounts.tasks import email_deliver_task

    enqueue_on_commit(email_deliver_task, outgoing.pk)
    return outgoing


def email_deliver(outgoing_email_id: int) -> bool:
    """Send one pending e-mail; True when it was sent by this call.

    The row is locked with SKIP LOCKED, so two workers handed the same id cannot both send it.
    """
    with transaction.atomic():
        outgoing = (
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=outgoing_email_id, status=OutgoingEmail.Status.PENDING)
            .first()
        )
        if outgoing is None:
            return False
        try:
            _send(outgoing)
        except Exception as error:  # SMTP refusals and network errors alike: retry later
            _record_failure(outgoing, error)
            return False
        outgoing.status = OutgoingEmail.Status.SENT
        outgoing.sent_at = timezone.now()
        outgoing.attempts += 1
        outgoing.save(update_fields=["status", "sent_at", "attempts"])
        return True


def _send(outgoing: OutgoingEmail) -> None:
    message = mail.EmailMessage(
        subject=outgoing.subject,
        body=outgoing.body_text,
        to=[outgoing.to_address],
        headers={"Message-ID": outgoing.message_id},
    )
    message.send()


def _record_failure(outgoing: OutgoingEmail, error: Exception) -> None:
    outgoing.attempts += 1
    outgoing.last_error = f"{type(error).__name__}: {error}"[:2000]
    if outgoing.attempts >= OutgoingEmail.MAX_ATTEMPTS:
        outgoing.status = OutgoingEmail.Status.FAILED
    outgoing.next_attempt_at = timezone.now() + _backoff(outgoing.attempts)
    outgoing.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    logger.warning("E-mail %s not sent (attempt %s): %s", outgoing.pk, outgoing.attempts, error)


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** min(attempts, 6))


def email_outbox_sweep(now: datetime | None = None) -> int:
    """Re-enqueue pending e-mails whose next attempt is due (after a broker outage, say)."""
    from accounts.tasks import email_deliver_task

    due = list(
        OutgoingEmail.objects.due((now or timezone.now()) - SWEEP_GRACE)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for outgoing_id in due:
        email_deliver_task.delay(outgoing_id)
    return len(due)


def notifications_forget(*abouts: str) -> int:
    """Blank the body of every notification about one of ``abouts``, for notices whose subject
    names the thing only by reference (a complaint's); returns how many."""
    return Notification.objects.filter(about__in=_keys(abouts)).exclude(body="").update(body="")


def notifications_delete(*abouts: str) -> int:
    """Delete every notification about one of ``abouts``, for notices whose subject itself
    names a person (an item's author); returns how many."""
    notifications = Notification.objects.filter(about__in=_keys(abouts))
    unread_changed(notifications.values_list("recipient_id", flat=True).distinct())
    deleted, _per_model = notifications.delete()
    return deleted


def emails_forget(*abouts: str) -> int:
    """Delete every outbox row about one of ``abouts``, sent or not: an erased address is not
    written to again, and a sent mail's copy is not kept; returns how many."""
    deleted, _per_model = OutgoingEmail.objects.filter(about__in=_keys(abouts)).delete()
    return deleted


def _keys(abouts: tuple[str, ...]) -> tuple[str, ...]:
    if not all(abouts):
        raise ValueError("An empty key would match every row about nothing in particular.")
    return abouts


def email_outbox_purge(now: datetime | None = None) -> int:
    """Delete sent and failed e-mails written more than ``EMAIL_RETENTION_DAYS`` ago (pending ones
    are still owed); returns how many. Letters to complainants stay in their case's record."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.EMAIL_RETENTION_DAYS)
    finished = (OutgoingEmail.Status.SENT, OutgoingEmail.Status.FAILED)
    deleted, _per_model = OutgoingEmail.objects.filter(
        status__in=finished, created_at__lt=cutoff
    ).delete()
    return deleted
