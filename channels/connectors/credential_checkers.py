"""Which platforms can have their tokens checked: one line per checker (see
``channels.connectors.credentials``). Platforms absent here show no token state."""

from __future__ import annotations

from channels.connectors import (
    google_tokens,
    linkedin_tokens,
    mastodon_tokens,
    meta_tokens,
    x_tokens,
)
from channels.connectors.credentials import CredentialChecker

CREDENTIAL_CHECKERS: dict[str, CredentialChecker] = {
    "facebook": meta_tokens.FACEBOOK,
    "instagram": meta_tokens.INSTAGRAM,
    "mastodon": mastodon_tokens.CHECKER,
    "youtube": google_tokens.CHECKER,
    "x": x_tokens.CHECKER,
    "linkedin": linkedin_tokens.CHECKER,
}
