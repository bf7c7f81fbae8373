"""Publishing each chain's head once a day (a daily job, settings.CATCH_UP_JOBS).

The digest of a local day is the chain's last entry recorded before the day's end in the
institution's time zone, with the number of entries of that day. A day is published once it
ended ``SETTLE`` ago, so that a transaction which recorded an entry just before midnight has
committed. The job is state-based: every run publishes every closed day since the last digest
(days without entries too: the head did not move, which is also worth stating), so a run after
downtime catches up, and the unique ``(institution, day)`` makes a second run a no-op.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from govsocial.ledger.models import LedgerDigest, LedgerEntry, LedgerHead

SETTLE = timedelta(hours=1)


def ledger_digests_publish(now: datetime | None = None) -> int:
    """Publish the digests of every closed day not published yet; returns how many."""
    now = now or timezone.now()
    published = 0
    for head in LedgerHead.objects.select_related("institution").order_by("institution_id"):
        published += _publish(head.institution_id, head.institution.zone, now)
    return published


def day_end(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)


def _publish(institution_id: int, zone: ZoneInfo, now: datetime) -> int:
    chain = LedgerEntry.objects.filter(institution_id=institution_id)
    last = LedgerDigest.objects.filter(institution_id=institution_id).order_by("-day").first()
    if last is not None:
        day, seq = last.day + timedelta(days=1), last.head_seq
    else:
        first = chain.order_by("seq").first()
        if first is None:
            return 0
        day, seq = timezone.localtime(first.recorded_at, zone).date(), 0
    digests = []
    while day_end(day, zone) + SETTLE <= now:
        head = (
            chain.filter(recorded_at__lt=day_end(day, zone))
            .order_by("-recorded_at", "-seq")
            .values_list("seq", "entry_hash")
            .first()
        )
        if head is not None:  # always, after the first day
            digests.append(
                LedgerDigest(
                    institution_id=institution_id,
                    day=day,
                    head_seq=head[0],
                    head_hash=head[1],
                    entries=head[0] - seq,
                    published_at=now,
                )
            )
            seq = head[0]
        day += timedelta(days=1)
    with transaction.atomic():
        created = LedgerDigest.objects.bulk_create(digests, ignore_conflicts=True)
    return len(created)
