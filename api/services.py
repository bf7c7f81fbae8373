"""API tokens: create (the secret shown once), revoke, and find the token of a request.

The secret is ``gs_`` followed by 43 URL-safe characters (32 random bytes); only its SHA-256
is stored. A lookup is one indexed query on that digest. The last use is written at most once a
minute per token (``LAST_USED_RESOLUTION``), by a conditional update, so a busy integration does
not write a row per request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from api.models import ApiToken, Scope

SECRET_PREFIX = "gs_"  # noqa: S105 (a marker, not a secret)
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_LIFETIME = timedelta(days=366)
SERVICE_EMAIL_DOMAIN = "api-tokens.invalid"
"""The service users' addresses (a reserved domain: no mail ever reaches it)."""


class TokenError(ValueError):
    """The token cannot be created or revoked; the message says why."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str
    """Shown once, never stored."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_create(
    *,
    institution: Institution,
    actor: User | None,
    name: str,
    scopes: list[str],
    expires_at: datetime,
) -> NewToken:
    name = name.strip()
    if not name:
        raise TokenError(_("Give the token a name."))
    unknown = set(scopes) - set(Scope.values)
    if unknown or not scopes:
        raise TokenError(_("Choose at least one scope."))
    now = timezone.now()
    if not now < expires_at <= now + MAX_LIFETIME:
        raise TokenError(_("The expiry must be in the future and within a year."))
    if ApiToken.objects.for_institution(institution).filter(name=name).exists():
        raise TokenError(_("A token of the institution already has this name."))
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        user = User.objects.create_user(
            email=f"token-{secrets.token_hex(8)}@{SERVICE_EMAIL_DOMAIN}",
            password=None,
            full_name=_("API: %(name)s") % {"name": name},
            is_active=False,
        )
        token = ApiToken.objects.create(
            institution=institution,
            name=name,
            prefix=secret[:10],
            secret_sha256=digest(secret),
            scopes=[scope for scope in Scope.values if scope in scopes],
            expires_at=expires_at,
            created_at=now,
            created_by=actor,
            user=user,
        )
    return NewToken(token, secret)


def token_revoke(*, token: ApiToken, actor: User) -> ApiToken:
    """Immediate: the next request with it is refused (every request reads the token's row)."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise TokenError(_("This token was already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


def token_for_secret(secret: str) -> ApiToken | None:
    """The usable token with this secret (with its institution and user), else None."""
    if not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("institution", "user")
        .filter(secret_sha256=digest(secret))
        .first()
    )
    if token is not None:
        _touch(token)
    return token


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
