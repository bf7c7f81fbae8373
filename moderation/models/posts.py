"""Outgoing posts and their review: the seeds' peer review and the spokesperson's check.

A communicator drafts a post for a channel (a text per language, a planned time); another
member reviews it (four eyes: never the author); a post flagged sensitive is approved only by a
spokesperson. Every change of state is an append-only ``PostTransition``.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution, SpokenLanguage
from channels.models import Channel
from govsocial.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet
from govsocial.tenancy import TenantQuerySet


class PostState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Post(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="posts")
    title = models.CharField(_("working title"), max_length=200)
    planned_at = models.DateTimeField(_("planned for"))
    sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("A spokesperson must approve it.")
    )
    state = models.CharField(max_length=20, choices=PostState, default=PostState.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_url = models.URLField(_("published address"), max_length=1000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("outgoing post")
        verbose_name_plural = _("outgoing posts")
        ordering = ("planned_at", "pk")
        indexes = (models.Index(fields=("institution", "planned_at"), name="post_calendar"),)

    def __str__(self) -> str:
        return self.title


class PostText(models.Model):
    """The post's text in one language (one per language)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=2, choices=SpokenLanguage)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ("language",)
        constraints = (models.UniqueConstraint(fields=("post", "language"), name="post_text_once"),)

    def __str__(self) -> str:
        return f"{self.post_id} [{self.language}]"


class PostImmutableError(AppendOnlyError):
    message = "A post's history can never be changed or deleted."


class PostTransition(AppendOnlyModel):
    """One step of a post's life: who, when, from which state to which, and why."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Drafted")
        EDITED = "edited", _("Edited")
        SUBMITTED = "submitted", _("Submitted for review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="transitions")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    from_state = models.CharField(max_length=20, choices=PostState, blank=True)
    to_state = models.CharField(max_length=20, choices=PostState)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()
    immutable_error = PostImmutableError

    class Meta:
        verbose_name = _("post transition")
        verbose_name_plural = _("post transitions")
        ordering = ("created_at", "pk")
        triggers = (
            pgtrigger.Protect(
                name="post_transition_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        )

    def __str__(self) -> str:
        return f"post {self.post_id}: {self.kind}"
