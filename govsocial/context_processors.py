"""Template context for the shell (top bar and side navigation). Everything is lazy: a page that
does not render the shell pays for no query. The role flags and the side navigation read the
roles the tenancy middleware already loaded, so they cost no query at all."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from accounts.models import Institution, Role
from accounts.tenancy import user_memberships
from accounts.unread import unread_count
from charter.selectors import pending_acknowledgements_cached
from govsocial.navigation import menu


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles: frozenset[str] = getattr(request, "institution_roles", frozenset())
    institution = getattr(request, "institution", None)
    return {
        "nav_institutions": SimpleLazyObject(lambda: _institutions(request)),
        "nav_unread_count": SimpleLazyObject(lambda: unread_count(user, user_memberships(request))),
        "pending_acknowledgements": SimpleLazyObject(
            lambda: pending_acknowledgements_cached(
                user, translation.get_language() or "en", user_memberships(request)
            )
        ),
        "current_institution": institution,
        "nav_sections": SimpleLazyObject(lambda: menu(institution, roles, request.path)),
        "is_institution_admin": Role.INSTITUTION_ADMIN in roles,
        "is_complaint_officer": Role.COMPLAINT_OFFICER in roles,
        "is_moderator": Role.COMMUNICATOR in roles,
        "is_communicator": bool(roles & {Role.COMMUNICATOR, Role.INSTITUTION_ADMIN}),
        "is_charter_editor": bool(roles & {Role.CHARTER_EDITOR, Role.INSTITUTION_ADMIN}),
    }


def _institutions(request: HttpRequest) -> list[Institution]:
    """The user's institutions, by name, from the request's one read of their memberships."""
    by_id = {m.institution_id: m.institution for m in user_memberships(request)}
    return sorted(by_id.values(), key=lambda institution: institution.name)
