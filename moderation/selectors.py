"""Page queries of the moderation queue, shared by the queue page and the item page's
"… and next" buttons, so both read the same filters in the same keyset order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from accounts.models import Institution
from channels.models import Channel
from moderation.filters import ItemFilter, after_row
from moderation.models import Item, ItemStatus

DEFAULT_QUEUE = f"status={ItemStatus.OPEN}"
"""The queue without parameters: open items."""


@dataclass(frozen=True)
class Queue:
    filters: ItemFilter
    channels: list[Channel]
    items: QuerySet[Item]
    """The filtered items in the queue's order (``due_at``, ``id``), before any cursor."""


def queue_params(query: str) -> QueryDict:
    """The queue's filters from a query string (the default queue when empty), without the
    page cursor."""
    params = QueryDict(query or DEFAULT_QUEUE, mutable=True)
    params.pop("after", None)
    return params


def queue_items(institution: Institution, user: Any, params: QueryDict) -> Queue:
    channels = list(Channel.objects.for_institution(institution))
    filters = ItemFilter(
        params,
        queryset=Item.objects.for_institution(institution).select_related("channel", "assigned_to"),
        channels=channels,
        user=user,
    )
    return Queue(filters, channels, filters.qs.order_by("due_at", "id"))


def queue_next(institution: Institution, user: Any, params: QueryDict, item: Item) -> Item | None:
    """The item after ``item`` in the queue filtered by ``params``: the first row after its
    (due_at, id) position, exactly as the queue's next page would start (one indexed query)."""
    following = after_row(queue_items(institution, user, params).items, item.due_at, item.pk)
    return following.exclude(pk=item.pk).first()
