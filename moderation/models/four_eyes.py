"""Four eyes on sensitive removals (docs/accountability.md).

An institution keeps a list of accounts whose content needs a second look before it is hidden
or removed (``SensitiveAccount``: elected officials, journalists, its own staff...). A hide or
removal of such an author's item, or one the moderator marks as concerning criticism of the
institution, is a ``RemovalProposal``: one moderator proposes, a second one (a spokesperson
where the institution says so) approves, and only then is the real decision taken.

The proposal row never changes what was proposed (database trigger): only the deadline check's
stamps (``warned_at``, ``breached_at``) and, once, its ``outcome`` (the decision that closed it)
are written after its creation. The history of the item keeps every step as append-only
``Decision`` rows; the approving decision carries its proposer, and a database check refuses
an approval by the proposer.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Institution
from channels.models import Platform
from govsocial.tenancy import TenantQuerySet
from moderation.models.items import Action, Decision, Item


def handle_key(handle: str) -> str:
    """How an account is compared: without spaces and the leading ``@``, case ignored
    (``@Journalist`` on X is ``journalist``; a Meta author id stays its digits)."""
    return handle.strip().lstrip("@").strip().casefold()


class SensitiveAccount(models.Model):
    """An account whose content needs a second moderator before it is hidden or removed."""

    class Category(models.TextChoices):
        ELECTED_OFFICIAL = "elected_official", _("Elected official")
        JOURNALIST = "journalist", _("Journalist")
        OWN_STAFF = "own_staff", _("The institution's own staff")
        OTHER = "other", _("Other")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform)
    handle = models.CharField(
        _("account handle or id"),
        max_length=255,
        help_text=_(
            "As the platform names the author: @name on X and Mastodon, the numeric id on "
            "Facebook and Instagram. Case and a leading @ are ignored."
        ),
    )
    handle_key = models.CharField(max_length=255, editable=False)
    name = models.CharField(_("name"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category)
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sensitive account")
        verbose_name_plural = _("sensitive accounts")
        ordering = ("platform", "handle_key")
        constraints = (
            # one entry per account: also the lookup of an item's author on a decision.
            models.UniqueConstraint(
                fields=("institution", "platform", "handle_key"), name="sensitive_account_once"
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.handle}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.handle_key = handle_key(self.handle)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class RemovalProposalQuerySet(TenantQuerySet):
    def pending(self) -> RemovalProposalQuerySet:
        return self.filter(outcome__isnull=True)


PROPOSED_CONTENT = (
    "institution",
    "item",
    "action",
    "rule",
    "reasons",
    "proposer",
    "concerns_criticism",
    "sensitive_account",
    "needs_spokesperson",
    "proposal",
    "created_at",
    "warn_at",
    "due_at",
)
"""What a proposal states: never changed after its creation (trigger ``proposal_content``)."""


class RemovalProposal(models.Model):
    """A hide or removal waiting for a second moderator, with its own deadline."""

    ACTIONS = (Action.HIDE, Action.REMOVE)
    Label = {
        Action.HIDE.value: _("Hiding proposed"),
        Action.REMOVE.value: _("Removal proposed"),
    }

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="removal_proposals")
    action = models.CharField(
        max_length=20, choices=[(action.value, action.label) for action in ACTIONS]
    )
    rule = models.ForeignKey("charter.CharterRule", on_delete=models.PROTECT, related_name="+")
    reasons = models.TextField()
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    concerns_criticism = models.BooleanField(
        default=False,
        help_text="Marked by its proposer as concerning criticism of the institution.",
    )
    sensitive_account = models.ForeignKey(
        SensitiveAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The entry of the list the item's author matched, if any.",
    )
    needs_spokesperson = models.BooleanField(
        default=False, help_text="The institution's setting when it was proposed."
    )
    proposal = models.OneToOneField(
        Decision, on_delete=models.PROTECT, related_name="+", help_text="Its row in the history."
    )
    created_at = models.DateTimeField(default=timezone.now)
    warn_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    outcome = models.OneToOneField(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal_outcome",
        help_text="The approving hide or removal, or the rejection or withdrawal.",
    )

    objects = RemovalProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("removal proposal")
        verbose_name_plural = _("removal proposals")
        ordering = ("due_at", "pk")
        constraints = (
            # a pending proposal stops the item's answers: one at a time.
            models.UniqueConstraint(
                fields=("item",),
                condition=Q(outcome__isnull=True),
                name="removal_proposal_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(action__in=("hide", "remove")), name="removal_proposal_action"
            ),
        )
        indexes = (
            # the pending approvals page and its count: an institution's pending proposals.
            models.Index(
                fields=("institution", "due_at", "id"),
                condition=Q(outcome__isnull=True),
                name="removal_proposal_pending",
            ),
            # the deadline check (deadlines/engine.py): only rows still to warn or to breach.
            models.Index(
                fields=("warn_at",),
                condition=Q(outcome__isnull=True, warned_at__isnull=True),
                name="removal_proposal_to_warn",
            ),
            models.Index(
                fields=("due_at",),
                condition=Q(outcome__isnull=True, breached_at__isnull=True),
                name="removal_proposal_to_breach",
            ),
        )
        triggers = (
            pgtrigger.Protect(name="proposal_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="proposal_content",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(*PROPOSED_CONTENT),
            ),
            pgtrigger.Protect(
                name="proposal_closed_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__outcome__isnull=False),
            ),
        )

    def __str__(self) -> str:
        return f"{self.action} proposed on item {self.item_id}"

    @property
    def is_pending(self) -> bool:
        return self.outcome_id is None
