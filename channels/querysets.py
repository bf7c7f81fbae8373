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

    def waiting_for(self, channel_id: int) -> InboundDeliveryQuerySet:
        return self.filter(channel_id=channel_id, status="received")

    def claim_next(self, channel_id: int, count: int) -> InboundDeliveryQuerySet:
        """The channel's oldest waiting deliveries that no other worker holds, locked."""
        return (
            self.waiting_for(channel_id)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("channel__institution")
            .order_by("received_at", "pk")[:count]
        )

    def channel_ids(self) -> list[int]:
        return list(self.order_by().values_list("channel_id", flat=True).distinct())

    def claim(self, delivery_id: int) -> InboundDeliveryQuerySet:
        """The delivery if it is waiting and no other worker holds it, locked for processing.

        ``of=("self",)`` matters: without it PostgreSQL also locks the joined channel and
        institution rows, and a second worker would skip every other delivery of that channel.
        """
        return (
            self.select_for_update(skip_locked=True, of=("self",))
            .select_related("channel__institution")
            .filter(pk=delivery_id, status="received")
        )

    def failed(self) -> InboundDeliveryQuerySet:
        return self.filter(status="failed")


class ImportJobQuerySet(TenantQuerySet):
    def unfinished_since(self, cutoff: datetime) -> ImportJobQuerySet:
        """Jobs waiting or running that have made no progress since ``cutoff``."""
        return self.filter(status__in=("queued", "running"), updated_at__lte=cutoff)
