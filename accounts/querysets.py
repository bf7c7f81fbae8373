"""Named reads for the accounts models. Tenant-owned querysets build on TenantQuerySet."""

from __future__ import annotations

from collections.abc import Iterable
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


class UserQuerySet(models.QuerySet):
    def members_of(self, institution: Any, roles: Iterable[str]) -> UserQuerySet:
        """People who may be given work of ``roles`` in ``institution`` (an instance or its id).

        The one rule for every assignee and recipient choice: an active account (not locked by
        the platform) AND an active membership holding one of ``roles`` in that very
        institution. Being active somewhere else, or having been a member here, is not enough.
        """
        from accounts.models import Membership

        holding = Membership.objects.filter(
            institution_id=getattr(institution, "pk", institution),
            user_id=OuterRef("pk"),
            role__in=list(roles),
            is_active=True,
        )
        return self.filter(Exists(holding), is_active=True)


class MembershipQuerySet(TenantQuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)

    def admins(self) -> MembershipQuerySet:
        from accounts.models import Role

        return self.active().filter(role=Role.INSTITUTION_ADMIN)

    def moderators(self) -> MembershipQuerySet:
        """Those who work the moderation queue: communicators and spokespersons."""
        from accounts.models import MODERATOR_ROLES

        return self.active().filter(role__in=MODERATOR_ROLES)


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
