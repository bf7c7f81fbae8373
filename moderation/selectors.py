"""The queue's order and its keyset pages.

Order: by deadline band (overdue, due soon, on time: the words of the deadline badge), then
priority (an urgent watch term 2, a watched term 1, none 0), then earliest deadline, then id.
So an item with an urgent term comes first among the items of its band, never behind the
items of a more urgent band.

The bands depend on the time, so a page is cut at one instant, ``as_of``: the first page's, kept
in the cursor, so that paging through the queue sees every row once even while items cross
from one band to the next. Each (band, priority) pair is one index range scan of
``item_queue_priority`` (``institution, status, -priority, due_at, id``: equality on the
priority makes the band's ``due_at`` bound a bound of the scan) limited to a page; all are read
in one ``UNION ALL`` query, so the page costs the same number of queries and about the same time
with ten thousand or a million items (no COUNT, no OFFSET, no sort of all open items).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from moderation.models import Item

PRIORITY_GROUPS = (Q(priority__gte=2), Q(priority=1), Q(priority=0))
"""Urgent (2; anything higher too), watched (1), none (0): see channels.services.watch."""


class Band(IntEnum):
    OVERDUE = 0
    SOON = 1
    ON_TIME = 2


def band_condition(band: Band, as_of: datetime) -> Q:
    """The rows of ``band`` at ``as_of``, as the deadline badge says (clock.urgency)."""
    if band is Band.OVERDUE:
        return Q(due_at__lt=as_of)
    if band is Band.SOON:
        return Q(due_at__gte=as_of, warn_at__lte=as_of)
    return Q(due_at__gte=as_of, warn_at__gt=as_of)


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the last row's sort key and the instant the bands were cut at."""

    as_of: datetime
    band: Band
    priority: int
    due_at: datetime
    id: int

    def encode(self) -> str:
        return "|".join(
            (self.as_of.isoformat(), str(int(self.band)), str(self.priority),
             self.due_at.isoformat(), str(self.id))
        )  # fmt: skip

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        """None for anything that is not a cursor this page wrote (the first page is shown)."""
        try:
            as_of, band, priority, due_at, last_id = text.split("|")
            cursor = cls(
                datetime.fromisoformat(as_of), Band(int(band)), int(priority),
                datetime.fromisoformat(due_at), int(last_id),
            )  # fmt: skip
        except ValueError:
            return None
        aware = cursor.as_of.tzinfo is not None and cursor.due_at.tzinfo is not None
        return cursor if aware else None


@dataclass(frozen=True)
class QueuePage:
    items: list[Item]
    next_cursor: Cursor | None


def queue_page(
    items: QuerySet[Item], *, now: datetime, cursor: Cursor | None, size: int
) -> QueuePage:
    """One page of ``items`` (already filtered and scoped) in queue order, after ``cursor``.

    One query: the ids of each (band, priority) pair's first rows (a ``UNION ALL`` of small
    index range scans on the item table alone, cheap to plan), then those rows with their
    joins, in order.
    """
    as_of = cursor.as_of if cursor else now
    parts = [
        _part_ids(items, band, group, as_of, cursor, size + 1)
        for band in Band
        if cursor is None or band >= cursor.band
        for group in PRIORITY_GROUPS
    ]
    candidates = parts[0].union(*parts[1:], all=True)
    rows = list(
        items.filter(pk__in=candidates)
        .annotate(band=band_expression(as_of))
        .order_by("band", "-priority", "due_at", "id")[: size + 1]
    )
    if len(rows) <= size:
        return QueuePage(rows, None)
    rows = rows[:size]
    last = rows[-1]
    following = Cursor(as_of, Band(last.band), last.priority, last.due_at, last.pk)
    return QueuePage(rows, following)


def band_expression(as_of: datetime) -> Case:
    return Case(
        *(When(band_condition(band, as_of), then=Value(int(band))) for band in Band),
        output_field=IntegerField(),
    )


def _part_ids(
    items: QuerySet[Item],
    band: Band,
    priorities: Q,
    as_of: datetime,
    cursor: Cursor | None,
    limit: int,
) -> QuerySet[Item]:
    part = items.filter(band_condition(band, as_of), priorities)
    if cursor is not None and band == cursor.band:
        part = part.filter(
            Q(priority__lt=cursor.priority)
            | Q(priority=cursor.priority, due_at__gt=cursor.due_at)
            | Q(priority=cursor.priority, due_at=cursor.due_at, id__gt=cursor.id)
        )
    return part.order_by("-priority", "due_at", "id").values("pk")[:limit]
