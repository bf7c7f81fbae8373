"""How the API knows who calls: a bearer token, its scopes, its rate limit, JSON errors.

Every endpoint declares ``scopes``: the scope each HTTP method needs (``PUBLIC`` for the
transparency figures, which need no token). ``api/tests/test_walk.py`` walks every API URL
and fails on one that declares nothing, or that a token of another institution or without the
scope reaches.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from api.models import ApiToken
from api.services import token_for_secret
from govsocial.ratelimit import allow, client_ip

if TYPE_CHECKING:
    from rest_framework.views import APIView

logger = logging.getLogger("govsocial.security")

PUBLIC = "public"
"""The scope of endpoints anyone may call without a token."""


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer gs_...``; the request's user is the token's service user."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send one token: Authorization: Bearer <token>.")
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from error
        token = token_for_secret(secret)
        if token is None:
            logger.info("api.denied unknown-or-revoked token prefix=%s", secret[:10])
            raise exceptions.AuthenticationFailed(_("This token is not valid, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "api.auth.TokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer", "description": "gs_... (an API token)"}


def scope_of(view: APIView, method: str) -> str | None:
    scopes: dict[str, str] = getattr(view, "scopes", {})
    return scopes.get(method) or (scopes.get("GET") if method in ("HEAD", "OPTIONS") else None)


class HasScope(BasePermission):
    """The token holds the scope the view declares for this method. A view declaring none
    is refused to everybody (fail closed)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        needed = scope_of(view, request.method or "GET")
        if needed is None:
            return False
        if needed == PUBLIC:
            return True
        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated(
                _("Send an API token: Authorization: Bearer <token>.")
            )
        if not token.has_scope(needed):
            raise exceptions.PermissionDenied(
                _("This token lacks the scope %(scope)s.") % {"scope": needed}
            )
        return True


def institution_of(request: Request) -> Any:
    """The token's institution: the only institution the request may see."""
    token = request.auth
    if not isinstance(token, ApiToken):  # HasScope refuses such a request first
        raise exceptions.NotAuthenticated
    return token.institution


class TokenRateThrottle(BaseThrottle):
    """``API_RATE_LIMIT`` (requests, seconds) per token, or per address without one, on the
    shared cache (govsocial.ratelimit); DRF answers 429 with Retry-After."""

    def allow_request(self, request: Request, view: APIView) -> bool:
        limit, window = settings.API_RATE_LIMIT
        token = request.auth
        key = f"token-{token.pk}" if isinstance(token, ApiToken) else f"ip-{client_ip(request)}"
        self.window = window
        return allow("api", key, limit=limit, window_seconds=window)

    def wait(self) -> float:
        return max(1.0, self.window - time.time() % self.window)


class ServiceRefused(exceptions.APIException):
    """A service refused the action (the same message the page shows)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "refused"
