"""Aggregate queries behind the dashboard, the monthly report and the transparency page.

Everything is counted in the database, grouped by local calendar month (``TruncMonth`` in the
institution's time zone) on indexed time columns: ``item_received (institution, received_at)``,
``decision_by_time (institution, created_at)``, ``case_received (institution, received_at)``.
No personal data leaves these functions: counts, durations and codes only.

SLA of a social media item (the 24-hour promise, or the channel's response time): an item
received in the month *met* it when its first answer reached the platform at or before
``due_at`` (exactly at ``due_at`` counts as met), *missed* it when the answer came later or has
not come and ``due_at`` has passed; items still within their time are not counted yet. The time
of the answer is ``Item.sla_answered_at``: a hide, removal or no-action decision when taken, a
reply when it was posted (carried out through the API, or marked done by hand), never when it
was typed; an escalation is not the public answer. An item deleted on the platform or imported
as already handled owed no answer. First-response time is measured from the start of the SLA
clock (the platform's posting time, else receipt) to that answer.

Percentiles use PostgreSQL's ``percentile_cont``; on SQLite (the demo) they are computed in
Python from the durations, which is fine at demo sizes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import Coalesce, TruncMonth

from charter.models import CharterRule
from reports.periods import Month

MonthKey = tuple[int, int]
NO_ANSWER_OWED = ("deleted", "historic")
"""Item statuses that leave the SLA figures when unanswered."""
RESPONSE_BUCKETS: list[tuple[str, timedelta | None]] = [
    ("1h", timedelta(hours=1)),
    ("4h", timedelta(hours=4)),
    ("12h", timedelta(hours=12)),
    ("24h", timedelta(hours=24)),
    ("later", None),
]
"""First-response time distribution, upper bounds included: up to 1 h, over 1 and up to 4 h,
..., over 24 h (an answer exactly 24 hours after posting is in time, and in the 12-24 h bucket)."""


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def response_time() -> ExpressionWrapper:
    return ExpressionWrapper(
        F("sla_answered_at") - Coalesce("posted_at", "received_at"),
        output_field=DurationField(),
    )


def in_months(field: str, months: Iterable[Month]) -> Q:
    condition = Q(pk__in=[])
    for month in months:
        condition |= Q(**{f"{field}__gte": month.start, f"{field}__lt": month.end})
    return condition


def month_key(value: datetime | None) -> MonthKey:
    return (value.year, value.month) if value else (0, 0)


def counts_by_month(
    rows: QuerySet[Any], field: str, months: list[Month], dimension: str
) -> dict[MonthKey, dict[str, int]]:
    """How many rows per month and per value of ``dimension``."""
    zone = months[0].zone
    grouped = (
        rows.filter(in_months(field, months))
        .annotate(month=TruncMonth(field, tzinfo=zone))
        .order_by()
        .values("month", dimension)
        .annotate(n=Count("pk"))
    )
    result: dict[MonthKey, dict[str, int]] = defaultdict(dict)
    for row in grouped:
        result[month_key(row["month"])][str(row[dimension] or "")] = row["n"]
    return result


@dataclass
class Sla:
    received: int = 0
    met: int = 0
    answered_late: int = 0
    unanswered_late: int = 0
    median: timedelta | None = None
    p90: timedelta | None = None
    buckets: dict[str, int] | None = None

    @property
    def missed(self) -> int:
        return self.answered_late + self.unanswered_late

    @property
    def compliance(self) -> float | None:
        """Share met, in percent, of the items whose outcome is known; None if none is."""
        decided = self.met + self.missed
        return round(100 * self.met / decided, 1) if decided else None


def sla_by(
    items: QuerySet[Any], now: datetime, group: str, *, with_buckets: bool = False
) -> dict[Any, Sla]:
    """SLA figures of ``items`` grouped by ``group`` (an annotation or a field)."""
    answered = Q(sla_answered_at__isnull=False)
    aggregates: dict[str, Any] = {
        "received": Count("pk"),
        "met": Count("pk", filter=answered & Q(sla_answered_at__lte=F("due_at"))),
        "answered_late": Count("pk", filter=answered & Q(sla_answered_at__gt=F("due_at"))),
        # An item deleted on the platform or imported as history owed no answer; a reply
        # typed but not posted, or an escalation without its public answer, is unanswered.
        "unanswered_late": Count(
            "pk",
            filter=Q(sla_answered_at__isnull=True, due_at__lt=now) & ~Q(status__in=NO_ANSWER_OWED),
        ),
    }
    postgres = connection.vendor == "postgresql"
    if postgres:
        aggregates["median"] = Percentile(response_time(), 0.5, filter=answered)
        aggregates["p90"] = Percentile(response_time(), 0.9, filter=answered)
    if with_buckets:
        lower: timedelta | None = None
        for name, upper in RESPONSE_BUCKETS:
            condition = answered
            if lower is not None:
                condition &= Q(response__gt=lower)
            if upper is not None:
                condition &= Q(response__lte=upper)
            aggregates[f"bucket_{name}"] = Count("pk", filter=condition)
            lower = upper
        items = items.annotate(response=response_time())
    rows = items.order_by().values(group).annotate(**aggregates)
    result: dict[Any, Sla] = {}
    for row in rows:
        result[row[group]] = Sla(
            received=row["received"],
            met=row["met"],
            answered_late=row["answered_late"],
            unanswered_late=row["unanswered_late"],
            median=row.get("median"),
            p90=row.get("p90"),
            buckets={name: row[f"bucket_{name}"] for name, _ in RESPONSE_BUCKETS}
            if with_buckets
            else None,
        )
    if not postgres:
        _python_percentiles(items, group, result)
    return result


def _python_percentiles(items: QuerySet[Any], group: str, result: dict[Any, Sla]) -> None:
    durations: dict[Any, list[timedelta]] = defaultdict(list)
    answered = items.filter(sla_answered_at__isnull=False).annotate(response_span=response_time())
    for key, span in answered.values_list(group, "response_span"):
        durations[key].append(span)
    for key, spans in durations.items():
        if key in result and spans:
            ordered = sorted(spans)
            result[key].median = interpolated(ordered, 0.5)
            result[key].p90 = interpolated(ordered, 0.9)


def interpolated(ordered: list[timedelta], fraction: float) -> timedelta:
    """The ``fraction`` percentile with linear interpolation, as ``percentile_cont`` does."""
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class ComplaintFigures:
    received: int = 0
    answered: int = 0
    answered_in_time: int = 0
    unanswered_late: int = 0
    average_days: float | None = None

    @property
    def in_time_share(self) -> float | None:
        """Answered within 30 days, in percent of the complaints whose outcome is known
        (answered, or past their due date unanswered)."""
        decided = self.answered + self.unanswered_late
        return round(100 * self.answered_in_time / decided, 1) if decided else None


def complaints_by_month(
    cases: QuerySet[Any], months: list[Month], now: datetime
) -> dict[MonthKey, ComplaintFigures]:
    """Complaints received per month: answered, answered within their 30 days, past their due
    date unanswered, and the average handling time (receipt to answer) in days."""
    zone = months[0].zone
    handling = ExpressionWrapper(F("answered_at") - F("received_at"), output_field=DurationField())
    answered = Q(answered_at__isnull=False)
    rows = (
        cases.filter(in_months("received_at", months))
        .annotate(month=TruncMonth("received_at", tzinfo=zone))
        .order_by()
        .values("month")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=answered),
            in_time=Count("pk", filter=answered & Q(answered_at__lte=F("due_at"))),
            late=Count("pk", filter=Q(answered_at__isnull=True, due_at__lt=now)),
            average=Avg(handling, filter=answered),
        )
    )
    result: dict[MonthKey, ComplaintFigures] = {}
    for row in rows:
        average = row["average"]
        result[month_key(row["month"])] = ComplaintFigures(
            received=row["received"],
            answered=row["answered"],
            answered_in_time=row["in_time"],
            unanswered_late=row["late"],
            average_days=round(average.total_seconds() / 86400, 1) if average else None,
        )
    return result


def moderation_by_rule(
    decisions: QuerySet[Any], months: list[Month]
) -> list[tuple[MonthKey, CharterRule, str, int]]:
    """Hides and removals per month, house rule cited and action: (month, rule, action, count),
    rules with their texts and charter loaded (for labels and links)."""
    rows = list(
        decisions.filter(in_months("created_at", months), action__in=("hide", "remove"))
        .annotate(month=TruncMonth("created_at", tzinfo=months[0].zone))
        .order_by()
        .values("month", "rule_id", "action")
        .annotate(n=Count("pk"))
    )
    rules = (
        CharterRule.objects.filter(pk__in={row["rule_id"] for row in rows})
        .select_related("version__charter")
        .prefetch_related("texts")
        .in_bulk()
    )
    return [(month_key(row["month"]), rules[row["rule_id"]], row["action"], row["n"])
            for row in rows]  # fmt: skip


def hours(span: timedelta | None) -> float | None:
    return round(span.total_seconds() / 3600, 1) if span is not None else None
