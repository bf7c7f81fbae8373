"""Four eyes on sensitive removals: who needs a second look, who may give it, and by when.

The writes (propose, approve, reject, withdraw) are decisions, in ``services.decisions``; this
module holds the rules they apply (docs/accountability.md):

- a hide or removal needs a second moderator when the item's author is an active entry of the
  institution's sensitive accounts list on the item's platform, or when the moderator marks it
  as concerning criticism of the institution;
- the second moderator is anyone who moderates in the institution except the proposer, and a
  spokesperson when the institution asks for one (now, or when the proposal was made: the
  stricter of the two); the proposer may withdraw their own proposal instead;
- a proposal is due within the institution's ``sensitive_removal_hours`` (elapsed time, like
  the social clock), warned at its warning share; the item's own deadline keeps running.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import MODERATOR_ROLES, Institution, Membership, Role, User
from accounts.tenancy import expand_roles
from govsocial.deadlines.clock import item_due_at, warn_at
from moderation.models import Item, RemovalProposal, SensitiveAccount, handle_key


def sensitive_account_of(item: Item) -> SensitiveAccount | None:
    """The active list entry naming the item's author on its platform (one indexed query)."""
    key = handle_key(item.author_handle)
    if not key:
        return None
    return (
        SensitiveAccount.objects.filter(institution_id=item.institution_id)
        .filter(platform=item.channel.platform, handle_key=key, is_active=True)
        .first()
    )


def proposal_deadline(institution: Institution, now: datetime) -> tuple[datetime, datetime]:
    """``(due_at, warn_at)`` of a proposal made at ``now``."""
    due = item_due_at(now, response_hours=institution.sensitive_removal_hours)
    return due, warn_at(now, due, institution.warning_share_percent / 100)


def needs_spokesperson(proposal: RemovalProposal) -> bool:
    return proposal.needs_spokesperson or proposal.institution.sensitive_removal_needs_spokesperson


def roles_of(user: User, institution: Institution) -> frozenset[str]:
    """The user's roles in the institution, including those a role includes (one query)."""
    held = Membership.objects.active().filter(user=user, institution=institution)
    return expand_roles(held.values_list("role", flat=True))


def review_refusal(
    proposal: RemovalProposal, user: User, roles: frozenset[str] | None = None
) -> str:
    """Why ``user`` may not approve or reject ``proposal`` (empty when they may). The page shows
    it in place of the buttons; the services refuse with it. ``roles``: the user's roles in the
    proposal's institution when the caller knows them (a page), else read here."""
    if proposal.proposer_id == user.pk:
        return _(
            "You proposed this: another moderator must approve or reject it. You may withdraw it."
        )
    if roles is None:
        roles = roles_of(user, proposal.institution)
    if needs_spokesperson(proposal):
        if Role.SPOKESPERSON not in roles:
            return _("A spokesperson must approve or reject this proposal.")
    elif not roles & set(MODERATOR_ROLES):
        return _("Only a moderator of the institution may approve or reject this proposal.")
    return ""


def withdraw_refusal(proposal: RemovalProposal, user: User) -> str:
    if proposal.proposer_id != user.pk:
        return _("Only the moderator who proposed it may withdraw a proposal.")
    return ""


def pending_proposal(item: Item) -> RemovalProposal | None:
    """The item's pending proposal, if any (at most one: a partial unique constraint)."""
    if not item.removal_pending:
        return None
    return (
        RemovalProposal.objects.pending()
        .filter(item=item)
        .select_related("institution", "proposer", "rule", "sensitive_account")
        .first()
    )


def sensitive_account_save(
    *, institution: Institution, actor: User, account: SensitiveAccount
) -> SensitiveAccount:
    """Add or change an entry of the list; the change is recorded in its history (who, when,
    what). Entries are never deleted, only made inactive: proposals name them."""
    account.institution = institution
    account.handle_key = handle_key(account.handle)
    account.full_clean()
    account._history_user = actor  # type: ignore[attr-defined]
    account.save()
    return account


def pending_proposals(institution: Institution) -> QuerySet[RemovalProposal]:
    """The institution's proposals waiting for a second look, the most urgent first (the
    partial index ``removal_proposal_pending``)."""
    return (
        RemovalProposal.objects.for_institution(institution)
        .pending()
        .select_related("item__channel", "proposer", "rule", "sensitive_account")
        .order_by("due_at", "pk")
    )
