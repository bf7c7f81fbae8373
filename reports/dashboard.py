"""The institution dashboard's figures: what waits now, and this month so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Q

from accounts.models import Institution, Membership
from channels.models import Channel, KeywordHit
from charter.models import Acknowledgement, Charter
from complaints.models import Case, Status
from moderation.models import Item, PlatformAction
from reports.periods import Month
from reports.stats import Sla, sla_by

DUE_SOON_ITEMS = timedelta(hours=4)
DUE_SOON_CASES = timedelta(days=5)


@dataclass
class ItemsNow:
    open: int
    due_soon: int
    breached: int
    unassigned: int


@dataclass
class CasesNow:
    by_status: list[tuple[str, str, int]]
    """(status, label, count) for the statuses in which the answer is owed."""
    due_soon: int
    breached: int


@dataclass
class CharterRate:
    charter: Charter
    version_number: int
    acknowledged: int
    members: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.acknowledged / self.members, 1) if self.members else None


@dataclass
class ChannelActions:
    """A channel's platform actions not finished: waiting to be sent (queued, sending), to do
    by hand (not allowed by the platform or the token, or refused), and carried out without
    confirmation (executed, not verified; or verified, then found changed back)."""

    channel_id: int
    name: str
    waiting: int
    by_hand: int
    unverified: int


@dataclass
class Dashboard:
    month: Month
    items: ItemsNow
    sla: Sla
    sla_by_channel: list[tuple[Channel, Sla]]
    sla_by_language: list[tuple[str, Sla]]
    cases: CasesNow
    charters: list[CharterRate]
    hits: list[tuple[str, int]] = field(default_factory=list)
    week_start: datetime | None = None
    actions: list[ChannelActions] = field(default_factory=list)


def dashboard(institution: Institution, now: datetime) -> Dashboard:
    month = Month.containing(now, institution.zone)
    sla, by_channel, by_language = _sla_this_month(institution, month, now)
    return Dashboard(
        month=month,
        items=_items_now(institution, now),
        sla=sla,
        sla_by_channel=by_channel,
        sla_by_language=by_language,
        cases=_cases_now(institution, now),
        charters=_charter_rates(institution),
        hits=_hits_this_week(institution, now),
        week_start=_week_start(institution, now),
        actions=_actions_by_channel(institution),
    )


UNVERIFIED = (PlatformAction.State.EXECUTED, PlatformAction.State.MISMATCH)


def _actions_by_channel(institution: Institution) -> list[ChannelActions]:
    """One aggregate query over the institution's unfinished actions, per channel."""
    State = PlatformAction.State
    rows = (
        PlatformAction.objects.for_institution(institution)
        .filter(state__in=(*PlatformAction.WAITING, *PlatformAction.TO_DO_BY_HAND, *UNVERIFIED))
        .order_by()
        .values("channel_id", "channel__name")
        .annotate(
            waiting=Count("pk", filter=Q(state__in=(State.QUEUED, State.SENDING))),
            by_hand=Count("pk", filter=Q(state__in=(State.MANUAL, State.FAILED))),
            unverified=Count("pk", filter=Q(state__in=UNVERIFIED)),
        )
        .order_by("channel__name", "channel_id")
    )
    return [
        ChannelActions(row["channel_id"], row["channel__name"], row["waiting"],
                       row["by_hand"], row["unverified"])
        for row in rows
    ]  # fmt: skip


def _items_now(institution: Institution, now: datetime) -> ItemsNow:
    waiting = Item.objects.for_institution(institution).filter(status="open")
    unanswered = Q(first_response_at__isnull=True)
    figures = waiting.aggregate(
        open=Count("pk"),
        due_soon=Count(
            "pk", filter=unanswered & Q(due_at__gte=now, due_at__lte=now + DUE_SOON_ITEMS)
        ),
        breached=Count("pk", filter=unanswered & Q(due_at__lt=now)),
        unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
    )
    return ItemsNow(**figures)


def _sla_this_month(
    institution: Institution, month: Month, now: datetime
) -> tuple[Sla, list[tuple[Channel, Sla]], list[tuple[str, Sla]]]:
    received = (
        Item.objects.for_institution(institution)
        .from_public()
        .filter(received_at__gte=month.start, received_at__lt=month.end)
    )
    overall = sla_by(received, now, "institution_id")  # one group: the whole month
    channels = Channel.objects.for_institution(institution).in_bulk()
    by_channel = sla_by(received, now, "channel_id")
    by_language = sla_by(received, now, "language")
    return (
        overall.get(institution.pk, Sla()),
        sorted(
            ((channels[pk], sla) for pk, sla in by_channel.items() if pk in channels),
            key=lambda pair: pair[0].name,
        ),
        sorted(by_language.items()),
    )


def _cases_now(institution: Institution, now: datetime) -> CasesNow:
    owed = Case.objects.for_institution(institution).answer_owed()
    counts = dict(owed.order_by().values_list("status").annotate(n=Count("pk")))
    by_status = [
        (value, str(label), counts.get(value, 0))
        for value, label in Status.choices
        if value not in (Status.ANSWERED, Status.CLOSED)
    ]
    soon = owed.filter(due_at__gte=now, due_at__lte=now + DUE_SOON_CASES).count()
    return CasesNow(by_status=by_status, due_soon=soon, breached=owed.overdue(now).count())


def _charter_rates(institution: Institution) -> list[CharterRate]:
    members = (
        Membership.objects.for_institution(institution)
        .active()
        .values("user_id")
        .distinct()
        .count()
    )
    rates = []
    charters = Charter.objects.for_institution(institution).staff().prefetch_related("versions")
    for charter in charters.order_by("slug"):
        version = charter.latest_published()
        if version is None:
            continue
        acknowledged = (
            Acknowledgement.objects.filter(version=version)
            .filter(
                user_id__in=Membership.objects.for_institution(institution)
                .active()
                .values("user_id")
            )
            .count()
        )
        rates.append(CharterRate(charter, version.number, acknowledged, members))
    return rates


def _week_start(institution: Institution, now: datetime) -> datetime:
    local = now.astimezone(institution.zone)
    monday = (local - timedelta(days=local.weekday())).date()
    return datetime.combine(monday, datetime.min.time(), institution.zone)


def _hits_this_week(institution: Institution, now: datetime) -> list[tuple[str, int]]:
    hits = (
        KeywordHit.objects.for_institution(institution)
        .filter(matched_at__gte=_week_start(institution, now))
        .order_by()
        .values("term__term")
        .annotate(n=Count("pk"))
        .order_by("-n", "term__term")
    )
    return [(row["term__term"], row["n"]) for row in hits]
