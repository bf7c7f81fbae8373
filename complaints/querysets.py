from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from accounts.models import Institution
from govsocial.tenancy import TenantQuerySet


class CategoryQuerySet(TenantQuerySet):
    def available_to(self, institution: Institution) -> CategoryQuerySet:
        """The built-in categories and the institution's own, active ones."""
        return self.of_institution(institution).filter(is_active=True)

    def of_institution(self, institution: Institution) -> CategoryQuerySet:
        """The built-in categories and the institution's own, inactive ones too (past cases
        keep theirs). Codes are unique only per institution: never label by code alone."""
        return self.filter(Q(institution__isnull=True) | Q(institution=institution))


class CaseQuerySet(TenantQuerySet):
    def open(self) -> CaseQuerySet:
        return self.exclude(status="closed")

    def answer_owed(self) -> CaseQuerySet:
        """Cases whose 30-day clock runs (on hold too, unless the institution suspends it).

        A case moved back to in progress after its answer owes none: the first answer met or
        missed the deadline for good (docs/deadlines.md, "Reopened cases")."""
        from complaints.models import CLOCK_RUNNING

        return self.filter(status__in=CLOCK_RUNNING, answered_at__isnull=True).exclude(
            status="on_hold", institution__hold_suspends_complaint_clock=True
        )

    def overdue(self, now: datetime) -> CaseQuerySet:
        return self.answer_owed().filter(due_at__lt=now)
