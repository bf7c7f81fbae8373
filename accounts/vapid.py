"""The server's VAPID key pair (RFC 8292), with which GovSocial signs every Web Push message.

Push services accept a message for a device only when it is signed by the key the device was
subscribed with (the browser received its public half as ``applicationServerKey``), so the key
must stay the same for as long as devices are subscribed: changing it silently orphans them.

Where it comes from, first found wins:

1. ``WEBPUSH_VAPID_PRIVATE_KEY`` (environment): PEM, or base64url DER or raw 32-byte scalar.
   Production sets it, from the secret store, identical on every host.
2. ``WEBPUSH_VAPID_KEY_FILE`` (default ``var/vapid_private.pem``): written once by
   ``manage.py push_keys`` (``make run`` calls it), never committed (``var/`` is ignored).

Without either, push is off: the devices page says so and nothing is sent.
"""

from __future__ import annotations

import base64
import os
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from py_vapid import Vapid02


class VapidKeyMissing(RuntimeError):
    """No key in the environment nor in the key file: push is not configured."""


def vapid_key() -> Vapid02:
    """The configured key; raises ``VapidKeyMissing`` when there is none."""
    return _load(settings.WEBPUSH_VAPID_PRIVATE_KEY, str(settings.WEBPUSH_VAPID_KEY_FILE))


def push_configured() -> bool:
    try:
        vapid_key()
    except VapidKeyMissing:
        return False
    return True


def public_key_b64() -> str:
    """The public key as the browser's ``applicationServerKey`` wants it: the uncompressed
    P-256 point, base64url without padding."""
    point = vapid_key().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(point).rstrip(b"=").decode()


@cache
def _load(from_env: str, key_file: str) -> Vapid02:
    """Cached per (env value, file path): parsing a key on every message would be waste, and
    tests that point the settings elsewhere get their own entry."""
    if from_env.strip():
        text = from_env.strip()
        if "-----BEGIN" in text:
            return Vapid02.from_pem(text.encode())
        return Vapid02.from_string(private_key=text)
    path = Path(key_file)
    if not path.is_file():
        raise VapidKeyMissing(key_file)
    return Vapid02.from_pem(path.read_bytes())


def vapid_key_file_create(key_file: Path) -> bool:
    """Write a new private key to ``key_file`` unless it exists; True when written.

    The file is created exclusively (``O_EXCL``), readable by its owner only, so two processes
    running setup at once cannot each write a different key.
    """
    key_file.parent.mkdir(parents=True, exist_ok=True)
    vapid = Vapid02()
    vapid.generate_keys()
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "wb") as file:
        file.write(vapid.private_pem())
    _load.cache_clear()
    return True
