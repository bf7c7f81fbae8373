"""Named reads for charters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q

from charter.immutability import PUBLISHED, PublishedVersionError
from govsocial.tenancy import TenantQuerySet


class CharterQuerySet(TenantQuerySet):
    def public(self) -> CharterQuerySet:
        return self.filter(audience="public")

    def staff(self) -> CharterQuerySet:
        return self.filter(audience="staff")


class CharterVersionQuerySet(TenantQuerySet):
    def update(self, **kwargs: Any) -> int:
        """Bulk updates may touch drafts only (the database trigger enforces the same)."""
        if self.filter(status=PUBLISHED).exists():
            raise PublishedVersionError
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=PUBLISHED).exists():
            raise PublishedVersionError
        return super().delete()

    def published(self) -> CharterVersionQuerySet:
        return self.filter(status="published")

    def drafts(self) -> CharterVersionQuerySet:
        return self.filter(status="draft")

    def in_force_at(self, at: datetime) -> CharterVersionQuerySet:
        """Published no later than ``at``, newest first: ``.first()`` is the version in force."""
        return self.published().filter(Q(published_at__lte=at)).order_by("-published_at", "-number")
