"""The kernel's half of tenancy: every tenant-owned row carries an ``institution``.

Which institution a request may see, and with which roles, is decided by memberships, so that
half lives in ``accounts/tenancy.py``. This module only gives tenant-owned models the queryset
every lookup starts from: ``Model.objects.for_institution(request.institution)``.
"""

from __future__ import annotations

from typing import Self

from django.db import models


class TenantQuerySet(models.QuerySet):
    """Base queryset of every model that carries an ``institution`` foreign key."""

    def for_institution(self, institution: models.Model) -> Self:
        return self.filter(institution=institution)
