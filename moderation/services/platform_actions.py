"""Decided, executed, verified: carrying decisions out on the platforms (docs/platforms.md).

- ``actions_plan(decision)``, in the decision's transaction, creates the ``PlatformAction``s the
  decision implies: *queued* (enqueued after commit) when the channel's connector can do it,
  else *manual* with the reason, for the "to do on the platform" list.
- ``action_execute`` claims a due action under a row lock (``SKIP LOCKED``), marks it *sending*
  with a lease and commits **before** calling the platform (``action_attempts``: one statement
  on PostgreSQL, as is the record of the outcome): a worker killed mid-request leaves it
  *sending*, the sweeper takes it again once the lease ran out, and that attempt first asks the
  connector what the platform already did (``find_done``) instead of doing it twice. The
  action's key is the same on every attempt (Mastodon's Idempotency-Key).
- A rate limit puts it back in the queue until the platform's reset time (not counted as an
  attempt); a transient error retries after 1, 2, 4… minutes, ``MAX_ATTEMPTS`` at most; a
  final refusal leaves it *failed*, on the manual list with the platform's answer.
- Once executed it is read back at once (same write), then ``RECHECKS`` after execution: as expected
  -> *verified*; otherwise *mismatch*, and the institution's admins, the item's assignee and the
  decision's author get an alert. A platform offering no read-back leaves it *executed*.

Every outcome is written with a conditional update on the claimed attempt, so a worker whose
lease was taken over never overwrites a newer attempt; each result (executed, verified,
mismatch, failed) is also appended as a ``PlatformActionResult``, with its ledger entry, in that
transaction (an attempt's: in the record's one statement, ``action_attempts.action_record``; a
read-back's: ``_applied``).
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, User
from accounts.recipients import people_by_institution, unique
from accounts.services.notifications import notification_send
from channels.connectors.actions import (
    EXPECTED,
    ActionDone,
    ActionKind,
    ActionRejected,
    ActionRequest,
    Observed,
)
from channels.connectors.polling import ConnectorError, RateLimited
from channels.connectors.registry import CONNECTORS
from channels.models import Channel
from govsocial.queueing import enqueue_on_commit
from moderation.models import (
    ANSWERING_ACTIONS,
    Action,
    Decision,
    ItemKind,
    PlatformAction,
    PlatformActionResult,
)
from moderation.services.action_attempts import LEASE, Claim, action_claim, action_record
from moderation.services.action_results import action_results_pending, action_results_record
from moderation.services.platform_to_do import (
    action_to_do_deadline,
    platform_to_do_fields,
)
from moderation.services.posts import post_record_published

logger = logging.getLogger(__name__)

State = PlatformAction.State
MAX_ATTEMPTS = 6
FIRST_PAUSE = timedelta(minutes=1)
RECHECKS = (timedelta(hours=1), timedelta(hours=24))
"""Read-backs after the first verification, counted from the execution."""
CHECK_RETRY = timedelta(minutes=10)
"""After a read-back that failed (platform down, rate limited)."""
CHECK_GIVE_UP = timedelta(days=3)
"""Read-backs still failing this long after the execution stop; the state stays as it was."""
SWEEP_BATCH = 500

MISMATCH_SUBJECT = gettext_lazy("Changed back on %(platform)s: %(kind)s on %(channel)s")
MISMATCH_BODY = gettext_lazy(
    "GovSocial carried out “%(kind)s” on %(platform)s and verified it, but the platform now "
    "shows the object as “%(observed)s”. Someone may have undone it on the platform: check it "
    "and act again if needed."
)
OBSERVED_LABELS = {
    Observed.VISIBLE: gettext_lazy("visible"),
    Observed.HIDDEN: gettext_lazy("hidden"),
    Observed.GONE: gettext_lazy("gone"),
}


# --- planning --------------------------------------------------------------------------------


def actions_plan(decision: Decision) -> list[PlatformAction]:
    """The platform actions ``decision`` implies; call it in the decision's transaction."""
    return [_plan_one(decision, kind) for kind in _kinds(decision)]


def _kinds(decision: Decision) -> list[ActionKind]:
    item = decision.item
    if decision.action == Action.REPLY:
        direct = item.kind == ItemKind.DIRECT_MESSAGE
        return [ActionKind.PRIVATE_REPLY if direct else ActionKind.REPLY]
    if decision.action == Action.HIDE:
        return [ActionKind.HIDE]
    if decision.action == Action.REMOVE:
        return [ActionKind.DELETE]
    if decision.action == Action.REOPEN and _undone(decision) == Action.HIDE:
        return [ActionKind.UNHIDE]
    if decision.action == Action.REINSTATE:
        return [ActionKind.UNHIDE]
    return []


def _undone(decision: Decision) -> str | None:
    """The answer a reopening or a reinstatement undoes (a reinstatement undoes nothing
    further back: an item reopened after one was visible already)."""
    return (
        Decision.objects.filter(
            item_id=decision.item_id, action__in=[*ANSWERING_ACTIONS, Action.REINSTATE]
        )
        .exclude(pk=decision.pk)
        .order_by("-created_at", "-pk")
        .values_list("action", flat=True)
        .first()
    )


def _reason(decision: Decision, kind: ActionKind) -> str:
    if decision.action == Action.REINSTATE and _undone(decision) == Action.REMOVE:
        return _(
            "The content was removed from the platform, which offers no way to restore it "
            "through its API: restore it there if the platform allows, or tell the author "
            "that they may post it again."
        )
    return manual_reason(decision.item.channel, kind)


def message_plan(decision: Decision, text: str) -> PlatformAction | None:
    """A private message to the author of ``decision``'s item, queued when the channel's
    connector can send one; None (nothing planned) when it cannot. Call it in the decision's
    transaction."""
    if manual_reason(decision.item.channel, ActionKind.PRIVATE_REPLY):
        return None
    return _plan_one(decision, ActionKind.PRIVATE_REPLY, text=text)


def _plan_one(decision: Decision, kind: ActionKind, text: str | None = None) -> PlatformAction:
    item = decision.item
    reason = _reason(decision, kind)
    now = timezone.now()
    if text is None:
        text = decision.reply_text if kind in (ActionKind.REPLY, ActionKind.PRIVATE_REPLY) else ""
    action = PlatformAction.objects.create(
        institution_id=decision.institution_id,
        channel_id=item.channel_id,
        kind=kind,
        decision=decision,
        target_id=item.external_id,
        text=text,
        state=State.MANUAL if reason else State.QUEUED,
        manual_reason=reason,
        next_attempt_at=None if reason else now,
        **(platform_to_do_fields(item.channel, now) if reason else {}),
    )
    if not reason:
        _enqueue_execute(action.pk)
    return action


def manual_reason(channel: Channel, kind: ActionKind) -> str:
    """Why ``kind`` cannot be carried out through the platform's API on ``channel`` (an
    empty string when it can), in the active language, for the manual list."""
    connector = CONNECTORS.get(channel.platform)
    capability = connector.capabilities.get(kind) if connector is not None else None
    platform = channel.get_platform_display()
    if capability is None:
        return _("%(platform)s's API does not let GovSocial do this: do it on the platform.") % {
            "platform": platform
        }
    if capability.own_only:
        return _(
            "%(platform)s lets an account do this only to its own posts: do it on the platform "
            "(report the post to its moderators, or block or mute the author)."
        ) % {"platform": platform}
    if connector is None or not channel.is_active or not connector.configured(channel):
        return _(
            "The channel is not connected to %(platform)s's API (inactive, or credentials "
            "missing): do it on the platform, or complete the channel's settings."
        ) % {"platform": platform}
    return ""


# --- execution -------------------------------------------------------------------------------


def action_execute(action_id: int, *, now: datetime | None = None) -> str:
    """Carry out one due action; returns the state it is left in ("skipped" when it was not
    due or another worker holds it)."""
    now = now or timezone.now()
    claim = action_claim(action_id, now)
    if claim is None:
        return "skipped"
    action = claim.action
    fields = _attempt(claim, now)
    if fields["state"] == State.EXECUTED:
        for name, value in fields.items():
            setattr(action, name, value)
        fields.update(_read_back(action, now))  # recorded with the execution: one write
    # The outcome and what follows from it at once: its results and their ledger entries and
    # a reply's SLA in the record's one statement (``action_record``); a published post's
    # record needs a transaction around it.
    results = action_results_pending(action, fields, now)
    publishes = bool(fields.get("executed_at")) and action.kind == ActionKind.PUBLISH
    with transaction.atomic() if publishes else nullcontext():
        if not _save_attempt(action, fields, results):
            return "superseded"
        return _applied(action, fields, now, results_written=True)


def _applied(
    action: PlatformAction, fields: dict[str, Any], now: datetime, *, results_written: bool
) -> str:
    """Set the recorded fields on ``action`` and, unless the record wrote them, append its
    results (in the outcome's transaction); alert after commit when it became a mismatch."""
    for name, value in fields.items():
        setattr(action, name, value)
    if not results_written:
        action_results_record(action, fields, now)
    if fields.get("executed_at"):
        _carried_out(action)
    if fields.get("state") == State.MISMATCH:
        transaction.on_commit(lambda: _alert_mismatch(action))
    return action.state


def _carried_out(action: PlatformAction) -> None:
    """What follows from reaching the platform besides the SLA of a reply (recorded with the
    outcome, ``action_record``): a published post is recorded as published with its link."""
    if action.kind == ActionKind.PUBLISH and action.post_id is not None:
        post_record_published(action)


def _attempt(claim: Claim, now: datetime) -> dict[str, Any]:
    """Call the platform; returns the fields to record."""
    action, channel = claim.action, claim.action.channel
    connector = CONNECTORS.get(channel.platform)
    if connector is None or not channel.is_active or not connector.configured(channel):
        return _failed(
            action, _("The channel can no longer act on the platform through its API."), now
        )
    request = _request(action, claim.mention)
    try:
        done = connector.find_done(channel, request) if claim.unknown else None
        if done is None:
            done = connector.perform(channel, request)
    except ActionRejected as refusal:
        return _failed(action, str(refusal), now)
    except RateLimited as limited:
        return _requeue(action, str(limited), max(limited.retry_at, now), counted=False)
    except ConnectorError as error:
        if action.attempts >= MAX_ATTEMPTS:
            return _failed(action, str(error), now)
        pause = FIRST_PAUSE * 2 ** (action.attempts - 1)
        return _requeue(action, str(error), now + pause, counted=True)
    return _executed(done, now)


def _request(action: PlatformAction, mention: str) -> ActionRequest:
    return ActionRequest(
        kind=ActionKind(action.kind),
        target_id=action.target_id,
        key=action.key,
        text=action.text,
        mention=mention,
    )


def _executed(done: ActionDone, now: datetime) -> dict[str, Any]:
    return {
        "state": State.EXECUTED,
        "executed_at": now,
        "object_id": done.object_id,
        "url": done.url,
        "next_attempt_at": None,
        "last_error": "",
    }


def _requeue(action: PlatformAction, error: str, at: datetime, *, counted: bool) -> dict[str, Any]:
    return {
        "state": State.QUEUED,
        "next_attempt_at": at,
        "last_error": error[:2000],
        "attempts": action.attempts if counted else action.attempts - 1,
    }


def _failed(action: PlatformAction, error: str, now: datetime) -> dict[str, Any]:
    """Refused for good: on the to-do list, with its deadline (``platform_to_do``)."""
    due, warning = action_to_do_deadline(action, now)
    return {
        "state": State.FAILED,
        "next_attempt_at": None,
        "last_error": error[:2000],
        "due_at": due,
        "warn_at": warning,
        "warned_at": None,
        "breached_at": None,
    }


def _save_attempt(
    action: PlatformAction, fields: dict[str, Any], results: list[PlatformActionResult]
) -> bool:
    """Record the outcome and its results unless another worker took the action over
    meanwhile."""
    saved = action_record(action, fields, results)
    if not saved:
        logger.warning("Platform action %s was taken over; outcome not recorded.", action.pk)
    return saved


# --- verification ----------------------------------------------------------------------------


def _verifiable(action: PlatformAction) -> bool:
    connector = CONNECTORS.get(action.channel.platform)
    capability = connector.capabilities.get(ActionKind(action.kind)) if connector else None
    return capability is not None and bool(capability.verify)


def action_check(action_id: int, *, now: datetime | None = None) -> str:
    """Read back one action whose check is due; returns the state it is left in."""
    now = now or timezone.now()
    with transaction.atomic():
        action = (
            PlatformAction.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("channel", "decision__item")
            .filter(
                pk=action_id,
                state__in=(State.EXECUTED, State.VERIFIED),
                next_check_at__lte=now,
            )
            .first()
        )
        if action is None:
            return "skipped"
        action.next_check_at = now + LEASE
        action.save(update_fields=["next_check_at"])
    return _check(action, now)


def _check(action: PlatformAction, now: datetime) -> str:
    fields = _read_back(action, now)
    with transaction.atomic():  # the new state and its result at once
        saved = PlatformAction.objects.filter(
            pk=action.pk, state=action.state, checks=action.checks
        ).update(**fields)
        if not saved:
            return "superseded"
        return _applied(action, fields, now, results_written=False)


def _read_back(action: PlatformAction, now: datetime) -> dict[str, Any]:
    """Read the object back; the fields to record (state, schedule of the next check)."""
    connector = CONNECTORS.get(action.channel.platform)
    if connector is None or not _verifiable(action):
        return {"next_check_at": None}  # nothing to read back with: stays executed
    try:
        observed = connector.observe(action.channel, ActionKind(action.kind), action.object_id)
    except (ActionRejected, RateLimited, ConnectorError) as error:
        return _check_failed(action, str(error), now)
    return _checked(action, observed, now)


def _checked(action: PlatformAction, observed: Observed, now: datetime) -> dict[str, Any]:
    checks = action.checks + 1
    fields: dict[str, Any] = {"checks": checks, "observed": observed.value, "last_error": ""}
    if observed != EXPECTED[ActionKind(action.kind)]:
        fields.update(state=State.MISMATCH, next_check_at=None)
        return fields
    if action.state == State.EXECUTED:
        fields.update(state=State.VERIFIED, verified_at=now)
    executed_at = action.executed_at or now
    fields["next_check_at"] = (
        executed_at + RECHECKS[checks - 1] if checks <= len(RECHECKS) else None
    )
    return fields


def _check_failed(action: PlatformAction, error: str, now: datetime) -> dict[str, Any]:
    executed_at = action.executed_at or now
    give_up = now - executed_at >= CHECK_GIVE_UP
    return {"last_error": error[:2000], "next_check_at": None if give_up else now + CHECK_RETRY}


def _alert_mismatch(action: PlatformAction) -> None:
    """Tell the institution's admins, the item's assignee and the decision's author."""
    decision = action.decision
    item = decision.item if decision is not None else None
    admins = people_by_institution([action.institution_id], [Role.INSTITUTION_ADMIN])
    people: list[User] = unique(
        admins.get(action.institution_id, []),
        [item.assigned_to if item is not None else None],
        [decision.actor if decision is not None else None],
    )
    params = {
        "platform": action.channel.get_platform_display(),
        "channel": action.channel.name,
        "kind": action.get_kind_display(),
        "observed": OBSERVED_LABELS.get(Observed(action.observed), action.observed),
    }
    for person in people:
        notification_send(
            recipient=person,
            institution=action.channel.institution,
            kind="platform_action.mismatch",
            subject=MISMATCH_SUBJECT,
            body=MISMATCH_BODY,
            params=params,
            url=_link(action),
            dedupe_key=f"platform-action-mismatch:{action.pk}",
            about=item.about_key if item is not None else "",
        )


def _link(action: PlatformAction) -> str:
    slug = action.channel.institution.slug
    if action.decision is not None:
        return reverse(
            "moderation:item-detail",
            kwargs={"institution_slug": slug, "item_id": action.decision.item_id},
        )
    return reverse(
        "moderation:post-detail", kwargs={"institution_slug": slug, "post_id": action.post_id}
    )


# --- sweeping and enqueueing -----------------------------------------------------------------


def actions_sweep(now: datetime | None = None) -> int:
    """Every minute: enqueue due attempts (queued, or sending with an expired lease) and due
    read-backs, ``SWEEP_BATCH`` of each at most; returns how many were enqueued."""
    now = now or timezone.now()
    attempts = list(
        PlatformAction.objects.filter(state__in=PlatformAction.WAITING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    checks = list(
        PlatformAction.objects.filter(
            state__in=(State.EXECUTED, State.VERIFIED), next_check_at__lte=now
        )
        .order_by("next_check_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for action_id in attempts:
        _enqueue_execute(action_id)
    for action_id in checks:
        _enqueue_check(action_id)
    return len(attempts) + len(checks)


def _enqueue_execute(action_id: int) -> None:
    from moderation.tasks import action_execute_task

    enqueue_on_commit(action_execute_task, action_id)


def _enqueue_check(action_id: int) -> None:
    from moderation.tasks import action_check_task

    enqueue_on_commit(action_check_task, action_id)
