"""``manage.py verify_ledger [--institution SLUG]``: exit 0 when every chain verifies against
the live rows, non-zero naming the first broken entry of each broken chain."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser

from govsocial.ledger.verify import ledger_verify


class Command(BaseCommand):
    help = "Verify each institution's ledger against the rows it records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--institution", metavar="SLUG", help="Verify this one only.")

    def handle(self, *args: Any, institution: str | None = None, **options: Any) -> None:
        # The kernel does not import accounts: the model is looked up by name.
        model = apps.get_model("accounts", "Institution")
        institutions = model.objects.order_by("slug")
        if institution is not None:
            institutions = institutions.filter(slug=institution)
            if not institutions.exists():
                raise CommandError(f"No institution has the slug {institution!r}.")
        broken = []
        for each in institutions:
            result = ledger_verify(each.pk)
            if result.broken is None:
                self.stdout.write(f"{each.slug}: {result.entries} entries verified")
            else:
                broken.append(f"{each.slug}: {result.broken}")
                self.stderr.write(f"{each.slug}: BROKEN at {result.broken}")
        if broken:
            raise CommandError(f"{len(broken)} ledger(s) broken; first: {broken[0]}", returncode=2)
