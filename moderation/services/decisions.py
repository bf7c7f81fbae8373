"""Decisions on items: reply, hide, remove, no action, escalate, harassment, assign, reopen.

Invariants:
- every decision is a new, immutable row (``Decision``), with its actor, time and note;
- an answering decision (``ANSWERING_ACTIONS``) is taken only on an open item, by one
  conditional update of the item's status in the decision's transaction: of two moderators
  acting at once, one wins and the other is told who acted first; nothing is recorded twice;
- the first answering decision sets ``first_response_at`` (the item leaves the queue's clock);
  the SLA figures read ``sla_answered_at``: a hide, removal or no-action decision sets it when
  taken, a reply only once posted on the platform (``services.platform_to_do``), and an
  escalation never (the item still owes its public answer);
- an escalated item still takes one public reply (``reply_allowed``): its status stays
  escalated, the reply is recorded and goes to the platform like any other;
- a hide or a removal cites a rule of the public house rules in force that justifies that
  action, and states its reasons; without one it is refused with a message;
- a hide or a removal gets its public decision page (``services.decision_pages``); reversing
  it after a contest (``item_reinstate``) is a new ``REINSTATE`` decision, never a change to it;
- marking harassment preserves the item (evidence snapshot with its SHA-256) and records the
  advice given to the victim and their referral; it answers nothing (the victim is advised not
  to respond, and the item may still need hiding or removing).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, User
from charter.models import CharterRule
from charter.selectors import rules_justifying
from complaints.models import Case, Category
from complaints.services.cases import case_open_from_item
from complaints.services.evidence import (
    ADVICE_STEPS,
    REFERRAL_TARGETS,
    evidence_preserve,
    snapshot_take,
)
from moderation.models import (
    ANSWERING_ACTIONS,
    PROPOSING_ACTIONS,
    SLA_ANSWERS_WHEN_DECIDED,
    STATUS_AFTER,
    Action,
    Decision,
    Item,
    ItemStatus,
    RemovalProposal,
    SensitiveAccount,
)
from moderation.services import four_eyes
from moderation.services.decision_pages import statement_create
from moderation.services.outcomes import DecisionRefused, Outcome
from moderation.services.platform_actions import actions_plan
from moderation.social_items import social_item
from webhooks.events import emit
from webhooks.models import Event


def item_reply(*, item: Item, actor: User, text: str, note: str = "") -> Outcome:
    """Record the public reply and the platform action posting it: through the platform's
    connector where it can, else on the manual list for the moderator to post by hand."""
    if not text.strip():
        raise DecisionRefused(_("Write the reply first."))
    if Item.objects.filter(pk=item.pk, status=ItemStatus.ESCALATED).exists():
        return _reply_after_escalation(item, actor, text.strip(), note)
    return _answer(item, actor, Action.REPLY, note=note, reply_text=text.strip(), then=actions_plan)


def reply_allowed(item: Item) -> bool:
    """An open item takes a reply (not while a hide or removal of it waits for a second look);
    an escalated one its public answer, once."""
    if item.removal_pending:
        return False
    if item.status == ItemStatus.OPEN:
        return True
    if item.status != ItemStatus.ESCALATED:
        return False
    last = (
        Decision.objects.filter(item=item, action__in=(Action.ESCALATE, Action.REPLY))
        .order_by("-created_at", "-pk")
        .values_list("action", flat=True)
        .first()
    )
    return last != Action.REPLY


def _reply_after_escalation(item: Item, actor: User, text: str, note: str) -> Outcome:
    """Under the item's row lock, so two moderators never both record the public answer."""
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        if not reply_allowed(locked):
            raise DecisionRefused(
                _already_handled(item)
                if locked.status != ItemStatus.ESCALATED
                else _("The public answer to this escalated item is already recorded.")
            )
        decision = _record(item, actor, Action.REPLY, note=note, reply_text=text)
        actions_plan(decision)
    return Outcome(decision, Item.objects.get(pk=item.pk))


def item_hide(
    *,
    item: Item,
    actor: User,
    rule: CharterRule | None,
    reasons: str,
    concerns_criticism: bool = False,
) -> Outcome:
    """Hide the item, or propose it for a second look (``Outcome.proposal``) when the author is
    on the sensitive accounts list or the hide concerns criticism of the institution."""
    return _moderate(item, actor, Action.HIDE, rule, reasons, concerns_criticism)


def item_remove(
    *,
    item: Item,
    actor: User,
    rule: CharterRule | None,
    reasons: str,
    concerns_criticism: bool = False,
) -> Outcome:
    """Remove the item, or propose it for a second look (see ``item_hide``)."""
    return _moderate(item, actor, Action.REMOVE, rule, reasons, concerns_criticism)


def item_no_action(*, item: Item, actor: User, note: str = "") -> Outcome:
    return _answer(item, actor, Action.NO_ACTION, note=note)


def item_escalate(
    *, item: Item, actor: User, category: Category, subject: str, note: str = ""
) -> Outcome:
    """Open a complaint from the item (with an evidence snapshot). The item still needs its
    public first answer: the queue suggests a saved reply saying the complaint was passed on."""
    if not subject.strip():
        raise DecisionRefused(_("Give the complaint a subject."))

    def open_case() -> Case:
        data = social_item(item)
        case = case_open_from_item(item=data, actor=actor, category=category, subject=subject)
        evidence_preserve(case=case, actor=actor, item=data)
        return case

    return _answer(item, actor, Action.ESCALATE, note=note, make_case=open_case)


def escalation_category(item: Item, category_id: int | None) -> Category:
    """The category a moderator chose for the complaint (one the institution offers), or the
    refusal the item page and the API both show."""
    category = (
        Category.objects.available_to(item.institution).filter(pk=category_id).first()
        if category_id is not None and 0 < category_id < 2**31
        else None
    )
    if category is None:
        raise DecisionRefused(_("Choose the category of the complaint."))
    return category


def item_mark_harassment(
    *,
    item: Item,
    actor: User,
    advice: list[str],
    referral_target: str,
    referral_person: str,
    note: str = "",
) -> Outcome:
    """Preserve the item as evidence, and record the advice given and the referral."""
    unknown = set(advice) - set(ADVICE_STEPS)
    if unknown:
        raise DecisionRefused(_("Unknown advice."))
    if referral_target not in REFERRAL_TARGETS:
        raise DecisionRefused(_("Choose a trusted person or a mediator."))
    if not referral_person.strip():
        raise DecisionRefused(_("Say to whom the victim was referred."))
    with transaction.atomic():
        snapshot = snapshot_take(item=social_item(item), actor=actor)
        decision = _record(
            item,
            actor,
            Action.HARASSMENT,
            note=note.strip(),
            evidence=snapshot,
            advice=[step for step in ADVICE_STEPS if step in advice],
            referral_target=referral_target,
            referral_person=referral_person.strip()[:200],
        )
    return Outcome(decision, Item.objects.get(pk=item.pk))


def item_assign(*, item: Item, actor: User, assignee: User | None, note: str = "") -> Outcome:
    if (
        assignee is not None
        and not Membership.objects.moderators()
        .filter(user=assignee, institution_id=item.institution_id)
        .exists()
    ):
        raise DecisionRefused(_("This person does not moderate for the institution."))
    with transaction.atomic():
        Item.objects.filter(pk=item.pk).update(assigned_to=assignee)
        decision = _record(item, actor, Action.ASSIGN, note=note, assignee=assignee)
    return Outcome(decision, Item.objects.get(pk=item.pk))


def item_reopen(*, item: Item, actor: User, reason: str) -> Outcome:
    if not reason.strip():
        raise DecisionRefused(_("Say why the item is reopened."))
    with transaction.atomic():
        changed = (
            Item.objects.filter(pk=item.pk)
            .exclude(status=ItemStatus.OPEN)
            .update(status=ItemStatus.OPEN)
        )
        if not changed:
            raise DecisionRefused(_("The item is already open."))
        decision = _record(item, actor, Action.REOPEN, note=reason.strip())
        actions_plan(decision)
    return Outcome(decision, Item.objects.get(pk=item.pk))


def sla_met(item: Item) -> bool | None:
    """True/False once its answer reached the platform (as the SLA figures count it); None
    while it waits (a reply recorded but not yet posted waits)."""
    if item.sla_answered_at is None:
        return None
    return item.sla_answered_at <= item.due_at


def _moderate(
    item: Item,
    actor: User,
    action: str,
    rule: CharterRule | None,
    reasons: str,
    concerns_criticism: bool = False,
) -> Outcome:
    allowed = rules_justifying(item.institution, "hide" if action == Action.HIDE else "remove")
    if rule is None or not allowed.filter(pk=rule.pk).exists():
        raise DecisionRefused(
            _("Cite the rule of the house rules in force that allows this.")
            if allowed.exists()
            else _("The institution has no house rules in force allowing this: publish them first.")
        )
    if not reasons.strip():
        raise DecisionRefused(_("State the reasons for the person concerned."))
    account = four_eyes.sensitive_account_of(item)
    if account is not None or concerns_criticism:
        return _propose(item, actor, action, rule, reasons.strip(), concerns_criticism, account)
    return _answer(item, actor, action, rule=rule, reasons=reasons.strip(), then=removal_carry_out)


def removal_carry_out(decision: Decision) -> None:
    """The decision page (and the message telling the person, planned first: a comment must
    still exist to be answered privately), then the hide or delete on the platform."""
    statement_create(decision)
    actions_plan(decision)


def item_reinstate(*, decision: Decision, actor: User, note: str) -> Decision | None:
    """Reverse ``decision`` (a hide or removal) after a contest: the item is recorded as
    needing no action and restored on the platform (an UNHIDE, through the API or on the
    manual list). None when the item has moved on since (reopened, decided again, deleted):
    there is then nothing of this decision left to restore."""
    if decision.action not in (Action.HIDE, Action.REMOVE):
        raise DecisionRefused(_("Only a hide or a removal can be reversed."))
    with transaction.atomic():
        Item.objects.select_for_update().filter(pk=decision.item_id).first()
        latest = (
            Decision.objects.filter(
                item_id=decision.item_id,
                action__in=[*ANSWERING_ACTIONS, Action.REOPEN, Action.REINSTATE],
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if latest is None or latest.pk != decision.pk:
            return None
        changed = Item.objects.filter(
            pk=decision.item_id, status=STATUS_AFTER[Action(decision.action)]
        ).update(status=STATUS_AFTER[Action.REINSTATE])
        if not changed:
            return None
        reinstatement = _record(decision.item, actor, Action.REINSTATE, note=note)
        actions_plan(reinstatement)
    return reinstatement


def _propose(
    item: Item,
    actor: User,
    action: str,
    rule: CharterRule,
    reasons: str,
    concerns_criticism: bool,
    account: SensitiveAccount | None,
) -> Outcome:
    """Record the proposal instead of the hide or removal. One conditional update marks the
    item pending, so of a proposal and an answer (or another proposal) at once, one wins."""
    now = timezone.now()
    institution = item.institution
    due_at, warn_at = four_eyes.proposal_deadline(institution, now)
    with transaction.atomic():
        won = Item.objects.filter(pk=item.pk, status=ItemStatus.OPEN, removal_pending=False)
        if not won.update(removal_pending=True):
            raise DecisionRefused(_already_handled(item))
        decision = _record(
            item, actor, PROPOSING_ACTIONS[Action(action)], at=now, rule=rule, reasons=reasons
        )
        proposal = RemovalProposal.objects.create(
            institution=institution,
            item=item,
            action=action,
            rule=rule,
            reasons=reasons,
            proposer=actor,
            concerns_criticism=concerns_criticism,
            sensitive_account=account,
            needs_spokesperson=institution.sensitive_removal_needs_spokesperson,
            proposal=decision,
            created_at=now,
            due_at=due_at,
            warn_at=warn_at,
        )
    return Outcome(decision, Item.objects.get(pk=item.pk), proposal)


def _answer(
    item: Item,
    actor: User,
    action: str,
    make_case: Callable[[], Case] | None = None,
    then: Callable[[Decision], object] | None = None,
    *,
    pending: bool = False,
    **fields: object,
) -> Outcome:
    """Take an answering decision on an open item. ``pending``: the approval of the item's
    proposal (which clears the mark); otherwise an item with a pending proposal is refused."""
    now = timezone.now()
    answered: dict[str, object] = {}
    if action in SLA_ANSWERS_WHEN_DECIDED:
        moment = Value(now, output_field=DateTimeField())
        answered["sla_answered_at"] = Coalesce(Least("sla_answered_at", moment), moment)
    with transaction.atomic():
        won = Item.objects.filter(
            pk=item.pk, status=ItemStatus.OPEN, removal_pending=pending
        ).update(
            status=STATUS_AFTER[Action(action)],
            removal_pending=False,
            first_response_at=Coalesce("first_response_at", now),
            **answered,
        )
        if not won:
            raise DecisionRefused(_already_handled(item))
        case = make_case() if make_case is not None else None
        decision = _record(item, actor, action, at=now, case=case, **fields)
        if then is not None:
            then(decision)
    return Outcome(decision, Item.objects.get(pk=item.pk))


def _already_handled(item: Item) -> str:
    proposal = four_eyes.pending_proposal(Item.objects.get(pk=item.pk))
    if proposal is not None:
        return _(
            "%(who)s proposed to %(action)s this item on %(when)s: a second moderator must "
            "approve or reject that first."
        ) % {
            "who": proposal.proposer,
            "action": Action(proposal.action).label.lower(),
            "when": timezone.localtime(proposal.created_at).strftime("%d/%m/%Y %H:%M"),
        }
    last = (
        Decision.objects.filter(item=item, action__in=ANSWERING_ACTIONS)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None:
        return _("This item is no longer open.")
    return _("%(who)s already handled this item (%(action)s, %(when)s).") % {
        "who": last.actor,
        "action": Action(last.action).label,
        "when": timezone.localtime(last.created_at).strftime("%d/%m/%Y %H:%M"),
    }


def _record(
    item: Item, actor: User, action: str, *, at: datetime | None = None, **fields: object
) -> Decision:
    decision = Decision.objects.create(
        institution_id=item.institution_id,
        item=item,
        actor=actor,
        action=action,
        created_at=at or timezone.now(),
        **fields,
    )
    emit(
        item.institution_id,
        Event.ITEM_DECIDED,
        {
            "item_id": item.pk,
            "decision_id": decision.pk,
            "action": action,
            "rule_id": decision.rule_id,
            "decided_at": decision.created_at.isoformat(),
        },
    )
    return decision
