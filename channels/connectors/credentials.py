"""Token health: whether a channel's API token still works, until when, and with which permissions.

Kept apart from the action connectors (``channels.connectors.actions``): a platform may check its
tokens without carrying actions out, and the other way round. Each platform that can describe a
token offers a ``CredentialChecker``; ``channels.connectors.credential_checkers`` lists them, and
``channels.services.tokens`` runs them daily and warns the institution's admins.

The permissions GovSocial needs per platform are listed here, once (docs/platforms.md shows
them). A checker never logs a token and never puts one in ``TokenStatus.error``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from channels.models import Channel

REQUIRED_SCOPES: Mapping[str, frozenset[str]] = {
    # Graph API permissions of a page token (https://developers.facebook.com/docs/permissions).
    "facebook": frozenset(
        {
            "pages_manage_engagement",  # reply to, hide and delete comments
            "pages_read_engagement",  # read comments and posts
            "pages_manage_metadata",  # subscribe the page to webhooks
            "pages_messaging",  # answer Messenger conversations
            "pages_manage_posts",  # publish the institution's posts
        }
    ),
    # Instagram API with Facebook Login: the page token of the linked page.
    "instagram": frozenset(
        {
            "instagram_basic",
            "instagram_manage_comments",  # read, reply to, hide and delete comments
            "instagram_manage_messages",  # answer direct messages
        }
    ),
    # Mastodon OAuth scopes (https://docs.joinmastodon.org/api/oauth-scopes/).
    "mastodon": frozenset({"read:notifications", "write:statuses"}),
    # Google OAuth scope of the YouTube Data API: read, reply to and moderate comments.
    "youtube": frozenset({"https://www.googleapis.com/auth/youtube.force-ssl"}),
    # X OAuth 2.0 scopes (https://docs.x.com/fundamentals/authentication/oauth-2-0); X cannot
    # say which a token has (SCOPES_UNREADABLE): listed for the docs and the admins.
    "x": frozenset({"tweet.read", "tweet.write", "users.read", "tweet.moderate.write"}),
    # LinkedIn Community Management API: read and write the organisation's comments.
    "linkedin": frozenset({"r_organization_social", "w_organization_social"}),
}
"""The permissions a channel's token needs, per platform."""

SCOPE_ALIASES: Mapping[str, frozenset[str]] = {
    # Newer LinkedIn API versions grant these under a new name.
    "r_organization_social": frozenset({"r_organization_social_feed"}),
    "w_organization_social": frozenset({"w_organization_social_feed"}),
}
"""Other names under which a platform grants a required permission."""

SCOPES_UNREADABLE = frozenset({"x"})
"""Platforms whose API does not say which permissions a token has: none is ever reported
missing, and the channel page says the permissions are unknown."""

EXPIRY_UNREADABLE = frozenset({"x"})
"""Platforms whose API does not say when a token expires: the channel page says so rather than
"does not expire"."""


@dataclass(frozen=True)
class TokenStatus:
    """What the platform says of a token."""

    valid: bool
    expires_at: datetime | None = None
    """When it stops working; None when it does not expire (or the platform does not say)."""
    scopes: frozenset[str] = frozenset()
    """The permissions granted, as the platform names them."""
    missing: frozenset[str] = frozenset()
    """Of the permissions GovSocial needs (``REQUIRED_SCOPES``), those not granted."""
    error: str = ""
    """Why the token is not valid, in the platform's words (never the token itself)."""


class CredentialChecker(Protocol):
    platform: str
    """The ``channels.models.Platform`` value it serves."""

    def check_token(self, channel: Channel) -> TokenStatus:
        """Ask the platform about the channel's token. Raises ``ConnectorError`` (or
        ``RateLimited``) when the platform could not answer: the check is tried again later,
        the token is not declared invalid for that."""
        ...


def missing_scopes(platform: str, granted: frozenset[str]) -> frozenset[str]:
    """The required permissions not covered by ``granted``. A broad Mastodon scope covers its
    narrower ones (``read`` covers ``read:notifications``); an alias (``SCOPE_ALIASES``) covers
    the permission it renames."""
    required = REQUIRED_SCOPES.get(platform, frozenset())
    return frozenset(
        scope
        for scope in required
        if scope not in granted
        and scope.split(":")[0] not in granted
        and not SCOPE_ALIASES.get(scope, frozenset()) & granted
    )


def scrub(text: str, *secrets: str) -> str:
    """``text`` with every secret replaced: a platform's message may quote what it was sent."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text
