"""How a recorded reply reaches the platform.

The reply decision is immutable; its delivery is not: it is queued for the connector when the
platform accepts replies through its API (Mastodon), or left "to post" for the moderator to
paste on the platform. Each change keeps its time and, for people, its author.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Institution
from govsocial.tenancy import TenantQuerySet
from moderation.models.items import Decision


class ReplyDelivery(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Being sent through the platform")
        SENT = "sent", _("Sent through the platform")
        FAILED = "failed", _("Sending failed: to post on the platform")
        TO_POST = "to_post", _("To post on the platform")
        POSTED = "posted", _("Posted on the platform by hand")

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="delivery")
    state = models.CharField(max_length=10, choices=State)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="The platform's last answer (admins).")
    failed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    platform_id = models.CharField(max_length=255, blank=True)
    platform_url = models.URLField(max_length=1000, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    posted_at = models.DateTimeField(null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply delivery")
        verbose_name_plural = _("reply deliveries")
        indexes = (
            # the sweeper: queued deliveries by their next attempt.
            models.Index(
                fields=("next_attempt_at",), name="reply_delivery_due", condition=Q(state="queued")
            ),
        )

    def __str__(self) -> str:
        return f"reply {self.decision_id}: {self.state}"

    @property
    def needs_posting(self) -> bool:
        return self.state in (self.State.TO_POST, self.State.FAILED)
