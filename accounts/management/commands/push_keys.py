"""Create the server's Web Push (VAPID) key once; idempotent (``make run`` calls it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.vapid import public_key_b64, vapid_key_file_create


class Command(BaseCommand):
    help = (
        "Create the Web Push signing key in WEBPUSH_VAPID_KEY_FILE unless one exists (or "
        "WEBPUSH_VAPID_PRIVATE_KEY is set), and print its public half."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.WEBPUSH_VAPID_PRIVATE_KEY.strip():
            self.stdout.write("Web Push key: from WEBPUSH_VAPID_PRIVATE_KEY.")
        elif vapid_key_file_create(Path(settings.WEBPUSH_VAPID_KEY_FILE)):
            self.stdout.write(f"Web Push key created in {settings.WEBPUSH_VAPID_KEY_FILE}.")
        else:
            self.stdout.write(f"Web Push key: {settings.WEBPUSH_VAPID_KEY_FILE} (kept).")
        self.stdout.write(f"Public key: {public_key_b64()}")
