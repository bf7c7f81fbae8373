"""Assignment of new items, and who is on duty.

A new item goes to an on-duty member of its channel's moderation team who speaks its language:
the one with the fewest open items assigned, and among equals the one who received an item the
longest ago (round-robin). Nobody matching: the item stays unassigned, visible as such in the
queue. Each assignment is a decision without actor (GovSocial's own), shown as "assigned
automatically" in the item's history.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MODERATOR_ROLES, Institution, User
from moderation.models import Action, Decision, DutyStatus, Item, ItemStatus
from moderation.services.decisions import item_assign


def duty_set(*, institution: Institution, user: User, on_duty: bool) -> DutyStatus:
    status, _created = DutyStatus.objects.update_or_create(
        institution=institution,
        user=user,
        defaults={"on_duty": on_duty, "changed_at": timezone.now()},
    )
    return status


def on_duty_user_ids(
    institution_ids: Iterable[int], at: datetime | None = None
) -> dict[int, set[int]]:
    """Ids of the people on duty at ``at`` (now by default), per institution, in one query.

    The public "who is on duty" question (``settings.ON_DUTY_RESOLVER`` names it for apps below
    moderation). Today it reads the duty switch, which has no history, so ``at`` is accepted
    for the rota's sake and the switch's present state answers.
    """
    on_duty: dict[int, set[int]] = {}
    for institution_id, user_id in DutyStatus.objects.filter(
        institution_id__in=set(institution_ids), on_duty=True
    ).values_list("institution_id", "user_id"):
        on_duty.setdefault(institution_id, set()).add(user_id)
    return on_duty


def is_on_duty(institution: Institution, user: User) -> bool:
    return user.pk in on_duty_user_ids([institution.pk]).get(institution.pk, set())


def on_duty_by_language(institution: Institution) -> dict[str, list[User]]:
    """Moderators on duty, per language they speak (for admins planning nights)."""
    on_duty = moderators(institution).filter(
        pk__in=on_duty_user_ids([institution.pk]).get(institution.pk, set())
    )
    by_language: dict[str, list[User]] = {code: [] for code in ("fr", "nl", "de", "en")}
    for user in on_duty.order_by("full_name", "email"):
        for language in user.spoken_languages:
            by_language.setdefault(language, []).append(user)
    return by_language


def moderators(institution: Institution | int) -> QuerySet[User]:
    """The people an item can be assigned to: active members holding a moderator role here."""
    return User.objects.members_of(institution, MODERATOR_ROLES).order_by("full_name", "email")


def on_duty_speakers(item: Item, on_duty: set[int], *, exclude: int | None = None) -> list[User]:
    """The moderators of the item's channel on duty (``on_duty``: their ids) who speak its
    language, but ``exclude``."""
    return [
        user
        for user in moderators(item.institution_id).filter(moderated_channels=item.channel_id)
        if item.language in (user.spoken_languages or [])
        and user.pk in on_duty
        and user.pk != exclude
    ]


def least_loaded(institution_id: int, candidates: list[User]) -> User | None:
    """The candidate with the fewest open items assigned here; among equals the one who was
    given an item the longest ago (round-robin), then the first by id."""
    if not candidates:
        return None
    loads = dict(
        User.objects.filter(pk__in=[user.pk for user in candidates])
        .annotate(
            load=Count(
                "assigned_items",
                filter=Q(
                    assigned_items__status=ItemStatus.OPEN,
                    assigned_items__institution_id=institution_id,
                ),
            )
        )
        .values_list("pk", "load")
    )
    last = dict(
        DutyStatus.objects.filter(institution_id=institution_id, user__in=candidates).values_list(
            "user_id", "last_assigned_at"
        )
    )
    epoch = timezone.now().replace(year=1970)
    return min(
        candidates,
        key=lambda user: (loads.get(user.pk, 0), last.get(user.pk) or epoch, user.pk),
    )


def assigned_now(institution_id: int, user: User) -> None:
    """Remember when ``user`` was last given an item (the round-robin's tie-break)."""
    DutyStatus.objects.filter(institution_id=institution_id, user=user).update(
        last_assigned_at=timezone.now()
    )


def item_assign_on_arrival(item: Item) -> User | None:
    on_duty = on_duty_user_ids([item.institution_id]).get(item.institution_id, set())
    chosen = least_loaded(item.institution_id, on_duty_speakers(item, on_duty))
    if chosen is None:
        return None
    with transaction.atomic():
        Item.objects.filter(pk=item.pk).update(assigned_to=chosen)
        item.assigned_to = chosen
        assigned_now(item.institution_id, chosen)
        Decision.objects.create(
            institution_id=item.institution_id, item=item, actor=None, action=Action.ASSIGN,
            assignee=chosen,
        )  # fmt: skip
    return chosen


def moderator_hand_back(institution: Institution, user: User, actor: User) -> int:
    """Someone who no longer moderates here goes off duty and their open items go back to the
    team: unassigned (an "assign" decision with no assignee records it in each item's history).

    Returns how many items were handed back; nothing changes while they still moderate here.
    """
    if moderators(institution).filter(pk=user.pk).exists():
        return 0
    DutyStatus.objects.filter(institution=institution, user=user, on_duty=True).update(
        on_duty=False, changed_at=timezone.now()
    )
    items = list(
        Item.objects.for_institution(institution).filter(assigned_to=user, status=ItemStatus.OPEN)
    )
    note = _("Handed back to the team: %(name)s no longer moderates here.") % {"name": user}
    for item in items:
        item_assign(item=item, actor=actor, assignee=None, note=note)
    return len(items)


def on_roles_withdrawn(
    sender: Any, *, institution: Institution, user: User, actor: User, **kwargs: Any
) -> None:
    """Receiver of ``accounts.services.members.roles_withdrawn``."""
    moderator_hand_back(institution, user, actor)
