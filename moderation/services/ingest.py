"""Apply platform events to the item store.

Invariants:
- one item per (channel, external id): retries, duplicates and concurrent workers create one row
  (the unique constraint decides; the loser re-reads and applies its event as an update);
- the last edit wins by platform time: an older edit arriving late becomes a revision only;
- an edit or removal that arrives before its creation creates the item from what it knows,
  and the creation, when it comes, completes it without undoing the later event;
- a platform deletion marks the item, it never erases our copy;
- ``due_at``/``warn_at`` are set once, at creation, from the SLA clock (crisis mode included);
  they count from when the item was posted, or from now if the platform time is in the future;
- an item without a language gets a detected one (or the channel's first language);
- keyword watch hits follow the text shown: matched at creation and after every text change;
- a new item is assigned to an on-duty team member speaking its language (services.assignment).
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels.connectors.base import ItemEvent, Verb
from channels.language import detect_language
from channels.models import Channel
from channels.services.watch import item_match_keywords
from govsocial.deadlines.clock import item_due_at, warn_at
from moderation.models import Item, ItemRevision
from moderation.services.assignment import item_assign_on_arrival


def item_apply_event(*, channel: Channel, event: ItemEvent, now: datetime | None = None) -> Item:
    now = now or timezone.now()
    # Joins the caller's transaction without a savepoint of its own (two round trips saved per
    # event on the hot path); callers that must survive one event's failure wrap it themselves.
    with transaction.atomic(savepoint=False):
        item = (
            Item.objects.select_for_update()
            .filter(channel=channel, external_id=event.external_id)
            .first()
        )
        if item is None:
            try:
                with transaction.atomic():
                    return _create(channel, event, now)
            except IntegrityError:  # another worker created it meanwhile
                item = Item.objects.select_for_update().get(
                    channel=channel, external_id=event.external_id
                )
        if item.anonymised_at is None:  # retention erased it: a late event brings nothing back
            _update(item, event, now)
        return item


def _deadlines(channel: Channel, posted: datetime) -> tuple[datetime, datetime]:
    due = item_due_at(
        posted,
        response_hours=channel.response_hours,
        crisis=channel.crisis_mode,
        crisis_response_hours=channel.crisis_response_hours,
    )
    return due, warn_at(posted, due, channel.institution.warning_share_percent / 100)


def _create(channel: Channel, event: ItemEvent, now: datetime) -> Item:
    posted = min(event.occurred_at, now) if event.occurred_at else now
    institution = channel.institution
    due, warning = _deadlines(channel, posted)
    item = Item(
        institution=institution,
        channel=channel,
        external_id=event.external_id,
        kind=event.kind,
        author_name=event.author_name,
        author_handle=event.author_handle,
        author_url=event.author_url,
        text=event.text,
        language=event.language or detect_language(event.text, channel.default_language),
        permalink=event.permalink,
        parent_external_id=event.parent_external_id,
        posted_at=event.occurred_at,
        received_at=now,
        due_at=due,
        warn_at=warning,
        text_updated_at=event.occurred_at or now,
        raw_payload=event.raw,
    )
    _apply_flags(item, event, now)
    item.save()
    item_match_keywords(item)
    item_assign_on_arrival(item)
    return item


def _update(item: Item, event: ItemEvent, now: datetime) -> None:
    at = event.occurred_at or now
    text_before = item.text
    if event.verb in (Verb.CREATE, Verb.EDIT) and event.text:
        _record_text(item, event, at)
    for field in ("author_name", "author_handle", "author_url", "permalink", "parent_external_id"):
        if not getattr(item, field) and getattr(event, field):
            setattr(item, field, getattr(event, field))
    if event.verb == Verb.CREATE and event.occurred_at:
        _correct_posted_at(item, min(event.occurred_at, now))
    _apply_flags(item, event, now)
    item.save()
    if item.text != text_before:
        item_match_keywords(item)


def _correct_posted_at(item: Item, posted: datetime) -> None:
    """The creation event arrived after an edit: the clock counts from the real post time."""
    if item.posted_at is not None and item.posted_at <= posted:
        return
    item.posted_at = posted
    if item.status == "open":
        item.due_at, item.warn_at = _deadlines(item.channel, posted)


def _record_text(item: Item, event: ItemEvent, at: datetime) -> None:
    """Keep every distinct text as a revision; show the one with the latest platform time."""
    newer = item.text_updated_at is None or at >= item.text_updated_at
    if newer:
        if item.text and item.text != event.text:
            _revision(item, item.text, item.text_updated_at or item.received_at)
        item.text, item.text_updated_at = event.text, at
    elif event.text != item.text:
        _revision(item, event.text, at)


def _revision(item: Item, text: str, edited_at: datetime) -> None:
    ItemRevision.objects.get_or_create(
        item=item, edited_at=edited_at, defaults={"institution": item.institution, "text": text}
    )


def _apply_flags(item: Item, event: ItemEvent, now: datetime) -> None:
    at = event.occurred_at or now
    if event.verb == Verb.REMOVE and item.deleted_on_platform_at is None:
        item.deleted_on_platform_at = at
    elif event.verb == Verb.HIDE:
        item.hidden_on_platform_at = at
    elif event.verb == Verb.UNHIDE:
        item.hidden_on_platform_at = None
