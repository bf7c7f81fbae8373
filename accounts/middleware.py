"""Per-user request middleware: interface language, session lifetime, mandatory MFA."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from accounts.models import MFA_ROLES
from accounts.services.members import may_sign_in
from accounts.tenancy import is_public, user_memberships

SESSION_STARTED_AT = "govsocial.started_at"
SESSION_LAST_ACTIVITY_AT = "govsocial.last_activity_at"
ACTIVITY_WRITE_INTERVAL = 60
"""Seconds between two writes of the activity time: bounds session writes to one a minute."""

MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/hooks/", "/language/")
"""Paths an admin without MFA may still reach: allauth's own pages (enrolment, logout...)."""


def background_request(view: Any) -> Any:
    """Mark a view as background polling: it must not keep an idle session alive."""
    view.background_request = True
    return view


def start_session_clock(request: HttpRequest) -> None:
    now = timezone.now().timestamp()
    request.session[SESSION_STARTED_AT] = now
    request.session[SESSION_LAST_ACTIVITY_AT] = now


class ViewMiddleware:
    """The skeleton of a middleware that only acts before the view (``process_view``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)


class UserLanguageMiddleware:
    """Signed-in users see the interface in their preferred language, on every device."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.preferred_language:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)


class SessionExpiryMiddleware(ViewMiddleware):
    """Ends sessions idle for SESSION_IDLE_TIMEOUT or older than SESSION_COOKIE_AGE.

    Django's own expiry is a sliding cookie age that any request extends, including the htmx
    polls an open queue tab sends every 30 seconds. Here only requests to views that are not
    marked ``@background_request`` count as activity.
    """

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        session = request.session
        now = timezone.now().timestamp()
        if SESSION_STARTED_AT not in session:
            start_session_clock(request)
            return None
        idle = now - session.get(SESSION_LAST_ACTIVITY_AT, 0)
        age = now - session[SESSION_STARTED_AT]
        if idle > settings.SESSION_IDLE_TIMEOUT or age > settings.SESSION_COOKIE_AGE:
            return self._expire(request, view_func)
        if not getattr(view_func, "background_request", False) and idle >= ACTIVITY_WRITE_INTERVAL:
            session[SESSION_LAST_ACTIVITY_AT] = now
        return None

    @staticmethod
    def _expire(request: HttpRequest, view_func: Any) -> HttpResponse | None:
        logout(request)
        messages.info(request, _("Your session expired. Please sign in again."))
        if is_public(view_func):
            return None
        login_url = resolve_url(settings.LOGIN_URL)
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(login_url)
        return redirect_to_login(request.get_full_path(), login_url)


class RoleRequiredMiddleware(ViewMiddleware):
    """Signs out, on their next request, someone left with no active role anywhere.

    Their account is not locked (``is_active`` is the platform's); the sign-in page refuses them
    too (``AccountAdapter.pre_login``) until an institution gives them a role again. Placed
    before ``LoginRequiredMiddleware``, which then sends them to the login page.
    """

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if (
            user.is_authenticated
            and not (user.is_staff or user.is_superuser or active_roles(request))
            and not may_sign_in(user)
        ):
            logout(request)
        return None


def active_roles(request: HttpRequest) -> frozenset[str]:
    """The signed-in user's active roles, in any institution, from the request's one read of
    their memberships (shared by the sign-out and MFA checks and the tenancy check)."""
    return frozenset(membership.role for membership in user_memberships(request))


def requires_mfa(user: Any, roles: frozenset[str]) -> bool:
    """Platform staff and holders of an MFA role (admins, complaint officers) anywhere."""
    return user.is_superuser or user.is_staff or bool(roles & MFA_ROLES)


class RequireMFAMiddleware(ViewMiddleware):
    """Platform staff, institution admins and complaint officers (who see complainants' personal
    data) must enrol a second factor before using the product.

    allauth offers MFA but no way to make it mandatory for some users, hence this middleware.
    """

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if (
            not user.is_authenticated
            or is_public(view_func)
            or request.path.startswith(MFA_EXEMPT_PREFIXES)
            or not requires_mfa(user, active_roles(request))
            or is_mfa_enabled(user, [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN])
        ):
            return None
        messages.warning(
            request,
            _(
                "Your role requires two-factor authentication. Set up an authenticator app or a "
                "security key to continue."
            ),
        )
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(resolve_url("mfa_index"))
        return redirect("mfa_index")
