from __future__ import annotations

from datetime import datetime

from govsocial.tenancy import TenantQuerySet


class ItemQuerySet(TenantQuerySet):
    def from_public(self) -> ItemQuerySet:
        """What the public sent: without the institution's own posts, replies and messages."""
        return self.exclude(status="own")

    def open(self) -> ItemQuerySet:
        return self.filter(status="open")

    def awaiting_first_answer(self) -> ItemQuerySet:
        """Open and never answered: the items the 24-hour promise still applies to."""
        return self.filter(status="open", first_response_at__isnull=True)

    def overdue(self, now: datetime) -> ItemQuerySet:
        return self.awaiting_first_answer().filter(due_at__lt=now)
