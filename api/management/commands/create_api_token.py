"""``create_api_token <institution> <name> [--scope ...] [--days N]``: a token for scripts and
the demo (docs/api.md); prints the secret once. Admins create theirs on /i/<slug>/api-tokens/."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import Institution
from api.models import Scope
from api.services import TokenError, token_create


class Command(BaseCommand):
    help = "Create an API token for an institution and print its secret (shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("institution", help="the institution's slug")
        parser.add_argument("name", help="what uses the token (its writes show this name)")
        parser.add_argument(
            "--scope", action="append", choices=Scope.values, dest="scopes",
            help="repeat for several; default: every scope",
        )  # fmt: skip
        parser.add_argument("--days", type=int, default=90, help="lifetime (default 90, max 366)")

    def handle(self, *args: Any, **options: Any) -> None:
        institution = Institution.objects.filter(slug=options["institution"]).first()
        if institution is None:
            raise CommandError(f"No institution {options['institution']!r}.")
        try:
            created = token_create(
                institution=institution,
                actor=None,
                name=options["name"],
                scopes=options["scopes"] or list(Scope.values),
                expires_at=timezone.now() + timedelta(days=options["days"]),
            )
        except TokenError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(created.secret)
