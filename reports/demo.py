"""Demo history for the reports: thirteen past months of handled items per institution, so the
monthly report has a previous month and a same month last year to compare with, and the
transparency page has removals and hides under the house rules.

Written in bulk (these are past records, not arrivals: no ingestion, no assignment); idempotent
(skipped once an institution has them); deterministic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Institution, Membership, Role
from channels.models import Channel
from charter.selectors import rules_justifying
from moderation.models import Action, Decision, Item, ItemStatus
from reports.periods import Month

MONTHS = 13
PER_MONTH = 30
TEXTS = {
    "fr": "Merci pour l'information.",
    "nl": "Bedankt voor de informatie.",
    "en": "Thanks for the update.",
}
# (share of items, action): most are answered, some need nothing, a few are moderated.
OUTCOMES = [
    (0.6, Action.REPLY),
    (0.22, Action.NO_ACTION),
    (0.1, Action.HIDE),
    (0.08, Action.REMOVE),
]


@dataclass
class HistorySeedReport:
    items: int = 0


def seed_history() -> HistorySeedReport:
    report = HistorySeedReport()
    randomness = random.Random(2025)  # noqa: S311 (demo data, not security)
    for institution in Institution.objects.order_by("slug"):
        channels = list(Channel.objects.for_institution(institution).order_by("pk")[:3])
        moderator_ids = list(
            Membership.objects.for_institution(institution)
            .active()
            .filter(role=Role.COMMUNICATOR)
            .values_list("user_id", flat=True)
        )
        if not channels or not moderator_ids:
            continue
        if Item.objects.filter(channel__in=channels, external_id__startswith="history-").exists():
            continue
        rules = {
            Action.HIDE: list(rules_justifying(institution, "hide")),
            Action.REMOVE: list(rules_justifying(institution, "remove")),
        }
        with transaction.atomic():
            report.items += _months(institution, channels, moderator_ids[0], rules, randomness)
    return report


def _months(institution, channels, actor_id, rules, randomness) -> int:  # type: ignore[no-untyped-def]
    month = Month.containing(timezone.now(), institution.zone)
    items, outcomes = [], []
    for _ in range(MONTHS):
        month = month.previous()
        for number in range(PER_MONTH):
            channel = channels[number % len(channels)]
            language = randomness.choice(channel.languages or ["fr"])
            received = month.start + timedelta(minutes=randomness.randint(0, 27 * 24 * 60))
            answer = timedelta(minutes=randomness.choice([20, 90, 300, 900, 1400, 1500, 2000]))
            action = _pick(randomness)
            rule = randomness.choice(rules[action]) if rules.get(action) else None
            if action in rules and rule is None:
                action = Action.NO_ACTION
            items.append(
                Item(
                    institution=institution, channel=channel,
                    external_id=f"history-{month.key}-{number}", text=TEXTS.get(language, ""),
                    language=language, author_name="", posted_at=received, received_at=received,
                    due_at=received + timedelta(hours=channel.response_hours),
                    warn_at=received + timedelta(hours=channel.response_hours * 0.75),
                    warned_at=received, breached_at=received,
                    status=_STATUS[action], first_response_at=received + answer,
                    sla_answered_at=received + answer,
                )
            )  # fmt: skip
            outcomes.append((action, rule, received + answer))
    Item.objects.bulk_create(items, batch_size=500)
    Decision.objects.bulk_create(
        (
            Decision(
                institution=institution, item=item, actor_id=actor_id, action=action,
                created_at=at, rule=rule,
                reasons="Contenu contraire à la charte." if rule else "",
                reply_text=TEXTS.get(item.language, "") if action == Action.REPLY else "",
            )
            for item, (action, rule, at) in zip(items, outcomes, strict=True)
        ),
        batch_size=500,
    )  # fmt: skip
    return len(items)


_STATUS = {
    Action.REPLY: ItemStatus.ANSWERED,
    Action.NO_ACTION: ItemStatus.NO_ACTION,
    Action.HIDE: ItemStatus.HIDDEN,
    Action.REMOVE: ItemStatus.REMOVED,
}


def _pick(randomness: random.Random) -> Action:
    roll = randomness.random()
    for share, action in OUTCOMES:
        if roll < share:
            return action
        roll -= share
    return Action.REPLY
