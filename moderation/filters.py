"""The queue's filters (django-filter), all kept in the URL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import SpokenLanguage
from channels.models import Channel, Platform
from channels.summaries import ChannelSummary
from moderation.models import Handover, Item, ItemStatus, PlatformAction

DECIDED_KINDS = (
    PlatformAction.Kind.HIDE,
    PlatformAction.Kind.DELETE,
    PlatformAction.Kind.REPLY,
    PlatformAction.Kind.PRIVATE_REPLY,
)
"""What hide, remove and reply decisions become on the platform."""

ASSIGNED_CHOICES = (("me", _("Assigned to me")), ("unassigned", _("Unassigned")))


class ItemFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[choice for choice in ItemStatus.choices if choice[0] != ItemStatus.OWN],
        empty_label=_("Any status"),
    )
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=(), empty_label=_("All channels")
    )
    platform = django_filters.ChoiceFilter(
        label=_("Platform"), field_name="channel__platform", choices=Platform.choices,
        empty_label=_("All platforms"),
    )  # fmt: skip
    language = django_filters.ChoiceFilter(
        label=_("Language"), choices=SpokenLanguage.choices, empty_label=_("All languages")
    )
    assigned = django_filters.ChoiceFilter(
        label=_("Assigned"), choices=ASSIGNED_CHOICES, method="filter_assigned",
        empty_label=_("Anyone"),
    )  # fmt: skip
    hits = django_filters.BooleanFilter(
        label=_("Only with keyword hits"), method="filter_hits", widget=forms.CheckboxInput
    )
    due_within = django_filters.NumberFilter(
        label=_("Due within (hours)"), method="filter_due_within", min_value=1, max_value=720
    )
    breached = django_filters.BooleanFilter(
        label=_("Only past their deadline"), method="filter_breached", widget=forms.CheckboxInput
    )
    handed_over = django_filters.BooleanFilter(
        label=_("Only handed over to me, not opened yet"),
        method="filter_handed_over",
        widget=forms.CheckboxInput,
    )
    second_look = django_filters.BooleanFilter(
        label=_("Only awaiting a second look"),
        method="filter_second_look",
        widget=forms.CheckboxInput,
    )
    not_executed = django_filters.BooleanFilter(
        label=_("Only decisions not carried out on the platform"),
        method="filter_not_executed",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Item
        fields = ("status", "channel", "platform", "language", "assigned", "hits")

    def __init__(
        self, *args: Any, channels: list[ChannelSummary], user: Any, **kwargs: Any
    ) -> None:
        """``channels``: the institution's, read once by the view (which also shows those in
        crisis mode), so the form costs no query of its own."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["channel"].extra["choices"] = [(str(c.pk), c.name) for c in channels]

    def active(self) -> list[str]:
        """The filters in force as people read them ("Language: Dutch"): the queue shows them
        beside its collapsed filter button, with their count on it. No query: the channels'
        names are the form's choices."""
        form = self.form
        if not form.is_valid():
            return []
        shown = []
        for name, field in form.fields.items():
            value = form.cleaned_data.get(name)
            if value in (None, "", False):
                continue
            if value is True:
                shown.append(str(field.label))
                continue
            choices = dict(getattr(field, "choices", ()))
            shown.append(
                _("%(filter)s: %(value)s")
                % {"filter": field.label, "value": choices.get(value, value)}
            )
        return shown

    def filter_assigned(self, queryset: QuerySet[Item], name: str, value: str) -> QuerySet[Item]:
        if value == "me":
            return queryset.filter(assigned_to=self.user)
        return queryset.filter(assigned_to__isnull=True) if value == "unassigned" else queryset

    def filter_hits(self, queryset: QuerySet[Item], name: str, value: bool) -> QuerySet[Item]:
        return queryset.filter(priority__gt=0) if value else queryset

    def filter_due_within(
        self, queryset: QuerySet[Item], name: str, value: float
    ) -> QuerySet[Item]:
        return queryset.filter(due_at__lte=timezone.now() + timedelta(hours=float(value)))

    def filter_breached(self, queryset: QuerySet[Item], name: str, value: bool) -> QuerySet[Item]:
        return queryset.filter(due_at__lt=timezone.now()) if value else queryset

    def filter_handed_over(
        self, queryset: QuerySet[Item], name: str, value: bool
    ) -> QuerySet[Item]:
        """Items handed over to me that I have not opened: the few ids of the partial index
        ``handover_unseen``, no work per queue row."""
        if not value:
            return queryset
        handed = Handover.objects.filter(to_user=self.user, seen_at__isnull=True)
        return queryset.filter(pk__in=handed.values("item_id"))

    def filter_second_look(
        self, queryset: QuerySet[Item], name: str, value: bool
    ) -> QuerySet[Item]:
        """Items whose hide or removal waits for a second moderator (four eyes)."""
        return queryset.filter(removal_pending=True) if value else queryset

    def filter_not_executed(
        self, queryset: QuerySet[Item], name: str, value: bool
    ) -> QuerySet[Item]:
        """Items with a hide, removal or reply whose platform action is not carried out
        (waiting, failed, to do by hand, changed back): one EXISTS condition, no query per row."""
        if not value:
            return queryset
        pending = PlatformAction.objects.filter(
            decision__item=OuterRef("pk"), kind__in=DECIDED_KINDS
        ).exclude(state__in=PlatformAction.CARRIED_OUT)
        return queryset.filter(Exists(pending))


class PlatformActionFilter(django_filters.FilterSet):
    """The "to do on the platform" list's filters."""

    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=(), empty_label=_("All channels")
    )
    kind = django_filters.ChoiceFilter(
        label=_("What to do"), choices=PlatformAction.Kind.choices, empty_label=_("Everything")
    )

    class Meta:
        model = PlatformAction
        fields = ("channel", "kind")

    def __init__(self, *args: Any, channels: list[Channel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["channel"].extra["choices"] = [(str(c.pk), c.name) for c in channels]
