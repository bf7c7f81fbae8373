"""Approved outgoing posts reach their channel at their planned time, exactly once.

Every minute (Celery beat ``posts-publish-due``) ``posts_publish_due`` gives each APPROVED post
whose ``planned_at`` has come one PUBLISH ``PlatformAction``:

- QUEUED, due at once, when the channel's platform has a connector that can publish
  (``ActionKind.PUBLISH`` in its capabilities) and the channel is active and configured for it:
  the platform actions' sweeper carries it out, and the executor records the post as published
  (``post_record_published``) once the platform confirmed it;
- otherwise MANUAL, with the reason and a deadline (``platform_to_do``), so that it appears on
  the "to do on the platform" list at its planned time; marking it done publishes the post.

Exactly once is a database fact: a partial unique constraint (one PUBLISH action per post,
``platform_action_publish_once``) makes a second run, or two runs at once, insert nothing
(each insert in its own savepoint; the loser of a race waits for the winner's commit, then
meets the constraint and moves on). A post is never published before its planned time: only
``planned_at <= now`` is picked.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from channels.connectors.actions import ActionKind
from channels.connectors.registry import CONNECTORS
from channels.models import Channel
from moderation.models import PlatformAction, Post, PostState
from moderation.services.platform_to_do import action_to_do_deadline
from moderation.services.posts import post_text_for_channel

BATCH = 500
State = PlatformAction.State


def can_publish(channel: Channel) -> bool:
    connector = CONNECTORS.get(channel.platform)
    return (
        connector is not None
        and ActionKind.PUBLISH in connector.capabilities
        and channel.is_active
        and connector.configured(channel)
    )


def posts_due(now: datetime) -> list[Post]:
    """Approved posts whose time has come and that have no publish action yet."""
    return list(
        Post.objects.filter(state=PostState.APPROVED, planned_at__lte=now)
        .exclude(platform_actions__kind=PlatformAction.Kind.PUBLISH)
        .select_related("channel", "institution")
        .prefetch_related("texts")
        .order_by("planned_at", "pk")[:BATCH]
    )


def posts_publish_due(now: datetime | None = None) -> int:
    """Create the publish actions of the posts due; returns how many this run created."""
    now = now or timezone.now()
    created = 0
    for post in posts_due(now):
        try:
            with transaction.atomic():
                _create(post, now)
            created += 1
        except IntegrityError:  # another run created it first
            continue
    return created


def _create(post: Post, now: datetime) -> PlatformAction:
    action = PlatformAction(
        channel=post.channel,
        institution=post.institution,
        kind=PlatformAction.Kind.PUBLISH,
        post=post,
        text=post_text_for_channel(post),
        created_at=now,
    )
    if can_publish(post.channel):
        action.state = State.QUEUED
        action.next_attempt_at = now
    else:
        action.state = State.MANUAL
        action.due_at, action.warn_at = action_to_do_deadline(action, now)
        with translation.override(post.institution.default_language):
            action.manual_reason = _(
                "GovSocial cannot publish on this channel through the platform's API (no "
                "connector allows it, or the channel's credentials are missing): publish it by "
                "hand."
            )
    action.save()
    return action
