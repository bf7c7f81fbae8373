"""Incoming items (comments, replies, messages, mentions, reviews), their platform revisions,
the decisions taken on them, saved replies and duty (what a decision does on the platform is a
``PlatformAction``, moderation/models/actions.py).

Items arrive through channels' connectors. ``due_at``/``warn_at`` are set once at creation from
the SLA clock. Decisions are append-only.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Institution, SpokenLanguage
from channels.models import Channel
from govsocial.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from govsocial.tenancy import TenantQuerySet
from moderation.querysets import ItemQuerySet


class ItemKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    REPLY = "reply", _("Reply")
    DIRECT_MESSAGE = "direct_message", _("Direct message")
    MENTION = "mention", _("Mention")
    REVIEW = "review", _("Review")
    POST = "post", _("Post")


class ItemStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("item status", "Open")  # an adjective, not the verb
    ANSWERED = "answered", _("Answered")
    NO_ACTION = "no_action", _("No action needed")
    HIDDEN = "hidden", _("Hidden")
    REMOVED = "removed", _("Removed")
    ESCALATED = "escalated", _("Escalated to a complaint")
    DELETED = "deleted", _("Deleted on the platform")
    HISTORIC = "historic", _("Imported as already handled")
    OWN = "own", _("The institution's own")
    """A post, reply or message the institution itself published on the platform: part of
    the threads, never in the queue, the deadline check or the reports' received counts."""


class Item(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="items")
    external_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=ItemKind, default=ItemKind.COMMENT)
    author_name = models.CharField(max_length=255, blank=True)
    author_handle = models.CharField(max_length=255, blank=True)
    author_url = models.URLField(max_length=1000, blank=True)
    text = models.TextField(blank=True)
    language = models.CharField(max_length=2, blank=True)
    permalink = models.URLField(max_length=1000, blank=True)
    parent_external_id = models.CharField(max_length=255, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=ItemStatus, default=ItemStatus.OPEN)
    keyword_hits = models.JSONField(default=list, blank=True)
    priority = models.PositiveSmallIntegerField(
        default=0, help_text="0 normal, 1 watched terms found, 2 an urgent term found."
    )
    text_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="Platform time of the text shown (last edit wins)."
    )
    deleted_on_platform_at = models.DateTimeField(null=True, blank=True)
    hidden_on_platform_at = models.DateTimeField(null=True, blank=True)
    visibility_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="Platform time of the last hide or unhide applied."
    )
    raw_payload = models.JSONField(default=dict, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_items",
    )
    first_response_at = models.DateTimeField(
        null=True, blank=True, help_text="When the first answering decision was taken."
    )
    sla_answered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When the first answer reached the platform, for the SLA figures: a hide, removal "
            "or no-action decision when taken, a reply when posted (by API or by hand)."
        ),
    )
    warned_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline check sent (or superseded) the warning."
    )
    breached_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline check notified the missed deadline."
    )
    ladder_next_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When the next step of the escalation ladder is due (moderation.services.ladder); "
            "empty when none is."
        ),
    )
    removal_pending = models.BooleanField(
        default=False,
        help_text=(
            "A hide or removal of this item waits for a second moderator (RemovalProposal): "
            "its answers wait too. A column, so that the answers' conditional update sees it."
        ),
    )
    anonymised_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When retention erased the text and the author (moderation.services.retention).",
    )

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = (
            models.UniqueConstraint(
                fields=("channel", "external_id"), name="item_once_per_channel"
            ),
        )
        indexes = (
            # channel list: open items per channel.
            models.Index(fields=("channel", "status"), name="item_channel_status"),
            # the queue's order (moderation.selectors): within a deadline band, an institution's
            # open items by priority, then due time; one range scan per band.
            models.Index(
                fields=("institution", "status", "-priority", "due_at", "id"),
                name="item_queue_priority",
            ),
            # the item page's thread (moderation.selectors.item_thread): the replies to an item
            # of a channel, in posting order; replies only (most items are not one).
            models.Index(
                fields=("channel", "parent_external_id", "posted_at", "id"),
                name="item_replies",
                condition=~Q(parent_external_id=""),
            ),
            # the queue's "N new items" badge; retention: items received before a cutoff.
            models.Index(fields=("institution", "received_at"), name="item_received"),
            # the deadline check: only rows still to warn or to breach (see deadlines/engine.py).
            models.Index(
                fields=("warn_at",),
                condition=Q(status="open", first_response_at__isnull=True, warned_at__isnull=True),
                name="item_to_warn",
            ),
            models.Index(
                fields=("due_at",),
                condition=Q(
                    status="open", first_response_at__isnull=True, breached_at__isnull=True
                ),
                name="item_to_breach",
            ),
            # the escalation ladder's sweep: only items with a step still to send.
            models.Index(
                fields=("ladder_next_at",),
                condition=Q(ladder_next_at__isnull=False),
                name="item_ladder_next",
            ),
        )

    def __str__(self) -> str:
        return f"{self.channel} · {self.external_id}"

    @property
    def about_key(self) -> str:
        """Names this item on notifications about it, so that anonymising it finds them."""
        return self.about_key_of(self.pk)

    @staticmethod
    def about_key_of(pk: int) -> str:
        return f"moderation.item:{pk}"


class ItemRevision(models.Model):
    """An earlier (or out-of-order) text of an item, as the platform reported an edit."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField(blank=True)
    edited_at = models.DateTimeField(help_text="Platform time of this text.")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("item revision")
        verbose_name_plural = _("item revisions")
        ordering = ("item", "edited_at")
        constraints = (
            models.UniqueConstraint(
                fields=("item", "edited_at"),
                name="revision_once",
                condition=Q(edited_at__isnull=False),
            ),
        )

    def __str__(self) -> str:
        return f"{self.item} @ {self.edited_at}"


class Action(models.TextChoices):
    REPLY = "reply", _("Reply")
    HIDE = "hide", _("Hide")
    REMOVE = "remove", _("Remove")
    NO_ACTION = "no_action", _("No action needed")
    ESCALATE = "escalate", _("Escalate to a complaint")
    ASSIGN = "assign", _("Assign")
    REOPEN = "reopen", _("Reopen")
    HARASSMENT = "harassment", _("Marked as harassment")
    PLATFORM_DELETE = "platform_delete", _("Deleted on the platform: no answer owed")
    HISTORIC = "historic", _("Imported as already handled: no deadline")
    HIDE_PROPOSED = "hide_proposed", _("Hide proposed: a second moderator must approve")
    REMOVE_PROPOSED = "remove_proposed", _("Removal proposed: a second moderator must approve")
    PROPOSAL_REJECTED = "proposal_rejected", _("Proposal rejected by a second moderator")
    PROPOSAL_WITHDRAWN = "proposal_withdrawn", _("Proposal withdrawn by its proposer")
    REINSTATE = "reinstate", _("Restored after a contest")
    """A hide or removal reversed on contest (``moderation.services.contests``): the item is
    visible again (or to be restored by hand) and needs no further action."""


ANSWERING_ACTIONS = frozenset(
    {Action.REPLY, Action.HIDE, Action.REMOVE, Action.NO_ACTION, Action.ESCALATE}
)
"""The decisions that answer an item: the first one sets its first-response time."""

PROPOSING_ACTIONS = {Action.HIDE: Action.HIDE_PROPOSED, Action.REMOVE: Action.REMOVE_PROPOSED}
"""A hide or removal needing four eyes is recorded first as its proposal: docs/accountability.md."""

SLA_ANSWERS_WHEN_DECIDED = frozenset({Action.HIDE, Action.REMOVE, Action.NO_ACTION})
"""Answering decisions that count for the SLA figures when taken (``Item.sla_answered_at``). A
reply counts when it is posted on the platform (``moderation.services.platform_to_do``); an
escalation is not the public answer, which the item still owes (docs/reports.md)."""

STATUS_AFTER = {
    Action.REPLY: ItemStatus.ANSWERED,
    Action.HIDE: ItemStatus.HIDDEN,
    Action.REMOVE: ItemStatus.REMOVED,
    Action.NO_ACTION: ItemStatus.NO_ACTION,
    Action.ESCALATE: ItemStatus.ESCALATED,
    Action.REOPEN: ItemStatus.OPEN,
    Action.REINSTATE: ItemStatus.NO_ACTION,
}


class DecisionImmutableError(AppendOnlyError):
    message = "A moderation decision can never be changed or deleted."


class Decision(AppendOnlyModel):
    """What a moderator decided about an item. Append-only (database triggers, model guards).

    A hide or a removal cites the rule of the house rules in force and states the reasons.
    """

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="decisions")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for GovSocial's own decisions (assignment on arrival).",
    )
    action = models.CharField(max_length=20, choices=Action)
    created_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    rule = models.ForeignKey(
        "charter.CharterRule", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reasons = models.TextField(blank=True, help_text="Statement of reasons for a hide or removal.")
    reply_text = models.TextField(blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "complaints.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = models.ForeignKey(
        "complaints.EvidenceSnapshot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The snapshot taken when the item was marked as harassment.",
    )
    advice = models.JSONField(
        default=list, blank=True, help_text="Victim-advice steps given (harassment)."
    )
    referral_target = models.CharField(max_length=20, blank=True)
    referral_person = models.CharField(max_length=200, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=(
            "Four eyes: who proposed the hide or removal this decision approves or rejects "
            "(never its actor, a database check)."
        ),
    )

    objects = AppendOnlyQuerySet.as_manager()
    immutable_error = DecisionImmutableError

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ("created_at", "pk")
        indexes = (
            # monthly reports, the transparency page and the statements export: by month.
            models.Index(fields=("institution", "created_at"), name="decision_by_time"),
        )
        constraints = (
            models.CheckConstraint(
                condition=~Q(action__in=("hide", "remove")) | Q(rule__isnull=False),
                name="decision_removal_cites_rule",
            ),
            models.CheckConstraint(
                condition=~Q(action="harassment") | Q(evidence__isnull=False),
                name="decision_harassment_keeps_evidence",
            ),
            models.CheckConstraint(
                condition=~Q(action__in=("hide_proposed", "remove_proposed"))
                | Q(rule__isnull=False),
                name="decision_proposal_cites_rule",
            ),
            # four eyes: the second moderator is a person, never the proposer.
            models.CheckConstraint(
                condition=Q(proposed_by__isnull=True)
                | (Q(actor__isnull=False) & ~Q(actor=F("proposed_by"))),
                name="decision_four_eyes",
            ),
        )
        triggers = (
            pgtrigger.Protect(
                name="decision_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        )

    def __str__(self) -> str:
        return f"{self.action} on item {self.item_id}"

    @property
    def shown_note(self) -> str:
        """The note as the history shows it. Automatic assignments once stored the English
        words "on arrival" as their note; the history says "assigned automatically" instead
        (translated), and these rows can never be rewritten."""
        return "" if self.actor_id is None and self.note == "on arrival" else self.note


class SavedReply(models.Model):
    """A prepared answer in one language; placeholders {author}, {channel}, {institution}."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    language = models.CharField(_("language"), max_length=2, choices=SpokenLanguage)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        ordering = ("language", "title")

    def __str__(self) -> str:
        return self.title


class DutyStatus(models.Model):
    """Whether a member takes new items now (the 24-hour promise includes nights and weekends).

    ``last_assigned_at`` breaks ties between equally loaded moderators (round-robin).
    """

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    on_duty = models.BooleanField(_("on duty"), default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("institution", "user"), name="duty_once"),)

    def __str__(self) -> str:
        return f"{self.user_id}@{self.institution_id}: {'on' if self.on_duty else 'off'}"
