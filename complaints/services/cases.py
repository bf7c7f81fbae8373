"""Complaint cases: registration, the status machine, holds and the 30-day clock.

Invariants:
- every change is one transaction that also appends its timeline event (who, when, what);
- ``due_at`` is the end of the N-th calendar day after receipt in the institution's time zone
  (N = ``complaint_response_days``, 30 by default); a hold moves it by the time on hold, rounded
  up to whole calendar days (still 23:59:59 local), when the institution lets holds suspend the
  clock; the timeline records both dates; a moved deadline re-arms its warning;
- the answer is owed once: the first answer meets (or misses) the deadline for good, so a case
  moved back to in progress after its answer has no clock any more, and a case closed on time
  without an answer (withdrawn, not admissible) and reopened gets back the time it had left;
- the timeline and the case never hold the complainant's personal data (``Complainant`` does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from channels.models import Channel
from complaints.items import SocialItem
from complaints.models import (
    Case,
    Category,
    Complainant,
    EventKind,
    Outcome,
    Source,
    Status,
)
from complaints.services.references import reference_next
from complaints.services.routing import case_route
from complaints.services.timeline import timeline_record
from govsocial.deadlines.clock import complaint_due_at, due_after_hold, warn_at
from webhooks.events import emit
from webhooks.models import Event

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.ON_HOLD,
                                Status.ANSWERED, Status.CLOSED}),
    Status.ACKNOWLEDGED: frozenset({Status.IN_PROGRESS, Status.ON_HOLD, Status.ANSWERED,
                                    Status.CLOSED}),
    Status.IN_PROGRESS: frozenset({Status.ON_HOLD, Status.ANSWERED, Status.CLOSED}),
    Status.ON_HOLD: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.ANSWERED: frozenset({Status.IN_PROGRESS, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
}  # fmt: skip


class CaseTransitionError(ValueError):
    """The case cannot go where it was asked to; the message says why (shown to the officer)."""


@dataclass(frozen=True)
class ComplainantData:
    name: str = ""
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    social_account: str = ""
    is_staff_member: bool = False


def case_register(
    *,
    institution: Institution,
    actor: User | None,
    source: str,
    category: Category,
    subject: str,
    description: str,
    language: str,
    complainant: ComplainantData,
    received_at: datetime | None = None,
    channel: Channel | None = None,
) -> Case:
    """Open a case with its reference number, due date, complainant record and first event,
    then route it (see services.routing)."""
    if source not in Source.values:
        raise CaseTransitionError(_("Unknown source “%(source)s”.") % {"source": source})
    if category.institution_id not in (None, institution.pk):
        raise CaseTransitionError(_("This category belongs to another institution."))
    received = received_at or timezone.now()
    due = complaint_due_at(
        received, tz=institution.time_zone, days=institution.complaint_response_days
    )
    with transaction.atomic():
        case = Case.objects.create(
            institution=institution,
            reference=reference_next(institution, received.astimezone(institution.zone).year),
            source=source,
            category=category,
            subject=subject,
            description=description,
            language=language,
            received_at=received,
            due_at=due,
            warn_at=warn_at(received, due, institution.warning_share_percent / 100),
            channel=channel,
        )
        Complainant.objects.create(
            institution=institution,
            case=case,
            name=complainant.name,
            email=complainant.email,
            phone=complainant.phone,
            postal_address=complainant.postal_address,
            social_account=complainant.social_account,
            is_staff_member=complainant.is_staff_member,
        )
        timeline_record(case, actor, EventKind.RECEIVED, source=source, due_at=due.isoformat())
        case_route(case=case, actor=actor)
        emit(institution.pk, Event.CASE_CREATED, _case_data(case))
    return case


def case_open_from_item(
    *, item: SocialItem, actor: User, category: Category, subject: str, description: str = ""
) -> Case:
    """Escalate a social media item to a complaint (called by the moderation queue, which hands
    over the item's data: see complaints.items).

    The item keeps its own 24-hour clock; the case gets the 30-day one. The author's name and
    account go to the complainant record, not to the case.
    """
    channel = Channel.objects.select_related("institution").get(pk=item.channel_id)
    with transaction.atomic():
        case = case_register(
            institution=channel.institution,
            actor=actor,
            source=Source.SOCIAL_MEDIA,
            category=category,
            subject=subject,
            description=description or item.text,
            language=item.language or channel.default_language,
            complainant=ComplainantData(
                name=item.author_name,
                social_account=item.author_url or item.author_handle,
            ),
            received_at=item.posted_at or item.received_at,
            channel=channel,
        )
        case.items.add(item.item_id)
        timeline_record(
            case, actor, EventKind.ITEM_LINKED, item_id=item.item_id, channel_id=item.channel_id
        )
    return case


def case_acknowledge(
    *,
    case: Case,
    actor: User,
    at: datetime | None = None,
    details: dict[str, object] | None = None,
) -> Case:
    """Record that the acknowledgement of receipt was sent (``details``: how, which letter)."""
    with transaction.atomic():
        case = _locked(case)
        if case.acknowledged_at is not None:
            raise CaseTransitionError(_("The receipt was already acknowledged."))
        case.acknowledged_at = at or timezone.now()
        if case.status == Status.RECEIVED:
            _emit_status(case, Status.ACKNOWLEDGED)
            case.status = Status.ACKNOWLEDGED
        case.save(update_fields=["acknowledged_at", "status"])
        timeline_record(case, actor, EventKind.ACKNOWLEDGED, **(details or {}))
    return case


def case_start(*, case: Case, actor: User) -> Case:
    with transaction.atomic():
        case = _locked(case)
        _move(case, Status.IN_PROGRESS)
        case.save(update_fields=["status"])
        timeline_record(case, actor, EventKind.STATUS, status=Status.IN_PROGRESS)
    return case


def case_hold(*, case: Case, actor: User, reason: str, at: datetime | None = None) -> Case:
    """Waiting for the complainant. Suspends the clock if the institution says so."""
    if not reason.strip():
        raise CaseTransitionError(_("Say why the case is put on hold."))
    with transaction.atomic():
        case = _locked(case)
        _move(case, Status.ON_HOLD)
        case.on_hold_since = at or timezone.now()
        case.save(update_fields=["status", "on_hold_since"])
        timeline_record(case, actor, EventKind.HELD, reason=reason.strip())
    return case


def case_resume(*, case: Case, actor: User, at: datetime | None = None) -> Case:
    with transaction.atomic():
        case = _locked(case)
        _move(case, Status.IN_PROGRESS)
        _end_hold(case, actor, at or timezone.now())
        case.save(update_fields=["status", "on_hold_since", "due_at", "warn_at", "warned_at"])
    return case


def case_answer(
    *,
    case: Case,
    actor: User,
    at: datetime | None = None,
    details: dict[str, object] | None = None,
) -> Case:
    """Record that the individual answer was sent (``details``: how, which letter)."""
    with transaction.atomic():
        case = _locked(case)
        _move(case, Status.ANSWERED)
        case.answered_at = case.answered_at or at or timezone.now()  # the first answer counts
        case.save(update_fields=["status", "answered_at"])
        timeline_record(case, actor, EventKind.ANSWERED, **(details or {}))
    return case


def case_close(*, case: Case, actor: User, outcome: str, at: datetime | None = None) -> Case:
    if outcome not in Outcome.values:
        raise CaseTransitionError(_("Choose the outcome of the case."))
    moment = at or timezone.now()
    with transaction.atomic():
        case = _locked(case)
        _move(case, Status.CLOSED)
        if case.on_hold_since is not None:
            _end_hold(case, actor, moment)
        case.outcome = outcome
        case.closed_at = moment
        case.save(update_fields=["status", "outcome", "closed_at", "on_hold_since", "due_at",
                                 "warn_at", "warned_at"])  # fmt: skip
        timeline_record(case, actor, EventKind.CLOSED, outcome=outcome)
    return case


def case_reopen(*, case: Case, actor: User, reason: str, at: datetime | None = None) -> Case:
    """Back to in progress. An answered case stays answered (no clock: the answer was given);
    one closed on time without an answer gets back the time it had left (the time closed is
    paused like a hold), so a reopening never breaches retroactively."""
    if not reason.strip():
        raise CaseTransitionError(_("Say why the case is reopened."))
    moment = at or timezone.now()
    with transaction.atomic():
        case = _locked(case)
        if case.status != Status.CLOSED:
            raise CaseTransitionError(_("Only a closed case can be reopened."))
        previous, before = case.outcome, case.due_at
        _move(case, Status.IN_PROGRESS)
        closed_at = case.closed_at
        if case.answered_at is None and closed_at is not None and closed_at <= case.due_at:
            _move_deadline(case, paused_from=closed_at, until=moment)
        case.outcome = ""
        case.closed_at = None
        case.save(
            update_fields=["status", "outcome", "closed_at", "due_at", "warn_at", "warned_at"]
        )
        moved = (
            {"due_at_before": before.isoformat(), "due_at": case.due_at.isoformat()}
            if case.due_at != before
            else {}
        )
        timeline_record(
            case, actor, EventKind.REOPENED, reason=reason.strip(), previous_outcome=previous,
            **moved,
        )  # fmt: skip
    return case


def _end_hold(case: Case, actor: User, moment: datetime) -> None:
    held_since = case.on_hold_since
    if held_since is None:
        return
    before = case.due_at
    if case.institution.hold_suspends_complaint_clock:
        _move_deadline(case, paused_from=held_since, until=moment)
    case.on_hold_since = None
    timeline_record(
        case,
        actor,
        EventKind.RESUMED,
        held_since=held_since.isoformat(),
        held_seconds=int((moment - held_since).total_seconds()),
        due_at_before=before.isoformat(),
        due_at=case.due_at.isoformat(),
    )


def _move_deadline(case: Case, *, paused_from: datetime, until: datetime) -> None:
    """Move the deadline past a pause and re-arm its warning: the next check warns of the new
    deadline (at once if the moved warning point has passed: the warning then counts from
    ``until``, when the clock ran again). A breach already notified stays notified."""
    before = case.due_at
    case.due_at = due_after_hold(
        before, held_at=paused_from, resumed_at=until, tz=case.institution.zone
    )
    if case.due_at == before:
        return
    case.warn_at = max(case.warn_at + (case.due_at - before), until)
    if case.breached_at is None:
        case.warned_at = None


def _move(case: Case, status: str) -> None:
    if status not in TRANSITIONS[case.status]:
        raise CaseTransitionError(
            _("A case that is “%(current)s” cannot become “%(target)s”.")
            % {"current": Status(case.status).label, "target": Status(status).label}
        )
    _emit_status(case, status)
    case.status = status


def _emit_status(case: Case, status: str) -> None:
    """Within the transaction that saves the new status (an outbox row, rolled back with it)."""
    emit(
        case.institution_id,
        Event.CASE_STATUS_CHANGED,
        {**_case_data(case), "status": status, "previous_status": case.status},
    )


def _case_data(case: Case) -> dict[str, object]:
    """What webhooks say of a case: never the complainant, the subject or the description."""
    return {
        "case_id": case.pk,
        "reference": case.reference,
        "status": case.status,
        "category_id": case.category_id,
        "source": case.source,
        "received_at": case.received_at.isoformat(),
        "due_at": case.due_at.isoformat(),
    }


def _locked(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",)).select_related("institution").get(pk=case.pk)
    )
