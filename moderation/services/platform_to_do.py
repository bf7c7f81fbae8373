"""The "to do on the platform" list: what people must carry out by hand, and by when.

Invariants:
- an action is on the list while it is MANUAL (the platform or the channel's credentials do not
  allow it) or FAILED (the platform refused it for good); it leaves the list only when a person
  marks it done (``action_mark_done``): state DONE_BY_HAND with who, when and, if given, the
  permalink (and a ``PlatformActionResult``, for the ledger). The change is one conditional
  UPDATE on the state, so of two people marking the same row one wins and the other is told it
  is already done; a row that left the list meanwhile (re-queued, carried out) is refused the
  same way;
- every action on the list has a deadline (``due_at``) and a warning point (``warn_at``), set
  when it becomes manual or failed (``action_to_do_deadline``): the deadline check
  (``moderation.deadlines.TO_DO``) warns before it and notifies once when it is missed;
- a reply counts for the SLA figures when it reaches the platform (``item_reply_posted``: at
  the action's ``executed_at``, or ``done_at`` by hand), never when it was typed; a publish
  marked done records the post as published (``post_record_published``).

Deadline rule (docs/platforms.md): the channel's response time (its crisis response time while
crisis mode is on) counted from when the work arose (the decision, or the post's planned time),
and never less than one hour from when the action reached the list, so that nobody is warned of
a deadline already gone at the moment the work appears.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from channels.models import Channel
from govsocial.deadlines.clock import warn_at
from moderation.models import Item, PlatformAction
from moderation.services.action_results import action_result_record
from moderation.services.posts import post_record_published

State = PlatformAction.State
Kind = PlatformAction.Kind
AT_LEAST = timedelta(hours=1)
"""However late the work arises, a manual action is given at least this long."""
REPLY_KINDS = (Kind.REPLY, Kind.PRIVATE_REPLY)


class ToDoRefused(ValueError):
    """Shown to the person marking the action done."""


def response_span(channel: Channel) -> timedelta:
    hours = channel.crisis_response_hours if channel.crisis_mode else channel.response_hours
    return max(timedelta(hours=hours), AT_LEAST)


def platform_to_do_due_at(channel: Channel, now: datetime) -> datetime:
    """The deadline of work put on the list at ``now`` for ``channel``: its response time from
    now (at least one hour). For the planner, where the work arises at ``now``."""
    return now + response_span(channel)


def platform_to_do_fields(channel: Channel, now: datetime) -> dict[str, datetime]:
    """``due_at`` and ``warn_at`` of work put on the list at ``now``, ready for a
    ``PlatformAction(...)`` or an ``update(...)``: without ``warn_at`` nobody is warned before
    the deadline (the breach is still notified)."""
    due = platform_to_do_due_at(channel, now)
    share = channel.institution.warning_share_percent / 100
    return {"due_at": due, "warn_at": warn_at(now, due, share)}


def action_to_do_deadline(action: PlatformAction, now: datetime) -> tuple[datetime, datetime]:
    """``(due_at, warn_at)`` of ``action`` reaching the list at ``now``: the channel's response
    time from when the work arose (the decision, the post's planned time), at least one hour
    from now; warned at the institution's share of the span from now."""
    arose = _arose_at(action) or now
    due = max(arose + response_span(action.channel), now + AT_LEAST)
    share = action.institution.warning_share_percent / 100
    return due, warn_at(now, due, share)


def _arose_at(action: PlatformAction) -> datetime | None:
    if action.decision is not None:
        return action.decision.created_at
    return action.post.planned_at if action.post is not None else None


def action_put_on_list(
    action: PlatformAction, *, state: str, reason: str = "", error: str = ""
) -> PlatformAction:
    """Move ``action`` to the list (MANUAL with ``reason``, or FAILED with the platform's
    ``error``) with its deadline. For paths that decide it at run time; the planner creating
    MANUAL rows sets ``due_at`` with ``platform_to_do_due_at`` itself."""
    if state not in PlatformAction.TO_DO_BY_HAND:
        raise ValueError(f"{state!r} is not a state of the to-do list.")
    now = timezone.now()
    due, warning = action_to_do_deadline(action, now)
    with transaction.atomic():  # a refusal is a result: recorded with the state
        PlatformAction.objects.filter(pk=action.pk).update(
            state=state,
            manual_reason=reason or action.manual_reason,
            last_error=error[:2000] or action.last_error,
            next_attempt_at=None,
            due_at=due,
            warn_at=warning,
            warned_at=None,
            breached_at=None,
        )
        listed = PlatformAction.objects.get(pk=action.pk)
        if state == State.FAILED:
            action_result_record(listed, State.FAILED, at=now)
    return listed


def clean_permalink(url: str) -> str:
    url = url.strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ToDoRefused(
            _("Give the address of what you did on the platform (starting with https://).")
        ) from None
    if len(url) > 1000:
        raise ToDoRefused(_("This address is too long (1,000 characters at most)."))
    return url


def action_mark_done(*, action: PlatformAction, actor: User, url: str = "") -> PlatformAction:
    """A person carried ``action`` out on the platform by hand; ``url`` optional (http or
    https). A publish also records the post as published (by ``actor``)."""
    url = clean_permalink(url)
    now = timezone.now()
    with transaction.atomic():
        changed = PlatformAction.objects.filter(
            pk=action.pk, state__in=PlatformAction.TO_DO_BY_HAND
        ).update(
            state=State.DONE_BY_HAND, done_by=actor, done_at=now, url=url, next_attempt_at=None
        )
        if not changed:
            raise ToDoRefused(_already_done(action))
        done = PlatformAction.objects.select_related("decision", "post").get(pk=action.pk)
        action_result_record(done, State.DONE_BY_HAND, at=now, actor=actor)
        if done.kind in REPLY_KINDS and done.decision is not None:
            item_reply_posted(done)
        elif done.kind == Kind.PUBLISH and done.post is not None:
            post_record_published(done, actor=actor)
    return done


def _already_done(action: PlatformAction) -> str:
    current = PlatformAction.objects.select_related("done_by").filter(pk=action.pk).first()
    if current is None or current.state != State.DONE_BY_HAND:
        return _("This action is no longer on the list: it is being carried out on the platform.")
    return _("%(who)s already marked this done (%(when)s).") % {
        "who": current.done_by or _("someone"),
        "when": timezone.localtime(current.done_at).strftime("%d/%m/%Y %H:%M")
        if current.done_at
        else "",
    }


def item_reply_posted(action: PlatformAction) -> None:
    """The reply of ``action`` reached the platform (executed by the connector, or done by
    hand): it answers its item for the SLA figures then, unless the item was answered earlier.

    The executor applies this rule when a reply action is carried out, in the statement that
    records the outcome (``action_attempts.action_record``)."""
    at = action.executed_at or action.done_at
    if at is None or action.decision is None:
        return
    moment = Value(at, output_field=DateTimeField())
    # PostgreSQL's LEAST skips NULL; SQLite's returns it: hence the Coalesce.
    Item.objects.filter(pk=action.decision.item_id).update(
        sla_answered_at=Coalesce(Least("sla_answered_at", moment), moment)
    )
