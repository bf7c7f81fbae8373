"""The e-mail phase of deadline notices: immediate e-mails and the daily summary.

The check writes one ``Notification`` per recipient and marks it *pending* (immediate e-mail)
or *digest*. Here, in separate Celery tasks:

- ``deadline_emails_write``: pending notices become outbox rows (``OutgoingEmail``), locked with
  ``SKIP LOCKED`` and flipped to *queued* in the same transaction, so a worker killed halfway
  leaves them pending for the next run and none is written twice. Sending, retries and backoff
  are the outbox's (``accounts.services.notifications``): a failing mail server delays mail,
  never the check, and never duplicates an in-app notice.
- ``deadline_digests_send``: from 08:00 in the institution's time zone, one summary per person
  and institution per local day (``DeadlineDigest``'s unique constraint), listing the notices
  waiting since the previous one, in the person's language.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Institution, Notification, NotificationEmail, User
from accounts.services.notifications import (
    absolute_url,
    email_queue,
    members_among,
    still_member,
)
from govsocial.models import DeadlineDigest

BATCH = 500
DIGEST_HOUR = 8


def deadline_emails_write() -> int:
    """Write the outbox rows of pending notices; returns how many."""
    written = 0
    while True:
        with transaction.atomic():
            notices = list(
                Notification.objects.filter(email_status=NotificationEmail.PENDING)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .order_by("pk")[:BATCH]
            )
            members = members_among(
                {(n.institution_id, n.recipient_id) for n in notices if n.institution_id}
            )
            left = {  # left the institution since the notice: it stays in the inbox, unmailed
                n.pk
                for n in notices
                if n.institution_id and (n.institution_id, n.recipient_id) not in members
            }
            for notice in notices:
                if notice.pk not in left:
                    _email(notice.recipient, notice.subject, [notice])
            Notification.objects.filter(pk__in=[n.pk for n in notices]).exclude(pk__in=left).update(
                email_status=NotificationEmail.QUEUED
            )
            Notification.objects.filter(pk__in=left).update(email_status="")
        written += len(notices) - len(left)
        if len(notices) < BATCH:
            return written


def deadline_digests_send(now: datetime | None = None) -> int:
    """Send the summaries due at this instant; returns how many."""
    now = now or timezone.now()
    sent = 0
    waiting = (
        Notification.objects.filter(email_status=NotificationEmail.DIGEST)
        .values_list("institution_id", "recipient_id")
        .distinct()
    )
    institutions = Institution.objects.in_bulk({institution for institution, _ in waiting})
    for institution_id, user_id in waiting:
        institution = institutions[institution_id]
        local = timezone.localtime(now, institution.zone)
        if local.hour < DIGEST_HOUR:
            continue
        sent += _digest(institution, user_id, local.date())
    return sent


def _digest(institution: Institution, user_id: int, day: date) -> int:
    with transaction.atomic():
        notices = list(
            Notification.objects.filter(
                institution=institution, recipient_id=user_id,
                email_status=NotificationEmail.DIGEST,
            )
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .order_by("created_at", "pk")
        )  # fmt: skip
        if not notices:
            return 0
        if not still_member(user_id, institution.pk):  # left since: stays in the inbox, unmailed
            Notification.objects.filter(pk__in=[n.pk for n in notices]).update(email_status="")
            return 0
        try:
            with transaction.atomic():
                DeadlineDigest.objects.create(
                    user_id=user_id, institution=institution, day=day, notices=len(notices)
                )
        except IntegrityError:  # today's summary went out already: these wait for tomorrow's
            return 0
        recipient = notices[0].recipient
        with translation.override(recipient.preferred_language):
            subject = ngettext(
                "GovSocial: %(count)d deadline notice at %(institution)s",
                "GovSocial: %(count)d deadline notices at %(institution)s",
                len(notices),
            ) % {
                "count": len(notices),
                "institution": institution.name_in(recipient.preferred_language),
            }
        _email(recipient, subject, notices)
        Notification.objects.filter(pk__in=[n.pk for n in notices]).update(
            email_status=NotificationEmail.DIGESTED
        )
    return 1


def _email(recipient: User, subject: str, notices: list[Notification]) -> None:
    if not recipient.is_active or not recipient.email:
        return
    with translation.override(recipient.preferred_language):
        parts = []
        for notice in notices:
            link = _("Open GovSocial: %(url)s") % {"url": absolute_url(notice.url)}
            parts.append("\n".join(p for p in (notice.subject if len(notices) > 1 else "",
                                                notice.body, link) if p))  # fmt: skip
    email_queue(
        recipient=recipient,
        to_address=recipient.email,
        subject=subject,
        body_text="\n\n---\n\n".join(parts),
        about=notices[0].about if len(notices) == 1 else "",  # a summary: the outbox's retention
    )
