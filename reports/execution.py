"""Decided versus carried out: when the reports may say that a hide or a removal happened.

A hide or removal decided in GovSocial is carried out on the platform by a ``PlatformAction``
(moderation/models/actions.py). The reports count it as **carried out** only when the platform
confirmed it:

- ``verified``: executed, and reading the object back showed it hidden or gone;
- ``executed_unverifiable``: executed, on a platform whose API offers no read-back for that kind
  of action (``Capability.verify`` empty in the capability matrix): the platform's success
  answer is the only confirmation there is;
- ``done_by_hand``: a person marked it done on the platform (who and when are on the action).

Everything else is **decided, not (yet) carried out**: ``waiting`` (queued or being sent),
``awaiting_verification`` (executed, the read-back has not confirmed it yet),
``to_do_by_hand`` (the platform or the channel's token does not allow it, or the platform
refused it), ``changed_back`` (verified once, then found visible again on the platform), and
``not_started`` (no action at all, e.g. decisions taken before actions existed).

A decision may have several actions (a refused one, then one done by hand): a confirmed one
wins, the earliest carried out; otherwise the latest tells where it stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from django.db.models import Exists, OuterRef, Q, QuerySet

from channels.connectors.actions import ActionKind
from channels.connectors.registry import capability_matrix
from moderation.models import PlatformAction

VISIBILITY_KINDS = (ActionKind.HIDE.value, ActionKind.DELETE.value)
"""The actions that carry out a hide or a removal."""

State = PlatformAction.State


class Execution(StrEnum):
    VERIFIED = "verified"
    EXECUTED_UNVERIFIABLE = "executed_unverifiable"
    DONE_BY_HAND = "done_by_hand"
    AWAITING_VERIFICATION = "awaiting_verification"
    WAITING = "waiting"
    TO_DO_BY_HAND = "to_do_by_hand"
    CHANGED_BACK = "changed_back"
    NOT_STARTED = "not_started"

    @property
    def carried_out(self) -> bool:
        return self in CONFIRMED


CONFIRMED = frozenset({Execution.VERIFIED, Execution.EXECUTED_UNVERIFIABLE, Execution.DONE_BY_HAND})


def unverifiable() -> set[tuple[str, str]]:
    """(platform, action kind) pairs a connector carries out but cannot read back."""
    return {
        (platform, str(kind))
        for platform, capabilities in capability_matrix().items()
        for kind, capability in capabilities.items()
        if not capability.verify
    }


def confirmed_q(prefix: str = "") -> Q:
    """Platform actions the platform (or a person) confirmed, as a filter; ``prefix`` reaches
    them through a relation (e.g. ``"platform_actions__"``)."""
    executed_blind = Q(pk__in=[])
    for platform, kind in unverifiable():
        executed_blind |= Q(**{f"{prefix}channel__platform": platform, f"{prefix}kind": kind})
    return Q(**{f"{prefix}state__in": (State.VERIFIED, State.DONE_BY_HAND)}) | (
        Q(**{f"{prefix}state": State.EXECUTED}) & executed_blind
    )


def carried_out_exists() -> Exists:
    """For a ``Decision`` queryset: whether a confirmed hide or delete action exists."""
    return Exists(
        PlatformAction.objects.filter(
            confirmed_q(), decision=OuterRef("pk"), kind__in=VISIBILITY_KINDS
        )
    )


def visibility_actions() -> QuerySet[PlatformAction]:
    """What a decision's statement needs of its actions (prefetch, oldest first)."""
    return (
        PlatformAction.objects.filter(kind__in=VISIBILITY_KINDS)
        .only(
            "decision_id", "channel_id", "kind", "state", "created_at", "executed_at",
            "done_at",
        )
        .order_by("created_at", "pk")
    )  # fmt: skip


def execution_of(action: PlatformAction | None, platform: str) -> Execution:
    if action is None:
        return Execution.NOT_STARTED
    state = action.state
    if state == State.EXECUTED:
        blind = (platform, action.kind) in unverifiable()
        return Execution.EXECUTED_UNVERIFIABLE if blind else Execution.AWAITING_VERIFICATION
    return {
        State.VERIFIED: Execution.VERIFIED,
        State.DONE_BY_HAND: Execution.DONE_BY_HAND,
        State.QUEUED: Execution.WAITING,
        State.SENDING: Execution.WAITING,
        State.MANUAL: Execution.TO_DO_BY_HAND,
        State.FAILED: Execution.TO_DO_BY_HAND,
        State.MISMATCH: Execution.CHANGED_BACK,
    }[State(state)]


def decisive_action(
    actions: Iterable[PlatformAction], platform: str
) -> tuple[PlatformAction | None, Execution]:
    """The action that says where a decision stands (see the module docstring)."""
    ordered = list(actions)
    confirmed = [a for a in ordered if execution_of(a, platform).carried_out]
    if confirmed:
        first = min(confirmed, key=lambda a: (carried_out_at(a) or a.created_at, a.pk))
        return first, execution_of(first, platform)
    latest = ordered[-1] if ordered else None
    return latest, execution_of(latest, platform)


def carried_out_at(action: PlatformAction) -> datetime | None:
    """When it happened on the platform: by hand, when the person did it; else when executed."""
    return action.done_at if action.state == State.DONE_BY_HAND else action.executed_at
