from __future__ import annotations

from django.db.models import Q

from accounts.models import Institution
from govsocial.tenancy import TenantQuerySet


class CategoryQuerySet(TenantQuerySet):
    def available_to(self, institution: Institution) -> CategoryQuerySet:
        """The built-in categories and the institution's own, active ones."""
        return self.filter(Q(institution__isnull=True) | Q(institution=institution), is_active=True)


class CaseQuerySet(TenantQuerySet):
    def open(self) -> CaseQuerySet:
        return self.exclude(status="closed")
