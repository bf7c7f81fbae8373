"""Social media items as complaints see them: plain data, so that complaints never imports
moderation.

Moderation sits above complaints and owns the items. When it escalates an item, or marks one as
harassment, it hands over a ``SocialItem``: what a case, its complainant record and an evidence
snapshot need to know, nothing more. The case keeps its link to the item (``Case.items``, a
relation by name) and its screens preserve a linked item as evidence again: for that they read
the item's data through the reader moderation registers here in ``ModerationConfig.ready()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class SocialItem:
    item_id: int
    institution_id: int
    channel_id: int
    platform: str
    channel_name: str
    external_id: str
    kind: str
    received_at: datetime
    posted_at: datetime | None = None
    """The platform's time, when known."""
    author_name: str = ""
    author_handle: str = ""
    author_url: str = ""
    text: str = ""
    language: str = ""
    permalink: str = ""
    deleted_on_platform_at: datetime | None = None
    hidden_on_platform_at: datetime | None = None
    raw_payload: dict[str, Any] = field(default_factory=dict)


ItemReader = Callable[[int], SocialItem]
"""Item id -> the item's data as it stands now (raises if there is no such item)."""

_readers: list[ItemReader] = []


def register_item_reader(reader: ItemReader) -> None:
    """Called by the app owning the items from its ``AppConfig.ready()`` (idempotent)."""
    _readers[:] = [reader]


def social_item_read(item_id: int) -> SocialItem:
    """The item's data as it stands now."""
    if not _readers:
        raise ImproperlyConfigured("No app registered a reader of social media items.")
    return _readers[0](item_id)
