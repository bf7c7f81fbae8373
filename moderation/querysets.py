from __future__ import annotations

from govsocial.tenancy import TenantQuerySet


class ItemQuerySet(TenantQuerySet):
    def open(self) -> ItemQuerySet:
        return self.filter(status="open")
