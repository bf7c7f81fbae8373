"""Tenancy in one place: which institution a request is about, and what the user may do there.

Every institution page lives under ``/i/<institution_slug>/``. ``InstitutionMiddleware`` runs
``resolve_institution`` for every view whose URL carries ``institution_slug``, before the view:

- anonymous users never get here (``LoginRequiredMiddleware`` redirects them to the login page);
- a user without an active membership gets **404**, exactly as for an institution that does not
  exist, so institution names cannot be probed;
- a member lacking every role the view declares gets **403**.

Views declare their roles with ``@requires_role(...)`` (functions) or ``required_roles`` (classes).
A tenant view that declares nothing is a programming error and fails closed with
``ImproperlyConfigured``. Public pages about an institution (charters, complaint form,
transparency) are marked ``@login_not_required``; for them the institution is looked up publicly.

The institution's time zone is active for the whole request (public pages included), so forms
read and templates show local times in the institution's zone, not the server's
(``settings.TIME_ZONE``).

Tenant-owned models use ``govsocial.tenancy.TenantQuerySet`` (the kernel's half: it needs no
memberships) so that views start every lookup from
``Model.objects.for_institution(request.institution)``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ROLE_INCLUDES, Institution, Membership, User

logger = logging.getLogger("govsocial.security")

ANY_MEMBER = "*"
"""Pseudo-role for pages every member of the institution may see, whatever their roles."""

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


class AuthenticatedRequest(HttpRequest):
    """The request type of views behind LoginRequiredMiddleware (for type checkers)."""

    user: User


class InstitutionRequest(AuthenticatedRequest):
    """The request type seen by tenant views (for type checkers; set by the middleware)."""

    institution: Institution
    institution_roles: frozenset[str]


@dataclass(frozen=True)
class InstitutionAccess:
    institution: Institution
    roles: frozenset[str]
    """The roles the user holds there, expanded with the roles they include."""


def expand_roles(held: Iterable[str]) -> frozenset[str]:
    roles = set(held)
    for role in list(roles):
        roles |= ROLE_INCLUDES.get(role, frozenset())
    return frozenset(roles)


def user_memberships(request: HttpRequest) -> list[Membership]:
    """The signed-in user's active memberships, with their institutions: one query per request,
    shared by the tenancy check, the sign-out and MFA middleware (the roles held anywhere) and
    the navigation bar (the user's institutions)."""
    memberships = getattr(request, "_govsocial_memberships", None)
    if memberships is None:
        # Loaded with the user by accounts.auth_backends, else read here.
        memberships = getattr(request.user, "loaded_memberships", None)
        if memberships is None:
            memberships = list(
                Membership.objects.active().filter(user=request.user).select_related("institution")
            )
        request._govsocial_memberships = memberships  # type: ignore[attr-defined]
    return memberships


def resolve_institution(
    user: User | Any,
    slug: str,
    required_roles: frozenset[str],
    memberships: list[Membership] | None = None,
) -> InstitutionAccess:
    """The only code that turns a slug into an institution for a signed-in user (one query, or
    none given the user's active ``memberships`` as ``user_memberships`` reads them)."""
    if memberships is None:
        memberships = list(
            Membership.objects.active()
            .filter(user=user, institution__slug=slug)
            .select_related("institution")
        )
    else:
        memberships = [m for m in memberships if m.institution.slug == slug]
    if not memberships:
        logger.info("tenancy.denied outsider user=%s institution=%s", user.pk, slug)
        raise Http404(_("No such page."))
    roles = expand_roles(m.role for m in memberships)
    if ANY_MEMBER not in required_roles and not roles & required_roles:
        logger.info("tenancy.denied role user=%s institution=%s", user.pk, slug)
        raise PermissionDenied(
            _("Your role in this institution does not give access to this page.")
        )
    return InstitutionAccess(institution=memberships[0].institution, roles=roles)


def has_role(user: User | Any, institution: Institution, role: str) -> bool:
    """Whether the user holds ``role`` (directly or through an including role) in this institution.

    There is deliberately no institution-less variant: roles never add up across institutions.
    """
    held = Membership.objects.active().filter(user=user, institution=institution)
    return role in expand_roles(held.values_list("role", flat=True))


def requires_role(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Declare the roles (any of them) a tenant view needs; ``ANY_MEMBER`` for every member."""
    if not roles:
        raise ImproperlyConfigured("requires_role() needs at least one role.")

    def decorator(view: ViewFunc) -> ViewFunc:
        view.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return decorator


def declared_roles(view_func: Callable[..., Any]) -> frozenset[str] | None:
    view_class = getattr(view_func, "view_class", None)
    return getattr(view_func, "required_roles", None) or getattr(view_class, "required_roles", None)


def is_public(view_func: Callable[..., Any]) -> bool:
    """Marked with Django's ``@login_not_required`` (or allauth's equivalent)."""
    return getattr(view_func, "login_required", True) is False


class InstitutionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            # The zone activated by process_view must not outlive the request in this thread.
            timezone.deactivate()

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        slug = view_kwargs.get("institution_slug")
        if slug is None:
            return
        if is_public(view_func):
            self._attach_public(request, slug)
            return
        roles = declared_roles(view_func)
        if not roles:
            raise ImproperlyConfigured(
                f"{view_func.__module__}.{view_func.__name__} serves an institution URL but "
                "declares no roles: use @requires_role(...) or required_roles."
            )
        access = resolve_institution(request.user, slug, roles, user_memberships(request))
        request.institution = access.institution  # type: ignore[attr-defined]
        request.institution_roles = access.roles  # type: ignore[attr-defined]
        timezone.activate(access.institution.zone)

    @staticmethod
    def _attach_public(request: HttpRequest, slug: str) -> None:
        institution = get_object_or_404(Institution, slug=slug)
        request.institution = institution  # type: ignore[attr-defined]
        request.institution_roles = frozenset()  # type: ignore[attr-defined]
        timezone.activate(institution.zone)
