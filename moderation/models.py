"""Incoming items (comments, replies, messages, mentions, reviews) and their platform revisions.

Items arrive through channels' connectors. ``due_at``/``warn_at`` are set once at creation from
the SLA clock; the queue and the decisions come with the moderation issue.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution
from channels.models import Channel
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
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    NO_ACTION = "no_action", _("No action needed")
    HIDDEN = "hidden", _("Hidden")
    REMOVED = "removed", _("Removed")
    ESCALATED = "escalated", _("Escalated to a complaint")


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
    raw_payload = models.JSONField(default=dict, blank=True)

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
            # the queue's default order: an institution's open items by due time.
            models.Index(fields=("institution", "status", "due_at", "id"), name="item_queue"),
        )

    def __str__(self) -> str:
        return f"{self.channel} · {self.external_id}"


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
