from __future__ import annotations

from datetime import datetime

from govsocial.tenancy import TenantQuerySet


class ChannelQuerySet(TenantQuerySet):
    def active(self) -> ChannelQuerySet:
        return self.filter(is_active=True)


class InboundDeliveryQuerySet(TenantQuerySet):
    def waiting_since(self, cutoff: datetime) -> InboundDeliveryQuerySet:
        """Deliveries still unprocessed although they arrived before ``cutoff``."""
        return self.filter(status="received", received_at__lte=cutoff)

    def failed(self) -> InboundDeliveryQuerySet:
        return self.filter(status="failed")


class ImportJobQuerySet(TenantQuerySet):
    def unfinished_since(self, cutoff: datetime) -> ImportJobQuerySet:
        """Jobs waiting or running that have made no progress since ``cutoff``."""
        return self.filter(status__in=("queued", "running"), updated_at__lte=cutoff)
