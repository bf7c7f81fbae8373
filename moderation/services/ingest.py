"""Apply platform events to the item store.

Channels parses what the platforms send into ``ItemEvent``s and hands them over through
``channels.events``: ``item_apply_event`` and ``items_known`` are the sink registered there in
``ModerationConfig.ready()``.

Invariants:
- one item per (channel, external id): retries, duplicates and concurrent workers create one row
  (the unique constraint decides; the loser re-reads and applies its event as an update);
- the last edit wins by platform time: an older edit arriving late becomes a revision only;
- an edit or removal that arrives before its creation creates the item from what it knows,
  and the creation, when it comes, completes it without undoing the later event; an empty
  current text is always replaced by a text that arrives (a removal carries none);
- hide and unhide apply by platform time: an older one arriving late changes nothing;
- a platform deletion marks the item, it never erases our copy; an item still waiting for its
  answer leaves the queue and the clock (status "deleted on the platform", a decision without
  actor in its history), so a comment its author deleted never breaches;
- ``due_at``/``warn_at`` are set once, at creation, from the SLA clock (crisis mode included);
  they count from the receipt (``received_at``), never from the platform time: a late retry, a
  first poll or an import of older comments gets its full response time. ``posted_at`` keeps
  the platform time for display and reports;
- the institution's own post, reply or message (``event.own``) is recorded with status "own":
  part of its thread, never in the queue, the deadline check, the assignment or the watch
  lists; an item first known from an event that did not say so becomes "own" when one does;
- an item imported as historic (already handled elsewhere) is created without a clock: status
  "imported as handled", no assignment, no alert, a decision by the importer in its history;
- an item without a language gets a detected one (or the channel's first language);
- keyword watch hits follow the text shown: matched at creation and after every text change;
- a new item is assigned to an on-duty team member speaking its language (services.assignment).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from channels.connectors.base import ItemEvent, Verb
from channels.language import detect_language
from channels.models import Channel
from govsocial.deadlines.clock import item_due_at, warn_at
from moderation.models import Action, Decision, Item, ItemRevision, ItemStatus
from moderation.services.assignment import item_assign_on_arrival
from moderation.services.watch import item_match_keywords
from webhooks.events import emit
from webhooks.models import Event


def item_apply_event(
    *,
    channel: Channel,
    event: ItemEvent,
    now: datetime | None = None,
    historic_by: User | None = None,
) -> Item:
    """Apply one platform event; ``now`` is when GovSocial received it (the clock's start).

    ``historic_by``: the person importing the event as history (already handled elsewhere);
    an item it creates gets no clock. An item that already exists keeps its own.
    """
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
                    return _create(channel, event, now, historic_by)
            except IntegrityError:  # another worker created it meanwhile
                item = Item.objects.select_for_update().get(
                    channel=channel, external_id=event.external_id
                )
        if item.anonymised_at is None:  # retention erased it: a late event brings nothing back
            _update(item, event, now)
        return item


def items_known(channel: Channel, external_ids: Collection[str]) -> set[str]:
    """Which of these external ids already have an item in the channel."""
    return set(
        Item.objects.filter(channel=channel, external_id__in=list(external_ids)).values_list(
            "external_id", flat=True
        )
    )


def _deadlines(channel: Channel, received: datetime) -> tuple[datetime, datetime]:
    due = item_due_at(
        received,
        response_hours=channel.response_hours,
        crisis=channel.crisis_mode,
        crisis_response_hours=channel.crisis_response_hours,
    )
    return due, warn_at(received, due, channel.institution.warning_share_percent / 100)


def _create(channel: Channel, event: ItemEvent, now: datetime, historic_by: User | None) -> Item:
    institution = channel.institution
    due, warning = _deadlines(channel, now)
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
        posted_at=_posted_at(event, now),
        received_at=now,
        due_at=due,
        warn_at=warning,
        text_updated_at=(event.occurred_at or now) if event.text else None,
        raw_payload=event.raw,
    )
    if historic_by is not None:
        item.status = ItemStatus.HISTORIC
    if event.own:
        item.status = ItemStatus.OWN
    _apply_flags(item, event, now)
    item.save()
    emit(
        institution.pk,
        Event.ITEM_RECEIVED,
        {
            "item_id": item.pk,
            "channel_id": channel.pk,
            "platform": channel.platform,
            "kind": item.kind,
            "status": item.status,
            "received_at": now.isoformat(),
            "due_at": due.isoformat(),
        },
    )
    if historic_by is not None:
        _record(item, Action.HISTORIC, now, actor=historic_by)
    _leave_clock_if_deleted(item, now)
    if item.status != ItemStatus.OWN:
        item_match_keywords(item)
    if item.status == ItemStatus.OPEN:
        item_assign_on_arrival(item)
    return item


def _posted_at(event: ItemEvent, now: datetime) -> datetime | None:
    """The platform's time, for display and reports (only a creation says when it was posted;
    another event stands in until it comes). Never in the future."""
    return min(event.occurred_at, now) if event.occurred_at else None


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
    if event.own and item.status == ItemStatus.OPEN and item.first_response_at is None:
        item.status = ItemStatus.OWN
    item.save()
    _leave_clock_if_deleted(item, now)
    if item.text != text_before and item.status != ItemStatus.OWN:
        item_match_keywords(item)


def _correct_posted_at(item: Item, posted: datetime) -> None:
    """The creation event arrived after another event: show the real post time. The clock
    is not moved: it counts from the receipt."""
    if item.posted_at is None or posted < item.posted_at:
        item.posted_at = posted


def _record_text(item: Item, event: ItemEvent, at: datetime) -> None:
    """Keep every distinct text as a revision; show the one with the latest platform time.

    An empty text (the item was first known from a removal or a hide) is always replaced.
    """
    newer = not item.text or item.text_updated_at is None or at >= item.text_updated_at
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
    """Deletion, hide and unhide, by platform time: the earliest deletion counts, and of hide
    and unhide the one with the latest platform time wins, whatever the arrival order."""
    at = event.occurred_at or now
    if event.verb == Verb.REMOVE:
        if item.deleted_on_platform_at is None or at < item.deleted_on_platform_at:
            item.deleted_on_platform_at = at
    elif event.verb in (Verb.HIDE, Verb.UNHIDE):
        if item.visibility_updated_at is not None and at < item.visibility_updated_at:
            return
        item.visibility_updated_at = at
        item.hidden_on_platform_at = at if event.verb == Verb.HIDE else None


def _leave_clock_if_deleted(item: Item, now: datetime) -> None:
    """A deleted item owes no answer: an open one leaves the queue and the deadline check
    (one conditional update, so a moderator's decision taken at the same time wins or loses
    cleanly), with a decision without actor in its history."""
    if item.deleted_on_platform_at is None or item.status != ItemStatus.OPEN:
        return
    closed = Item.objects.filter(pk=item.pk, status=ItemStatus.OPEN).update(
        status=ItemStatus.DELETED
    )
    if closed:
        item.status = ItemStatus.DELETED
        _record(item, Action.PLATFORM_DELETE, now)


def _record(item: Item, action: Action, at: datetime, actor: User | None = None) -> Decision:
    return Decision.objects.create(
        institution_id=item.institution_id, item=item, actor=actor, action=action, created_at=at
    )
