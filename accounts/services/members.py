"""Membership management: invitations, roles, deactivation.

Invariants:
- an institution always keeps at least one active institution admin. Every change that could
  remove one first locks the institution row (SELECT ... FOR UPDATE), so two admins demoting
  each other at the same moment cannot both succeed;
- an invitation is bound to its institution: its token is looked up together with the
  institution slug of the URL, and only the token's SHA-256 is stored;
- deactivation takes effect on the member's next request (memberships are never cached in the
  session); a user left with no active membership anywhere is signed out and cannot sign in
  (``AccountAdapter.pre_login``) until an institution gives them a role again;
- ``User.is_active`` is the platform's lock, set by platform staff only: nothing here ever sets
  or lifts it, so an institution admin reactivating a membership cannot undo a platform lock;
- losing roles (deactivation, a role change) sends ``roles_withdrawn`` inside the transaction:
  the apps above take the person off the channel teams, complaint teams and duty those roles
  gave, and hand their open items and cases back to the team, each recorded in its history;
- every change is recorded in the history tables with the acting user.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Institution, Invitation, Membership, Role, User
from accounts.services.notifications import email_queue

roles_withdrawn = Signal()
"""Sent with ``institution``, ``user`` and ``actor`` when a member lost roles there.

A seam for the apps above accounts (channels, complaints, moderation): each receiver checks what
the person still holds (``User.objects.members_of``) and undoes what the lost roles gave.
"""


def _lock(institution: Institution) -> None:
    Institution.objects.select_for_update().filter(pk=institution.pk).first()


def _validate_roles(roles: Iterable[str]) -> list[str]:
    chosen = sorted(set(roles))
    if not chosen:
        raise ValidationError(_("Choose at least one role."), code="no_role")
    unknown = set(chosen) - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role: %(role)s."), params={"role": ", ".join(unknown)})
    return chosen


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _other_active_admins(institution: Institution, user: User) -> bool:
    return Membership.objects.for_institution(institution).admins().exclude(user=user).exists()


def _refuse_last_admin(institution: Institution, user: User) -> None:
    is_admin = Membership.objects.for_institution(institution).admins().filter(user=user).exists()
    if is_admin and not _other_active_admins(institution, user):
        raise ValidationError(
            _(
                "%(name)s is the last administrator of this institution. Make someone else an "
                "administrator first."
            ),
            params={"name": user},
            code="last_admin",
        )


def invitation_create(
    *, institution: Institution, actor: User, email: str, roles: Iterable[str], full_name: str = ""
) -> Invitation:
    """Invite someone by e-mail; replaces any earlier pending invitation for the same address."""
    email = User.objects.normalize_email(email).strip().lower()
    chosen = _validate_roles(roles)
    if Membership.objects.for_institution(institution).active().filter(user__email=email).exists():
        raise ValidationError(
            _("%(email)s is already a member. Change their roles on their member page instead."),
            params={"email": email},
            code="already_member",
        )
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        for previous in (
            Invitation.objects.for_institution(institution).pending().filter(email=email)
        ):
            _revoke(previous, actor)
        invitation = Invitation(
            institution=institution,
            email=email,
            full_name=full_name.strip(),
            roles=chosen,
            token_hash=_hash_token(token),
            invited_by=actor,
            expires_at=timezone.now() + timedelta(days=Invitation.VALIDITY_DAYS),
        )
        invitation.full_clean()
        invitation._history_user = actor  # type: ignore[attr-defined]
        invitation.save()
        _mail_invitation(invitation, token)
    return invitation


def invitation_resend(*, invitation: Invitation, actor: User) -> Invitation:
    """A fresh link and validity period for a pending or expired invitation (the old link dies)."""
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError(_("This invitation was already used or revoked."), code="closed")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation.token_hash = _hash_token(token)
        invitation.expires_at = timezone.now() + timedelta(days=Invitation.VALIDITY_DAYS)
        invitation._history_user = actor  # type: ignore[attr-defined]
        invitation.save(update_fields=["token_hash", "expires_at"])
        _mail_invitation(invitation, token)
    return invitation


def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    if invitation.accepted_at:
        raise ValidationError(_("This invitation was already accepted."), code="accepted")
    _revoke(invitation, actor)


def _revoke(invitation: Invitation, actor: User) -> None:
    invitation.revoked_at = timezone.now()
    invitation._history_user = actor  # type: ignore[attr-defined]
    invitation.save(update_fields=["revoked_at"])


def invitation_link(invitation: Invitation, token: str) -> str:
    from django.conf import settings

    path = reverse(
        "accounts:invitation-accept",
        kwargs={"institution_slug": invitation.institution.slug, "token": token},
    )
    return f"{settings.SITE_URL}{path}"


def _mail_invitation(invitation: Invitation, token: str) -> None:
    existing = User.objects.filter(email=invitation.email).first()
    language = existing.preferred_language if existing else invitation.institution.default_language
    with translation.override(language):
        institution_name = invitation.institution.name_in(language)
        subject = _("You are invited to join %(institution)s on GovSocial") % {
            "institution": institution_name
        }
        body = str(INVITATION_BODY) % {
            "inviter": invitation.invited_by,
            "institution": institution_name,
            "roles": ", ".join(invitation.get_roles_display()),
            "link": invitation_link(invitation, token),
            "days": Invitation.VALIDITY_DAYS,
        }
    email_queue(to_address=invitation.email, subject=subject, body_text=body, recipient=existing)


INVITATION_BODY = gettext_lazy(
    "%(inviter)s invites you to join %(institution)s on GovSocial as: %(roles)s.\n\n"
    "Open this link to accept and choose your password:\n%(link)s\n\n"
    "The link works once and expires in %(days)s days. If you did not expect this invitation, "
    "you can ignore this message."
)


def invitation_find(*, institution_slug: str, token: str) -> Invitation | None:
    """The usable invitation for this token under this institution's URL, else None."""
    invitation = (
        Invitation.objects.select_related("institution", "invited_by")
        .filter(institution__slug=institution_slug, token_hash=_hash_token(token))
        .first()
    )
    return invitation if invitation and invitation.is_usable() else None


def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
    language: str = "fr",
) -> User:
    """Join the institution: an existing account (signed in as the invited address) or a new one.

    A new account's e-mail address counts as verified: the person proved it by opening the link.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_usable():
            raise ValidationError(_("This invitation link is no longer valid."), code="unusable")
        if user is None:
            user = _create_invited_user(
                locked, full_name=full_name, password=password, language=language
            )
        elif user.email != locked.email:
            raise ValidationError(
                _("This invitation is for %(email)s. Sign in with that address to accept it."),
                params={"email": locked.email},
                code="wrong_user",
            )
        for role in locked.roles:
            _grant(locked.institution, user, role, actor=user)
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked._history_user = user  # type: ignore[attr-defined]
        locked.save(update_fields=["accepted_at", "accepted_by"])
    return user


def _create_invited_user(
    invitation: Invitation, *, full_name: str, password: str, language: str
) -> User:
    if User.objects.filter(email=invitation.email).exists():
        raise ValidationError(
            _("An account already exists for %(email)s. Sign in to accept the invitation."),
            params={"email": invitation.email},
            code="account_exists",
        )
    user = User(
        email=invitation.email,
        full_name=full_name.strip() or invitation.full_name,
        preferred_language=language,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _grant(institution: Institution, user: User, role: str, *, actor: User) -> None:
    membership, created = Membership.objects.get_or_create(
        institution=institution, user=user, role=role, defaults={"is_active": True}
    )
    if not created and not membership.is_active:
        membership.is_active = True
        membership._history_user = actor  # type: ignore[attr-defined]
        membership.save(update_fields=["is_active"])


def member_set_roles(
    *, institution: Institution, actor: User, user: User, roles: Iterable[str]
) -> None:
    """Replace an active member's roles in this institution (never leaving it without an admin)."""
    chosen = set(_validate_roles(roles))
    with transaction.atomic():
        _lock(institution)
        memberships = list(Membership.objects.for_institution(institution).filter(user=user))
        if not any(m.is_active for m in memberships):
            raise ValidationError(_("Reactivate this member before changing their roles."))
        if Role.INSTITUTION_ADMIN not in chosen:
            _refuse_last_admin(institution, user)
        for membership in memberships:
            if membership.role not in chosen:
                membership._history_user = actor  # type: ignore[attr-defined]
                membership.delete()
        for role in chosen - {m.role for m in memberships}:
            membership = Membership(institution=institution, user=user, role=role)
            membership._history_user = actor  # type: ignore[attr-defined]
            membership.save()
        if {m.role for m in memberships} - chosen:
            roles_withdrawn.send(Membership, institution=institution, user=user, actor=actor)


def member_deactivate(*, institution: Institution, actor: User, user: User) -> None:
    """Take away every role of the member here; their next request in this institution is a 404."""
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate yourself."), code="self")
    with transaction.atomic():
        _lock(institution)
        _refuse_last_admin(institution, user)
        for membership in Membership.objects.for_institution(institution).filter(
            user=user, is_active=True
        ):
            membership.is_active = False
            membership._history_user = actor  # type: ignore[attr-defined]
            membership.save(update_fields=["is_active"])
        roles_withdrawn.send(Membership, institution=institution, user=user, actor=actor)
        if not may_sign_in(user):
            transaction.on_commit(lambda: _end_sessions(user))


def may_sign_in(user: User) -> bool:
    """Platform staff, or someone holding an active role somewhere, or invited to one (to sign
    in and accept); never a locked account."""
    if not user.is_active:
        return False
    return (
        user.is_staff
        or user.is_superuser
        or Membership.objects.active().filter(user=user).exists()
        or Invitation.objects.pending().filter(email=user.email).exists()
    )


def _end_sessions(user: User) -> None:
    get_usersessions_adapter().end_sessions(list(UserSession.objects.filter(user=user)))


def member_reactivate(*, institution: Institution, actor: User, user: User) -> None:
    """Give the member their roles here back. A platform lock (``user.is_active``) stays."""
    with transaction.atomic():
        memberships = Membership.objects.for_institution(institution).filter(user=user)
        for membership in memberships.filter(is_active=False):
            membership.is_active = True
            membership._history_user = actor  # type: ignore[attr-defined]
            membership.save(update_fields=["is_active"])
