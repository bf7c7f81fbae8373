"""Where channel events go: a seam, so that channels never imports moderation.

Channels receives what the platforms say (webhook deliveries, polls, imported files) and parses
it into plain ``ItemEvent``s. Moderation sits above channels and owns the item store: applying an
event to an item (its clock, its revisions, its keyword hits, its assignment). It registers its
sink here in ``ModerationConfig.ready()``; channels hands events over and never learns what an
item is.

One sink, not a list: every event must be applied exactly once. Without one (moderation not
installed) handing an event over raises, so a delivery is kept as failed rather than lost.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from accounts.models import User
from channels.connectors.base import ItemEvent
from channels.models import Channel


class EventApplier(Protocol):
    def __call__(
        self,
        *,
        channel: Channel,
        event: ItemEvent,
        now: datetime | None = None,
        historic_by: User | None = None,
    ) -> object:
        """Apply one event; ``now`` is when it was received, ``historic_by`` the person
        importing it as already handled elsewhere."""


KnownIds = Callable[[Channel, Collection[str]], set[str]]
"""(channel, external ids) -> those of the ids the item store already holds for the channel."""


@dataclass(frozen=True)
class EventSink:
    apply: EventApplier
    known: KnownIds


_sinks: list[EventSink] = []


def register_event_sink(*, apply: EventApplier, known: KnownIds) -> None:
    """Called by the app owning the item store from its ``AppConfig.ready()`` (idempotent)."""
    _sinks[:] = [EventSink(apply=apply, known=known)]


def _sink() -> EventSink:
    if not _sinks:
        raise ImproperlyConfigured("No app registered a sink for channel events.")
    return _sinks[0]


def event_apply(
    *,
    channel: Channel,
    event: ItemEvent,
    now: datetime | None = None,
    historic_by: User | None = None,
) -> None:
    """Hand one event to the item store (inside the caller's transaction)."""
    _sink().apply(channel=channel, event=event, now=now, historic_by=historic_by)


def events_known(channel: Channel, external_ids: Collection[str]) -> set[str]:
    """Which of these external ids the item store already holds for the channel."""
    return _sink().known(channel, external_ids)
