"""Retention of social media items: after the institution's period, text and author are erased.

Invariants:
- what reports, the transparency page and the DSA statements of reasons read stays: channel,
  kind, language, platform ids, dates (posted, received, due, first response), status, keyword
  hits and priority, and every decision (append-only);
- erased: the text, the author's name, handle and profile link, the permalink and the raw
  payload, the notes of its handovers, and the explanation and e-mail address of a contest of
  its decisions; the item's revisions (earlier texts) are deleted, so are the notifications
  and e-mails about it and about its contest (deadline notices and urgent watch-term alerts
  name the author or quote the text), and the raw copies it came in: webhook deliveries and
  imported files received before the same cutoff;
- never: an item a retention hold keeps (``govsocial.retention``): linked to a complaint, kept
  as harassment evidence (its snapshots are kept with it), and later anything under legal hold;
- the period runs from receipt, whatever the item's status: an item nobody handled is no reason
  to keep someone's words for ever;
- idempotent and restartable: ``anonymised_at`` marks what is done; batches of ``BATCH`` rows,
  one transaction each, locked with SKIP LOCKED.
"""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Institution
from accounts.services.notifications import emails_forget, notifications_delete
from channels.models import ImportJob, InboundDelivery
from govsocial.retention import without_holds
from moderation.models import Contest, Handover, Item, ItemRevision

BATCH = 1000


def item_retention_cutoff(institution: Institution, now: datetime) -> datetime:
    return now - relativedelta(months=institution.item_retention_months)


def items_due_for_anonymisation(institution: Institution, now: datetime) -> QuerySet[Item]:
    """Items received before the cutoff, not yet anonymised and not held."""
    due = Item.objects.for_institution(institution).filter(
        received_at__lt=item_retention_cutoff(institution, now), anonymised_at__isnull=True
    )
    return without_holds(due)


def items_anonymise_expired(now: datetime | None = None) -> int:
    """Anonymise every institution's items past its retention period; returns how many."""
    now = now or timezone.now()
    return sum(
        _anonymise_institution(institution, now) for institution in Institution.objects.all()
    )


def _anonymise_institution(institution: Institution, now: datetime) -> int:
    done = 0
    while True:
        with transaction.atomic():
            ids = list(
                items_due_for_anonymisation(institution, now)
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[:BATCH]
            )
            items_anonymise(ids, now)
        done += len(ids)
        if len(ids) < BATCH:
            break
    raw_copies_erase(institution, item_retention_cutoff(institution, now))
    return done


def items_anonymise(ids: list[int], now: datetime) -> None:
    """Erase the personal data of these items (the caller chose them: holds are its business)."""
    if not ids:
        return
    Item.objects.filter(pk__in=ids).update(
        text="",
        author_name="",
        author_handle="",
        author_url="",
        permalink="",
        raw_payload={},
        anonymised_at=now,
    )
    ItemRevision.objects.filter(item_id__in=ids).delete()
    Handover.objects.filter(item_id__in=ids).exclude(note="").update(note="")  # may quote it
    contests = Contest.objects.filter(decision__item_id__in=ids)
    contest_keys = [Contest.about_key_of(pk) for pk in contests.values_list("pk", flat=True)]
    contests.update(explanation="", contact_email="")
    keys = [Item.about_key_of(pk) for pk in ids] + contest_keys
    notifications_delete(*keys)
    emails_forget(*keys)


def raw_copies_erase(institution: Institution, cutoff: datetime) -> None:
    """Webhook deliveries handled before ``cutoff`` are deleted and finished imports lose their
    file: both are copies of items' content. Deliveries still waiting are left to the sweeper.

    A held item keeps its own text and snapshots; the raw bytes it arrived in are not needed.
    """
    InboundDelivery.objects.for_institution(institution).filter(
        received_at__lt=cutoff, status__in=("processed", "failed")
    ).delete()
    ImportJob.objects.for_institution(institution).filter(
        created_at__lt=cutoff, status__in=("done", "failed")
    ).exclude(content=b"").update(content=b"")
