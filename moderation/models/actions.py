"""What GovSocial carries out on the platforms, one row per action.

A decision (hide, remove, reply) or an approved post leads to a ``PlatformAction``; the decision
stays append-only, the action's row follows its life: queued after the decision's commit, sent
through the channel's connector (``channels.connectors.actions``) with a key that is the same on
every attempt, executed, then verified by reading the object back (at once, and again later to
catch an undo on the platform). Where the platform or the channel's credentials do not allow it,
or the platform refused it for good, the action is on the institution's "to do on the platform"
list until a person marks it done, with the permalink. Every change keeps its time and, for
people, its author.
"""

from __future__ import annotations

import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution
from channels.connectors.actions import ActionKind
from channels.models import Channel
from govsocial.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from govsocial.tenancy import TenantQuerySet
from moderation.models.items import Decision
from moderation.models.posts import Post


def new_action_key() -> str:
    return f"govsocial-{uuid.uuid4().hex}"


class PlatformAction(models.Model):
    class Kind(models.TextChoices):
        REPLY = ActionKind.REPLY.value, _("Reply")
        PRIVATE_REPLY = ActionKind.PRIVATE_REPLY.value, _("Private reply")
        HIDE = ActionKind.HIDE.value, _("Hide")
        UNHIDE = ActionKind.UNHIDE.value, _("Unhide")
        DELETE = ActionKind.DELETE.value, _("Delete")
        PUBLISH = ActionKind.PUBLISH.value, _("Publish")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to be carried out on the platform")
        SENDING = "sending", _("Being carried out on the platform")
        EXECUTED = "executed", _("Carried out on the platform, not verified")
        """Stays so when the platform offers no way to read the result back."""
        VERIFIED = "verified", _("Carried out on the platform and verified")
        MISMATCH = "mismatch", _("Changed back on the platform")
        FAILED = "failed", _("Refused by the platform: to do by hand")
        MANUAL = "manual", _("To do on the platform by hand")
        DONE_BY_HAND = "done_by_hand", _("Done on the platform by hand")

    WAITING = (State.QUEUED, State.SENDING)
    TO_DO_BY_HAND = (State.MANUAL, State.FAILED)
    CARRIED_OUT = (State.EXECUTED, State.VERIFIED, State.DONE_BY_HAND)

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    decision = models.ForeignKey(
        Decision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="platform_actions",
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="platform_actions"
    )
    target_id = models.CharField(
        max_length=255, blank=True, help_text="The platform id acted upon; empty to publish."
    )
    text = models.TextField(blank=True, help_text="The reply, message or post as sent.")
    key = models.CharField(max_length=64, unique=True, default=new_action_key, editable=False)
    state = models.CharField(max_length=20, choices=State)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="The platform's last answer (admins).")
    manual_reason = models.TextField(
        blank=True, help_text="Why this is to be done by hand (shown on the list)."
    )
    executed_at = models.DateTimeField(null=True, blank=True)
    object_id = models.CharField(
        max_length=255, blank=True, help_text="What to read back: the created object or target."
    )
    url = models.URLField(max_length=1000, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    checks = models.PositiveSmallIntegerField(default=0, help_text="Read-backs done so far.")
    next_check_at = models.DateTimeField(null=True, blank=True)
    observed = models.CharField(max_length=10, blank=True, help_text="What the last read showed.")
    due_at = models.DateTimeField(
        null=True, blank=True, help_text="When it must be done by hand at the latest."
    )
    warn_at = models.DateTimeField(
        null=True, blank=True, help_text="When the people who act on it are warned (by hand)."
    )
    warned_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline check sent (or superseded) the warning."
    )
    breached_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline check notified the missed deadline."
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("platform action")
        verbose_name_plural = _("platform actions")
        constraints = (
            models.CheckConstraint(
                condition=Q(decision__isnull=False, post__isnull=True)
                | Q(decision__isnull=True, post__isnull=False),
                name="platform_action_for_decision_or_post",
            ),
            # an approved post is published once: two publishing runs at once insert one row.
            models.UniqueConstraint(
                fields=("post",), condition=Q(kind="publish"), name="platform_action_publish_once"
            ),
        )
        indexes = (
            # the sweeper: queued actions, and sending ones whose lease ran out, by next attempt.
            models.Index(
                fields=("next_attempt_at",),
                name="platform_action_due",
                condition=Q(state__in=("queued", "sending")),
            ),
            # the verifier: carried-out actions by their next read-back.
            models.Index(
                fields=("next_check_at",),
                name="platform_action_check_due",
                condition=Q(next_check_at__isnull=False),
            ),
            # the "to do on the platform" list of an institution, oldest deadline first.
            models.Index(
                fields=("institution", "due_at"),
                name="platform_action_to_do",
                condition=Q(state__in=("manual", "failed")),
            ),
            # the deadline check (moderation.deadlines.TO_DO): only rows still to warn or breach.
            models.Index(
                fields=("warn_at",),
                name="platform_action_to_warn",
                condition=Q(state__in=("manual", "failed"), warned_at__isnull=True),
            ),
            models.Index(
                fields=("due_at",),
                name="platform_action_to_breach",
                condition=Q(state__in=("manual", "failed"), breached_at__isnull=True),
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} on {self.channel_id}: {self.state}"

    @property
    def to_do_by_hand(self) -> bool:
        return self.state in self.TO_DO_BY_HAND


class ActionResultImmutableError(AppendOnlyError):
    message = "A platform action's result can never be changed or deleted."


class PlatformActionResult(AppendOnlyModel):
    """A result of a platform action as it happened: executed, verified, changed back, refused,
    done by hand. Append-only, one row per result, so the ledger can record each one.

    The ``PlatformAction`` row only keeps its latest state (executed becomes verified, a verified
    action may become a mismatch): it cannot be recomputed into what it was when each result
    happened, so results are written here, in the transaction that changes the action's state
    (moderation/services/action_results.py).
    """

    class Result(models.TextChoices):
        EXECUTED = "executed", _("Carried out on the platform")
        VERIFIED = "verified", _("Verified on the platform")
        MISMATCH = "mismatch", _("Changed back on the platform")
        FAILED = "failed", _("Refused by the platform")
        DONE_BY_HAND = "done_by_hand", _("Done on the platform by hand")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    action = models.ForeignKey(PlatformAction, on_delete=models.PROTECT, related_name="results")
    result = models.CharField(max_length=20, choices=Result)
    at = models.DateTimeField(default=timezone.now)
    object_id = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    observed = models.CharField(max_length=10, blank=True)
    error = models.TextField(blank=True, help_text="The platform's answer, for a refusal.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AppendOnlyQuerySet.as_manager()
    immutable_error = ActionResultImmutableError

    class Meta:
        verbose_name = _("platform action result")
        verbose_name_plural = _("platform action results")
        ordering = ("at", "pk")
        triggers = (
            pgtrigger.Protect(
                name="platform_action_result_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        )

    def __str__(self) -> str:
        return f"{self.result} of action {self.action_id}"
