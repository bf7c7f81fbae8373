"""Template context for the navigation bar. Everything is lazy: a page that does not render the
navigation bar pays for no query."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from accounts.models import Institution, Role
from accounts.tenancy import user_memberships
from accounts.unread import unread_count
from charter.selectors import pending_acknowledgements


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles: frozenset[str] = getattr(request, "institution_roles", frozenset())
    return {
        "nav_institutions": SimpleLazyObject(lambda: _institutions(request)),
        "nav_unread_count": SimpleLazyObject(lambda: unread_count(user, user_memberships(request))),
        "pending_acknowledgements": SimpleLazyObject(
            lambda: pending_acknowledgements(user, translation.get_language() or "en")
        ),
        "current_institution": getattr(request, "institution", None),
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
