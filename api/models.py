"""API tokens: an institution's key to its own data, with scopes, an expiry and a name.

The secret is shown once and stored as its SHA-256 (a 256-bit random secret needs no slow
hash: there is nothing to guess). Each token has its own service user (``ApiToken.user``,
inactive, no password, no membership): every write through the API goes through the same
services as the pages, which record that user as the actor (decisions, case timelines,
simple-history), so the audit trail names the token ("API: <name>") and never the admin who
created it nor a shared robot. See docs/api.md, "Who acted".
"""

from __future__ import annotations

from datetime import datetime
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import Institution
from govsocial.tenancy import TenantQuerySet


class Scope(models.TextChoices):
    ITEMS_READ = "items:read", _("Read items, channels and decisions")
    ITEMS_ACT = "items:act", _("Decide on items (reply, hide, remove, no action, escalate)")
    CASES_READ = "cases:read", _("Read complaints, with the complainants' personal data")
    CASES_WRITE = "cases:write", _("Register complaints and change their status")
    REPORTS_READ = "reports:read", _("Read statistics and statements of reasons")


class ApiTokenQuerySet(TenantQuerySet):
    def usable(self, now: datetime | None = None) -> Self:
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, help_text="The secret's first characters, shown.")
    secret_sha256 = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_token",
        help_text="The service user the token acts as (the actor of its writes).",
    )

    objects = ApiTokenQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["last_used_at"])
    """Creation and revocation, with who did them (the last use is not history)."""

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.UniqueConstraint(fields=("institution", "name"), name="api_token_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
