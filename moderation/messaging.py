"""How long a direct message can still be answered through the platform's API.

Messenger and Instagram accept an answer only within Meta's standard messaging window; the
rule itself lives in ``channels.connectors.meta.messaging.window_closes``. Here: which
message of the conversation counts (the person's latest, never the institution's own) and
what the item page says about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django.db.models.functions import Coalesce

from channels.connectors.meta.messaging import (
    WARN_BEFORE,
    comment_private_reply_closes,
    window_closes,
)
from moderation.models import Item, ItemKind, ItemStatus

WINDOW_PLATFORMS = {"facebook": "Messenger", "instagram": "Instagram"}
"""The platforms whose messages have the window, with the name the item page gives it."""


@dataclass(frozen=True)
class MessagingWindow:
    platform: str
    closes_at: datetime
    remaining: timedelta

    @property
    def closed(self) -> bool:
        return self.remaining <= timedelta(0)

    @property
    def closing(self) -> bool:
        """Less than ``WARN_BEFORE`` left: the item page warns."""
        return not self.closed and self.remaining < WARN_BEFORE


def messaging_window(item: Item, now: datetime) -> MessagingWindow | None:
    """The window of a direct message from a person on Messenger or Instagram; None for
    anything else. Counts from the person's latest message in the conversation (one query on
    the ``item_replies`` index)."""
    platform = WINDOW_PLATFORMS.get(item.channel.platform)
    if platform is None or item.kind != ItemKind.DIRECT_MESSAGE or item.status == ItemStatus.OWN:
        return None
    last = item.posted_at or item.received_at
    if item.parent_external_id:
        latest = (
            Item.objects.filter(
                channel_id=item.channel_id, parent_external_id=item.parent_external_id
            )
            .exclude(status=ItemStatus.OWN)
            .aggregate(latest=Max(Coalesce("posted_at", "received_at")))["latest"]
        )
        last = max(last, latest or last)
    closes = window_closes(last)
    return MessagingWindow(platform=platform, closes_at=closes, remaining=closes - now)


def private_message_possible(item: Item, now: datetime) -> bool:
    """Whether the platform's time limits still let the institution write privately to the
    item's author: on Messenger and Instagram a message within the standard messaging window,
    a comment within seven days of its posting (one private reply); other platforms set no
    time limit (what each allows at all is the capability matrix's)."""
    if item.channel.platform not in WINDOW_PLATFORMS:
        return True
    window = messaging_window(item, now)
    if window is not None:
        return not window.closed
    if item.kind == ItemKind.DIRECT_MESSAGE:
        return False  # the institution's own message: nobody to answer
    return comment_private_reply_closes(item.posted_at or item.received_at) > now
