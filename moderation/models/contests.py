"""Accountability for hides and removals: the public decision page and contests.

- ``DecisionStatement``: one per hide or removal, the unguessable address of its public page
  (``/decisions/<token>/``) and the language the person concerned is told in. Decisions are
  append-only, so the page's row is a separate one keyed to the decision; it never changes.
- ``Contest``: the person's request to review the decision, with its reference and deadline
  (the institution's ``contest_days``, warned and breached by the deadline engine,
  ``moderation.deadlines.CONTESTS``). Its ``status`` and clock fields follow its life.
- ``ContestOutcome``: the decision on the contest, append-only, by a moderator other than the
  one who decided (a database check compares the two ids stored on the row).
"""

from __future__ import annotations

import secrets

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution
from govsocial.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from govsocial.tenancy import TenantQuerySet
from moderation.models.items import Decision

TOKEN_BYTES = 24
"""32 URL-safe characters: 192 random bits, beyond any guessing."""


def new_statement_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class StatementImmutableError(AppendOnlyError):
    message = "A decision page's record can never be changed or deleted."


class DecisionStatement(AppendOnlyModel):
    """The public page of one hide or removal (no login, unguessable address)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="statement")
    token = models.CharField(max_length=64, unique=True, default=new_statement_token)
    language = models.CharField(
        max_length=2, help_text="The language the person concerned is told in (fr, nl or en)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()
    immutable_error = StatementImmutableError

    class Meta:
        verbose_name = _("decision page")
        verbose_name_plural = _("decision pages")
        triggers = (
            pgtrigger.Protect(
                name="statement_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        )

    def __str__(self) -> str:
        return f"decision {self.decision_id}"


class ContestStatus(models.TextChoices):
    OPEN = "open", _("Being reviewed")
    UPHELD = "upheld", _("Decision upheld")
    REVERSED = "reversed", _("Decision reversed")


class Contest(models.Model):
    """A person contests a hide or removal; a moderator other than the decider decides."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="contest")
    reference = models.CharField(_("reference"), max_length=40)
    explanation = models.TextField(_("explanation"))
    contact_email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(max_length=2)
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    warned_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline check sent (or superseded) the warning."
    )
    breached_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline check notified the missed deadline."
    )
    status = models.CharField(max_length=10, choices=ContestStatus, default=ContestStatus.OPEN)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        constraints = (
            models.UniqueConstraint(
                fields=("institution", "reference"), name="contest_reference_once"
            ),
        )
        indexes = (
            # the contests page: an institution's contests by status, oldest deadline first.
            models.Index(fields=("institution", "status", "due_at"), name="contest_list"),
            # the deadline check: only open contests still to warn or to breach.
            models.Index(
                fields=("warn_at",),
                condition=Q(status="open", warned_at__isnull=True),
                name="contest_to_warn",
            ),
            models.Index(
                fields=("due_at",),
                condition=Q(status="open", breached_at__isnull=True),
                name="contest_to_breach",
            ),
            # the transparency page and the monthly report: contests received per month.
            models.Index(fields=("institution", "received_at"), name="contest_received"),
        )

    def __str__(self) -> str:
        return self.reference

    @property
    def about_key(self) -> str:
        """Names this contest on notifications and e-mails about it, so that retention finds
        them (``moderation.services.retention``)."""
        return self.about_key_of(self.pk)

    @staticmethod
    def about_key_of(pk: int) -> str:
        return f"moderation.contest:{pk}"


class ContestOutcomeImmutableError(AppendOnlyError):
    message = "The outcome of a contest can never be changed or deleted."


class ContestOutcome(AppendOnlyModel):
    """Upheld or reversed, with reasons, by someone other than the decider (append-only)."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    contest = models.OneToOneField(Contest, on_delete=models.PROTECT, related_name="outcome")
    outcome = models.CharField(
        max_length=10, choices=[c for c in ContestStatus.choices if c[0] != ContestStatus.OPEN]
    )
    reasons = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    original_decider = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who took the contested decision (never the same person as decided_by).",
    )
    decided_at = models.DateTimeField(default=timezone.now)
    reinstatement = models.OneToOneField(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The item's decision that restored it, when the reversal could restore it.",
    )

    objects = AppendOnlyQuerySet.as_manager()
    immutable_error = ContestOutcomeImmutableError

    class Meta:
        verbose_name = _("contest outcome")
        verbose_name_plural = _("contest outcomes")
        constraints = (
            models.CheckConstraint(
                condition=~Q(decided_by=F("original_decider")),
                name="contest_decided_by_another_moderator",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=("upheld", "reversed")), name="contest_outcome_known"
            ),
            models.CheckConstraint(condition=~Q(reasons=""), name="contest_outcome_states_reasons"),
            models.CheckConstraint(
                condition=Q(outcome="reversed") | Q(reinstatement__isnull=True),
                name="contest_reinstates_only_on_reversal",
            ),
        )
        triggers = (
            pgtrigger.Protect(
                name="contest_outcome_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        )

    def __str__(self) -> str:
        return f"{self.contest_id}: {self.outcome}"


class ContestCounter(models.Model):
    """The last contest reference number given per institution and year."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("institution", "year"), name="contest_counter_once"),
        )

    def __str__(self) -> str:
        return f"{self.institution_id}/{self.year}: {self.last_number}"
