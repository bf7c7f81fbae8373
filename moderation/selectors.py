"""The queue's order and its keyset pages, shared by the queue page and the item page's
"… and next" buttons, so both read the same filters in the same order.

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

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils import translation

from accounts.models import Institution
from accounts.people_cache import PEOPLE_GENERATION
from channels.summaries import ChannelSummary, channel_summaries
from complaints.categories import CATEGORIES_GENERATION
from complaints.models import Category
from complaints.selectors import complaint_exists_sql, complaint_marker_annotations
from complaints.services.holds import item_held
from govsocial.generations import generations
from moderation.filters import ItemFilter
from moderation.models import (
    Handover,
    Item,
    ItemRevision,
    ItemStatus,
    LadderAlert,
    PlatformAction,
    SavedReply,
)
from moderation.services.assignment import moderators
from moderation.services.replies import saved_replies_generation_key

PRIORITY_GROUPS = (("priority >= %s", 2), ("priority = %s", 1), ("priority = %s", 0))
"""Urgent (2; anything higher too), watched (1), none (0): see services.watch."""


class Band(IntEnum):
    OVERDUE = 0
    SOON = 1
    ON_TIME = 2


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
    items: Sequence[Item]
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
    try:
        candidates = RawSQL(*_candidate_ids(items, as_of, cursor, size + 1))  # noqa: S611
    except EmptyResultSet:  # the filters exclude everything
        return QueuePage([], None)
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


def band_expression(as_of: datetime) -> RawSQL:
    """The band of a row at ``as_of`` (as ``BAND_SQL``); SQL, compiled in a third of the time
    of ``Case``/``When``."""
    return RawSQL(  # constant SQL, the time as a parameter
        'CASE WHEN "moderation_item"."due_at" < %s THEN 0 '
        'WHEN "moderation_item"."warn_at" <= %s THEN 1 ELSE 2 END',
        [as_of, as_of],
        output_field=IntegerField(),
    )


BAND_SQL = {
    Band.OVERDUE: ("due_at < %s", 1),
    Band.SOON: ("due_at >= %s AND warn_at <= %s", 2),
    Band.ON_TIME: ("due_at >= %s AND warn_at > %s", 2),
}
"""The rows of each band at ``as_of``, as the deadline badge says (clock.urgency), with how
many times the SQL takes ``as_of``."""


def _candidate_ids(
    items: QuerySet[Item], as_of: datetime, cursor: Cursor | None, limit: int
) -> tuple[str, list[object]]:
    """SQL for the first ``limit`` ids of each (band, priority) pair after ``cursor``.

    Written as SQL around the filtered queryset's own (compiled once): nine querysets built
    and compiled by the ORM cost more than the query itself. PostgreSQL pulls the plain
    subquery up, so each part is a range scan of ``item_queue_priority`` (equality on the
    priority, the band's bound on ``due_at``).
    """
    base = items.order_by().values("id", "priority", "due_at", "warn_at")
    base_sql, base_params = base.query.sql_with_params()
    parts: list[str] = []
    params: list[object] = []
    for band in Band:
        if cursor is not None and band < cursor.band:
            continue
        band_sql, uses = BAND_SQL[band]
        for priority_sql, priority in PRIORITY_GROUPS:
            where, values = [band_sql, priority_sql], [*[as_of] * uses, priority]
            if cursor is not None and band == cursor.band:
                where.append("(priority < %s OR (priority = %s AND (due_at, id) > (%s, %s)))")
                values += [cursor.priority, cursor.priority, cursor.due_at, cursor.id]
            parts.append(
                f"(SELECT id FROM ({base_sql}) AS base WHERE {' AND '.join(where)} "  # noqa: S608
                "ORDER BY priority DESC, due_at, id LIMIT %s)"
            )
            params += [*base_params, *values, limit]
    return " UNION ALL ".join(parts), params


DEFAULT_QUEUE = f"status={ItemStatus.OPEN}"
"""The queue without parameters: open items."""


@dataclass(slots=True)
class QueueRow:
    """One row of the queue page as ``queue_rows`` draws it: the columns a row shows, read
    with one constant SQL statement (``queue_rows_page``) instead of fifty ``Item`` instances
    and their assignees (issue 21: building them and compiling their query was a quarter of
    the page's CPU)."""

    pk: int
    channel_id: int
    status: str
    priority: int
    due_at: datetime
    warn_at: datetime
    author_name: str
    author_handle: str
    text: str
    language: str
    keyword_hits: list[dict[str, Any]]
    removal_pending: bool
    assigned_to: str | None
    """The assignee as ``User.__str__`` shows them (name, else e-mail address)."""
    with_complaint: bool
    """A complaint was opened from the item."""
    band: Band
    channel: ChannelSummary

    def get_status_display(self) -> str:
        return str(ItemStatus(self.status).label)


ROWS_SQL = """
SELECT i.id, i.channel_id, i.status, i.priority, i.due_at, i.warn_at, i.author_name,
       i.author_handle, i.text, i.language, i.keyword_hits, i.removal_pending,
       COALESCE(NULLIF(u.full_name, ''), u.email), {complaint},
       CASE WHEN i.due_at < %s THEN 0 WHEN i.warn_at <= %s THEN 1 ELSE 2 END AS band
FROM {items} i LEFT JOIN {users} u ON u.id = i.assigned_to_id
WHERE i.id IN ({candidates})
ORDER BY band, i.priority DESC, i.due_at, i.id
LIMIT %s
"""
"""The rows of a queue page: the candidates (already filtered and scoped to the institution
by ``_candidate_ids``) with their assignee's name and complaint marker, in queue order."""


@dataclass(frozen=True)
class QueueRowsPage:
    rows: list[QueueRow]
    next_cursor: Cursor | None


def queue_rows_page(
    items: QuerySet[Item],
    *,
    channels: dict[int, ChannelSummary],
    now: datetime,
    cursor: Cursor | None,
    size: int,
) -> QueueRowsPage:
    """``queue_page`` for the queue page itself: the same candidates in the same order, read
    as ``QueueRow``s in one query (the complaint markers included), each with its channel
    from ``channels`` (by id)."""
    as_of = cursor.as_of if cursor else now
    try:
        candidates, params = _candidate_ids(items, as_of, cursor, size + 1)
    except EmptyResultSet:  # the filters exclude everything
        return QueueRowsPage([], None)
    sql = ROWS_SQL.format(
        complaint=complaint_exists_sql("i.id"),
        items=Item._meta.db_table,
        users=get_user_model()._meta.db_table,
        candidates=candidates,
    )
    with connection.cursor() as cursor_:
        cursor_.execute(sql, [as_of, as_of, *params, size + 1])  # type: ignore[list-item]
        fetched = cursor_.fetchall()
    rows = [
        QueueRow(
            pk, channel_id, status, priority, due_at, warn_at, author_name, author_handle,
            text, language, json.loads(hits) if isinstance(hits, str) else hits, pending,
            assignee, with_complaint, Band(band), channels[channel_id],
        )
        for (
            pk, channel_id, status, priority, due_at, warn_at, author_name, author_handle,
            text, language, hits, pending, assignee, with_complaint, band,
        ) in fetched
    ]  # fmt: skip
    if len(rows) <= size:
        return QueueRowsPage(rows, None)
    rows = rows[:size]
    last = rows[-1]
    return QueueRowsPage(rows, Cursor(as_of, last.band, last.priority, last.due_at, last.pk))


@dataclass(frozen=True)
class Queue:
    filters: ItemFilter
    channels: list[ChannelSummary]

    @property
    def items(self) -> QuerySet[Item]:
        """The filtered items, unordered: ``queue_page`` puts them in the queue's order."""
        return self.filters.qs

    def page(self, *, now: datetime, cursor: Cursor | None, size: int) -> QueuePage:
        """One page of items, as models."""
        return queue_page(self.items, now=now, cursor=cursor, size=size)

    def rows(self, *, now: datetime, cursor: Cursor | None, size: int) -> QueueRowsPage:
        """One page of rows for the queue page, each with its channel taken from ``channels``
        (already loaded for the filters) rather than joined and built again for every row."""
        by_id = {channel.pk: channel for channel in self.channels}
        return queue_rows_page(self.items, channels=by_id, now=now, cursor=cursor, size=size)


def queue_params(query: str) -> QueryDict:
    """The queue's filters from a query string (the default queue when empty), without the
    page cursor."""
    params = QueryDict(query or DEFAULT_QUEUE, mutable=True)
    params.pop("after", None)
    return params


def queue_items(institution: Institution, user: Any, params: QueryDict) -> Queue:
    channels = channel_summaries(institution.pk)
    filters = ItemFilter(
        params,
        queryset=Item.objects.for_institution(institution)
        .from_public()
        .select_related("assigned_to"),
        channels=channels,
        user=user,
    )
    return Queue(filters, channels)


def band_at(item: Item, as_of: datetime) -> Band:
    """The band ``item`` is in at ``as_of`` (as ``band_expression`` computes it in SQL)."""
    if item.due_at < as_of:
        return Band.OVERDUE
    return Band.SOON if item.warn_at <= as_of else Band.ON_TIME


def queue_next(
    institution: Institution, user: Any, params: QueryDict, item: Item, *, now: datetime
) -> Item | None:
    """The item after ``item`` in the queue filtered by ``params``, exactly as the queue's next
    page would start after it (one query)."""
    after = Cursor(now, band_at(item, now), item.priority, item.due_at, item.pk)
    page = queue_items(institution, user, params).page(now=now, cursor=after, size=1)
    return page.items[0] if page.items else None


# --- the item page ---------------------------------------------------------------------------

THREAD_LIMIT = 20


def item_page_items(institution: Institution) -> QuerySet[Item]:
    """The institution's items as the item page and its actions load one: with its channel,
    assignee and institution, the marker of a complaint opened from it
    (``complaint_marker_of``), and whether it has earlier versions, platform actions, a
    legal hold, handovers or escalation alerts, all in the item's own query: the page reads
    those rows only for an item that has some (most have none; each query saved is a round
    trip and its compilation, issue 21).
    """
    return (
        Item.objects.for_institution(institution)
        .select_related("channel", "assigned_to", "institution")
        .annotate(
            **complaint_marker_annotations(),
            has_revisions=Exists(ItemRevision.objects.filter(item_id=OuterRef("pk"))),
            has_platform_actions=Exists(
                PlatformAction.objects.filter(decision__item_id=OuterRef("pk"))
            ),
            is_held=item_held(),
            has_handovers=Exists(Handover.objects.filter(item_id=OuterRef("pk"))),
            has_alerts=Exists(LadderAlert.objects.filter(item_id=OuterRef("pk"))),
        )
    )


@dataclass(frozen=True)
class Thread:
    around: list[Item]
    """The item's parent and the parent's other replies."""
    replies: list[Item]
    """The replies to the item."""


def item_thread(item: Item, limit: int = THREAD_LIMIT) -> Thread:
    """The item's place in its thread, in posting order, at most ``limit`` of each, in one query.

    Each part is a range scan of the partial index ``item_replies`` (channel, parent id, posting
    time), the parent a probe of the channel's unique external ids: the cost does not grow with
    the channel (which once read every item of the channel to find no reply).
    """
    in_channel = Item.objects.filter(channel_id=item.channel_id).only(
        "id", "author_name", "text", "posted_at", "status"
    )
    replies = (
        in_channel.filter(parent_external_id=item.external_id)
        .annotate(is_reply=Value(True))
        .order_by("posted_at", "id")[:limit]
    )
    if not item.parent_external_id:
        return Thread([], list(replies))
    around = (
        in_channel.filter(
            Q(external_id=item.parent_external_id) | Q(parent_external_id=item.parent_external_id)
        )
        .exclude(pk=item.pk)
        .annotate(is_reply=Value(False))
        .order_by("posted_at", "id")[:limit]
    )
    rows = sorted(around.union(replies, all=True), key=_posting_order)
    return Thread([row for row in rows if not row.is_reply], [row for row in rows if row.is_reply])


def _posting_order(item: Item) -> tuple[bool, datetime, int]:
    """As ``ORDER BY posted_at, id`` (PostgreSQL puts a missing time last)."""
    return (item.posted_at is None, item.posted_at or datetime.min.replace(tzinfo=UTC), item.pk)


NEW_ITEMS_LIMIT = 100


def new_items_count(institution: Institution, since: datetime) -> int:
    """Open items received after ``since`` (at most ``NEW_ITEMS_LIMIT``): a range scan of
    ``item_received`` over the items received since the queue page was shown."""
    return (
        Item.objects.for_institution(institution)
        .filter(received_at__gt=since, status=ItemStatus.OPEN)[:NEW_ITEMS_LIMIT]
        .count()
    )


def platform_to_do(institution: Institution) -> QuerySet[PlatformAction]:
    """The institution's "to do on the platform" list: manual and failed actions, oldest
    deadline first (the ``platform_action_to_do`` partial index), with what the page shows."""
    return (
        PlatformAction.objects.for_institution(institution)
        .filter(state__in=PlatformAction.TO_DO_BY_HAND)
        .select_related("channel", "decision__item", "decision__actor", "post")
        .order_by(F("due_at").asc(nulls_last=True), "pk")
    )


def item_platform_actions(item: Item) -> QuerySet[PlatformAction]:
    """What was carried out (or is to be) on the platform for ``item``'s decisions, oldest
    first, with who decided."""
    return (
        PlatformAction.objects.filter(institution_id=item.institution_id, decision__item=item)
        .select_related("decision__actor", "done_by", "channel")
        .order_by("created_at", "pk")
    )


# --- the item page's action bar ----------------------------------------------------------------


@dataclass(frozen=True)
class ActionBarChoices:
    """What the item page's action bar offers whatever the item: (id, label) pairs."""

    categories: list[tuple[int, str]]
    """The complaint categories an escalation may take, named in the page's language."""
    moderators: list[tuple[int, str]]
    """Whom an item may be assigned to."""
    saved_replies: dict[str, list[tuple[int, str]]]
    """The active saved replies' titles, per language."""


ACTION_BAR_TTL = 3600


def action_bar_choices(institution: Institution) -> ActionBarChoices:
    """The action bar's choices for ``institution``, from the cache: three queries on every
    item page otherwise (issue 21), for lists that change a few times a year. The key holds
    the generations that every change of a category, an account, a membership or one of the
    institution's saved replies bumps (model signals, admin edits included)."""
    language = (translation.get_language() or "en")[:2]
    keys = [
        CATEGORIES_GENERATION,
        PEOPLE_GENERATION,
        saved_replies_generation_key(institution.pk),
    ]
    key = f"moderation:action-bar:{institution.pk}:{language}:" + ":".join(
        str(number) for number in generations(keys)
    )
    choices = cache.get(key)
    if choices is None:
        replies: dict[str, list[tuple[int, str]]] = {}
        for pk, reply_language, title in (
            SavedReply.objects.for_institution(institution)
            .filter(is_active=True)
            .values_list("pk", "language", "title")
        ):
            replies.setdefault(reply_language, []).append((pk, title))
        choices = ActionBarChoices(
            categories=[(c.pk, c.name) for c in Category.objects.available_to(institution)],
            moderators=[(person.pk, str(person)) for person in moderators(institution)],
            saved_replies=replies,
        )
        cache.set(key, choices, ACTION_BAR_TTL)
    return choices
