"""``manage.py verify_bundle <bundle.zip> [--manifest-sha256 HEX]``: check a downloaded evidence
bundle offline (see ``complaints.bundle_check``); exit 1 naming the first problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from complaints.bundle_check import BundleProblem, bundle_verify


class Command(BaseCommand):
    help = (
        "Check an evidence bundle: every file against its SHA-256 in the manifest, nothing "
        "missing or extra."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bundle", type=Path, help="the downloaded zip")
        parser.add_argument(
            "--manifest-sha256",
            default="",
            help="the manifest's SHA-256 recorded in the access log (the case page shows it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = bundle_verify(options["bundle"], manifest_sha256=options["manifest_sha256"])
        except BundleProblem as problem:
            raise CommandError(str(problem)) from None
        checked = "matches the access log" if options["manifest_sha256"] else "not compared"
        self.stdout.write(
            f"OK: {report.case}, {report.files} files verified; manifest SHA-256 "
            f"{report.manifest_sha256} ({checked})"
        )
