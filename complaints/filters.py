"""The officers' case list filters (django-filter)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Case, Category, Source, Status
from complaints.querysets import CaseQuerySet

OPEN = "open"


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(OPEN, _("All open")), *Status.choices],
        method="filter_status",
        empty_label=_("All"),
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.none()
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Source.choices)
    q = django_filters.CharFilter(label=_("Reference or subject"), method="filter_text")
    deadline = django_filters.ChoiceFilter(
        label=_("Deadline"),
        choices=[("soon", _("Due within 5 days")), ("missed", _("Past the due date"))],
        method="filter_deadline",
        empty_label=_("Any"),
    )

    class Meta:
        model = Case
        fields = ("status", "category", "source", "q", "deadline")

    def __init__(self, *args: Any, institution: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["category"].queryset = Category.objects.available_to(institution)

    def filter_status(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return (
            queryset.exclude(status=Status.CLOSED)
            if value == OPEN
            else queryset.filter(status=value)
        )

    def filter_deadline(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        now = timezone.now()
        owed = cast(CaseQuerySet, queryset).answer_owed()
        if value == "missed":
            return owed.overdue(now)
        return owed.filter(due_at__gte=now, due_at__lte=now + timedelta(days=5))

    def filter_text(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        value = value.strip()
        return queryset.filter(Q(reference__iexact=value) | Q(subject__icontains=value))
