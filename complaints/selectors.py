"""Complaint statistics for a period (the officers' analysis page); no personal data."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, OuterRef, QuerySet, Subquery

from accounts.models import Institution
from complaints.models import RECOMMENDATION_TRACKED, Case, Recommendation


@dataclass(frozen=True)
class Analysis:
    total: int
    by_category: list[tuple[str, int]]
    by_source: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_outcome: list[tuple[str, int]]
    answered: int
    answered_on_time: int
    median_days_to_answer: float | None
    open_overdue: int


def cases_received(institution: Institution, start: datetime, end: datetime) -> QuerySet[Case]:
    return Case.objects.for_institution(institution).filter(
        received_at__gte=start, received_at__lt=end
    )


def analysis(institution: Institution, start: datetime, end: datetime, now: datetime) -> Analysis:
    cases = cases_received(institution, start, end)
    answered = cases.filter(answered_at__isnull=False)
    durations = [
        (answered_at - received_at).total_seconds() / 86400
        for received_at, answered_at in answered.values_list("received_at", "answered_at")
        if answered_at is not None
    ]
    return Analysis(
        total=cases.count(),
        by_category=_counts(cases, "category__code"),
        by_source=_counts(cases, "source"),
        by_channel=_counts(cases.filter(channel__isnull=False), "channel__name"),
        by_outcome=_counts(cases.exclude(outcome=""), "outcome"),
        answered=len(durations),
        answered_on_time=answered.filter(answered_at__lte=F("due_at")).count(),
        median_days_to_answer=round(statistics.median(durations), 1) if durations else None,
        open_overdue=cases.filter(answered_at__isnull=True, due_at__lt=now)
        .exclude(status="closed")
        .count(),
    )


def _counts(cases: QuerySet[Case], field: str) -> list[tuple[str, int]]:
    rows = cases.order_by().values(field).annotate(n=Count("pk")).order_by("-n", field)
    return [(str(row[field]), int(row["n"])) for row in rows]


@dataclass(frozen=True)
class ComplaintMarker:
    """What communicators may know about a complaint opened from an item: that it exists."""

    opened_at: datetime
    is_open: bool


def complaint_exists_sql(item_id_column: str) -> str:
    """SQL true when a complaint was opened from the item whose id is ``item_id_column``
    (a constant expression, for a query written in SQL: the moderation queue's rows)."""
    table = Case.items.through._meta.db_table
    return f"EXISTS (SELECT 1 FROM {table} WHERE {table}.item_id = {item_id_column})"  # noqa: S608


def complaint_marker_annotations() -> dict[str, Subquery]:
    """Annotations for an item queryset carrying the marker of the first complaint opened from
    the item, read in the item's own query; see
    ``complaint_marker_of``."""
    first = Case.items.through.objects.filter(item_id=OuterRef("pk")).order_by("case__created_at")
    return {
        "complaint_opened_at": Subquery(first.values("case__created_at")[:1]),
        "complaint_status": Subquery(first.values("case__status")[:1]),
    }


def complaint_marker_of(item: object) -> ComplaintMarker | None:
    """The marker of an item read with ``complaint_marker_annotations``."""
    opened_at = getattr(item, "complaint_opened_at", None)
    if opened_at is None:
        return None
    return ComplaintMarker(opened_at=opened_at, is_open=item.complaint_status != "closed")  # type: ignore[attr-defined]


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    by: object
    status: str
    created: bool
    changed: list[str]
    """Labels of the fields that changed, in the active language."""


def recommendation_history(recommendation: Recommendation, limit: int = 50) -> list[HistoryLine]:
    """The recommendation's history, newest first, each row saying what changed."""
    labels = {
        name: str(getattr(Recommendation._meta.get_field(name), "verbose_name", name)).capitalize()
        for name in RECOMMENDATION_TRACKED
    }
    records = recommendation.history.select_related("history_user")[:limit]  # type: ignore[attr-defined]
    return [
        HistoryLine(
            at=record.history_date,
            by=record.history_user,
            status=record.get_status_display(),
            created=record.history_type == "+",
            changed=[
                labels.get(key, key)
                for key in (record.history_change_reason or "").split(",")
                if key
            ],
        )
        for record in records
    ]
