"""Outgoing webhooks: who wants to hear about which events, and every delivery of each event.

A ``Delivery`` is the outbox row written in the transaction of the change it reports (so no
event is sent for a change that rolled back, and none is lost when the broker is down); its
``Attempt`` rows record every try, automatic or asked for by hand, with its answer.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from govsocial.secrets import decrypt_secret, encrypt_secret
from govsocial.tenancy import TenantQuerySet


class Event(models.TextChoices):
    ITEM_RECEIVED = "item.received", _("Item received")
    ITEM_DECIDED = "item.decided", _("Item decided (reply, hide, removal, escalation, …)")
    ACTION_EXECUTED = "action.executed", _("Action carried out on the platform")
    CASE_CREATED = "case.created", _("Complaint case created")
    CASE_STATUS_CHANGED = "case.status_changed", _("Complaint case status changed")
    DEADLINE_WARNED = "deadline.warned", _("Deadline warning")
    DEADLINE_BREACHED = "deadline.breached", _("Deadline missed")
    CONTEST_OPENED = "contest.opened", _("Decision contested")
    CONTEST_DECIDED = "contest.decided", _("Contest decided")


class Subscription(models.Model):
    institution = models.ForeignKey(
        "accounts.Institution", on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(_("address (URL)"), max_length=500)
    events = models.JSONField(default=list)
    """The ``Event`` values this subscription receives."""
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    secret_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["secret_encrypted"])

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook subscription")
        ordering = ("pk",)

    def __str__(self) -> str:
        return self.url

    @property
    def secret(self) -> str:
        """The HMAC key deliveries are signed with (stored encrypted)."""
        return decrypt_secret(self.secret_encrypted)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_encrypted = encrypt_secret(value)


class DeliveryQuerySet(TenantQuerySet):
    def due(self, now: object) -> DeliveryQuerySet:
        """Pending deliveries whose next attempt has come (served by ``webhook_delivery_due``)."""
        return self.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    institution = models.ForeignKey("accounts.Institution", on_delete=models.CASCADE)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.UUIDField(default=uuid.uuid4)
    """Shared by the deliveries of one event to several subscriptions; a receiver dedupes on it."""
    event = models.CharField(max_length=40, choices=Event.choices)
    payload = models.JSONField()
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True)
    retry_until = models.DateTimeField()
    """The last automatic attempt happens at this moment at the latest; a failure then is final."""
    delivered_at = models.DateTimeField(null=True)
    last_status_code = models.PositiveSmallIntegerField(null=True)
    last_error = models.TextField(blank=True)
    redeliver_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    """Who asked for the redelivery the next attempt carries out (recorded on that attempt)."""

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery")
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once"
            ),
        ]
        indexes = [
            # The sweeper: pending deliveries whose next attempt has come.
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=models.Q(status="pending"),
            ),
            # The deliveries page: an institution's deliveries by status, newest first.
            models.Index(
                fields=["institution", "status", "-created_at"], name="webhook_delivery_list"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id}"


class Attempt(models.Model):
    institution = models.ForeignKey("accounts.Institution", on_delete=models.CASCADE)
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_set")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    """Set when a person asked for this attempt (a redelivery by hand)."""

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook delivery attempt")
        ordering = ("-started_at", "-pk")

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.started_at}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
