"""Contesting a hide or a removal: opened by the person on the decision page, decided by a
moderator other than the one who decided.

Invariants:
- one contest per decision (a one-to-one key): a second attempt is refused with the first's
  reference;
- a contest has a reference (``<PREFIX>-C-<year>-<five digits>``, per institution and year,
  never twice) and a deadline: the end (23:59:59 local) of the institution's ``contest_days``-th
  calendar day after the day it was received (default 14), warned at the institution's warning
  share; the deadline engine warns and notifies the breach once each
  (``moderation.deadlines.CONTESTS``);
- on arrival the institution's moderators other than the decider are told (in-app and e-mail);
  the person, when they gave an address, receives the reference and the date, and later the
  outcome: both e-mails repeat nothing typed into the form;
- the outcome is an append-only ``ContestOutcome`` by an active moderator of the institution
  who did not take the contested decision: refused here with a message, and refused by a
  database check should anything else try; of two moderators deciding at once, one wins (the
  contest's row lock) and the other is told it is decided;
- a reversal restores the item through the decision services (``item_reinstate``: a new
  REINSTATE decision, an UNHIDE on the platform or on the manual list); when the item moved on
  since, the reversal is still recorded, without a reinstatement.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import MODERATOR_ROLES, Membership, User
from accounts.recipients import people_by_institution
from accounts.services.notifications import email_queue, notification_send
from complaints.services.references import number_next
from govsocial.deadlines.clock import complaint_due_at, warn_at
from moderation.models import (
    Contest,
    ContestCounter,
    ContestOutcome,
    ContestStatus,
    DecisionStatement,
)
from moderation.services.decision_pages import statement_url
from moderation.services.decisions import item_reinstate
from webhooks.events import emit
from webhooks.models import Event

EXPLANATION_MAX = 5000

ARRIVED_SUBJECT = gettext_lazy("Decision contested: %(reference)s")
ARRIVED_BODY = gettext_lazy(
    "A person contests a moderation decision on %(channel)s. Another moderator than the one who "
    "decided must review it by %(due)s."
)


class ContestRefused(ValueError):
    """The contest cannot be opened or decided; the message says why."""


def contest_open(
    *,
    statement: DecisionStatement,
    explanation: str,
    contact_email: str,
    language: str,
    now: datetime | None = None,
) -> Contest:
    explanation = explanation.strip()
    if not explanation:
        raise ContestRefused(_("Explain why you contest this decision."))
    if len(explanation) > EXPLANATION_MAX:
        raise ContestRefused(_("Your explanation is too long."))
    decision = statement.decision
    existing = Contest.objects.filter(decision=decision).values_list("reference", flat=True)
    if reference := existing.first():
        raise ContestRefused(_already_contested(reference))
    received = now or timezone.now()
    institution = decision.item.institution
    due = complaint_due_at(received, tz=institution.zone, days=institution.contest_days)
    year = received.astimezone(institution.zone).year
    try:
        with transaction.atomic():
            number = number_next(ContestCounter, institution, year)
            contest = Contest.objects.create(
                institution=institution,
                decision=decision,
                reference=f"{institution.reference_prefix}-C-{year}-{number:05d}",
                explanation=explanation,
                contact_email=contact_email.strip(),
                language=language,
                received_at=received,
                due_at=due,
                warn_at=warn_at(received, due, institution.warning_share_percent / 100),
            )
            _tell_moderators(contest)
            emit(institution.pk, Event.CONTEST_OPENED, _contest_data(contest))
            if contest.contact_email:
                _acknowledge(contest, statement)
    except IntegrityError:  # contested at the same moment by another request
        reference = existing.first()
        raise ContestRefused(_already_contested(reference or "")) from None
    return contest


def _contest_data(contest: Contest) -> dict[str, object]:
    """No explanation, no contact address: the person who contests is not named."""
    return {
        "contest_id": contest.pk,
        "reference": contest.reference,
        "decision_id": contest.decision_id,
        "status": contest.status,
        "received_at": contest.received_at.isoformat(),
        "due_at": contest.due_at.isoformat(),
    }


def _already_contested(reference: str) -> str:
    return _("This decision has already been contested (reference %(reference)s).") % {
        "reference": reference
    }


def contest_decide(*, contest: Contest, actor: User, outcome: str, reasons: str) -> ContestOutcome:
    if outcome not in (ContestStatus.UPHELD, ContestStatus.REVERSED):
        raise ContestRefused(_("Choose whether the decision is upheld or reversed."))
    if not reasons.strip():
        raise ContestRefused(_("State the reasons for the person concerned."))
    decision = contest.decision
    if not (
        Membership.objects.moderators()
        .filter(user=actor, institution_id=contest.institution_id)
        .exists()
    ):
        raise ContestRefused(_("Only a moderator of the institution can decide on a contest."))
    if decision.actor_id is None:  # impossible for a hide or removal: taken by a person
        raise ContestRefused(_("This decision has no recorded author: it cannot be reviewed."))
    if decision.actor_id == actor.pk:
        raise ContestRefused(
            _("You took the contested decision: another moderator must review it.")
        )
    with transaction.atomic():
        locked = Contest.objects.select_for_update().get(pk=contest.pk)
        if locked.status != ContestStatus.OPEN:
            raise ContestRefused(_("This contest has already been decided."))
        reinstatement = None
        if outcome == ContestStatus.REVERSED:
            reinstatement = item_reinstate(
                decision=decision,
                actor=actor,
                note=_("Reversed on contest %(reference)s.") % {"reference": contest.reference},
            )
        result = ContestOutcome.objects.create(
            institution_id=contest.institution_id,
            contest=locked,
            outcome=outcome,
            reasons=reasons.strip(),
            decided_by=actor,
            original_decider_id=decision.actor_id,
            reinstatement=reinstatement,
        )
        Contest.objects.filter(pk=contest.pk).update(status=outcome)
        contest.status = outcome
        emit(contest.institution_id, Event.CONTEST_DECIDED, _contest_data(contest))
        if contest.contact_email:
            _tell_outcome(contest)
    return result


def _tell_moderators(contest: Contest) -> None:
    """Everyone who may decide it: the institution's moderators but the decider."""
    institution = contest.institution
    people = people_by_institution([institution.pk], MODERATOR_ROLES).get(institution.pk, [])
    zone = institution.zone
    params = {
        "reference": contest.reference,
        "channel": contest.decision.item.channel.name,
        "due": contest.due_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"),
    }
    for person in people:
        if person.pk == contest.decision.actor_id:
            continue
        notification_send(
            recipient=person,
            institution=institution,
            kind="contest.received",
            subject=ARRIVED_SUBJECT,
            body=ARRIVED_BODY,
            params=params,
            url=contest_staff_url(contest),
            dedupe_key=f"contest-received:{contest.pk}",
            about=contest.about_key,
        )


def contest_staff_url(contest: Contest) -> str:
    return reverse(
        "moderation:contest-detail",
        kwargs={"institution_slug": contest.institution.slug, "reference": contest.reference},
    )


def _acknowledge(contest: Contest, statement: DecisionStatement) -> None:
    """Anyone can type any address: only what GovSocial wrote (reference, date, the page)."""
    institution = contest.institution
    with translation.override(contest.language):
        subject = _("Your contest %(reference)s has been received") % {
            "reference": contest.reference
        }
        body = _(
            "%(institution)s received your contest of a moderation decision.\n\n"
            "Reference: %(reference)s\n"
            "A moderator other than the one who decided will review it by %(due)s at the latest."
            "\nThe outcome will be shown on the decision's page: %(url)s\n\n"
            "If you did not send it, you can ignore this message."
        ) % {
            "institution": institution.name_in(contest.language),
            "reference": contest.reference,
            "due": contest.due_at.astimezone(institution.zone).strftime("%d/%m/%Y"),
            "url": statement_url(statement),
        }
    email_queue(
        to_address=contest.contact_email, subject=subject, body_text=body, about=contest.about_key
    )


def _tell_outcome(contest: Contest) -> None:
    statement = DecisionStatement.objects.get(decision_id=contest.decision_id)
    with translation.override(contest.language):
        subject = _("Your contest %(reference)s has been decided") % {
            "reference": contest.reference
        }
        body = _(
            "Your contest %(reference)s of a moderation decision has been reviewed. The outcome "
            "and its reasons are on the decision's page: %(url)s"
        ) % {"reference": contest.reference, "url": statement_url(statement)}
    email_queue(
        to_address=contest.contact_email, subject=subject, body_text=body, about=contest.about_key
    )
