"""``python manage.py seed_demo``: demo institutions, accounts and (as apps land) their data."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from accounts.demo import seed_accounts, seed_invitations
from channels.demo import seed_channels, seed_imports
from charter.demo import seed_charters
from complaints.demo import seed_complaints
from moderation.demo import seed_contests, seed_escalations, seed_queue
from reports.demo import seed_history
from webhooks.demo import seed_webhooks


class Command(BaseCommand):
    help = "Create the demo institutions and accounts (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = seed_accounts()
        self.stdout.write(
            f"Demo data: {accounts.institutions} institutions, {accounts.users} users, "
            f"{accounts.memberships} memberships, {accounts.authenticators} TOTP enrolments "
            "created."
        )
        invitations = seed_invitations()
        self.stdout.write(f"Demo invitations: {invitations} pending invitations created.")
        charters = seed_charters()
        self.stdout.write(
            f"Demo charters: {charters.charters} charters, "
            f"{charters.published_versions} published versions created."
        )
        channels = seed_channels()
        self.stdout.write(f"Demo channels: {channels.channels} channels created.")
        queue = seed_queue()
        self.stdout.write(f"Demo queue: {queue.items} items created.")
        imports = seed_imports()
        self.stdout.write(f"Demo imports: {imports.imports} imports of older comments created.")
        complaints = seed_complaints()
        self.stdout.write(f"Demo complaints: {complaints.cases} cases created.")
        escalations = seed_escalations()
        self.stdout.write(f"Demo escalations: {escalations.cases} complaints opened from items.")
        contests = seed_contests()
        self.stdout.write(f"Demo contests: {contests.contests} contested decisions created.")
        history = seed_history()
        self.stdout.write(f"Demo history: {history.items} past items with their decisions.")
        webhooks = seed_webhooks()
        self.stdout.write(f"Demo webhooks: {webhooks} inactive subscriptions created.")
