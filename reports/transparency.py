"""What the public is owed, per month: no personal data, no item text.

Per month (local calendar): items handled (received that month and answered, hidden, removed,
escalated or closed without action), hides and removals by the house rule they cited (linked to
the rule's public wording), each as decided and as carried out on the platform (confirmed by the
platform or done by hand, see ``reports.execution``), the share answered within the response
time, complaints received and the share answered within 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Institution
from charter.links import rule_applied_url
from charter.selectors import rule_label
from complaints.models import Case
from moderation.models import Contest, ContestOutcome, Decision, Item
from reports.execution import carried_out_exists
from reports.monthly import active_language
from reports.periods import Month
from reports.stats import (
    MonthKey,
    complaints_by_month,
    counts_by_month,
    in_months,
    moderation_by_rule,
    month_key,
    sla_by,
)

MONTHS_SHOWN = 12
PUBLIC_FIGURES_SECONDS = 600


@dataclass
class RuleCount:
    label: str
    url: str
    hidden: int = 0
    removed: int = 0
    hidden_done: int = 0
    """Of the hides decided, those carried out on the platform."""
    removed_done: int = 0


@dataclass
class PublicMonth:
    month: Month
    handled: int = 0
    answered_in_time_share: float | None = None
    complaints_received: int = 0
    complaints_in_time_share: float | None = None
    contests_received: int = 0
    contests_upheld: int = 0
    """Contests decided that month whose decision was upheld."""
    contests_reversed: int = 0
    rules: list[RuleCount] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return sum(rule.hidden for rule in self.rules)

    @property
    def removed(self) -> int:
        return sum(rule.removed for rule in self.rules)

    @property
    def hidden_done(self) -> int:
        return sum(rule.hidden_done for rule in self.rules)

    @property
    def removed_done(self) -> int:
        return sum(rule.removed_done for rule in self.rules)


PUBLIC_FIGURES_SECONDS = 600


def transparency_cached(institution: Institution) -> list[PublicMonth]:
    """The figures (half a second of queries at a million items) cached ten minutes per
    institution and language, which monthly figures can afford: the public page and the API
    share them."""
    # get_or_set returns the default's value on a miss, never None here.
    months: list[PublicMonth] = cache.get_or_set(  # type: ignore[assignment]
        f"transparency:{institution.pk}:{translation.get_language()}",
        lambda: transparency(institution, timezone.now()),
        PUBLIC_FIGURES_SECONDS,
    )
    return months


def transparency(institution: Institution, now: datetime) -> list[PublicMonth]:
    """The current month and the eleven before it, newest first."""
    months = Month.recent(now, institution.zone, MONTHS_SHOWN)
    zone = institution.zone
    result = {(m.year, m.month): PublicMonth(m) for m in months}

    items = (
        Item.objects.for_institution(institution)
        .from_public()
        .filter(in_months("received_at", months))
        .annotate(month=TruncMonth("received_at", tzinfo=zone))
    )
    for month, sla in sla_by(items, now, "month").items():
        result[month_key(month)].answered_in_time_share = sla.compliance
    handled = items.filter(first_response_at__isnull=False).order_by().values("month")
    for row in handled.annotate(n=Count("pk")):
        result[month_key(row["month"])].handled = row["n"]

    cases = Case.objects.for_institution(institution)
    for key, figures in complaints_by_month(cases, months, now).items():
        result[key].complaints_received = figures.received
        result[key].complaints_in_time_share = figures.in_time_share

    _rules(institution, months, result)
    _contests(institution, months, result)
    return [result[(m.year, m.month)] for m in months]


def version_label(number: int) -> str:
    return _("version %(number)s") % {"number": number}


def _contests(
    institution: Institution, months: list[Month], result: dict[MonthKey, PublicMonth]
) -> None:
    """Contests received per month, and their outcomes per month decided."""
    received = counts_by_month(
        Contest.objects.for_institution(institution), "received_at", months, "institution_id"
    )
    for key, counts in received.items():
        result[key].contests_received = sum(counts.values())
    outcomes = counts_by_month(
        ContestOutcome.objects.for_institution(institution), "decided_at", months, "outcome"
    )
    for key, counts in outcomes.items():
        result[key].contests_upheld = counts.get("upheld", 0)
        result[key].contests_reversed = counts.get("reversed", 0)


def _rules(
    institution: Institution, months: list[Month], result: dict[MonthKey, PublicMonth]
) -> None:
    decisions = Decision.objects.for_institution(institution)
    language = active_language()
    per_month: dict[MonthKey, dict[str, RuleCount]] = {}
    done = _carried_out(decisions, months)
    for key, rule, action, count in moderation_by_rule(decisions, months):
        url = rule_applied_url(institution.slug, rule)
        label = f"{rule_label(rule, language)} ({version_label(rule.version.number)})"
        counts = per_month.setdefault(key, {})
        entry = counts.setdefault(f"{label}|{url}", RuleCount(label, url))
        if action == "hide":
            entry.hidden += count
            entry.hidden_done += done.get((key, rule.pk, action), 0)
        else:
            entry.removed += count
            entry.removed_done += done.get((key, rule.pk, action), 0)
    for key, counts in per_month.items():
        if key in result:
            result[key].rules = sorted(
                counts.values(), key=lambda r: (-(r.hidden + r.removed), r.label)
            )


def _carried_out(
    decisions: QuerySet[Decision], months: list[Month]
) -> dict[tuple[MonthKey, int, str], int]:
    """Hides and removals carried out, per (month decided, rule, action): one query."""
    rows = (
        decisions.filter(in_months("created_at", months), action__in=("hide", "remove"))
        .annotate(month=TruncMonth("created_at", tzinfo=months[0].zone))
        .order_by()
        .values("month", "rule_id", "action")
        .annotate(n=Count("pk", filter=Q(carried_out_exists())))
    )
    return {(month_key(row["month"]), row["rule_id"], row["action"]): row["n"] for row in rows}
