"""Handover of open items between shifts.

Invariants:
- someone who goes off duty (on duty at the previous sweep, ``OnDutySeen``, and no longer in
  ``on_duty_user_ids``) has their open items handed over by ``handover_sweep`` (beat, every
  minute); items someone takes while off duty are never taken from them;
- an item goes to an on-duty moderator of its channel's team who speaks its language, the least
  loaded (``assignment.least_loaded``, the same balancing as assignment on arrival);
- each handover is one conditional update of the item (still open and still assigned to the
  person leaving: of two sweeps, or a sweep and a moderator, one wins), an "assign" decision in
  the item's history and a ``Handover`` row with the optional note, in one transaction; the
  note stays out of the (append-only) decision, so that retention can erase it with the item's
  text (it may quote the item);
- when nobody on duty fits, the item stays with its assignee and is flagged (a ``Handover``
  without recipient), once; later sweeps try again and settle the flag when they hand it over or
  when the item no longer waits;
- a member can hand over their open items themselves at any time ("hand over now"), with a note
  per item or one for all; the next person sees "handed over to you" with the note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Institution, User
from govsocial.generations import generation, generations_bump
from moderation.models import Action, Decision, Handover, Item, ItemStatus, OnDutySeen
from moderation.services.assignment import (
    assigned_now,
    least_loaded,
    on_duty_speakers,
    on_duty_user_ids,
)


@dataclass
class HandoverResult:
    handed: int = 0
    flagged: int = 0


def handover_sweep(now: datetime | None = None) -> HandoverResult:
    """Hand over the open items of everyone who went off duty since the previous sweep, and
    retry the flagged ones."""
    now = now or timezone.now()
    institutions = Institution.objects.in_bulk()
    on_duty = on_duty_user_ids(institutions, now)
    with transaction.atomic():
        # A concurrent sweep skips the rows this one holds: each departure is handled once.
        seen = list(
            OnDutySeen.objects.select_for_update(skip_locked=True).values_list(
                "pk", "institution_id", "user_id"
            )
        )
        left = [(pk, inst, user) for pk, inst, user in seen if user not in on_duty.get(inst, set())]
        OnDutySeen.objects.filter(pk__in=[pk for pk, _inst, _user in left]).delete()
        OnDutySeen.objects.bulk_create(
            (
                OnDutySeen(institution_id=inst, user_id=user, since=now)
                for inst, users in on_duty.items()
                for user in users
            ),
            ignore_conflicts=True,
        )
        # In the same transaction: a sweep that dies halfway leaves the departures to the next.
        result = HandoverResult()
        users = User.objects.in_bulk({user for _pk, _inst, user in left})
        for _pk, institution_id, user_id in left:
            items = _open_items_of(institution_id, user_id)
            _hand_over(items, users[user_id], on_duty, result, note_of={}, by_hand=False)
    _retry_flagged(on_duty, result)
    return result


def items_hand_over(
    *,
    institution: Institution,
    actor: User,
    notes: dict[int, str],
    note_for_all: str = "",
) -> HandoverResult:
    """“Hand over now”: ``actor``'s open items here go to on-duty colleagues, each with its
    note (``notes`` by item id), else ``note_for_all``."""
    on_duty = on_duty_user_ids([institution.pk])
    items = _open_items_of(institution.pk, actor.pk)
    note_of = {item.pk: (notes.get(item.pk) or note_for_all).strip() for item in items}
    result = HandoverResult()
    _hand_over(items, actor, on_duty, result, note_of=note_of, by_hand=True)
    return result


def open_items_of(institution: Institution, user: User) -> list[Item]:
    """The handover page's list: what ``user`` holds here, earliest deadline first."""
    return _open_items_of(institution.pk, user.pk)


def _open_items_of(institution_id: int, user_id: int) -> list[Item]:
    return list(
        Item.objects.filter(institution_id=institution_id)
        .filter(assigned_to_id=user_id, status=ItemStatus.OPEN)
        .select_related("channel")
        .order_by("due_at", "pk")
    )


def _hand_over(
    items: list[Item],
    leaving: User,
    on_duty: dict[int, set[int]],
    result: HandoverResult,
    *,
    note_of: dict[int, str],
    by_hand: bool,
) -> None:
    for item in items:
        here = on_duty.get(item.institution_id, set())
        chosen = least_loaded(item.institution_id, on_duty_speakers(item, here, exclude=leaving.pk))
        if chosen is None:
            result.flagged += _flag(item, leaving)
        elif item_hand_to(item, leaving, chosen, note=note_of.get(item.pk, ""), by_hand=by_hand):
            result.handed += 1


def item_hand_to(item: Item, leaving: User, chosen: User, *, note: str, by_hand: bool) -> bool:
    """Move ``item`` from ``leaving`` to ``chosen`` if it is still open and still theirs."""
    now = timezone.now()
    with transaction.atomic():
        moved = Item.objects.filter(pk=item.pk, assigned_to=leaving, status=ItemStatus.OPEN).update(
            assigned_to=chosen
        )
        if not moved:
            return False
        assigned_now(item.institution_id, chosen)
        said = _("Handed over by %(from)s.") % {"from": leaving}
        Decision.objects.create(
            institution_id=item.institution_id, item=item,
            actor=leaving if by_hand else None, action=Action.ASSIGN, assignee=chosen,
            note=f"{said} {_('A handover note was left.')}" if note else said, created_at=now,
        )  # fmt: skip
        Handover.objects.create(
            institution_id=item.institution_id, item=item, from_user=leaving, to_user=chosen,
            note=note, by_hand=by_hand, created_at=now,
        )  # fmt: skip
        generations_bump([_unseen_generation_key(chosen.pk)])
        _settle_flags(item.pk, now)
    return True


def _flag(item: Item, leaving: User) -> int:
    """Flag an item nobody on duty could take (once while unresolved)."""
    if Handover.objects.filter(item=item, to_user__isnull=True, resolved_at__isnull=True).exists():
        return 0
    Handover.objects.create(institution_id=item.institution_id, item=item, from_user=leaving)
    return 1


def _settle_flags(item_id: int, now: datetime) -> None:
    Handover.objects.filter(item_id=item_id, to_user__isnull=True, resolved_at__isnull=True).update(
        resolved_at=now
    )


def _retry_flagged(on_duty: dict[int, set[int]], result: HandoverResult) -> None:
    """Flagged items: handed over once someone fitting is on duty; settled once the item no
    longer waits, changed hands, or its assignee is back on duty."""
    now = timezone.now()
    for flag in Handover.objects.filter(
        to_user__isnull=True, resolved_at__isnull=True
    ).select_related("item__channel", "from_user"):
        item = flag.item
        still = item.status == ItemStatus.OPEN and item.assigned_to_id == flag.from_user_id
        back = flag.from_user_id in on_duty.get(item.institution_id, set())
        if not still or back:
            _settle_flags(item.pk, now)
            continue
        here = on_duty.get(item.institution_id, set())
        chosen = least_loaded(
            item.institution_id, on_duty_speakers(item, here, exclude=flag.from_user_id)
        )
        if chosen is not None and item_hand_to(
            item, flag.from_user, chosen, note="", by_hand=False
        ):
            result.handed += 1


@dataclass(frozen=True)
class ItemHandover:
    """What the item page says: the handover to its reader (while they hold the item) and
    the flag of an item nobody on duty could take."""

    to_reader: Handover | None
    flag: Handover | None


def item_handover(item: Item, reader: User) -> ItemHandover:
    """One query, none for an item without handovers, nobody holds or no longer open;
    opening the page is reading the handover: it leaves the queue's notice."""
    none = not getattr(item, "has_handovers", True)  # annotated by the item page's query
    if none or item.assigned_to_id is None or item.status != ItemStatus.OPEN:
        return ItemHandover(None, None)
    rows = list(
        Handover.objects.filter(institution_id=item.institution_id)
        .filter(Q(to_user=reader) | Q(to_user__isnull=True, resolved_at__isnull=True), item=item)
        .select_related("from_user")
        .order_by("-created_at", "-pk")
    )
    mine = next((row for row in rows if row.to_user_id == reader.pk), None)
    if mine is not None and item.assigned_to_id != reader.pk:
        mine = None
    if mine is not None and mine.seen_at is None:
        Handover.objects.filter(item=item, to_user=reader, seen_at__isnull=True).update(
            seen_at=timezone.now()
        )
        generations_bump([_unseen_generation_key(reader.pk)])
    return ItemHandover(mine, next((row for row in rows if row.to_user_id is None), None))


UNSEEN_TTL = 300


def _unseen_generation_key(user_id: int) -> str:
    return f"moderation:handovers:generation:{user_id}"


def unseen_count(institution: Institution, user: User) -> int:
    """The queue's notice: handovers to ``user`` not yet opened (partial index
    ``handover_unseen``), from the cache: the queue page shows it on every visit and it changes
    only when an item is handed to the user or they open one (``item_hand_to`` and
    ``item_handover`` bump the user's generation, see ``govsocial.generations``)."""
    key = (
        f"moderation:handovers:unseen:{institution.pk}:{user.pk}:"
        f"{generation(_unseen_generation_key(user.pk))}"
    )
    count = cache.get(key)
    if count is None:
        count = (
            Handover.objects.for_institution(institution)
            .filter(to_user=user, seen_at__isnull=True)
            .count()
        )
        cache.set(key, count, UNSEEN_TTL)
    return int(count)
