"""Run the deadline check once (the same function as the Celery beat task)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from deadlines.engine import deadlines_check


class Command(BaseCommand):
    help = "Send the deadline warnings and missed-deadline notices that are due, once."

    def handle(self, *args: Any, **options: Any) -> None:
        result = deadlines_check()
        self.stdout.write(
            f"Deadline check: {result.warnings} warnings, {result.breaches} missed deadlines, "
            f"{result.notifications} notifications."
        )
