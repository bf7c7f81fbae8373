"""Approved posts get their publish action at their planned time, exactly once (issue 14)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from channels.connectors import registry
from channels.connectors.actions import ActionKind, Capability
from channels.tests.factories import ChannelFactory
from moderation.models import PlatformAction, Post, PostState, PostText
from moderation.services.posts import post_record_published, post_text_for_channel
from moderation.services.publishing import posts_publish_due
from moderation.tasks import posts_publish_due_task

pytestmark = pytest.mark.django_db
State = PlatformAction.State
PLANNED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Publisher:
    """A registry entry that can publish on configured channels (the registry, not HTTP: the
    publishing itself is the executor's, tested against the sandbox)."""

    platform = "mastodon"
    capabilities = {ActionKind.PUBLISH: Capability(call="POST /api/v1/statuses")}

    def configured(self, channel) -> bool:  # type: ignore[no-untyped-def]
        return bool(channel.handle)


def approved(channel, author, *, planned_at=PLANNED, texts=None) -> Post:  # type: ignore[no-untyped-def]
    post = Post.objects.create(
        institution=channel.institution, channel=channel, title="Portes ouvertes",
        planned_at=planned_at, author=author, approved_by=author, state=PostState.APPROVED,
    )  # fmt: skip
    for language, text in (texts or {"fr": "Bienvenue", "nl": "Welkom"}).items():
        PostText.objects.create(post=post, language=language, text=text)
    return post


def test_nothing_before_the_planned_time_then_one_manual_action_at_it(
    defence, defence_communicator
) -> None:
    channel = ChannelFactory(institution=defence, platform="facebook", languages=["fr", "nl"])
    post = approved(channel, defence_communicator)
    assert posts_publish_due(PLANNED - timedelta(seconds=1)) == 0
    assert posts_publish_due(PLANNED) == 1
    assert posts_publish_due(PLANNED + timedelta(minutes=1)) == 0  # the next tick
    action = PlatformAction.objects.get(post=post)
    assert (action.kind, action.state, action.text) == (
        "publish",
        State.MANUAL,
        "Bienvenue\n\nWelkom",
    )
    assert action.manual_reason
    assert action.due_at == PLANNED + timedelta(hours=channel.response_hours)
    assert action.warn_at is not None
    assert PLANNED < action.warn_at < action.due_at


def test_a_channel_whose_connector_publishes_gets_a_queued_action(
    defence, defence_communicator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(registry.CONNECTORS, "mastodon", Publisher())
    ready = ChannelFactory(institution=defence, platform="mastodon", handle="@defensie")
    bare = ChannelFactory(institution=defence, platform="mastodon", handle="")
    queued, manual = approved(ready, defence_communicator), approved(bare, defence_communicator)
    assert posts_publish_due(PLANNED) == 2
    action = PlatformAction.objects.get(post=queued)
    assert (action.state, action.next_attempt_at, action.due_at) == (State.QUEUED, PLANNED, None)
    assert PlatformAction.objects.get(post=manual).state == State.MANUAL


def test_only_approved_posts_are_published(defence, defence_communicator) -> None:
    channel = ChannelFactory(institution=defence)
    for state in (PostState.DRAFT, PostState.IN_REVIEW, PostState.WITHDRAWN, PostState.PUBLISHED):
        Post.objects.filter(pk=approved(channel, defence_communicator).pk).update(state=state)
    assert posts_publish_due(PLANNED + timedelta(days=1)) == 0


def test_two_runs_at_once_create_one_action(
    defence, defence_communicator, transactional_db
) -> None:
    channel = ChannelFactory(institution=defence)
    posts = [approved(channel, defence_communicator) for _ in range(20)]
    barrier = threading.Barrier(2)
    created: list[int] = []

    def run() -> None:
        barrier.wait()
        try:
            created.append(posts_publish_due(PLANNED))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(created) == 20
    assert PlatformAction.objects.filter(kind="publish").count() == 20
    assert set(PlatformAction.objects.values_list("post_id", flat=True)) == {p.pk for p in posts}


def test_a_second_insert_meets_the_constraint_and_is_skipped(
    defence, defence_communicator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path of the loser of a race: the row exists although the run did not see it."""
    channel = ChannelFactory(institution=defence)
    post = approved(channel, defence_communicator)
    assert posts_publish_due(PLANNED) == 1
    monkeypatch.setattr("moderation.services.publishing.posts_due", lambda now: [post])
    assert posts_publish_due(PLANNED) == 0
    assert PlatformAction.objects.filter(post=post).count() == 1


def test_the_beat_task_runs_it(defence, defence_communicator) -> None:
    channel = ChannelFactory(institution=defence)
    approved(channel, defence_communicator, planned_at=datetime.now(UTC) - timedelta(minutes=1))
    assert posts_publish_due_task.apply().get() == 1


@pytest.mark.parametrize(
    ("languages", "texts", "expected"),
    [
        (["nl"], {"fr": "Bienvenue", "nl": "Welkom"}, "Welkom"),
        (["nl", "fr"], {"fr": "Bienvenue", "nl": "Welkom"}, "Welkom\n\nBienvenue"),
        (["fr", "nl"], {"nl": "Welkom"}, "Welkom"),
        (["fr"], {"en": "Welcome"}, "Welcome"),
    ],
)
def test_the_text_follows_the_channel_languages(
    defence, defence_communicator, languages, texts, expected
) -> None:
    channel = ChannelFactory(institution=defence, languages=languages)
    assert post_text_for_channel(approved(channel, defence_communicator, texts=texts)) == expected


def test_an_api_publish_is_recorded_by_the_approver(defence, defence_communicator) -> None:
    channel = ChannelFactory(institution=defence)
    post = approved(channel, defence_communicator)
    posts_publish_due(PLANNED)
    action = PlatformAction.objects.get(post=post)
    PlatformAction.objects.filter(pk=action.pk).update(
        state=State.VERIFIED, executed_at=PLANNED, url="https://social.example/@d/1"
    )
    action.refresh_from_db()
    published = post_record_published(action)
    assert (published.state, published.published_at, published.published_url) == (
        PostState.PUBLISHED, PLANNED, "https://social.example/@d/1",
    )  # fmt: skip
    assert published.transitions.get(kind="published").actor == defence_communicator
