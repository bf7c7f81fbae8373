"""The deadline check: warnings before a deadline, a notice once it is missed, exactly once.

One function, ``deadlines_check(now)``; the Celery beat task (every minute) and
``manage.py check_deadlines`` call it. For each source (items, cases):

1. **Claim** in batches, in one transaction per batch: ``SELECT … FOR UPDATE SKIP LOCKED`` of
   the rows whose threshold has passed and is not yet claimed (a partial index holds exactly
   those rows, so the cost follows the rows changing state, not the rows open), then one
   ``UPDATE`` stamping ``breached_at``/``warned_at``. Breaches go first and also stamp a missing
   ``warned_at``: a row that passed both thresholds while no check ran (an outage) gets the
   breach notice only, which says the warning was superseded.
2. **Notify** in the same transaction: one ``Notification`` per recipient, rendered in their
   language, whose ``dedupe_key`` (row, threshold, the threshold's instant) is unique per
   recipient, inserted in bulk with ``ON CONFLICT DO NOTHING``. Any number of workers and
   overlapping runs produce each notice once; that is a database fact.
3. E-mails are written later from those rows (``delivery.py``), never inside the check, so a
   mail server outage never blocks it.

``now`` always comes from Python (never SQL ``now()``), so tests move one clock. Each run is
recorded (``DeadlineCheckRun``); /healthz turns 503 when the newest is older than
``STALE_AFTER``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import dateformat, formats, timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.models import DeadlineEmail, NotificationEmail
from accounts.services.notifications import NewNotification, notifications_insert
from deadlines.sources import DeadlineSource, RecordsNotices, Subject, Threshold
from govsocial.deadlines.clock import duration_text
from govsocial.models import DeadlineCheckRun
from govsocial.queueing import enqueue_on_commit
from webhooks.events import emit
from webhooks.models import Event

logger = logging.getLogger(__name__)

BATCH = 2000
STALE_AFTER = timedelta(seconds=180)
KEEP_RUNS = timedelta(days=7)


@dataclass
class CheckResult:
    warnings: int = 0
    breaches: int = 0
    notifications: int = 0
    failed: int = 0
    """Rows whose notices could not be written (logged; tried again next run)."""
    by_source: dict[str, dict[str, int]] = field(default_factory=dict)


def sources() -> list[DeadlineSource]:
    return [import_string(path) for path in settings.DEADLINE_SOURCES]


def deadlines_check(now: datetime | None = None) -> CheckResult:
    now = now or timezone.now()
    started = time.monotonic()
    result = CheckResult()
    for source in sources():
        counts = {"warnings": 0, "breaches": 0}
        for threshold in (Threshold.BREACH, Threshold.WARNING):
            while True:
                batch = _batch(source, threshold, now)
                key = "breaches" if threshold is Threshold.BREACH else "warnings"
                counts[key] += batch.claimed
                result.notifications += batch.written
                result.failed += batch.failed
                if batch.failed or batch.claimed < BATCH:
                    break
        result.by_source[source.name] = counts
        result.warnings += counts["warnings"]
        result.breaches += counts["breaches"]
    _record_run(now, started, result)
    return result


@dataclass
class Batch:
    claimed: int = 0
    written: int = 0
    failed: int = 0


def _batch(source: DeadlineSource, threshold: Threshold, now: datetime) -> Batch:
    """One batch in one transaction; if it fails, its rows one by one, so that a row whose
    notice cannot be written (a poison row) never stops the others. Rows that still fail stay
    unclaimed, are logged, and are tried again by the next run."""
    try:
        with transaction.atomic():
            claimed, written = _claim_and_notify(source, threshold, now, limit=BATCH)
        return Batch(claimed, written)
    except Exception:
        logger.exception(
            "Deadline check: a %s %s batch failed; row by row.", source.name, threshold
        )
    batch = Batch()
    for pk in list(_due(source, threshold, now).values_list("pk", flat=True)[:BATCH]):
        try:
            with transaction.atomic():
                claimed, written = _claim_and_notify(source, threshold, now, only=pk)
            batch.claimed += claimed
            batch.written += written
        except Exception:
            logger.exception("Deadline check: %s %s of row %s failed.", source.name, threshold, pk)
            batch.failed += 1
    return batch


def _due(source: DeadlineSource, threshold: Threshold, now: datetime) -> QuerySet[Any]:
    return source.to_breach(now) if threshold is Threshold.BREACH else source.to_warn(now)


def _claim_and_notify(
    source: DeadlineSource,
    threshold: Threshold,
    now: datetime,
    *,
    limit: int = 1,
    only: int | None = None,
) -> tuple[int, int]:
    """Claim up to ``limit`` due rows (or the row ``only``) and write their notices; run inside
    the caller's transaction."""
    due = _due(source, threshold, now)
    if only is not None:
        due = due.filter(pk=only)
    rows = list(
        due.select_for_update(skip_locked=True, of=("self",)).values_list("pk", "warned_at")[:limit]
    )
    if not rows:
        return 0, 0
    ids = [pk for pk, _warned in rows]
    claimed = due.model._default_manager.filter(pk__in=ids)
    if threshold is Threshold.BREACH:
        claimed.update(breached_at=now, warned_at=Coalesce("warned_at", now))
    else:
        claimed.update(warned_at=now)
    superseded = {pk for pk, warned in rows if warned is None}
    subjects = source.subjects(ids, threshold)
    event = Event.DEADLINE_BREACHED if threshold is Threshold.BREACH else Event.DEADLINE_WARNED
    for subject in subjects:
        emit(
            subject.institution.pk,
            event,
            {
                "source": source.name,
                "id": subject.pk,
                "warn_at": subject.warn_at.isoformat(),
                "due_at": subject.due_at.isoformat(),
                "crossed_at": now.isoformat(),
            },
        )
    written = notify(source, threshold, subjects, now, superseded)
    if isinstance(source, RecordsNotices):
        source.notified(subjects, threshold, now)
    return len(ids), written


def notify(
    source: DeadlineSource,
    threshold: Threshold,
    subjects: list[Subject],
    now: datetime,
    superseded: set[int] | frozenset[int] = frozenset(),
) -> int:
    """Write the notices about ``subjects`` (once per recipient: the dedupe key) and enqueue
    the e-mail phase after commit; how many were written. Also used by a source that alerts
    more people later about a row already claimed (moderation's escalation ladder)."""
    written = notifications_insert(_notices(source, threshold, subjects, superseded, now))
    if written:
        from deadlines.tasks import deadline_emails_task

        enqueue_on_commit(deadline_emails_task)
    return written


def _notices(
    source: DeadlineSource,
    threshold: Threshold,
    subjects: list[Subject],
    superseded: set[int] | frozenset[int],
    now: datetime,
) -> list[NewNotification]:
    """One notice per recipient; each subject rendered once per language its recipients read,
    with one language switch per language for the whole batch."""
    readers: dict[str, list[Subject]] = {}
    for subject in subjects:
        for language in {recipient.preferred_language for recipient in subject.recipients}:
            readers.setdefault(language, []).append(subject)
    rendered: dict[tuple[int, str], tuple[str, str]] = {}
    for language, read in readers.items():
        with translation.override(language):
            moment_format = formats.get_format("DATETIME_FORMAT")
            for subject in read:
                rendered[subject.pk, language] = _render(
                    source, threshold, subject, now, subject.pk in superseded, moment_format
                )
    kind = f"deadline.{threshold}"
    notices = []
    for subject in subjects:
        key = dedupe_key(source.name, subject, threshold)
        for recipient in subject.recipients:
            title, body = rendered[subject.pk, recipient.preferred_language]
            notices.append(
                NewNotification(
                    recipient_id=recipient.pk,
                    institution_id=subject.institution.pk,
                    kind=kind,
                    subject=title[:300],
                    body=body,
                    url=subject.url,
                    dedupe_key=key,
                    email_status=NotificationEmail.DIGEST
                    if recipient.deadline_email == DeadlineEmail.DIGEST
                    else NotificationEmail.PENDING,
                    created_at=now,
                    about=subject.about,
                )
            )
    return notices


def dedupe_key(source_name: str, subject: Subject, threshold: Threshold) -> str:
    """One notice per row, threshold and threshold instant (a moved deadline is a new one)."""
    instant = subject.due_at if threshold is Threshold.BREACH else subject.warn_at
    return f"deadline:{source_name}:{subject.pk}:{threshold}:{int(instant.timestamp())}"


def _render(
    source: DeadlineSource,
    threshold: Threshold,
    subject: Subject,
    now: datetime,
    superseded: bool,
    moment_format: str,
) -> tuple[str, str]:
    """Subject and body in the active language; times in the institution's time zone."""
    zone = subject.institution.zone
    due = dateformat.format(timezone.localtime(subject.due_at, zone), moment_format)
    params = {"label": subject.label, "due": due}
    if threshold is Threshold.WARNING:
        crossed = timezone.localtime(subject.warn_at, zone)
        params |= {
            "crossed": dateformat.format(crossed, moment_format),
            "left": duration_text(max(subject.due_at - now, timedelta(minutes=1))),
        }
        return str(source.texts.warning_subject) % params, str(source.texts.warning_body) % params
    params |= {
        "crossed": due,
        "late": duration_text(max(now - subject.due_at, timedelta(minutes=1))),
    }
    body = str(source.texts.breach_body) % params
    if superseded:
        body += "\n\n" + _(
            "No warning was sent before: the deadline check was not running when the warning "
            "threshold passed."
        )
    return str(source.texts.breach_subject) % params, body


def _record_run(now: datetime, started: float, result: CheckResult) -> None:
    elapsed = timedelta(seconds=time.monotonic() - started)
    DeadlineCheckRun.objects.create(
        started_at=now,
        finished_at=now + elapsed,  # on the check's own clock (tests move it)
        duration_ms=round(elapsed.total_seconds() * 1000),
        warnings=result.warnings,
        breaches=result.breaches,
        notifications=result.notifications,
        failed=result.failed,
    )
    DeadlineCheckRun.objects.filter(finished_at__lt=now - KEEP_RUNS).delete()


def last_run() -> DeadlineCheckRun | None:
    return DeadlineCheckRun.objects.order_by("-finished_at").first()


def check_age(now: datetime | None = None) -> timedelta | None:
    """How long ago the last check finished; None if it never ran."""
    run = last_run()
    return None if run is None else (now or timezone.now()) - run.finished_at
