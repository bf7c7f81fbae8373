"""Which platforms can have their tokens checked: one line per checker (see
``channels.connectors.credentials``). Platforms absent here show no token state."""

from __future__ import annotations

from channels.connectors import mastodon_tokens, meta_tokens
from channels.connectors.credentials import CredentialChecker

CREDENTIAL_CHECKERS: dict[str, CredentialChecker] = {
    "facebook": meta_tokens.FACEBOOK,
    "instagram": meta_tokens.INSTAGRAM,
    "mastodon": mastodon_tokens.CHECKER,
}
