"""Named reads for the accounts models. Tenant-owned querysets build on TenantQuerySet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from govsocial.tenancy import TenantQuerySet

if TYPE_CHECKING:
    from accounts.models import User


class InstitutionQuerySet(models.QuerySet):
    def for_user(self, user: User | Any) -> InstitutionQuerySet:
        """Institutions where the user holds at least one active role (none for anonymous)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        from accounts.models import Membership

        active = Membership.objects.active().filter(user=user, institution=OuterRef("pk"))
        return self.filter(Exists(active))


class MembershipQuerySet(TenantQuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)

    def admins(self) -> MembershipQuerySet:
        from accounts.models import Role

        return self.active().filter(role=Role.INSTITUTION_ADMIN)

    def moderators(self) -> MembershipQuerySet:
        """Those who work the moderation queue: communicators and spokespersons."""
        from accounts.models import Role

        return self.active().filter(role__in=(Role.COMMUNICATOR, Role.SPOKESPERSON))


class InvitationQuerySet(TenantQuerySet):
    def pending(self, now: Any = None) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now or timezone.now()
        )


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> NotificationQuerySet:
        """The user's inbox: platform notices plus those of institutions they still belong to."""
        from accounts.models import Institution

        return self.filter(recipient=user).filter(
            models.Q(institution__isnull=True)
            | models.Q(institution__in=Institution.objects.for_user(user))
        )

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class OutgoingEmailQuerySet(models.QuerySet):
    def due(self, now: Any) -> OutgoingEmailQuerySet:
        return self.filter(status="pending", next_attempt_at__lte=now)
