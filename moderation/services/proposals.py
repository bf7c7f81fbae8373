"""Approving, rejecting or withdrawing a proposed hide or removal (four eyes on sensitive
removals, docs/accountability.md; the proposal itself is made by ``decisions.item_hide`` and
``item_remove``, who decide when one is needed).

Invariants:
- a proposal is settled once: each step locks its row and checks it is still pending, so of two
  reviewers acting at once the second is told who settled it; the ``outcome`` is then written
  once (a database trigger refuses any later change);
- the proposer never approves: refused here with a message (``four_eyes.review_refusal``), and
  by the database check ``decision_four_eyes`` on the approving decision, which carries its
  proposer (``Decision.proposed_by``); where the institution asks for it only a spokesperson
  approves or rejects;
- approving takes the real hide or removal in the approver's name, citing the proposed rule (its
  row in the house rules in force: refused if that version no longer allows the action) and
  reasons, and queues its platform action as any hide or removal (nothing reaches the platform
  before); rejecting (with reasons) or withdrawing leaves the item open, its answers allowed
  again. Every step is a decision in the item's history.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from charter.selectors import rules_justifying
from moderation.models import Action, Decision, Item, ItemStatus, RemovalProposal
from moderation.services import four_eyes
from moderation.services.decisions import _answer, _record, removal_carry_out
from moderation.services.outcomes import DecisionRefused, Outcome


def proposal_approve(*, proposal: RemovalProposal, actor: User) -> Outcome:
    """Take the proposed hide or removal in the approver's name, its proposer credited
    (``Decision.proposed_by``; the database refuses the proposer as approver), and queue its
    platform action as any hide or removal."""
    with transaction.atomic():
        locked = _pending(proposal, actor, four_eyes.review_refusal)
        if locked.item.status != ItemStatus.OPEN:
            raise DecisionRefused(
                _("The item is no longer open (%(status)s): reject the proposal to close it.")
                % {"status": locked.item.get_status_display()}
            )
        # The rule in force with the proposed rule's number: a version published since the
        # proposal has its own rows, and a decision cites the version in force.
        action: Literal["hide", "remove"] = "hide" if locked.action == Action.HIDE else "remove"
        rule = (
            rules_justifying(locked.institution, action).filter(number=locked.rule.number).first()
        )
        if rule is None:
            raise DecisionRefused(
                _(
                    "The rule this proposal cites is no longer in the house rules in force: "
                    "reject it, then propose again citing a rule in force."
                )
            )
        outcome = _answer(
            locked.item, actor, locked.action, pending=True, then=removal_carry_out,
            rule=rule, reasons=locked.reasons, proposed_by=locked.proposer,
        )  # fmt: skip
        _close(locked, outcome.decision)
    return Outcome(outcome.decision, outcome.item, locked)


def proposal_reject(*, proposal: RemovalProposal, actor: User, reasons: str) -> Outcome:
    """The second moderator disagrees: nothing is hidden or removed, the item stays open."""
    if not reasons.strip():
        raise DecisionRefused(_("Say why the proposal is rejected."))
    return _settle(
        proposal, actor, Action.PROPOSAL_REJECTED, four_eyes.review_refusal,
        note=reasons.strip(), credit_proposer=True,
    )  # fmt: skip


def proposal_withdraw(*, proposal: RemovalProposal, actor: User, reason: str = "") -> Outcome:
    """The proposer takes the proposal back: nothing is hidden or removed, the item stays open."""
    return _settle(
        proposal, actor, Action.PROPOSAL_WITHDRAWN, four_eyes.withdraw_refusal, note=reason.strip()
    )


def _settle(
    proposal: RemovalProposal,
    actor: User,
    action: str,
    refusal: Callable[[RemovalProposal, User], str],
    *,
    note: str,
    credit_proposer: bool = False,
) -> Outcome:
    """Close the proposal without hiding or removing: a rejection names its proposer (the
    database check then refuses the proposer as the rejecting moderator)."""
    with transaction.atomic():
        locked = _pending(proposal, actor, refusal)
        proposer = locked.proposer if credit_proposer else None
        decision = _record(locked.item, actor, action, note=note, proposed_by=proposer)
        Item.objects.filter(pk=locked.item_id).update(removal_pending=False)
        _close(locked, decision)
    return Outcome(decision, Item.objects.get(pk=locked.item_id), locked)


def _pending(
    proposal: RemovalProposal, actor: User, refusal: Callable[[RemovalProposal, User], str]
) -> RemovalProposal:
    """The proposal, locked, still pending and open to ``actor``; refused otherwise."""
    locked = (
        RemovalProposal.objects.select_for_update(of=("self",))
        .select_related("institution", "item", "rule", "proposer")
        .get(pk=proposal.pk)
    )
    if not locked.is_pending:
        raise DecisionRefused(_proposal_settled(locked))
    reason = refusal(locked, actor)
    if reason:
        raise DecisionRefused(reason)
    return locked


def _close(proposal: RemovalProposal, decision: Decision) -> None:
    proposal.outcome = decision
    proposal.save(update_fields=["outcome"])


def _proposal_settled(proposal: RemovalProposal) -> str:
    outcome = Decision.objects.select_related("actor").get(proposal_outcome=proposal)
    return _("%(who)s already settled this proposal (%(action)s, %(when)s).") % {
        "who": outcome.actor,
        "action": Action(outcome.action).label,
        "when": timezone.localtime(outcome.created_at).strftime("%d/%m/%Y %H:%M"),
    }
