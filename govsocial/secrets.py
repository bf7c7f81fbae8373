"""Secrets stored encrypted and never shown back unless a page says so: connector secrets (app
secrets, signing keys, tokens) and the signing secrets of outgoing webhooks.

Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from ``CHANNEL_SECRETS_KEY`` (falling back
to ``SECRET_KEY``): rotating that key means re-entering the channels' secrets.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    material = getattr(settings, "CHANNEL_SECRETS_KEY", "") or settings.SECRET_KEY
    key = hashlib.sha256(f"govsocial-channel-secrets:{material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt_secret(token: str) -> str:
    """The plain secret, or "" when nothing is stored or the key changed since it was stored."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def mask_secret(value: str) -> str:
    """What the UI shows of a stored secret: its length class and last two characters only."""
    return f"••••••••{value[-2:]}" if len(value) >= 8 else ("••••" if value else "")
