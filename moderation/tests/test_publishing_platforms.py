"""Approved posts published on the platforms at their planned time, exactly once, over HTTP
against the platform sandbox: publishing's due function, then the executor (issue 14, item 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from channels.connectors.actions import ActionKind, ActionRequest
from channels.connectors.registry import CONNECTORS
from channels.models import Channel
from channels.tests.factories import ChannelFactory
from channels.tests.test_meta_connectors import PAGE, meta_channel
from devtools.platform_sandbox import mastodon as sandbox_mastodon
from moderation.models import PlatformAction, Post, PostState
from moderation.selectors import platform_to_do
from moderation.services.platform_actions import LEASE, action_execute, actions_sweep
from moderation.services.publishing import posts_publish_due
from moderation.tests.test_publishing import PLANNED, approved

pytestmark = pytest.mark.django_db
State = PlatformAction.State
TEXT = "Bienvenue\n\nWelkom"


@pytest.fixture
def facebook(defence, platform_sandbox) -> Channel:
    channel = meta_channel(defence, platform_sandbox, "facebook", PAGE)
    channel.languages = ["fr", "nl"]
    channel.save()
    return channel


@pytest.fixture
def mastodon(defence, platform_sandbox) -> Channel:
    channel = ChannelFactory(
        institution=defence, platform="mastodon", languages=["fr", "nl"],
        url=f"{platform_sandbox.url}/@defensie",
    )  # fmt: skip
    channel.access_token = sandbox_mastodon.TOKEN
    channel.save()
    return channel


def published_on(sandbox, channel: Channel) -> list[str]:
    """The texts of the posts the channel's account has on the sandbox."""
    if channel.platform == "mastodon":
        return [s["content"] for s in sandbox_mastodon.own_statuses(sandbox)]
    objects = sandbox.data["meta"]["objects"].values()
    return [o["text"] for o in objects if o["kind"] == "post" and not o["deleted"]]


def publish_calls(sandbox, channel: Channel) -> list[dict]:
    if channel.platform == "mastodon":
        return sandbox.calls_to("POST", "/api/v1/statuses")
    return sandbox.calls_to("POST", f"/facebook/{PAGE}/feed")


@pytest.mark.parametrize("platform", ["facebook", "mastodon"])
def test_an_approved_post_is_published_at_its_planned_time_exactly_once(
    request, platform, platform_sandbox, defence_communicator
) -> None:
    channel = request.getfixturevalue(platform)
    post = approved(channel, defence_communicator)
    assert posts_publish_due(PLANNED - timedelta(minutes=1)) == 0
    assert platform_sandbox.calls == []
    assert posts_publish_due(PLANNED) == 1
    action = PlatformAction.objects.get(post=post)
    assert (action.state, action.text, action.target_id) == (State.QUEUED, TEXT, "")
    assert actions_sweep(PLANNED) == 1
    assert action_execute(action.pk, now=PLANNED) == State.VERIFIED
    assert action_execute(action.pk, now=PLANNED + timedelta(hours=2)) == "skipped"
    assert posts_publish_due(PLANNED + timedelta(minutes=1)) == 0
    assert len(publish_calls(platform_sandbox, channel)) == 1
    assert len(published_on(platform_sandbox, channel)) == 1
    action.refresh_from_db()
    post.refresh_from_db()
    assert action.url
    assert action.object_id
    assert (post.state, post.published_url, post.published_at) == (
        PostState.PUBLISHED, action.url, PLANNED,
    )  # fmt: skip


@pytest.mark.parametrize("platform", ["facebook", "mastodon"])
def test_a_worker_that_died_after_the_request_does_not_publish_twice(
    request, platform, platform_sandbox, defence_communicator
) -> None:
    """The platform published, the worker died before recording it: after the lease, the
    next attempt finds the post (find_done) instead of publishing it again."""
    channel = request.getfixturevalue(platform)
    post = approved(channel, defence_communicator)
    posts_publish_due(PLANNED)
    action = PlatformAction.objects.get(post=post)
    PlatformAction.objects.filter(pk=action.pk).update(
        state=State.SENDING, attempts=1, next_attempt_at=PLANNED + LEASE
    )
    first = CONNECTORS[platform].perform(
        channel, ActionRequest(ActionKind.PUBLISH, "", key="the dead worker's", text=TEXT)
    )
    assert action_execute(action.pk, now=PLANNED) == "skipped"  # the lease still runs
    assert action_execute(action.pk, now=PLANNED + LEASE) == State.VERIFIED
    action.refresh_from_db()
    assert (action.object_id, action.attempts) == (first.object_id, 2)
    assert len(publish_calls(platform_sandbox, channel)) == 1  # the dead worker's only
    assert len(published_on(platform_sandbox, channel)) == 1
    post.refresh_from_db()
    assert (post.state, post.published_url) == (PostState.PUBLISHED, first.url)


@pytest.mark.parametrize(
    ("platform", "path", "status", "body"),
    [
        ("facebook", f"/facebook/{PAGE}/feed", 403,
         {"error": {"message": "(#200) Requires pages_manage_posts permission", "code": 200,
                    "type": "OAuthException", "fbtrace_id": "Sbx1"}}),
        ("mastodon", "/api/v1/statuses", 422, {"error": "Validation failed: Text is too long"}),
    ],
)  # fmt: skip
def test_a_refusal_puts_the_post_on_the_to_do_list(
    request, platform, path, status, body, platform_sandbox, defence_communicator
) -> None:
    channel = request.getfixturevalue(platform)
    post = approved(channel, defence_communicator)
    posts_publish_due(PLANNED)
    action = PlatformAction.objects.get(post=post)
    platform_sandbox.fail_next(path, status, body)
    assert action_execute(action.pk, now=PLANNED) == State.FAILED
    action.refresh_from_db()
    assert str(status) in action.last_error or "200" in action.last_error
    assert action.due_at is not None
    assert list(platform_to_do(channel.institution)) == [action]
    assert Post.objects.get(pk=post.pk).state == PostState.APPROVED
    assert published_on(platform_sandbox, channel) == []


@pytest.mark.parametrize("platform", ["x", "linkedin", "youtube", "instagram"])
def test_platforms_without_publishing_put_the_post_on_the_to_do_list_at_its_time(
    platform, defence, defence_communicator, platform_sandbox
) -> None:
    channel = ChannelFactory(
        institution=defence, platform=platform, handle="1234567890", languages=["fr", "nl"]
    )
    channel.access_token = "a-token-that-would-work"
    channel.save()
    post = approved(channel, defence_communicator)
    assert posts_publish_due(PLANNED - timedelta(seconds=1)) == 0
    assert list(platform_to_do(defence)) == []
    assert posts_publish_due(PLANNED) == 1
    action = PlatformAction.objects.get(post=post)
    assert (action.state, action.text) == (State.MANUAL, TEXT)
    assert action.manual_reason
    assert list(platform_to_do(defence)) == [action]
    assert actions_sweep(PLANNED) == 0
    assert platform_sandbox.calls == []
